#! /usr/bin/env atf-sh
#
# The control service of a real node, through rcptctl and through a raw
# Unix socket (perl, which build-essential brings, as the raw client).

. "$(atf_get_srcdir)/lib.subr"

RCPTCTL="$(atf_get_srcdir)/../../bin/rcptctl"

# ctl_raw N LINE...: connect to ./ctl.sock, print the greeting, send each
# LINE with a newline, then print N reply lines. Gives up after 20 s.
ctl_raw()
{
	perl -e '
		use IO::Socket::UNIX;
		$| = 1;
		$SIG{ALRM} = sub { die "timed out\n" };
		alarm 20;
		my ($n, @lines) = @ARGV;
		my $s = IO::Socket::UNIX->new(Peer => "ctl.sock",
		    Type => SOCK_STREAM) or die "connect: $!\n";
		print scalar <$s>;
		print $s "$_\n" for @lines;
		for (1 .. $n) {
			my $l = <$s>;
			defined $l or die "connection closed\n";
			print $l;
		}
	' "$@"
}

# check_raw EXPECTED N LINE...: ctl_raw's output must be EXPECTED.
check_raw()
{
	_want=$1
	shift
	if ! ctl_raw "$@" >raw.out; then
		cat raw.out >&2
		atf_fail "raw client failed"
	fi
	atf_check -o file:"$_want" cat raw.out
}

start_ctl_node()
{
	start_node t1 --control-service filename="$PWD/ctl.sock" "$@"
}

atf_test_case greeting cleanup
greeting_head()
{
	atf_set "descr" "A client is greeted with the node ID, as Go does"
}
greeting_body()
{
	start_ctl_node
	echo "Receptor Control, node t1" >expect
	check_raw expect 0
}
greeting_cleanup()
{
	stop_receptor
}

atf_test_case session cleanup
session_head()
{
	atf_set "descr" "Blank lines get no reply, \\r is dropped, text" \
	    "commands are lowercased, errors keep the session open"
}
session_body()
{
	start_ctl_node
	printf '%s\n' "Receptor Control, node t1" \
	    "ERROR: no ping target" \
	    "ERROR: Unknown command" \
	    '{"NodeID":"t1"}' \
	    "ERROR: status command does not take parameters" \
	    '{}' >expect
	check_raw expect 5 "" "$(printf '\r\r')" \
	    "$(printf 'PI\rNG\r')" "nosuch" \
	    '{"command":"status","requested_fields":["NodeID","Nope"]}' \
	    "Status x" '{"command":"status","requested_fields":[]}'
}
session_cleanup()
{
	stop_receptor
}

atf_test_case bad_json cleanup
bad_json_head()
{
	atf_set "descr" "A bad JSON request gets two ERROR lines, as in Go"
}
bad_json_body()
{
	start_ctl_node
	printf '%s\n' "Receptor Control, node t1" \
	    "ERROR: invalid character 'b' looking for beginning of object key string" \
	    "ERROR: Unknown command" \
	    "ERROR: JSON did not contain a command" \
	    "ERROR: Unknown command" >expect
	check_raw expect 4 '{bad' '{"target":"t1"}'
}
bad_json_cleanup()
{
	stop_receptor
}

atf_test_case long_line cleanup
long_line_head()
{
	atf_set "descr" "A 10 MB line is refused with an error; its session," \
	    "other clients and ctld carry on, a stuck client blocks nobody"
}
long_line_body()
{
	start_ctl_node
	ctld=$(child_pid ctld)
	# A client that never finishes its line.
	perl -e '
		use IO::Socket::UNIX;
		my $s = IO::Socket::UNIX->new(Peer => "ctl.sock",
		    Type => SOCK_STREAM) or die "connect: $!\n";
		$s->autoflush(1);
		print $s "stat";
		sleep 60;
	' &
	stuck=$!
	printf '%s\n' "Receptor Control, node t1" \
	    "ERROR: line too long" \
	    '{"NodeID":"t1"}' >expect
	atf_check -o file:expect perl -e '
		use IO::Socket::UNIX;
		$| = 1;
		$SIG{ALRM} = sub { die "timed out\n" };
		alarm 60;
		my $s = IO::Socket::UNIX->new(Peer => "ctl.sock",
		    Type => SOCK_STREAM) or die "connect: $!\n";
		$s->autoflush(1);
		print scalar <$s>;
		print $s "x" x (10 * 1024 * 1024), "\n";
		print scalar <$s>;
		print $s "{\"command\":\"status\",",
		    "\"requested_fields\":[\"NodeID\"]}\n";
		print scalar <$s>;
	'
	atf_check -o inline:"receptorctl  0.1.0\nreceptor     0.1.0\n" \
	    "$RCPTCTL" --socket "$PWD/ctl.sock" version
	kill "$stuck"
	atf_check_equal "$ctld" "$(child_pid ctld)"
}
long_line_cleanup()
{
	stop_receptor
}

atf_test_case status cleanup
status_head()
{
	atf_set "descr" "rcptctl status shows the node; --json is JSON"
}
status_body()
{
	start_ctl_node
	atf_check -o match:"^Node ID: t1$" -o match:"^Version: 0\.1\.0$" \
	    -o match:"^System CPU Count: [1-9][0-9]*$" \
	    -o match:"^System Memory MiB: [1-9][0-9]*$" \
	    "$RCPTCTL" --socket "$PWD/ctl.sock" status
	RECEPTORCTL_SOCKET="unix://$PWD/ctl.sock" "$RCPTCTL" status --json \
	    >status.json || atf_fail "status --json failed"
	atf_check -o inline:"t1\n" perl -MJSON::PP -e '
		local $/;
		my $st = decode_json(<STDIN>);
		exists $st->{$_} or die "no $_\n" for qw(Connections
		    RoutingTable Advertisements KnownConnectionCosts
		    SystemCPUCount SystemMemoryMiB Version);
		print $st->{NodeID}, "\n";
	' <status.json
}
status_cleanup()
{
	stop_receptor
}

atf_test_case ping_self cleanup
ping_self_head()
{
	atf_set "descr" "A node answers a ping to itself"
}
ping_self_body()
{
	start_ctl_node
	atf_check -o match:"^Reply from t1 in [0-9.]+(ns|µs|ms|s)$" \
	    "$RCPTCTL" --socket "$PWD/ctl.sock" ping t1 --count 2 --delay 0.1
	atf_check -o match:"^0: t1 in [0-9.]+(ns|µs|ms|s)$" \
	    "$RCPTCTL" --socket "$PWD/ctl.sock" traceroute t1
}
ping_self_cleanup()
{
	stop_receptor
}

atf_test_case ping_nowhere cleanup
ping_nowhere_head()
{
	atf_set "descr" "A ping to an unknown node fails with exit status 2"
}
ping_nowhere_body()
{
	start_ctl_node
	atf_check -s exit:2 -e inline:"ERROR: no route to node\n" \
	    "$RCPTCTL" --socket "$PWD/ctl.sock" ping nosuchnode --count 1
}
ping_nowhere_cleanup()
{
	stop_receptor
}

atf_test_case reload cleanup
reload_head()
{
	atf_set "descr" "Reload with an unchanged file succeeds"
}
reload_body()
{
	cat >receptor.conf <<EOF
---
- node:
    id: t1
- local-only:
- control-service:
    filename: $PWD/ctl.sock
EOF
	start_receptor -c "$PWD/receptor.conf"
	wait_log 'Initialization complete'
	atf_check -o inline:"Reload successful\n" \
	    "$RCPTCTL" --socket "$PWD/ctl.sock" reload
}
reload_cleanup()
{
	stop_receptor
}

atf_test_case usage
usage_head()
{
	atf_set "descr" "Usage errors are reported before connecting"
}
usage_body()
{
	atf_check -s exit:1 -e match:"^ERROR: Missing parameter: socket$" \
	    -e match:"^usage: rcptctl " env -u RECEPTORCTL_SOCKET \
	    "$RCPTCTL" status
	atf_check -s exit:1 -e match:"^ERROR: Missing parameter: node$" \
	    "$RCPTCTL" --socket "$PWD/nosuch.sock" ping
	atf_check -s exit:1 -e match:"^ERROR: No such command 'frob'\.$" \
	    "$RCPTCTL" --socket "$PWD/nosuch.sock" frob
	atf_check -s exit:1 \
	    -e inline:"ERROR: Socket path does not exist: $PWD/nosuch.sock\n" \
	    "$RCPTCTL" --socket "$PWD/nosuch.sock" status
	atf_check -s exit:1 -e inline:"ERROR: Invalid socket address a:b\n" \
	    "$RCPTCTL" --socket a:b status
	atf_check -o match:"^usage: rcptctl \[--socket address\] \[--config file\]" \
	    -o match:"^ +command \[argument \.\.\.\]$" "$RCPTCTL" --help
}

atf_init_test_cases()
{
	atf_add_test_case greeting
	atf_add_test_case session
	atf_add_test_case bad_json
	atf_add_test_case long_line
	atf_add_test_case status
	atf_add_test_case ping_self
	atf_add_test_case ping_nowhere
	atf_add_test_case reload
	atf_add_test_case usage
}
