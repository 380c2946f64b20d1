#! /usr/bin/env atf-sh
#
# rcptctl's work commands against the real Go receptor, next to the real
# receptorctl: each scenario runs once with receptorctl and once with
# rcptctl, each against a new Go node, and what they print on standard
# output and standard error, their exit statuses and the bytes they send
# (through ctltap.py) must be the same, unit IDs aside.

. "$(atf_get_srcdir)/lib.subr"

CTLTAP="$(atf_get_srcdir)/ctltap.py"
VERSION_WARNING='^Warning: receptorctl and receptor are different versions'

# go_node NAME ITEMS...: Go receptor as node NAME, its control socket
# NAME.sock, the work types of these tests and the config ITEMS, ready.
go_node()
{
	_n=$1
	shift
	rm -rf "$_n.data" "$_n.sock"
	{
		cat <<EOF
- node: {id: $_n, datadir: $PWD/$_n.data}
- log-level: info
- control-service: {service: control, filename: $PWD/$_n.sock}
- work-command: {worktype: cat, command: cat}
- work-command: {worktype: echo, command: echo, params: hello,
    allowruntimeparams: true}
- work-command: {worktype: sleep, command: sleep, params: "10"}
- work-command: {worktype: fail, command: sh,
    params: "-c 'echo oops; exit 3'"}
- work-command: {worktype: slow, command: sh,
    params: "-c 'echo one; sleep 5; echo two'"}
EOF
		printf -- '- %s\n' "$@"
	} >"$_n.yml"
	"$GO" --config "$_n.yml" >>"$_n.log" 2>&1 &
	echo $! >"$_n.pid"
	wait_until 10 "$RCPTCTL" --socket "$PWD/$_n.sock" version
}

# tapped: $SOCK, a tap on gonode's socket logging to $TOOL.wire.
tapped()
{
	rm -f tap.sock tap.out
	$PYTHON "$CTLTAP" "$PWD/tap.sock" "$PWD/gonode.sock" \
	    "$PWD/$TOOL.wire" >tap.out 2>tap.err &
	echo $! >tap.pid
	wait_until 10 grep -q '^listening$' tap.out
	SOCK=$PWD/tap.sock
}

# step ARGS...: $TOOL on $SOCK with ARGS, standard input $IN or none, into
# its transcript: the command, standard output (or its checksum when
# $SUM is set), standard error (its first line when $FIRST is set,
# leaving out rcptctl's usage) and the exit status. Output stays in out
# and err. The warning that rcptctl's version is not Go's is left out.
step()
{
	case $TOOL in
	receptorctl)
		PYTHONPATH="$RCTL_PATH" $PYTHON -m receptorctl \
		    --socket "$SOCK" $CTL_OPTS "$@"
		;;
	rcptctl)
		"$RCPTCTL" --socket "$SOCK" $CTL_OPTS "$@"
		;;
	esac <"${IN:-/dev/null}" >out 2>err.all
	_rc=$?
	grep -v "$VERSION_WARNING" err.all >err
	{
		echo "\$ $*"
		if [ -n "$SUM" ]; then cksum <out; else cat out; fi
		echo "--- stderr"
		if [ -n "$FIRST" ]; then sed 1q err; else cat err; fi
		echo "--- exit $_rc"
	} >>"$TOOL.transcript"
}

# unit_is UNIT STATES: gonode has UNIT in one of the StateNames STATES
# (an ERE), asked directly.
unit_is()
{
	"$RCPTCTL" --socket "$PWD/gonode.sock" work list --unit_id "$1" \
	    2>/dev/null | grep -qE "\"StateName\": \"($2)\""
}

# done_unit UNIT: until UNIT has ended.
done_unit()
{
	wait_until 20 unit_is "$1" 'Succeeded|Failed|Canceled'
}

# last_unit: the unit of the last submit's output.
last_unit()
{
	sed -n 's/^Unit ID: //p' out
}

# normalise FILE...: the FILEs, each unit ID where receptorctl prints or
# sends one written U1, U2... in the order they first appear.
normalise()
{
	_u='[0-9A-Za-z]{8}'
	_ops='results|status|cancel|release|force-release'
	_sed="-e s/^//"
	_n=0
	for _id in $(sed -nE -e "s/^Unit ID: ($_u)$/\\1/p" \
	    -e "s/^\\(($_u), .*/\\1/p" -e "s/^ *\"($_u)\": \\{$/\\1/p" \
	    -e "s/^($_u)$/\\1/p" \
	    -e "s/^work ($_ops) ($_u)( 0)?$/\\2/p" \
	    "$@" | awk '!seen[$0]++'); do
		_n=$((_n + 1))
		_sed="$_sed -e s/$_id/U$_n/g"
	done
	cat "$@" | sed $_sed
}

# same SCENARIO GONODE_ITEMS...: SCENARIO run by receptorctl, then by
# rcptctl, each against a new gonode with GONODE_ITEMS; the transcripts
# and what went over the tap must be the same.
same()
{
	_scenario=$1
	shift
	for TOOL in receptorctl rcptctl; do
		go_node gonode "$@"
		SOCK=$PWD/gonode.sock
		$_scenario
		stop_named tap
		stop_named go2
		stop_named gonode
		normalise "$TOOL.transcript" $(ls "$TOOL.wire" 2>/dev/null) \
		    >"$TOOL.normal"
	done
	if ! cmp -s receptorctl.normal rcptctl.normal; then
		diff -u receptorctl.normal rcptctl.normal >&2
		atf_fail "rcptctl does not do as receptorctl (diff above)"
	fi
}

atf_test_case submit cleanup
submit_head()
{
	atf_set "descr" "work submit in its forms, list, results and" \
	    "release, as receptorctl prints them and sends them"
}
submit_body()
{
	need_go
	need_receptorctl
	printf 'one\ntwo' >payload
	printf 'caf\303\251\r\nline\rend\n' >params.txt
	same scenario_submit local-only
}
scenario_submit()
{
	tapped
	step work list
	step work submit cat --payload-literal hello
	unit=$(last_unit)
	done_unit "$unit"
	step work list
	step work list -q
	step work list --unit_id "$unit"
	step work list --node gonode --quiet
	step work results "$unit"
	step work release "$unit"
	step work submit echo --no-payload --follow --rm a 'b  c'
	step work submit echo -n -f --rm -a params=x -a k=v -a params=y z
	step work submit cat -p payload -f --rm
	IN=payload step work submit cat --payload - -f --rm
	step work submit cat -l hello --rm
	step work submit cat -l data -a k=@@v -a f=@params.txt -f --rm \
	    --node localhost
	step work submit fail -n -f --rm
	step work submit fail -n
	unit=$(last_unit)
	done_unit "$unit"
	step work results "$unit"
	step work release "$unit"
	step work submit echo -n -f
	step work release --all
	step work list
}
submit_cleanup()
{
	stop_all
}

atf_test_case cancel_release cleanup
cancel_release_head()
{
	atf_set "descr" "work cancel and release, one unit or more, forced" \
	    "or all, and their errors"
}
cancel_release_body()
{
	need_go
	need_receptorctl
	same scenario_cancel_release local-only
}
scenario_cancel_release()
{
	tapped
	step work cancel
	step work release
	step work submit sleep -n
	unit=$(last_unit)
	wait_until 20 unit_is "$unit" Running
	step work cancel "$unit"
	wait_until 20 unit_is "$unit" Canceled
	step work list --unit_id "$unit"
	step work cancel "$unit"
	step work cancel nosuch "$unit"
	step work release "$unit" nosuch
	step work release "$unit"
	step work release --force nosuch
	step work submit sleep -n
	unit=$(last_unit)
	wait_until 20 unit_is "$unit" Running
	step work release --force "$unit"
	step work submit cat -n
	done_unit "$(last_unit)"
	step work release --all ignored
	step work release --all
}
cancel_release_cleanup()
{
	stop_all
}

atf_test_case errors cleanup
errors_head()
{
	atf_set "descr" "work submit's payload and parameter errors, exit" \
	    "status 1 or 101, and the node's errors"
}
errors_body()
{
	need_go
	need_receptorctl
	printf 'x' >payload
	printf '\377' >binary
	same scenario_errors local-only
}
scenario_errors()
{
	tapped
	step work submit cat
	step work submit cat -n -l x
	step work submit cat -p payload -n -l x
	step work submit cat -l ''
	step work submit cat -p nosuchfile
	step work submit cat -p .
	step work submit nosuch -n
	step work submit cat -n extra
	step work submit cat -n -a novalue
	step work submit cat -n -a a=1 -a novalue
	step work submit cat -n -a empty=
	step work submit cat -n -a f=@nosuchfile
	step work submit cat -n -a f=@
	step work submit cat -n -a f=@binary
	step work submit cat -n -a f=@.
	step work submit cat -n -a node=x
	step work submit cat -n -a worktype=x
	step work submit cat -n --ttl 1m
	step work submit cat -n --tls-client nosuch
	step work results nosuch
	step work list --unit_id nosuch
	step work list --node nosuch
	step work list --node gonode --tls-client nosuch
	# Usage errors: receptorctl connects first, rcptctl not at all.
	SOCK=$PWD/gonode.sock
	FIRST=1 step work nosuch
	FIRST=1 step work submit
	FIRST=1 step work results
	FIRST=1 step work results a b c
	FIRST=1 step work list extra
	FIRST=1 step work list --bogus
	FIRST=1 step work list --node
	FIRST=1 step work submit cat --fol -n
	FIRST=1 step work submit cat -nx
	FIRST=1 step work submit cat -np
	FIRST=1 step work submit cat --no-payload=1
	FIRST=1 step work release --force=yes x
	step work release --all
}
errors_cleanup()
{
	stop_all
}

atf_test_case remote cleanup
remote_head()
{
	atf_set "descr" "work on another node: submit --node, its ttl," \
	    "signwork and tls-client, and list --node"
}
remote_body()
{
	need_go
	need_receptorctl
	port=$(free_port)
	same scenario_remote \
	    "tcp-listener: {port: $port, bindaddr: 127.0.0.1}"
}
scenario_remote()
{
	go_node go2 "tcp-peer: {address: 127.0.0.1:$port}"
	wait_until 20 has_route gonode go2
	tapped
	step work submit echo -n --node go2 -f --rm a
	step work submit echo -l x --node go2
	unit=$(last_unit)
	done_unit "$unit"
	step work results "$unit"
	step work list --node go2 -q
	step work release "$unit"
	step work list --node go2
	step work submit echo -n --node go2 --ttl 1m -f --rm
	step work submit echo -n --node go2 --signwork
	step work submit echo -n --node go2 --tls-client nosuch
	step work list --node go2 --tls-client nosuch
	step work release --all
}
remote_cleanup()
{
	stop_all
}

atf_test_case tls cleanup
tls_head()
{
	atf_set "descr" "work over a tls:// control socket: the payload" \
	    "ends and all the results come back"
	atf_set "require.progs" "openssl"
}
tls_body()
{
	need_go
	need_receptorctl
	mkca ca
	mkcert ca gonode
	head -c 3000000 /dev/urandom >payload
	port=$(free_port)
	srv="tls-server: {name: srv, cert: $PWD/gonode.crt,"
	srv="$srv key: $PWD/gonode.key}"
	ctl="control-service: {service: tlsctl, tcptls: srv,"
	ctl="$ctl tcplisten: \"127.0.0.1:$port\"}"
	same scenario_tls "$srv" "$ctl" local-only
}
scenario_tls()
{
	SOCK=tls://127.0.0.1:$port
	CTL_OPTS="--rootcas $PWD/ca.crt"
	SUM=1 step work submit cat -p payload -f
	step work release --all
	step work submit cat -l hello -f --rm
	CTL_OPTS=
	[ $TOOL = receptorctl ] && return
	atf_check -o file:payload -e ignore "$RCPTCTL" \
	    --socket "tls://127.0.0.1:$port" --rootcas "$PWD/ca.crt" \
	    work submit cat -p payload -f
}
tls_cleanup()
{
	stop_all
}

# rss_peak PID: the highest resident size (kB) PID reached until it
# ended, as seen every 50 ms for 120 s at most.
rss_peak()
{
	_peak=0
	_tries=2400
	while [ -d /proc/"$1" ] && [ $_tries -gt 0 ] &&
	    [ "$(awk '{print $3}' /proc/"$1"/stat 2>/dev/null)" != Z ]; do
		_kb=$(proc_field "$1" VmHWM 2>/dev/null)
		[ -n "$_kb" ] && _peak=$_kb
		_tries=$((_tries - 1))
		sleep 0.05
	done
	echo "$_peak"
}

atf_test_case stream cleanup
stream_head()
{
	atf_set "descr" "a 1 GiB payload and its results pass through" \
	    "rcptctl, never whole in its memory, and results come as made"
}
stream_body()
{
	need_go
	go_node gonode local-only
	SOCK=$PWD/gonode.sock
	size=1073741824
	sum=$(yes 0123456789abcdef | head -c $size | cksum)
	yes 0123456789abcdef | head -c $size |
	    "$RCPTCTL" --socket "$SOCK" work submit cat -p - >out 2>err &
	rcptctl=$!
	peak=$(rss_peak $rcptctl)
	wait_exit $rcptctl 60
	atf_check_equal 0 "$exit_status"
	[ "$peak" -lt 65536 ] || atf_fail "rcptctl grew to $peak kB"
	unit=$(last_unit)
	done_unit "$unit"
	mkfifo results
	cksum <results >got &
	summer=$!
	"$RCPTCTL" --socket "$SOCK" work results "$unit" >results 2>err &
	peak=$(rss_peak $!)
	wait_exit $summer 60
	atf_check_equal "$sum" "$(cat got)"
	[ "$peak" -lt 65536 ] || atf_fail "rcptctl grew to $peak kB"
	"$RCPTCTL" --socket "$SOCK" work release "$unit" >/dev/null 2>&1

	# The first line before the unit's end, five seconds later.
	"$RCPTCTL" --socket "$SOCK" work submit slow -n -f --rm >out 2>&1 &
	echo $! >follow.pid
	wait_until 10 grep -q '^one$' out
	grep -q '^two$' out && atf_fail "the results came at the end only"
	wait_until 10 grep -q '^two$' out
}
stream_cleanup()
{
	stop_all
}

atf_test_case json cleanup
json_head()
{
	atf_set "descr" "rcptctl's own work submit --json: the node's reply" \
	    "as JSON, not with --follow"
}
json_body()
{
	need_go
	go_node gonode local-only
	atf_check -o save:out -e ignore "$RCPTCTL" --socket "$PWD/gonode.sock" \
	    work submit cat -l hello --json
	atf_check -o match:'^\{$' -o match:'^    "result": "Job Started",$' \
	    -o match:'^    "unitid": "[0-9A-Za-z]{8}"$' -o match:'^\}$' cat out
	unit=$($PYTHON -c \
	    'import json, sys; print(json.load(sys.stdin)["unitid"])' <out)
	done_unit "$unit"
	atf_check -o inline:"hello\n" -e ignore "$RCPTCTL" \
	    --socket "$PWD/gonode.sock" work results "$unit"
	atf_check -s exit:1 \
	    -e match:'^ERROR: --json and --follow are mutually exclusive\.$' \
	    "$RCPTCTL" --socket "$PWD/gonode.sock" work submit cat -n --json -f
}
json_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case submit
	atf_add_test_case cancel_release
	atf_add_test_case errors
	atf_add_test_case remote
	atf_add_test_case tls
	atf_add_test_case stream
	atf_add_test_case json
}
