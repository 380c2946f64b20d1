#!/bin/sh
# Remote work: a 64 MiB payload through remote `cat` and back (submit on
# the near node, run on the far one, results read on the near one), over
# 1 hop and over 3, and remote units per second (200 units of `true`, 8
# clients, until the near node shows the last one Succeeded). Lines of
# our nodes, of Go receptor's when ../shared/interop has it, and mixed:
# the near and far ends of one kind, the middle of the other.
set -eu
. regress/bench/bench.subr

GO=${RECEPTOR_GO:-../shared/interop/receptor-go-1.4.9}
# The work user runs the commands: it must reach the datadirs.
chmod 755 "$dir"

# start KIND NAME ARGS...: a node of ours or of Go's.
start()
{
	bin=$RECEPTOR
	[ "$1" = go ] && bin=$GO
	n=$2
	shift 2
	"$bin" --node id="$n" datadir="$dir/$n.data" \
	    --control-service filename="$dir/$n.sock" "$@" \
	    >"$dir/$n.log" 2>&1 &
	pids="$pids $!"
	line_pids="$line_pids $!"
}

# line KINDS...: n0 - n1 - ... with the kinds given, n0 near, the last
# far with the work types; until n0 has a route to it.
line()
{
	i=0
	prev=
	line_pids=
	for k in "$@"; do
		port=$(free_port)
		args="--tcp-listener port=$port bindaddr=127.0.0.1"
		[ -n "$prev" ] && args="$args --tcp-peer address=127.0.0.1:$prev"
		[ $i = $(($# - 1)) ] && args="$args
		    --work-command worktype=true command=true
		    --work-command worktype=cat command=cat"
		start "$k" n$i $args
		prev=$port
		i=$((i + 1))
	done
	far=n$((i - 1))
	wait_for 30 sh -c "'$RCPTCTL' --socket '$dir/n0.sock' status --json |
	    tr -d ' \n' | grep -q '\"RoutingTable\":{[^}]*\"$far\"'"
}

line_stop()
{
	for p in $line_pids; do
		kill "$p"
		while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
	done
	rm -rf "$dir"/n*.data "$dir"/n*.sock
}

run()
{
	echo "$1:"
	shift
	line "$@"
	python3 regress/bench/workbench.py cat "$dir/n0.sock" 64 "$far"
	python3 regress/bench/workbench.py units "$dir/n0.sock" 200 8 "$far"
	line_stop
}

run "ours, 1 hop" ours ours
run "ours, 3 hops" ours ours ours ours
if [ -x "$GO" ]; then
	run "go, 1 hop" go go
	run "go, 3 hops" go go go go
	run "mixed, ours at the ends, go between, 3 hops" ours go go ours
	run "mixed, go at the ends, ours between, 3 hops" go ours ours go
fi
