#! /usr/bin/env atf-sh
#
# Unix socket proxies: a unix-socket-server on node a forwards to a
# unix-socket-client on node c, through b, to a sink or a server on Unix
# sockets; ours and Go receptor's (../shared/interop) in every position.
# The parent makes and connects the sockets; netd has no file access.

. "$(atf_get_srcdir)/lib.subr"
. "$(atf_get_srcdir)/proxy.subr"

# uline3 NEAR MID FAR: a - b - c of these kinds; a's unix-socket-server
# in.sock ($SEND_TO) reaches c's unix-socket-client "fwd" to the sink on
# sink.sock, and back.sock ($FETCH_FROM) "back" to the server on
# serve.sock.
uline3()
{
	_b=$(free_port)
	helper sink sink "unix:$PWD/sink.sock" "$PWD/sink.out"
	helper serve serve "unix:$PWD/serve.sock"
	wait_until 10 test -S sink.sock -a -S serve.sock
	node "$2" b --tcp-listener port="$_b" bindaddr=127.0.0.1
	node "$3" c --tcp-peer address=127.0.0.1:"$_b" \
	    --unix-socket-client service=fwd filename="$PWD/sink.sock" \
	    --unix-socket-client service=back filename="$PWD/serve.sock"
	node "$1" a --tcp-peer address=127.0.0.1:"$_b" \
	    --unix-socket-server filename="$PWD/in.sock" remotenode=c \
	    remoteservice=fwd permissions=0660 \
	    --unix-socket-server filename="$PWD/back.sock" remotenode=c \
	    remoteservice=back
	wait_until 20 has_route a c b
	SEND_TO=unix:$PWD/in.sock
	FETCH_FROM=unix:$PWD/back.sock
}

atf_test_case unix cleanup
unix_head()
{
	atf_set descr "unix-socket-server to unix-socket-client over 3 of" \
	    "our nodes: 64 MB byte-exact each way, 50 connections at once," \
	    "the socket's permissions, Go's ad"
	atf_set timeout 200
}
unix_body()
{
	uline3 ours ours ours
	atf_check -o inline:"660\n" stat -c %a in.sock
	atf_check -o inline:"600\n" stat -c %a back.sock
	transfers 67108864 50 "ours ours ours"
	atf_check_equal "back 1 $PWD/serve.sock
fwd 1 $PWD/sink.sock" "$(ads_of a c "Unix Proxy" filename)"
}
unix_cleanup()
{
	stop_all
}

atf_test_case unix_mixed cleanup
unix_mixed_head()
{
	atf_set descr "unix-socket-server to unix-socket-client through lines" \
	    "mixing our nodes and Go's"
	atf_set timeout 400
}
unix_mixed_body()
{
	need_go
	each_line mixed_line "ours ours go" "go ours ours" "ours go ours"
}
mixed_line()
{
	uline3 "$@"
	transfers 20000000 10 "$*"
}
unix_mixed_cleanup()
{
	stop_dirs
}

atf_test_case unix_reload cleanup
unix_reload_head()
{
	atf_set descr "a reload adds, changes and removes unix-socket-servers:" \
	    "their files come and go, a kept one keeps serving"
}
# server_yml NAME [MODE]: a unix-socket-server item on NAME.sock to fwd.
server_yml()
{
	cat <<-EOT
	- unix-socket-server:
	    filename: $PWD/$1.sock
	    remotenode: localhost
	    remoteservice: fwd
	EOT
	[ -n "$2" ] && echo "    permissions: $2"
	return 0
}

unix_reload_body()
{
	helper sink sink "unix:$PWD/sink.sock" "$PWD/sink.out"
	wait_until 10 test -S sink.sock
	cat >base.yml <<-EOT
	- tcp-listener:
	    port: $(free_port)
	    bindaddr: 127.0.0.1
	- unix-socket-client:
	    service: fwd
	    filename: $PWD/sink.sock
	EOT
	{ cat base.yml; server_yml one; } >a.yml
	node ours a --config "$PWD/a.yml"
	wait_until 10 test -S one.sock
	_l=$($PROXYIO send "unix:$PWD/one.sock" 100000) || atf_fail "send"
	sent 1 "$_l" "one"
	{ cat base.yml; server_yml one; server_yml two 0640; } >a.yml
	atf_check -o ignore "$RCPTCTL" --socket "$PWD/a.sock" reload
	atf_check -o inline:"640\n" stat -c %a two.sock
	for _s in one two; do
		_l=$($PROXYIO send "unix:$PWD/$_s.sock" 100000) ||
		    atf_fail "send to $_s"
		sent 1 "$_l" "$_s after the reload"
	done
	# one's item changes its mode: the same socket, chmodded
	{ cat base.yml; server_yml one 0666; } >a.yml
	atf_check -o ignore "$RCPTCTL" --socket "$PWD/a.sock" reload
	atf_check -o inline:"666\n" stat -c %a one.sock
	[ -e two.sock ] && atf_fail "two.sock is left"
	[ -e two.sock.lock ] && atf_fail "two.sock.lock is left"
	_l=$($PROXYIO send "unix:$PWD/one.sock" 100000) || atf_fail "send"
	sent 1 "$_l" "one after the second reload"
}
unix_reload_cleanup()
{
	stop_all
}

atf_test_case unix_refused cleanup
unix_refused_head()
{
	atf_set descr "a unix-socket-client whose socket is missing: the" \
	    "stream ends with a log line, the node serves on"
}
unix_refused_body()
{
	node ours a --tcp-listener port="$(free_port)" bindaddr=127.0.0.1 \
	    --unix-socket-client service=fwd filename="$PWD/none.sock" \
	    --unix-socket-server filename="$PWD/in.sock" \
	    remotenode=localhost remoteservice=fwd
	wait_until 10 test -S in.sock
	$PROXYIO send "unix:$PWD/in.sock" 1000 >/dev/null 2>&1
	wait_log "unix-socket-client fwd: dial unix $PWD/none.sock: .*No such" \
	    20 a.log
	ctl a ping a >/dev/null || atf_fail "a no longer answers"
}
unix_refused_cleanup()
{
	stop_all
}

atf_test_case unix_taken cleanup
unix_taken_head()
{
	atf_set descr "a unix-socket-server's socket locked by another node:" \
	    "the start fails naming the lock file"
}
unix_taken_body()
{
	node ours a --tcp-listener port="$(free_port)" bindaddr=127.0.0.1 \
	    --unix-socket-server filename="$PWD/in.sock" \
	    remotenode=localhost remoteservice=fwd
	wait_until 10 test -S in.sock
	_why="unix-socket-server: could not acquire lock on socket file"
	atf_check -s exit:1 -e match:"$_why $PWD/in.sock.lock" \
	    "$RECEPTOR" --node id=b datadir="$PWD/b.data" \
	    --tcp-listener port="$(free_port)" \
	    --unix-socket-server filename="$PWD/in.sock" \
	    remotenode=localhost remoteservice=fwd
}
unix_taken_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case unix
	atf_add_test_case unix_mixed
	atf_add_test_case unix_reload
	atf_add_test_case unix_refused
	atf_add_test_case unix_taken
}
