"""The work benchmark's client, over the raw control protocol."""
import json
import os
import socket
import sys
import threading
import time


def session(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile("rb")
    f.readline()
    return s, f


def submit(path, wtype, payload=b"", node="localhost"):
    s, f = session(path)
    s.sendall(("work submit %s %s\n" % (node, wtype)).encode())
    created = f.readline()
    if not created.startswith(b"Work unit created"):
        sys.exit("submit: %r" % created)
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    reply = json.loads(f.readline())
    s.close()
    return reply["unitid"]


def listing(path):
    s, f = session(path)
    s.sendall(b"work list\n")
    units = json.loads(f.readline())
    s.close()
    return units


def status(path, unit):
    s, f = session(path)
    s.sendall(b"work status " + unit.encode() + b"\n")
    st = json.loads(f.readline())
    s.close()
    return st


def done(path, ids):
    """Until every unit has succeeded: one list, or a status per unit
    where there are few."""
    while True:
        if len(ids) > 8:
            units = listing(path)
            states = [units[i] for i in ids]
        else:
            states = [status(path, i) for i in ids]
        if all(s["StateName"] == "Succeeded" for s in states):
            return
        for s in states:
            if s["StateName"] in ("Failed", "Canceled"):
                sys.exit("unit %s: %s" % (s["StateName"], s["Detail"]))
        time.sleep(0.002)


def units(path, n, clients, node="localhost"):
    ids, lock = [], threading.Lock()

    def client(k):
        for _ in range(k):
            u = submit(path, "true", node=node)
            with lock:
                ids.append(u)

    t0 = time.time()
    threads = [threading.Thread(target=client, args=(n // clients,))
               for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done(path, ids)
    t = time.time() - t0
    print("work_units_per_s %d (%d units of true in %d ms)"
          % (len(ids) / t, len(ids), t * 1000))


def cat(path, mib, node="localhost"):
    """Submit, run and read back, as a client that copies no more than
    it must: the figure is the daemon's, not Python's."""
    payload = os.urandom(1024 * 1024) * mib
    t0 = time.time()
    u = submit(path, "cat", payload, node)
    done(path, [u])
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(("work results %s\n" % u).encode())
    got = bytearray(len(payload) + 4096)
    view, n = memoryview(got), 0
    while True:
        k = s.recv_into(view[n:])
        if not k:
            break
        n += k
    t = time.time() - t0
    head = b"Streaming results for work unit %s\n" % u.encode()
    got = got[got.index(b"\n") + 1:n]
    if got != head + payload:
        sys.exit("cat: results differ")
    print("work_cat_roundtrip_MBps %d (%d MiB in %d ms)"
          % (len(payload) / t / 1e6, mib, t * 1000))


def fill(nodedir, n):
    """Finished units as Go leaves them."""
    for i in range(n):
        d = os.path.join(nodedir, "b%07d" % i)
        os.makedirs(d, 0o700)
        with open(os.path.join(d, "status"), "w") as f:
            f.write('{"State":2,"Detail":"exit status 0","StdoutSize":3,'
                    '"WorkType":"true","ExtraData":null}\n')
        open(os.path.join(d, "status.lock"), "w").close()
        open(os.path.join(d, "stdin"), "w").close()
        with open(os.path.join(d, "stdout"), "w") as f:
            f.write("ok\n")


def count(path, n):
    sys.exit(0 if len(listing(path)) >= n else 1)


op = sys.argv[1]
if op == "units":
    units(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:])
elif op == "cat":
    cat(sys.argv[2], int(sys.argv[3]), *sys.argv[4:])
elif op == "fill":
    fill(sys.argv[2], int(sys.argv[3]))
elif op == "count":
    count(sys.argv[2], int(sys.argv[3]))
