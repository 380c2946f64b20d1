#! /usr/bin/env atf-sh
#
# A mesh of a few dozen of our nodes: routes complete and loop-free,
# every node's table checked hop by hop (meshcheck.py), after start-up
# and after a tenth of the nodes restart at once.

. "$(atf_get_srcdir)/lib.subr"

MESHCHECK="$(atf_get_srcdir)/meshcheck.py"
MESHTAP="$(atf_get_srcdir)/meshtap.py"
NODES=30

# mesh_node I: start node nI, its listener on port_I; it dials its parent
# in a binary tree, and every sixth node also a node further back, so that
# the mesh has loops to route around.
mesh_node()
{
	_args="--tcp-listener port=$(cat port_$1) bindaddr=127.0.0.1"
	[ "$1" -gt 0 ] && _args="$_args --tcp-peer \
	    address=127.0.0.1:$(cat port_$(( ($1 - 1) / 2 )))"
	[ $(( $1 % 6 )) = 5 ] && _args="$_args --tcp-peer \
	    address=127.0.0.1:$(cat port_$(( $1 - 5 )))"
	start_named "n$1" $_args
}

mesh_names()
{
	_i=0
	while [ $_i -lt $NODES ]; do
		echo "n$_i"
		_i=$((_i + 1))
	done
}

atf_test_case churn cleanup
churn_head()
{
	atf_set "descr" "30 nodes route to each other without loops, and" \
	    "again after 3 of them restart at once"
	atf_set "require.progs" "python3"
}
churn_body()
{
	i=0
	while [ $i -lt $NODES ]; do
		free_port >port_$i
		i=$((i + 1))
	done
	i=0
	while [ $i -lt $NODES ]; do
		mesh_node $i
		i=$((i + 1))
	done
	# A child may dial before its parent listens: Go's redial is 5 s.
	wait_until 60 python3 "$MESHCHECK" $(mesh_names)
	atf_check -o match:'^Reply from n29 in ' \
	    "$RCPTCTL" --socket n0.sock ping n29 --count 1

	for i in 7 15 22; do
		stop_named n$i
	done
	for i in 7 15 22; do
		mesh_node $i
	done
	wait_until 60 python3 "$MESHCHECK" $(mesh_names)
	atf_check -o match:'^Reply from n22 in ' \
	    "$RCPTCTL" --socket n29.sock ping n22 --count 1
	atf_check -o match:'^Reply from n15 in ' \
	    "$RCPTCTL" --socket n7.sock ping n15 --count 1
}
churn_cleanup()
{
	stop_all
}

# fake_peers NODE: how many peers NODE's KnownConnectionCosts lists for
# meshtap's made-up nodes.
fake_peers()
{
	ctl "$1" status --json | python3 -c 'import json, sys
known = json.load(sys.stdin)["KnownConnectionCosts"]
print(sum(len(v) for k, v in known.items() if k[0] == "f"))'
}

# all_fake_peers NODE: all 3000.
all_fake_peers()
{
	[ "$(fake_peers "$1")" = 3000 ]
}

atf_test_case big_status cleanup
big_status_head()
{
	atf_set "descr" "status answers whole for a mesh whose graph is" \
	    "larger than a message between our processes"
	atf_set "require.progs" "python3"
}
big_status_body()
{
	port=$(free_port)
	start_named n0 --tcp-listener port="$port" bindaddr=127.0.0.1
	wait_log 'Initialization complete' 10 n0.log
	# 10 nodes of 300 peers each: 100 kB of KnownConnectionCosts.
	atf_check python3 "$MESHTAP" fake "$port" 10 300
	wait_until 10 all_fake_peers n0
	# The text is whole: what a client receives, not just its count.
	[ "$(ctl n0 status --json | wc -c)" -gt 100000 ] ||
	    atf_fail "status of $(ctl n0 status --json | wc -c) bytes"
}
big_status_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case churn
	atf_add_test_case big_status
}
