"""AWX's use of receptorctl's ReceptorControl, one job end to end: the
node's ads list the work type, submit, results read from the socket,
status, list, release, and a second release refused. A session ends
with its results, so AWX takes a new one each time, and so do we.

    awxflow.py SOCK NODE WORKTYPE PAYLOAD EXPECTED [PARAMS_JSON [TTL]]

SOCK is a path, tcp://HOST:PORT or tls://HOST:PORT; for tls the files
of $AWXFLOW_ROOTCAS, $AWXFLOW_CERT and $AWXFLOW_KEY, as AWX passes them.
With $AWXFLOW_RAW set, the results are read from the bare socket.
Prints the unit's status as JSON, then "ok".
"""
import json
import os
import sys
import time

from receptorctl.socket_interface import ReceptorControl


def main():
    sock, node, wtype, payload, expected = sys.argv[1:6]
    params = json.loads(sys.argv[6]) if len(sys.argv) > 6 else None
    ttl = sys.argv[7] if len(sys.argv) > 7 else None

    tls = {}
    if sock.startswith("tls:"):
        tls = {k: os.environ["AWXFLOW_" + k.upper()]
               for k in ("rootcas", "cert", "key")}

    def rc():
        return ReceptorControl(sock, **tls)

    for _ in range(100):
        st = rc().simple_command("status")
        ads = {a["NodeID"]: a for a in st["Advertisements"]}
        if node in ads:
            break
        time.sleep(0.1)
    types = [w["WorkType"] for w in ads[node]["WorkCommands"] or []]
    assert wtype in types, ads
    res = rc().submit_work(worktype=wtype, payload=payload.encode(),
                           node=node, params=params, ttl=ttl)
    unit = res["unitid"]
    assert res["result"] in ("Job Started", "Job Submitted"), res
    if os.environ.get("AWXFLOW_RAW"):
        # From the socket alone: whole only if nothing followed the first
        # line in what the file read, as over TLS, where Go and we end a
        # record there.
        s = rc().get_work_results(unit, return_socket=True,
                                  return_sockfile=False)
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    else:
        # As AWX reads them: through the file that read the first line.
        s, f = rc().get_work_results(unit, return_socket=True,
                                     return_sockfile=True)
        data = f.read()
    s.close()
    assert data == expected.encode(), data
    st = rc().simple_command("work status " + unit)
    assert st["StateName"] == "Succeeded", st
    assert sorted(st) == ["Detail", "ExtraData", "State", "StateName",
                          "StdoutSize", "WorkType"], st
    assert unit in rc().simple_command("work list")
    assert rc().simple_command("work release " + unit) == {"released": unit}
    try:
        rc().simple_command("work release " + unit)
        sys.exit("second release succeeded")
    except RuntimeError as e:
        assert "unknown work unit" in str(e), e
    print(json.dumps(st, sort_keys=True))
    print("ok")


main()
