#! /usr/bin/env atf-sh
#
# Meshes mixing our nodes and Go receptor's (../shared/interop): a hub and
# two leaves in every arrangement, over TCP, UDP and WebSocket, with TLS
# and without; rcptctl talks to both kinds.

. "$(atf_get_srcdir)/lib.subr"

# on_port PROTO PORT STATE [QUEUED]: a PROTO (tcp, udp) socket on PORT
# is in STATE (0A listening, 01 established, 07 a UDP one bound), holding
# bytes unread if QUEUED is set.
on_port()
{
	awk -v port=":$(printf '%04X' "$2")" -v state="$3" -v q="${4:-}" '
	    $2 ~ port "$" && $4 == state &&
	    (q == "" || $5 !~ /:00000000$/) { found = 1 }
	    END { exit !found }' /proc/net/"$1"
}

# mesh3 BACKEND TLS A B C: leaves a and c of kinds A and C peer with hub b
# of kind B over BACKEND (tcp, udp, ws) on $MESH_PORT; TLS "tls" for
# certificates of our cert actions on both sides (tcp and ws), "" for
# none.
mesh3()
{
	MESH_PORT=$(free_port)
	_port=$MESH_PORT
	_srv=
	_cli=
	if [ "$2" = tls ]; then
		our_ca ca
		for _n in a b c; do
			our_cert ca $_n
		done
		_srv=tls=srv
		_cli=tls=cli
	fi
	case $1 in
	tcp)	_listen="--tcp-listener port=$_port bindaddr=127.0.0.1 $_srv"
		_peer="--tcp-peer address=127.0.0.1:$_port $_cli" ;;
	udp)	_listen="--udp-listener port=$_port bindaddr=127.0.0.1"
		_peer="--udp-peer address=127.0.0.1:$_port" ;;
	ws)	_scheme=ws
		[ "$2" = tls ] && _scheme=wss
		_listen="--ws-listener port=$_port bindaddr=127.0.0.1 $_srv"
		_peer="--ws-peer address=$_scheme://localhost:$_port/ $_cli" ;;
	esac
	_hub_tls=
	_leaf_tls=
	if [ "$2" = tls ]; then
		_hub_tls="$(tls_server b)"
	fi
	node "$4" b $_listen $_hub_tls
	# Leaves that link at once get each other's first ads.
	if [ "$1" = udp ]; then
		wait_until 15 on_port udp "$_port" 07
	else
		wait_until 15 on_port tcp "$_port" 0A
	fi
	for _leaf in a:$3 c:$5; do
		_n=${_leaf%%:*}
		[ "$2" = tls ] && _leaf_tls="$(tls_client $_n)"
		node "${_leaf#*:}" "$_n" $_peer $_leaf_tls
	done
	wait_until 30 has_route a c b
	wait_until 30 has_route c a b
}

# reaches FROM TO VIA: FROM pings TO and traces the way through VIA, and
# its status lists VIA as a connection.
reaches()
{
	# rcptctl warns, as receptorctl does, of Go's other version
	atf_check -o match:"^Reply from $2 in " -e ignore \
	    "$RCPTCTL" --socket "$PWD/$1.sock" ping "$2" --count 1
	atf_check -o match:"^0: $1 in " -o match:"^1: $3 in " \
	    -o match:"^2: $2 in " -e ignore \
	    "$RCPTCTL" --socket "$PWD/$1.sock" traceroute "$2"
	ctl "$1" status --json 2>/dev/null | tr -d ' \n' |
	    grep -q "\"Connections\":\[[^]]*\"NodeID\":\"$3\"" ||
	    atf_fail "$1 does not list $3 as a connection"
}

# advertises FROM NODE: FROM's status lists NODE's control service.
advertises()
{
	ctl "$1" status --json 2>/dev/null | $PYTHON -c '
import json, sys
ads = json.load(sys.stdin)["Advertisements"] or []
sys.exit(not any(a["NodeID"] == sys.argv[1] and a["Service"] == "control"
    for a in ads))' "$2"
}

# arrangements BACKEND TLS: every mix of a hub and two leaves, ours and
# Go's, each pinging and tracing the other leaf through the hub, and
# listing its control service. (Go sends its ads as its services start
# and then each minute: an ad sent before both leaves linked, or while
# the hub reloads, waits for the next round. mesh3 links them at once;
# reload_hub does not look for ads.)
arrangements()
{
	need_go
	for _mix in "go ours go" "ours go ours" "ours ours go" \
	    "go go ours"; do
		_d=$(echo "$1-$2-$_mix" | tr ' ' -)
		mkdir "$_d" && cd "$_d" || atf_fail cd
		mesh3 "$1" "$2" $_mix
		reaches a c b
		reaches c a b
		wait_until 30 advertises a c
		wait_until 30 advertises c a
		stop_all
		cd ..
	done
}

atf_test_case tcp cleanup
tcp_head()
{
	atf_set descr "Go and our nodes as hub and leaves over TCP"
	atf_set timeout 300
}
tcp_body()
{
	arrangements tcp ""
}
tcp_cleanup()
{
	stop_dirs
}

atf_test_case tcp_tls cleanup
tcp_tls_head()
{
	atf_set descr "Go and our nodes as hub and leaves over TCP with TLS," \
	    "certificates of our cert actions, node IDs checked"
	atf_set "require.progs" "openssl"
	atf_set timeout 300
}
tcp_tls_body()
{
	arrangements tcp tls
}
tcp_tls_cleanup()
{
	stop_dirs
}

atf_test_case udp cleanup
udp_head()
{
	atf_set descr "Go and our nodes as hub and leaves over UDP"
	atf_set timeout 300
}
udp_body()
{
	arrangements udp ""
}
udp_cleanup()
{
	stop_dirs
}

atf_test_case ws cleanup
ws_head()
{
	atf_set descr "Go and our nodes as hub and leaves over WebSocket"
	atf_set timeout 300
}
ws_body()
{
	arrangements ws ""
}
ws_cleanup()
{
	stop_dirs
}

atf_test_case wss cleanup
wss_head()
{
	atf_set descr "Go and our nodes as hub and leaves over WebSocket" \
	    "with TLS"
	atf_set "require.progs" "openssl"
	atf_set timeout 300
}
wss_body()
{
	arrangements ws tls
}
wss_cleanup()
{
	stop_dirs
}

atf_test_case leave_return cleanup
leave_return_head()
{
	atf_set descr "A leaf that leaves a Go hub loses its routes on our" \
	    "leaf, and they come back when it returns"
	atf_set timeout 200
}
leave_return_body()
{
	need_go
	mesh3 tcp "" ours go ours
	stop_named c
	wait_until 90 lacks_route a c
	node ours c --tcp-peer address=127.0.0.1:"$MESH_PORT"
	wait_until 60 has_route a c b
	wait_until 60 has_route c a b
	reaches a c b
	reaches c a b
}
leave_return_cleanup()
{
	stop_all
}

atf_test_case reload_hub cleanup
reload_hub_head()
{
	atf_set descr "Our hub reloads with a new listener while Go leaves" \
	    "stay connected: they come back and reach each other"
	atf_set timeout 200
}
reload_hub_body()
{
	need_go
	_p=$(free_port)
	cat >b.yml <<-EOT
	- tcp-listener:
	    port: $_p
	    bindaddr: 127.0.0.1
	EOT
	node ours b --config "$PWD/b.yml"
	node go a --tcp-peer address=127.0.0.1:"$_p"
	node go c --tcp-peer address=127.0.0.1:"$_p"
	wait_until 30 has_route a c b
	cat >>b.yml <<-EOT
	- udp-listener:
	    port: $(free_port)
	    bindaddr: 127.0.0.1
	EOT
	atf_check -o ignore "$RCPTCTL" --socket "$PWD/b.sock" reload
	# Its backends restart, as Go's do on a reload: the leaves dial again.
	wait_until 60 eval "ctl a ping c --count 1 >/dev/null 2>&1"
	wait_until 60 eval "ctl c ping a --count 1 >/dev/null 2>&1"
	reaches a c b
	reaches c a b
}
reload_hub_cleanup()
{
	stop_all
}

# next_second: until the clock has passed to a later second, so that a
# node started now has a larger epoch than one started before (Go's epoch
# is the second shifted left 24 bits, plus a random low part).
next_second()
{
	_t=$(date +%s)
	wait_until 3 eval "[ \$(date +%s) -gt $_t ]"
}

# duplicate OLDER NEWER: a node "dup" of kind NEWER joins a mesh of ours
# where one of kind OLDER runs: the newer says so and stops, as Go's does.
duplicate()
{
	_p=$(free_port)
	_p2=$(free_port)
	node ours hub --tcp-listener port="$_p" bindaddr=127.0.0.1
	node ours hub2 --tcp-listener port="$_p2" bindaddr=127.0.0.1 \
	    --tcp-peer address=127.0.0.1:"$_p"
	node "$1" dup --tcp-peer address=127.0.0.1:"$_p"
	wait_until 30 has_route hub2 dup hub
	next_second
	mkdir newer && cd newer || atf_fail cd
	# It may be gone before its socket could be seen.
	NODE_NOWAIT=1 node "$2" dup --tcp-peer address=127.0.0.1:"$_p2"
	wait_log "We are a duplicate node with ID dup" 30 dup.log
	wait_exit "$(cat dup.pid)" 15
	cd ..
	kill -0 "$(cat dup.pid)" || atf_fail "the older dup went down too"
}

atf_test_case duplicate_go_first cleanup
duplicate_go_first_head()
{
	atf_set descr "Go's node holds an ID; ours with it joins and stops"
}
duplicate_go_first_body()
{
	need_go
	duplicate go ours
}
duplicate_go_first_cleanup()
{
	stop_dirs
}

atf_test_case duplicate_ours_first cleanup
duplicate_ours_first_head()
{
	atf_set descr "Our node holds an ID; Go's with it joins and stops"
}
duplicate_ours_first_body()
{
	need_go
	duplicate ours go
}
duplicate_ours_first_cleanup()
{
	stop_dirs
}

# walled NAME RULES ARGS...: our node NAME, as node starts it, with the
# firewall rules RULES (a YAML flow sequence).
walled()
{
	_n=$1
	cat >"$_n.yml" <<-EOT
	- node:
	    id: $_n
	    datadir: $PWD/$_n.data
	    firewallrules: $2
	- control-service:
	    filename: $PWD/$_n.sock
	EOT
	shift 2
	"$RECEPTOR" --config "$PWD/$_n.yml" "$@" >"$_n.log" 2>&1 &
	echo $! >"$_n.pid"
	wait_until 15 test -S "$_n.sock"
}

atf_test_case firewall cleanup
firewall_head()
{
	atf_set descr "Firewall rules on our node apply to Go's traffic," \
	    "forwarded through it and delivered to it"
	atf_set timeout 120
}
firewall_body()
{
	need_go
	_p=$(free_port)
	walled b "[{action: drop, fromnode: a, toservice: ping},
	    {action: reject, fromnode: c, tonode: a}]" \
	    --tcp-listener port="$_p" bindaddr=127.0.0.1
	node go a --tcp-peer address=127.0.0.1:"$_p"
	node go c --tcp-peer address=127.0.0.1:"$_p"
	wait_until 30 has_route a c b
	wait_until 30 has_route c a b
	atf_check -s exit:2 -e match:'ERROR: timeout' \
	    "$RCPTCTL" --socket "$PWD/a.sock" ping c --count 1
	atf_check -s exit:2 -e match:'ERROR: blocked by firewall' \
	    "$RCPTCTL" --socket "$PWD/c.sock" ping a --count 1
	# What the rules leave alone passes: c to b, and b to either.
	atf_check -o match:'^Reply from b in ' -e ignore \
	    "$RCPTCTL" --socket "$PWD/c.sock" ping b --count 1
	atf_check -o match:'^Reply from a in ' \
	    "$RCPTCTL" --socket "$PWD/b.sock" ping a --count 1

	# A rule on our leaf under a Go hub meets what Go delivers to it.
	stop_all
	_p=$(free_port)
	node go hub --tcp-listener port="$_p" bindaddr=127.0.0.1
	walled d "[{action: reject, fromnode: /^e$/, toservice: ping}]" \
	    --tcp-peer address=127.0.0.1:"$_p"
	node go e --tcp-peer address=127.0.0.1:"$_p"
	wait_until 30 has_route e d hub
	# d answers the refused ping along its own route back.
	wait_until 30 has_route d e hub
	atf_check -s exit:2 -e match:'ERROR: blocked by firewall' \
	    "$RCPTCTL" --socket "$PWD/e.sock" ping d --count 1
	atf_check -o match:'^Reply from d in ' -e ignore \
	    "$RCPTCTL" --socket "$PWD/hub.sock" ping d --count 1
}
firewall_cleanup()
{
	stop_all
}

# tls_pair TLS SERVER CLIENT: $_srv and $_cli, the TLS arguments of
# SERVER's listener and CLIENT's peer, none if TLS is empty.
tls_pair()
{
	_srv=
	_cli=
	if [ -n "$1" ]; then
		_srv="tls=srv $(tls_server "$2")"
		_cli="tls=cli $(tls_client "$3")"
	fi
}

# taken_back ARGS...: a still answers; Go's b, started again with ARGS,
# links with it and answers its ping.
taken_back()
{
	ctl a status >/dev/null || atf_fail "a does not answer status"
	node go b "$@"
	wait_until 60 has_route a b b
	atf_check -o match:"^Reply from b in " -e ignore \
	    "$RCPTCTL" --socket "$PWD/a.sock" ping b --count 1
}

# gone_dialing TLS: Go's listener b is frozen while our a dials it, then
# killed with a's hello unanswered; a logs once, retries and links when
# b is back.
gone_dialing()
{
	_p=$(free_port)
	tls_pair "$1" b a
	node go b --tcp-listener port="$_p" bindaddr=127.0.0.1 $_srv
	wait_until 15 on_port tcp "$_p" 0A
	kill -STOP "$(cat b.pid)"
	node ours a --tcp-peer address=127.0.0.1:"$_p" $_cli
	wait_until 15 on_port tcp "$_p" 01 queued
	stop_named b
	wait_log "Backend connection failed \(will retry\)" 30 a.log
	taken_back --tcp-listener port="$_p" bindaddr=127.0.0.1 $_srv
}

# gone_accepted TLS: Go's b dials our a while a's netd is frozen, and is
# killed before a reads its hello; a logs at most once and takes b back.
gone_accepted()
{
	_p=$(free_port)
	tls_pair "$1" a b
	node ours a --tcp-listener port="$_p" bindaddr=127.0.0.1 $_srv
	wait_until 15 on_port tcp "$_p" 0A
	_netd=$(child_pid netd a)
	kill -STOP "$_netd"
	node go b --tcp-peer address=127.0.0.1:"$_p" $_cli
	wait_until 15 on_port tcp "$_p" 01 queued
	stop_named b
	kill -CONT "$_netd"
	if [ -n "$1" ]; then
		wait_log "refused TLS connection from 127.0.0.1:[0-9]+: TLS" \
		    15 a.log
		[ "$(grep -c 'refused TLS' a.log)" = 1 ] ||
		    atf_fail "a logged the lost handshake more than once"
	fi
	taken_back --tcp-peer address=127.0.0.1:"$_p" $_cli
}

atf_test_case gone_midhandshake cleanup
gone_midhandshake_head()
{
	atf_set descr "A Go node killed in the middle of its link handshake" \
	    "with ours, dialing or dialed, with TLS and without"
	atf_set "require.progs" "openssl"
	atf_set timeout 300
}
gone_midhandshake_body()
{
	need_go
	mkca ca
	mkcert ca a
	mkcert ca b
	for _tls in "" tls; do
		for _way in dialing accepted; do
			mkdir "$_way$_tls" && cd "$_way$_tls" || atf_fail cd
			cp ../ca.crt ../a.crt ../a.key ../b.crt ../b.key .
			gone_$_way "$_tls"
			stop_all
			cd ..
		done
	done
}
gone_midhandshake_cleanup()
{
	stop_dirs
}

atf_test_case gone_midstream cleanup
gone_midstream_head()
{
	atf_set descr "A Go node killed with streams open both ways: our" \
	    "node says so once per stream and takes the node back"
	atf_set timeout 200
}
gone_midstream_body()
{
	need_go
	_p=$(free_port)
	node ours a --tcp-listener port="$_p" bindaddr=127.0.0.1
	node go c --tcp-peer address=127.0.0.1:"$_p"
	wait_until 30 has_route a c c
	# Each holds a stream to the other's control service; nobody writes.
	mkfifo hold
	sleep 600 >hold &
	echo $! >hold.pid
	"$RCPTCTL" --socket "$PWD/a.sock" connect c control <hold >ac.out 2>&1 &
	echo $! >ac.pid
	"$RCPTCTL" --socket "$PWD/c.sock" connect a control <hold >ca.out 2>&1 &
	echo $! >ca.pid
	wait_until 15 grep -q 'Receptor Control, node c' ac.out
	wait_until 15 grep -q 'Receptor Control, node a' ca.out
	stop_named c
	# The stream a dialed fails on its next send, the one it accepted
	# when it has heard nothing for Go's idle timeout.
	wait_log "stream with c:control lost: " 60 a.log
	wait_log "stream with c:[A-Za-z0-9]+ lost: timeout" 60 a.log
	[ "$(grep -c 'stream with c:.* lost' a.log)" = 2 ] ||
	    atf_fail "a logged the lost streams more than once each"
	wait_exit "$(cat ac.pid)" 15
	ctl a status >/dev/null || atf_fail "a does not answer status"
	node go c --tcp-peer address=127.0.0.1:"$_p"
	# c's control service may come up after its link does.
	wait_until 30 eval "'$RCPTCTL' --socket '$PWD/a.sock' connect c \
	    control </dev/null 2>/dev/null | grep -q 'Receptor Control, node c'"
}
gone_midstream_cleanup()
{
	stop_all
}

atf_test_case restart_epoch cleanup
restart_epoch_head()
{
	atf_set descr "A Go leaf restarts with a new epoch at once: the" \
	    "other leaf reaches it again through our hub and a Go hub"
	atf_set timeout 200
}
restart_epoch_body()
{
	need_go
	for _mix in "go ours go" "ours go go"; do
		_d=$(echo "$_mix" | tr ' ' -)
		mkdir "$_d" && cd "$_d" || atf_fail cd
		mesh3 tcp "" $_mix
		next_second
		stop_named c
		node go c --tcp-peer address=127.0.0.1:"$MESH_PORT"
		wait_log "Connection established with c" 30 b.log
		wait_until 60 eval "ctl a ping c --count 1 >/dev/null 2>&1"
		reaches a c b
		reaches c a b
		stop_all
		cd ..
	done
}
restart_epoch_cleanup()
{
	stop_dirs
}

# wrong_node: our foo refuses Go's bar, whose certificate names
# baz, bar dialing and dialed. Go's backends check the chain only; ours
# also the node ID, as receptor.8 says (the streams' checks, which Go
# makes too, are quic_test's).
atf_test_case wrong_node cleanup
wrong_node_head()
{
	atf_set descr "Our node refuses a Go peer whose certificate names" \
	    "another node, dialed or dialing"
	atf_set timeout 120
}
wrong_node_body()
{
	need_go
	our_ca ca
	our_cert ca foo
	our_cert ca bar baz
	_p=$(free_port)
	node ours foo --tcp-listener port="$_p" bindaddr=127.0.0.1 tls=srv \
	    $(tls_server foo)
	node go bar --tcp-peer address=localhost:"$_p" tls=cli \
	    $(tls_client bar skipreceptornamescheck=true)
	wait_log "rejected connection with node bar because its certificate is not valid for node bar" \
	    30 foo.log
	lacks_route foo bar || atf_fail "foo has a route to bar"
	stop_all
	_p=$(free_port)
	node go bar --tcp-listener port="$_p" bindaddr=127.0.0.1 tls=srv \
	    $(tls_server bar skipreceptornamescheck=true)
	node ours foo --tcp-peer address=localhost:"$_p" tls=cli \
	    $(tls_client foo)
	wait_log "rejected connection with node bar because its certificate is not valid for node bar" \
	    30 foo.log
	lacks_route foo bar || atf_fail "foo has a route to bar"
}
wrong_node_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case tcp
	atf_add_test_case tcp_tls
	atf_add_test_case udp
	atf_add_test_case ws
	atf_add_test_case wss
	atf_add_test_case leave_return
	atf_add_test_case reload_hub
	atf_add_test_case duplicate_go_first
	atf_add_test_case duplicate_ours_first
	atf_add_test_case firewall
	atf_add_test_case gone_midhandshake
	atf_add_test_case gone_midstream
	atf_add_test_case restart_epoch
	atf_add_test_case wrong_node
}
