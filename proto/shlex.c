/*
 * github.com/google/shlex Split() at the version Go receptor v1.4.9
 * builds with (e7afc7f): its state machine, its classes of characters
 * and its errors. Inside double quotes a backslash escapes any character
 * there, not only the few a POSIX shell escapes. Input is read as Go
 * reads runes, so each byte that is not valid UTF-8 becomes U+FFFD.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "shlex.h"

enum shclass {
	SH_OTHER,
	SH_SPACE,
	SH_DQUOTE,
	SH_SQUOTE,
	SH_ESCAPE,
	SH_COMMENT,
	SH_EOF,
};

enum shstate {
	SH_START,		/* between words */
	SH_WORD,
	SH_ESCAPED,		/* after '\' outside quotes */
	SH_DQ_ESCAPED,		/* after '\' inside "..." */
	SH_DQ,
	SH_SQ,
	SH_INCOMMENT,
};

struct words {
	char		**argv;
	size_t		  argc;
	size_t		  size;
};

static enum shclass	 classify(unsigned char);
static size_t		 append_rune(char *, size_t *, const char *,
			    size_t);
static int		 add_word(struct words *, const char *, size_t);
static int		 fail(struct words *, char *, size_t, const char *);

static enum shclass
classify(unsigned char c)
{
	switch (c) {
	case '\0':
		return SH_EOF;
	case ' ':
	case '\t':
	case '\r':
	case '\n':
		return SH_SPACE;
	case '"':
		return SH_DQUOTE;
	case '\'':
		return SH_SQUOTE;
	case '\\':
		return SH_ESCAPE;
	case '#':
		return SH_COMMENT;
	default:
		return SH_OTHER;
	}
}

/* Copies the rune at s to word + *wlen; returns how many bytes it took. */
static size_t
append_rune(char *word, size_t *wlen, const char *s, size_t left)
{
	size_t	 n;

	if ((n = gj_utf8_len(s, left)) == 0) {
		memcpy(word + *wlen, "\xef\xbf\xbd", 3);
		*wlen += 3;
		return 1;
	}
	memcpy(word + *wlen, s, n);
	*wlen += n;
	return n;
}

static int
add_word(struct words *w, const char *word, size_t len)
{
	char	**argv;
	size_t	  size;

	if (w->argc + 2 > w->size) {
		size = w->size == 0 ? 8 : w->size * 2;
		if ((argv = reallocarray(w->argv, size, sizeof(*argv))) ==
		    NULL)
			return -1;
		w->argv = argv;
		w->size = size;
	}
	if ((w->argv[w->argc] = strndup(word, len)) == NULL)
		return -1;
	w->argv[++w->argc] = NULL;
	return 0;
}

static int
fail(struct words *w, char *err, size_t errlen, const char *why)
{
	size_t	 i;

	for (i = 0; i < w->argc; i++)
		free(w->argv[i]);
	free(w->argv);
	snprintf(err, errlen, "%s", why);
	return -1;
}

int
shlex_split(const char *s, char ***argv, size_t *argc, char *err,
    size_t errlen)
{
	struct words	 w = { NULL, 0, 0 };
	enum shstate	 state = SH_START;
	enum shclass	 class;
	size_t		 left = strlen(s), wlen = 0, used;
	const char	*why;
	char		*word;

	/* A bad byte grows to the three of U+FFFD. */
	if (left > (SIZE_MAX - 1) / 3 || (word = malloc(left * 3 + 1)) ==
	    NULL)
		return fail(&w, err, errlen, "out of memory");
	for (;;) {
		class = classify(*s);
		used = 1;
		switch (state) {
		case SH_START:
			if (class == SH_SPACE)
				break;
			wlen = 0;
			if (class == SH_DQUOTE)
				state = SH_DQ;
			else if (class == SH_SQUOTE)
				state = SH_SQ;
			else if (class == SH_ESCAPE)
				state = SH_ESCAPED;
			else if (class == SH_COMMENT)
				state = SH_INCOMMENT;
			else if (class == SH_OTHER) {
				used = append_rune(word, &wlen, s, left);
				state = SH_WORD;
			}
			break;
		case SH_WORD:
			if (class == SH_EOF || class == SH_SPACE) {
				if (add_word(&w, word, wlen) == -1)
					goto nomem;
				state = SH_START;
			} else if (class == SH_DQUOTE)
				state = SH_DQ;
			else if (class == SH_SQUOTE)
				state = SH_SQ;
			else if (class == SH_ESCAPE)
				state = SH_ESCAPED;
			else
				used = append_rune(word, &wlen, s, left);
			break;
		case SH_ESCAPED:
		case SH_DQ_ESCAPED:
			if (class == SH_EOF) {
				why = "EOF found after escape character";
				goto bad;
			}
			used = append_rune(word, &wlen, s, left);
			state = state == SH_ESCAPED ? SH_WORD : SH_DQ;
			break;
		case SH_DQ:
		case SH_SQ:
			if (class == SH_EOF) {
				why = "EOF found when expecting closing quote";
				goto bad;
			}
			if (class == (state == SH_DQ ? SH_DQUOTE : SH_SQUOTE))
				state = SH_WORD;
			else if (state == SH_DQ && class == SH_ESCAPE)
				state = SH_DQ_ESCAPED;
			else
				used = append_rune(word, &wlen, s, left);
			break;
		case SH_INCOMMENT:
			if (*s == '\n')
				state = SH_START;
			break;
		}
		if (class == SH_EOF)
			break;
		s += used;
		left -= used;
	}
	free(word);
	if (w.argv == NULL && (w.argv = calloc(1, sizeof(*w.argv))) == NULL)
		return fail(&w, err, errlen, "out of memory");
	*argv = w.argv;
	*argc = w.argc;
	return 0;
nomem:
	why = "out of memory";
bad:
	free(word);
	return fail(&w, err, errlen, why);
}

void
shlex_free(char **argv)
{
	char	**p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}
