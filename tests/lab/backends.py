#!/usr/bin/env python3
"""Deliberately broken upstream servers for the lab (stdlib only).

Run one per process:  python3 backends.py MODE (--tcp HOST:PORT | --unix PATH) [options]
It logs one line per event to stdout (the harness sends that to backend.log);
the harness waits for the "listening on" line before it sends requests.

Modes:
  ok          answers every request with 200
  http400     answers "400 Bad Request" to the first bytes it reads, like an HTTP server
              (node, nginx) whose parser rejects a request that is not HTTP at once
  close       reads the request, closes (FIN) without answering
  reset       reads the request, closes with SO_LINGER 0 (RST)
  slow        reads the request, waits --delay seconds, then answers 200
  bigheader   answers with one --size byte header
  badheader   answers with a header whose name contains a space
  clte        answers with both Content-Length and Transfer-Encoding
  garbage     answers with bytes that are not HTTP
  tls         TLS (--cert/--key) then answers 200 (use 'ok' to speak plain HTTP)
  noaccept    listens with --backlog and never accepts
  dns-nxdomain  UDP DNS server that answers every query with NXDOMAIN (rcode 3)
  dns-silent    UDP DNS server that reads queries and never answers
  dns-hosts     UDP DNS server that answers A queries from the hosts file --hosts (read for every
                query, so a rewrite shows at once), with TTL 1; NXDOMAIN for other names
  stale       binds a unix socket, then closes it without unlinking (the file stays)
  upgrade-strict  answers 200, but closes without answering a request that carries a body and
              `Connection: upgrade` (Kestrel's rule, "Requests with 'Connection: Upgrade' cannot
              have content in the request body", with a close where Kestrel answers 400)
"""
import argparse
import os
import socket
import ssl
import sys
import threading
import time


def log(msg):
    sys.stdout.write("%s backend[%d]: %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), os.getpid(), msg))
    sys.stdout.flush()


def read_request(conn):
    data = b""
    conn.settimeout(5)
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    first = data.split(b"\r\n", 1)[0]
    log("request %r" % first.decode("latin-1"))
    return data


def respond(conn, head, body=b"ok\n"):
    conn.sendall(head + body)


def handle(conn, args):
    try:
        mode = args.mode
        if mode == "http400":
            conn.settimeout(5)
            first = conn.recv(4096)
            log("received %d bytes that are not an HTTP request (first byte 0x%02x), answering 400"
                % (len(first), first[0] if first else 0))
            respond(conn, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\nConnection: close\r\n\r\n",
                    b"Bad Request\n")
            return
        request = read_request(conn)
        if mode == "upgrade-strict":
            head = request.split(b"\r\n\r\n", 1)[0].lower()
            fields = dict(l.split(b":", 1) for l in head.split(b"\r\n")[1:] if b":" in l)
            upgrade = b"upgrade" in fields.get(b"connection", b"")
            body = int(fields.get(b"content-length", b"0").strip() or 0) > 0 or b"transfer-encoding" in fields
            if upgrade and body:
                log("Connection: upgrade on a request with a body: not an upgrade, closing")
                return
            mode = "ok"
        if mode in ("ok", "tls"):
            respond(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
        elif mode == "close":
            log("closing without a response")
        elif mode == "reset":
            log("resetting the connection (SO_LINGER 0)")
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        elif mode == "slow":
            log("sleeping %.1f s before answering" % args.delay)
            time.sleep(args.delay)
            respond(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
        elif mode == "bigheader":
            log("sending a %d byte header" % args.size)
            big = b"X-Big: " + b"a" * args.size + b"\r\n"
            respond(conn, b"HTTP/1.1 200 OK\r\n" + big + b"Content-Length: 3\r\nConnection: close\r\n\r\n")
        elif mode == "badheader":
            log("sending an invalid header name")
            respond(conn, b"HTTP/1.1 200 OK\r\nBad Header: yes\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
        elif mode == "clte":
            log("sending Content-Length and Transfer-Encoding together")
            respond(
                conn,
                b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                b"3\r\nok\n\r\n0\r\n\r\n",
            )
        elif mode == "garbage":
            log("sending non-HTTP bytes")
            conn.sendall(b"\x00\x01\x02 this is not http \xff\xfe\n")
    except OSError as e:
        log("connection error: %s" % e)
    finally:
        try:
            conn.close()
        except OSError:
            pass


def serve_dns(args):
    host, _, port = args.tcp.rpartition(":")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((host, int(port)))
    log("%s listening on udp %s" % (args.mode, args.tcp))
    while True:
        query, peer = u.recvfrom(2048)
        if len(query) < 12:
            continue
        # question name, for the log
        labels, i = [], 12
        while i < len(query) and query[i] != 0:
            labels.append(query[i + 1:i + 1 + query[i]].decode("ascii", "replace"))
            i += 1 + query[i]
        qtype = int.from_bytes(query[i + 1:i + 3], "big")
        name = ".".join(labels)
        if args.mode == "dns-silent":
            log("query %s type %d: not answering" % (name, qtype))
            continue
        address = hosts_lookup(args.hosts, name) if args.mode == "dns-hosts" and qtype == 1 else None
        if address:
            log("query %s type %d: A %s" % (name, qtype, address))
            # same id, QR|RD|RA, one answer: a pointer to the question's name, A IN, TTL 1, 4 bytes
            header = query[:2] + b"\x81\x80" + b"\x00\x01\x00\x01\x00\x00\x00\x00"
            answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x01\x00\x04" + socket.inet_aton(address)
            u.sendto(header + query[12:i + 5] + answer, peer)
            continue
        log("query %s type %d: NXDOMAIN" % (name, qtype))
        # same id, QR|RD|RA and rcode 3, the question echoed, no answers
        header = query[:2] + b"\x81\x83" + b"\x00\x01\x00\x00\x00\x00\x00\x00"
        u.sendto(header + query[12:i + 5], peer)


def hosts_lookup(path, name):
    """The first IPv4 address the hosts file gives `name`, or None."""
    with open(path) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) > 1 and "." in fields[0] and ":" not in fields[0] and name.lower() in \
                    (n.lower() for n in fields[1:]):
                return fields[0]
    return None


def make_socket(args):
    if args.unix:
        try:
            os.unlink(args.unix)
        except FileNotFoundError:
            pass
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(args.unix)
        if args.mode_bits:
            os.chmod(args.unix, int(args.mode_bits, 8))
        where = "unix:" + args.unix
    else:
        host, _, port = args.tcp.rpartition(":")
        host = host.strip("[]")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((host, int(port)))
        where = args.tcp
    return s, where


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("--tcp")
    p.add_argument("--unix")
    p.add_argument("--chmod", dest="mode_bits")
    p.add_argument("--backlog", type=int, default=16)
    p.add_argument("--delay", type=float, default=3.0)
    p.add_argument("--size", type=int, default=16384)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--hold", help="noaccept: HOST:PORT to fill the queue of with held connections")
    p.add_argument("--hosts", help="dns-hosts: the hosts file to answer from")
    args = p.parse_args()

    if args.mode.startswith("dns-"):
        serve_dns(args)
        return
    s, where = make_socket(args)
    if args.mode == "stale":
        s.listen(1)
        s.close()  # a closed unix socket leaves its file behind: connect() gets ECONNREFUSED
        log("left a stale socket file at %s and exited" % args.unix)
        return
    s.listen(args.backlog)
    log("%s listening on %s (backlog %d)" % (args.mode, where, args.backlog))
    if args.mode == "noaccept":
        held = []
        if args.hold or args.unix:
            # Fill the accept queue ourselves so that the next connect() cannot complete.
            for _ in range(args.backlog + 1):
                c = socket.socket(s.family, socket.SOCK_STREAM)
                c.setblocking(False)
                try:
                    c.connect(args.unix if args.unix else s.getsockname()[:2])
                except (BlockingIOError, OSError) as e:
                    log("filler connect: %s" % e)
                held.append(c)
            log("accept queue filled with %d held connections" % len(held))
        while True:
            time.sleep(3600)
    ctx = None
    if args.mode == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
    while True:
        conn, _ = s.accept()
        if ctx is not None:
            try:
                conn = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                log("TLS handshake failed: %s" % e)
                conn.close()
                continue
        threading.Thread(target=handle, args=(conn, args), daemon=True).start()


if __name__ == "__main__":
    main()
