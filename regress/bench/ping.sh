#!/bin/sh
# Ping round trip over 1 and 5 hops of TCP links on 127.0.0.1, the mean
# of 50 pings each (Go receptor: 235 µs over 1 hop, 1.0 ms over 5).
set -eu
. regress/bench/bench.subr

prev=
for i in 1 2 3 4 5 6; do
	port=$(free_port)
	node n$i --tcp-listener port=$port bindaddr=127.0.0.1 \
	    ${prev:+--tcp-peer address=127.0.0.1:$prev}
	prev=$port
done
route_to_n6()
{
	ctl n1 status --json | tr -d ' \n' | grep -q '"n6":"n2"'
}
wait_for 30 route_to_n6
wait_for 30 ctl n1 ping n6 --count 1

mean_us()
{
	ctl n1 ping "$1" --count 50 --delay 0.01 | awk '
	    { t = $NF; v = t + 0
	      if (t ~ /ms$/) v *= 1000; else if (t ~ /ns$/) v /= 1000
	      else if (t !~ /µs$/) v *= 1000000
	      sum += v; n++ }
	    END { printf "%.0f", sum / n }'
}
printf 'ping_rtt_us hops=1 %s (Go: 235)\n' "$(mean_us n2)"
printf 'ping_rtt_us hops=5 %s (Go: 1000)\n' "$(mean_us n6)"
