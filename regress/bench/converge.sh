#!/bin/sh
# 100 nodes in a binary tree over TCP, all started at once: seconds until
# the root routes to every other node, then PSS per node and the idle CPU
# of the whole mesh (Go receptor: 17 s to converge, 6.4 MB PSS per node).
set -eu
. regress/bench/bench.subr
N=${NODES:-100}

i=0
while [ $i -lt $N ]; do
	eval "port_$i=$(free_port)"
	i=$((i + 1))
done
start=$(now_ms)
i=0
while [ $i -lt $N ]; do
	peer=
	if [ $i -gt 0 ]; then
		parent=$(( (i - 1) / 2 ))
		peer="--tcp-peer address=127.0.0.1:$(eval echo \$port_$parent)"
	fi
	node t$i --tcp-listener port=$(eval echo \$port_$i) \
	    bindaddr=127.0.0.1 $peer
	i=$((i + 1))
done
routes()
{
	[ "$(ctl t0 status --json | tr -d ' \n' |
	    sed 's/.*"RoutingTable":{\([^}]*\)}.*/\1/' | tr ',' '\n' |
	    grep -c '"t')" -ge $((N - 1)) ]
}
wait_for 120 routes
end=$(now_ms)
printf 'converge_s nodes=%d %d.%03d (Go: 17)\n' $N \
    $(((end - start) / 1000)) $(((end - start) % 1000))

total=0
for p in $pids; do
	total=$((total + $(pss_kb "$p")))
done
printf 'pss_kb_per_node nodes=%d %d (Go: 6554)\n' $N $((total / N))

ticks()
{
	t=0
	for p in $pids; do
		for c in "$p" $(pgrep -P "$p"); do
			t=$((t + $(awk '{ print $14 + $15 }' /proc/"$c"/stat)))
		done
	done
	echo $t
}
sleep 5
before=$(ticks)
sleep 20
after=$(ticks)
hz=$(getconf CLK_TCK)
printf 'idle_cpu_percent_per_node nodes=%d %s\n' $N \
    "$(echo "$before $after $hz $N" |
    awk '{ printf "%.3f", ($2 - $1) / $3 / 20 * 100 / $4 }')"
