#!/usr/bin/env python3
"""A loopback Secrets Manager that answers instantly, to measure the client and nothing else.

It answers ListSecrets from generated, AWS-shaped pages (ARN, name, description, tags, dates
as epoch numbers, rotation, 2-3 labelled versions per secret), plus DescribeSecret and
ListSecretVersionIds for every generated name so a TUI's lazy describe works too. Every
default-sized page is rendered to bytes before the server says READY, and every response
(status line, headers and body) leaves in ONE sendall on a TCP_NODELAY socket: a server that
writes headers and body separately to a keep-alive client stalls ~40 ms a request on delayed
ACKs, which would measure the kernel rather than the client. Signatures are not checked.

    python3 Benchmarks/replay_server.py --secrets 10000 [--port P]
    -> prints "READY <port>" on stdout; stops when stdin closes or on SIGTERM/SIGINT.

The names are shaped like a large real account's (most under a few stems: `prod/`,
`staging/`, `dev/`, over team/kind segments), with adversarial ones mixed in (every legal
first character, digits and `/_+=.@-` first, case pairs, long names, names that are exactly
a prefix a listing may split at): see `secret_name`.

For a real network's timing, `--latency-ms` delays every answer by a round trip and
`--page-ms` adds server time to each ListSecrets page; `--filters` honours ListSecrets'
`name` filter as AWS documents it (the API reference's Filter: "name: Prefix match,
case-sensitive"; 1 to 10 values, OR'ed; `!value` negates; several filters AND'ed), without
it filters are ignored, as some emulators do (a client must still list everything).

A POST with `X-Amz-Target: Bench.Stats` answers the connections opened (and with TLS the
handshakes completed) and requests per operation since the previous such call, so the bench
can show that a client keeps its connections alive and makes no request per secret.

With `--tls-cert` and `--tls-key` it speaks HTTPS only (a client trusts it through the CA that
signed the certificate, e.g. `AWS_CA_BUNDLE`).
"""

import argparse
import bisect
import hashlib
import json
import time
import os
import re
import signal
import socket
import ssl
import sys
import threading
import uuid

REGION = "us-east-1"
ACCOUNT = "123456789012"
PAGE_SIZE = 100
BASE_EPOCH = 1_700_000_000.0
SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
TEAMS = ["payments", "search", "identity", "billing", "ledger", "mobile", "data", "infra"]
KINDS = ["db-password", "api-key", "oauth-client", "signing-key", "webhook-token", "smtp"]
ENVS = ["prod", "staging", "dev"]
# Every character a secret name may hold, in the order the adversarial names cycle through.
NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-"
# Names that are exactly a prefix a client may split a listing at (the first characters,
# the stems and their paths), and case pairs of them: a client that splits by prefix must
# still list these. They take the indices after 0, so any account of 40 or more has them.
EXACT_NAMES = [
    "p", "pr", "prod", "prod/", "prod/payments", "prod/payments/", "s", "staging", "staging/",
    "d", "dev", "dev/", "Prod", "PROD", "P", "PROD/", "Staging/", "a", "Z", "0", "9", "/",
    "_", "+", "=", ".", "@", "-", "shared/", "x", "prod/p", "prod/s", "dev/d",
]
# Stems of the realistic names, with their weights out of 100 (the rest is adversarial).
STEMS = [("prod", 40), ("staging", 22), ("dev", 14), ("shared", 4), ("platform", 3), ("ci", 2), ("Prod", 2), ("PROD", 1)]
REALISTIC = sum(weight for _, weight in STEMS)


def _mix(index):
    """A fixed scramble of the index, so each shape is spread over the creation order (a
    first page is a fair sample of the account, as a real account's oldest secrets are)."""
    x = (index * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 31
    x = (x * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 29)


def secret_name(index):
    """Deterministic names shaped like a real account's: a few stems (`prod/`, `staging/`,
    `dev/`, ...) over team/kind segments, most secrets under `prod/`; then adversarial ones
    (every legal first character, digits, `/_+=.@-`, case pairs, names of up to 250
    characters, names equal to a split prefix). All but the exact-prefix names end in
    `bench-secret-NNNNN`, which keeps them unique and lets the bench know that index 0's
    name is on the first page."""
    suffix = f"bench-secret-{index:05d}"
    if index == 0:
        return f"prod/payments/db-password/{suffix}"
    if index <= len(EXACT_NAMES):
        return EXACT_NAMES[index - 1]
    mix = _mix(index)
    team = TEAMS[(mix >> 8) % len(TEAMS)]
    kind = KINDS[(mix >> 16) % len(KINDS)]
    roll = mix % 100
    for stem, weight in STEMS:
        if roll < weight:
            return f"{stem}/{team}/{kind}/{suffix}"
        roll -= weight
    shape = (mix >> 24) % 6
    first = NAME_ALPHABET[(mix >> 32) % len(NAME_ALPHABET)]
    if shape == 0:  # any legal first character
        return f"{first}{team}-{kind}-{suffix}"
    if shape == 1:  # digits and punctuation first, as paths and dated names have them
        return f"{(mix >> 40) % 10000:04d}/{kind}/{suffix}" if mix & 1 else f"/{team}/{kind}/{suffix}"
    if shape == 2:  # a case pair of a realistic name
        return f"{ENVS[(mix >> 40) % 3].upper()}/{team}/{kind}/{suffix}"
    if shape == 3:  # long: up to 250 characters (a listed name has at most 256)
        return f"{first}{'-'.join([team, kind] * ((mix >> 40) % 24 + 1))}"[:230] + f"/{suffix}"
    if shape == 4:  # the punctuation AWS allows, early in the name
        return f"{first}{'/_+=.@-'[(mix >> 40) % 7]}{team}/{suffix}"
    return f"{first.lower()}{team}.{kind}@{suffix}"


def version_id(index, n):
    return str(uuid.UUID(bytes=hashlib.md5(f"{index}/{n}".encode()).digest(), version=4))


def arn_for(index, name):
    suffix = "".join(SUFFIX_ALPHABET[(index * 7919 + k * 104729) % len(SUFFIX_ALPHABET)] for k in range(6))
    return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-{suffix}"


class Account:
    """The generated account: each secret's SecretList entry rendered to JSON once, its name
    and ARN; the whole record is made again from its index when DescribeSecret or
    ListSecretVersionIds asks (keeping 500,000 records as dicts would take gigabytes)."""

    def __init__(self, count):
        self.count = count
        self.entries = []
        self.names = []
        self.by_id = {}
        for index in range(count):
            record = self._make(index)
            self.entries.append(json.dumps(self.public(record), separators=(",", ":")).encode())
            self.names.append(record["Name"])
            self.by_id[record["Name"]] = index
            self.by_id[record["ARN"]] = index
        if len(self.names) != len(set(self.names)):
            raise SystemExit("replay_server: generated names are not unique")
        # Names in byte order (case-sensitive, as AWS matches them), for prefix look-ups.
        self.sorted_names = sorted(self.names)
        self.sorted_index = [self.by_id[name] for name in self.sorted_names]

    def record(self, index):
        return self._make(index)

    def with_prefix(self, prefix):
        """Indices of the names that start with `prefix` (case-sensitive)."""
        low = bisect.bisect_left(self.sorted_names, prefix)
        high = bisect.bisect_left(self.sorted_names, prefix + "\x7f")
        return self.sorted_index[low:high]

    @staticmethod
    def _make(index):
        name = secret_name(index)
        created = BASE_EPOCH + index * 37.125
        n_versions = 2 + (index % 2)  # 2 or 3 labelled versions
        versions = []
        for n in range(n_versions):
            if n == 0:
                labels = ["AWSCURRENT"]
            elif n == 1:
                labels = ["AWSPREVIOUS"]
            else:
                labels = ["AWSPENDING", "blue"] if index % 4 == 1 else ["canary"]
            versions.append(
                {
                    "VersionId": version_id(index, n),
                    "VersionStages": labels,
                    "CreatedDate": round(created + 86400.0 * (n_versions - n), 3),
                    "LastAccessedDate": round(BASE_EPOCH + 30 * 86400.0, 3),
                }
            )
        rotation = index % 3 == 0
        record = {
            "ARN": arn_for(index, name),
            "Name": name,
            "Description": f"Credentials for the {TEAMS[index % len(TEAMS)]} service ({ENVS[(index // len(TEAMS)) % len(ENVS)]}), secret #{index}",
            "RotationEnabled": rotation,
            "LastChangedDate": round(created + 86400.0 * n_versions, 3),
            "LastAccessedDate": round(BASE_EPOCH + 30 * 86400.0, 3),
            "Tags": [
                {"Key": "team", "Value": TEAMS[index % len(TEAMS)]},
                {"Key": "env", "Value": ENVS[(index // len(TEAMS)) % len(ENVS)]},
                {"Key": "cost-center", "Value": f"cc-{index % 97:03d}"},
            ],
            "SecretVersionsToStages": {v["VersionId"]: v["VersionStages"] for v in versions},
            "CreatedDate": round(created, 3),
        }
        if rotation:
            record["RotationLambdaARN"] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rotate-{index % 5}"
            record["RotationRules"] = {"AutomaticallyAfterDays": 30}
            record["LastRotatedDate"] = round(created + 86400.0 * n_versions, 3)
            record["NextRotationDate"] = round(created + 86400.0 * (n_versions + 30), 3)
        record["_versions"] = versions
        return record

    @staticmethod
    def public(record):
        return {k: v for k, v in record.items() if not k.startswith("_")}


def http_response(status, body, reason=None):
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found"}
    head = (
        f"HTTP/1.1 {status} {reason or reasons.get(status, 'OK')}\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        f"Content-Length: {len(body)}\r\n"
        "x-amzn-RequestId: 00000000-0000-4000-8000-000000000000\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode("ascii")
    return head + body


def error_response(code, message, status=400):
    return http_response(status, json.dumps({"__type": code, "message": message}).encode())


def list_page(account, indices, start, size, token_prefix):
    """One ListSecrets answer: the entries of `indices[start:start + size]` and, when more
    follow, a NextToken `token_prefix` + the next start."""
    body = b'{"SecretList":[' + b",".join(account.entries[i] for i in indices[start : start + size]) + b"]"
    if start + size < len(indices):
        body += b',"NextToken":"' + f"{token_prefix}{start + size}".encode() + b'"'
    return http_response(200, body + b"}")


class Pages:
    """ListSecrets answers. Default-size pages are rendered up front; other MaxResults
    values are rendered once on first use and cached."""

    def __init__(self, account):
        self.account = account
        self.everything = range(account.count)
        self.lock = threading.Lock()
        self.cache = {}
        for start in range(0, max(1, account.count), PAGE_SIZE):
            self._render(start, PAGE_SIZE)

    def _render(self, start, size):
        response = list_page(self.account, self.everything, start, size, "page-")
        self.cache[(start, size)] = response
        return response

    def get(self, start, size):
        key = (start, size)
        response = self.cache.get(key)
        if response is None:
            with self.lock:
                response = self.cache.get(key) or self._render(start, size)
        return response


FILTER_VALUE = re.compile(r"^!?[a-zA-Z0-9 :_@/+=.\-!]*$")


def name_filter_values(filters):
    """The `name` filters of a ListSecrets request, checked as AWS checks them (1 to 10
    values, each at most 512 characters of the allowed set), or an error response."""
    chosen = []
    for entry in filters:
        if not isinstance(entry, dict) or entry.get("Key") != "name":
            continue
        values = entry.get("Values")
        if not isinstance(values, list) or not 1 <= len(values) <= 10:
            return None, error_response("ValidationException", "Filters.Values must hold 1 to 10 values")
        for value in values:
            if not isinstance(value, str) or len(value) > 512 or not FILTER_VALUE.match(value):
                return None, error_response("ValidationException", f"invalid filter value {value!r}")
        chosen.append(tuple(values))
    return chosen, None


class Handler:
    def __init__(self, account, pages, stats, latency=0.0, page_time=0.0, filters=False):
        self.account = account
        self.pages = pages
        self.stats = stats
        self.latency = latency
        self.page_time = page_time
        self.filters = filters
        self.filtered = {}
        self.lock = threading.Lock()

    def filtered_page(self, filters, start, size):
        """A page of the secrets the `name` filters select, as AWS documents them: each value
        a case-sensitive prefix of the name (`!value`: names that do not start with it), the
        values of one filter OR'ed, several filters AND'ed; in creation order, as AWS lists
        (tokens "f<start>")."""
        key = tuple(sorted(set(filters)))
        matching = self.filtered.get(key)
        if matching is None:
            selected = None
            for values in key:
                chosen = set()
                for value in values:
                    if value.startswith("!"):
                        chosen.update(set(range(self.account.count)) - set(self.account.with_prefix(value[1:])))
                    else:
                        chosen.update(self.account.with_prefix(value))
                selected = chosen if selected is None else selected & chosen
            matching = sorted(selected)
            with self.lock:
                self.filtered[key] = matching
        return list_page(self.account, matching, start, size, "f")

    def answer(self, target, body):
        if target == "Bench.Stats":
            # For the bench script: what the last client did (requests per operation, new
            # connections), then start counting afresh.
            snapshot = dict(self.stats)
            # The Stats call comes on a connection of its own; it is not the client's.
            snapshot["connections"] = max(0, snapshot.get("connections", 1) - 1)
            if "handshakes" in snapshot:
                # A handshake's mean time, this call's own among them, then the client's count.
                snapshot["handshake_seconds"] = snapshot["handshake_seconds"] / snapshot["handshakes"]
                snapshot["handshakes"] = max(0, snapshot["handshakes"] - 1)
            self.stats.clear()
            return http_response(200, json.dumps(snapshot, sort_keys=True).encode())
        operation = target.rsplit(".", 1)[-1]
        self.stats[operation] = self.stats.get(operation, 0) + 1
        if self.latency or (self.page_time and operation == "ListSecrets"):
            time.sleep(self.latency + (self.page_time if operation == "ListSecrets" else 0.0))
        if operation == "ListSecrets" and "first_list_at" not in self.stats:
            # Wall-clock time the first page was asked for: the bench splits a client's
            # first rows into its start-up and the time from that request to the paint.
            self.stats["first_list_at"] = time.time()
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return error_response("SerializationException", "body is not JSON")
        if operation == "ListSecrets":
            size = params.get("MaxResults") or PAGE_SIZE
            if not isinstance(size, int) or size < 1 or size > PAGE_SIZE:
                return error_response("InvalidParameterException", "MaxResults must be between 1 and 100")
            token = params.get("NextToken")
            filters = params.get("Filters") or []
            if self.filters and filters:
                if not isinstance(filters, list):
                    return error_response("ValidationException", "Filters must be a list")
                names, error = name_filter_values(filters)
                if error:
                    return error
                if names:
                    if token and (not token.startswith("f") or not token[1:].isdigit()):
                        return error_response("InvalidNextTokenException", "The NextToken value is invalid.")
                    return self.filtered_page(names, int(token[1:]) if token else 0, size)
            start = 0
            if token:
                if not token.startswith("page-") or not token[5:].isdigit():
                    return error_response("InvalidNextTokenException", "The NextToken value is invalid.")
                start = int(token[5:])
            return self.pages.get(start, size)
        if operation in ("DescribeSecret", "ListSecretVersionIds"):
            index = self.account.by_id.get(params.get("SecretId"))
            if index is None:
                return error_response("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
            record = self.account.record(index)
            if operation == "DescribeSecret":
                doc = Account.public(record)
                doc["VersionIdsToStages"] = doc.pop("SecretVersionsToStages")
            else:
                doc = {"ARN": record["ARN"], "Name": record["Name"], "Versions": record["_versions"]}
            return http_response(200, json.dumps(doc, separators=(",", ":")).encode())
        return error_response("UnknownOperationException", f"{operation} is not answered by the replay server")


def serve_connection(conn, handler):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    try:
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if headers.get("transfer-encoding", "").lower() == "chunked":
                conn.sendall(error_response("SerializationException", "chunked bodies are not supported", 400))
                return
            while len(buffer) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            body, buffer = buffer[:length], buffer[length:]
            target = headers.get("x-amz-target", "")
            if headers.get("expect", "").lower() == "100-continue":
                pass  # the body was read already; clients that wait for 100 time out quickly
            conn.sendall(handler.answer(target, body))
            if headers.get("connection", "").lower() == "close":
                return
    except (ConnectionError, OSError):
        return
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secrets", type=int, default=1000, help="how many secrets the account holds")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--ignore-stdin", action="store_true", help="keep running when stdin closes (stop with SIGTERM)"
    )
    parser.add_argument(
        "--stats", action="store_true", help="print connections and requests per operation to stderr on exit"
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="a round trip added to every answer")
    parser.add_argument("--page-ms", type=float, default=0.0, help="server time added to each ListSecrets page")
    parser.add_argument("--filters", action="store_true", help="honour ListSecrets' name filter")
    parser.add_argument("--tls-cert", help="PEM certificate (chain) to serve HTTPS with; needs --tls-key")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    args = parser.parse_args()
    tls = None
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            parser.error("--tls-cert and --tls-key go together")
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.load_cert_chain(args.tls_cert, args.tls_key)

    account = Account(args.secrets)
    pages = Pages(account)
    stats = {}
    handler = Handler(account, pages, stats, args.latency_ms / 1000, args.page_ms / 1000, args.filters)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)

    def stop(*_):
        if args.stats:
            print("STATS " + json.dumps(stats, sort_keys=True), file=sys.stderr, flush=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def serve(conn):
        if tls is not None:
            # The handshake runs on the connection's own thread, so a slow client does not
            # hold up the others; one that fails it is dropped.
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            accepted = time.time()
            try:
                conn = tls.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                conn.close()
                return
            # For the bench: handshakes, the time they took, and when the first began.
            stats["handshakes"] = stats.get("handshakes", 0) + 1
            stats["handshake_seconds"] = stats.get("handshake_seconds", 0.0) + time.time() - accepted
            stats.setdefault("first_accepted_at", accepted)
        serve_connection(conn, handler)

    def accept_loop():
        while True:
            conn, _ = listener.accept()
            stats["connections"] = stats.get("connections", 0) + 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    print(f"READY {listener.getsockname()[1]}", flush=True)

    if args.ignore_stdin:
        while True:
            signal.pause()
    else:
        # Blocks until the parent closes our stdin (or dies), then stops.
        while sys.stdin.buffer.read(4096):
            pass
        stop()


if __name__ == "__main__":
    main()
