#!/bin/sh
# Work units on one node: units per second (1000 units of `true`,
# submitted by 8 clients at once, until the last has succeeded), the
# rate of a 64 MiB payload through `cat` and back (submit, run, results),
# and, with 10,000 finished units on disk, the time from start to a
# `work list` that shows them all and workd's memory then.
# Go receptor here: 194 units/s, 41 MB/s.
set -eu
. regress/bench/bench.subr

node w --local-only --work-command worktype=true command=true \
    --work-command worktype=cat command=cat
wait_for 10 grep -q 'Initialization complete' "$dir/w.log"
python3 regress/bench/workbench.py units "$dir/w.sock" 1000 8
python3 regress/bench/workbench.py cat "$dir/w.sock" 64
kill "$pid_w"
while kill -0 "$pid_w" 2>/dev/null; do sleep 0.05; done

python3 regress/bench/workbench.py fill "$dir/data/w" 10000
t0=$(now_ms)
node w --local-only --work-command worktype=true command=true
wait_for 60 python3 regress/bench/workbench.py count "$dir/w.sock" 10000
echo "work_start_10000_units_ms $(( $(now_ms) - t0 ))"
for p in $(pgrep -P "$pid_w"); do
	[ "$(cat /proc/"$p"/comm)" = workd ] &&
	    echo "workd_10000_units_pss_kB $(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup)"
done
