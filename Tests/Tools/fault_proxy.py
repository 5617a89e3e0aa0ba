#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for tests: sits between Stagehand and moto_server on
loopback and, for a chosen share of requests, answers with throttling, 500 or 503, resets
the connection before forwarding or after the server applied the request, stalls past the
client's timeout, or truncates or garbles the JSON reply.

Usage: fault_proxy.py --listen-port P --target-port T [--seed N]
Control (not forwarded): POST /__proxy/config with JSON
  {"rate": 0.3, "faults": ["throttle", "500", "503", "reset_before", "reset_after",
   "delay", "delay_after", "hold", "truncate", "cut", "garble"], "operations": ["ListSecrets"],
   "delay_seconds": 3, "seed": 7,
   "fail_nth": {"operation": "UpdateSecretVersionStage", "n": 2, "status": 400,
                "type": "InvalidRequestException", "times": 1}}
"delay" stalls before forwarding and "delay_after" after the server answered, for
"delay_seconds"; "hold" keeps a request before forwarding it until it is released: by POST
/__proxy/release, or, with "hold_release_on": "<operation>", when a call of that operation
arrives, which then waits until the server has answered the held requests. "truncate" sends
half the body with a matching Content-Length, "cut" announces the whole body, sends half and
closes. "fail_nth" answers the n-th call of that operation (counted from the config) and the
"times" - 1 calls after it with that error, without forwarding; with "faults": [...] instead,
the n-th call and those after it get those faults in order. It applies whatever "rate" says.
"fail_nth" may also be a list of such rules, one per operation.
"seed" restarts the random sequence. Only the keys given change.
GET /__proxy/stats gives counts per operation and fault, requests forwarded, and requests
whose body stopped short of their Content-Length ("incomplete_bodies": never forwarded), that
carried a Transfer-Encoding or Expect header ("chunked_or_expect"), and
faults injected on a connection that had carried earlier requests ("faults_on_reused_connections"),
"delay" and "hold" requests the server has answered ("late_forwards"), and requests being
held now ("held");
POST /__proxy/reset clears them.
Prints "READY <port>" on stdout once listening. Loopback only; stops when stdin closes.
"""
import argparse
import http.client
import json
import random
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
CONFIG = {"rate": 0.0, "faults": [], "operations": [], "delay_seconds": 3.0, "fail_nth": None}
# Calls per operation since fail_nth was last configured.
NTH_COUNTS = {}


def fresh_stats():
    return {"requests": 0, "forwarded": 0, "incomplete_bodies": 0, "chunked_or_expect": 0,
            "faults_on_reused_connections": 0, "late_forwards": 0, "held": 0, "faults": {}, "by_operation": {}}


# Requests held by "hold": each a pair of events, (released, answered).
HELD = []


STATS = fresh_stats()
RNG = random.Random(0)
TARGET = ("127.0.0.1", 0)


def count_fault(operation, fault, reused):
    key = f"{operation}:{fault}"
    STATS["faults"][key] = STATS["faults"].get(key, 0) + 1
    if reused:
        STATS["faults_on_reused_connections"] += 1


def nth_rule(operation):
    """The "fail_nth" rule (one, or one of a list) for this operation, or None."""
    rules = CONFIG.get("fail_nth") or []
    for rule in [rules] if isinstance(rules, dict) else rules:
        if rule.get("operation") == operation:
            return rule
    return None


def pick_fault(operation, reused):
    """The fault for this request, or None. `reused`: the connection served requests before."""
    with LOCK:
        STATS["requests"] += 1
        STATS["by_operation"][operation] = STATS["by_operation"].get(operation, 0) + 1
        nth = nth_rule(operation)
        if nth:
            NTH_COUNTS[operation] = NTH_COUNTS.get(operation, 0) + 1
            index = NTH_COUNTS[operation] - int(nth.get("n", 1))
            planned = nth.get("faults")
            fault = None
            if planned is not None and 0 <= index < len(planned):
                fault = planned[index]
            elif planned is None and 0 <= index < int(nth.get("times", 1)):
                fault = "fail_nth"
            if fault:
                count_fault(operation, fault, reused)
                return fault
        ops = CONFIG["operations"]
        if not CONFIG["faults"] or (ops and operation not in ops):
            return None
        if RNG.random() >= CONFIG["rate"]:
            return None
        fault = RNG.choice(CONFIG["faults"])
        count_fault(operation, fault, reused)
        return fault


def release_held():
    """Releases every held request and waits until the server has answered them."""
    with LOCK:
        held = list(HELD)
        HELD.clear()
    for released, _ in held:
        released.set()
    for _, answered in held:
        answered.wait(30)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One handler per connection: how many requests it has forwarded or faulted so far.
    served = 0

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None, send_length=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if send_length is None else send_length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def reset(self):
        # SO_LINGER 0 makes close() send a RST: the client sees "connection reset".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_GET(self):
        if self.path == "/__proxy/stats":
            with LOCK:
                body = json.dumps(STATS).encode()
            return self.reply(200, body, {"Content-Type": "application/json"})
        return self.forward(b"")

    def do_POST(self):
        if "Transfer-Encoding" in self.headers or "Expect" in self.headers:
            with LOCK:
                STATS["chunked_or_expect"] += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client announced a body and closed before sending it all (libcurl did this
            # when it resent a request without its body): counted, never forwarded.
            with LOCK:
                STATS["incomplete_bodies"] += 1
            return self.reset()
        if self.path == "/__proxy/config":
            global RNG
            update = json.loads(body or b"{}")
            with LOCK:
                if "seed" in update:
                    RNG = random.Random(int(update.pop("seed")))
                if "fail_nth" in update:
                    NTH_COUNTS.clear()
                CONFIG.update(update)
            return self.reply(200, b"{}", {"Content-Type": "application/json"})
        if self.path == "/__proxy/release":
            release_held()
            return self.reply(200, b"{}", {"Content-Type": "application/json"})
        if self.path == "/__proxy/reset":
            with LOCK:
                STATS.update(fresh_stats())
            return self.reply(200, b"{}", {"Content-Type": "application/json"})
        return self.forward(body)

    def forward(self, body):
        target = self.headers.get("X-Amz-Target", "")
        operation = target.split(".")[-1] if target else self.path
        fault = pick_fault(operation, self.served > 0)
        self.served += 1
        if CONFIG.get("hold_release_on") == operation:
            release_held()
        if fault == "throttle":
            return self.reply(400, b'{"__type":"ThrottlingException","message":"Rate exceeded"}',
                              {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "proxy-throttle"})
        if fault in ("500", "503"):
            return self.reply(int(fault), b'{"__type":"InternalServiceError","message":"injected by the test proxy"}',
                              {"Content-Type": "application/x-amz-json-1.1"})
        if fault == "fail_nth":
            with LOCK:
                nth = dict(nth_rule(operation) or {})
            error_type = nth.get("type", "InvalidRequestException")
            body = json.dumps({"__type": error_type, "message": "injected by the test proxy (fail_nth)"}).encode()
            return self.reply(int(nth.get("status", 400)), body,
                              {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "proxy-fail-nth"})
        if fault == "reset_before":
            return self.reset()
        if fault == "delay":
            time.sleep(float(CONFIG.get("delay_seconds", 3.0)))
        answered = None
        if fault == "hold":
            released, answered = threading.Event(), threading.Event()
            with LOCK:
                HELD.append((released, answered))
                STATS["held"] += 1
            released.wait(120)
            with LOCK:
                STATS["held"] -= 1
        try:
            return self.send_on(body, fault)
        finally:
            if answered:
                answered.set()

    def send_on(self, body, fault):
        """Forwards the request to the server and answers the client, applying `fault`."""
        conn = http.client.HTTPConnection(*TARGET, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            # The server dropped it: pass that on rather than leave the client waiting.
            return self.reset()
        finally:
            conn.close()
        with LOCK:
            STATS["forwarded"] += 1
            if fault in ("delay", "hold"):
                STATS["late_forwards"] += 1
        if fault == "reset_after":
            return self.reset()
        if fault == "delay_after":
            time.sleep(float(CONFIG.get("delay_seconds", 3.0)))
        if fault == "cut" and len(data) > 2:
            self.send_response(response.status)
            self.send_header("Content-Type", response.getheader("Content-Type") or "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            return self.reset()
        if fault == "truncate" and len(data) > 2:
            data = data[: len(data) // 2]
        elif fault == "garble" and data:
            data = bytes(b ^ 0x5A for b in data[:16]) + data[16:]
        passed = {k: v for k, v in response.getheaders()
                  if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date")}
        self.reply(response.status, data, passed)


def main():
    global TARGET, RNG
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen-port", type=int, default=0)
    parser.add_argument("--target-port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    TARGET = ("127.0.0.1", args.target_port)
    RNG = random.Random(args.seed)
    server = ThreadingHTTPServer(("127.0.0.1", args.listen_port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    sys.stdin.read()  # the test closes stdin (or dies) to stop the proxy
    server.shutdown()


if __name__ == "__main__":
    main()
