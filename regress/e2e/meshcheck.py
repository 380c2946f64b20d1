#!/usr/bin/env python3
"""meshcheck.py NODE...: whether the routing tables of the nodes, read
from NODE.sock in the current directory, route every node to every other
with no loop: following next hops from each source reaches each
destination in fewer hops than there are nodes. Exits 0 if so, else 1
and says the first thing wrong."""

import json
import socket
import sys


def table(node):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(node + ".sock")
        f = s.makefile("rwb")
        f.readline()
        f.write(b"status\n")
        f.flush()
        return json.loads(f.readline())["RoutingTable"] or {}


def main(nodes):
    try:
        tables = {n: table(n) for n in nodes}
    except (OSError, ValueError, KeyError) as e:
        sys.exit("status: %s" % e)
    for dst in nodes:
        # Nodes known to reach dst: each path is walked once.
        reach = {dst}
        for src in nodes:
            path, seen, cur = [], set(), src
            while cur not in reach:
                if cur in seen:
                    sys.exit("loop: %s > %s" % (" > ".join(path), cur))
                path.append(cur)
                seen.add(cur)
                cur = tables.get(cur, {}).get(dst)
                if cur is None:
                    sys.exit("%s: no route to %s" % (" > ".join(path), dst))
            reach.update(path)
    print("%d nodes, every route complete and loop-free" % len(nodes))


if __name__ == "__main__":
    main(sys.argv[1:])
