"""A raw control client for the work tests: it speaks the control
protocol itself, byte for byte, so that tests see exactly what a daemon
sends, whichever client a user has.

    workctl.py ask SOCK LINE...          each line's reply line
    workctl.py submit SOCK NODE TYPE [PARAMS]   payload from stdin
    workctl.py submitj SOCK JSON         the same, any submit command
    workctl.py results SOCK UNIT [START] what follows the header, raw
    workctl.py wait SOCK UNIT STATES SECS until the unit's StateName is
                                          one of STATES (comma-separated)
    workctl.py many SOCK N TYPE          N submits at once, each payload
                                          its own; checks every result
"""
import json
import socket
import sys
import threading
import time

TIMEOUT = 60


def connect(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(TIMEOUT)
    s.connect(path)
    f = s.makefile("rb")
    greeting = f.readline()
    if not greeting.startswith(b"Receptor Control, node "):
        sys.exit("bad greeting: %r" % greeting)
    return s, f


def line(f):
    r = f.readline()
    if not r:
        sys.exit("connection closed")
    return r.decode(errors="replace")


def ask(path, lines):
    s, f = connect(path)
    for ln in lines:
        s.sendall(ln.encode() + b"\n")
        sys.stdout.write(line(f))


def submit(path, node, wtype, params, payload, extra=None):
    """The created line and the reply, or the one ERROR line."""
    s, f = connect(path)
    cmd = {"command": "work", "subcommand": "submit", "node": node,
           "worktype": wtype}
    if params is not None:
        cmd["params"] = params
    cmd.update(extra or {})
    s.sendall(json.dumps(cmd).encode() + b"\n")
    first = line(f)
    if first.startswith("ERROR: "):
        return first, None
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    return first, line(f)


def results(path, unit, start=0, out=None):
    s, f = connect(path)
    s.sendall(("work results %s %d\n" % (unit, start)).encode())
    head = line(f)
    if not head.startswith("Streaming results for work unit "):
        sys.exit(head.rstrip())
    data = f.read()
    if out is not None:
        out.write(data)
    return data


def status(path, unit):
    s, f = connect(path)
    s.sendall(("work status %s\n" % unit).encode())
    r = line(f)
    if r.startswith("ERROR: "):
        sys.exit(r.rstrip())
    return json.loads(r)


def wait(path, unit, states, secs):
    end = time.time() + secs
    while True:
        st = status(path, unit)
        if st["StateName"] in states:
            return st
        if time.time() > end:
            sys.exit("unit %s still %s: %s" % (unit, st["StateName"],
                                               st["Detail"]))
        time.sleep(0.05)


def many(path, n, wtype):
    units, errors = {}, []

    def one(i):
        payload = ("payload %d\n" % i).encode() * (i + 1)
        try:
            first, reply = submit(path, "localhost", wtype, None, payload)
            units[json.loads(reply)["unitid"]] = payload
        except Exception as e:
            errors.append("%d: %s" % (i, e))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit("\n".join(errors))
    for unit, payload in units.items():
        st = wait(path, unit, ("Succeeded", "Failed"), TIMEOUT)
        if st["StateName"] != "Succeeded":
            sys.exit("unit %s: %s" % (unit, st["Detail"]))
        if results(path, unit) != payload:
            sys.exit("unit %s: wrong results" % unit)
    print("%d units succeeded" % len(units))


def main():
    op, path = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    if op == "ask":
        ask(path, args)
    elif op == "submit":
        first, reply = submit(path, args[0], args[1],
                              args[2] if len(args) > 2 else None,
                              sys.stdin.buffer.read())
        sys.stdout.write(first)
        if reply is not None:
            sys.stdout.write(reply)
    elif op == "submitj":
        extra = json.loads(args[0])
        first, reply = submit(path, extra.pop("node"),
                              extra.pop("worktype"), None,
                              sys.stdin.buffer.read(), extra)
        sys.stdout.write(first)
        if reply is not None:
            sys.stdout.write(reply)
    elif op == "results":
        results(path, args[0], int(args[1]) if len(args) > 1 else 0,
                sys.stdout.buffer)
    elif op == "wait":
        print(json.dumps(wait(path, args[0], args[1].split(","),
                              float(args[2])), sort_keys=True))
    elif op == "many":
        many(path, int(args[0]), args[1])
    else:
        sys.exit("unknown operation " + op)


main()
