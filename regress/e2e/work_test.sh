#! /usr/bin/env atf-sh
#
# Work units on one node: submit, results, status, list, cancel and
# release over the control protocol, the runner that outlives the
# daemon, and what a broken datadir does to a unit.

. "$(atf_get_srcdir)/lib.subr"

WORKCTL="python3 $(atf_get_srcdir)/workctl.py"

# worker [ARGS...]: node w, local-only, with the work types of the Go
# docs' examples and a few of our own, ready.
worker()
{
	start_named w --local-only \
	    --work-command worktype=cat command=cat \
	    --work-command worktype=echo command=echo params=hello \
	    allowruntimeparams=true \
	    --work-command worktype=fixed command=echo params=fixed \
	    --work-command worktype=false command=false \
	    --work-command worktype=missing command=/nonexistent/cmd \
	    --work-command worktype=sleep command=sleep params=100 \
	    --work-command worktype=sh command=sh allowruntimeparams=true \
	    "$@"
	wait_log 'Initialization complete' 10 w.log
}

# submit TYPE [PARAMS]: a unit of TYPE, payload from stdin; its ID in
# $unit.
submit()
{
	$WORKCTL submit "$PWD/w.sock" localhost "$@" >submit.out ||
	    atf_fail "submit failed"
	sed -n 1p submit.out | grep -qE '^Work unit created with ID [a-zA-Z0-9]{8}\. Send stdin data and EOF\.$' ||
	    atf_fail "no created line: $(cat submit.out)"
	unit=$(sed -n 1p submit.out | sed 's/.*with ID \([a-zA-Z0-9]*\)\..*/\1/')
	[ "$(sed -n 2p submit.out)" = \
	    "{\"result\":\"Job Started\",\"unitid\":\"$unit\"}" ] ||
	    atf_fail "submit replied: $(cat submit.out)"
}

# finished UNIT [STATES]: waits until UNIT is Succeeded or Failed; its
# status in status.json.
finished()
{
	$WORKCTL wait "$PWD/w.sock" "$1" "${2:-Succeeded,Failed}" 20 \
	    >status.json || atf_fail "unit $1 did not finish"
}

# group_gone PGID: no live process is in the process group.
group_gone()
{
	! ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/' |
	    grep -q .
}

field()
{
	python3 -c 'import json,sys; print(json.load(open("status.json"))[sys.argv[1]])' "$1"
}

atf_test_case cat_payload cleanup
cat_payload_head()
{
	atf_set descr "a payload through cat comes back byte for byte"
}
cat_payload_body()
{
	worker
	head -c 3000000 /dev/urandom >payload
	submit cat <payload
	finished "$unit"
	atf_check_equal Succeeded "$(field StateName)"
	atf_check_equal "exit status 0" "$(field Detail)"
	atf_check_equal 3000000 "$(field StdoutSize)"
	atf_check_equal None "$(field ExtraData)"
	$WORKCTL results "$PWD/w.sock" "$unit" >out
	cmp payload out || atf_fail "results differ from the payload"
	$WORKCTL results "$PWD/w.sock" "$unit" 2999990 >tail
	tail -c 10 payload | cmp - tail || atf_fail "results from 2999990"
	# Go's files, modes and status bytes
	d=w.data/w/$unit
	atf_check -o inline:"700\n" stat -c %a "$d"
	for f in status status.lock stdin stdout; do
		atf_check -o inline:"600\n" stat -c %a "$d/$f"
	done
	atf_check -o match:"^\{\"State\":2,\"Detail\":\"exit status 0\",\"StdoutSize\":3000000,\"WorkType\":\"cat\",\"ExtraData\":null\}$" \
	    cat "$d/status"
}
cat_payload_cleanup()
{
	stop_all
}

atf_test_case params cleanup
params_head()
{
	atf_set descr "runtime params where allowed, Go's refusals where not"
}
params_body()
{
	worker
	submit echo "world 'two words'" </dev/null
	finished "$unit"
	atf_check -o inline:"hello world two words\n" \
	    $WORKCTL results "$PWD/w.sock" "$unit"
	atf_check -o inline:"ERROR: extra params provided but not allowed\n" \
	    $WORKCTL submit "$PWD/w.sock" localhost fixed extra </dev/null
	atf_check -o inline:"ERROR: unknown work type nosuch\n" \
	    $WORKCTL submit "$PWD/w.sock" localhost nosuch </dev/null
	atf_check -o inline:"ERROR: ttl option is intended for remote work only\n" \
	    $WORKCTL ask "$PWD/w.sock" \
	    '{"command":"work","subcommand":"submit","node":"w","worktype":"cat","ttl":"1m"}'
	# No unit directory is left behind by a refusal.
	atf_check_equal 1 "$(ls w.data/w | wc -l)"
}
params_cleanup()
{
	stop_all
}

atf_test_case errors cleanup
errors_head()
{
	atf_set descr "Go's texts for unknown units, failing and missing commands"
}
errors_body()
{
	worker
	atf_check -o inline:"ERROR: unknown work unit nosuch\nERROR: unknown work unit ../w\n{}\nERROR: bad command\n" \
	    $WORKCTL ask "$PWD/w.sock" "work status nosuch" \
	    "work release ../w" "work list" "work frob x"
	submit false </dev/null
	finished "$unit"
	atf_check_equal Failed "$(field StateName)"
	atf_check_equal "exit status 1" "$(field Detail)"
	submit missing </dev/null
	finished "$unit"
	atf_check_equal Failed "$(field StateName)"
	atf_check_equal "fork/exec /nonexistent/cmd: no such file or directory" \
	    "$(field Detail)"
}
errors_cleanup()
{
	stop_all
}

atf_test_case cancel_group cleanup
cancel_group_head()
{
	atf_set descr "cancel ends the command's whole process group"
}
cancel_group_body()
{
	worker
	submit sh "-c 'sleep 100 & sleep 100 & echo started; wait'" </dev/null
	$WORKCTL wait "$PWD/w.sock" "$unit" Running 10 >status.json ||
	    atf_fail "not running"
	wait_until 10 grep -q started "w.data/w/$unit/stdout"
	pid=$(field Detail | sed 's/Running: PID //')
	atf_check -o match:'^[0-9]+$' echo "$pid"
	atf_check -o inline:"{\"cancelled\":\"$unit\"}\n" \
	    $WORKCTL ask "$PWD/w.sock" "work cancel $unit"
	finished "$unit" Canceled
	atf_check_equal Canceled "$(field Detail)"
	atf_check_equal None "$(field ExtraData)"
	# nothing of the command's process group is left, once reaped
	wait_until 10 group_gone "$pid"
	atf_check -o inline:"{\"released\":\"$unit\"}\nERROR: unknown work unit $unit\n" \
	    $WORKCTL ask "$PWD/w.sock" "work release $unit" \
	    "work release $unit"
	test -e "w.data/w/$unit" && atf_fail "the unit's directory is left"
	return 0
}
cancel_group_cleanup()
{
	stop_all
}

atf_test_case restart cleanup
restart_head()
{
	atf_set descr "SIGKILL to the daemon's process group while 5 units run: they finish, and a restart finds them whole"
}
restart_body()
{
	START_WITH=setsid worker
	: >units
	for i in 1 2 3 4 5; do
		submit sh "-c 'echo begin $i; sleep 2; echo end $i'" </dev/null
		echo "$unit $i" >>units
	done
	kill -KILL -- "-$(cat w.pid)"
	rm -f w.pid
	# The runners live on, in sessions of their own.
	while read -r unit i; do
		wait_until 20 grep -q "end $i" "w.data/w/$unit/stdout"
	done <units
	worker
	while read -r unit i; do
		finished "$unit"
		atf_check_equal Succeeded "$(field StateName)"
		atf_check -o inline:"begin $i\nend $i\n" \
		    $WORKCTL results "$PWD/w.sock" "$unit"
	done <units
}
restart_cleanup()
{
	stop_all
}

atf_test_case restart_running cleanup
restart_running_head()
{
	atf_set descr "a unit still running across a restart is followed to its end; one whose runner died fails with the reason"
}
restart_running_body()
{
	worker
	submit sh "-c 'echo one; sleep 3; echo two'" </dev/null
	running=$unit
	submit sleep </dev/null
	killed=$unit
	$WORKCTL wait "$PWD/w.sock" "$killed" Running 10 >status.json
	runner=$(python3 -c 'import json; print(json.load(open("status.json"))["ExtraData"]["Pid"])')
	command=$(field Detail | sed 's/Running: PID //')
	# The daemon alone dies: its children follow, the runners stay.
	kill -KILL "$(cat w.pid)"
	rm -f w.pid
	kill -KILL "$runner" -- "-$command"
	worker
	finished "$running"
	atf_check_equal Succeeded "$(field StateName)"
	atf_check -o inline:"one\ntwo\n" $WORKCTL results "$PWD/w.sock" "$running"
	finished "$killed"
	atf_check_equal "Command runner (pid $runner) ended without reporting a result" \
	    "$(field Detail)"
}
restart_running_cleanup()
{
	stop_all
}

atf_test_case follow cleanup
follow_head()
{
	atf_set descr "results follow a unit that is still writing until it ends"
}
follow_body()
{
	worker
	submit sh "-c 'for i in 1 2 3 4 5; do echo line \$i; sleep 0.3; done'" \
	    </dev/null
	$WORKCTL results "$PWD/w.sock" "$unit" >out
	atf_check -o inline:"line 1\nline 2\nline 3\nline 4\nline 5\n" cat out
}
follow_cleanup()
{
	stop_all
}

atf_test_case bad_datadir cleanup
bad_datadir_head()
{
	atf_set descr "corrupt, truncated and foreign entries of the datadir fail their unit, never workd"
}
bad_datadir_body()
{
	mkdir -p w.data/w/garbage1 w.data/w/trunc123 w.data/w/nostatus \
	    w.data/w/bad.name
	echo 'not json' >w.data/w/garbage1/status
	printf '{"State":2,"Detail":"exit st' >w.data/w/trunc123/status
	worker
	atf_check -o match:'"garbage1":\{"Detail":"Failed to restart: [^"]+","ExtraData":"Unknown WorkType","State":3' \
	    -o match:'"trunc123":\{"Detail":"Failed to restart: ' \
	    -o not-match:nostatus -o not-match:bad.name \
	    $WORKCTL ask "$PWD/w.sock" "work list"
	echo hi >p
	submit cat <p
	finished "$unit"
	atf_check_equal Succeeded "$(field StateName)"
}
bad_datadir_cleanup()
{
	stop_all
}

atf_test_case full_disk cleanup
full_disk_head()
{
	atf_set descr "a full disk fails the unit taking the payload, and no other"
	atf_set require.user root
}
full_disk_body()
{
	mkdir w.data
	mount -t tmpfs -o size=1m tmpfs w.data || atf_skip "cannot mount tmpfs"
	worker
	echo small >p
	submit cat <p
	small=$unit
	finished "$small"
	head -c 2000000 /dev/zero >big
	$WORKCTL submit "$PWD/w.sock" localhost cat <big >out
	atf_check -o match:'^Work unit created with ID' sed -n 1p out
	atf_check -o inline:"ERROR: write stdin: no space left on device\n" \
	    sed -n 2p out
	big=$(sed -n 1p out | sed 's/.*with ID \([a-zA-Z0-9]*\)\..*/\1/')
	finished "$big"
	atf_check_equal "Error reading input data: write stdin: no space left on device" \
	    "$(field Detail)"
	atf_check -o inline:"small\n" $WORKCTL results "$PWD/w.sock" "$small"
	atf_check -o inline:"{\"released\":\"$big\"}\n" \
	    $WORKCTL ask "$PWD/w.sock" "work release $big"
	echo again >p
	submit cat <p
	finished "$unit"
	atf_check -o inline:"again\n" $WORKCTL results "$PWD/w.sock" "$unit"
}
full_disk_cleanup()
{
	stop_all
	umount w.data 2>/dev/null
	return 0
}

atf_test_case concurrent cleanup
concurrent_head()
{
	atf_set descr "200 units submitted at once all succeed with their own results"
	atf_set timeout 300
}
concurrent_body()
{
	worker
	atf_check -o inline:"200 units succeeded\n" \
	    $WORKCTL many "$PWD/w.sock" 200 cat
}
concurrent_cleanup()
{
	stop_all
}

atf_test_case burst cleanup
burst_head()
{
	atf_set descr "300 clients connecting at once while ctld is busy all wait their turn, none is refused"
}
burst_body()
{
	worker
	for p in $(pgrep -P "$(cat w.pid)"); do
		[ "$(cat /proc/"$p"/comm)" = ctld ] && ctld=$p
	done
	kill -STOP "$ctld"
	atf_check -o inline:"300\n" python3 -c '
import socket, sys
ss = []
for i in range(300):
	s = socket.socket(socket.AF_UNIX)
	s.settimeout(5)
	s.connect(sys.argv[1])
	ss.append(s)
print(len(ss))
' "$PWD/w.sock"
	kill -CONT "$ctld"
	atf_check -o inline:"{}\n" $WORKCTL ask "$PWD/w.sock" "work list"
}
burst_cleanup()
{
	stop_all
}

atf_test_case unreachable_datadir cleanup
unreachable_datadir_head()
{
	atf_set descr "started as root, a datadir the work user can't reach is named at start, with the directory in the way"
	atf_set require.user root
}
unreachable_datadir_body()
{
	mkdir -m 700 locked
	"$RECEPTOR" --node id=w datadir="$PWD/locked/data" --local-only \
	    >w.log 2>&1 &
	echo $! >w.pid
	wait_log 'Initialization complete' 10 w.log
	atf_check -o match:"user [^ ]+ may not pass through $PWD/locked \(mode 0700\): work commands will fail" \
	    cat w.log
}
unreachable_datadir_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case cat_payload
	atf_add_test_case params
	atf_add_test_case errors
	atf_add_test_case cancel_group
	atf_add_test_case restart
	atf_add_test_case restart_running
	atf_add_test_case follow
	atf_add_test_case bad_datadir
	atf_add_test_case unreachable_datadir
	atf_add_test_case burst
	atf_add_test_case full_disk
	atf_add_test_case concurrent
}
