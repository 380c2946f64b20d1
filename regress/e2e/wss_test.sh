#! /usr/bin/env atf-sh
#
# WebSocket backends over TLS (wss://) between real daemons on 127.0.0.1,
# with a CA and node certificates made by lib.subr's openssl(1) helpers:
# mutual TLS, the refusals (wrong CA, pins, wrong node ID), TLS 1.3 only,
# insecureskipverify and the system's roots for a wss:// URL alone.

. "$(atf_get_srcdir)/lib.subr"

atf_test_case mutual cleanup
mutual_head()
{
	atf_set "descr" "Mutual TLS over wss:// between foo and bar carries" \
	    "the mesh"
	atf_set "require.progs" "openssl"
}
mutual_body()
{
	mkca ca
	mkcert ca foo
	mkcert ca bar
	tls_listen ws foo $(tls_server foo)
	start_named bar $(tls_client bar) \
	    --ws-peer address=wss://localhost:"$port"/ tls=cli
	linked foo bar
}
mutual_cleanup()
{
	stop_all
}

atf_test_case wrong_ca cleanup
wrong_ca_head()
{
	atf_set "descr" "Certificates of another CA are refused both ways"
	atf_set "require.progs" "openssl"
}
wrong_ca_body()
{
	mkca ca
	mkca other
	mkcert ca foo
	mkcert other bar
	mkcert ca fish
	tls_listen ws foo $(tls_server foo)
	# bar's certificate is not the CA's: foo refuses it.
	start_named bar $(tls_client bar) \
	    --ws-peer address=wss://127.0.0.1:"$port"/ tls=cli
	wait_log 'Backend connection failed \(will retry\): dial wss://127\.0\.0\.1:[0-9]+/: ' 10 bar.log
	# fish trusts another CA than foo's: fish refuses foo.
	start_named fish --tls-client name=cli cert="$PWD/fish.crt" \
	    key="$PWD/fish.key" rootcas="$PWD/other.crt" \
	    --ws-peer address=wss://localhost:"$port"/ tls=cli
	wait_log 'Backend connection failed \(will retry\): dial wss://localhost:[0-9]+/: .*certificate' 10 fish.log
	lacks_route foo bar || atf_fail "foo has a route to bar"
	lacks_route foo fish || atf_fail "foo has a route to fish"
	lacks_route fish foo || atf_fail "fish has a route to foo"
}
wrong_ca_cleanup()
{
	stop_all
}

atf_test_case pins cleanup
pins_head()
{
	atf_set "descr" "Pinned fingerprints over wss://: a mismatch is" \
	    "refused, a match works"
	atf_set "require.progs" "openssl"
}
pins_body()
{
	mkca ca
	mkcert ca foo
	mkcert ca bar
	mkcert ca fish
	tls_listen ws foo $(tls_server foo \
	    pinnedclientcert="$(fingerprint sha512 bar.crt)")
	# fish pins bar's certificate, not foo's, and foo pins only bar.
	start_named fish $(tls_client fish \
	    pinnedservercert="$(fingerprint sha256 bar.crt)") \
	    --ws-peer address=wss://localhost:"$port"/ tls=cli
	wait_log 'Backend connection failed \(will retry\): .*: presented certificate does not match any pinned fingerprint' 10 fish.log
	start_named bar $(tls_client bar \
	    pinnedservercert="$(fingerprint sha256 foo.crt)") \
	    --ws-peer address=wss://localhost:"$port"/ tls=cli
	wait_until 15 has_route foo bar bar
	atf_check -o match:'^Reply from foo in ' \
	    "$RCPTCTL" --socket "$PWD/bar.sock" ping foo --count 1
	lacks_route foo fish || atf_fail "foo has a route to fish"
}
pins_cleanup()
{
	stop_all
}

atf_test_case wrong_node cleanup
wrong_node_head()
{
	atf_set "descr" "A wss:// peer whose certificate names another node" \
	    "is refused"
	atf_set "require.progs" "openssl"
}
wrong_node_body()
{
	mkca ca
	mkcert ca foo
	mkcert ca baz bar
	tls_listen ws foo $(tls_server foo)
	start_named bar $(tls_client bar skipreceptornamescheck=true) \
	    --ws-peer address=wss://localhost:"$port"/ tls=cli
	wait_log '^ERROR .* Backend error: foo: rejected connection with node bar because its certificate is not valid for node bar \(names: \[baz\]\)$' 10 foo.log
	lacks_route foo bar || atf_fail "foo has a route to bar"
}
wrong_node_cleanup()
{
	stop_all
}

atf_test_case insecure_tls13 cleanup
insecure_tls13_head()
{
	atf_set "descr" "insecureskipverify links to a TLS 1.3-only listener," \
	    "which refuses TLS 1.2; a wss:// URL without tls= trusts the" \
	    "system's roots only"
	atf_set "require.progs" "openssl"
}
insecure_tls13_body()
{
	mkca ca
	mkcert ca foo
	mkcert ca bar
	port=$(free_port)
	start_named foo --tls-server name=srv cert="$PWD/foo.crt" \
	    key="$PWD/foo.key" mintls13=true \
	    --ws-listener port="$port" bindaddr=127.0.0.1 tls=srv
	wait_log 'Initialization complete' 10 foo.log
	atf_check -s not-exit:0 -o ignore -e ignore -x \
	    "openssl s_client -connect 127.0.0.1:$port -tls1_2 </dev/null"
	start_named bar --tls-client name=cli cert="$PWD/bar.crt" \
	    key="$PWD/bar.key" insecureskipverify=true \
	    --ws-peer address=wss://127.0.0.1:"$port"/ tls=cli
	wait_until 15 has_route bar foo foo
	start_named fish --ws-peer address=wss://localhost:"$port"/
	wait_log 'Backend connection failed \(will retry\): dial wss://localhost:[0-9]+/: TLS handshake failed: certificate verification failed: ' 10 fish.log
	lacks_route foo fish || atf_fail "foo has a route to fish"
}
insecure_tls13_cleanup()
{
	stop_all
}

atf_test_case tls12_suites cleanup
tls12_suites_head()
{
	atf_set "descr" "TLS 1.2 offers Go's cipher suites and no others"
	atf_set "require.progs" "openssl"
}
tls12_suites_body()
{
	tls12_suites ws
}
tls12_suites_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case mutual
	atf_add_test_case wrong_ca
	atf_add_test_case pins
	atf_add_test_case wrong_node
	atf_add_test_case insecure_tls13
	atf_add_test_case tls12_suites
}
