/*
 * proto/workstatus.c: the bytes Go's json.Marshal writes for a
 * StatusFileData, what its json.Unmarshal accepts and refuses (every
 * expected text below is what Go 1.19 printed for the same input), and
 * the locked file operations in a unit directory.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workstatus.h"
#include "testfile.h"

#define GO_RUNNING	"{\"State\":1,\"Detail\":\"Running: PID 12\"," \
			"\"StdoutSize\":5,\"WorkType\":\"cat\"," \
			"\"ExtraData\":{\"Pid\":3,\"Params\":\"\"}}\n"
#define GO_ZERO		"{\"State\":0,\"Detail\":\"\",\"StdoutSize\":0," \
			"\"WorkType\":\"\",\"ExtraData\":null}\n"

static void	 check_encode(const struct work_status *, const char *);
static void	 prefill(struct work_status *);
static void	 check_decode(const char *, const char *);
static void	 check_refused(const char *, const char *);
static int	 unit_dir(void);
static void	 set_detail(struct work_status *, void *);

static void
check_encode(const struct work_status *st, const char *want)
{
	char	*s;
	size_t	 len;

	ATF_REQUIRE((s = work_status_encode(st, &len)) != NULL);
	ATF_CHECK_EQ(len, strlen(s));
	ATF_CHECK_STREQ(s, want);
	free(s);
}

/* What the Go run that gave the expected texts started from. */
static void
prefill(struct work_status *st)
{
	work_status_init(st);
	st->state = 7;
	ATF_REQUIRE(work_status_set(&st->detail, "old") == 0);
	st->stdout_size = 9;
	ATF_REQUIRE(work_status_set(&st->work_type, "wt") == 0);
	ATF_REQUIRE(work_status_set(&st->extra, "\"keep\"") == 0);
}

/* in, decoded over prefill(), encodes as want (without its '\n'). */
static void
check_decode(const char *in, const char *want)
{
	struct work_status	 st;
	char			 err[256], *s;
	size_t			 len;

	prefill(&st);
	if (work_status_decode(in, strlen(in), &st, err, sizeof(err)) ==
	    -1)
		ATF_CHECK_MSG(0, "%s: %s", in, err);
	ATF_REQUIRE((s = work_status_encode(&st, &len)) != NULL);
	ATF_CHECK_MSG(len == strlen(want) + 1 &&
	    strncmp(s, want, len - 1) == 0, "%s: got %s", in, s);
	free(s);
	work_status_clear(&st);
}

static void
check_refused(const char *in, const char *want)
{
	struct work_status	 st;
	char			 err[256];

	prefill(&st);
	ATF_CHECK_EQ_MSG(work_status_decode(in, strlen(in), &st, err,
	    sizeof(err)), -1, "%.60s", in);
	ATF_CHECK_STREQ_MSG(err, want, "%.60s", in);
	ATF_CHECK(st.state == 7 && st.stdout_size == 9);
	ATF_CHECK_STREQ(st.detail, "old");
	ATF_CHECK_STREQ(st.work_type, "wt");
	ATF_CHECK_STREQ(st.extra, "\"keep\"");
	work_status_clear(&st);
}



static int
unit_dir(void)
{
	int	 fd;

	ATF_REQUIRE(mkdir("unit", 0700) == 0);
	ATF_REQUIRE((fd = open("unit", O_RDONLY | O_DIRECTORY)) != -1);
	return fd;
}

static void
set_detail(struct work_status *st, void *arg)
{
	ATF_REQUIRE(work_status_set(&st->detail, arg) == 0);
	st->state = WORK_CANCELED;
}

ATF_TC_WITHOUT_HEAD(states);
ATF_TC_BODY(states, tc)
{
	char	 buf[32];

	ATF_CHECK_STREQ(work_state_name(WORK_PENDING, buf, sizeof(buf)),
	    "Pending");
	ATF_CHECK_STREQ(work_state_name(WORK_RUNNING, buf, sizeof(buf)),
	    "Running");
	ATF_CHECK_STREQ(work_state_name(WORK_SUCCEEDED, buf, sizeof(buf)),
	    "Succeeded");
	ATF_CHECK_STREQ(work_state_name(WORK_FAILED, buf, sizeof(buf)),
	    "Failed");
	ATF_CHECK_STREQ(work_state_name(WORK_CANCELED, buf, sizeof(buf)),
	    "Canceled");
	ATF_CHECK_STREQ(work_state_name(5, buf, sizeof(buf)), "Unknown: 5");
	ATF_CHECK_STREQ(work_state_name(-1, buf, sizeof(buf)),
	    "Unknown: -1");
	ATF_CHECK(!work_state_complete(WORK_PENDING));
	ATF_CHECK(!work_state_complete(WORK_RUNNING));
	ATF_CHECK(work_state_complete(WORK_SUCCEEDED));
	ATF_CHECK(work_state_complete(WORK_FAILED));
	ATF_CHECK(!work_state_complete(WORK_CANCELED));
}

ATF_TC_WITHOUT_HEAD(encode);
ATF_TC_BODY(encode, tc)
{
	struct work_status	 st, copy;

	work_status_init(&st);
	check_encode(&st, GO_ZERO);
	st.state = WORK_RUNNING;
	st.stdout_size = 5;
	ATF_REQUIRE(work_status_set(&st.detail, "Running: PID 12") == 0);
	ATF_REQUIRE(work_status_set(&st.work_type, "cat") == 0);
	ATF_REQUIRE(work_status_set(&st.extra,
	    "{\"Pid\":3,\"Params\":\"\"}") == 0);
	check_encode(&st, GO_RUNNING);

	work_status_init(&copy);
	ATF_REQUIRE(work_status_copy(&copy, &st) == 0);
	work_status_clear(&st);
	check_encode(&st, GO_ZERO);
	check_encode(&copy, GO_RUNNING);

	copy.state = WORK_FAILED;
	copy.stdout_size = -1;
	ATF_REQUIRE(work_status_set(&copy.detail, "a<b>&c \"q\" \\ \xc3\xa9 "
	    "\n\t\x01\x7f \xe2\x80\xa8\xe2\x80\xa9 bad\xff end") == 0);
	ATF_REQUIRE(work_status_set(&copy.work_type, "x/y") == 0);
	ATF_REQUIRE(work_status_set(&copy.extra, "null") == 0);
	check_encode(&copy, "{\"State\":3,\"Detail\":\"a\\u003cb\\u003e"
	    "\\u0026c \\\"q\\\" \\\\ \xc3\xa9 \\n\\t\\u0001\x7f \\u2028"
	    "\\u2029 bad\\ufffd end\",\"StdoutSize\":-1,\"WorkType\":\"x/y\","
	    "\"ExtraData\":null}\n");

	copy.state = INT64_MIN;
	copy.stdout_size = INT64_MAX;
	ATF_REQUIRE(work_status_set(&copy.detail, "") == 0);
	ATF_REQUIRE(work_status_set(&copy.work_type, "") == 0);
	check_encode(&copy, "{\"State\":-9223372036854775808,\"Detail\":\"\","
	    "\"StdoutSize\":9223372036854775807,\"WorkType\":\"\","
	    "\"ExtraData\":null}\n");
	work_status_clear(&copy);
}

ATF_TC_WITHOUT_HEAD(decode_go);
ATF_TC_BODY(decode_go, tc)
{
	struct work_status	 st;
	char			 err[256];

	work_status_init(&st);
	ATF_REQUIRE(work_status_decode(GO_RUNNING, strlen(GO_RUNNING), &st,
	    err, sizeof(err)) == 0);
	ATF_CHECK_EQ(st.state, WORK_RUNNING);
	ATF_CHECK_STREQ(st.detail, "Running: PID 12");
	ATF_CHECK_EQ(st.stdout_size, 5);
	ATF_CHECK_STREQ(st.work_type, "cat");
	ATF_CHECK_STREQ(st.extra, "{\"Pid\":3,\"Params\":\"\"}");
	check_encode(&st, GO_RUNNING);
	ATF_REQUIRE(work_status_decode(GO_ZERO, strlen(GO_ZERO), &st,
	    err, sizeof(err)) == 0);
	check_encode(&st, GO_ZERO);
	work_status_clear(&st);

	check_decode("{\"State\":1}\n \t\r\n", "{\"State\":1,\"Detail\":"
	    "\"old\",\"StdoutSize\":9,\"WorkType\":\"wt\","
	    "\"ExtraData\":\"keep\"}");
	check_decode("null", "{\"State\":7,\"Detail\":\"old\","
	    "\"StdoutSize\":9,\"WorkType\":\"wt\",\"ExtraData\":\"keep\"}");
	check_decode("{\"State\":-0,\"StdoutSize\":-9223372036854775808}",
	    "{\"State\":0,\"Detail\":\"old\","
	    "\"StdoutSize\":-9223372036854775808,\"WorkType\":\"wt\","
	    "\"ExtraData\":\"keep\"}");
	check_decode("{\"Detail\":\"a\",\"Detail\":\"b\"}", "{\"State\":7,"
	    "\"Detail\":\"b\",\"StdoutSize\":9,\"WorkType\":\"wt\","
	    "\"ExtraData\":\"keep\"}");
	check_decode("{\"State\":1,\"Foo\":[1,{\"a\":[]}],\"Detail\":\"z\"}",
	    "{\"State\":1,\"Detail\":\"z\",\"StdoutSize\":9,"
	    "\"WorkType\":\"wt\",\"ExtraData\":\"keep\"}");
	/* Ours alone: a C string ends at the NUL Go would keep. */
	check_decode("{\"Detail\":\"a\\u0000b\"}", "{\"State\":7,"
	    "\"Detail\":\"a\",\"StdoutSize\":9,\"WorkType\":\"wt\","
	    "\"ExtraData\":\"keep\"}");
}

ATF_TC_WITHOUT_HEAD(decode_keys);
ATF_TC_BODY(decode_keys, tc)
{
	check_decode("{\"state\":3,\"DETAIL\":\"x\",\"stdoutsize\":4,"
	    "\"worktype\":\"w\",\"extradata\":{\"a\":1}}", "{\"State\":3,"
	    "\"Detail\":\"x\",\"StdoutSize\":4,\"WorkType\":\"w\","
	    "\"ExtraData\":{\"a\":1}}");
	check_decode("{\"\xc5\xbftate\":3,\"K\":1}", "{\"State\":3,"
	    "\"Detail\":\"old\",\"StdoutSize\":9,\"WorkType\":\"wt\","
	    "\"ExtraData\":\"keep\"}");
}

ATF_TC_WITHOUT_HEAD(decode_nulls);
ATF_TC_BODY(decode_nulls, tc)
{
	/* null keeps a field, but sets the interface{} to nil. */
	check_decode("{\"State\":null,\"Detail\":null,\"StdoutSize\":null,"
	    "\"WorkType\":null,\"ExtraData\":null}", "{\"State\":7,"
	    "\"Detail\":\"old\",\"StdoutSize\":9,\"WorkType\":\"wt\","
	    "\"ExtraData\":null}");
}

ATF_TC_WITHOUT_HEAD(decode_extra);
ATF_TC_BODY(decode_extra, tc)
{
	struct work_status	 st;
	char			 err[256], *deep, *p;
	int			 i;

	/* Go's order would be sorted: ours keeps the file's. */
	check_decode("{\"ExtraData\": { \"Pid\" : 3.0, \"Params\":"
	    "\"a\\u003cb\\/c\", \"z\":[1, 2e0, true,false,null,{}, -0, 1e21, "
	    "0.000001, 1e-7, 12345678901234567890], \"k\":\"\\u00e9\\ud800\" "
	    "}}", "{\"State\":7,\"Detail\":\"old\",\"StdoutSize\":9,"
	    "\"WorkType\":\"wt\",\"ExtraData\":{\"Pid\":3,\"Params\":"
	    "\"a\\u003cb/c\",\"z\":[1,2,true,false,null,{},-0,1e+21,0.000001,"
	    "1e-7,12345678901234567000],\"k\":\"\xc3\xa9\xef\xbf\xbd\"}}");
	check_decode("{\"ExtraData\":\"x\"}", "{\"State\":7,"
	    "\"Detail\":\"old\",\"StdoutSize\":9,\"WorkType\":\"wt\","
	    "\"ExtraData\":\"x\"}");
	check_decode("{\"ExtraData\":\"\\u0000<\"}", "{\"State\":7,"
	    "\"Detail\":\"old\",\"StdoutSize\":9,\"WorkType\":\"wt\","
	    "\"ExtraData\":\"\\u0000\\u003c\"}");
	check_decode("{\"ExtraData\":[ [ ], { } , [{\"a\" : [ ] }] ]}",
	    "{\"State\":7,\"Detail\":\"old\",\"StdoutSize\":9,"
	    "\"WorkType\":\"wt\",\"ExtraData\":[[],{},[{\"a\":[]}]]}");

	/* 9999 arrays in the object are Go's 10000 levels; one more is not. */
	ATF_REQUIRE((deep = malloc(2 * 10000 + 32)) != NULL);
	p = deep + sprintf(deep, "{\"ExtraData\":");
	for (i = 0; i < 9999; i++)
		*p++ = '[';
	for (i = 0; i < 9999; i++)
		*p++ = ']';
	strcpy(p, "}");
	work_status_init(&st);
	ATF_CHECK(work_status_decode(deep, strlen(deep), &st, err,
	    sizeof(err)) == 0);
	ATF_CHECK_EQ(strlen(st.extra), 2 * 9999);
	work_status_clear(&st);
	p = deep + sprintf(deep, "{\"ExtraData\":");
	for (i = 0; i < 10000; i++)
		*p++ = '[';
	for (i = 0; i < 10000; i++)
		*p++ = ']';
	strcpy(p, "}");
	check_refused(deep, "exceeded max depth at byte 10012");
	free(deep);
}

ATF_TC_WITHOUT_HEAD(decode_errors);
ATF_TC_BODY(decode_errors, tc)
{
	check_refused("", "unexpected end of JSON input at byte 0");
	check_refused(" ", "unexpected end of JSON input at byte 1");
	check_refused("{\"State\":1", "unexpected end of JSON input at byte 10");
	check_refused("{\"State\":1}x",
	    "invalid character after top-level value at byte 11");
	check_refused("{\"State\":\"x\",}", "syntax error at byte 13");
	check_refused("{\"State\"}", "syntax error at byte 8");
	check_refused("[]", "not a JSON object");
	check_refused("\"status\"", "not a JSON object");
	check_refused("{\"State\":1.5}", "State: not an integer");
	check_refused("{\"State\":\"1\"}", "State: not an integer");
	check_refused("{\"State\":1e2}", "State: not an integer");
	check_refused("{\"State\":true}", "State: not an integer");
	check_refused("{\"State\":{}}", "State: not an integer");
	check_refused("{\"StdoutSize\":9223372036854775808}",
	    "StdoutSize: number out of range");
	check_refused("{\"StdoutSize\":-9223372036854775809}",
	    "StdoutSize: number out of range");
	check_refused("{\"State\":99999999999999999999999999}",
	    "State: number out of range");
	check_refused("{\"Detail\":5}", "Detail: not a string");
	check_refused("{\"WorkType\":[]}", "WorkType: not a string");
	check_refused("{\"ExtraData\":1e400}",
	    "ExtraData: number out of range");
	/* A bad field after good ones leaves the status as it was. */
	check_refused("{\"Detail\":\"new\",\"ExtraData\":{},\"State\":\"x\"}",
	    "State: not an integer");
}

ATF_TC_WITHOUT_HEAD(files);
ATF_TC_BODY(files, tc)
{
	struct work_status	 st;
	struct stat		 sb;
	char			 err[256];
	int			 dirfd = unit_dir();

	/* Go's commandRunner writes Pending before anything else. */
	ATF_REQUIRE(work_status_update(dirfd, WORK_PENDING, "Not started yet",
	    0, NULL, err, sizeof(err)) == 0);
	ATF_CHECK_STREQ(get_file("unit/status"), "{\"State\":0,\"Detail\":"
	    "\"Not started yet\",\"StdoutSize\":0,\"WorkType\":\"\","
	    "\"ExtraData\":null}\n");
	ATF_REQUIRE(stat("unit/status", &sb) == 0);
	ATF_CHECK_EQ(sb.st_mode & 07777, 0600);
	ATF_REQUIRE(stat("unit/status.lock", &sb) == 0);
	ATF_CHECK_EQ(sb.st_mode & 07777, 0600);
	ATF_CHECK(S_ISREG(sb.st_mode));

	/* Updates keep what they don't set, ExtraData above all. */
	put_file("unit/status", GO_RUNNING);
	work_status_init(&st);
	ATF_REQUIRE(work_status_update(dirfd, WORK_RUNNING, "Running: PID 40",
	    -1, &st, err, sizeof(err)) == 0);
	ATF_CHECK_STREQ(get_file("unit/status"), "{\"State\":1,\"Detail\":"
	    "\"Running: PID 40\",\"StdoutSize\":5,\"WorkType\":\"cat\","
	    "\"ExtraData\":{\"Pid\":3,\"Params\":\"\"}}\n");
	ATF_CHECK_STREQ(st.detail, "Running: PID 40");
	ATF_CHECK_EQ(st.stdout_size, 5);
	ATF_REQUIRE(work_status_update(dirfd, WORK_SUCCEEDED,
	    "exit status 0", 2, &st, err, sizeof(err)) == 0);
	ATF_CHECK_STREQ(get_file("unit/status"), "{\"State\":2,\"Detail\":"
	    "\"exit status 0\",\"StdoutSize\":2,\"WorkType\":\"cat\","
	    "\"ExtraData\":{\"Pid\":3,\"Params\":\"\"}}\n");
	ATF_REQUIRE(work_status_modify(dirfd, set_detail, "Canceled", &st,
	    err, sizeof(err)) == 0);
	ATF_CHECK_STREQ(get_file("unit/status"), "{\"State\":4,\"Detail\":"
	    "\"Canceled\",\"StdoutSize\":2,\"WorkType\":\"cat\","
	    "\"ExtraData\":{\"Pid\":3,\"Params\":\"\"}}\n");
	work_status_clear(&st);

	/* save, then load over a status that already holds strings */
	ATF_REQUIRE(work_status_decode(GO_RUNNING, strlen(GO_RUNNING), &st,
	    err, sizeof(err)) == 0);
	ATF_REQUIRE(work_status_save(dirfd, &st, err, sizeof(err)) == 0);
	ATF_CHECK_STREQ(get_file("unit/status"), GO_RUNNING);
	prefill(&st);
	ATF_REQUIRE(work_status_load(dirfd, &st, err, sizeof(err)) == 0);
	check_encode(&st, GO_RUNNING);

	/* A file shorter than the last: truncated, not overwritten. */
	put_file("unit/status", GO_RUNNING "   \n");
	ATF_REQUIRE(work_status_update(dirfd, WORK_PENDING, "", 0, NULL, err,
	    sizeof(err)) == 0);
	ATF_CHECK_STREQ(get_file("unit/status"), "{\"State\":0,\"Detail\":"
	    "\"\",\"StdoutSize\":0,\"WorkType\":\"cat\","
	    "\"ExtraData\":{\"Pid\":3,\"Params\":\"\"}}\n");

	/* An empty file: Go's update starts from nothing, its load fails. */
	put_file("unit/status", "");
	ATF_CHECK(work_status_load(dirfd, &st, err, sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status: unexpected end of JSON input");
	check_encode(&st, GO_RUNNING);
	ATF_REQUIRE(work_status_update(dirfd, WORK_RUNNING, "x", 1, NULL, err,
	    sizeof(err)) == 0);
	ATF_CHECK_STREQ(get_file("unit/status"), "{\"State\":1,\"Detail\":"
	    "\"x\",\"StdoutSize\":1,\"WorkType\":\"\",\"ExtraData\":null}\n");
	work_status_clear(&st);
	close(dirfd);
}

ATF_TC_WITHOUT_HEAD(file_errors);
ATF_TC_BODY(file_errors, tc)
{
	struct work_status	 st;
	char			 err[256];
	int			 dirfd = unit_dir();

	work_status_init(&st);
	ATF_CHECK(work_status_load(dirfd, &st, err, sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status: No such file or directory");

	/* A bad file stays as it is, and the error names it. */
	put_file("unit/status", "{\"State\":\"Running\"}\n");
	ATF_CHECK(work_status_update(dirfd, WORK_FAILED, "x", 0, &st, err,
	    sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status: State: not an integer");
	ATF_CHECK_STREQ(get_file("unit/status"), "{\"State\":\"Running\"}\n");
	put_file("unit/status", GO_RUNNING "x");
	ATF_CHECK(work_status_load(dirfd, &st, err, sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status: invalid character after top-level "
	    "value at byte 105");
	check_encode(&st, GO_ZERO);

	/* No way out of the unit's directory through a link. */
	ATF_REQUIRE(unlink("unit/status") == 0);
	put_file("outside", GO_RUNNING);
	ATF_REQUIRE(symlink("../outside", "unit/status") == 0);
	ATF_CHECK(work_status_load(dirfd, &st, err, sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status: is a symbolic link");
	ATF_CHECK(work_status_update(dirfd, WORK_FAILED, "x", 0, NULL, err,
	    sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status: is a symbolic link");
	ATF_CHECK(work_status_save(dirfd, &st, err, sizeof(err)) == -1);
	ATF_CHECK_STREQ(get_file("outside"), GO_RUNNING);
	ATF_REQUIRE(unlink("unit/status") == 0);

	ATF_REQUIRE(mkfifo("unit/status", 0600) == 0);
	ATF_CHECK(work_status_load(dirfd, &st, err, sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status: not a regular file");
	ATF_CHECK(work_status_update(dirfd, WORK_FAILED, "x", 0, NULL, err,
	    sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status: not a regular file");
	ATF_REQUIRE(unlink("unit/status") == 0);

	ATF_REQUIRE(unlink("unit/status.lock") == 0);
	ATF_REQUIRE(symlink("../outside", "unit/status.lock") == 0);
	ATF_CHECK(work_status_update(dirfd, WORK_FAILED, "x", 0, NULL, err,
	    sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status.lock: is a symbolic link");
	ATF_CHECK_STREQ(get_file("outside"), GO_RUNNING);
	ATF_REQUIRE(unlink("unit/status.lock") == 0);
	ATF_REQUIRE(mkdir("unit/status.lock", 0700) == 0);
	ATF_CHECK(work_status_load(dirfd, &st, err, sizeof(err)) == -1);
	ATF_CHECK_STREQ(err, "status.lock: Is a directory");
	ATF_CHECK(access("unit/status", F_OK) == -1);
	work_status_clear(&st);
	close(dirfd);
}

/* The update waits while another process (Go's, say) holds the lock. */
ATF_TC_WITHOUT_HEAD(lock);
ATF_TC_BODY(lock, tc)
{
	struct pollfd	 pfd;
	char		 err[256], c;
	pid_t		 pid;
	int		 dirfd = unit_dir(), lockfd, done[2], status;

	ATF_REQUIRE((lockfd = open("unit/status.lock", O_WRONLY | O_CREAT,
	    0600)) != -1);
	ATF_REQUIRE(flock(lockfd, LOCK_EX) == 0);
	ATF_REQUIRE(pipe(done) == 0);
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		/* Our lock is on the description the child shares. */
		close(lockfd);
		close(done[0]);
		if (work_status_update(dirfd, WORK_RUNNING, "child", 0, NULL,
		    err, sizeof(err)) == -1)
			_exit(1);
		(void)write(done[1], "x", 1);
		_exit(0);
	}
	close(done[1]);
	pfd.fd = done[0];
	pfd.events = POLLIN;
	ATF_CHECK_EQ(poll(&pfd, 1, 300), 0);
	ATF_CHECK(access("unit/status", F_OK) == -1);
	close(lockfd);
	ATF_CHECK_EQ(poll(&pfd, 1, 10000), 1);
	ATF_CHECK_EQ(read(done[0], &c, 1), 1);
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	ATF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ATF_CHECK(strstr(get_file("unit/status"), "\"child\"") != NULL);
	close(dirfd);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, states);
	ATF_TP_ADD_TC(tp, encode);
	ATF_TP_ADD_TC(tp, decode_go);
	ATF_TP_ADD_TC(tp, decode_keys);
	ATF_TP_ADD_TC(tp, decode_nulls);
	ATF_TP_ADD_TC(tp, decode_extra);
	ATF_TP_ADD_TC(tp, decode_errors);
	ATF_TP_ADD_TC(tp, files);
	ATF_TP_ADD_TC(tp, file_errors);
	ATF_TP_ADD_TC(tp, lock);
	return atf_no_error();
}
