#! /usr/bin/env atf-sh
#
# Service proxies: a tcp-server on node a forwards to a tcp-client on node
# c, through b, to a sink or a server on 127.0.0.1; ours and Go
# receptor's (../shared/interop) in every position.

. "$(atf_get_srcdir)/lib.subr"
. "$(atf_get_srcdir)/proxy.subr"

# line3 NEAR MID FAR: a - b - c of these kinds; a's tcp-server on $APORT
# ($SEND_TO) reaches c's tcp-client "fwd" to the sink on $SINK, and the
# one on $FPORT ($FETCH_FROM) "back" to the server on $SERVE.
line3()
{
	APORT=$(free_port)
	BPORT=$(free_port)
	SINK=$(free_port)
	SERVE=$(free_port)
	FPORT=$(free_port)
	helper sink sink "$SINK" "$PWD/sink.out"
	helper serve serve "$SERVE"
	node "$2" b --tcp-listener port="$BPORT" bindaddr=127.0.0.1
	node "$3" c --tcp-peer address=127.0.0.1:"$BPORT" \
	    --tcp-client service=fwd address=127.0.0.1:"$SINK" \
	    --tcp-client service=back address=127.0.0.1:"$SERVE"
	node "$1" a --tcp-peer address=127.0.0.1:"$BPORT" \
	    --tcp-server port="$APORT" bindaddr=127.0.0.1 remotenode=c \
	    remoteservice=fwd \
	    --tcp-server port="$FPORT" bindaddr=127.0.0.1 remotenode=c \
	    remoteservice=back
	wait_until 20 has_route a c b
	SEND_TO=127.0.0.1:$APORT
	FETCH_FROM=127.0.0.1:$FPORT
}

atf_test_case tcp cleanup
tcp_head()
{
	atf_set descr "tcp-server to tcp-client over 3 of our nodes:" \
	    "256 MB byte-exact, the reverse way, 50 connections at once"
	atf_set timeout 300
}
tcp_body()
{
	line3 ours ours ours
	transfers 268435456 50 "ours ours ours"
}
tcp_cleanup()
{
	stop_all
}

atf_test_case tcp_mixed cleanup
tcp_mixed_head()
{
	atf_set descr "tcp-server to tcp-client through lines mixing our" \
	    "nodes and Go's in every position"
	atf_set timeout 600
}
tcp_mixed_body()
{
	need_go
	each_line mixed_line "ours ours go" "go ours ours" "ours go ours" \
	    "go go ours" "ours go go" "go ours go"
}
mixed_line()
{
	line3 "$@"
	transfers 20000000 10 "$*"
}
tcp_mixed_cleanup()
{
	stop_dirs
}


atf_test_case control cleanup
control_head()
{
	atf_set descr "a tcp-server to localhost's control service serves" \
	    "receptorctl, as receptorctl's own tests use it"
}
control_body()
{
	need_receptorctl
	_p=$(free_port)
	node ours a --tcp-listener port="$(free_port)" bindaddr=127.0.0.1 \
	    --tcp-server port="$_p" bindaddr=127.0.0.1 \
	    remotenode=localhost remoteservice=control
	wait_until 10 eval "ss -Htln '( sport = :$_p )' | grep -q ."
	_rctl="env PYTHONPATH=$RCTL_PATH $PYTHON -m receptorctl
	    --socket tcp://127.0.0.1:$_p"
	atf_check -o match:'^Node ID: a$' -e ignore $_rctl status
	atf_check -o match:'Reply from a in' -e ignore $_rctl ping a
}
control_cleanup()
{
	stop_all
}

atf_test_case far_killed cleanup
far_killed_head()
{
	atf_set descr "the far node killed mid-transfer: the near client" \
	    "ends within the idle timeout and the proxy serves on"
	atf_set timeout 200
}
far_killed_body()
{
	line3 ours ours ours
	$PROXYIO fetch 127.0.0.1:"$FPORT" 100000000000 1 >fetch.out 2>&1 &
	_fetch=$!
	wait_until 20 eval "ss -Htn state established '( dport = :$SERVE )' |
	    grep -q ." || atf_fail "no stream reached c's server"
	kill -9 "$(cat c.pid)"
	# QUIC's idle timeout is 30 s; the far netd may also go first.
	wait_exit "$_fetch" 60
	grep -q "^100000000000 " fetch.out && atf_fail "all of it came"
	node ours c --tcp-peer address=127.0.0.1:"$BPORT" \
	    --tcp-client service=fwd address=127.0.0.1:"$SINK"
	rm -f sink.out
	# a may hold the old c's route until b sees it gone: try again.
	wait_until 40 eval "$PROXYIO send 127.0.0.1:$APORT 1000000 >sent.out"
	wait_until 20 grep -qxF "$(cat sent.out)" sink.out
}
far_killed_cleanup()
{
	stop_all
}

# ads NODE SERVICES: NODE's status lists c's proxy ads, SERVICES exactly.
ads()
{
	[ "$(ads_of "$1" c "TCP Proxy" address | tr '\n' ' ')" = "$2" ] &&
	    return 0
	grep -o '"Advertisements".*' status.json >&2
	return 1
}

atf_test_case ads_reload cleanup
ads_reload_head()
{
	atf_set descr "proxies advertised as Go's do, seen by our node and" \
	    "Go's; a reload adds and removes them"
}
ads_reload_body()
{
	need_go
	_p=$(free_port)
	cat >c.yml <<-EOT
	- tcp-peer:
	    address: 127.0.0.1:$_p
	- tcp-client:
	    service: fwd
	    address: 127.0.0.1:9
	EOT
	node ours b --tcp-listener port="$_p" bindaddr=127.0.0.1
	node go g --tcp-peer address=127.0.0.1:"$_p"
	node ours c --config "$PWD/c.yml"
	wait_until 30 ads b "fwd 1 127.0.0.1:9 "
	wait_until 30 ads g "fwd 1 127.0.0.1:9 "
	sed -i 's/fwd/other/; s/:9$/:7/' c.yml
	atf_check -o ignore "$RCPTCTL" --socket "$PWD/c.sock" reload
	wait_until 30 ads b "other 1 127.0.0.1:7 "
	wait_until 30 ads g "other 1 127.0.0.1:7 "
}
ads_reload_cleanup()
{
	stop_all
}

atf_test_case stream_tls cleanup
stream_tls_head()
{
	atf_set descr "TLS on the stream between tcp-server and tcp-client;" \
	    "a certificate for another node refused with a log line"
	atf_set "require.progs" "openssl"
}
stream_tls_body()
{
	mkca ca
	mkcert ca c
	mkcert ca x
	mkcert ca a
	SINK=$(free_port)
	helper sink sink "$SINK" "$PWD/sink.out"
	_b=$(free_port)
	_ok=$(free_port)
	_bad=$(free_port)
	node ours c --tcp-listener port="$_b" bindaddr=127.0.0.1 \
	    --tls-server name=good cert="$PWD/c.crt" key="$PWD/c.key" \
	    --tls-server name=wrong cert="$PWD/x.crt" key="$PWD/x.key" \
	    skipreceptornamescheck=true \
	    --tcp-client service=good tlsserver=good address=127.0.0.1:"$SINK" \
	    --tcp-client service=wrong tlsserver=wrong \
	    address=127.0.0.1:"$SINK"
	node ours a --tcp-peer address=127.0.0.1:"$_b" \
	    --tls-client name=cli rootcas="$PWD/ca.crt" cert="$PWD/a.crt" \
	    key="$PWD/a.key" \
	    --tcp-server port="$_ok" bindaddr=127.0.0.1 remotenode=c \
	    remoteservice=good tlsclient=cli \
	    --tcp-server port="$_bad" bindaddr=127.0.0.1 remotenode=c \
	    remoteservice=wrong tlsclient=cli
	wait_until 20 has_route a c
	_l=$($PROXYIO send 127.0.0.1:"$_ok" 1000000) || atf_fail send
	sent 1 "$_l" "over TLS"
	$PROXYIO send 127.0.0.1:"$_bad" 1000 >/dev/null 2>&1
	wait_log "tcp-server 127.0.0.1:$_bad: c:wrong: .*node c" 20 a.log
	[ -s sink.out ] && atf_fail "a wrong certificate's stream came through"
	return 0
}
stream_tls_cleanup()
{
	stop_all
}

# tls_line NEAR FAR: tcp-servers of NEAR speaking TLS, to tcp-clients of
# FAR speaking TLS: $SEND_TO to the TLS sink on $SINK, $FETCH_FROM to a
# TLS serve; $WP to a TLS sink whose certificate names another host.
tls_line()
{
	mkca ca
	mkcert ca a
	mkcert ca c
	mkcert ca sink
	MKCERT_HOSTS=DNS:elsewhere.example mkcert ca sink wrong
	SINK=$(free_port)
	_wsink=$(free_port)
	_serve=$(free_port)
	_b=$(free_port)
	_ap=$(free_port)
	_fp=$(free_port)
	WP=$(free_port)
	PROXYIO_CERT=sink.crt PROXYIO_KEY=sink.key \
	    helper sink sink "$SINK" "$PWD/sink.out"
	PROXYIO_CERT=wrong.crt PROXYIO_KEY=wrong.key \
	    helper wsink sink "$_wsink" "$PWD/wsink.out"
	PROXYIO_CERT=sink.crt PROXYIO_KEY=sink.key \
	    helper serve serve "$_serve"
	node "$2" c --tcp-listener port="$_b" bindaddr=127.0.0.1 \
	    --tls-client name=tosink rootcas="$PWD/ca.crt" \
	    cert="$PWD/c.crt" key="$PWD/c.key" \
	    --tcp-client service=fwd address=127.0.0.1:"$SINK" \
	    tlsclient=tosink \
	    --tcp-client service=back address=127.0.0.1:"$_serve" \
	    tlsclient=tosink \
	    --tcp-client service=wrong address=127.0.0.1:"$_wsink" \
	    tlsclient=tosink
	node "$1" a --tcp-peer address=127.0.0.1:"$_b" \
	    --tls-server name=front cert="$PWD/a.crt" key="$PWD/a.key" \
	    --tcp-server port="$_ap" bindaddr=127.0.0.1 remotenode=c \
	    remoteservice=fwd tlsserver=front \
	    --tcp-server port="$_fp" bindaddr=127.0.0.1 remotenode=c \
	    remoteservice=back tlsserver=front \
	    --tcp-server port="$WP" bindaddr=127.0.0.1 remotenode=c \
	    remoteservice=wrong tlsserver=front
	wait_until 20 has_route a c
	export PROXYIO_CA="$PWD/ca.crt"
	SEND_TO=127.0.0.1:$_ap
	FETCH_FROM=127.0.0.1:$_fp
}

atf_test_case tcp_tls cleanup
tcp_tls_head()
{
	atf_set descr "TLS on both TCP sides: a client's TLS to the" \
	    "tcp-server, the tcp-client's to a TLS server, byte-exact each" \
	    "way; a sink certificate for another host refused with a log line"
	atf_set "require.progs" "openssl"
	atf_set timeout 200
}
tcp_tls_body()
{
	tls_line ours ours
	transfers 33554432 10 "32 MiB each way over TLS"
	$PROXYIO send 127.0.0.1:"$WP" 1000 >/dev/null 2>&1
	wait_log "tcp-client wrong: certificate is not valid for IP address" \
	    20 c.log
	grep -qv "^0 " wsink.out 2>/dev/null &&
	    atf_fail "a wrong certificate's sink got bytes"
	_l=$($PROXYIO send "$SEND_TO" 1000) || atf_fail "send after"
	sent 1 "$_l" "after the refusal"
}
tcp_tls_cleanup()
{
	stop_all
}

atf_test_case tcp_tls_mixed cleanup
tcp_tls_mixed_head()
{
	atf_set descr "TLS on both TCP sides with Go's tcp-server before" \
	    "our tcp-client, and ours before Go's"
	atf_set "require.progs" "openssl"
	atf_set timeout 200
}
tcp_tls_mixed_body()
{
	need_go
	each_line mixed_tls_line "go ours" "ours go"
}
mixed_tls_line()
{
	tls_line "$@"
	transfers 4000000 5 "$*"
}
tcp_tls_mixed_cleanup()
{
	stop_dirs
}

atf_test_case packet_size cleanup
packet_size_head()
{
	atf_set descr "streams between our nodes fill the mesh's 16384-byte" \
	    "messages; to Go's, packets are the 1200 bytes Go sends"
}
packet_size_body()
{
	need_go
	SINK=$(free_port)
	helper sink sink "$SINK" "$PWD/sink.out"
	_b=$(free_port)
	_ours=$(free_port)
	_go=$(free_port)
	node ours b --tcp-listener port="$_b" bindaddr=127.0.0.1 \
	    --tcp-client service=fwd address=127.0.0.1:"$SINK"
	node go g --tcp-peer address=127.0.0.1:"$_b" \
	    --tcp-client service=fwd address=127.0.0.1:"$SINK"
	node ours a --tcp-peer address=127.0.0.1:"$_b" --log-level debug \
	    --tcp-server port="$_ours" bindaddr=127.0.0.1 remotenode=b \
	    remoteservice=fwd \
	    --tcp-server port="$_go" bindaddr=127.0.0.1 remotenode=g \
	    remoteservice=fwd
	wait_until 20 has_route a g b
	for _p in "$_ours" "$_go"; do
		_l=$($PROXYIO send 127.0.0.1:"$_p" 1000000) || atf_fail send
		sent 1 "$_l" "to port $_p"
	done
	grep -q "quic with b:fwd: packets of up to 16348 bytes" a.log ||
	    atf_fail "not the mesh's size to our node"
	grep -q "quic with g:fwd: packets of up to 1200 bytes" a.log ||
	    atf_fail "not Go's size to Go's node"
}
packet_size_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case tcp
	atf_add_test_case tcp_mixed
	atf_add_test_case control
	atf_add_test_case far_killed
	atf_add_test_case ads_reload
	atf_add_test_case stream_tls
	atf_add_test_case packet_size
	atf_add_test_case tcp_tls
	atf_add_test_case tcp_tls_mixed
}
