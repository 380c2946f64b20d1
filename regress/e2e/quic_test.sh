#! /usr/bin/env atf-sh
#
# netd's QUIC streams against quic-go, the QUIC of Go receptor: quicudp
# runs netd/quic.c over UDP on 127.0.0.1 and quicpeer (Debian's quic-go)
# plays Go receptor's listener and dialer (PROTOCOL.md 3).

. "$(atf_get_srcdir)/lib.subr"

QUICUDP="$(atf_get_srcdir)/../interop/quicudp"
QUICPEER="$(atf_get_srcdir)/../interop/quicpeer"

# listen_with PROGRAM ARGS...: a listener on a new $port, ready.
listen_with()
{
	port=$(free_port)
	"$@" listen "$port" >listener.out 2>listener.err &
	echo $! >listener.pid
	wait_until 10 grep -q '^listening$' listener.out
}

# A message longer than the stream windows' first grant, in one argument.
long_message()
{
	head -c 90000 /dev/urandom | base64 -w 0
}

atf_test_case go_dials_us cleanup
go_dials_us_head()
{
	atf_set "descr" "quic-go dials our listener: its stream comes back"
	atf_set "require.progs" "$QUICPEER"
}
go_dials_us_body()
{
	listen_with "$QUICUDP"
	msg=$(long_message)
	atf_check -o inline:"$msg\n" "$QUICPEER" dial "$port" "$msg"
}
go_dials_us_cleanup()
{
	stop_named listener
}

atf_test_case we_dial_go cleanup
we_dial_go_head()
{
	atf_set "descr" "We dial quic-go's listener: our stream comes back"
	atf_set "require.progs" "$QUICPEER"
}
we_dial_go_body()
{
	listen_with "$QUICPEER"
	msg=$(long_message)
	atf_check -o inline:"$msg\n" "$QUICUDP" dial "$port" "$msg"
}
we_dial_go_cleanup()
{
	stop_named listener
}

atf_test_case secure_service cleanup
secure_service_head()
{
	atf_set "descr" "A service without the throwaway name is refused as Go does"
	atf_set "require.progs" "$QUICPEER"
}
secure_service_body()
{
	port=$(free_port)
	"$QUICPEER" listen "$port" somebody >listener.out 2>listener.err &
	echo $! >listener.pid
	wait_until 10 grep -q '^listening$' listener.out
	atf_check -s exit:1 -e inline:"quicudp: dial: CRYPTO_ERROR 0x12a (local): insecure connection to secure service\n" \
	    "$QUICUDP" dial "$port" hello
}
secure_service_cleanup()
{
	stop_named listener
}

atf_init_test_cases()
{
	atf_add_test_case go_dials_us
	atf_add_test_case we_dial_go
	atf_add_test_case secure_service
}
