"""Ends of the connections the proxy tests send through the mesh.

  sink PORT FILE          accept; for each connection "LEN SHA256" to FILE
  send HOST:PORT SIZE     SIZE random bytes in; print "LEN SHA256"
  many HOST:PORT N SIZE   N sends at once; their lines, sorted
  serve PORT              for each "SIZE SEED" line, those bytes back
  fetch HOST:PORT SIZE SEED  ask serve; print "LEN SHA256" of the reply
  expect SIZE SEED        what fetch should print
  usink PORT FILE         UDP: "LEN SHA256" of each datagram, to FILE
  usend HOST:PORT N SIZE  N datagrams, each awaited back from an echo
  umany HOST:PORT K N SIZE  K usends at once, each from its own port
  usources HOST:PORT N    one datagram from each of N new ports; print
                          how many came back before the first that did not
  uecho PORT              UDP echo
  discard PORT            accept and read everything, for benchmarks
  zeros HOST:PORT SIZE    SIZE zero bytes in, then the reply drained
  hold HOST:PORT N        N connections open until stdin ends
  rate HOST:PORT N        N connections one after another, each a fetch
                          of one byte; print connections per second
Addresses are 127.0.0.1; a PORT of the form unix:PATH is a Unix socket.
TLS: with PROXYIO_CERT and PROXYIO_KEY set, TCP listeners speak it with
that certificate; with PROXYIO_CA, connections do, checking the server's
name, PROXYIO_NAME or 127.0.0.1, against that CA.
"""
import hashlib
import os
import random
import resource
import socket
import ssl
import sys
import threading

CHUNK = 1 << 20


def addr(s):
    if s.startswith("unix:"):
        return socket.AF_UNIX, s[5:]
    host, port = s.rsplit(":", 1) if ":" in s else ("127.0.0.1", s)
    return socket.AF_INET, (host, int(port))


def listener(spec):
    fam, a = addr(spec)
    s = socket.socket(fam, socket.SOCK_STREAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(a)
    s.listen(128)
    if "PROXYIO_CERT" in os.environ:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.environ["PROXYIO_CERT"],
                            os.environ["PROXYIO_KEY"])
        s = ctx.wrap_socket(s, server_side=True)
    return s


def connect(spec):
    fam, a = addr(spec)
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.connect(a)
    if "PROXYIO_CA" in os.environ:
        ctx = ssl.create_default_context(cafile=os.environ["PROXYIO_CA"])
        s = ctx.wrap_socket(s, server_hostname=os.environ.get(
            "PROXYIO_NAME", "127.0.0.1"))
    return s


def accept(s):
    """The next connection; one whose TLS handshake fails is skipped."""
    while True:
        try:
            return s.accept()[0]
        except (ssl.SSLError, OSError) as e:
            print("refused: %s" % e, file=sys.stderr, flush=True)


def end_sending(c):
    """A half-close; TLS's is its close_notify, answered at the end."""
    if isinstance(c, ssl.SSLSocket):
        return c.unwrap()
    c.shutdown(socket.SHUT_WR)
    return c


def line(n, h):
    return "%d %s" % (n, h.hexdigest())


def drain(c):
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(CHUNK)
        if not b:
            return n, h
        h.update(b)
        n += len(b)


def sink(port, path):
    s, lock = listener(port), threading.Lock()

    def one(c):
        n, h = drain(c)
        c.close()
        with lock, open(path, "a") as f:
            f.write(line(n, h) + "\n")
    while True:
        c = accept(s)
        threading.Thread(target=one, args=(c,), daemon=True).start()


def send(spec, size):
    c, h, left = connect(spec), hashlib.sha256(), size
    while left > 0:
        b = os.urandom(min(CHUNK, left))
        h.update(b)
        c.sendall(b)
        left -= len(b)
    c = end_sending(c)
    drain(c)
    c.close()
    return line(size, h)


def many(spec, n, size):
    out = [None] * n

    def one(i):
        try:
            out[i] = send(spec, size)
        except OSError as e:
            out[i] = "error %s" % e
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sorted(out)


def seeded(size, seed):
    rng = random.Random(seed)
    while size > 0:
        n = min(CHUNK, size)
        yield rng.randbytes(n)
        size -= n


def serve(port):
    s = listener(port)

    def one(c):
        try:
            ask = c.makefile("rb").readline().split()
            for b in seeded(*map(int, ask)) if ask else ():
                c.sendall(b)
        finally:
            c.close()
    while True:
        c = accept(s)
        threading.Thread(target=one, args=(c,), daemon=True).start()


def fetch(spec, size, seed):
    c = connect(spec)
    c.sendall(b"%d %d\n" % (size, seed))
    n, h = drain(c)
    return line(n, h)


def usink(port, path):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(port)))
    while True:
        b, _ = s.recvfrom(65536)
        with open(path, "a") as f:
            f.write(line(len(b), hashlib.sha256(b)) + "\n")


def uecho(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(port)))
    while True:
        b, a = s.recvfrom(65536)
        s.sendto(b, a)


def usend(spec, n, size):
    _, a = addr(spec)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    got = 0
    for i in range(n):
        b = i.to_bytes(4, "big") + os.urandom(max(size - 4, 0))
        for _ in range(10):    # UDP: a lost one is sent again
            s.sendto(b, a)
            try:
                r, _ = s.recvfrom(65536)
                while r[:4] != b[:4]:   # an echo of a resent earlier one
                    r, _ = s.recvfrom(65536)
            except socket.timeout:
                continue
            if r != b:
                sys.exit("datagram %d came back different" % i)
            got += 1
            break
    return "%d of %d" % (got, n)


def umany(spec, k, n, size):
    out = [None] * k

    def one(i):
        out[i] = usend(spec, n, size)
    ts = [threading.Thread(target=one, args=(i,)) for i in range(k)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return "\n".join(str(o) for o in out)


def usources(spec, n):
    """Echoes come back until the first that does not; print their count."""
    _, a = addr(spec)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(n + 64, hard), hard))
    got, waiting, held = 0, True, []
    for _ in range(n):
        # Each open, so that no two share a port.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        held.append(s)
        s.settimeout(2)
        s.sendto(b"x", a)
        if waiting:
            try:
                s.recvfrom(16)
                got += 1
            except socket.timeout:
                waiting = False
    return got


def discard(port):
    s = listener(port)

    def one(c):
        buf = bytearray(CHUNK)     # no hash, no copy: the benchmarks' sink
        while c.recv_into(buf):
            pass
        c.close()
    while True:
        c = accept(s)
        threading.Thread(target=one, args=(c,), daemon=True).start()


def zeros(spec, size):
    c, b = connect(spec), memoryview(bytes(CHUNK))
    while size > 0:
        n = min(size, CHUNK)
        c.sendall(b[:n])
        size -= n
    c.shutdown(socket.SHUT_WR)
    drain(c)


def hold(spec, n):
    cs = [connect(spec) for _ in range(n)]
    print("open", flush=True)
    sys.stdin.read()
    for c in cs:
        c.close()


def rate(spec, n):
    import time
    t0 = time.monotonic()
    for _ in range(n):
        if fetch(spec, 1, 1).split()[0] != "1":
            sys.exit("a connection came back empty")
    return "%.0f" % (n / (time.monotonic() - t0))


def main(a):
    cmd = a[0]
    if cmd == "sink":
        sink(a[1], a[2])
    elif cmd == "send":
        print(send(a[1], int(a[2])))
    elif cmd == "many":
        print("\n".join(many(a[1], int(a[2]), int(a[3]))))
    elif cmd == "serve":
        serve(a[1])
    elif cmd == "fetch":
        print(fetch(a[1], int(a[2]), int(a[3])))
    elif cmd == "expect":
        h = hashlib.sha256()
        for b in seeded(int(a[1]), int(a[2])):
            h.update(b)
        print(line(int(a[1]), h))
    elif cmd == "usink":
        usink(a[1], a[2])
    elif cmd == "uecho":
        uecho(a[1])
    elif cmd == "usend":
        print(usend(a[1], int(a[2]), int(a[3])))
    elif cmd == "umany":
        print(umany(a[1], int(a[2]), int(a[3]), int(a[4])))
    elif cmd == "usources":
        print(usources(a[1], int(a[2])))
    elif cmd == "discard":
        discard(a[1])
    elif cmd == "zeros":
        zeros(a[1], int(a[2]))
    elif cmd == "hold":
        hold(a[1], int(a[2]))
    elif cmd == "rate":
        print(rate(a[1], int(a[2])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
