#! /usr/bin/env atf-sh
#
# The privilege audit: `rcptctl privileges` against a live daemon, and the
# plan `receptor -n -v` prints after the config.

. "$(atf_get_srcdir)/lib.subr"

CHILDREN="netd workd ctld"

# audit_start: a node with a control socket and a TCP listener on
# 127.0.0.1:$PORT, ready; the audit's JSON in ./audit.json.
audit_start()
{
	PORT=$(free_port)
	start_receptor --node id=t1 datadir="$PWD/data" \
	    --control-service filename="$PWD/ctl.sock" \
	    --tcp-listener port="$PORT" bindaddr=127.0.0.1
	wait_log 'Initialization complete'
	atf_check -o save:audit.json "$RCPTCTL" --socket "$PWD/ctl.sock" \
	    privileges --json
}

# field ROLE EXPR: python3 expression EXPR on the process p of that role.
field()
{
	python3 -c '
import json, sys
r = json.load(open("audit.json"))
p = [p for p in r["Processes"] if p["Role"] == sys.argv[1]][0]
v = eval(sys.argv[2])
print(json.dumps(v) if not isinstance(v, str) else v)' "$1" "$2"
}

atf_test_case json cleanup
json_head()
{
	atf_set "descr" "privileges --json parses and lists the four" \
	    "processes with their pids, sorted keys at every level"
}
json_body()
{
	audit_start
	atf_check -o ignore python3 -m json.tool audit.json
	atf_check -o ignore perl -MJSON::PP -e \
	    'local $/; decode_json(<STDIN>)' <audit.json
	atf_check_equal "$(receptor_pid)" "$(field receptor 'p["Pid"]')"
	for c in $CHILDREN; do
		atf_check_equal "$(child_pid $c)" "$(field $c 'p["Pid"]')"
	done
	# The control reply itself: Go's json.Marshal sorts every map.
	printf 'privileges\n' >req
	python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rwb")
f.readline()
f.write(b"privileges\n"); f.flush()
raw = f.readline().decode()
def check(o):
    if isinstance(o, dict):
        k = list(o)
        assert k == sorted(k), k
        for v in o.values(): check(v)
    elif isinstance(o, list):
        for v in o: check(v)
check(json.loads(raw))
f.write(b"{\"command\":\"privileges\"}\n"); f.flush()
check(json.loads(f.readline().decode()))
f.write(b"privileges x\n"); f.flush()
assert f.readline().startswith(b"ERROR: privileges command does not take")
' "$PWD/ctl.sock" || atf_fail "control reply not as expected"
}
json_cleanup()
{
	stop_receptor
}

atf_test_case sandboxes cleanup
sandboxes_head()
{
	atf_set "descr" "Every child: NoNewPrivs 1, seccomp 2, no effective" \
	    "capabilities but netd's binding of low ports, its role's" \
	    "syscalls; as root also not root and netd and ctld in /var/empty"
}
sandboxes_body()
{
	audit_start
	for c in $CHILDREN; do
		atf_check_equal "$c:1" "$c:$(field $c 'p["NoNewPrivs"]')"
		atf_check_equal "$c:2" "$c:$(field $c 'p["Seccomp"]')"
		atf_check_equal "$c:$(kept_caps $c)" \
		    "$c:$(field $c 'p["CapEff"]')"
		atf_check_equal "$c:true" \
		    "$c:$(field $c '"read" in p["Syscalls"]["Allowed"]')"
		atf_check_equal "$c:false" \
		    "$c:$(field $c '"execve" in p["Syscalls"]["Allowed"]')"
	done
	atf_check_equal true "$(field netd '"connect" in p["Syscalls"]["Allowed"]')"
	atf_check_equal false "$(field ctld '"socket" in p["Syscalls"]["Allowed"]')"
	atf_check_equal true "$(field workd '"openat" in p["Syscalls"]["Allowed"]')"
	atf_check_equal null "$(field receptor 'p["Syscalls"]')"
	# What /proc says, the audit says.
	for c in $CHILDREN; do
		pid=$(child_pid $c)
		atf_check_equal "$c:$(proc_field "$pid" CapBnd)" \
		    "$c:$(field $c 'p["CapBnd"]')"
	done
	if [ "$(id -u)" != 0 ]; then
		echo "not root: skipping the user and chroot checks"
		return 0
	fi
	for c in $CHILDREN; do
		atf_check_equal "$c:false" "$c:$(field $c '0 in p["Uid"]')"
		atf_check_equal "$c:false" "$c:$(field $c '0 in p["Gid"]')"
		atf_check_equal "$c:_receptor" "$c:$(field $c 'p["User"]')"
		atf_check_equal "$c:$(kept_caps $c)" \
		    "$c:$(field $c 'p["CapPrm"]')"
	done
	for c in netd ctld; do
		atf_check_equal "$c:/var/empty" "$c:$(field $c 'p["Root"]')"
	done
	atf_check_equal "/" "$(field workd 'p["Root"]')"
}
sandboxes_cleanup()
{
	stop_receptor
}

atf_test_case parent_caps cleanup
parent_caps_head()
{
	atf_set "descr" "Started by hand as root, the parent keeps the" \
	    "capabilities of the unit's bounding set only, and says so"
	atf_set "require.user" "root"
}
parent_caps_body()
{
	# chown dac_override fowner kill setgid setuid setpcap
	# net_bind_service sys_chroot, where the root that ran us had them
	kept=$(printf '%016x' $(( 0x405eb & 0x$(proc_field $$ CapBnd) )))
	audit_start
	for set in CapEff CapPrm CapBnd; do
		atf_check_equal "$set:$kept" \
		    "$set:$(proc_field "$(receptor_pid)" $set)"
		atf_check_equal "$set:$kept" \
		    "$set:$(field receptor 'p["'$set'"]')"
	done
	atf_check_equal "CapInh:0000000000000000" \
	    "CapInh:$(proc_field "$(receptor_pid)" CapInh)"
}
parent_caps_cleanup()
{
	stop_receptor
}

atf_test_case landlock cleanup
landlock_head()
{
	atf_set "descr" "Landlock: workd's one rule is its datadir, netd and" \
	    "ctld have none"
}
landlock_body()
{
	audit_start
	abi=$(python3 -c 'import json; print(json.load(open("audit.json"))["LandlockABI"])')
	if [ "$abi" = 0 ]; then
		atf_check_equal false "$(field workd 'p["Landlock"]["Enforced"]')"
		atf_skip "no Landlock in this kernel"
	fi
	for c in $CHILDREN; do
		atf_check_equal "$c:true" \
		    "$c:$(field $c 'p["Landlock"]["Enforced"]')"
	done
	atf_check_equal false "$(field receptor 'p["Landlock"]["Enforced"]')"
	atf_check_equal "[]" "$(field netd 'p["Landlock"]["Rules"]')"
	atf_check_equal "[]" "$(field ctld 'p["Landlock"]["Rules"]')"
	atf_check_equal 1 "$(field workd 'len(p["Landlock"]["Rules"])')"
	field workd 'p["Landlock"]["Rules"][0]' >rule
	atf_check -o match:"^beneath $PWD/data: " -o not-match:execute cat rule
}
landlock_cleanup()
{
	stop_receptor
}

atf_test_case listening cleanup
listening_head()
{
	atf_set "descr" "The control socket is among the parent's and ctld's" \
	    "listening sockets, the TCP listener's port among netd's"
}
listening_body()
{
	audit_start
	atf_check_equal true \
	    "$(field ctld '"unix '"$PWD"'/ctl.sock" in p["Listening"]')"
	atf_check_equal true \
	    "$(field receptor '"unix '"$PWD"'/ctl.sock" in p["Listening"]')"
	atf_check_equal true \
	    "$(field netd '"tcp 127.0.0.1:'"$PORT"'" in p["Listening"]')"
	atf_check_equal "[]" "$(field workd 'p["Listening"]')"
	atf_check_equal false \
	    "$(field ctld 'any("'"$PORT"'" in s for s in p["Listening"])')"
}
listening_cleanup()
{
	stop_receptor
}

atf_test_case table cleanup
table_head()
{
	atf_set "descr" "rcptctl privileges prints a table of the processes" \
	    "and the details of each"
}
table_body()
{
	audit_start
	atf_check -o save:table "$RCPTCTL" --socket "$PWD/ctl.sock" privileges
	atf_check -o match:'^ROLE +PID +UID +GID +ROOT +NONEWPRIVS +SECCOMP +CAPEFF' \
	    -o match:"^receptor +$(receptor_pid) " \
	    -o match:"^netd +$(child_pid netd) .* 1 +2 +$(kept_caps netd) " \
	    -o match:"^ctld +$(child_pid ctld) .* 1 +2 +0000000000000000 " \
	    -o match:"^workd +$(child_pid workd) .* 1 +2 +0000000000000000 " \
	    -o match:"^  listening: tcp 127.0.0.1:$PORT\$" \
	    -o match:"^  listening: unix $PWD/ctl.sock\$" \
	    -o match:'^  syscalls allowed \([0-9]+\): ' \
	    -o match:'^  syscalls: no filter' cat table
	if [ "$(id -u)" = 0 ]; then
		atf_check -o match:'^netd +[0-9]+ +[1-9][0-9]* +[1-9][0-9]* +/var/empty ' \
		    -o match:'^ctld +[0-9]+ +[1-9][0-9]* +[1-9][0-9]* +/var/empty ' \
		    cat table
	else
		echo "not root: skipping the user and chroot checks"
	fi
	atf_check -s exit:1 -e match:'No such option: --bad' \
	    "$RCPTCTL" --socket "$PWD/ctl.sock" privileges --bad
	atf_check -o match:'privileges \[--json\]' "$RCPTCTL" --help
}
table_cleanup()
{
	stop_receptor
}

atf_test_case plan
plan_head()
{
	atf_set "descr" "receptor -n -v prints the privilege plan as comments" \
	    "after the config, and the output still round-trips"
}
plan_body()
{
	cat >in.conf <<CONF
- node:
    id: foo
    datadir: $PWD/data
- tcp-listener:
    port: 2222
- control-service:
    filename: $PWD/x.sock
CONF
	atf_check -o save:one.conf "$RECEPTOR" -n -v -c in.conf
	atf_check -o save:two.conf "$RECEPTOR" -n -v -c one.conf
	atf_check cmp one.conf two.conf
	atf_check -o save:plan grep '^#' one.conf
	atf_check -o match:'^# +receptor +root +/ +all +9 +unfiltered$' \
	    -o match:'^# +netd +_receptor +/var/empty +none +bind +[0-9]+: ' \
	    -o match:'^# +ctld +_receptor +/var/empty +none +none +[0-9]+: ' \
	    -o match:"^# +workd +_receptor +/ +$PWD/data \\(no exec\\) +none " \
	    -o match:'^# Listening: netd tcp 0.0.0.0:2222$' \
	    -o match:"^# Listening: receptor and ctld unix $PWD/x.sock\$" \
	    cat plan
	# Without -v, or with a user given, the same config parses.
	atf_check -e match:'configuration OK' -o empty "$RECEPTOR" -n -c one.conf
	atf_check -o match:'^# +netd +nobody ' "$RECEPTOR" -n -v -u nobody \
	    -c in.conf
	grep -v '^#' one.conf >noplan.conf
	atf_check -o save:three.conf "$RECEPTOR" -n -v -c noplan.conf
	atf_check cmp one.conf three.conf
}

atf_init_test_cases()
{
	atf_add_test_case json
	atf_add_test_case sandboxes
	atf_add_test_case parent_caps
	atf_add_test_case landlock
	atf_add_test_case listening
	atf_add_test_case table
	atf_add_test_case plan
}
