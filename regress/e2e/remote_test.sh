#! /usr/bin/env atf-sh
#
# Remote work: units submitted on node a for node c, three nodes in a
# line a - b - c, ours and Go receptor's (../shared/interop) in every
# position; the far node and the near one restarted under a unit, the
# far one down for a cancel, far control services that misbehave, and
# AWX's ReceptorControl driving it all.

. "$(atf_get_srcdir)/lib.subr"

WORKCTL="python3 $(atf_get_srcdir)/workctl.py"

WORK_TYPES="--work-command worktype=cat command=cat
    --work-command worktype=sh command=sh allowruntimeparams=true"

# line3 NEAR MID FAR [FAR_ARGS...]: a - b - c of these kinds, a with
# $NEAR_ARGS, c running cat and sh; a reaches c through b.
line3()
{
	_near=$1
	_mid=$2
	_far=$3
	shift 3
	port=$(free_port)
	node "$_mid" b --tcp-listener port="$port" bindaddr=127.0.0.1
	node "$_far" c --tcp-peer address=127.0.0.1:"$port" $WORK_TYPES "$@"
	node "$_near" a --tcp-peer address=127.0.0.1:"$port" $NEAR_ARGS
	wait_until 20 has_route a c b
}

# submit NODE JSON: $unit, submitted on NODE, payload from stdin; the
# reply line in submit.out.
submit()
{
	$WORKCTL submitj "$PWD/$1.sock" "$2" >submit.out ||
	    atf_fail "submit failed: $(cat submit.out)"
	unit=$(sed -n 2p submit.out | python3 -c \
	    'import json,sys; print(json.load(sys.stdin)["unitid"])') ||
	    atf_fail "submit: $(cat submit.out)"
}

# state NODE UNIT STATES [SECS]: until UNIT on NODE is in one of STATES;
# its status in status.json.
state()
{
	$WORKCTL wait "$PWD/$1.sock" "$2" "$3" "${4:-30}" >status.json \
	    2>wait.err || atf_fail "unit $2 on $1 not $3: $(cat wait.err)"
}

field()
{
	python3 -c 'import json,sys; print(json.load(open("status.json"))'"$1"')'
}

# roundtrip: 1 MB of random bytes through remote cat from a to c, and
# back byte for byte.
roundtrip()
{
	head -c 1000000 /dev/urandom >payload
	submit a '{"node":"c","worktype":"cat"}' <payload
	atf_check -o match:'"result": *"Job Started"' sed -n 2p submit.out
	state a "$unit" Succeeded
	$WORKCTL results "$PWD/a.sock" "$unit" >results ||
	    atf_fail "results of $unit"
	cmp -s payload results || atf_fail "$*: results differ from payload"
	atf_check_equal 1000000 "$(field '["StdoutSize"]')"
	atf_check_equal remote "$(field '["WorkType"]')"
	atf_check_equal c "$(field '["ExtraData"]["RemoteNode"]')"
	atf_check_equal True "$(field '["ExtraData"]["RemoteStarted"]')"
}

# mixed NEAR: roundtrip on every line of NEAR's kind the kinds make.
mixed()
{
	for _path in "ours ours" "ours go" "go ours" "go go"; do
		[ "$1 $_path" = "go go go" ] && continue
		mkdir "$1-${_path% *}-${_path#* }"
		cd "$1-${_path% *}-${_path#* }" || atf_fail cd
		line3 "$1" $_path
		roundtrip "$1 $_path"
		stop_all
		cd ..
	done
}

atf_test_case near_ours cleanup
near_ours_head()
{
	atf_set descr "our node submits through b to c, each ours or Go's"
}
near_ours_body()
{
	need_go
	mixed ours
}
near_ours_cleanup()
{
	stop_dirs
}

atf_test_case near_go cleanup
near_go_head()
{
	atf_set descr "Go's node submits through b to c, ours among them"
}
near_go_body()
{
	need_go
	mixed go
}
near_go_cleanup()
{
	stop_dirs
}

# tls_line NEAR FAR: a - b - c, b ours, c's control service behind TLS
# that a's tls-client cli trusts.
tls_line()
{
	mkcert ca c
	mkcert ca a
	_port=$(free_port)
	node ours b --tcp-listener port="$_port" bindaddr=127.0.0.1
	CTL_TLS=srv node "$2" c --tcp-peer address=127.0.0.1:"$_port" \
	    $WORK_TYPES \
	    --tls-server name=srv cert="$PWD/c.crt" key="$PWD/c.key"
	node "$1" a --tcp-peer address=127.0.0.1:"$_port" \
	    --tls-client name=cli rootcas="$PWD/ca.crt" cert="$PWD/a.crt" \
	    key="$PWD/a.key"
	wait_until 20 has_route a c b
}

atf_test_case tls cleanup
tls_head()
{
	atf_set descr "TLS between the stream's ends, ours and Go's each" \
	    "way; secret_ params only over it, and never shown"
	atf_set "require.progs" "openssl"
}
tls_body()
{
	need_go
	mkca ca
	for _kinds in "ours go" "go ours" "ours ours"; do
		mkdir "${_kinds% *}-${_kinds#* }"
		cp ca.* "${_kinds% *}-${_kinds#* }" 2>/dev/null
		cd "${_kinds% *}-${_kinds#* }" || atf_fail cd
		tls_line $_kinds
		submit a '{"node":"c","worktype":"sh","tlsclient":"cli",
		    "params":"-c \"echo $secret_token\"",
		    "secret_token":"s3cr3t"}' </dev/null
		state a "$unit" Succeeded
		atf_check -o inline:"\n" $WORKCTL results "$PWD/a.sock" "$unit"
		grep -q s3cr3t status.json && atf_fail "$_kinds: secret shown"
		atf_check_equal cli "$(field '["ExtraData"]["TLSClient"]')"
		grep -q s3cr3t "a.data/a/$unit/status" ||
		    atf_fail "$_kinds: secret not kept in the status file"
		# Without TLS a secret is refused before any unit is made.
		atf_check -o inline:"ERROR: cannot send secrets over a non-TLS connection\n" \
		    $WORKCTL submitj "$PWD/a.sock" \
		    '{"node":"c","worktype":"cat","secret_x":"y"}' </dev/null
		stop_all
		cd ..
	done
}
tls_cleanup()
{
	stop_dirs
}

atf_test_case big cleanup
big_head()
{
	atf_set descr "100 MB of random bytes round-trip through remote cat" \
	    "over 3 hops of ours, byte for byte"
}
big_body()
{
	port=$(free_port)
	node ours b --tcp-listener port="$port" bindaddr=127.0.0.1
	port2=$(free_port)
	node ours c --tcp-peer address=127.0.0.1:"$port" \
	    --tcp-listener port="$port2" bindaddr=127.0.0.1
	node ours d --tcp-peer address=127.0.0.1:"$port2" $WORK_TYPES
	node ours a --tcp-peer address=127.0.0.1:"$port"
	wait_until 20 has_route a d b
	head -c 100000000 /dev/urandom >payload
	submit a '{"node":"d","worktype":"cat"}' <payload
	state a "$unit" Succeeded 120
	$WORKCTL results "$PWD/a.sock" "$unit" >results
	cmp payload results || atf_fail "results differ from the payload"
}
big_cleanup()
{
	stop_all
}

# slow: a unit on c printing a numbered line every 0.1 s, 60 lines.
slow()
{
	submit a '{"node":"c","worktype":"sh",
	    "params":"-c \"for i in $(seq 60); do echo line $i; sleep 0.1; done\""}' \
	    </dev/null
	seq 60 | sed 's/^/line /' >expected
}

atf_test_case far_restart cleanup
far_restart_head()
{
	atf_set descr "the far node restarted while results stream: the" \
	    "local copy ends byte for byte, nothing missing or doubled"
}
far_restart_body()
{
	line3 ours ours ours
	slow
	wait_until 10 grep -q "line 10" "a.data/a/$unit/stdout"
	# SIGTERM to c alone: the runner carries on, c comes back.
	kill -TERM "$(cat c.pid)"
	wait_exit "$(cat c.pid)"
	rm -f c.pid c.sock
	node ours c --tcp-peer address=127.0.0.1:"$port" $WORK_TYPES
	state a "$unit" Succeeded 40
	$WORKCTL results "$PWD/a.sock" "$unit" >results
	atf_check -o file:expected cat results
}
far_restart_cleanup()
{
	stop_all
}

atf_test_case near_restart cleanup
near_restart_head()
{
	atf_set descr "the near node restarted while its remote unit runs:" \
	    "it resumes following it and ends right"
}
near_restart_body()
{
	line3 ours ours ours
	slow
	wait_until 10 grep -q "line 5" "a.data/a/$unit/stdout"
	kill -TERM "$(cat a.pid)"
	wait_exit "$(cat a.pid)"
	rm -f a.pid a.sock
	node ours a --tcp-peer address=127.0.0.1:"$port"
	state a "$unit" Succeeded 40
	$WORKCTL results "$PWD/a.sock" "$unit" >results
	atf_check -o file:expected cat results
}
near_restart_cleanup()
{
	stop_all
}

atf_test_case cancel_down cleanup
cancel_down_head()
{
	atf_set descr "cancel and release with the far node down: pending," \
	    "then done when it is back, and its command gone"
}
cancel_down_body()
{
	line3 ours ours ours
	submit a '{"node":"c","worktype":"sh","params":"-c \"echo up; sleep 300\""}' \
	    </dev/null
	cancel=$unit
	submit a '{"node":"c","worktype":"sh","params":"-c \"echo up; sleep 300\""}' \
	    </dev/null
	release=$unit
	submit a '{"node":"c","worktype":"sh","params":"-c \"echo up; sleep 300\""}' \
	    </dev/null
	force=$unit
	for u in $cancel $release $force; do
		wait_until 10 grep -q up "a.data/a/$u/stdout"
	done
	rcancel=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ExtraData"]["RemoteUnitID"])' \
	    "a.data/a/$cancel/status")
	rrelease=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ExtraData"]["RemoteUnitID"])' \
	    "a.data/a/$release/status")
	pids=$(for u in $rcancel $rrelease; do python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["Detail"]; print(d.split()[-1])' \
	    "c.data/c/$u/status"; done)
	kill -TERM "$(cat c.pid)"
	wait_exit "$(cat c.pid)"
	rm -f c.pid c.sock
	atf_check -o inline:"{\"cancel pending\":\"$cancel\"}\n" \
	    $WORKCTL ask "$PWD/a.sock" "work cancel $cancel"
	atf_check -o inline:"{\"release pending\":\"$release\"}\n" \
	    $WORKCTL ask "$PWD/a.sock" "work release $release"
	# force-release: one try, and the unit goes anyway.
	atf_check -o inline:"{\"released\":\"$force\"}\n" \
	    $WORKCTL ask "$PWD/a.sock" "work force-release $force"
	test -d "a.data/a/$force" && atf_fail "force-released unit on disk"
	node ours c --tcp-peer address=127.0.0.1:"$port" $WORK_TYPES
	state a "$cancel" Canceled 90
	wait_until 90 test ! -d "a.data/a/$release"
	wait_until 10 test ! -d "c.data/c/$rrelease"
	state c "$rcancel" Canceled
	for p in $pids; do
		wait_gone "$p"
	done
}
cancel_down_cleanup()
{
	stop_all
}

atf_test_case never_started cleanup
never_started_head()
{
	atf_set descr "work for a node that does not exist is Job Submitted;" \
	    "it can be cancelled and released; a ttl fails it in time"
}
never_started_body()
{
	start_named a --local-only
	wait_log 'Initialization complete' 10 a.log
	submit a '{"node":"nowhere","worktype":"cat"}' </dev/null
	atf_check -o match:'"result": *"Job Submitted"' sed -n 2p submit.out
	atf_check -o inline:"{\"cancelled\":\"$unit\"}\n" \
	    $WORKCTL ask "$PWD/a.sock" "work cancel $unit"
	state a "$unit" Failed
	atf_check_equal "Locally Cancelled" "$(field '["Detail"]')"
	atf_check -o inline:"{\"released\":\"$unit\"}\n" \
	    $WORKCTL ask "$PWD/a.sock" "work release $unit"
	test -d "a.data/a/$unit" && atf_fail "released unit still on disk"

	submit a '{"node":"nowhere","worktype":"cat","ttl":"2s"}' </dev/null
	state a "$unit" Failed 10
	field '["Detail"]' >detail
	atf_check -o match:'^Work unit expired on [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' \
	    cat detail
	atf_check -o match:'^ERROR: time: invalid duration "soon"$' \
	    $WORKCTL submitj "$PWD/a.sock" \
	    '{"node":"nowhere","worktype":"cat","ttl":"soon"}' </dev/null
	atf_check -o match:'^ERROR: unknown TLS config nosuch$' \
	    $WORKCTL submitj "$PWD/a.sock" \
	    '{"node":"nowhere","worktype":"cat","tlsclient":"nosuch"}' </dev/null
}
never_started_cleanup()
{
	stop_all
}

# fake MODE: node bad-MODE, Go's, whose control service is fakectl.py.
fake()
{
	python3 "$(atf_get_srcdir)/fakectl.py" "bad-$1" "$1" >fake.port &
	echo $! >fake.pid
	wait_until 10 test -s fake.port
	"$GO" --node id="bad-$1" --tcp-peer address=127.0.0.1:"$port" \
	    --tcp-client service=control address=127.0.0.1:"$(cat fake.port)" \
	    >"bad-$1.log" 2>&1 &
	echo $! >"bad-$1.pid"
	wait_until 20 has_route a "bad-$1" b
}

atf_test_case bad_far cleanup
bad_far_head()
{
	atf_set descr "a far control service that answers garbage, closes" \
	    "early or stalls fails the unit with the reason, and holds up" \
	    "no other unit"
}
bad_far_body()
{
	need_go
	line3 ours ours ours
	echo good >good
	for mode in garbage close stall; do
		fake "$mode"
		$WORKCTL submitj "$PWD/a.sock" \
		    "{\"node\":\"bad-$mode\",\"worktype\":\"cat\"}" \
		    </dev/null >"$mode.out" &
		echo $! >client.pid
		# Meanwhile a good unit runs.
		submit a '{"node":"c","worktype":"cat"}' <good
		state a "$unit" Succeeded
		wait_exit "$(cat client.pid)" 60
		stop_named fake
		stop_named "bad-$mode"
		rm -f fake.port client.pid
	done
	atf_check -o match:'^ERROR: could not parse response: .*not a reply$' \
	    sed -n 2p garbage.out
	atf_check -o inline:'ERROR: read error reading from bad-close: EOF\n' \
	    sed -n 2p close.out
	atf_check -o inline:'ERROR: read error reading from bad-stall: no reply from bad-stall in time\n' \
	    sed -n 2p stall.out
}
bad_far_cleanup()
{
	stop_all
}

atf_test_case awx cleanup
awx_head()
{
	atf_set descr "AWX's flow through ReceptorControl: ads with work" \
	    "types, submit with params and ttl to a remote node, results" \
	    "on a socket, status keys, list, release twice"
}
awx_body()
{
	need_receptorctl
	line3 ours ours ours
	env PYTHONPATH="$RCTL_PATH" python3 "$(atf_get_srcdir)/awxflow.py" \
	    "$PWD/a.sock" c sh "awx
" "awx
done
" '{"params": "-c \"cat; echo done\""}' 10m >awx.out 2>&1 ||
	    atf_fail "AWX's flow: $(cat awx.out)"
	atf_check -o inline:'{"params": "-c \"cat; echo done\""}\n' \
	    python3 -c 'import json,sys; print(json.dumps(json.loads(open("awx.out").readline())["ExtraData"]["RemoteParams"]))'
}
awx_cleanup()
{
	stop_all
}

atf_test_case rcptctl cleanup
rcptctl_head()
{
	atf_set descr "rcptctl work submit --node follows a remote unit's" \
	    "output as it comes, with --ttl; work list shows it"
}
rcptctl_body()
{
	line3 ours ours ours
	atf_check -o inline:"one\ntwo\n" -e ignore \
	    "$RCPTCTL" --socket "$PWD/a.sock" work submit sh --node c \
	    --no-payload --ttl 1m -f \
	    --param params="-c 'echo one; sleep 1; echo two'"
	unit=$("$RCPTCTL" --socket "$PWD/a.sock" work list -q)
	atf_check -o match:'"RemoteNode": "c"' -o match:'"WorkType": "remote"' \
	    -o match:'"Expiration": "[0-9]{4}-' \
	    "$RCPTCTL" --socket "$PWD/a.sock" work list
	atf_check -s exit:101 -e match:'ttl option is intended for remote work only' \
	    -o ignore "$RCPTCTL" --socket "$PWD/a.sock" work submit sh \
	    --no-payload --ttl 1m
}
rcptctl_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case near_ours
	atf_add_test_case near_go
	atf_add_test_case tls
	atf_add_test_case big
	atf_add_test_case far_restart
	atf_add_test_case near_restart
	atf_add_test_case cancel_down
	atf_add_test_case never_started
	atf_add_test_case bad_far
	atf_add_test_case awx
	atf_add_test_case rcptctl
}
