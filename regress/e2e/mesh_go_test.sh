#! /usr/bin/env atf-sh
#
# Meshes mixing our nodes and Go receptor's (../shared/interop): a hub and
# two leaves in every arrangement, over TCP, UDP and WebSocket, with TLS
# and without; rcptctl talks to both kinds.

. "$(atf_get_srcdir)/lib.subr"

# mesh3 BACKEND TLS A B C: leaves a and c of kinds A and C peer with hub b
# of kind B over BACKEND (tcp, udp, ws) on $MESH_PORT; TLS "tls" for
# certificates of mkcert on both sides (tcp and ws), "" for none.
mesh3()
{
	MESH_PORT=$(free_port)
	_port=$MESH_PORT
	_srv=
	_cli=
	if [ "$2" = tls ]; then
		mkca ca
		for _n in a b c; do
			mkcert ca $_n
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

# arrangements BACKEND TLS: every mix of a hub and two leaves, ours and
# Go's, each pinging and tracing the other leaf through the hub.
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
	# The newer process has the larger epoch: a later second.
	_t=$(date +%s)
	wait_until 3 eval "[ \$(date +%s) -gt $_t ]"
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
}
