#!/bin/sh
# Remote work: a 64 MiB payload through remote `cat` and back (submit on
# the near node, run on the far one, results read on the near one), over
# 1 hop and over 3, and remote units per second (200 units of `true`, 8
# clients, until the near node shows the last one Succeeded). Lines of
# our nodes, of Go receptor's when ../shared/interop has it, and mixed:
# the near and far ends of one kind, the middle of the other.
set -eu
. regress/bench/bench.subr

# The work user runs the commands: it must reach the datadirs.
chmod 755 "$dir"
FAR_ARGS="--work-command worktype=true command=true
    --work-command worktype=cat command=cat"

run()
{
	echo "$1:"
	shift
	line "$@"
	python3 regress/bench/workbench.py cat "$dir/n0.sock" 64 "$far"
	python3 regress/bench/workbench.py units "$dir/n0.sock" 200 8 "$far"
	mesh_stop
}

lines
if [ -x "$GO" ]; then
	run "mixed, ours at the ends, go between, 3 hops" ours go go ours
	run "mixed, go at the ends, ours between, 3 hops" go ours ours go
fi
