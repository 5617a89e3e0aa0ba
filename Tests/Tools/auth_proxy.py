#!/usr/bin/env python3
"""A loopback proxy in front of moto_server that judges requests as AWS's front door does,
for the faults moto never produces: a clock that is off, and session credentials that expire.

- Clock: the proxy's clock is the real one plus "skew_seconds". A request whose X-Amz-Date is
  more than 5 minutes from it is refused, as Secrets Manager does, with HTTP 400
  InvalidSignatureException "Signature expired: <X-Amz-Date> is now earlier than <limit>
  (<now> - 5 min.)" (or "Signature not yet current: ... is still later than ..."). Every answer,
  refused or forwarded, carries a Date header from the proxy's clock, unless "send_date" is
  false.
- Credentials: GET /creds answers container credentials (as the ECS agent does) with a new
  session token each time ("session-1", "session-2", ...), expiring in an hour. With
  "token_uses": N, a token it issued is good for N requests; later requests signed with it are
  refused with HTTP 400 ExpiredTokenException "The security token included in the request is
  expired". Requests with no token, or one it did not issue, are not judged.

Usage: auth_proxy.py --target-port T [--listen-port P] [--skew-seconds N]
Control (not forwarded): POST /__proxy/config with JSON {"skew_seconds": N, "send_date": bool,
"token_uses": N or null}, only the keys given change; GET /__proxy/stats gives
{"requests", "forwarded", "skew_refusals", "token_refusals", "issued", "by_operation",
"amz_dates": [X-Amz-Date of every judged request, in order]}; POST /__proxy/reset clears them.
Prints "READY <port>" on stdout once listening. Loopback only; stops when stdin closes.
"""
import argparse
import http.client
import json
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
CONFIG = {"skew_seconds": 0.0, "send_date": True, "token_uses": None}
TARGET = ("127.0.0.1", 0)
ALLOWED = timedelta(minutes=5)
# Issued token -> requests judged with it.
TOKENS = {}


def fresh_stats():
    return {"requests": 0, "forwarded": 0, "skew_refusals": 0, "token_refusals": 0, "issued": 0,
            "by_operation": {}, "amz_dates": []}


STATS = fresh_stats()


def proxy_now():
    with LOCK:
        skew = float(CONFIG["skew_seconds"])
    return datetime.now(timezone.utc) + timedelta(seconds=skew)


def amz(moment):
    return moment.strftime("%Y%m%dT%H%M%SZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None):
        self.send_response_only(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        with LOCK:
            send_date = CONFIG["send_date"]
        if send_date:
            self.send_header("Date", formatdate(proxy_now().timestamp(), usegmt=True))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def refuse(self, error_type, message):
        body = json.dumps({"__type": error_type, "message": message}).encode()
        self.reply(400, body, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "auth-proxy"})

    def control(self, body):
        if self.path == "/__proxy/config":
            update = json.loads(body or b"{}")
            with LOCK:
                CONFIG.update(update)
            return self.reply(200, b"{}", {"Content-Type": "application/json"})
        if self.path == "/__proxy/reset":
            with LOCK:
                STATS.clear()
                STATS.update(fresh_stats())
            return self.reply(200, b"{}", {"Content-Type": "application/json"})
        return self.reply(404, b"{}", {"Content-Type": "application/json"})

    def do_GET(self):
        if self.path == "/__proxy/stats":
            with LOCK:
                body = json.dumps(STATS).encode()
            return self.reply(200, body, {"Content-Type": "application/json"})
        if self.path == "/creds":
            with LOCK:
                STATS["issued"] += 1
                token = "session-%d" % STATS["issued"]
                TOKENS[token] = 0
            expiry = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            creds = {"AccessKeyId": "ASIATESTING%d" % STATS["issued"], "SecretAccessKey": "testing",
                     "Token": token, "Expiration": expiry}
            return self.reply(200, json.dumps(creds).encode(), {"Content-Type": "application/json"})
        return self.judge(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/__proxy/"):
            return self.control(body)
        return self.judge(body)

    def judge(self, body):
        target = self.headers.get("X-Amz-Target", "")
        operation = target.split(".")[-1] if target else self.path
        stamp = self.headers.get("X-Amz-Date", "")
        token = self.headers.get("X-Amz-Security-Token")
        now = proxy_now()
        with LOCK:
            STATS["requests"] += 1
            STATS["by_operation"][operation] = STATS["by_operation"].get(operation, 0) + 1
            STATS["amz_dates"].append(stamp)
        try:
            signed = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            return self.refuse("IncompleteSignatureException", "X-Amz-Date is missing or malformed")
        if signed < now - ALLOWED:
            with LOCK:
                STATS["skew_refusals"] += 1
            return self.refuse("InvalidSignatureException", "Signature expired: %s is now earlier than %s (%s - 5 min.)"
                               % (stamp, amz(now - ALLOWED), amz(now)))
        if signed > now + ALLOWED:
            with LOCK:
                STATS["skew_refusals"] += 1
            return self.refuse("InvalidSignatureException",
                               "Signature not yet current: %s is still later than %s (%s + 5 min.)"
                               % (stamp, amz(now + ALLOWED), amz(now)))
        with LOCK:
            uses = CONFIG["token_uses"]
            expired = token in TOKENS and uses is not None and TOKENS[token] >= int(uses)
            if token in TOKENS:
                TOKENS[token] += 1
            if expired:
                STATS["token_refusals"] += 1
        if expired:
            return self.refuse("ExpiredTokenException", "The security token included in the request is expired")
        return self.forward(body)

    def forward(self, body):
        conn = http.client.HTTPConnection(*TARGET, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            return self.reply(502, str(error).encode(), {"Content-Type": "text/plain"})
        finally:
            conn.close()
        with LOCK:
            STATS["forwarded"] += 1
        passed = {k: v for k, v in response.getheaders()
                  if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date")}
        self.reply(response.status, data, passed)


def main():
    global TARGET
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen-port", type=int, default=0)
    parser.add_argument("--target-port", type=int, required=True)
    parser.add_argument("--skew-seconds", type=float, default=0.0)
    args = parser.parse_args()
    TARGET = ("127.0.0.1", args.target_port)
    CONFIG["skew_seconds"] = args.skew_seconds
    server = ThreadingHTTPServer(("127.0.0.1", args.listen_port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    sys.stdin.read()  # the test closes stdin (or dies) to stop the proxy
    server.shutdown()


if __name__ == "__main__":
    main()
