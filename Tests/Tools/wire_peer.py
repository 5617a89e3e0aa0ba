#!/usr/bin/env python3
"""An adversarial Secrets Manager stand-in on loopback, for the transport's field tests.

  wire_peer.py [--secrets N]

Prints "READY <port>" once listening on 127.0.0.1 and stops when stdin closes. Every POST
is answered as ListSecrets over N generated secrets (100 a page, NextToken paging); the
request path picks how the answer is framed or broken, so both stagehand and the aws CLI
can be pointed at one mode with `--endpoint-url http://127.0.0.1:PORT/<mode>/...`, or at
`.../n/<count>/<mode>/...` for a listing of <count> secrets instead of N:

  /plain                          Content-Length
  /chunked/<max>/<write>/<seed>   chunked, chunk sizes 1..max, sent in writes of 1..write
                                  bytes (with a pause now and then, so reads split anywhere)
  /continue                       "100 Continue" and "103 Early Hints", then the answer
  /until-close                    no length: the body ends when the connection closes
  /huge-length                    Content-Length: 68719476736, then a little body
  /negative-length                Content-Length: -5
  /huge-chunk                     a chunk size of fffffffffffffff
  /plus-chunk                     a chunk size of "+5"
  /endless                        chunked, and never ends (64 KiB chunks, until the peer hangs up)
  /length-and-chunked             both Content-Length and Transfer-Encoding: chunked
  /escape-header                  x-amzn-RequestId holds ESC ]0;title BEL
  /lf-header                      x-amzn-RequestId holds a bare LF that forges a header
  /drip                           a correct head, then one body byte every 0.5 s
  /reset-mid-body                 half of the announced body, then a TCP reset

GET /__stats gives {"requests": N} (not counted).
"""
import argparse
import json
import random
import socket
import struct
import sys
import threading
import time

LOCK = threading.Lock()
STATS = {"requests": 0}


def page(secrets, token):
    start = int(token) if token else 0
    items = []
    for i in range(start, min(start + 100, secrets)):
        name = "wire/%05d" % i
        items.append(
            {
                "ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:%s-AbCdEf" % name,
                "Name": name,
                "Description": "field test secret %d" % i,
                "LastChangedDate": 1767225600.0 + i,
                "CreatedDate": 1767225600.0,
                "SecretVersionsToStages": {
                    "%032x" % (i * 2 + 1): ["AWSCURRENT"],
                    "%032x" % (i * 2 + 2): ["AWSPREVIOUS"],
                },
            }
        )
    body = {"SecretList": items}
    if start + 100 < secrets:
        body["NextToken"] = str(start + 100)
    return json.dumps(body).encode()


def read_request(conn, buffer):
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None, None, b""
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None, None, b""
        rest += chunk
    return (method, target), rest[:length], rest[length:]


def head(status, headers):
    text = "HTTP/1.1 %s\r\n" % status
    for name, value in headers:
        text += "%s: %s\r\n" % (name, value)
    return (text + "\r\n").encode("latin-1")


JSON_HEADERS = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", "wire-peer-1")]


def answer(conn, mode, body):
    """Sends one answer; returns False when the connection must close afterwards."""
    parts = [p for p in mode.split("/") if p]
    kind = parts[0] if parts else "plain"
    if kind == "plain":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Content-Length", len(body))]) + body)
        return True
    if kind == "chunked":
        most, write, seed = int(parts[1]), int(parts[2]), int(parts[3])
        rng = random.Random(seed * 7919 + len(body))
        wire = bytearray(head("200 OK", JSON_HEADERS + [("Transfer-Encoding", "chunked")]))
        at = 0
        while at < len(body):
            size = rng.randint(1, most)
            piece = body[at : at + size]
            at += len(piece)
            ext = ";x=y" if rng.random() < 0.1 else ""
            wire += b"%x%s\r\n" % (len(piece), ext.encode()) + piece + b"\r\n"
        wire += b"0\r\nx-trailer: t\r\n\r\n" if rng.random() < 0.5 else b"0\r\n\r\n"
        at = 0
        while at < len(wire):
            size = rng.randint(1, write)
            conn.sendall(bytes(wire[at : at + size]))
            at += size
            if rng.random() < 0.05:
                time.sleep(0.001)
        return True
    if kind == "continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        time.sleep(0.01)
        conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n")
        conn.sendall(head("200 OK", JSON_HEADERS + [("Content-Length", len(body))]) + body)
        return True
    if kind == "until-close":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Connection", "close")]) + body)
        return False
    if kind == "huge-length":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Content-Length", "68719476736")]) + body)
        return False
    if kind == "negative-length":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Content-Length", "-5")]) + b"{}")
        return False
    if kind == "huge-chunk":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Transfer-Encoding", "chunked")]) + b"fffffffffffffff\r\n{}")
        return False
    if kind == "plus-chunk":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Transfer-Encoding", "chunked")]) + b"+2\r\n{}\r\n0\r\n\r\n")
        return False
    if kind == "endless":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Transfer-Encoding", "chunked")]))
        chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
        conn.sendall(b"1\r\n[\r\n")
        try:
            while True:
                conn.sendall(chunk)
        except OSError:
            return False
    if kind == "length-and-chunked":
        framed = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
        conn.sendall(
            head("200 OK", JSON_HEADERS + [("Content-Length", len(body)), ("Transfer-Encoding", "chunked")]) + framed
        )
        return True
    if kind == "escape-header":
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", "id\x1b]0;pwned\x07")]
        conn.sendall(head("200 OK", headers + [("Content-Length", len(body))]) + body)
        return True
    if kind == "lf-header":
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
            + b"x-amzn-RequestId: id\nX-Forged: 1\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body
        )
        return True
    if kind == "drip":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Content-Length", len(body))]))
        try:
            for byte in body:
                conn.sendall(bytes([byte]))
                time.sleep(0.5)
        except OSError:
            pass
        return False
    if kind == "reset-mid-body":
        conn.sendall(head("200 OK", JSON_HEADERS + [("Content-Length", len(body))]) + body[: len(body) // 2])
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False
    conn.sendall(head("404 Not Found", [("Content-Length", 0)]))
    return True


def serve(conn, secrets):
    buffer = b""
    try:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            request, body, buffer = read_request(conn, buffer)
            if request is None:
                return
            method, target = request
            if target == "/__stats":
                with LOCK:
                    text = json.dumps(STATS).encode()
                conn.sendall(head("200 OK", [("Content-Length", len(text))]) + text)
                continue
            with LOCK:
                STATS["requests"] += 1
            try:
                token = json.loads(body or b"{}").get("NextToken")
            except ValueError:
                token = None
            mode = target.split("?")[0]
            count = secrets
            if mode.startswith("/n/"):
                _, _, number, mode = mode.split("/", 3)
                count = int(number)
            if not answer(conn, mode, page(count, token)):
                return
    except OSError:
        pass
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secrets", type=int, default=400)
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print("READY %d" % listener.getsockname()[1], flush=True)

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn, args.secrets), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    sys.stdin.read()


if __name__ == "__main__":
    main()
