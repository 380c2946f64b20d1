#! /usr/bin/env atf-sh
#
# The control service's connect: a stream across the mesh to a service
# of another node, here B's own control service, relayed to a control
# client of A (Unix, or TCP inside TLS), through rcptctl connect and a
# raw socket; B serves the stream as a control client of its own.

. "$(atf_get_srcdir)/lib.subr"

# pair [B_FIELDS...]: A and B linked over TCP, B listening, both logging
# at debug level; B_FIELDS continue B's control-service (tls=srv) and
# may add items. A's items are in $A_ARGS.
pair()
{
	port=$(free_port)
	start_named B "$@" --tcp-listener port="$port" bindaddr=127.0.0.1 \
	    --log-level level=debug
	wait_log 'Initialization complete' 10 B.log
	start_named A $A_ARGS --tcp-peer address=127.0.0.1:"$port" \
	    --log-level level=debug
	wait_log 'Initialization complete' 10 A.log
	linked A B
}

# ask SOCKET LINE...: the greeting of the control socket, then for each
# LINE, sent in turn, the line that answers it. Gives up after 15 s,
# before ctld's own 30 s limit on a request to netd.
ask()
{
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(15)
s.connect(sys.argv[1])
f = s.makefile("rwb")
sys.stdout.write(f.readline().decode())
for line in sys.argv[2:]:
	f.write(line.encode() + b"\n"); f.flush()
	reply = f.readline().decode()
	if not reply:
		sys.exit("connection closed")
	sys.stdout.write(reply)
' "$@"
}

# refused TARGET: "connect TARGET" on A's Unix socket gets an ERROR line,
# soon, not ctld's own timeout, and the session goes on.
refused()
{
	ask "$PWD/A.sock" "connect $1" status >out ||
	    atf_fail "the session did not go on"
	atf_check -o match:'^ERROR: ' -o not-match:'no reply from' \
	    sed -n 2p out
	atf_check -o match:'^\{.*"NodeID":"A"' sed -n 3p out
}

# bridged OUTPUT: what rcptctl printed from B's control service, asked
# for its status.
bridged()
{
	atf_check -o match:'^Receptor Control, node B$' cat "$1"
	atf_check -o match:'^\{.*"NodeID":"B"' cat "$1"
}

atf_test_case unix cleanup
unix_head()
{
	atf_set "descr" "rcptctl connect B control from A's Unix socket:" \
	    "B greets, answers status, and both ends close after EOF"
}
unix_body()
{
	pair
	printf 'status\n' >in
	atf_check -o save:out timeout 20 "$RCPTCTL" --socket "$PWD/A.sock" \
	    connect B control <in
	bridged out
	grep -q 'control client [0-9]* connected from node A$' B.log ||
	    atf_fail "B did not serve A's stream as a control client"
}
unix_cleanup()
{
	stop_all
}

atf_test_case after_reload cleanup
after_reload_head()
{
	atf_set "descr" "B's control services still take streams after B reloads"
}
after_reload_body()
{
	port=$(free_port)
	# A service named in the file, which the reload frees and reads again.
	cat >B.yml <<EOF
- tcp-listener:
    port: $port
    bindaddr: 127.0.0.1
- control-service:
    service: second
    filename: $PWD/B2.sock
EOF
	start_named B -c "$PWD/B.yml"
	wait_log 'Initialization complete' 10 B.log
	start_named A --tcp-peer address=127.0.0.1:"$port"
	linked A B
	atf_check -o inline:'Reload successful\n' "$RCPTCTL" --socket "$PWD/B.sock" \
	    reload
	# The reload restarted B's listener: the link comes back.
	wait_until 20 ctl A ping B --count 1
	printf 'status\n' >in
	atf_check -o save:out timeout 20 "$RCPTCTL" --socket "$PWD/A.sock" \
	    connect B second <in
	bridged out
}
after_reload_cleanup()
{
	stop_all
}

atf_test_case no_service cleanup
no_service_head()
{
	atf_set "descr" "connect to a service B does not have is an ERROR" \
	    "line, soon, and the session goes on"
}
no_service_body()
{
	pair
	refused "B nosuch"
}
no_service_cleanup()
{
	stop_all
}

atf_test_case no_route cleanup
no_route_head()
{
	atf_set "descr" "connect to an unknown node is an ERROR line"
}
no_route_body()
{
	pair
	refused "nowhere control"
	atf_check -s exit:1 -e match:'^ERROR: ERROR: ' \
	    timeout 20 "$RCPTCTL" --socket "$PWD/A.sock" \
	    connect nowhere control </dev/null
}
no_route_cleanup()
{
	stop_all
}

atf_test_case tls cleanup
tls_head()
{
	atf_set "descr" "B's control service with tls: srv: connect with" \
	    "A's tls-client works, without it or with an unknown one is an" \
	    "ERROR"
	atf_set "require.progs" "openssl"
}
tls_body()
{
	mkca ca
	mkcert ca A
	mkcert ca B
	A_ARGS=$(tls_client A)
	pair tls=srv $(tls_server B)
	printf 'status\n' >in
	atf_check -o save:out timeout 20 "$RCPTCTL" --socket "$PWD/A.sock" \
	    connect B control --tls-client cli <in
	bridged out
	atf_check -s exit:1 -e match:'^ERROR: ERROR: ' \
	    timeout 20 "$RCPTCTL" --socket "$PWD/A.sock" \
	    connect B control <in
	refused "B control nosuch"
}
tls_cleanup()
{
	stop_all
}

atf_test_case ctltls cleanup
ctltls_head()
{
	atf_set "descr" "connect from a TLS control client of A (tcptls)" \
	    "relays inside that TLS session"
	atf_set "require.progs" "openssl"
}
ctltls_body()
{
	mkca ca
	mkcert ca A
	ctlport=$(free_port)
	A_ARGS="--control-service service=tlsctl
	    tcplisten=127.0.0.1:$ctlport tcptls=srv
	    --tls-server name=srv cert=$PWD/A.crt key=$PWD/A.key"
	pair
	printf 'status\n' >in
	atf_check -o save:out timeout 20 "$RCPTCTL" \
	    --socket tls://127.0.0.1:"$ctlport" --rootcas ca.crt \
	    connect B control <in
	bridged out
}
ctltls_cleanup()
{
	stop_all
}

atf_test_case params cleanup
params_head()
{
	atf_set "descr" "connect's parameter errors are Go's, and keep the" \
	    "session open"
}
params_body()
{
	start_named A --local-only
	wait_log 'Initialization complete' 10 A.log
	ask "$PWD/A.sock" "connect" "connect B" "connect a b c d" \
	    '{"command":"connect"}' '{"command":"connect","node":1}' \
	    '{"command":"connect","node":"B"}' \
	    '{"command":"connect","node":"B","service":[]}' \
	    '{"command":"connect","node":"B","service":"s","tls":false}' \
	    status >out || atf_fail "the session did not go on"
	printf '%s\n' "Receptor Control, node A" \
	    "ERROR: no connect target" \
	    "ERROR: no connect target" \
	    "ERROR: too many parameters" \
	    "ERROR: no connect target node" \
	    "ERROR: connect target node must be string" \
	    "ERROR: no connect target service" \
	    "ERROR: connect target service must be string" \
	    "ERROR: connect tls name must be string" >expect
	head -n 9 out >got
	atf_check -o file:expect cat got
	atf_check -o match:'^\{.*"NodeID":"A"' sed -n 10p out
	atf_check -s exit:1 -e match:"^ERROR: Missing parameter: service$" \
	    "$RCPTCTL" --socket "$PWD/A.sock" connect B
	atf_check -s exit:1 -e match:"^ERROR: Missing parameter: node$" \
	    "$RCPTCTL" --socket "$PWD/A.sock" connect
}
params_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case unix
	atf_add_test_case after_reload
	atf_add_test_case no_service
	atf_add_test_case no_route
	atf_add_test_case tls
	atf_add_test_case ctltls
	atf_add_test_case params
}
