#!/bin/sh
# Resident memory of an idle local-only node: PSS of the parent and its
# three children, each and together (Go receptor: about 12 MB PSS), and
# the anonymous part of it, the node's own: the rest is library code,
# charged whole to a node alone on a machine and shared with whatever
# else maps the same libraries.
set -eu
. regress/bench/bench.subr

node bench --local-only
wait_for 10 grep -q 'Initialization complete' "$dir/bench.log"
sleep 1		# let the processes settle into their idle state
total=0
anon=0
for p in $pid_bench $(pgrep -P "$pid_bench"); do
	kb=$(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup)
	akb=$(awk '/^Pss_Anon:/ { print $2 }' /proc/"$p"/smaps_rollup)
	total=$((total + kb))
	anon=$((anon + akb))
	printf 'idle_pss_kb %-8s %6d (anonymous %d)\n' \
	    "$(cat /proc/"$p"/comm)" "$kb" "$akb"
done
printf 'idle_pss_kb total    %6d (%d.%d MB; Go: about 12 MB)\n' "$total" \
    $((total / 1024)) $((total % 1024 * 10 / 1024))
printf 'idle_pss_kb anonymous %5d (%d.%d MB)\n' "$anon" \
    $((anon / 1024)) $((anon % 1024 * 10 / 1024))
