#!/bin/sh
# Streams over the mesh, n1 to n2 over one TCP link on 127.0.0.1: the time
# of a whole `rcptctl connect` session to n2's control service (QUIC and
# TLS handshakes, greeting, close; the median of 20), and the rate of a
# 64 MiB upload, which n2's control service reads and throws away as one
# over-long line. Go receptor gives no figure for these.
set -eu
. regress/bench/bench.subr

port=$(free_port)
node n1 --tcp-listener port=$port bindaddr=127.0.0.1
node n2 --tcp-peer address=127.0.0.1:$port
wait_for 30 ctl n1 ping n2 --count 1

for i in $(seq 20); do
	t0=$(now_us)
	echo | ctl n1 connect n2 control >/dev/null
	echo $(( $(now_us) - t0 ))
done | sort -n | awk '{ t[NR] = $1 }
    END { printf "stream_session_ms median %.1f\n", t[int((NR + 1) / 2)] / 1000 }'

size=$((64 * 1024 * 1024))
t0=$(now_us)
head -c $size /dev/zero | ctl n1 connect n2 control >/dev/null
t=$(( $(now_us) - t0 ))
echo "stream_upload_MBps $(( size / t )) (64 MiB in $(( t / 1000 )) ms)"
