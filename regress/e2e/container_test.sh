#! /usr/bin/env atf-sh
#
# Inside containers: a runtime's seccomp profile that refuses Landlock's
# calls (EPERM, as systemd-nspawn's and older Docker and podman profiles
# do) or a kernel without Landlock (ENOSYS). The daemon starts and serves
# under its other sandboxes, warns once per child and shows why.

. "$(atf_get_srcdir)/lib.subr"

NOLANDLOCK="$(atf_get_srcdir)/../tools/nolandlock"

# refused ERRNO REASON: the daemon under a filter failing Landlock's
# calls with ERRNO runs work, and says REASON for every child.
refused()
{
	START_WITH="$NOLANDLOCK $1" start_named w --local-only \
	    --work-command worktype=cat command=cat
	wait_log 'Initialization complete' 10 w.log
	for c in netd workd ctld; do
		atf_check_equal 1 "$(grep -c "WARNING .* $c: Landlock unavailable ($2), running without it" w.log)"
	done
	atf_check -o match:'^\{"result":"Job Started"' \
	    python3 "$(atf_get_srcdir)/workctl.py" submit "$PWD/w.sock" \
	    localhost cat </dev/null
	ctl w privileges >priv || atf_fail "privileges failed"
	for c in netd workd ctld; do
		atf_check -o match:"^$c .* 1 +2 +.*unavailable\$" \
		    grep "^$c " priv
	done
	atf_check_equal 3 "$(grep -c "landlock: unavailable: $2\$" priv)"
	ctl w privileges --json >priv.json
	atf_check -o inline:"$2\n" python3 -c '
import json
p = json.load(open("priv.json"))["Processes"]
print(p[2]["Landlock"]["Unavailable"])'
}

atf_test_case eperm cleanup
eperm_head()
{
	atf_set descr "Landlock refused by an outer seccomp filter (EPERM)"
}
eperm_body()
{
	refused EPERM 'landlock_create_ruleset: Operation not permitted'
}
eperm_cleanup()
{
	stop_all
}

atf_test_case enosys cleanup
enosys_head()
{
	atf_set descr "no Landlock in the kernel (ENOSYS)"
}
enosys_body()
{
	refused ENOSYS \
	    'landlock_create_ruleset: not in this kernel (Function not implemented)'
}
enosys_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case eperm
	atf_add_test_case enosys
}
