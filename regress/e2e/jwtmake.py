"""Tokens for the signed work tests, made as Go receptor makes them
(RS512 by openssl(1)), and a TCP control client to offer them.

    jwtmake.py KEY NODE SECONDS   a token for NODE, expiring in SECONDS
    jwtmake.py ask PORT TOKEN     submit cat with TOKEN on 127.0.0.1:PORT;
                                  "Work unit created" or the error line
"""
import base64
import json
import socket
import subprocess
import sys
import time


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def make(key, node, seconds):
    head = b64(b'{"alg":"RS512","typ":"JWT"}')
    claims = b64(json.dumps({"aud": [node],
                             "exp": int(time.time()) + int(seconds)},
                            separators=(",", ":")).encode())
    signed = ("%s.%s" % (head, claims)).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha512", "-sign", key],
                         input=signed, capture_output=True,
                         check=True).stdout
    print("%s.%s" % (signed.decode(), b64(sig)))


def ask(port, token):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
    f = s.makefile("rb")
    f.readline()
    cmd = {"command": "work", "subcommand": "submit", "node": "c",
           "worktype": "cat", "signature": token}
    s.sendall(json.dumps(cmd).encode() + b"\n")
    line = f.readline().decode()
    if line.startswith("Work unit created"):
        s.sendall(b"x")
        s.shutdown(socket.SHUT_WR)
        f.readline()
        line = "Work unit created\n"
    sys.stdout.write(line)


if sys.argv[1] == "ask":
    ask(sys.argv[2], sys.argv[3])
else:
    make(sys.argv[1], sys.argv[2], sys.argv[3])
