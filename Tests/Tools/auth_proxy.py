#!/usr/bin/env python3
"""fault_proxy.py in front of moto_server, judging requests as AWS's front door does, for the
faults moto never produces: a clock that is off, and session credentials that expire. It is
the fault proxy (its /__proxy/ controls and faults all work) with these on top:

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
- SSO: GET /federation/credentials (the IAM Identity Center portal, for AWS_ENDPOINT_URL_SSO)
  trades the bearer token in "x-amz-sso_bearer_token" for role credentials, with a token
  "sso-session-N" judged like the container ones; without a bearer token it answers 401
  UnauthorizedException.

Usage: auth_proxy.py --target-port T [--listen-port P] [--skew-seconds N] [--seed N]
Control: POST /__auth/config with JSON {"skew_seconds": N, "send_date": bool, "token_uses": N
or null}, only the keys given change; GET /__auth/stats gives {"judged", "skew_refusals",
"token_refusals", "issued", "amz_dates": [X-Amz-Date of every judged request, in order],
"sso_issued", "sso_bearers": [bearer tokens traded, in order]};
POST /__auth/reset clears them.
Prints "READY <port>" on stdout once listening. Loopback only; stops when stdin closes.
"""
import argparse
import json
import sys
import threading
from datetime import datetime, timedelta, timezone
from email.utils import formatdate

# Imported from beside this script, without leaving a __pycache__ in the source tree.
sys.dont_write_bytecode = True
import fault_proxy

LOCK = threading.Lock()
CONFIG = {"skew_seconds": 0.0, "send_date": True, "token_uses": None}
ALLOWED = timedelta(minutes=5)
# Issued token -> requests judged with it.
TOKENS = {}


def fresh_stats():
    return {"judged": 0, "skew_refusals": 0, "token_refusals": 0, "issued": 0, "amz_dates": [], "sso_issued": 0,
            "sso_bearers": []}


STATS = fresh_stats()


def proxy_now():
    with LOCK:
        skew = float(CONFIG["skew_seconds"])
    return datetime.now(timezone.utc) + timedelta(seconds=skew)


def amz(moment):
    return moment.strftime("%Y%m%dT%H%M%SZ")


class Handler(fault_proxy.Handler):
    def date_time_string(self, timestamp=None):
        return formatdate(proxy_now().timestamp(), usegmt=True)

    def send_header(self, keyword, value):
        with LOCK:
            send_date = CONFIG["send_date"]
        if keyword.lower() != "date" or send_date:
            super().send_header(keyword, value)

    def json_reply(self, status, document):
        self.reply(status, json.dumps(document).encode(), {"Content-Type": "application/x-amz-json-1.1"})

    def do_GET(self):
        if self.path == "/__auth/stats":
            with LOCK:
                stats = json.loads(json.dumps(STATS))
            return self.json_reply(200, stats)
        if self.path == "/creds":
            with LOCK:
                STATS["issued"] += 1
                number = STATS["issued"]
                TOKENS["session-%d" % number] = 0
            expiry = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return self.json_reply(200, {"AccessKeyId": "ASIATESTING%d" % number, "SecretAccessKey": "testing",
                                         "Token": "session-%d" % number, "Expiration": expiry})
        if self.path.startswith("/federation/credentials"):
            bearer = self.headers.get("x-amz-sso_bearer_token")
            if not bearer:
                return self.json_reply(401, {"__type": "UnauthorizedException", "message": "Session token not found or invalid"})
            with LOCK:
                STATS["sso_issued"] += 1
                STATS["sso_bearers"].append(bearer)
                number = STATS["sso_issued"]
                TOKENS["sso-session-%d" % number] = 0
            expiry = int((datetime.now(timezone.utc) + timedelta(hours=1)).timestamp() * 1000)
            return self.json_reply(200, {"roleCredentials": {
                "accessKeyId": "ASIASSO%d" % number, "secretAccessKey": "testing",
                "sessionToken": "sso-session-%d" % number, "expiration": expiry}})
        return super().do_GET()

    def do_POST(self):
        if not self.path.startswith("/__auth/"):
            return super().do_POST()
        length = int(self.headers.get("Content-Length") or 0)
        update = json.loads(self.rfile.read(length) or b"{}")
        with LOCK:
            if self.path == "/__auth/config":
                CONFIG.update(update)
            else:
                STATS.clear()
                STATS.update(fresh_stats())
        return self.json_reply(200, {})

    def refuse(self, error_type, message):
        self.reply(400, json.dumps({"__type": error_type, "message": message}).encode(),
                   {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "auth-proxy"})

    def forward(self, body):
        """Judges the request's time and token; forwards it (through the fault proxy) if both pass."""
        stamp = self.headers.get("X-Amz-Date", "")
        token = self.headers.get("X-Amz-Security-Token")
        now = proxy_now()
        with LOCK:
            STATS["judged"] += 1
            STATS["amz_dates"].append(stamp)
        try:
            signed = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            return self.refuse("IncompleteSignatureException", "X-Amz-Date is missing or malformed")
        refusal = None
        if signed < now - ALLOWED:
            refusal = "Signature expired: %s is now earlier than %s (%s - 5 min.)" % (stamp, amz(now - ALLOWED), amz(now))
        elif signed > now + ALLOWED:
            refusal = ("Signature not yet current: %s is still later than %s (%s + 5 min.)"
                       % (stamp, amz(now + ALLOWED), amz(now)))
        if refusal:
            with LOCK:
                STATS["skew_refusals"] += 1
            return self.refuse("InvalidSignatureException", refusal)
        with LOCK:
            uses = CONFIG["token_uses"]
            expired = token in TOKENS and uses is not None and TOKENS[token] >= int(uses)
            if token in TOKENS:
                TOKENS[token] += 1
            if expired:
                STATS["token_refusals"] += 1
        if expired:
            return self.refuse("ExpiredTokenException", "The security token included in the request is expired")
        return super().forward(body)


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--skew-seconds", type=float, default=0.0)
    args, rest = parser.parse_known_args()
    CONFIG["skew_seconds"] = args.skew_seconds
    sys.argv = sys.argv[:1] + rest
    # fault_proxy.main serves with the Handler its module names.
    fault_proxy.Handler = Handler
    fault_proxy.main()


if __name__ == "__main__":
    main()
