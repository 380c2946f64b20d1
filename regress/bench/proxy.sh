#!/bin/sh
# Service proxies: PROXY_MB (default 1024) MiB of zeros from a client
# through a tcp-server on the near node to a tcp-client on the far one and
# on to a sink, over 1 hop and over 3, beside the same through loopback
# TCP alone, through Go receptor's nodes and through mixed lines;
# connections per second (200, one after another, each fetching a byte
# back); and the near netd's PSS with 100 connections open through it.
set -eu
. regress/bench/bench.subr

PROXYIO="python3 regress/e2e/proxyio.py"
MB=${PROXY_MB:-1024}
sink=$(free_port)
serve=$(free_port)
$PROXYIO discard "$sink" & pids="$pids $!"
$PROXYIO serve "$serve" & pids="$pids $!"
wait_for 10 sh -c "ss -Htln '( sport = :$sink )' | grep -q ."

# rate WHAT PORT: MB through PORT to the sink, in MB/s.
rate()
{
	t0=$(now_us)
	$PROXYIO zeros 127.0.0.1:"$2" $((MB * 1048576))
	t=$(( $(now_us) - t0 ))
	echo "$1: $(( MB * 1048576 / t )) MB/s ($MB MiB in $(( t / 1000 )) ms)"
}

rate "loopback TCP, no proxy" "$sink"

run()
{
	what=$1
	shift
	near=$(free_port)
	back=$(free_port)
	far=n$(($# - 1))
	NEAR_ARGS="--tcp-server port=$near bindaddr=127.0.0.1 remotenode=$far
	    remoteservice=sink
	    --tcp-server port=$back bindaddr=127.0.0.1 remotenode=$far
	    remoteservice=back"
	FAR_ARGS="--tcp-client service=sink address=127.0.0.1:$sink
	    --tcp-client service=back address=127.0.0.1:$serve"
	line "$@"
	rate "$what" "$near"
	echo "$what, connections/s: $($PROXYIO rate 127.0.0.1:"$back" 200)"
	if [ "$1" = ours ]; then
		mkfifo "$dir/hold"
		$PROXYIO hold 127.0.0.1:"$back" 100 <"$dir/hold" >"$dir/held" &
		exec 3>"$dir/hold"
		wait_for 30 grep -q open "$dir/held"
		netd=$(pgrep -P "$(echo $mesh_pids | cut -d' ' -f1)" -x netd)
		echo "$what, near netd PSS with 100 streams open:" \
		    "$(awk '/^Pss:/ { print int($2 / 1024 * 10) / 10 }' \
		    /proc/"$netd"/smaps_rollup) MB"
		exec 3>&-
		rm "$dir/hold"
	fi
	mesh_stop
}

lines
# Mixed paths, which must not be slower than Go's own: our ends with a Go
# node between them, and a Go tcp-server to our tcp-client.
[ -x "$GO" ] || exit 0
run "mixed, ours-go-ours" ours go ours
run "mixed, go-ours" go ours
