#!/bin/sh
# Ping round trip over 1 and 5 hops of TCP links on 127.0.0.1, the mean
# of 50 pings each, from our rcptctl on the first node of a line of
# ours, of Go receptor's and of the two alternating.
set -eu
. regress/bench/bench.subr

# mean_us HOPS: the mean round trip from n0 to the node HOPS away.
mean_us()
{
	# rcptctl warns on stderr that Go's version differs from its own.
	ctl n0 ping n$1 --count 50 --delay 0.01 2>/dev/null | awk '
	    { t = $NF; v = t + 0
	      if (t ~ /ms$/) v *= 1000; else if (t ~ /ns$/) v /= 1000
	      else if (t !~ /µs$/) v *= 1000000
	      sum += v; n++ }
	    END { printf "%.0f", sum / n }'
}

for m in $(meshes); do
	line $(kinds $m 6)
	wait_for 30 ctl n0 ping n5 --count 1
	for h in 1 5; do
		echo "ping_rtt_us mesh=$m hops=$h $(mean_us $h)"
	done
	mesh_stop
done
