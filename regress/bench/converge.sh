#!/bin/sh
# NODES (default 100) nodes in a binary tree over TCP, all started at
# once, of ours, of Go receptor's and of the two alternating by index
# (the root ours): seconds until the root routes to every other node,
# then PSS per node (ours its four processes, Go its one) and the idle
# CPU per node over 10 s, short enough for the three in five minutes.
set -eu
. regress/bench/bench.subr
N=${NODES:-100}
IDLE=10

routes()
{
	[ "$(ctl n0 status --json 2>/dev/null | tr -d ' \n' |
	    sed 's/.*"RoutingTable":{\([^}]*\)}.*/\1/' | tr ',' '\n' |
	    grep -c '"n')" -ge $((N - 1)) ]
}

# ticks: CPU time of the mesh's processes so far, in clock ticks.
ticks()
{
	t=0
	for p in $mesh_pids; do
		for c in "$p" $(pgrep -P "$p"); do
			t=$((t + $(awk '{ print $14 + $15 }' /proc/"$c"/stat)))
		done
	done
	echo $t
}

for m in $(meshes); do
	i=0
	while [ $i -lt $N ]; do
		eval "port_$i=$(free_port)"
		i=$((i + 1))
	done
	t0=$(now_ms)
	i=0
	for k in $(kinds $m $N); do
		peer=
		if [ $i -gt 0 ]; then
			eval "up=\$port_$(( (i - 1) / 2 ))"
			peer="--tcp-peer address=127.0.0.1:$up"
		fi
		eval "port=\$port_$i"
		start $k n$i --tcp-listener port=$port bindaddr=127.0.0.1 $peer
		i=$((i + 1))
	done
	wait_for 120 routes
	t=$(( $(now_ms) - t0 ))
	printf 'converge_s mesh=%s nodes=%d %d.%03d\n' $m $N \
	    $((t / 1000)) $((t % 1000))

	total=0
	for p in $mesh_pids; do
		total=$((total + $(pss_kb "$p")))
	done
	echo "pss_kb_per_node mesh=$m nodes=$N $((total / N))"

	sleep 5
	before=$(ticks)
	sleep $IDLE
	after=$(ticks)
	echo "idle_cpu_percent_per_node mesh=$m nodes=$N $(echo \
	    "$before $after $(getconf CLK_TCK) $N" |
	    awk '{ printf "%.3f", ($2 - $1) / $3 / '$IDLE' * 100 / $4 }')"
	mesh_stop
done
