/*
 * config_print(): the configuration back as canonical YAML (-nv): every
 * item in order, the fields that were set in schema order, strings double
 * quoted, so that the output parses back to the same configuration.
 * config_usage(): --help, generated from the schema like Go's.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "config_local.h"
#include "log.h"

static void	 print_str(FILE *, const char *);
static void	 print_value(FILE *, const struct cfg_field *,
		    const struct cfg_value *);
static const char *type_name(const struct cfg_field *);

/*
 * A YAML double-quoted scalar.  Besides quotes, backslashes and control
 * characters, the code points a YAML reader would refuse or fold as line
 * breaks (C1 controls, NEL, LS, PS, BOM, U+FFFE/U+FFFF) are escaped.
 */
static void
print_str(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned		 cp;
	int			 i, n;

	fputc('"', fp);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fprintf(fp, "\\%c", *p++);
			continue;
		}
		if (*p == '\n' || *p == '\t') {
			fputs(*p++ == '\n' ? "\\n" : "\\t", fp);
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(fp, "\\x%02x", *p++);
			continue;
		}
		if (*p < 0x80) {
			fputc(*p++, fp);
			continue;
		}
		n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
		cp = *p & (0x7f >> n);
		/* stop at a bad sequence rather than run past the NUL */
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		n = i;
		if (cp >= 0x80 && cp <= 0x9f)
			fprintf(fp, "\\x%02x", cp);
		else if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff ||
		    cp == 0xfffe || cp == 0xffff)
			fprintf(fp, "\\u%04x", cp);
		else
			fwrite(p, 1, n, fp);
		p += n;
	}
	fputc('"', fp);
}

static void
print_value(FILE *fp, const struct cfg_field *f, const struct cfg_value *v)
{
	char	 num[64];
	size_t	 i, j;

	fprintf(fp, "    %s:", f->name);
	switch (f->type) {
	case CFG_STRING:
	case CFG_DURATION:
		fputc(' ', fp);
		print_str(fp, v->str);
		break;
	case CFG_INT:
		if (f->check == CFGC_PERM && v->num >= 0)
			fprintf(fp, " 0%llo", v->num);
		else
			fprintf(fp, " %lld", v->num);
		break;
	case CFG_FLOAT:
		cfg_format_float(num, sizeof(num), v->real);
		fprintf(fp, " %s", num);
		break;
	case CFG_BOOL:
		fprintf(fp, " %s", v->num ? "true" : "false");
		break;
	case CFG_LIST:
		if (v->nlist == 0)
			fputs(" []", fp);
		for (i = 0; i < v->nlist; i++) {
			fputs("\n      - ", fp);
			print_str(fp, v->list[i]);
		}
		break;
	case CFG_MAP:
		if (v->map.npairs == 0)
			fputs(" {}", fp);
		for (i = 0; i < v->map.npairs; i++) {
			fputs("\n      ", fp);
			print_str(fp, v->map.pairs[i].key);
			fputs(": ", fp);
			if (f->flags & CFGF_NUMMAP)
				fputs(v->map.pairs[i].val, fp);
			else
				print_str(fp, v->map.pairs[i].val);
		}
		break;
	case CFG_RULES:
		if (v->nrules == 0)
			fputs(" []", fp);
		for (i = 0; i < v->nrules; i++) {
			for (j = 0; j < v->rules[i].npairs; j++) {
				fputs(j == 0 ? "\n      - " : "\n        ",
				    fp);
				print_str(fp, v->rules[i].pairs[j].key);
				fputs(": ", fp);
				print_str(fp, v->rules[i].pairs[j].val);
			}
		}
		break;
	}
	fputc('\n', fp);
}

void
config_print(FILE *fp, const struct config *cf)
{
	const struct cfg_item	*it;

	fputs("---\n", fp);
	TAILQ_FOREACH(it, &cf->items, entry)
		cfg_item_print(fp, it);
}

void
cfg_item_print(FILE *fp, const struct cfg_item *it)
{
	const struct cfg_field	*f;
	const struct cfg_value	*v;
	int			 any = 0;

	for (f = it->action->fields; f->name != NULL; f++)
		any |= it->values[f - it->action->fields].set;
	fprintf(fp, "- %s%s\n", it->action->name, any ? ":" : "");
	for (f = it->action->fields; f->name != NULL; f++) {
		v = &it->values[f - it->action->fields];
		if (v->set)
			print_value(fp, f, v);
	}
}

/* The item as cfg_item_print() writes it: equal texts, equal items. */
char *
cfg_item_text(const struct cfg_item *item)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		fatal("open_memstream");
	cfg_item_print(fp, item);
	if (fclose(fp) != 0)
		fatal("open_memstream");
	return buf;
}

static const char *
type_name(const struct cfg_field *f)
{
	switch (f->type) {
	case CFG_STRING:
		return "string";
	case CFG_INT:
		return "int";
	case CFG_FLOAT:
		return "float";
	case CFG_BOOL:
		return "bool";
	case CFG_DURATION:
		return "duration";
	case CFG_LIST:
		return "list of strings (may be repeated)";
	case CFG_MAP:
		return f->flags & CFGF_NUMMAP ? "JSON dict of string to float" :
		    "JSON dict of string to string";
	case CFG_RULES:
		return "JSON list of firewall rules";
	}
	return "?";
}

void
config_usage(FILE *fp)
{
	const struct cfg_action	*a;
	const struct cfg_field	*f;

	fputs("Usage: receptor [--<action> [<param>=<value> ...] ...]\n\n"
	    "   --help: Show this help\n\n"
	    "   --config <filename>: Load additional config options from a "
	    "YAML file\n\n"
	    "   -n: Check the configuration and exit\n"
	    "   -v: With -n, print the configuration in canonical form\n"
	    "   -T: Make sandbox violations trap and log instead of kill\n"
	    "   -u <user>: Run the unprivileged processes as user\n\n", fp);
	for (a = cfg_actions; a->name != NULL; a++) {
		if (a->flags & CFGA_HIDDEN)
			continue;
		fprintf(fp, "   --%s: %s%s\n", a->name, a->help,
		    strcmp(a->name, "node") == 0 ? " (required)" : "");
		for (f = a->fields; f->name != NULL; f++) {
			if (f->flags & CFGF_HIDDEN)
				continue;
			fprintf(fp, "      %s=<%s>: %s", f->name, type_name(f),
			    f->help);
			if ((f->flags & CFGF_REQUIRED) && f->def != NULL)
				fprintf(fp, " (required, default: %s)", f->def);
			else if (f->flags & CFGF_REQUIRED)
				fputs(" (required)", fp);
			else if (f->def != NULL)
				fprintf(fp, " (default: %s)", f->def);
			fputc('\n', fp);
		}
		fputc('\n', fp);
	}
}

/*
 * Completes an action after "-", and after an action its fields, each
 * with its "=": the word before tells which action the line is in.
 */
void
config_completion(FILE *fp)
{
	const struct cfg_action	*a;
	const struct cfg_field	*f;

	fputs("# bash completion for receptor, made by "
	    "receptor --bash-completion\n"
	    "_receptor()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} action= i\n"
	    "\tfor ((i = COMP_CWORD - 1; i > 0; i--)); do\n"
	    "\t\tcase ${COMP_WORDS[i]} in\n"
	    "\t\t-*) action=${COMP_WORDS[i]#-}; action=${action#-}; break ;;\n"
	    "\t\tesac\n\tdone\n"
	    "\tcase $cur in\n\t-*)\n"
	    "\t\tCOMPREPLY=($(compgen -W '--help --bash-completion --config "
	    "-n -v -T -u", fp);
	for (a = cfg_actions; a->name != NULL; a++)
		if (!(a->flags & CFGA_HIDDEN))
			fprintf(fp, " --%s", a->name);
	fputs("' -- \"$cur\"))\n\t\treturn ;;\n\tesac\n"
	    "\tcase ${action,,} in\n"
	    "\tconfig|c) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n",
	    fp);
	for (a = cfg_actions; a->name != NULL; a++) {
		if (a->flags & CFGA_HIDDEN)
			continue;
		fprintf(fp, "\t%s) COMPREPLY=($(compgen -W '", a->name);
		for (f = a->fields; f->name != NULL; f++)
			if (!(f->flags & CFGF_HIDDEN))
				fprintf(fp, "%s%s=", f == a->fields ? "" : " ",
				    f->name);
		fputs("' -- \"$cur\")) ;;\n", fp);
	}
	fputs("\tesac\n"
	    "\t[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace\n"
	    "}\ncomplete -F _receptor receptor\n", fp);
}
