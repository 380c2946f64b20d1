"""A control service that misbehaves, for the remote work tests: it
greets as node NODE, then per MODE answers the first line with garbage,
closes the stream, or never answers. Its port goes to stdout.

    fakectl.py NODE MODE        MODE: garbage, close or stall
"""
import socket
import sys
import threading
import time


def serve(conn, node, mode):
    f = conn.makefile("rb")
    conn.sendall(("Receptor Control, node %s\n" % node).encode())
    if not f.readline():
        return
    if mode == "garbage":
        conn.sendall(b"\xffnot a reply\n")
        time.sleep(1)
    elif mode == "stall":
        time.sleep(3600)
    conn.close()


def main():
    node, mode = sys.argv[1], sys.argv[2]
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    print(ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, node, mode),
                         daemon=True).start()


main()
