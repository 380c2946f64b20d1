#! /usr/bin/env atf-sh
#
# The two control clients against the two daemons: receptorctl (CLI and
# ReceptorControl) against our node, rcptctl against Go receptor, each
# through a Unix, a TCP and a TLS control socket; and rcptctl printing
# what receptorctl prints, against either node. The nodes are a mesh of
# two: o1 of ours and g1 of Go (../shared/interop).

. "$(atf_get_srcdir)/lib.subr"

KINDS="unix tcp tls"

# Each client warns on stderr of a daemon whose version is not its own.
VERSION_WARNING="receptorctl and receptor are different versions"

# start IMPL NAME LINK: node NAME, of ours or go, configured by NAME.yml
# (reload reads it again): control services on NAME.sock, on TCP (its
# port in NAME.tcp) and on TLS (port in NAME.tls, a client certificate
# from ca required); work types cat, sleep and fail; the backend item
# LINK.
start()
{
	_bin=$RECEPTOR
	[ "$1" = go ] && _bin=$GO
	_n=$2
	free_port >"$_n.tcp"
	free_port >"$_n.tls"
	mkcert ca "$_n"
	cat >"$_n.yml" <<EOF
---
- node:
    id: $_n
    datadir: $PWD/$_n.data
$3
- tls-server:
    name: srv
    cert: $PWD/$_n.crt
    key: $PWD/$_n.key
    requireclientcert: true
    clientcas: $PWD/ca.crt
- control-service:
    filename: $PWD/$_n.sock
- control-service:
    service: tcpctl
    tcplisten: 127.0.0.1:$(cat "$_n.tcp")
- control-service:
    service: tlsctl
    tcplisten: 127.0.0.1:$(cat "$_n.tls")
    tcptls: srv
- work-command:
    worktype: cat
    command: cat
- work-command:
    worktype: sleep
    command: sleep
    params: "60"
- work-command:
    worktype: fail
    command: "false"
EOF
	"$_bin" -c "$PWD/$_n.yml" >"$_n.log" 2>&1 &
	echo $! >"$_n.pid"
	wait_until 15 test -S "$_n.sock"
}

# mesh: o1 listening, g1 its peer, each routing to the other; cl.crt
# for the clients of the TLS sockets.
mesh()
{
	need_go
	mkca ca
	mkcert ca cl
	port=$(free_port)
	start ours o1 "- tcp-listener:
    port: $port
    bindaddr: 127.0.0.1"
	start go g1 "- tcp-peer:
    address: 127.0.0.1:$port"
	wait_until 30 has_route o1 g1 g1
	wait_until 30 has_route g1 o1 o1
}

# use PROG KIND NAME: $c, the command line of PROG (rcptctl or
# receptorctl) on node NAME's control socket of KIND.
use()
{
	case $1 in
	rcptctl)	c=$RCPTCTL ;;
	receptorctl)	c="env PYTHONPATH=$RCTL_PATH $PYTHON -m receptorctl" ;;
	esac
	case $2 in
	unix)	c="$c --socket $PWD/$3.sock" ;;
	tcp)	c="$c --socket tcp://127.0.0.1:$(cat "$3.tcp")" ;;
	tls)	c="$c --socket tls://127.0.0.1:$(cat "$3.tls")"
		c="$c --rootcas ca.crt --cert cl.crt --key cl.key" ;;
	esac
}

# in_state UNIT STATE: $c lists UNIT in STATE.
in_state()
{
	$c work list --unit_id "$1" 2>/dev/null |
	    grep -q "\"StateName\": \"$2\""
}

# submit ARGS...: $unit, submitted by $c work submit ARGS.
submit()
{
	$c work submit "$@" >submit.out 2>&1 ||
	    atf_fail "submit failed: $(cat submit.out)"
	unit=$(sed -n 's/^Unit ID: //p' submit.out)
	[ -n "$unit" ] || atf_fail "no unit: $(cat submit.out)"
}

# $PTYTALK NODE COMMAND...: COMMAND, a connect to NODE's control
# service, run on a terminal (receptorctl's connect wants one), asks for
# the status and then ends its input; prints what COMMAND printed and
# exits with its status. Sends at once, not after the greeting:
# receptorctl reads the "Connecting" line through a buffered file, which
# may swallow a greeting that comes with it, and then waits for it on
# the socket forever.
PTYTALK='
import os, pty, select, sys, time
want = (b"\"NodeID\":\"%s\"" % sys.argv[1].encode())
pid, fd = pty.fork()
if pid == 0:
	os.execvp(sys.argv[2], sys.argv[2:])
os.write(fd, b"status\n")
out, eof, end = b"", False, time.time() + 30
while time.time() < end:
	if want in out and not eof:
		os.write(fd, b"\x04")
		eof = True
	if select.select([fd], [], [], 1)[0]:
		try:
			data = os.read(fd, 4096)
		except OSError:
			data = b""
		if not data:
			break
		out += data
sys.stdout.write(out.decode())
if time.time() >= end:
	os.kill(pid, 9)
	sys.exit("timed out")
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
'

# commands PROG KIND NODE PEER: every command of PROG through NODE's
# KIND socket, PEER being the other node; the payload names the KIND.
commands()
{
	use "$1" "$2" "$3"
	_n=$3
	_p=$4
	atf_check -o match:"^Node ID: $_n$" -o match:"^$_p +$_p$" \
	    -e ignore $c status
	atf_check -o match:"^Reply from $_p in [0-9.]+(ns|µs|ms|s)$" \
	    -e ignore $c ping "$_p" --count 1
	atf_check -o match:"^0: $_n in [0-9.]+(ns|µs|ms|s)$" \
	    -o match:"^1: $_p in [0-9.]+(ns|µs|ms|s)$" \
	    -e ignore $c traceroute "$_p"
	_v=$($c status 2>/dev/null | sed -n 's/^Version: //p')
	atf_check -o match:'^receptorctl  [0-9.]+$' \
	    -o match:"^receptor     ${_v:-none}$" -e ignore $c version
	atf_check -o match:"\"NodeID\":\"$_p\"" -e ignore \
	    $PYTHON -c "$PTYTALK" "$_p" $c connect "$_p" control

	submit cat --payload-literal "over $2"
	atf_check -o match:'^Result: Job Started$' cat submit.out
	wait_until 30 in_state "$unit" Succeeded
	atf_check -o inline:"over $2\n" -e ignore $c work results "$unit"
	atf_check -o match:"^    \"$unit\": \{$" -e ignore $c work list
	atf_check -o match:"^$unit$" -e ignore $c work list -q
	atf_check -o match:"\"StdoutSize\": $(printf "over $2\n" | wc -c)," \
	    -o match:'"Detail": "exit status 0",' \
	    -e ignore $c work list --unit_id "$unit"
	atf_check -o inline:"Released:\n($unit, released)\n" -e ignore \
	    $c work release "$unit"
	atf_check -s exit:1 -o ignore \
	    -e match:"^ERROR: $unit: ERROR: unknown work unit $unit$" \
	    $c work release "$unit"
	atf_check -o match:'^followed$' \
	    -o match:'^\([a-zA-Z0-9]{8}, released\)$' -e ignore \
	    $c work submit cat --payload-literal followed --follow --rm

	submit sleep --no-payload
	wait_until 30 in_state "$unit" Running
	atf_check -o inline:"Cancelled:\n($unit, cancelled)\n" -e ignore \
	    $c work cancel "$unit"
	wait_until 30 in_state "$unit" Canceled
	atf_check -o inline:"Released:\n($unit, released)\n" -e ignore \
	    $c work release "$unit"
	atf_check -o inline:"{}\n" -e ignore $c work list
}

# reloads PROG NODE: PROG reloads NODE through each socket. Last, as a
# reload restarts the link, some time after its reply.
reloads()
{
	for kind in $KINDS; do
		use "$1" "$kind" "$2"
		atf_check -o inline:"Reload successful\n" -e ignore $c reload
	done
}

atf_test_case receptorctl_ours cleanup
receptorctl_ours_head()
{
	atf_set "descr" "receptorctl's commands against our node through" \
	    "its Unix, TCP and TLS control sockets"
	atf_set "require.progs" "openssl"
}
receptorctl_ours_body()
{
	need_receptorctl
	mesh
	for kind in $KINDS; do
		commands receptorctl "$kind" o1 g1
	done
	reloads receptorctl o1
}
receptorctl_ours_cleanup()
{
	stop_all
}

atf_test_case rcptctl_go cleanup
rcptctl_go_head()
{
	atf_set "descr" "rcptctl's commands against Go receptor through" \
	    "its Unix, TCP and TLS control sockets"
	atf_set "require.progs" "openssl"
}
rcptctl_go_body()
{
	mesh
	for kind in $KINDS; do
		commands rcptctl "$kind" g1 o1
	done
	reloads rcptctl g1
}
rcptctl_go_cleanup()
{
	stop_all
}

# awx ADDR RAW: awxflow.py through ADDR, RAW as its $AWXFLOW_RAW.
awx()
{
	_payload=$(printf "$1%.0s" $(seq 2000))
	atf_check -o match:'^\{.*"StateName": "Succeeded"' -o match:'^ok$' \
	    env PYTHONPATH="$RCTL_PATH" AWXFLOW_ROOTCAS=ca.crt \
	    AWXFLOW_CERT=cl.crt AWXFLOW_KEY=cl.key AWXFLOW_RAW="$2" $PYTHON \
	    "$(atf_get_srcdir)/awxflow.py" "$1" o1 cat "$_payload" "$_payload"
}

atf_test_case receptorcontrol cleanup
receptorcontrol_head()
{
	atf_set "descr" "ReceptorControl, as AWX drives it, against our node" \
	    "through its Unix, TCP and TLS control sockets"
	atf_set "require.progs" "openssl"
}
receptorcontrol_body()
{
	need_receptorctl
	mesh
	for addr in "$PWD/o1.sock" tcp://127.0.0.1:"$(cat o1.tcp)" \
	    tls://127.0.0.1:"$(cat o1.tls)"; do
		awx "$addr" ""
		# Over TLS also from the bare socket, a finished unit's
		# results read with their first line.
		case $addr in
		tls:*)	awx "$addr" raw ;;
		esac
	done
}
receptorcontrol_cleanup()
{
	stop_all
}

# run WHO COMMAND...: in WHO.text (WHO is ours or theirs), what COMMAND
# printed, its stdout, stderr less the version warning and exit status,
# through sed -E $mask.
run()
{
	_who=$1
	shift
	"$@" </dev/null >"$_who.out" 2>"$_who.err"
	echo "exit $?" >>"$_who.err"
	grep -v "$VERSION_WARNING" "$_who.err" |
	    cat "$_who.out" - | sed -E "$mask" >"$_who.text"
}

# alike WHAT: ours.text and theirs.text are the same, or fail naming
# the command WHAT.
alike()
{
	cmp -s ours.text theirs.text && return
	diff -u theirs.text ours.text >&2
	atf_fail "rcptctl $1 differs from receptorctl's"
}

# both ARGS...: run rcptctl ($ours) and receptorctl ($theirs) with ARGS.
both()
{
	run ours $ours "$@"
	run theirs $theirs "$@"
}

# same [-r] MASK ARGS...: rcptctl and receptorctl with ARGS print the
# same, once MASK has covered what changes from one run to the next.
# -r: try again, as the reply itself may differ.
same()
{
	_tries=1
	[ "$1" = -r ] && { _tries=20; shift; }
	mask=$1
	shift
	both "$@"
	while ! cmp -s ours.text theirs.text && [ $((_tries -= 1)) -gt 0 ]; do
		both "$@"
	done
	alike "$*"
	[ -s theirs.out ] || grep -q ERROR theirs.err ||
	    atf_fail "receptorctl $* printed nothing"
}

# clients NODE: $ours and $theirs, rcptctl and receptorctl on NODE.
clients()
{
	use rcptctl unix "$1"
	ours=$c
	use receptorctl unix "$1"
	theirs=$c
}

# same_text NODE PEER: on NODE, every command whose output does not
# depend on the client prints the same in both; times and unit IDs are
# masked, the version of the client too.
same_text()
{
	clients "$1"
	same 's/^(receptorctl  ).*/\1VERSION/' version
	# Last Seen and the ads' Time. Go lists the ads in its map's order,
	# another one at each call: -r.
	same -r 's/[0-9]{4}(-[0-9]{2}){2} [0-9]{2}(:[0-9]{2}){2}/SEEN/' status
	same -r 's/("Time": )"[^"]*"/\1"SEEN"/' status --json
	# The round trip times.
	same 's/ in [^ ]+$/ in TIME/' ping "$2" --count 1
	same 's/ in [^ ]+$/ in TIME/' traceroute "$2"
	same 's/ in [^ ]+$/ in TIME/' traceroute nosuch
	same '' ping nosuch --count 1
	same '' connect nosuch control

	c=$ours
	submit cat --payload-literal "same text"
	wait_until 30 in_state "$unit" Succeeded
	same '' work results "$unit"
	same '' work list
	same '' work list -q
	same '' work list --unit_id "$unit"
	same '' work list --unit_id nosuch
	same '' work list --node "$2"
	same '' work results nosuch
	same '' work release nosuch
	same '' work submit nosuch --no-payload
	same 's/^(Unit ID: ).*/\1UNIT/' work submit cat --payload-literal x
	same 's/^\([a-zA-Z0-9]{8}, /(UNIT, /' \
	    work submit cat --payload-literal x --follow --rm
	same '' work submit fail --no-payload --follow

	# A unit of each to cancel and release.
	submit sleep --no-payload
	u1=$unit
	submit sleep --no-payload
	u2=$unit
	wait_until 30 in_state "$u1" Running
	wait_until 30 in_state "$u2" Running
	mask="s/$u1|$u2/UNIT/"
	for op in cancel release; do
		run ours $ours work $op "$u1"
		run theirs $theirs work $op "$u2"
		alike "work $op"
	done
}

atf_test_case same_text cleanup
same_text_head()
{
	atf_set "descr" "rcptctl prints byte for byte what receptorctl" \
	    "prints, against our node and against Go receptor"
	atf_set "require.progs" "openssl"
}
same_text_body()
{
	need_receptorctl
	mesh
	same_text o1 g1
	same_text g1 o1
	# Last, as a reload restarts the link.
	for node in o1 g1; do
		clients "$node"
		same '' reload
	done
}
same_text_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case receptorctl_ours
	atf_add_test_case rcptctl_go
	atf_add_test_case receptorcontrol
	atf_add_test_case same_text
}
