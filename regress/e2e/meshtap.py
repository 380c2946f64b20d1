#!/usr/bin/env python3
"""A leaf called "tap" that joins the node listening on 127.0.0.1:PORT
over TCP, then:

meshtap.py count PORT SECONDS
    counts what it is sent for SECONDS and prints routing updates and
    service ads per second. A leaf's link carries every update the mesh
    floods, so this is the mesh's routing traffic as a node sees it.
meshtap.py fake PORT NODES PEERS
    sends an update of each of NODES made-up nodes, f0, f1 ..., each
    listing PEERS made-up peers with long names, and leaves."""

import json
import random
import socket
import struct
import sys
import time

EPOCH = int(time.time()) << 24 | random.getrandbits(24)


def update(seq, conns, node="tap"):
    body = json.dumps({
        "NodeID": node, "UpdateID": "%08x" % random.getrandbits(32),
        "UpdateEpoch": EPOCH, "UpdateSequence": seq, "Connections": conns,
        "ForwardingNode": "tap", "SuspectedDuplicate": 0},
        separators=(",", ":")).encode()
    msg = b"\x01" + body
    return struct.pack("<H", len(msg)) + msg


def frames(sock, buf):
    """Complete frames in buf after one read, and what is left."""
    data = sock.recv(65536)
    if not data:
        sys.exit("the node closed the link")
    buf += data
    out = []
    while len(buf) >= 2:
        n = struct.unpack("<H", buf[:2])[0]
        if len(buf) < 2 + n:
            break
        out.append(buf[2:2 + n])
        buf = buf[2 + n:]
    return out, buf


def join(port):
    """The socket, the rest of what was read, our next sequence, the peer."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(1)
    buf, seq, peer = b"", 1, None
    while peer is None:
        sock.sendall(update(seq, {}))
        seq += 1
        try:
            got, buf = frames(sock, buf)
        except socket.timeout:
            continue
        for f in got:
            if f[0] == 1:
                peer = json.loads(f[1:])["ForwardingNode"]
    return sock, buf, seq, peer


def count(port, seconds):
    sock, buf, seq, peer = join(port)
    counts = {1: 0, 2: 0}
    start = last = time.monotonic()
    while time.monotonic() - start < seconds:
        if time.monotonic() - last >= 10:
            sock.sendall(update(seq, {peer: 1}))
            seq, last = seq + 1, time.monotonic()
        try:
            got, buf = frames(sock, buf)
        except socket.timeout:
            continue
        for f in got:
            counts[f[0]] = counts.get(f[0], 0) + 1
    print("%.1f %.1f" % (counts[1] / seconds, counts[2] / seconds))


def fake(port, nodes, peers):
    sock, buf, seq, peer = join(port)
    sock.sendall(update(seq, {peer: 1}))
    for n in range(nodes):
        conns = {"f%d-peer-with-a-long-name-%d" % (n, p): 1
                 for p in range(peers)}
        sock.sendall(update(1, conns, "f%d" % n))
    # Stay until the node has read it all and answered with something.
    time.sleep(1)


if __name__ == "__main__":
    if sys.argv[1] == "count":
        count(int(sys.argv[2]), float(sys.argv[3]))
    else:
        fake(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
