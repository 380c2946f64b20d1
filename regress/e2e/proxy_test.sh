#! /usr/bin/env atf-sh
#
# Service proxies: a tcp-server on node a forwards to a tcp-client on node
# c, through b, to a sink or a server on 127.0.0.1; ours and Go
# receptor's (../shared/interop) in every position.

. "$(atf_get_srcdir)/lib.subr"

PROXYIO="python3 $(atf_get_srcdir)/proxyio.py"

# helper NAME ARGS...: a proxyio.py end, stopped with the nodes.
helper()
{
	_h=$1
	shift
	$PROXYIO "$@" >"$_h.log" 2>&1 &
	echo $! >"$_h.pid"
}

# line3 NEAR MID FAR: a - b - c of these kinds; a's tcp-server on $APORT
# reaches c's tcp-client "fwd" to the sink on $SINK, and "back" to the
# server on $SERVE.
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
}

# sent N LINES: the sink has recorded N connections, and LINES are theirs.
sent()
{
	wait_until 60 eval "[ \$(wc -l <sink.out 2>/dev/null || echo 0) -ge $1 ]"
	sort sink.out >sink.sorted
	echo "$2" | sort >sent.sorted
	cmp -s sink.sorted sent.sorted ||
	    atf_fail "$3: the sink got $(cat sink.sorted), sent $(cat sent.sorted)"
	rm sink.out
}

# transfers SIZE N WHAT: one SIZE transfer each way, then N at once.
transfers()
{
	_l=$($PROXYIO send 127.0.0.1:"$APORT" "$1") || atf_fail "$3: send"
	sent 1 "$_l" "$3"
	_got=$($PROXYIO fetch 127.0.0.1:"$FPORT" "$1" 7) ||
	    atf_fail "$3: fetch"
	atf_check_equal "$($PROXYIO expect "$1" 7)" "$_got"
	_l=$($PROXYIO many 127.0.0.1:"$APORT" "$2" 100000) ||
	    atf_fail "$3: many"
	sent "$2" "$_l" "$3"
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
	for _line in "ours ours go" "go ours ours" "ours go ours" \
	    "go go ours" "ours go go" "go ours go"; do
		_d=$(echo "$_line" | tr ' ' -)
		mkdir "$_d" && cd "$_d" || atf_fail cd
		line3 $_line
		transfers 20000000 10 "$_line"
		stop_all
		cd ..
	done
}
tcp_mixed_cleanup()
{
	stop_dirs
}


atf_init_test_cases()
{
	atf_add_test_case tcp
	atf_add_test_case tcp_mixed
}
