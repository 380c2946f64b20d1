/*
 * proto/shlex.c against what google/shlex's Split (e7afc7f, the version
 * Go receptor v1.4.9 uses) returns for the same text.
 */
#include <atf-c.h>
#include <stdlib.h>
#include <string.h>

#include "shlex.h"

#define MAXWORDS	10

struct split_case {
	const char	*in;
	const char	*err;			/* NULL when it splits */
	const char	*words[MAXWORDS];	/* NULL after the last */
};

static void	 check_cases(const struct split_case *, size_t);

static void
check_cases(const struct split_case *c, size_t n)
{
	char	 err[128], **argv;
	size_t	 i, j, argc;

	for (i = 0; i < n; i++) {
		argv = NULL;
		argc = 42;
		strlcpy(err, "unset", sizeof(err));
		if (c[i].err != NULL) {
			ATF_CHECK_EQ_MSG(shlex_split(c[i].in, &argv, &argc,
			    err, sizeof(err)), -1, "%s", c[i].in);
			ATF_CHECK_STREQ_MSG(err, c[i].err, "%s", c[i].in);
			ATF_CHECK(argv == NULL && argc == 42);
			continue;
		}
		if (shlex_split(c[i].in, &argv, &argc, err, sizeof(err)) ==
		    -1) {
			ATF_CHECK_MSG(0, "%s: %s", c[i].in, err);
			continue;
		}
		for (j = 0; c[i].words[j] != NULL && j < argc; j++)
			ATF_CHECK_STREQ_MSG(argv[j], c[i].words[j], "%s #%zu",
			    c[i].in, j);
		ATF_CHECK_MSG(c[i].words[j] == NULL && j == argc,
		    "%s: %zu words", c[i].in, argc);
		ATF_CHECK(argv[argc] == NULL);
		shlex_free(argv);
	}
}

ATF_TC_WITHOUT_HEAD(words);
ATF_TC_BODY(words, tc)
{
	static const struct split_case c[] = {
		{ "", NULL, { NULL } },
		{ " \t\r\n ", NULL, { NULL } },
		{ "one", NULL, { "one" } },
		{ "one two", NULL, { "one", "two" } },
		{ "  one\ttwo\rthree\nfour  ", NULL, { "one", "two", "three",
		    "four" } },
		{ "--flag=1 -v /tmp/x a,b|c", NULL, { "--flag=1", "-v",
		    "/tmp/x", "a,b|c" } },
		/* shlex's own test */
		{ "one two \"three four\" \"five \\\"six\\\"\" seven#eight "
		    "# nine # ten\n eleven 'twelve\\' thirteen=13 "
		    "fourteen/14", NULL, { "one", "two", "three four",
		    "five \"six\"", "seven#eight", "eleven", "twelve\\",
		    "thirteen=13", "fourteen/14" } },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80", NULL, { "caf\xc3\xa9",
		    "\xf0\x9f\x98\x80" } },
		/* Go reads a bad byte as U+FFFD. */
		{ "a\xff" "b \xc3", NULL, { "a\xef\xbf\xbd" "b",
		    "\xef\xbf\xbd" } },
	};

	check_cases(c, sizeof(c) / sizeof(c[0]));
}

ATF_TC_WITHOUT_HEAD(quotes);
ATF_TC_BODY(quotes, tc)
{
	static const struct split_case c[] = {
		{ "\"two words\"", NULL, { "two words" } },
		{ "'two words'", NULL, { "two words" } },
		{ "a\"b c\"d", NULL, { "ab cd" } },
		{ "'a'\"b\"c", NULL, { "abc" } },
		{ "''", NULL, { "" } },
		{ "\"\"", NULL, { "" } },
		{ "a '' b \"\"", NULL, { "a", "", "b", "" } },
		{ "\"it's\"", NULL, { "it's" } },
		{ "'say \"hi\"'", NULL, { "say \"hi\"" } },
		{ "'a\\b' 'c\\'", NULL, { "a\\b", "c\\" } },
		{ "'#x' \"#y\"", NULL, { "#x", "#y" } },
		{ "\"a\nb\" 'c\td'", NULL, { "a\nb", "c\td" } },
		{ "'$HOME' \"$HOME\" `x`", NULL, { "$HOME", "$HOME", "`x`" } },
	};

	check_cases(c, sizeof(c) / sizeof(c[0]));
}

ATF_TC_WITHOUT_HEAD(escapes);
ATF_TC_BODY(escapes, tc)
{
	static const struct split_case c[] = {
		{ "a\\ b", NULL, { "a b" } },
		{ "\\a\\b", NULL, { "ab" } },
		{ "\\\\", NULL, { "\\" } },
		{ "\\'x\\'", NULL, { "'x'" } },
		{ "\\\"", NULL, { "\"" } },
		{ "a\\\nb", NULL, { "a\nb" } },
		{ "\\ ", NULL, { " " } },
		/* In double quotes a backslash escapes any character. */
		{ "\"a\\b\"", NULL, { "ab" } },
		{ "\"a\\$b\\`c\"", NULL, { "a$b`c" } },
		{ "\"a\\\\b\"", NULL, { "a\\b" } },
		{ "\"\\\"\"", NULL, { "\"" } },
		{ "\"a\\\nb\"", NULL, { "a\nb" } },
		{ "\\\xc3\xa9", NULL, { "\xc3\xa9" } },
	};

	check_cases(c, sizeof(c) / sizeof(c[0]));
}

ATF_TC_WITHOUT_HEAD(comments);
ATF_TC_BODY(comments, tc)
{
	static const struct split_case c[] = {
		{ "# all of it", NULL, { NULL } },
		{ "#", NULL, { NULL } },
		{ "#comment\nword", NULL, { "word" } },
		{ "x #c\ny", NULL, { "x", "y" } },
		{ "x#y", NULL, { "x#y" } },
		{ "x# y", NULL, { "x#", "y" } },
		{ "\\#x", NULL, { "#x" } },
		{ "#a\rb 'c\nd", NULL, { "d" } },
		{ "#a\tb\n#c\n\ne", NULL, { "e" } },
		{ "a #\"unclosed\n'b'", NULL, { "a", "b" } },
	};

	check_cases(c, sizeof(c) / sizeof(c[0]));
}

ATF_TC_WITHOUT_HEAD(errors);
ATF_TC_BODY(errors, tc)
{
#define ESC	"EOF found after escape character"
#define QUOTE	"EOF found when expecting closing quote"
	static const struct split_case c[] = {
		{ "a\\", ESC, { NULL } },
		{ "\\", ESC, { NULL } },
		{ "\"a\\", ESC, { NULL } },
		{ "'abc", QUOTE, { NULL } },
		{ "\"abc", QUOTE, { NULL } },
		{ "a b 'c", QUOTE, { NULL } },
		{ "\"a\\\"", QUOTE, { NULL } },
		{ "'a\\'b'", QUOTE, { NULL } },
	};
#undef ESC
#undef QUOTE

	check_cases(c, sizeof(c) / sizeof(c[0]));
}

ATF_TC_WITHOUT_HEAD(short_err);
ATF_TC_BODY(short_err, tc)
{
	char	 err[4], **argv;
	size_t	 argc;

	ATF_CHECK_EQ(shlex_split("'", &argv, &argc, err, sizeof(err)), -1);
	ATF_CHECK_STREQ(err, "EOF");
	ATF_CHECK_EQ(shlex_split("\\", &argv, &argc, NULL, 0), -1);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, words);
	ATF_TP_ADD_TC(tp, quotes);
	ATF_TP_ADD_TC(tp, escapes);
	ATF_TP_ADD_TC(tp, comments);
	ATF_TP_ADD_TC(tp, errors);
	ATF_TP_ADD_TC(tp, short_err);
	return atf_no_error();
}
