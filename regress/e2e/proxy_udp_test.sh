#! /usr/bin/env atf-sh
#
# UDP proxies: a udp-server on node a forwards to a udp-client on node c,
# through b, to a UDP echo on 127.0.0.1; ours and Go receptor's
# (../shared/interop) in every position.

. "$(atf_get_srcdir)/lib.subr"
. "$(atf_get_srcdir)/proxy.subr"

# uline3 NEAR MID FAR: a - b - c of these kinds; a's udp-server on $UPORT
# reaches c's udp-client "echo" in front of the echo on $ECHO.
uline3()
{
	UPORT=$(free_port)
	ECHO=$(free_port)
	_b=$(free_port)
	helper uecho uecho "$ECHO"
	node "$2" b --tcp-listener port="$_b" bindaddr=127.0.0.1
	node "$3" c --tcp-peer address=127.0.0.1:"$_b" \
	    --udp-client service=echo address=127.0.0.1:"$ECHO"
	node "$1" a --tcp-peer address=127.0.0.1:"$_b" \
	    --udp-server port="$UPORT" bindaddr=127.0.0.1 remotenode=c \
	    remoteservice=echo
	wait_until 20 has_route a c b
}

# echoes N SIZE: N datagrams of SIZE bytes come back from the echo, each
# the same as sent.
echoes()
{
	atf_check -o inline:"$1 of $1\n" $PROXYIO usend 127.0.0.1:"$UPORT" \
	    "$1" "$2"
}

# sources K N SIZE: K sources at once each have N datagrams of SIZE
# bytes echoed exactly.
sources()
{
	atf_check -o inline:"$(yes "$2 of $2" | head -"$1")\n" \
	    $PROXYIO umany 127.0.0.1:"$UPORT" "$1" "$2" "$3"
}

atf_test_case udp cleanup
udp_head()
{
	atf_set descr "udp-server to udp-client over 3 of our nodes:" \
	    "datagrams up to 60000 bytes back exactly, 50 sources at once," \
	    "the ad as Go's"
	atf_set timeout 200
}
udp_body()
{
	uline3 ours ours ours
	echoes 500 1000
	echoes 20 60000
	sources 50 20 1400
	atf_check_equal "echo 0 127.0.0.1:$ECHO" \
	    "$(ads_of a c "UDP Proxy" address)"
}
udp_cleanup()
{
	stop_all
}

atf_test_case udp_mixed cleanup
udp_mixed_head()
{
	atf_set descr "udp-server to udp-client through lines mixing our" \
	    "nodes and Go's in every position"
	atf_set timeout 400
}
udp_mixed_body()
{
	need_go
	each_line mixed_line "ours ours go" "go ours ours" "ours go ours" \
	    "go go ours" "ours go go" "go ours go"
}
mixed_line()
{
	uline3 "$@"
	echoes 200 1000
	echoes 10 8000
	sources 10 10 1000
}
udp_mixed_cleanup()
{
	stop_dirs
}

atf_test_case udp_flood cleanup
udp_flood_head()
{
	atf_set descr "datagrams from more sources than a udp-server takes:" \
	    "new ones dropped and logged, the node serves on"
	atf_set timeout 120
}
udp_flood_body()
{
	_echo=$(free_port)
	_full=$(free_port)
	UPORT=$(free_port)
	helper uecho uecho "$_echo"
	node ours a --tcp-listener port="$(free_port)" bindaddr=127.0.0.1 \
	    --udp-client service=echo address=127.0.0.1:"$_echo" \
	    --udp-client service=flood address=127.0.0.1:"$_echo" \
	    --udp-server port="$_full" bindaddr=127.0.0.1 \
	    remotenode=localhost remoteservice=flood \
	    --udp-server port="$UPORT" bindaddr=127.0.0.1 \
	    remotenode=localhost remoteservice=echo
	echoes 10 100
	atf_check -o inline:"1000\n" $PROXYIO usources 127.0.0.1:"$_full" 1100
	wait_log "udp-server 127.0.0.1:$_full: 1000 sessions open" 20 a.log
	echoes 10 100
	ctl a ping a >/dev/null || atf_fail "a no longer answers"
}
udp_flood_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case udp
	atf_add_test_case udp_mixed
	atf_add_test_case udp_flood
}
