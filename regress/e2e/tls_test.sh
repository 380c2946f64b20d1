#! /usr/bin/env atf-sh
#
# TCP backends over TLS between real daemons on 127.0.0.1, with a CA and
# node certificates made here by openssl(1): mutual TLS, the refusals
# (wrong CA, wrong node ID, pins, plain TCP) and the start-up check of our
# own certificate.

. "$(atf_get_srcdir)/lib.subr"

atf_test_case mutual cleanup
mutual_head()
{
	atf_set "descr" "Mutual TLS between foo and bar carries the mesh"
	atf_set "require.progs" "openssl"
}
mutual_body()
{
	mkca ca
	mkcert ca foo
	mkcert ca bar
	tls_listen tcp foo $(tls_server foo)
	start_named bar $(tls_client bar) --tcp-peer address=localhost:"$port" \
	    tls=cli
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
	tls_listen tcp foo $(tls_server foo)
	# bar's certificate is not the CA's: foo refuses it.
	start_named bar $(tls_client bar) --tcp-peer address=127.0.0.1:"$port" \
	    tls=cli
	wait_log 'refused TLS connection from 127\.0\.0\.1:[0-9]+: TLS handshake failed: .*certificate' 10 foo.log
	# fish trusts another CA than foo's: fish refuses foo.
	start_named fish --tls-client name=cli cert="$PWD/fish.crt" \
	    key="$PWD/fish.key" rootcas="$PWD/other.crt" \
	    --tcp-peer address=localhost:"$port" tls=cli
	wait_log 'Backend connection failed \(will retry\): dial tcp localhost:[0-9]+: TLS handshake failed: certificate verification failed' 10 fish.log
	lacks_route foo bar || atf_fail "foo has a route to bar"
	lacks_route foo fish || atf_fail "foo has a route to fish"
}
wrong_ca_cleanup()
{
	stop_all
}

atf_test_case wrong_node cleanup
wrong_node_head()
{
	atf_set "descr" "A peer whose certificate names another node is refused"
	atf_set "require.progs" "openssl"
}
wrong_node_body()
{
	mkca ca
	mkcert ca foo
	mkcert ca baz bar
	tls_listen tcp foo $(tls_server foo)
	start_named bar $(tls_client bar skipreceptornamescheck=true) \
	    --tcp-peer address=localhost:"$port" tls=cli
	wait_log '^ERROR .* Backend error: foo: rejected connection with node bar because its certificate is not valid for node bar \(names: \[baz\]\)$' 10 foo.log
	lacks_route foo bar || atf_fail "foo has a route to bar"
}
wrong_node_cleanup()
{
	stop_all
}

atf_test_case pins cleanup
pins_head()
{
	atf_set "descr" "Pinned fingerprints: a mismatch is refused, a match works"
	atf_set "require.progs" "openssl"
}
pins_body()
{
	mkca ca
	mkcert ca foo
	mkcert ca bar
	mkcert ca fish
	tls_listen tcp foo $(tls_server foo \
	    pinnedclientcert="$(fingerprint sha512 bar.crt)")
	# fish pins bar's certificate, not foo's, and foo pins only bar.
	start_named fish $(tls_client fish \
	    pinnedservercert="$(fingerprint sha256 bar.crt)") \
	    --tcp-peer address=localhost:"$port" tls=cli
	wait_log 'Backend connection failed \(will retry\): .*: presented certificate does not match any pinned fingerprint' 10 fish.log
	start_named bar $(tls_client bar \
	    pinnedservercert="$(fingerprint sha256 foo.crt)") \
	    --tcp-peer address=localhost:"$port" tls=cli
	wait_until 15 has_route foo bar bar
	atf_check -o match:'^Reply from foo in ' "$RCPTCTL" --socket "$PWD/bar.sock" ping foo --count 1
	lacks_route foo fish || atf_fail "foo has a route to fish"
}
pins_cleanup()
{
	stop_all
}

atf_test_case plain_to_tls cleanup
plain_to_tls_head()
{
	atf_set "descr" "Plain TCP to a TLS listener is refused; it serves others"
	atf_set "require.progs" "openssl"
}
plain_to_tls_body()
{
	mkca ca
	mkcert ca foo
	mkcert ca fish
	tls_listen tcp foo $(tls_server foo)
	start_named bar --tcp-peer address=127.0.0.1:"$port"
	wait_log 'refused TLS connection from 127\.0\.0\.1:[0-9]+: first record does not look like a TLS handshake$' 10 foo.log
	start_named fish $(tls_client fish) --tcp-peer address=127.0.0.1:"$port" \
	    tls=cli
	wait_until 15 has_route fish foo foo
	atf_check -o match:'^Reply from fish in ' "$RCPTCTL" --socket "$PWD/foo.sock" ping fish --count 1
	lacks_route foo bar || atf_fail "foo has a route to bar"
}
plain_to_tls_cleanup()
{
	stop_all
}

atf_test_case own_cert cleanup
own_cert_head()
{
	atf_set "descr" "A certificate without our node ID stops the backend" \
	    "unless skipreceptornamescheck"
	atf_set "require.progs" "openssl"
}
own_cert_body()
{
	mkca ca
	mkcert ca bar
	tls_listen tcp foo $(tls_server bar)
	wait_log "^ERROR .* nodeID=foo not found in certificate name\(s\); names found=\[bar\]; cfg section=srv; server cert=$PWD/bar.crt\$" 10 foo.log
	wait_log '^ERROR .* tcp-listener on 127\.0\.0\.1:[0-9]+ failed to start$' 10 foo.log
	stop_named foo

	tls_listen tcp foo2 $(tls_server bar skipreceptornamescheck=true)
	start_named bar $(tls_client bar skipreceptornamescheck=true) \
	    --tcp-peer address=127.0.0.1:"$port" tls=cli
	wait_until 15 has_route bar foo2 foo2
	grep -q 'not found in certificate' foo2.log &&
	    atf_fail "foo2 checked its certificate"
	return 0
}
own_cert_cleanup()
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
	tls12_suites tcp
}
tls12_suites_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case mutual
	atf_add_test_case wrong_ca
	atf_add_test_case wrong_node
	atf_add_test_case pins
	atf_add_test_case plain_to_tls
	atf_add_test_case own_cert
	atf_add_test_case tls12_suites
}
