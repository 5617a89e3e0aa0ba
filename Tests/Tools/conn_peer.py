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

# Imported from beside this script, without leaving a __pycache__ in the source tree.
sys.dont_write_bytecode = True
from http_peer import accept_loop, listen_loopback, parse_head, read_body, read_head, response

LOCK = threading.Lock()
CONFIG = {"reset_reused": 0, "reset_operation": None, "reset_times": 1, "idle_close_seconds": None}
STATS = {"connections": 0, "requests": 0, "resets": 0, "idle_closes": 0, "by_operation": {}}


def answer(conn, body):
    conn.sendall(response(200, "OK", body, {"Content-Type": "application/x-amz-json-1.1"}))


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def control(conn, method, body):
    if method == "POST":
        with LOCK:
            CONFIG.update(json.loads(body or b"{}"))
        answer(conn, b"{}")
    else:
        with LOCK:
            data = json.dumps(STATS).encode()
        answer(conn, data)
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
                    # Closed before counted: a client that sees the count finds it closed.
                    conn.close()
                    with LOCK:
                        STATS["idle_closes"] += 1
                    return
            head, buffer = read_head(conn, buffer)
            if head is None:
                conn.close()
                return
            method, target, headers = parse_head(head)
            body, buffer = read_body(conn, headers, buffer)
            if target.startswith("/__peer/"):
                return control(conn, method, body)
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
            answer(conn, json.dumps({"connection": number, "nth": nth}).encode())
    except OSError:
        conn.close()


def main():
    listener = listen_loopback()
    threading.Thread(target=accept_loop, args=(listener, serve), daemon=True).start()
    print("READY %d" % listener.getsockname()[1], flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
