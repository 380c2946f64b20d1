#! /usr/bin/env atf-sh
#
# netd's QUIC streams against quic-go, the QUIC of Go receptor. quicudp
# runs netd/quic.c alone over UDP on 127.0.0.1 and quicpeer (Debian's
# quic-go) plays Go receptor's listener and dialer (PROTOCOL.md 3): that
# isolates the QUIC layer from the mesh, which no real daemon can. The
# streams a mesh carries are tested against the real Go receptor, node
# gonode, peering with our cnode over UDP.

. "$(atf_get_srcdir)/lib.subr"

QUICUDP="$(atf_get_srcdir)/../interop/quicudp"
QUICPEER="$(atf_get_srcdir)/../interop/quicpeer"

# cnode [ARGS...]: node cnode on a new UDP listener $port; ./ask, the
# command the tests send through connect to a control service.
cnode()
{
	echo status >ask
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

# gonode [ARGS...]: Go receptor's node gonode, a peer of cnode, each
# with a route to the other (Go may learn its route after ours).
gonode()
{
	need_go
	node go gonode --udp-peer address=127.0.0.1:"$port" "$@"
	wait_until 30 has_route cnode gonode gonode
	wait_until 30 has_route gonode cnode cnode
}

# gonode_secure CERT: gonode with a control service "secure" behind
# CERT's certificate (cnode must then have a tls-client cli); Go takes
# another node's only when told not to check it.
gonode_secure()
{
	gonode --tls-server name=srv cert="$PWD/$1.crt" key="$PWD/$1.key" \
	    skipreceptornamescheck=true \
	    --control-service service=secure tls=srv
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
	atf_set "descr" "A Go node reaches our control service"
}
gonode_dials_control_body()
{
	cnode
	gonode
	atf_check -o match:'^Receptor Control, node cnode$' \
	    -o match:'^\{.*"RoutingTable":\{"gonode":"gonode"\}' -e ignore \
	    "$RCPTCTL" --socket "$PWD/gonode.sock" connect cnode control <ask
}
gonode_dials_control_cleanup()
{
	stop_all
}

atf_test_case connect_to_gonode cleanup
connect_to_gonode_head()
{
	atf_set "descr" "rcptctl connect reaches a Go node's control service" \
	    "(proxy_test carries megabytes through Go's streams)"
}
connect_to_gonode_body()
{
	cnode
	gonode
	atf_check -o match:'^Receptor Control, node gonode$' \
	    -o match:'^\{.*"NodeID":"gonode"' \
	    "$RCPTCTL" --socket "$PWD/cnode.sock" connect gonode control <ask
}
connect_to_gonode_cleanup()
{
	stop_all
}

atf_test_case gonode_tls_control cleanup
gonode_tls_control_head()
{
	atf_set "descr" "A Go node with a client certificate reaches a TLS" \
	    "control service"
	atf_set "require.progs" "openssl"
}
gonode_tls_control_body()
{
	tls_control
	gonode $(tls_client gonode)
	atf_check -o match:'^Receptor Control, node cnode$' \
	    -o match:'^\{.*"NodeID":"cnode"' -e ignore \
	    "$RCPTCTL" --socket "$PWD/gonode.sock" connect --tls-client cli \
	    cnode secure <ask
}
gonode_tls_control_cleanup()
{
	stop_all
}

atf_test_case gonode_wrong_node cleanup
gonode_wrong_node_head()
{
	atf_set "descr" "A client certificate of another node is refused," \
	    "and said why"
	atf_set "require.progs" "openssl"
}
gonode_wrong_node_body()
{
	tls_control
	gonode $(tls_client other skipreceptornamescheck=true)
	# The client's TLS 1.3 handshake ends before we judge its
	# certificate: Go's connect gets a closed stream, no greeting.
	atf_check -o not-match:"Receptor Control" -e ignore \
	    "$RCPTCTL" --socket "$PWD/gonode.sock" connect --tls-client cli \
	    cnode secure <ask
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
	atf_set "descr" "connect with a tls-client reaches Go's TLS service"
	atf_set "require.progs" "openssl"
}
connect_tls_to_gonode_body()
{
	tls_dialer
	gonode_secure gonode
	atf_check -o match:'^Receptor Control, node gonode$' \
	    -o match:'^\{.*"NodeID":"gonode"' \
	    "$RCPTCTL" --socket "$PWD/cnode.sock" connect --tls-client cli \
	    gonode secure <ask
}
connect_tls_to_gonode_cleanup()
{
	stop_all
}

atf_test_case connect_tls_wrong_node cleanup
connect_tls_wrong_node_head()
{
	atf_set "descr" "connect refuses a service whose certificate names" \
	    "another node"
	atf_set "require.progs" "openssl"
}
connect_tls_wrong_node_body()
{
	tls_dialer
	gonode_secure other
	atf_check -s exit:1 -o ignore \
	    -e match:'CRYPTO_ERROR 0x12a \(local\): its certificate is not valid for node gonode' \
	    "$RCPTCTL" --socket "$PWD/cnode.sock" connect --tls-client cli \
	    gonode secure <ask
}
connect_tls_wrong_node_cleanup()
{
	stop_all
}

atf_test_case go_refuses_client_cert cleanup
go_refuses_client_cert_head()
{
	atf_set "descr" "Go's TLS service refuses our client certificate of" \
	    "another node"
	atf_set "require.progs" "openssl"
}
go_refuses_client_cert_body()
{
	certs
	cnode --tls-client name=cli cert="$PWD/other.crt" \
	    key="$PWD/other.key" rootcas="$PWD/ca.crt" skipreceptornamescheck=true
	gonode --tls-server name=srv cert="$PWD/gonode.crt" \
	    key="$PWD/gonode.key" requireclientcert=true clientcas="$PWD/ca.crt" \
	    --control-service service=secure tls=srv
	# Its check comes after our TLS 1.3 handshake ended: no greeting.
	atf_check -s ignore -o not-match:"Receptor Control" -e ignore \
	    "$RCPTCTL" --socket "$PWD/cnode.sock" connect --tls-client cli \
	    gonode secure <ask
	wait_log "RVF ReceptorNameError: expected cnode but found other" 10 \
	    gonode.log
}
go_refuses_client_cert_cleanup()
{
	stop_all
}

atf_test_case go_refuses_server_cert cleanup
go_refuses_server_cert_head()
{
	atf_set "descr" "Go's dialer refuses our TLS service's certificate" \
	    "of another node"
	atf_set "require.progs" "openssl"
}
go_refuses_server_cert_body()
{
	certs
	cnode --tls-server name=srv cert="$PWD/other.crt" \
	    key="$PWD/other.key" skipreceptornamescheck=true \
	    --control-service service=secure tls=srv
	gonode $(tls_client gonode)
	atf_check -s not-exit:0 -o not-match:"Receptor Control" \
	    -e match:"CRYPTO_ERROR 0x12a \(local\): x509: certificate is valid for Receptor node ID other, not cnode" \
	    "$RCPTCTL" --socket "$PWD/gonode.sock" connect --tls-client cli \
	    cnode secure <ask
}
go_refuses_server_cert_cleanup()
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
	atf_add_test_case go_refuses_client_cert
	atf_add_test_case go_refuses_server_cert
}
