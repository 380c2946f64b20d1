#! /usr/bin/env atf-sh
#
# Meshes of real daemons on 127.0.0.1: links over TCP and UDP, routing
# across hops, refusals, lost nodes and the firewall.

. "$(atf_get_srcdir)/lib.subr"

# over BAR FISH: foo listens on TCP and UDP; bar and fish dial it over
# the kinds given (tcp or udp).
over()
{
	tcp=$(free_port)
	udp=$(free_port)
	triangle "--tcp-listener port=$tcp bindaddr=127.0.0.1 \
	    --udp-listener port=$udp bindaddr=127.0.0.1" \
	    "--$1-peer address=127.0.0.1:$(eval echo \$$1)" \
	    "--$2-peer address=localhost:$(eval echo \$$2)"
	grep -q '^INFO .* Connection established with bar$' foo.log ||
	    atf_fail "foo did not log the link to bar"
}

atf_test_case tcp cleanup
tcp_head()
{
	atf_set "descr" "foo, bar and fish over TCP: bar pings fish via foo"
}
tcp_body()
{
	over tcp tcp
}
tcp_cleanup()
{
	stop_all
}

atf_test_case udp cleanup
udp_head()
{
	atf_set "descr" "foo, bar and fish over UDP: bar pings fish via foo"
}
udp_body()
{
	over udp udp
}
udp_cleanup()
{
	stop_all
}

atf_test_case mixed cleanup
mixed_head()
{
	atf_set "descr" "bar over TCP and fish over UDP reach each other"
}
mixed_body()
{
	over tcp udp
}
mixed_cleanup()
{
	stop_all
}

# line N: nodes n1..nN, each n(i+1) a TCP peer of n(i).
line()
{
	for i in $(seq 1 "$1"); do
		eval port$i=$(free_port)
	done
	for i in $(seq 1 "$1"); do
		args="--tcp-listener port=$(eval echo \$port$i) bindaddr=127.0.0.1"
		[ "$i" -gt 1 ] &&
		    args="$args --tcp-peer address=127.0.0.1:$(eval echo \$port$((i - 1)))"
		start_named n$i $args
	done
}

atf_test_case line8 cleanup
line8_head()
{
	atf_set "descr" "A line of 8: ping and traceroute end to end; the" \
	    "middle node dies and comes back"
	atf_set "timeout" "120"
}
line8_body()
{
	line 8
	wait_until 30 has_route n1 n8 n2
	wait_until 30 has_route n8 n1 n7
	atf_check -o match:'^Reply from n8 in ' \
	    "$RCPTCTL" --socket n1.sock ping n8 --count 1
	atf_check -o save:trace "$RCPTCTL" --socket n1.sock traceroute n8
	for i in 0 1 2 3 4 5 6 7; do
		sed -n "$((i + 1))p" trace | grep -q "^$i: n$((i + 1)) in " ||
		    atf_fail "hop $i is not n$((i + 1)): $(cat trace)"
	done
	atf_check_equal 8 "$(wc -l <trace)"

	pid=$(cat n4.pid)
	kill -9 "$pid"
	wait_until 30 lacks_route n1 n8
	atf_check -s exit:2 -e match:'no route to node' \
	    "$RCPTCTL" --socket n1.sock ping n8 --count 1

	args="--tcp-listener port=$port4 bindaddr=127.0.0.1"
	start_named n4 $args --tcp-peer address=127.0.0.1:$port3
	# The new n4 learns far names from the next periodic updates.
	wait_until 60 "$RCPTCTL" --socket n1.sock ping n8 --count 1
}
line8_cleanup()
{
	stop_all
}

atf_test_case idle_timeout cleanup
idle_timeout_head()
{
	atf_set "descr" "A UDP peer that goes silent is timed out after 21 s"
	atf_set "timeout" "90"
}
idle_timeout_body()
{
	udp=$(free_port)
	start_named foo --udp-listener port=$udp bindaddr=127.0.0.1
	start_named bar --udp-peer address=127.0.0.1:$udp
	wait_until 15 has_route foo bar
	stop_named bar
	wait_log '^WARNING .* Timing out connection bar, idle for the past 21s$' \
	    40 foo.log
	wait_until 10 lacks_route foo bar
}
idle_timeout_cleanup()
{
	stop_all
}

atf_test_case refusals cleanup
refusals_head()
{
	atf_set "descr" "Cost disagreement, allowedpeers and a second link" \
	    "from one node ID are refused with a clear line"
	atf_set "timeout" "60"
}
refusals_body()
{
	p1=$(free_port)
	p2=$(free_port)
	start_named foo --tcp-listener port=$p1 bindaddr=127.0.0.1 cost=2 \
	    --tcp-listener port=$p2 bindaddr=127.0.0.1 allowedpeers=zed
	start_named bar --tcp-peer address=127.0.0.1:$p1 cost=1
	# Whichever end hears the other first refuses the link.
	wait_until 20 grep -qE 'rejected connection with node (bar|foo) because we disagree about the connection cost' \
	    foo.log bar.log
	start_named fish --tcp-peer address=127.0.0.1:$p2
	wait_log 'Backend error: foo: rejected connection with node fish because it is not in the allowed peers list' \
	    10 foo.log
	stop_named bar
	stop_named fish
	start_named twin --tcp-peer address=127.0.0.1:$p1 cost=2
	wait_until 15 has_route foo twin
	mv twin.sock first.sock
	"$RECEPTOR" --node id=twin datadir="$PWD/twin2.data" \
	    --tcp-peer address=127.0.0.1:$p1 cost=2 >twin2.log 2>&1 &
	echo $! >twin2.pid
	wait_log 'rejected connection with node twin because it connected using a node ID we are already connected to' \
	    15 foo.log
}
refusals_cleanup()
{
	stop_all
}

atf_test_case firewall cleanup
firewall_head()
{
	atf_set "descr" "A drop rule makes pings time out, a reject rule" \
	    "answers them with an unreachable at once"
	atf_set "timeout" "60"
}
firewall_body()
{
	tcp=$(free_port)
	cat >foo.conf <<CONF
- node:
    id: foo
    datadir: $PWD/foo.data
    firewallrules:
      - action: drop
        tonode: fish
        toservice: ping
      - action: reject
        tonode: /(?i)B.R/
        toservice: ping
- tcp-listener:
    port: $tcp
    bindaddr: 127.0.0.1
- control-service:
    filename: $PWD/foo.sock
CONF
	"$RECEPTOR" -c foo.conf >foo.log 2>&1 &
	echo $! >foo.pid
	start_named bar --tcp-peer address=127.0.0.1:$tcp
	start_named fish --tcp-peer address=127.0.0.1:$tcp
	wait_until 15 has_route bar fish foo
	atf_check -s exit:2 -e match:'ERROR: timeout' \
	    "$RCPTCTL" --socket bar.sock ping fish --count 1
	atf_check -s exit:2 -e match:'ERROR: blocked by firewall' \
	    "$RCPTCTL" --socket fish.sock ping bar --count 1
}
firewall_cleanup()
{
	stop_all
}

atf_test_case reload cleanup
reload_head()
{
	atf_set "descr" "rcptctl reload adds and removes a peer from the file;" \
	    "a broken file changes nothing and says why"
	atf_set "timeout" "60"
}
reload_body()
{
	port=$(free_port)
	start_named foo --tcp-listener port=$port bindaddr=127.0.0.1
	echo '- local-only' >bar.conf
	start_named bar -c bar.conf
	wait_log 'Initialization complete' 10 bar.log
	echo "- tcp-peer: {address: 127.0.0.1:$port}" >>bar.conf
	atf_check -o inline:'Reload successful\n' \
	    "$RCPTCTL" --socket bar.sock reload
	wait_until 15 has_route bar foo foo
	echo '- local-only' >bar.conf
	atf_check -o inline:'Reload successful\n' \
	    "$RCPTCTL" --socket bar.sock reload
	wait_until 15 lacks_route bar foo
	echo '- tcp-peer: {address: 127.0.0.1:$port, cost: -1}' >>bar.conf
	atf_check -s exit:4 -e match:'bar.conf:2:.*cost.*ERRORCODE 4' \
	    "$RCPTCTL" --socket bar.sock reload
	echo '- log-level: debug' >bar.conf
	atf_check -s exit:3 -e match:"non-reloadable config action 'log-level'" \
	    "$RCPTCTL" --socket bar.sock reload
	atf_check -o match:'^Node ID: bar$' "$RCPTCTL" --socket bar.sock status
}
reload_cleanup()
{
	stop_all
}

second_after()
{
	[ "$(date +%s)" -gt "$1" ]
}

atf_test_case duplicate_node cleanup
duplicate_node_head()
{
	atf_set "descr" "Two nodes with one ID: the newer one shuts down"
	atf_set "timeout" "60"
}
duplicate_node_body()
{
	p1=$(free_port)
	p2=$(free_port)
	start_named foo --tcp-listener port=$p1 bindaddr=127.0.0.1
	start_named bar --tcp-listener port=$p2 bindaddr=127.0.0.1 \
	    --tcp-peer address=127.0.0.1:$p1
	start_named dup --tcp-peer address=127.0.0.1:$p1
	wait_until 15 has_route bar dup foo
	# The newer process has the larger epoch: a later second.
	wait_until 3 second_after "$(date +%s)"
	"$RECEPTOR" --node id=dup datadir="$PWD/dup2.data" \
	    --tcp-peer address=127.0.0.1:$p2 >dup2.log 2>&1 &
	echo $! >dup2.pid
	wait_log 'We are a duplicate node with ID dup and epoch [0-9]+. Shutting down.' \
	    30 dup2.log
	wait_exit "$(cat dup2.pid)" 10
	[ "$exit_status" != 0 ] || atf_fail "the duplicate exited with 0"
	grep -q 'Duplicate node ID dup detected via foo' dup.log ||
	    atf_fail "the older dup did not see the newer: $(cat dup.log)"
	kill -0 "$(cat dup.pid)" || atf_fail "the older dup went down too"
}
duplicate_node_cleanup()
{
	stop_all
}

# send_raw PORT BYTES (perl string syntax): one TCP connection, those bytes.
send_raw()
{
	perl -MIO::Socket::INET -e '
	    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]")
		or die "connect: $!";
	    print $s eval($ARGV[1]);
	    shutdown($s, 1);
	    1 while sysread($s, my $buf, 4096);' "$1" "$2"
}

atf_test_case garbage_peer cleanup
garbage_peer_head()
{
	atf_set "descr" "Garbage, bad JSON, unknown types and empty frames" \
	    "from a peer are dropped; the node serves its other peers"
	atf_set "timeout" "60"
}
garbage_peer_body()
{
	tcp=$(free_port)
	udp=$(free_port)
	start_named foo --tcp-listener port=$tcp bindaddr=127.0.0.1 \
	    --udp-listener port=$udp bindaddr=127.0.0.1
	start_named bar --tcp-peer address=127.0.0.1:$tcp
	wait_until 15 has_route bar foo foo
	send_raw $tcp '"\x00\x00"'
	send_raw $tcp '(pack("v", 5) . "\x01{bad") x 3 . pack("v", 3) . "\x09ab"'
	send_raw $tcp 'pack("v", 65535) . "\x01" . ("[" x 65534)'
	# Seeded: random bytes can make a routing update, once in a while.
	send_raw $tcp 'srand(7); join("", map { chr(int(rand(256))) } 1..100000)'
	perl -MIO::Socket::INET -e '
	    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]",
		Proto => "udp") or die "socket: $!";
	    $s->send($_) for ("", "\x02{}", "\x00" x 40, "\x01null");' $udp
	atf_check -o match:'^Reply from foo in ' \
	    "$RCPTCTL" --socket bar.sock ping foo --count 1
	kill -0 "$(cat foo.pid)" || atf_fail "foo died"
	# One warning for each connection, however much it sent wrong.
	atf_check_equal 2 "$(grep -c '^WARNING .* bad routing update' foo.log)"
}
garbage_peer_cleanup()
{
	stop_all
}

atf_init_test_cases()
{
	atf_add_test_case tcp
	atf_add_test_case udp
	atf_add_test_case mixed
	atf_add_test_case line8
	atf_add_test_case idle_timeout
	atf_add_test_case refusals
	atf_add_test_case firewall
	atf_add_test_case reload
	atf_add_test_case duplicate_node
	atf_add_test_case garbage_peer
}
