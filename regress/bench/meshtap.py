#!/usr/bin/env python3
"""meshtap.py PORT SECONDS: join the node listening on 127.0.0.1:PORT as
a leaf called "tap" over TCP, then count what it is sent for SECONDS:
prints routing updates and service ads per second. A leaf's link carries
every update the mesh floods, so this is the mesh's routing traffic as
one of its nodes sees it."""

import json
import random
import socket
import struct
import sys
import time

EPOCH = int(time.time()) << 24 | random.getrandbits(24)


def update(seq, conns):
    body = json.dumps({
        "NodeID": "tap", "UpdateID": "%08x" % random.getrandbits(32),
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


def main(port, seconds):
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


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
