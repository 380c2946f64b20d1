#!/bin/sh
# Resident memory of an idle local-only node: PSS of the parent and its
# three children, each and together (Go receptor: about 12 MB PSS).
set -eu
OBJ=${OBJ:-obj}
RECEPTOR=$OBJ/sbin/receptor
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

"$RECEPTOR" --node id=bench datadir="$dir/data" --local-only \
    >"$dir/log" 2>&1 &
pid=$!
tries=200
until grep -q 'Initialization complete' "$dir/log"; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || { cat "$dir/log"; exit 1; }
	sleep 0.05
done
sleep 1		# let the processes settle into their idle state

pss() { awk '/^Pss:/ { print $2 }' /proc/"$1"/smaps_rollup; }
total=0
for p in "$pid" $(pgrep -P "$pid"); do
	kb=$(pss "$p")
	total=$((total + kb))
	printf 'idle_pss_kb %-8s %6d\n' "$(cat /proc/"$p"/comm)" "$kb"
done
printf 'idle_pss_kb total    %6d (%d.%d MB)\n' "$total" \
    $((total / 1024)) $((total % 1024 * 10 / 1024))
