#!/bin/sh
# NODES (default 100) nodes in a binary tree over TCP, all started at
# once, of ours, of Go receptor's and of the two alternating by index
# (the root ours): seconds until the root routes to every other node,
# then PSS per node (ours its four processes, Go its one) and the idle
# CPU per node over 10 s, short enough for the three in five minutes.
set -eu
. regress/bench/bench.subr
N=${NODES:-100}

for m in $(meshes); do
	ports $N
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
	wait_for 120 full_routes n0 $N
	t=$(( $(now_ms) - t0 ))
	printf 'converge_s mesh=%s nodes=%d %d.%03d\n' $m $N \
	    $((t / 1000)) $((t % 1000))
	echo "pss_kb_per_node mesh=$m nodes=$N $(mesh_pss_kb $N)"
	sleep 5
	echo "idle_cpu_percent_per_node mesh=$m nodes=$N $(idle_cpu 10 $N)"
	mesh_stop
done
