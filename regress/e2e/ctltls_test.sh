#! /usr/bin/env atf-sh
#
# The control service's TCP listener over TLS (tcptls), between a real
# node on 127.0.0.1 and rcptctl's tls:// sockets, with a CA and
# certificates made here by openssl(1).

. "$(atf_get_srcdir)/lib.subr"

# tls_node [FIELDS...]: node n1 with its Unix socket and a TLS control
# listener on $port ($sock for rcptctl), tls-server srv holding the
# FIELDS; a CA and n1's certificate are made the first time.
tls_node()
{
	[ -f ca.crt ] || mkca ca
	[ -f n1.crt ] || mkcert ca n1
	port=$(free_port)
	sock=tls://127.0.0.1:$port
	start_named n1 --local-only \
	    --control-service service=tlsctl tcplisten=127.0.0.1:"$port" \
	    tcptls=srv \
	    --tls-server name=srv cert="$PWD/n1.crt" key="$PWD/n1.key" "$@"
	wait_log 'Initialization complete' 10 n1.log
}

atf_test_case status cleanup
status_head()
{
	atf_set "descr" "status over tls:// with --rootcas; the server's" \
	    "name is checked unless --insecureskipverify"
	atf_set "require.progs" "openssl"
}
status_body()
{
	tls_node
	atf_check -o match:'^Node ID: n1$' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt status
	atf_check -o match:'^Node ID: n1$' \
	    "$RCPTCTL" --socket tls://localhost:"$port" --rootcas ca.crt status
	# Commands after the first go over the same session.
	atf_check -o match:'^Reply from n1 in ' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt ping n1 --count 2 --delay 0.1
	grep -q 'TLS handshake error' n1.log && atf_fail "a handshake failed"

	# A certificate for other names: the chain is good, the name is not.
	MKCERT_HOSTS=DNS:elsewhere.invalid mkcert ca n1
	stop_named n1
	tls_node
	atf_check -s exit:1 -e match:'^ERROR: TLS handshake with 127.0.0.1 failed: .*' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt status
	atf_check -o match:'^Node ID: n1$' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt --insecureskipverify status
}
status_cleanup()
{
	stop_all
}

atf_test_case client_cert cleanup
client_cert_head()
{
	atf_set "descr" "requireclientcert: no certificate is refused, one" \
	    "from clientcas is served, a pinned fingerprint must match"
	atf_set "require.progs" "openssl"
}
client_cert_body()
{
	tls_node requireclientcert=true clientcas="$PWD/ca.crt"
	mkcert ca cl
	atf_check -s exit:1 -e match:'^ERROR: .*certificate required' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt status
	wait_log 'TLS handshake error: .*certificate' 10 n1.log
	atf_check -o match:'^Node ID: n1$' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt --cert cl.crt --key cl.key status
	# A certificate from another CA.
	mkca ca2
	mkcert ca2 cl cl2
	atf_check -s exit:1 -e match:'^ERROR: ' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt --cert cl2.crt --key cl2.key status
	# The Unix socket is not touched by any of it.
	atf_check -o match:'^Node ID: n1$' "$RCPTCTL" --socket n1.sock status

	# pinnedclientcert: only cl's certificate, not another from the CA.
	mkcert ca cl cl3
	stop_named n1
	tls_node requireclientcert=true clientcas="$PWD/ca.crt" \
	    pinnedclientcert="$(fingerprint sha256 cl.crt)"
	atf_check -s exit:1 -e match:'^ERROR: ' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt --cert cl3.crt --key cl3.key status
	wait_log 'does not match any pinned fingerprint' 10 n1.log
	atf_check -o match:'^Node ID: n1$' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt --cert cl.crt --key cl.key status
}
client_cert_cleanup()
{
	stop_all
}

atf_test_case wrong_ca cleanup
wrong_ca_head()
{
	atf_set "descr" "A server certificate from a CA not in --rootcas" \
	    "fails the handshake with a clear error"
	atf_set "require.progs" "openssl"
}
wrong_ca_body()
{
	tls_node
	mkca other
	atf_check -s exit:1 \
	    -e match:'^ERROR: TLS handshake with 127.0.0.1 failed: certificate verification failed' \
	    "$RCPTCTL" --socket "$sock" --rootcas other.crt status
	# Without --rootcas the system's roots don't know our CA either.
	atf_check -s exit:1 -e match:'^ERROR: TLS handshake with ' \
	    "$RCPTCTL" --socket "$sock" status
}
wrong_ca_cleanup()
{
	stop_all
}

atf_test_case config cleanup
config_head()
{
	atf_set "descr" "--config and --tls-client (or RECEPTORCTL_CONFIG and" \
	    "RECEPTORCTL_TLSCLIENT) take the files of a tls-client item"
	atf_set "require.progs" "openssl"
}
config_body()
{
	tls_node requireclientcert=true clientcas="$PWD/ca.crt"
	mkcert ca cl
	cat >client.yml <<EOT
---
- node:
    id: cl
- tls-client:
    name: other
    rootcas: $PWD/nonexistent.crt
- tls-client:
    name: ctl
    rootcas: $PWD/ca.crt
    cert: $PWD/cl.crt
    key: $PWD/cl.key
EOT
	atf_check -o match:'^Node ID: n1$' \
	    "$RCPTCTL" --socket "$sock" --config client.yml --tls-client ctl status
	atf_check -o match:'^Node ID: n1$' \
	    env RECEPTORCTL_CONFIG=client.yml RECEPTORCTL_TLSCLIENT=ctl \
	    "$RCPTCTL" --socket "$sock" status
	atf_check -s exit:1 -e match:'^ERROR: no tls-client named nope in client.yml$' \
	    "$RCPTCTL" --socket "$sock" -c client.yml --tls-client nope status
	atf_check -s exit:1 -e match:'^ERROR: --config needs --tls-client' \
	    "$RCPTCTL" --socket "$sock" -c client.yml status
}
config_cleanup()
{
	stop_all
}

atf_test_case plain cleanup
plain_head()
{
	atf_set "descr" "A plain TCP client of the TLS listener is served" \
	    "nothing; the Unix socket goes on"
	atf_set "require.progs" "openssl perl"
}
plain_body()
{
	tls_node
	# It sends a line first: refused at once, no greeting.
	perl -e '
		use IO::Socket::INET;
		$SIG{ALRM} = sub { die "timed out\n" };
		alarm 20;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0]) or die "connect: $!\n";
		print $s "status\n";
		my $l = <$s>;
		print defined $l ? "got: $l" : "closed\n";
	' "$port" >plain.out
	atf_check -o inline:'closed\n' cat plain.out
	wait_log 'TLS handshake error: first record does not look like' 10 \
	    n1.log
	# rcptctl waits for the greeting: closed after the handshake limit.
	atf_check -s exit:1 -e match:'^ERROR: Failed to connect to Receptor socket' \
	    timeout 20 "$RCPTCTL" --socket tcp://127.0.0.1:"$port" status
	wait_log 'TLS handshake error: timed out after 10s' 5 n1.log
	atf_check -o match:'^Node ID: n1$' "$RCPTCTL" --socket n1.sock status
	atf_check -o match:'^Node ID: n1$' \
	    "$RCPTCTL" --socket "$sock" --rootcas ca.crt status
}
plain_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case status
	atf_add_test_case client_cert
	atf_add_test_case wrong_ca
	atf_add_test_case config
	atf_add_test_case plain
}
