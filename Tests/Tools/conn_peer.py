#!/usr/bin/env python3
"""An HTTP/1.1 server on loopback that kills connections the ways the field does, for the
transport's dead-connection tests. Every request gets 200 with the JSON body {"connection": N,
"nth": N} (the connection's number and the request's number on it) unless a rule says
otherwise; keep-alive throughout.

Rules, set by POST /__peer/config with JSON (only the keys given change):
  "reset_reused": N         the next N requests that arrive on a connection that has already
                            served one are read in full, then the connection is reset (RST,
                            SO_LINGER 0) without an answer: a kept-alive connection that a
                            server or a NAT dropped, seen only once the request was written.
  "reset_operation": "Op"   requests whose X-Amz-Target ends in ".Op" are read in full, then
  "reset_times": N          reset, N times (1 by default).
  "idle_close_seconds": S   the server closes (FIN) any connection idle for S seconds, as a
                            load balancer's idle timeout does.
GET /__peer/stats gives {"connections", "requests", "resets", "idle_closes", "by_operation"}
(control requests are not counted; each comes on a connection of its own).
Prints "READY <port>" on stdout once listening. Stops when stdin closes.
"""
import json
import select
import socket
import struct
import sys
import threading

LOCK = threading.Lock()
CONFIG = {"reset_reused": 0, "reset_operation": None, "reset_times": 1, "idle_close_seconds": None}
STATS = {"connections": 0, "requests": 0, "resets": 0, "idle_closes": 0, "by_operation": {}}


def read_request(conn, buffer):
    """One request: (head lines, headers, body, rest of buffer), or None at EOF."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(buffer) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    return lines[0], headers, buffer[:length], buffer[length:]


def answer(conn, status, body):
    conn.sendall(b"HTTP/1.1 %d %s\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n"
                 % (status, b"OK" if status == 200 else b"Other", len(body)) + body)


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def control(conn, request_line, body):
    if request_line.startswith("POST /__peer/config"):
        with LOCK:
            CONFIG.update(json.loads(body or b"{}"))
        answer(conn, 200, b"{}")
    else:
        with LOCK:
            data = json.dumps(STATS).encode()
        answer(conn, 200, data)
    conn.close()


def serve(conn, number):
    buffer = b""
    nth = 0
    counted = False
    try:
        while True:
            with LOCK:
                idle = CONFIG["idle_close_seconds"]
            if not buffer:
                ready, _, _ = select.select([conn], [], [], idle)
                if not ready:
                    with LOCK:
                        STATS["idle_closes"] += 1
                    conn.close()
                    return
            request = read_request(conn, buffer)
            if request is None:
                conn.close()
                return
            request_line, headers, body, buffer = request
            if " /__peer/" in request_line:
                return control(conn, request_line, body)
            if not counted:
                counted = True
                with LOCK:
                    STATS["connections"] += 1
            nth += 1
            operation = headers.get("x-amz-target", "").split(".")[-1]
            with LOCK:
                STATS["requests"] += 1
                STATS["by_operation"][operation] = STATS["by_operation"].get(operation, 0) + 1
                drop = False
                if nth > 1 and CONFIG["reset_reused"] > 0:
                    CONFIG["reset_reused"] -= 1
                    drop = True
                elif CONFIG["reset_operation"] and operation == CONFIG["reset_operation"] and CONFIG["reset_times"] > 0:
                    CONFIG["reset_times"] -= 1
                    drop = True
                if drop:
                    STATS["resets"] += 1
            if drop:
                return reset(conn)
            answer(conn, 200, json.dumps({"connection": number, "nth": nth}).encode())
    except OSError:
        conn.close()


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def accept():
        number = 0
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            number += 1
            threading.Thread(target=serve, args=(conn, number), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    print(f"READY {listener.getsockname()[1]}", flush=True)
    sys.stdin.read()
    listener.close()


if __name__ == "__main__":
    main()
