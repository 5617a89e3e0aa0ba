#!/usr/bin/env python3
"""A loopback stand-in for AWS's rotation service, in front of moto_server.

moto "rotates" a secret at once when RotateSecret names no rotation function (the token
version becomes AWSCURRENT, with no value), and its "previous rotation is still in progress"
check is the inverse of AWS's. This stand-in forwards every request to moto unchanged, except
`secretsmanager.RotateSecret`, which it answers the AWS way:

- ResourceNotFoundException etc. from moto's DescribeSecret are passed on;
- no rotation function on the secret (moto's RotationLambdaARN) and none in the request:
  InvalidRequestException, as AWS answers;
- AWSPENDING on a version that is not the AWSCURRENT one: InvalidRequestException
  ("A previous rotation isn't complete. That rotation will be reattempted."), AWS's rule;
- the same ClientRequestToken again (a resend): the same answer, nothing done twice;
- otherwise createSecret at once: PutSecretValue of the token with VersionStages [AWSPENDING]
  and a generated value, straight to moto; the answer {ARN, Name, VersionId} right after; then,
  on a thread, after "finish_delay" seconds, finishSecret: UpdateSecretVersionStage AWSCURRENT
  onto the token (RemoveFromVersionId the current holder), and after "cleanup_delay" more,
  AWSPENDING removed from the token ("keep_pending": the old templates that left it there).
  With "mode": "stop_after_create" the function stops after createSecret, AWSPENDING stays.
  With RotateImmediately false nothing moves (only testSecret would run).

The calls to moto reuse the client's headers (moto does not check signatures, it routes by
the Authorization header), with their own X-Amz-Target and body.

Usage: rotation_standin.py --target-port T [--listen-port P]
Control (not forwarded):
  POST /__standin/config  JSON, only the keys given change: {"mode": "succeed" |
    "stop_after_create", "finish_delay": 1.0, "cleanup_delay": 0.5, "keep_pending": false,
    "value": "generated value (default: a random one)", "reset_after": 0}
    ("reset_after": n resets the connection after the next n RotateSecret calls were applied:
    an ambiguous failure the client must resend with the same token)
  GET /__standin/stats    {"requests", "by_operation": {op: n}, "rotate_requests",
    "rotations_started", "rotations_finished", "tokens": [...], "refused": {reason: n}}
  POST /__standin/reset   clears the stats
Prints "READY <port>" on stdout once listening. Loopback only; stops when stdin closes.
"""
import argparse
import http.client
import json
import secrets
import sys
import threading
import time
from http.server import ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ in the source tree from the import below
import fault_proxy  # noqa: E402 (beside this file)

LOCK = threading.Lock()
CONFIG = {"mode": "succeed", "finish_delay": 1.0, "cleanup_delay": 0.5, "keep_pending": False, "value": None,
          "reset_after": 0}
TARGET = ("127.0.0.1", 0)
# token -> the answer given, so that a resend gets the same one.
ANSWERED = {}


def fresh_stats():
    return {"requests": 0, "by_operation": {}, "rotate_requests": 0, "rotations_started": 0,
            "rotations_finished": 0, "tokens": [], "refused": {}}


STATS = fresh_stats()


def send(method, path, headers, body):
    """One request to moto: (status, headers, body)."""
    conn = http.client.HTTPConnection(*TARGET, timeout=30)
    sent = {k: v for k, v in headers.items()
            if k.lower() not in ("connection", "keep-alive", "content-length", "transfer-encoding")}
    sent["Content-Length"] = str(len(body))
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def moto(headers, operation, payload):
    """Calls `operation` on moto with the client's headers: (status, parsed JSON body, raw body)."""
    call = {k: v for k, v in headers.items() if k.lower() != "x-amz-target"}
    call["X-Amz-Target"] = "secretsmanager." + operation
    call["Content-Type"] = "application/x-amz-json-1.1"
    status, _, data = send("POST", "/", call, json.dumps(payload).encode())
    try:
        parsed = json.loads(data or b"{}")
    except ValueError:
        parsed = {}
    return status, parsed, data


def holder(stages, label):
    for version, labels in (stages or {}).items():
        if label in (labels or []):
            return version
    return None


def finish(headers, secret_id, token, settings):
    """finishSecret, after the configured delay, then the clean-up of AWSPENDING."""
    time.sleep(float(settings["finish_delay"]))
    status, described, _ = moto(headers, "DescribeSecret", {"SecretId": secret_id})
    if status != 200:
        return
    stages = described.get("VersionIdsToStages") or {}
    if "AWSPENDING" not in (stages.get(token) or []):
        return  # abandoned (AWSPENDING removed, or the rotation cancelled): finishSecret stops here
    move = {"SecretId": secret_id, "VersionStage": "AWSCURRENT", "MoveToVersionId": token}
    current = holder(stages, "AWSCURRENT")
    if current and current != token:
        move["RemoveFromVersionId"] = current
    moto(headers, "UpdateSecretVersionStage", move)
    if not settings["keep_pending"]:
        time.sleep(float(settings["cleanup_delay"]))
        moto(headers, "UpdateSecretVersionStage",
             {"SecretId": secret_id, "VersionStage": "AWSPENDING", "RemoveFromVersionId": token})
    with LOCK:
        STATS["rotations_finished"] += 1


def configure(update):
    CONFIG.update(update)
    return {}


def reset_stats(_):
    STATS.clear()
    STATS.update(fresh_stats())
    return {}


# (method, path) -> what answers it, called with the JSON body under LOCK: never forwarded.
CONTROL = {("POST", "/__standin/config"): configure, ("GET", "/__standin/stats"): lambda _: STATS,
           ("POST", "/__standin/reset"): reset_stats}


class Handler(fault_proxy.Handler):
    """fault_proxy's handler for its `reply` and `reset`; everything else is the stand-in's."""

    def error(self, status, error_type, message, reason):
        with LOCK:
            STATS["refused"][reason] = STATS["refused"].get(reason, 0) + 1
        body = json.dumps({"__type": error_type, "message": message}).encode()
        return self.reply(status, body, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "standin",
                                         "x-amzn-ErrorType": error_type})

    def do_GET(self):
        self.route(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.route(self.rfile.read(length) if length else b"")

    def route(self, body):
        control = CONTROL.get((self.command, self.path))
        if control:
            with LOCK:
                answer = control(json.loads(body or b"{}") if body else {})
            return self.reply(200, json.dumps(answer).encode(), {"Content-Type": "application/json"})
        target = self.headers.get("X-Amz-Target", "")
        operation = target.split(".")[-1] if target else self.path
        with LOCK:
            STATS["requests"] += 1
            STATS["by_operation"][operation] = STATS["by_operation"].get(operation, 0) + 1
        if operation == "RotateSecret":
            return self.rotate(body)
        return self.forward(body)

    def rotate(self, body):
        request = json.loads(body or b"{}")
        secret_id = request.get("SecretId", "")
        token = request.get("ClientRequestToken") or secrets.token_hex(16)
        headers = dict(self.headers.items())
        with LOCK:
            STATS["rotate_requests"] += 1
            STATS["tokens"].append(token)
            settings = dict(CONFIG)
            answered = ANSWERED.get(token)
        if answered is not None:
            return self.answer(answered)
        status, described, raw = moto(headers, "DescribeSecret", {"SecretId": secret_id})
        if status != 200:
            return self.reply(status, raw, {"Content-Type": "application/x-amz-json-1.1"})
        if not request.get("RotationLambdaARN") and not described.get("RotationLambdaARN"):
            return self.error(400, "InvalidRequestException",
                              "You tried to enable rotation on a secret that doesn't already have a Lambda function "
                              "ARN configured and you didn't include such an ARN as a parameter in this call.",
                              "not_configured")
        stages = described.get("VersionIdsToStages") or {}
        pending = holder(stages, "AWSPENDING")
        if pending and "AWSCURRENT" not in (stages.get(pending) or []):
            return self.error(400, "InvalidRequestException",
                              "A previous rotation isn't complete. That rotation will be reattempted.",
                              "in_progress")
        answer = {"ARN": described.get("ARN"), "Name": described.get("Name"), "VersionId": token}
        if request.get("RotateImmediately", True):
            value = settings["value"] or "standin-" + secrets.token_hex(12)
            status, _, raw = moto(headers, "PutSecretValue",
                                  {"SecretId": secret_id, "ClientRequestToken": token, "SecretString": value,
                                   "VersionStages": ["AWSPENDING"]})
            if status != 200:
                return self.reply(status, raw, {"Content-Type": "application/x-amz-json-1.1"})
            with LOCK:
                STATS["rotations_started"] += 1
            if settings["mode"] == "succeed":
                threading.Thread(target=finish, args=(headers, secret_id, token, settings), daemon=True).start()
        with LOCK:
            ANSWERED[token] = answer
            reset = CONFIG["reset_after"] > 0
            if reset:
                CONFIG["reset_after"] -= 1
        if reset:
            # Applied, but the client never hears so: it must resend the same token.
            return self.reset()
        return self.answer(answer)

    def answer(self, answer):
        return self.reply(200, json.dumps(answer).encode(), {"Content-Type": "application/x-amz-json-1.1",
                                                            "x-amzn-RequestId": "standin"})

    def forward(self, body):
        try:
            status, headers, data = send(self.command, self.path, dict(self.headers.items()), body)
        except (OSError, http.client.HTTPException):
            # moto dropped it: pass that on rather than leave the client waiting.
            return self.reset()
        passed = {k: v for k, v in headers
                  if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date")}
        return self.reply(status, data, passed)


def main():
    global TARGET
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen-port", type=int, default=0)
    parser.add_argument("--target-port", type=int, required=True)
    args = parser.parse_args()
    TARGET = ("127.0.0.1", args.target_port)
    server = ThreadingHTTPServer(("127.0.0.1", args.listen_port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    sys.stdin.read()  # the test closes stdin (or dies) to stop the stand-in
    server.shutdown()


if __name__ == "__main__":
    main()
