#!/bin/sh
# Binary trees of SIZES nodes (default "100 400 1000") over TCP, all
# started at once, of ours and, up to GO_MAX nodes (default 400, past
# which Go receptor cannot keep up here), of Go's: seconds until the root
# routes to every node; PSS per node; idle CPU per node over 10 s; the
# routing updates and service ads a new leaf is sent per second over 60 s;
# then a tenth of the nodes killed and started again at once, seconds
# until each of them and the root route to every node again, and whether
# every node's table then routes everywhere without a loop.
set -eu
. regress/bench/bench.subr
SIZES=${SIZES:-100 400 1000}
GO_MAX=${GO_MAX:-400}
TAP=regress/e2e/meshtap.py
MESHCHECK=$PWD/regress/e2e/meshcheck.py

# tree_node KIND I: node nI of the tree, dialing its parent.
tree_node()
{
	peer=
	[ "$2" -gt 0 ] && eval "peer=\"--tcp-peer \
	    address=127.0.0.1:\$port_$(( ($2 - 1) / 2 ))\""
	eval "port=\$port_$2"
	start "$1" "n$2" --tcp-listener port="$port" bindaddr=127.0.0.1 $peer
	eval "pid_$2=\$!"
}

for size in $SIZES; do
	for m in $(meshes); do
		[ "$m" = half ] && continue
		[ "$m" = go ] && [ "$size" -gt "$GO_MAX" ] && continue
		ports $size
		t0=$(now_ms)
		i=0
		while [ $i -lt $size ]; do
			tree_node $m $i
			i=$((i + 1))
		done
		if ! poll 600 full_routes n0 $size; then
			echo "converge_s mesh=$m nodes=$size none in 600 s"
			mesh_stop
			continue
		fi
		ms=$(( $(now_ms) - t0 ))
		printf 'converge_s mesh=%s nodes=%d %d.%03d\n' $m $size \
		    $((ms / 1000)) $((ms % 1000))
		echo "pss_kb_per_node mesh=$m nodes=$size $(mesh_pss_kb $size)"
		sleep 5
		cpu=$(idle_cpu 10 $size)
		echo "idle_cpu_percent_per_node mesh=$m nodes=$size $cpu"
		eval "leaf=\$port_$((size - 1))"
		rate=$(python3 $TAP count $leaf 60)
		echo "leaf_updates_ads_per_s mesh=$m nodes=$size $rate"

		# A tenth, spread over the tree, killed and started at once.
		t0=$(now_ms)
		i=5
		while [ $i -lt $size ]; do
			eval "kill -9 \$pid_$i"
			i=$((i + 10))
		done
		i=5
		while [ $i -lt $size ]; do
			tree_node $m $i
			i=$((i + 10))
		done
		ok=yes
		i=5
		while [ $i -lt $size ]; do
			poll 600 full_routes n$i $size || ok=no
			i=$((i + 10))
		done
		poll 600 full_routes n0 $size || ok=no
		ms=$(( $(now_ms) - t0 ))
		printf 'reconverge_s mesh=%s nodes=%d %d.%03d complete=%s\n' \
		    $m $size $((ms / 1000)) $((ms % 1000)) $ok
		echo "loop_free mesh=$m nodes=$size $(cd "$dir" &&
		    python3 "$MESHCHECK" $(seq -f 'n%g' 0 $((size - 1))) 2>&1)"
		mesh_stop
	done
done
