#! /usr/bin/env atf-sh
#
# Signed work: a near node with work-signing submits to a far node whose
# work type has verifysignature and which holds the public key
# (work-verification); ours and Go receptor's (../shared/interop) each
# way; unsigned, wrongly signed, expired and misaddressed tokens
# refused with Go's words.

. "$(atf_get_srcdir)/lib.subr"

WORKCTL="python3 $(atf_get_srcdir)/workctl.py"

keys()
{
	for k in k1 k2; do
		openssl genrsa -out $k.key 2048 2>/dev/null &&
		openssl rsa -in $k.key -pubout -out $k.pub 2>/dev/null ||
		    atf_fail "openssl: key $k"
	done
}

# pair NEAR FAR SIGNKEY: a signs with SIGNKEY, c verifies with k1's
# public key; c's type cat wants a signature, free does not.
pair()
{
	port=$(free_port)
	node "$2" c --tcp-listener port="$port" bindaddr=127.0.0.1 \
	    --work-verification publickey="$PWD/k1.pub" \
	    --work-command worktype=cat command=cat verifysignature=true \
	    --work-command worktype=free command=cat
	node "$1" a --tcp-peer address=127.0.0.1:"$port" \
	    --work-signing privatekey="$PWD/$3.key" tokenexpiration=1m
	wait_until 20 has_route a c c
}

# ask_submit JSON: the reply of a's control service to the submit.
ask_submit()
{
	echo signed | $WORKCTL submitj "$PWD/a.sock" "$1"
}

signed()
{
	ask_submit '{"node":"c","worktype":"cat","signwork":"true"}' >out
	unit=$(sed -n 2p out | python3 -c \
	    'import json,sys; print(json.load(sys.stdin)["unitid"])') ||
	    atf_fail "$*: signed submit: $(cat out)"
	$WORKCTL wait "$PWD/a.sock" "$unit" Succeeded 30 >/dev/null ||
	    atf_fail "$*: signed unit did not succeed"
	atf_check -o inline:"signed\n" $WORKCTL results "$PWD/a.sock" "$unit"
	# Its cancel and release are signed too.
	atf_check -o inline:"{\"released\":\"$unit\"}\n" \
	    $WORKCTL ask "$PWD/a.sock" "work release $unit"
}

atf_test_case accepted cleanup
accepted_head()
{
	atf_set descr "signed work accepted, ours and Go's on either end"
	atf_set "require.progs" "openssl"
}
accepted_body()
{
	need_go
	keys
	for kinds in "ours ours" "ours go" "go ours"; do
		mkdir "${kinds% *}-${kinds#* }"
		cp k1.* k2.* "${kinds% *}-${kinds#* }"
		cd "${kinds% *}-${kinds#* }" || atf_fail cd
		pair $kinds k1
		signed "$kinds"
		stop_all
		cd ..
	done
}
accepted_cleanup()
{
	stop_dirs
}

atf_test_case refused cleanup
refused_head()
{
	atf_set descr "unsigned and wrongly signed work refused, in the" \
	    "same words by our far node and Go's"
	atf_set "require.progs" "openssl"
}
refused_body()
{
	need_go
	keys
	for far in ours go; do
		mkdir "$far"
		cp k1.* k2.* "$far"
		cd "$far" || atf_fail cd
		pair ours "$far" k2
		# The unit is made here first, then fails with the far error.
		ask_submit '{"node":"c","worktype":"cat"}' |
		    sed -n 2p >../$far.unsigned
		ask_submit '{"node":"c","worktype":"cat","signwork":"true"}' |
		    sed -n 2p >../$far.forged
		ask_submit '{"node":"c","worktype":"free","signwork":"true"}' |
		    sed -n 2p >../$far.unexpected
		stop_all
		cd ..
	done
	atf_check -o inline:"ERROR: could not parse response: ERROR: could not verify signature: signature is empty\n" \
	    cat ours.unsigned
	atf_check -o inline:"ERROR: could not parse response: ERROR: could not verify signature: crypto/rsa: verification error\n" \
	    cat ours.forged
	atf_check -o inline:"ERROR: could not parse response: ERROR: work type did not expect a signature\n" \
	    cat ours.unexpected
	for what in unsigned forged unexpected; do
		cmp -s ours.$what go.$what ||
		    atf_fail "$what: ours said $(cat ours.$what), Go $(cat go.$what)"
	done
}
refused_cleanup()
{
	stop_dirs
}

atf_test_case tokens cleanup
tokens_head()
{
	atf_set descr "tokens from a TCP control client: expired, for" \
	    "another node, forged, malformed; a Unix socket client needs none"
	atf_set "require.progs" "openssl"
}
tokens_body()
{
	keys
	port=$(free_port)
	node ours c --local-only \
	    --control-service service=tcpctl tcplisten=127.0.0.1:"$port" \
	    --work-verification publickey="$PWD/k1.pub" \
	    --work-command worktype=cat command=cat verifysignature=true
	tok()
	{
		python3 "$(atf_get_srcdir)/jwtmake.py" "$@"
	}
	ask="python3 $(atf_get_srcdir)/jwtmake.py ask $port"
	atf_check -o inline:"Work unit created\n" $ask "$(tok k1.key c 60)"
	atf_check -o match:'^ERROR: could not verify signature: token is expired by [0-9.]+(s|ms)$' \
	    $ask "$(tok k1.key c -5)"
	atf_check -o inline:"ERROR: token audience did not match node ID\n" \
	    $ask "$(tok k1.key elsewhere 60)"
	atf_check -o inline:"ERROR: could not verify signature: crypto/rsa: verification error\n" \
	    $ask "$(tok k2.key c 60)"
	atf_check -o inline:"ERROR: could not verify signature: token contains an invalid number of segments\n" \
	    $ask "a.b.c.d"
	atf_check -o inline:"ERROR: could not verify signature: illegal base64 data at input byte 3\n" \
	    $ask "abc*.def.ghi"
	atf_check -o inline:"ERROR: could not verify signature: signature is empty\n" \
	    $ask ""
	# A Unix socket client is trusted as it is.
	echo x | $WORKCTL submitj "$PWD/c.sock" \
	    '{"node":"c","worktype":"cat"}' >out
	atf_check -o match:'"Job Started"' sed -n 2p out
}
tokens_cleanup()
{
	stop_all
}

atf_test_case bad_keys
bad_keys_head()
{
	atf_set descr "a signing or verifying key that can't be used stops" \
	    "the start, naming the file and why"
	atf_set "require.progs" "openssl"
}
bad_keys_body()
{
	keys
	echo junk >junk.pem
	atf_check -s not-exit:0 -e match:"work-signing: privatekey: $PWD/junk.pem: failed to decode PEM block" \
	    "$RECEPTOR" --node id=x datadir="$PWD/x.data" --local-only \
	    --work-signing privatekey="$PWD/junk.pem" tokenexpiration=1m
	atf_check -s not-exit:0 -e match:"work-signing: privatekey: $PWD/k1.pub: private key file does not contain private key data" \
	    "$RECEPTOR" --node id=x datadir="$PWD/x.data" --local-only \
	    --work-signing privatekey="$PWD/k1.pub"
	atf_check -s not-exit:0 -e match:"work-verification: publickey: $PWD/k1.key: public key file does not contain public key data" \
	    "$RECEPTOR" --node id=x datadir="$PWD/x.data" --local-only \
	    --work-verification publickey="$PWD/k1.key"
}

atf_init_test_cases()
{
	atf_add_test_case accepted
	atf_add_test_case refused
	atf_add_test_case tokens
	atf_add_test_case bad_keys
}
