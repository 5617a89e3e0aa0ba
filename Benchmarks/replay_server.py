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

For a real network's timing, `--latency-ms` delays every answer by a round trip and
`--page-ms` adds server time to each ListSecrets page; `--filters` honours ListSecrets'
`name` filter as AWS documents it (a case-sensitive prefix match, values OR'ed), without it
filters are ignored, as some emulators do (a client must still list everything).

A POST with `X-Amz-Target: Bench.Stats` answers the connections opened and requests per
operation since the previous such call, so the bench can show that a client keeps its
connection alive and makes no request per secret.
"""

import argparse
import hashlib
import json
import mmap
import time
import os
import signal
import socket
import sys
import tempfile
import threading

REGION = "us-east-1"
ACCOUNT = "123456789012"
PAGE_SIZE = 100
BASE_EPOCH = 1_700_000_000.0
SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
TEAMS = ["payments", "search", "identity", "billing", "ledger", "mobile", "data", "infra"]
KINDS = ["db-password", "api-key", "oauth-client", "signing-key", "webhook-token", "smtp"]
ENVS = ["prod", "staging", "dev"]


def secret_name(index):
    """Deterministic, realistic names; `bench-secret-00042` style suffix keeps them unique
    and lets the bench script know a name that is on the first page."""
    team = TEAMS[index % len(TEAMS)]
    env = ENVS[(index // len(TEAMS)) % len(ENVS)]
    kind = KINDS[(index // 7) % len(KINDS)]
    return f"{env}/{team}/{kind}/bench-secret-{index:05d}"


def version_id(index, n):
    """The UUID (version 4) made of md5("index/n"), as `uuid.UUID(bytes=..., version=4)`
    writes it, without building a UUID object (a third of the generation time)."""
    digest = bytearray(hashlib.md5(f"{index}/{n}".encode()).digest())
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


ARN_PREFIX = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:"


def arn_for(index, name):
    suffix = "".join(SUFFIX_ALPHABET[(index * 7919 + k * 104729) % len(SUFFIX_ALPHABET)] for k in range(6))
    return f"{ARN_PREFIX}{name}-{suffix}"


class Account:
    """The generated account. A secret is a pure function of its index, made when asked for:
    nothing is kept per secret, so 500,000 secrets cost no memory beyond the rendered pages."""

    def __init__(self, count):
        self.count = count

    def index_of(self, secret_id):
        """The index of the secret with this name or ARN, or None (the name's digits, checked by
        making the name again)."""
        if not isinstance(secret_id, str):
            return None
        name = secret_id
        if secret_id.startswith(ARN_PREFIX):
            name = secret_id[len(ARN_PREFIX) : -7]
        digits = name.rpartition("bench-secret-")[2]
        if not digits.isdigit():
            return None
        index = int(digits)
        if index >= self.count or secret_name(index) != name:
            return None
        if name != secret_id and arn_for(index, name) != secret_id:
            return None
        return index

    def names(self):
        for index in range(self.count):
            yield index, secret_name(index)

    @staticmethod
    def record(index):
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
        return record, versions


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


def page_body(indices, next_token):
    doc = {"SecretList": [Account.record(index)[0] for index in indices]}
    if next_token is not None:
        doc["NextToken"] = next_token
    return json.dumps(doc, separators=(",", ":")).encode()


class Pages:
    """ListSecrets answers. Default-size pages are rendered up front, in `workers` processes,
    into an unlinked temporary file that is mapped: the server's own memory stays small at
    any account size (500,000 secrets are about 350 MB of pages, in the page cache, not on
    the heap), and each answer is one slice of the map in one `sendall`. Other MaxResults
    values are rendered once on first use and cached in memory."""

    def __init__(self, account, workers=None):
        self.account = account
        self.lock = threading.Lock()
        self.cache = {}
        self.spans = []  # (offset, length) of each default-size page, by page number
        starts = list(range(0, max(1, account.count), PAGE_SIZE))
        workers = workers or min(os.cpu_count() or 1, 8)
        self.file = tempfile.TemporaryFile(prefix="replay-pages-")
        if workers > 1 and len(starts) >= 64:
            self._render_in_processes(starts, workers)
        else:
            for start in starts:
                self._append(self._response(start, PAGE_SIZE))
        self.file.flush()
        self.map = mmap.mmap(self.file.fileno(), 0, prot=mmap.PROT_READ)

    def _append(self, response):
        offset = self.spans[-1][0] + self.spans[-1][1] if self.spans else 0
        self.file.write(response)
        self.spans.append((offset, len(response)))

    def _render_in_processes(self, starts, workers):
        """Pages rendered by `workers` forked children, a block of pages each in turn, and
        written here in page order as the blocks come back."""
        import multiprocessing

        block = 64
        blocks = [starts[i : i + block] for i in range(0, len(starts), block)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for responses in pool.imap(_render_block, [(self.account.count, b) for b in blocks]):
                for response in responses:
                    self._append(response)

    def _response(self, start, size):
        end = min(start + size, self.account.count)
        return http_response(200, page_body(range(start, end), f"page-{end}" if end < self.account.count else None))

    def get(self, start, size):
        if size == PAGE_SIZE and start % PAGE_SIZE == 0 and start // PAGE_SIZE < len(self.spans):
            offset, length = self.spans[start // PAGE_SIZE]
            return self.map[offset : offset + length]
        key = (start, size)
        response = self.cache.get(key)
        if response is None:
            with self.lock:
                response = self.cache.get(key) or self._response(start, size)
                self.cache[key] = response
        return response


def _render_block(job):
    count, starts = job
    return [
        http_response(
            200, page_body(range(s, min(s + PAGE_SIZE, count)), f"page-{s + PAGE_SIZE}" if s + PAGE_SIZE < count else None)
        )
        for s in starts
    ]


class Handler:
    def __init__(self, account, pages, stats, latency=0.0, page_time=0.0, filters=False):
        self.account = account
        self.pages = pages
        self.stats = stats
        self.latency = latency
        self.page_time = page_time
        self.filters = filters
        self.filtered = {}

    def filtered_page(self, prefixes, start, size):
        """A page of the secrets whose names start with one of `prefixes` (tokens "f<start>")."""
        key = tuple(sorted(prefixes))
        matching = self.filtered.get(key)
        if matching is None:
            matching = [index for index, name in self.account.names() if name.startswith(key)]
            self.filtered[key] = matching
        page = matching[start : start + size]
        return http_response(200, page_body(page, f"f{start + size}" if start + size < len(matching) else None))

    def answer(self, target, body):
        if target == "Bench.Stats":
            # For the bench script: what the last client did (requests per operation, new
            # connections), then start counting afresh.
            snapshot = dict(self.stats)
            # The Stats call comes on a connection of its own; it is not the client's.
            snapshot["connections"] = max(0, snapshot.get("connections", 1) - 1)
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
            names = [f for f in params.get("Filters") or [] if f.get("Key") == "name"]
            if self.filters and names:
                prefixes = [v for f in names for v in f.get("Values") or []]
                if token and (not token.startswith("f") or not token[1:].isdigit()):
                    return error_response("InvalidNextTokenException", "The NextToken value is invalid.")
                return self.filtered_page(prefixes, int(token[1:]) if token else 0, size)
            start = 0
            if token:
                if not token.startswith("page-") or not token[5:].isdigit():
                    return error_response("InvalidNextTokenException", "The NextToken value is invalid.")
                start = int(token[5:])
            return self.pages.get(start, size)
        if operation in ("DescribeSecret", "ListSecretVersionIds"):
            index = self.account.index_of(params.get("SecretId"))
            if index is None:
                return error_response("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
            record, versions = Account.record(index)
            if operation == "DescribeSecret":
                doc = record
                doc["VersionIdsToStages"] = doc.pop("SecretVersionsToStages")
            else:
                doc = {"ARN": record["ARN"], "Name": record["Name"], "Versions": versions}
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
    args = parser.parse_args()

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

    def accept_loop():
        while True:
            conn, _ = listener.accept()
            stats["connections"] = stats.get("connections", 0) + 1
            threading.Thread(target=serve_connection, args=(conn, handler), daemon=True).start()

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
