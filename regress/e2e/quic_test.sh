#! /usr/bin/env atf-sh
#
# netd's QUIC streams against quic-go, the QUIC of Go receptor: quicudp
# runs netd/quic.c over UDP on 127.0.0.1 and quicpeer (Debian's quic-go)
# plays Go receptor's listener and dialer (PROTOCOL.md 3); gonode joins a
# real node's mesh over UDP and carries quic-go streams in its messages.

. "$(atf_get_srcdir)/lib.subr"

QUICUDP="$(atf_get_srcdir)/../interop/quicudp"
QUICPEER="$(atf_get_srcdir)/../interop/quicpeer"
GONODE="$(atf_get_srcdir)/../interop/gonode"

# cnode: node cnode on a new UDP listener $port, ready for gonode.
cnode()
{
	port=$(free_port)
	start_named cnode --udp-listener port="$port" bindaddr=127.0.0.1
	wait_log 'Initialization complete' 10 cnode.log
}

# listen_with PROGRAM [CN]: a listener on a new $port, ready.
listen_with()
{
	port=$(free_port)
	"$1" listen "$port" ${2:+"$2"} >listener.out 2>listener.err &
	echo $! >listener.pid
	wait_until 10 grep -q '^listening$' listener.out
}

# round_trip LISTENER DIALER: a message longer than the stream windows'
# first grant, from DIALER to LISTENER's echo and back.
round_trip()
{
	listen_with "$1"
	msg=$(head -c 90000 /dev/urandom | base64 -w 0)
	atf_check -o inline:"$msg\n" "$2" dial "$port" "$msg"
}

atf_test_case go_dials_us cleanup
go_dials_us_head()
{
	atf_set "descr" "quic-go dials our listener: its stream comes back"
	atf_set "require.progs" "$QUICPEER"
}
go_dials_us_body()
{
	round_trip "$QUICUDP" "$QUICPEER"
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
	round_trip "$QUICPEER" "$QUICUDP"
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
	listen_with "$QUICPEER" somebody
	atf_check -s exit:1 -e inline:"quicudp: dial: CRYPTO_ERROR 0x12a (local): insecure connection to secure service\n" \
	    "$QUICUDP" dial "$port" hello
}
secure_service_cleanup()
{
	stop_named listener
}

atf_test_case gonode_dials_control cleanup
gonode_dials_control_head()
{
	atf_set "descr" "A quic-go node in the mesh reaches our control service"
	atf_set "require.progs" "$GONODE"
}
gonode_dials_control_body()
{
	cnode
	atf_check -o match:'^Receptor Control, node cnode$' \
	    -o match:'^\{.*"RoutingTable":\{"gonode":"gonode"\}' \
	    timeout 60 "$GONODE" "$port" cnode dial control status
}
gonode_dials_control_cleanup()
{
	stop_all
}

atf_test_case connect_to_gonode cleanup
connect_to_gonode_head()
{
	atf_set "descr" "rcptctl connect reaches a quic-go service in the mesh"
	atf_set "require.progs" "$GONODE"
}
connect_to_gonode_body()
{
	cnode
	"$GONODE" "$port" cnode listen echo >gonode.out 2>gonode.err &
	echo $! >gonode.pid
	wait_until 15 grep -q '^listening$' gonode.out
	wait_until 15 has_route cnode gonode gonode
	head -c 300000 /dev/urandom | base64 -w 0 >sent
	atf_check -o save:got timeout 60 "$RCPTCTL" --socket "$PWD/cnode.sock" \
	    connect gonode echo <sent
	# rcptctl ends the stream's output with a newline, as receptorctl.
	atf_check -o file:sent tr -d '\n' <got
}
connect_to_gonode_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case go_dials_us
	atf_add_test_case we_dial_go
	atf_add_test_case secure_service
	atf_add_test_case gonode_dials_control
	atf_add_test_case connect_to_gonode
}
