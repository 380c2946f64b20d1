#! /usr/bin/env atf-sh
#
# A mesh of a few dozen of our nodes: routes complete and loop-free,
# every node's table checked hop by hop (meshcheck.py), after start-up
# and after a tenth of the nodes restart at once.

. "$(atf_get_srcdir)/lib.subr"

MESHCHECK="$(atf_get_srcdir)/meshcheck.py"
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

atf_init_test_cases()
{
	atf_add_test_case churn
}
