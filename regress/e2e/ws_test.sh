#! /usr/bin/env atf-sh
#
# WebSocket backends between real daemons on 127.0.0.1: the docs' mesh,
# WebSocket next to TCP, the listener's path and origin rules, redialing.

. "$(atf_get_srcdir)/lib.subr"

# ws_triangle FISH_KIND: foo listens on WebSocket and TCP; bar dials it
# over WebSocket, fish over FISH_KIND (ws or tcp).
ws_triangle()
{
	ws=$(free_port)
	tcp=$(free_port)
	if [ "$1" = ws ]; then
		fish="--ws-peer address=ws://localhost:$ws/any/path"
	else
		fish="--tcp-peer address=127.0.0.1:$tcp"
	fi
	triangle "--ws-listener port=$ws bindaddr=127.0.0.1 \
	    --tcp-listener port=$tcp bindaddr=127.0.0.1" \
	    "--ws-peer address=ws://127.0.0.1:$ws/" "$fish"
}

atf_test_case ws cleanup
ws_head()
{
	atf_set "descr" "foo, bar and fish over WebSocket: bar pings fish" \
	    "via foo"
}
ws_body()
{
	ws_triangle ws
}
ws_cleanup()
{
	stop_all
}

atf_test_case ws_tcp cleanup
ws_tcp_head()
{
	atf_set "descr" "bar over WebSocket and fish over TCP reach each other"
}
ws_tcp_body()
{
	ws_triangle tcp
}
ws_tcp_cleanup()
{
	stop_all
}

# http_code PORT PATH [CURL ARGS...]: the status of a WebSocket upgrade.
http_code()
{
	_port=$1 _path=$2
	shift 2
	curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Connection: Upgrade' \
	    -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
	    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$@" \
	    "http://127.0.0.1:$_port$_path"
}

atf_test_case path cleanup
path_head()
{
	atf_set "descr" "The listener upgrades at its path only (404" \
	    "elsewhere, 403 from another origin); a dialer to the wrong" \
	    "path fails while one to the right path links"
	atf_set "require.progs" "curl"
}
path_body()
{
	ws=$(free_port)
	start_named foo --ws-listener port=$ws bindaddr=127.0.0.1 \
	    path=/receptor
	wait_log 'Initialization complete' 10 foo.log
	atf_check_equal 404 "$(http_code $ws /receptor/x)"
	atf_check_equal 404 "$(http_code $ws /)"
	atf_check_equal 403 "$(http_code $ws /receptor \
	    -H 'Origin: http://elsewhere:1')"
	atf_check_equal 400 "$(curl -s -m 5 -o /dev/null -w '%{http_code}' \
	    http://127.0.0.1:$ws/receptor)"

	start_named bar --ws-peer address=ws://127.0.0.1:$ws/wrong
	start_named fish --ws-peer address=ws://127.0.0.1:$ws/receptor
	wait_until 15 has_route fish foo
	wait_log 'Backend connection failed \(will retry\): dial ws://' 10 \
	    bar.log
	lacks_route bar foo || atf_fail "bar linked at the wrong path"
	grep -q 'Connection established with bar' foo.log &&
	    atf_fail "foo took bar at the wrong path"
	return 0
}
path_cleanup()
{
	stop_all
}

# established_twice LOG PEER: LOG saw a second link to PEER come up.
established_twice()
{
	[ "$(grep -c "Connection established with $2\$" "$1")" -ge 2 ]
}

atf_test_case redial cleanup
redial_head()
{
	atf_set "descr" "A ws-peer dials again when its listener comes back"
	atf_set "timeout" "90"
}
redial_body()
{
	ws=$(free_port)
	start_named foo --ws-listener port=$ws bindaddr=127.0.0.1
	wait_log 'Initialization complete' 10 foo.log
	start_named bar --ws-peer address=ws://127.0.0.1:$ws/
	wait_until 15 has_route bar foo
	stop_named foo
	wait_log 'Backend connection exited \(will retry\)' 10 bar.log
	start_named foo --ws-listener port=$ws bindaddr=127.0.0.1
	wait_until 40 established_twice bar.log foo
	wait_until 15 has_route bar foo
	atf_check -o match:'^Reply from foo in ' \
	    "$RCPTCTL" --socket bar.sock ping foo --count 1
}
redial_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case ws
	atf_add_test_case ws_tcp
	atf_add_test_case path
	atf_add_test_case redial
}
