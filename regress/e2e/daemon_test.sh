#! /usr/bin/env atf-sh
#
# The daemon as a whole: its processes, their sandboxes, signals, and how
# it goes down when any part of it dies.

. "$(atf_get_srcdir)/lib.subr"

CHILDREN="netd workd ctld"

atf_test_case startup cleanup
startup_head()
{
	atf_set "descr" "A local-only node starts four processes and says so"
}
startup_body()
{
	start_node t1
	grep -qE '^INFO [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} Initialization complete$' log ||
	    atf_fail "no Go-format 'Initialization complete' line: $(cat log)"
	atf_check_equal 3 "$(pgrep -P "$(receptor_pid)" | wc -l)"
	for c in $CHILDREN; do
		child_pid $c >/dev/null
	done
}
startup_cleanup()
{
	stop_receptor
}

atf_test_case sandboxes cleanup
sandboxes_head()
{
	atf_set "descr" "Every child runs under seccomp with no_new_privs" \
	    "and, started as root, as an unprivileged user"
}
sandboxes_body()
{
	start_receptor --node id=t1 datadir="$PWD/data" --local-only
	wait_log 'Initialization complete'
	for c in $CHILDREN; do
		pid=$(child_pid $c)
		atf_check_equal "$c:2" "$c:$(proc_field "$pid" Seccomp)"
		atf_check_equal "$c:1" "$c:$(proc_field "$pid" NoNewPrivs)"
		atf_check_equal "$c:$(kept_caps $c)" \
		    "$c:$(proc_field "$pid" CapEff)"
		if [ "$(id -u)" = 0 ]; then
			uid=$(proc_field "$pid" Uid)
			[ "$uid" != 0 ] || atf_fail "$c still runs as root"
		fi
	done
	if [ "$(id -u)" = 0 ]; then
		for c in netd ctld; do
			root=$(readlink /proc/"$(child_pid $c)"/root)
			atf_check_equal "$c:/var/empty" "$c:$root"
		done
	fi
}
sandboxes_cleanup()
{
	stop_receptor
}

atf_test_case sigterm cleanup
sigterm_head()
{
	atf_set "descr" "SIGTERM stops every process with exit status 0" \
	    "and removes the control socket"
}
sigterm_body()
{
	start_node t1 --control-service filename="$PWD/ctl.sock"
	test -S ctl.sock || atf_fail "no control socket"
	pids=$(pgrep -P "$(receptor_pid)")
	stops_with 0
	for p in $pids; do
		wait_gone "$p"
	done
	test ! -e ctl.sock || atf_fail "control socket left behind"
	test ! -e ctl.sock.lock || atf_fail "lock file left behind"
}
sigterm_cleanup()
{
	stop_receptor
}

atf_test_case sigint cleanup
sigint_head()
{
	atf_set "descr" "SIGINT (^C) stops the daemon like SIGTERM"
}
sigint_body()
{
	start_node t1
	pids=$(pgrep -P "$(receptor_pid)")
	kill -INT "$(receptor_pid)"
	wait_exit "$(receptor_pid)"
	atf_check_equal 0 "$exit_status"
	for p in $pids; do
		wait_gone "$p"
	done
}
sigint_cleanup()
{
	stop_receptor
}

atf_test_case group_sigterm cleanup
group_sigterm_head()
{
	atf_set "descr" "SIGTERM to the whole process group, as systemd and" \
	    "timeout(1) send it, still stops the daemon cleanly"
}
group_sigterm_body()
{
	setsid "$RECEPTOR" --node id=t1 datadir="$PWD/data" --local-only \
	    >log 2>&1 &
	echo $! >receptor.pid
	wait_log 'Initialization complete'
	pids=$(pgrep -P "$(receptor_pid)")
	kill -TERM -- -"$(receptor_pid)"
	wait_exit "$(receptor_pid)"
	atf_check_equal 0 "$exit_status"
	for p in $pids; do
		wait_gone "$p"
	done
	if grep -q '^ERROR' log; then
		atf_fail "errors on a clean stop: $(cat log)"
	fi
}
group_sigterm_cleanup()
{
	stop_receptor
}

atf_test_case child_killed cleanup
child_killed_head()
{
	atf_set "descr" "SIGKILL of any child brings the daemon down, logged"
}
child_killed_body()
{
	for c in $CHILDREN; do
		start_node t1
		pids=$(pgrep -P "$(receptor_pid)")
		kill -KILL "$(child_pid $c)"
		wait_exit "$(receptor_pid)"
		# Not 1, a bad configuration: the unit restarts it.
		atf_check_equal "$c:2" "$c:$exit_status"
		grep -q "^ERROR .* $c was killed by signal 9" log ||
		    atf_fail "no line about $c: $(cat log)"
		for p in $pids; do
			wait_gone "$p"
		done
	done
}
child_killed_cleanup()
{
	stop_receptor
}

atf_test_case parent_killed cleanup
parent_killed_head()
{
	atf_set "descr" "Children exit at once when the parent is SIGKILLed"
}
parent_killed_body()
{
	start_node t1
	pids=$(pgrep -P "$(receptor_pid)")
	kill -KILL "$(receptor_pid)"
	for p in $pids; do
		wait_gone "$p" 5
	done
}
parent_killed_cleanup()
{
	stop_receptor
}

atf_test_case sandbox_violation cleanup
sandbox_violation_head()
{
	atf_set "descr" "A forbidden syscall kills each child by SIGSYS;" \
	    "the parent logs it and exits non-zero"
}
sandbox_violation_body()
{
	for c in $CHILDREN; do
		RECEPTOR_SANDBOX_SELFTEST=$c start_receptor --node id=t1 \
		    --local-only
		wait_exit "$(receptor_pid)"
		[ "$exit_status" != 0 ] || atf_fail "exit status 0 after $c died"
		grep -q "^ERROR .* $c was killed by signal 31 (SIGSYS)" log ||
		    atf_fail "no SIGSYS line for $c: $(cat log)"
	done
}
sandbox_violation_cleanup()
{
	stop_receptor
}

atf_test_case sandbox_trap cleanup
sandbox_trap_head()
{
	atf_set "descr" "With -T a violation is logged with the syscall's name"
}
sandbox_trap_body()
{
	for c in $CHILDREN; do
		RECEPTOR_SANDBOX_SELFTEST=$c start_receptor -T --node id=t1 \
		    --local-only
		wait_exit "$(receptor_pid)"
		[ "$exit_status" != 0 ] || atf_fail "exit status 0 after $c died"
		grep -q "$c: sandbox violation: syscall execve" log ||
		    atf_fail "no trap line for $c: $(cat log)"
		grep -q "^ERROR .* $c was killed by signal 31 (SIGSYS)" log ||
		    atf_fail "no SIGSYS line for $c: $(cat log)"
	done
}
sandbox_trap_cleanup()
{
	stop_receptor
}

atf_test_case sighup cleanup
sighup_head()
{
	atf_set "descr" "SIGHUP re-reads the file; a broken file changes" \
	    "nothing and says why"
}
sighup_body()
{
	port=$(free_port)
	cat >r.conf <<CONF
- node:
    id: t1
    datadir: $PWD/data
- local-only
- log-level: info
CONF
	start_receptor -c r.conf
	wait_log 'Initialization complete'
	echo "- tcp-listener: {port: $port, bindaddr: 127.0.0.1}" >>r.conf
	kill -HUP "$(receptor_pid)"
	wait_log 'Configuration reloaded'
	wait_until 5 grep -q ":$(printf %04X "$port") " /proc/net/tcp
	sed -i 's/- log-level: info/- log-level: debug/' r.conf
	kill -HUP "$(receptor_pid)"
	wait_log "reload failed, keeping the running configuration: a non-reloadable config action 'log-level' was modified or added"
	sed -i 's/- log-level: debug/- log-level: info/' r.conf
	echo '- tcp-listener: {port: notaport}' >>r.conf
	kill -HUP "$(receptor_pid)"
	wait_log 'reload failed, keeping the running configuration: .*r.conf:[0-9]+:[0-9]+: tcp-listener: port'
	kill -0 "$(receptor_pid)" || atf_fail "daemon died on a bad reload"
	for c in $CHILDREN; do
		child_pid $c >/dev/null
	done
	stops_with 0
}
sighup_cleanup()
{
	stop_receptor
}

atf_test_case no_backend
no_backend_head()
{
	atf_set "descr" "Without a backend Go's message and exit status 1"
}
no_backend_body()
{
	atf_check -s exit:1 -e match:"Nothing to do - no backends are running" \
	    "$RECEPTOR" --node id=t1
}

# low_port: a TCP port below 1024 no socket uses.
low_port()
{
	_p=1023
	while grep -q ":$(printf '%04X' $_p) " /proc/net/tcp /proc/net/tcp6; do
		_p=$((_p - 1))
	done
	echo $_p
}

atf_test_case low_port cleanup
low_port_head()
{
	atf_set "descr" "Started as root, netd listens on a port below 1024," \
	    "as Go's does"
	atf_set "require.user" "root"
}
low_port_body()
{
	_p=$(low_port)
	start_named a --tcp-listener port="$_p" bindaddr=127.0.0.1
	start_named b --tcp-peer address=127.0.0.1:"$_p"
	wait_until 15 has_route b a a
}
low_port_cleanup()
{
	stop_all
}

atf_test_case low_port_no_cap
low_port_no_cap_head()
{
	atf_set "descr" "Without CAP_NET_BIND_SERVICE a port below 1024" \
	    "fails the start with status 1 and the ways out"
	atf_set "require.user" "root"
	atf_set "require.progs" "setpriv"
}
low_port_no_cap_body()
{
	atf_check -s exit:1 -e match:"^Error: udp-listener port 444: a port below 1024 needs CAP_NET_BIND_SERVICE, which this process lacks: start it as root, keep the capability in receptor.service's CapabilityBoundingSet=, or use port 1024 or above\$" \
	    setpriv --bounding-set -net_bind_service "$RECEPTOR" --node id=t1 \
	    datadir="$PWD/data" --udp-listener port=444
}

atf_test_case datadir_readonly
datadir_readonly_head()
{
	atf_set "descr" "A datadir the unit leaves read-only fails the start" \
	    "with status 1, naming ReadWritePaths="
	atf_set "require.user" "root"
	atf_set "require.progs" "unshare"
}
datadir_readonly_body()
{
	mkdir data
	# What ProtectSystem=strict makes of a path outside ReadWritePaths=
	atf_check -s exit:1 \
	    -e match:"^Error: datadir $PWD/data/t1: Read-only file system \(under receptor.service, add the datadir to ReadWritePaths= with systemctl edit receptor\)\$" \
	    unshare -m sh -c 'mount --bind data data &&
	    mount -o remount,bind,ro data && exec "$@"' sh "$RECEPTOR" \
	    --node id=t1 datadir="$PWD/data" --local-only
}

atf_init_test_cases()
{
	atf_add_test_case startup
	atf_add_test_case sandboxes
	atf_add_test_case sigterm
	atf_add_test_case sigint
	atf_add_test_case group_sigterm
	atf_add_test_case child_killed
	atf_add_test_case parent_killed
	atf_add_test_case sandbox_violation
	atf_add_test_case sandbox_trap
	atf_add_test_case sighup
	atf_add_test_case no_backend
	atf_add_test_case low_port
	atf_add_test_case low_port_no_cap
	atf_add_test_case datadir_readonly
}
