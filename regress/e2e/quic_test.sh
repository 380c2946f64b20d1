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

# cnode [ARGS...]: node cnode on a new UDP listener $port, ready for
# gonode.
cnode()
{
	port=$(free_port)
	start_named cnode --udp-listener port="$port" bindaddr=127.0.0.1 "$@"
	wait_log 'Initialization complete' 10 cnode.log
}

# certs: a CA, and certificates for cnode, gonode and a node called other.
certs()
{
	mkca ca
	for n in cnode gonode other; do
		mkcert ca "$n"
	done
}

# tls_control: cnode with a control service "secure" behind a
# tls-server that wants client certificates of the CA.
tls_control()
{
	certs
	cnode --tls-server name=srv cert="$PWD/cnode.crt" \
	    key="$PWD/cnode.key" requireclientcert=true clientcas="$PWD/ca.crt" \
	    --control-service service=secure tls=srv
}

# tls_dialer: cnode with a tls-client cli for services of the CA.
tls_dialer()
{
	certs
	cnode --tls-client name=cli cert="$PWD/cnode.crt" key="$PWD/cnode.key" \
	    rootcas="$PWD/ca.crt"
}

# gonode_echo [CERT]: gonode serving echo, with CERT's TLS (cnode must
# then have a tls-client cli) or the throwaway certificate.
gonode_echo()
{
	"$GONODE" ${1:+-tls "$1.crt,$1.key,ca.crt"} "$port" cnode listen echo \
	    >gonode.out 2>gonode.err &
	echo $! >gonode.pid
	wait_until 15 grep -q '^listening$' gonode.out
	wait_until 15 has_route cnode gonode gonode
}

# listen_with PROGRAM [CN]: a listener on a new $port, ready.
listen_with()
{
	port=$(free_port)
	"$1" listen "$port" ${2:+"$2"} >listener.out 2>listener.err &
	echo $! >listener.pid
	wait_until 10 grep -q '^listening$' listener.out
}

# round_trip LISTENER DIALER [STDERR]: a message longer than the stream
# windows' first grant, from DIALER to LISTENER's echo and back; DIALER's
# standard error as atf_check's -e checks it, empty unless given.
round_trip()
{
	listen_with "$1"
	msg=$(head -c 90000 /dev/urandom | base64 -w 0)
	atf_check -o inline:"$msg\n" -e "${3:-empty}" "$2" dial "$port" "$msg"
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
	# quic-go's transport parameters say 1452: Go's own packets it gets
	round_trip "$QUICPEER" "$QUICUDP" \
	    match:"quic with gonode:control: packets of up to 1200 bytes$"
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
	atf_check -s exit:1 \
	    -e match:'^quicudp: dial: CRYPTO_ERROR 0x12a \(local\): insecure connection to secure service$' \
	    -e match:'refused a stream to gonode:control: insecure connection' \
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
	gonode_echo
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

atf_test_case gonode_tls_control cleanup
gonode_tls_control_head()
{
	atf_set "descr" "quic-go with a client certificate reaches a TLS control service"
	atf_set "require.progs" "$GONODE openssl"
}
gonode_tls_control_body()
{
	tls_control
	atf_check -o match:'^Receptor Control, node cnode$' \
	    -o match:'^\{.*"NodeID":"cnode"' timeout 60 "$GONODE" \
	    -tls gonode.crt,gonode.key,ca.crt "$port" cnode dial secure status
}
gonode_tls_control_cleanup()
{
	stop_all
}

atf_test_case gonode_wrong_node cleanup
gonode_wrong_node_head()
{
	atf_set "descr" "A client certificate of another node is refused, and said why"
	atf_set "require.progs" "$GONODE openssl"
}
gonode_wrong_node_body()
{
	tls_control
	# quic-go prints the reason our TLS alert came with.
	atf_check -s exit:1 \
	    -e match:'CRYPTO_ERROR.*0x12a.*its certificate is not valid for node gonode' \
	    timeout 60 "$GONODE" -tls other.crt,other.key,ca.crt "$port" cnode \
	    dial secure status
	wait_log 'refused a stream from gonode:[A-Za-z0-9]+: its certificate is not valid for node gonode' \
	    10 cnode.log
}
gonode_wrong_node_cleanup()
{
	stop_all
}

atf_test_case connect_tls_to_gonode cleanup
connect_tls_to_gonode_head()
{
	atf_set "descr" "connect with a tls-client reaches quic-go's TLS service"
	atf_set "require.progs" "$GONODE openssl"
}
connect_tls_to_gonode_body()
{
	tls_dialer
	gonode_echo gonode
	echo hello >sent
	atf_check -o inline:'hello\n\n' timeout 60 "$RCPTCTL" \
	    --socket "$PWD/cnode.sock" connect --tls-client cli gonode echo <sent
}
connect_tls_to_gonode_cleanup()
{
	stop_all
}

atf_test_case connect_tls_wrong_node cleanup
connect_tls_wrong_node_head()
{
	atf_set "descr" "connect refuses a service whose certificate names another node"
	atf_set "require.progs" "$GONODE openssl"
}
connect_tls_wrong_node_body()
{
	tls_dialer
	gonode_echo other
	atf_check -s exit:1 -o ignore \
	    -e match:'CRYPTO_ERROR 0x12a \(local\): its certificate is not valid for node gonode' \
	    timeout 60 "$RCPTCTL" --socket "$PWD/cnode.sock" connect \
	    --tls-client cli gonode echo </dev/null
}
connect_tls_wrong_node_cleanup()
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
	atf_add_test_case gonode_tls_control
	atf_add_test_case gonode_wrong_node
	atf_add_test_case connect_tls_to_gonode
	atf_add_test_case connect_tls_wrong_node
}
