#! /usr/bin/env atf-sh
#
# Work units between this daemon and the real Go receptor and
# receptorctl (../shared/interop, found by the Makefile): the same
# datadir taken over both ways, a unit running while the daemons are
# swapped, and receptorctl, CLI and ReceptorControl, driving our node.

. "$(atf_get_srcdir)/lib.subr"

WORKCTL="python3 $(atf_get_srcdir)/workctl.py"

WORK_TYPES="--work-command worktype=cat command=cat
    --work-command worktype=sh command=sh allowruntimeparams=true"

# ours: node w of this daemon; go: node w of Go receptor; the same
# datadir, socket and work types.
ours()
{
	start_named w --local-only $WORK_TYPES
	wait_log 'Initialization complete' 10 w.log
}

go()
{
	"$GO" --node id=w datadir="$PWD/w.data" --local-only \
	    --control-service filename="$PWD/w.sock" $WORK_TYPES \
	    >go.log 2>&1 &
	echo $! >go.pid
	wait_until 10 test -S w.sock
	wait_until 10 $WORKCTL ask "$PWD/w.sock" status
}

# stop NAME: SIGTERM to the daemon alone; its runners stay.
stop()
{
	kill -TERM "$(cat "$1.pid")"
	wait_exit "$(cat "$1.pid")"
	rm -f "$1.pid" w.sock
}

# submit TYPE [PARAMS]: $unit, with the payload of stdin.
submit()
{
	$WORKCTL submit "$PWD/w.sock" w "$@" >submit.out ||
	    atf_fail "submit failed: $(cat submit.out)"
	unit=$(sed -n 2p submit.out |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["unitid"])') ||
	    atf_fail "submit: $(cat submit.out)"
}

succeeded()
{
	$WORKCTL wait "$PWD/w.sock" "$1" Succeeded 20 >/dev/null ||
	    atf_fail "unit $1 did not succeed"
}

# swap FIRST SECOND: units made by FIRST, one done and one still
# running, are listed, followed and read by SECOND.
swap()
{
	$1
	head -c 100000 /dev/urandom >payload
	submit cat <payload
	done_unit=$unit
	succeeded "$done_unit"
	submit sh "-c 'echo one; sleep 3; echo two'" </dev/null
	running=$unit
	$WORKCTL wait "$PWD/w.sock" "$running" Running 10 >/dev/null
	$WORKCTL ask "$PWD/w.sock" "work list" >before
	if [ "$1" = go ]; then stop go; else stop w; fi
	$2
	$WORKCTL ask "$PWD/w.sock" "work list" >after
	atf_check -o match:"\"$done_unit\":\{\"Detail\":\"exit status 0\",\"ExtraData\":null,\"State\":2,\"StateName\":\"Succeeded\",\"StdoutSize\":100000,\"WorkType\":\"cat\"\}" \
	    cat after
	atf_check -o match:"\"$running\":" cat after
	$WORKCTL results "$PWD/w.sock" "$done_unit" >out
	cmp payload out || atf_fail "results of $done_unit differ"
	succeeded "$running"
	atf_check -o inline:"one\ntwo\n" \
	    $WORKCTL results "$PWD/w.sock" "$running"
}

atf_test_case go_to_ours cleanup
go_to_ours_head()
{
	atf_set descr "Go receptor's datadir taken over by ours, a unit running"
}
go_to_ours_body()
{
	need_go
	swap go ours
}
go_to_ours_cleanup()
{
	stop_all
}

atf_test_case ours_to_go cleanup
ours_to_go_head()
{
	atf_set descr "our datadir taken over by Go receptor, a unit running"
}
ours_to_go_body()
{
	need_go
	swap ours go
}
ours_to_go_cleanup()
{
	stop_all
}


atf_test_case receptorctl_cli cleanup
receptorctl_cli_head()
{
	atf_set descr "receptorctl's work commands against our daemon"
}
receptorctl_cli_body()
{
	need_receptorctl
	ours
	# receptorctl's CLI against our node
	rctl="env PYTHONPATH=$RCTL_PATH python3 -m receptorctl --socket $PWD/w.sock"
	atf_check -o match:'^hello$' \
	    -o match:'^\([a-zA-Z0-9]{8}, released\)$' -e ignore \
	    $rctl work submit cat --payload-literal hello -f --rm
	echo payload >p
	$rctl work submit cat --payload p >out 2>err ||
	    atf_fail "submit: $(cat out err)"
	atf_check -o match:'^Result: Job Started$' cat out
	unit=$(sed -n 's/^Unit ID: //p' out)
	succeeded "$unit"
	atf_check -o inline:"payload\n" -e ignore $rctl work results "$unit"
	atf_check -o match:"\"$unit\": \{" -e ignore $rctl work list
	atf_check -o inline:"$unit\n" -e ignore $rctl work list -q
	atf_check -o inline:"Released:\n($unit, released)\n" -e ignore \
	    $rctl work release "$unit"
	atf_check -s exit:1 -e match:"ERROR: $unit: ERROR: unknown work unit $unit" \
	    -o ignore $rctl work release "$unit"
	atf_check -s exit:101 -o ignore \
	    -e match:'ERROR: Failed to start work unit: unknown work type nosuch' \
	    $rctl work submit nosuch --no-payload
}
receptorctl_cli_cleanup()
{
	stop_all
}

atf_test_case receptorcontrol cleanup
receptorcontrol_head()
{
	atf_set descr "the ReceptorControl class, as AWX drives it"
}
receptorcontrol_body()
{
	need_receptorctl
	ours
	atf_check -o match:'^ok$' env PYTHONPATH="$RCTL_PATH" \
	    python3 "$(atf_get_srcdir)/awxflow.py" "$PWD/w.sock" w cat \
	    "awx job
" "awx job
"
}
receptorcontrol_cleanup()
{
	stop_all
}

atf_test_case receptorctl_tls cleanup
receptorctl_tls_head()
{
	atf_set "descr" "receptorctl over tls:// ends a payload with a bare" \
	    "TCP shutdown, no close_notify: the unit still gets its payload" \
	    "and the client its reply, as from Go"
	atf_set "require.progs" "openssl"
}
receptorctl_tls_body()
{
	need_receptorctl
	mkca ca
	mkcert ca w
	port=$(free_port)
	start_named w --local-only $WORK_TYPES \
	    --control-service service=tlsctl tcplisten=127.0.0.1:"$port" \
	    tcptls=srv \
	    --tls-server name=srv cert="$PWD/w.crt" key="$PWD/w.key"
	wait_log 'Initialization complete' 10 w.log
	rctl="env PYTHONPATH=$RCTL_PATH python3 -m receptorctl \
	    --socket tls://127.0.0.1:$port --rootcas ca.crt"
	atf_check -o match:'^over tls$' \
	    -o match:'^\([a-zA-Z0-9]{8}, released\)$' -e ignore \
	    $rctl work submit cat --payload-literal "over tls" -f --rm
	atf_check -o inline:"ok\n" env PYTHONPATH="$RCTL_PATH" python3 -c '
import sys
from receptorctl.socket_interface import ReceptorControl
rc = lambda: ReceptorControl(sys.argv[1], rootcas="ca.crt")
unit = rc().submit_work(worktype="cat", payload=b"x" * 100000, node="w")["unitid"]
data = rc().get_work_results(unit).read()
assert data == b"x" * 100000, len(data)
print("ok")
' "tls://127.0.0.1:$port"
}
receptorctl_tls_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case go_to_ours
	atf_add_test_case ours_to_go
	atf_add_test_case receptorctl_cli
	atf_add_test_case receptorcontrol
	atf_add_test_case receptorctl_tls
}
