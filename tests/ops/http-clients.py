#!/usr/bin/env python3
"""Clients for the endpoint tests (tests/ops/endpoint-*.test): hostile
ones that hold connections, and plain ones that show what a connection
is answered.  Loopback only, bounded in time.

  http-clients.py PORT hold N SECONDS [trickle] [reconnect]
      N connections that send the start of a request head and never end
      it (trickle: one more header line a second; reconnect: a closed one
      is opened again), held SECONDS (from the first that connects: it
      waits for the port); prints "connected K" once the N have been
      tried, "closed by the server K" at the end.
  http-clients.py PORT served N SECONDS
      N connections that each get an answer to GET /metrics, then start a
      second request and hold it SECONDS; prints "answered K" once done.
  http-clients.py PORT requests PATH [PATH...] [--pipelined]
      the requests on one connection (one after the other, or all sent
      at once), then the status line of each answer and its Connection
      header, one line each; PATH may hold \\x00 and other escapes.
"""
import select
import socket
import sys
import time

HOST = "127.0.0.1"
HEAD = b"GET /metrics HTTP/1.1\r\nHost: sluice\r\nUser-Agent: slow\r\n"


def connect(port, timeout=0.3):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((HOST, port))
        return s
    except OSError:
        s.close()
        return None


def start_slow(port):
    s = connect(port)
    if s is None:
        return None
    try:
        s.sendall(HEAD)
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    return s


def closed_by_server(s):
    """EOF or reset waiting on @s (it never gets a whole answer)."""
    try:
        r, _, _ = select.select([s], [], [], 0)
        if r:
            return s.recv(4096) == b""
    except OSError:
        return True
    return False


def hold(port, n, seconds, trickle, reconnect):
    end = time.monotonic() + seconds
    first = start_slow(port)
    while first is None and time.monotonic() < end:  # not listening yet
        time.sleep(0.01)
        first = start_slow(port)
    socks = [first] + [start_slow(port) for _ in range(n - 1)]
    print("connected %d" % sum(1 for s in socks if s is not None), flush=True)
    closed = 0
    while time.monotonic() < end:
        time.sleep(min(1.0, max(0.0, end - time.monotonic())))
        for i, s in enumerate(socks):
            if s is not None and closed_by_server(s):
                closed += 1
                s.close()
                s = socks[i] = None
            if s is None:
                if reconnect:
                    socks[i] = start_slow(port)
                continue
            if trickle:
                try:
                    s.send(b"X-Slow: %d\r\n" % i)
                except OSError:
                    pass
    print("closed by the server %d" % closed, flush=True)
    for s in socks:
        if s is not None:
            s.close()


def read_answer(s, buf):
    """One answer from @s: (status line, connection header, rest of buf)."""
    while b"\r\n\r\n" not in buf:
        b = s.recv(65536)
        if not b:
            return None, None, buf
        buf += b
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length, conn = 0, "-"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        if name.strip().lower() == "connection":
            conn = value.strip()
    while len(buf) < length:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    return lines[0], conn, buf[length:]


def served(port, n, seconds):
    socks, answered = [], 0
    for _ in range(n):
        s = connect(port, 2.0)
        if s is None:
            continue
        try:
            s.sendall(HEAD + b"\r\n")
            status, _, _ = read_answer(s, b"")
            if status and " 200 " in status:
                answered += 1
            s.sendall(HEAD)
            socks.append(s)
        except OSError:
            s.close()
    print("answered %d" % answered, flush=True)
    time.sleep(seconds)
    for s in socks:
        s.close()


def requests(port, paths, pipelined):
    s = connect(port, 5.0)
    if s is None:
        print("cannot connect")
        return 1
    reqs = [b"GET " + p.encode("latin-1").decode("unicode_escape").encode("latin-1")
            + b" HTTP/1.1\r\nHost: sluice\r\n\r\n" for p in paths]
    buf = b""
    try:
        if pipelined:
            s.sendall(b"".join(reqs))
        for r in reqs:
            if not pipelined:
                s.sendall(r)
            status, conn, buf = read_answer(s, buf)
            print("%s connection=%s" % (status or "no answer", conn))
    except OSError as e:
        print("error: %s" % e)
    s.close()
    return 0


def main(argv):
    port, mode, args = int(argv[1]), argv[2], argv[3:]
    if mode == "hold":
        hold(port, int(args[0]), float(args[1]), "trickle" in args[2:],
             "reconnect" in args[2:])
    elif mode == "served":
        served(port, int(args[0]), float(args[1]))
    elif mode == "requests":
        paths = [a for a in args if a != "--pipelined"]
        return requests(port, paths, "--pipelined" in args)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
