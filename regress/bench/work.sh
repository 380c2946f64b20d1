#!/bin/sh
# Work units on one node, this daemon beside Go receptor when
# ../shared/interop has it, the same client driving both: units per
# second (1000 units of `true`, 8 clients submitting at once, until the
# last has succeeded) and a 64 MiB payload through `cat` and back
# (submit, run, results), each with the datadir on this machine's disk
# and on tmpfs, where the file system costs least. Then, with 10,000
# finished units on disk, the time from start to a `work list` showing
# them all, and the memory of the process holding them.
set -eu
. regress/bench/bench.subr

GO=${RECEPTOR_GO:-../shared/interop/receptor-go-1.4.9}
shm=$(mktemp -d /dev/shm/receptor-bench.XXXXXX)
trap 'for p in $pids; do kill "$p" 2>/dev/null || :; done; sleep 0.5; rm -rf "$dir" "$shm"' EXIT
chmod 755 "$dir" "$shm"

# daemon NAME DATADIR ARGS...: ours, or Go's (NAME go), as node w.
daemon()
{
	d=$1
	data=$2
	shift 2
	if [ "$d" = go ]; then
		"$GO" --node id=w datadir="$data" --local-only \
		    --control-service filename="$dir/w.sock" "$@" \
		    >"$dir/w.log" 2>&1 &
	else
		"$RECEPTOR" --node id=w datadir="$data" --local-only \
		    --control-service filename="$dir/w.sock" "$@" \
		    >"$dir/w.log" 2>&1 &
	fi
	pid=$!
	pids="$pids $pid"
	wait_for 10 python3 regress/bench/workbench.py count "$dir/w.sock" 0
}

stop()
{
	kill "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	rm -f "$dir/w.sock"
}

daemons=ours
[ -x "$GO" ] && daemons="ours go"
for d in $daemons; do
	for where in disk tmpfs; do
		data=$dir/$d.data
		[ $where = tmpfs ] && data=$shm/$d.data
		daemon $d "$data" \
		    --work-command worktype=true command=true \
		    --work-command worktype=cat command=cat
		echo "$d, datadir on $where:"
		python3 regress/bench/workbench.py units "$dir/w.sock" 1000 8
		python3 regress/bench/workbench.py cat "$dir/w.sock" 64
		stop
		rm -rf "$data"
	done
done

for d in $daemons; do
	data=$dir/$d.full
	python3 regress/bench/workbench.py fill "$data/w" 10000
	t0=$(now_ms)
	daemon $d "$data" --work-command worktype=true command=true
	wait_for 60 python3 regress/bench/workbench.py count "$dir/w.sock" \
	    10000
	echo "$d: start with 10000 units on disk to a full work list:" \
	    "$(( $(now_ms) - t0 )) ms"
	if [ $d = go ]; then
		echo "go: 10000 units, PSS of the daemon:" \
		    "$(awk '/^Pss:/ { print $2 }' /proc/$pid/smaps_rollup) kB"
	else
		for p in $(pgrep -P "$pid"); do
			[ "$(cat /proc/"$p"/comm)" = workd ] &&
			    echo "ours: 10000 units, PSS of workd:" \
			    "$(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup) kB"
		done
		echo "ours: 10000 units, PSS of all four processes:" \
		    "$(pss_kb "$pid") kB"
	fi
	stop
	rm -rf "$data"
done
