#! /usr/bin/env atf-sh
#
# The certificate actions: the TLS docs' makecerts example made with
# receptor alone, read back by openssl(1) and used for mutual TLS between
# two nodes; the refusals of bad requests and bad files.

. "$(atf_get_srcdir)/lib.subr"

# makecerts: the docs' makecerts.sh, answering yes to each prompt.
makecerts()
{
	mkdir -p certs
	atf_check "$RECEPTOR" --cert-init commonname="test CA" bits=2048 \
	    outcert=certs/ca.crt outkey=certs/ca.key
	for node in foo bar; do
		makecert $node $node
	done
}

# makecert NAME NODE: a request for localhost and node NODE, signed.
makecert()
{
	atf_check "$RECEPTOR" --cert-makereq bits=2048 \
	    commonname="$1 test cert" dnsname=localhost nodeid="$2" \
	    outreq=certs/"$1".csr outkey=certs/"$1".key
	echo yes | "$RECEPTOR" --cert-signreq req=certs/"$1".csr \
	    cacert=certs/ca.crt cakey=certs/ca.key outcert=certs/"$1".crt \
	    >prompt || atf_fail "cert-signreq of $1 failed"
	atf_check -o match:"Receptor Node ID: $2" cat prompt
}

# signreq FILE [FIELDS...]: cert-signreq of FILE with the CA, no prompt
# unless verify=false, standard input from ./answer if it exists; its
# output in ./stdout and ./stderr, its exit status in $status.
signreq()
{
	_req=$1
	shift
	[ -f answer ] || : >answer
	"$RECEPTOR" --cert-signreq req="$_req" cacert=certs/ca.crt \
	    cakey=certs/ca.key outcert=out.crt verify=true "$@" \
	    <answer >stdout 2>stderr
	status=$?
}

# refused MESSAGE: the last signreq failed with Error: MESSAGE and wrote
# nothing.
refused()
{
	atf_check_equal 1 $status
	atf_check -o inline:"Error: $1\n" cat stderr
	[ ! -e out.crt ] || atf_fail "out.crt was written"
	no_temp
}

# no_temp: no temporary file of an output is left.
no_temp()
{
	[ -z "$(find . -name '.*' ! -name .)" ] ||
	    atf_fail "a temporary file is left: $(find . -name '.*')"
}

atf_test_case makecerts
makecerts_head()
{
	atf_set "descr" "The docs' makecerts example: a CA and certificates" \
	    "for foo and bar that openssl reads as Go's"
	atf_set "require.progs" "openssl"
}
makecerts_body()
{
	makecerts
	atf_check -o match:'^-----BEGIN CERTIFICATE-----$' head -1 certs/ca.crt
	atf_check -o match:'^-----BEGIN RSA PRIVATE KEY-----$' \
	    head -1 certs/ca.key
	atf_check -o match:'^-----BEGIN CERTIFICATE REQUEST-----$' \
	    head -1 certs/foo.csr
	atf_check -o inline:'600\n' stat -c %a certs/foo.key
	atf_check -o ignore -e match:'verify OK' \
	    openssl req -verify -noout -in certs/foo.csr
	openssl x509 -in certs/ca.crt -noout -text >ca.txt
	atf_check -o match:'Subject: CN ?= ?test CA' cat ca.txt
	atf_check -o match:'CA:TRUE' cat ca.txt
	atf_check -o match:'Digital Signature, Certificate Sign$' cat ca.txt
	atf_check -o match:'TLS Web Client Authentication, TLS Web Server' \
	    cat ca.txt
	atf_check -o match:"Serial Number: $(date +%s | cut -c1-6)" cat ca.txt
	openssl x509 -in certs/foo.crt -noout -text >foo.txt
	atf_check -o match:'Issuer: CN ?= ?test CA' cat foo.txt
	atf_check -o match:'Subject: CN ?= ?foo test cert' cat foo.txt
	atf_check -o match:'DNS:localhost, othername: ?(1\.3\.6\.1\.4\.1\.2312\.19\.1|<unsupported>):.*foo' \
	    cat foo.txt
	atf_check -o match:'Authority Key Identifier' cat foo.txt
	atf_check -o not-match:'CA:TRUE' cat foo.txt
	atf_check -o inline:'certs/foo.crt: OK\ncerts/bar.crt: OK\n' \
	    openssl verify -CAfile certs/ca.crt certs/foo.crt certs/bar.crt
	# Ten years for the CA, one for the others.
	atf_check -o match:"notAfter=.* $(( $(date -u +%Y) + 10 )) GMT" \
	    openssl x509 -in certs/ca.crt -noout -enddate
	atf_check -o match:"notAfter=.* $(( $(date -u +%Y) + 1 )) GMT" \
	    openssl x509 -in certs/foo.crt -noout -enddate
}

atf_test_case prompt
prompt_head()
{
	atf_set "descr" "cert-signreq prints the names and signs only on yes"
	atf_set "require.progs" "openssl"
}
prompt_body()
{
	mkdir certs
	atf_check "$RECEPTOR" --cert-init commonname=CA bits=2048 \
	    outcert=certs/ca.crt outkey=certs/ca.key \
	    notbefore=2024-01-02T15:04:05Z notafter=2034-01-02T15:04:05+01:00
	atf_check -o match:'notBefore=Jan  2 15:04:05 2024 GMT' \
	    openssl x509 -in certs/ca.crt -noout -startdate
	atf_check -o match:'notAfter=Jan  2 14:04:05 2034 GMT' \
	    openssl x509 -in certs/ca.crt -noout -enddate
	atf_check "$RECEPTOR" --cert-makereq bits=2048 commonname=n1 \
	    dnsname=n1.example ipaddress=127.0.0.1 ipaddress=::1 nodeid=n1 \
	    nodeid=n2 outreq=n1.csr outkey=n1.key
	cat >want <<EOF
Requested certificate:
  Subject: CN=n1
  Encryption Algorithm: RSA (2048 bits)
  Signature Algorithm: SHA256-RSA
  Names:
    DNS Name: n1.example
    IP Address: 127.0.0.1
    IP Address: ::1
    Receptor Node ID: n1
    Receptor Node ID: n2
EOF
	printf 'Sign certificate (yes/no)? ' >>want
	echo no >answer
	signreq n1.csr verify=false
	refused 'user declined'
	atf_check -o file:want cat stdout
	: >answer
	signreq n1.csr verify=false
	refused 'no answer on standard input'
	echo Y >answer
	signreq n1.csr verify=false
	atf_check_equal 0 $status
	atf_check -o file:want cat stdout
	atf_check -o match:'IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1' \
	    openssl x509 -in out.crt -noout -ext subjectAltName
	atf_check -o match:'notAfter=.* 2026 GMT' -x \
	    "$RECEPTOR --cert-signreq req=n1.csr cacert=certs/ca.crt \
	    cakey=certs/ca.key outcert=o2.crt verify=true \
	    notafter=2026-12-31T23:59:59Z && \
	    openssl x509 -in o2.crt -noout -enddate"
}

atf_test_case mutual_tls cleanup
mutual_tls_head()
{
	atf_set "descr" "Two nodes connect over mutual TLS with the" \
	    "certificates of makecerts, node IDs checked"
	atf_set "require.progs" "openssl"
}
mutual_tls_body()
{
	makecerts
	port=$(free_port)
	start_named foo --tls-server name=srv cert="$PWD/certs/foo.crt" \
	    key="$PWD/certs/foo.key" requireclientcert=true \
	    clientcas="$PWD/certs/ca.crt" \
	    --tcp-listener port="$port" bindaddr=127.0.0.1 tls=srv
	wait_log 'Initialization complete' 10 foo.log
	start_named bar --tls-client name=cli cert="$PWD/certs/bar.crt" \
	    key="$PWD/certs/bar.key" rootcas="$PWD/certs/ca.crt" \
	    --tcp-peer address=localhost:"$port" tls=cli
	linked foo bar
}
mutual_tls_cleanup()
{
	stop_all
}

atf_test_case wrong_node cleanup
wrong_node_head()
{
	atf_set "descr" "A certificate made for another node ID is refused"
	atf_set "require.progs" "openssl"
}
wrong_node_body()
{
	makecerts
	makecert baz baz
	port=$(free_port)
	start_named foo --tls-server name=srv cert="$PWD/certs/foo.crt" \
	    key="$PWD/certs/foo.key" requireclientcert=true \
	    clientcas="$PWD/certs/ca.crt" \
	    --tcp-listener port="$port" bindaddr=127.0.0.1 tls=srv
	wait_log 'Initialization complete' 10 foo.log
	# Without skipreceptornamescheck bar does not even use it.
	start_named bar --tls-client name=cli cert="$PWD/certs/baz.crt" \
	    key="$PWD/certs/baz.key" rootcas="$PWD/certs/ca.crt" \
	    --tcp-peer address=localhost:"$port" tls=cli
	wait_log 'nodeID=bar not found in certificate name\(s\); names found=\[baz\]' 10 bar.log
	stop_named bar
	start_named bar --tls-client name=cli cert="$PWD/certs/baz.crt" \
	    key="$PWD/certs/baz.key" rootcas="$PWD/certs/ca.crt" \
	    skipreceptornamescheck=true \
	    --tcp-peer address=localhost:"$port" tls=cli
	wait_log '^ERROR .* Backend error: foo: rejected connection with node bar because its certificate is not valid for node bar \(names: \[baz\]\)$' 10 foo.log
	lacks_route foo bar || atf_fail "foo has a route to bar"
}
wrong_node_cleanup()
{
	stop_all
}

atf_test_case bad_signature
bad_signature_head()
{
	atf_set "descr" "A request whose signature does not verify is refused"
	atf_set "require.progs" "openssl"
}
bad_signature_body()
{
	makecerts
	# The signature is the last bytes of the DER: flip a bit of the last.
	openssl req -in certs/foo.csr -outform der -out foo.der
	size=$(stat -c %s foo.der)
	last=$(od -An -tu1 -j $((size - 1)) foo.der | tr -d ' ')
	printf "$(printf '\\%03o' $((last ^ 1)))" |
	    dd of=foo.der bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
	openssl req -inform der -in foo.der -out bad.csr
	atf_check -s ignore -o ignore -e match:'verify failure' \
	    openssl req -verify -noout -in bad.csr
	signreq bad.csr
	refused 'bad.csr: the signature of the certificate request does not verify'
	signreq certs/foo.csr
	atf_check_equal 0 $status
}

atf_test_case bad_input
bad_input_head()
{
	atf_set "descr" "Missing files, malformed PEM, wrong key types and" \
	    "requests without names give clear errors and no output"
	atf_set "require.progs" "openssl"
}
bad_input_body()
{
	makecerts
	signreq nope.csr
	refused 'nope.csr: No such file or directory'
	echo garbage >garbage.pem
	signreq garbage.pem
	refused 'garbage.pem: failed to decode PEM block'
	printf -- '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n' >short.pem
	signreq short.pem
	refused 'short.pem: malformed block CERTIFICATE REQUEST'
	sed 's/CERTIFICATE REQUEST/X509 CRL/' certs/foo.csr >crl.pem
	signreq crl.pem
	refused 'crl.pem: unknown block type X509 CRL'
	signreq certs/foo.crt
	refused 'certs/foo.crt: certificate request file does not contain certificate request data'
	signreq certs/foo.csr cacert=certs/ca.key
	refused 'certs/ca.key: certificate file does not contain certificate data'
	signreq certs/foo.csr cakey=certs/foo.key
	refused 'certs/foo.key: not the private key of the CA certificate certs/ca.crt'
	signreq certs/foo.csr cakey=nope.key
	refused 'nope.key: No such file or directory'

	openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 \
	    -out ec.key 2>/dev/null
	signreq certs/foo.csr cakey=ec.key
	refused 'ec.key: the private key is not an RSA key'
	atf_check -s exit:1 \
	    -e inline:'Error: ec.key: the private key is not an RSA key\n' \
	    "$RECEPTOR" --cert-makereq commonname=x inkey=ec.key outreq=x.csr
	[ ! -e x.csr ] || atf_fail "x.csr was written"
	# The certificate could be written, the key not: neither is.
	atf_check -s exit:1 -e match:'^Error: nodir/ca2.key: No such file' \
	    "$RECEPTOR" --cert-init commonname=x bits=2048 \
	    outcert=ca2.crt outkey=nodir/ca2.key
	[ ! -e ca2.crt ] || atf_fail "ca2.crt was written without its key"
	no_temp

	# A PKCS#8 key of openssl, and no names: Go's empty SAN, refused.
	openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 \
	    -out p8.key 2>/dev/null
	atf_check -o match:'^-----BEGIN PRIVATE KEY-----$' head -1 p8.key
	atf_check "$RECEPTOR" --cert-makereq commonname=x inkey=p8.key \
	    outreq=x.csr
	atf_check -o inline:"$(openssl pkey -in p8.key -pubout)\n" \
	    openssl req -in x.csr -noout -pubkey
	signreq x.csr
	refused 'cannot sign: no names found in certificate'
}

atf_init_test_cases()
{
	atf_add_test_case makecerts
	atf_add_test_case prompt
	atf_add_test_case mutual_tls
	atf_add_test_case wrong_node
	atf_add_test_case bad_signature
	atf_add_test_case bad_input
}
