"""A tap on a control socket, for tests that compare what two clients
send: a Unix socket at LISTEN relays each connection to the Unix socket
TARGET and appends what the client sends to LOG, each connection after
a line "--- connection". Ends of stream pass through, so that the end
of a payload reaches TARGET while its reply comes back.

    ctltap.py LISTEN TARGET LOG     prints "listening" once ready
"""
import socket
import sys
import threading


def relay(src, dst, log, lock):
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            break
        if log is not None:
            with lock:
                log.write(data)
                log.flush()
        try:
            dst.sendall(data)
        except OSError:
            break
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(client, target, log, lock):
    server = socket.socket(socket.AF_UNIX)
    server.connect(target)
    with lock:
        log.write(b"--- connection\n")
        log.flush()
    back = threading.Thread(target=relay, args=(server, client, None, lock))
    back.start()
    relay(client, server, log, lock)
    back.join()
    client.close()
    server.close()


def main():
    listen, target, logname = sys.argv[1:]
    log = open(logname, "ab")
    lock = threading.Lock()
    tap = socket.socket(socket.AF_UNIX)
    tap.bind(listen)
    tap.listen(16)
    print("listening", flush=True)
    while True:
        client, _ = tap.accept()
        threading.Thread(target=serve, args=(client, target, log, lock),
                         daemon=True).start()


main()
