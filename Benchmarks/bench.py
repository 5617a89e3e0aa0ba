#!/usr/bin/env python3
"""The benchmark driver behind scripts/bench (run that; it builds the binaries first).

Runs every contender as a whole process, alternating them run by run so that load on a
shared machine falls on all of them alike, and prints one table of medians with ratios and
the issue's targets beside the numbers. Benchmarks report; they assert nothing.
"""

import argparse
import fcntl
import json
import os
import pty
import select
import struct
import termios
import shlex
import shutil
import signal
import tempfile
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REGION = "us-east-1"


# ---------------------------------------------------------------------------- processes


def child_env():
    """Dummy credentials for the children only, and nothing from the user's AWS set-up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_PAGER="",
        AWS_RETRY_MODE="standard",
    )
    env.pop("HTTP_PROXY", None)
    env.pop("http_proxy", None)
    return env


class BenchFailure(Exception):
    """A contender did the wrong thing (not merely slowly): the bench exits non-zero."""


class Run:
    def __init__(self, wall, cpu, rss_kb, status, stdout, stderr):
        self.wall, self.cpu, self.rss_kb = wall, cpu, rss_kb
        self.status, self.stdout, self.stderr = status, stdout, stderr


def run(cmd, env, timeout=600):
    """Wall time from fork to exit, and the child's own CPU and peak RSS from wait4."""
    out_path = f"/tmp/stagehand-bench-{os.getpid()}.out"
    err_path = out_path + ".err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.0005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, "rb") as f:
        stdout = f.read()
    with open(err_path, "rb") as f:
        stderr = f.read()
    os.unlink(out_path)
    os.unlink(err_path)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode, stdout, stderr)


def first_list_latency(path):
    """Seconds of the first ListSecrets in a `--log-file` (None when there is none)."""
    try:
        with open(path) as log:
            for line in log:
                fields = line.split()
                if len(fields) > 2 and fields[1] == "ListSecrets":
                    for field in fields:
                        if field.startswith("latency=") and field.endswith("ms"):
                            return float(field[len("latency="):-2]) / 1000
    except OSError:
        pass
    return None


def replay_connection(url, cafile=None):
    """A connection to the replay server at `url`: HTTPS (trusting `cafile`) for an https URL."""
    import http.client

    port = int(url.rsplit(":", 1)[1])
    if url.startswith("https:"):
        return http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=5, context=ssl.create_default_context(cafile=cafile))
    return http.client.HTTPConnection("127.0.0.1", port, timeout=5)


def replay_stats(url, cafile=None):
    """Requests per operation and connections opened since the last call (replay server only);
    with TLS, handshakes too (`handshake_seconds`: their mean time)."""
    conn = replay_connection(url, cafile)
    try:
        conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "Bench.Stats"})
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def replay_page_rtt(url, cafile=None):
    """One ListSecrets page of 100 from a fresh keep-alive connection, median of 5."""
    conn = replay_connection(url, cafile)
    times = []
    try:
        for _ in range(5):
            start = time.perf_counter()
            conn.request("POST", "/", body=b'{"MaxResults":100}',
                         headers={"X-Amz-Target": "secretsmanager.ListSecrets"})
            conn.getresponse().read()
            times.append(time.perf_counter() - start)
    finally:
        conn.close()
    return median(times)


def describe_stats(stats):
    for key in ("first_list_at", "first_accepted_at", "handshake_seconds"):
        stats.pop(key, None)
    connections = stats.pop("connections", 0)
    calls = ", ".join(f"{count} {operation}" for operation, count in sorted(stats.items())) or "no requests"
    return f"{calls} over {connections} connection{'s' if connections != 1 else ''}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class TestCA:
    """A certificate authority made for one bench run (openssl, P-256, two days), and a server
    certificate it signs for 127.0.0.1: what `AWS_CA_BUNDLE` points a client at."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="stagehand-bench-ca-")
        self.ca = os.path.join(self.dir, "ca.pem")
        self.cert = os.path.join(self.dir, "server.pem")
        self.key = os.path.join(self.dir, "server.key")
        ca_key = os.path.join(self.dir, "ca.key")
        csr = os.path.join(self.dir, "server.csr")
        ext = os.path.join(self.dir, "server.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                    "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        for argv in (
            ["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", self.ca, "-days", "2",
             "-subj", "/CN=Stagehand bench CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["openssl", "req", *ec, "-keyout", self.key, "-out", csr, "-subj", "/CN=127.0.0.1"],
            ["openssl", "x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", ca_key, "-CAcreateserial",
             "-out", self.cert, "-days", "2", "-extfile", ext],
        ):
            done = subprocess.run(argv, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"openssl could not make the test CA: {done.stderr[-300:]}")

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class ReplayServer:
    def __init__(self, secrets, extra=(), tls=None):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "replay_server.py"), "--secrets", str(secrets), *extra,
             *(["--tls-cert", tls.cert, "--tls-key", tls.key] if tls else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "READY":
            raise RuntimeError("the replay server did not start")
        self.port = int(line[1])
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait()


class Moto:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            ["moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError("moto_server did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------------------- helpers


def median(values):
    return statistics.median(values) if values else float("nan")


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, int(round(p / 100.0 * (len(ordered) - 1)))))
    return ordered[k]


def fmt_s(seconds):
    if seconds != seconds:
        return "n/a"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_ms(ms):
    if ms != ms:
        return "n/a"
    if ms < 0.1:
        return f"{ms * 1000:.0f} µs"
    return f"{ms:.2f} ms"


# Past this size stagehand's JSON is counted by its layout rather than parsed: json.loads of
# the 480 MB listing of 500,000 secrets takes gigabytes and tens of seconds.
PARSE_LIMIT = 64 * 1024 * 1024


def listed_count(name, stdout):
    """How many secrets a contender printed, so a fast failure never passes as a fast run."""
    if name.startswith("stagehand") and name != "stagehand table" and len(stdout) > PARSE_LIMIT:
        # The pretty-printed document: each secret's "Name" member alone at indent 6, and
        # the document whole from its opening to its close.
        whole = stdout.startswith(b'{\n  "SecretList" : [\n') and stdout.endswith(b"\n  ]\n}\n")
        return stdout.count(b'\n      "Name" : "') if whole else -1
    text = stdout.decode("utf-8", "replace")
    if name == "boto3":
        return int(text.split()[0]) if text.strip() else -1
    if name == "stagehand table":
        lines = [line for line in text.splitlines() if line.strip()]
        return len(lines) - 1 if lines and lines[0].startswith("NAME") else -1
    try:
        return len(json.loads(text)["SecretList"])
    except (ValueError, KeyError, TypeError):
        return -1


def alternate(contenders, runs, body):
    """Calls body(name) `runs` times per contender, round-robin, with the starting
    contender rotated each round."""
    names = list(contenders)
    for round_index in range(runs):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            body(name)


# ---------------------------------------------------------------------------- benchmarks


class Bench:
    def __init__(self, args):
        self.args = args
        self.env = child_env()
        self.rows = []  # the one table
        self.notes = []
        self.tui_rows = []
        self.stagehand_rusage = {}  # N -> (cpu median, rss max)
        self.ab_lines = []

    def log(self, text):
        print(f"  .. {text}", file=sys.stderr, flush=True)

    def list_commands(self, url):
        sh = self.args.stagehand
        return {
            "stagehand": [sh, "--endpoint-url", url, "--region", REGION, "list", "--json"],
            # The same listing printed as the plain table: separates the client (HTTP,
            # decoding) from the cost of writing JSON.
            "stagehand table": [sh, "--endpoint-url", url, "--region", REGION, "list"],
            "aws CLI": ["aws", "--endpoint-url", url, "--region", REGION, "secretsmanager", "list-secrets"],
            "boto3": [sys.executable, os.path.join(HERE, "boto3_list.py"), "--endpoint-url", url, "--region", REGION],
        }

    def list_every_secret(self, server_name, url, count):
        commands = self.list_commands(url)
        if self.args.only:
            commands = {k: v for k, v in commands.items() if k in self.args.only}
        results = {name: [] for name in commands}
        failures = {}

        def body(name):
            if name in failures:
                return
            result = run(commands[name], self.env)
            listed = listed_count(name, result.stdout) if result.status == 0 else -1
            if listed != count:
                failures[name] = (
                    f"{name} on {server_name} at {count}: exit {result.status}, listed {listed}: "
                    + result.stderr.decode("utf-8", "replace").strip()[-300:]
                )
                return
            results[name].append(result)

        self.log(f"list {count} secrets on {server_name}: {self.args.runs} alternating runs of {', '.join(commands)}")
        # One untimed warm-up each: page cache, Python bytecode, moto's first-call work.
        for name in commands:
            run(commands[name], self.env)
        alternate(commands, self.args.runs, body)
        for message in failures.values():
            self.notes.append("FAILED " + message)
        medians = {name: median([r.wall for r in rs]) for name, rs in results.items()}
        target = ""
        verdict = ""
        if server_name == "replay" and count >= 10000 and "aws CLI" in medians and "boto3" in medians:
            target = ">= 5x aws CLI, >= 3x boto3"
            ok = medians.get("aws CLI", 0) / medians.get("stagehand", float("inf")) >= 5 and medians.get(
                "boto3", 0
            ) / medians.get("stagehand", float("inf")) >= 3
            verdict = "met" if ok else "not met"
        self.rows.append(
            {
                "what": f"list every secret with labels, {server_name}",
                "n": count,
                "stagehand": medians.get("stagehand", float("nan")),
                "table": medians.get("stagehand table", float("nan")),
                "aws": medians.get("aws CLI", float("nan")),
                "boto3": medians.get("boto3", float("nan")),
                "target": target,
                "verdict": verdict,
                "runs": min((len(rs) for rs in results.values()), default=0),
            }
        )
        for name, label in (("stagehand", "list --json"), ("stagehand table", "list")):
            if results.get(name):
                rs = results[name]
                self.stagehand_rusage[(server_name, count, label)] = (
                    median([r.cpu for r in rs]), self.peak_rss_kb(commands[name]))
        return medians

    def peak_rss_kb(self, cmd, runs=3):
        """Peak RSS through /usr/bin/time, a small forker: wait4's ru_maxrss from this Python
        process would include the pages of the forked Python child before it exec'd."""
        peaks = []
        for _ in range(runs):
            result = run(["/usr/bin/time", "-f", "RSS %M"] + cmd, self.env)
            for line in result.stderr.decode("utf-8", "replace").splitlines():
                if line.startswith("RSS "):
                    peaks.append(int(line.split()[1]))
        return max(peaks) if peaks else float("nan")

    # ------------------------------------------------------------------ replay

    def replay(self, count):
        server = ReplayServer(count)
        try:
            self.list_every_secret("replay", server.url, count)
            # One more run each, counted by the server: keep-alive and requests per listing.
            seen = []
            for name, cmd in self.list_commands(server.url).items():
                if self.args.only and name not in self.args.only:
                    continue
                replay_stats(server.url)
                if run(cmd, self.env).status == 0:
                    seen.append(f"{name}: {describe_stats(replay_stats(server.url))}")
            if seen:
                self.notes.append(f"requests to list {count} on the replay server: " + "; ".join(seen))
            if self.args.tui_first_rows:
                self.first_rows("replay", server.url, count, aws_wall=self.rows[-1]["aws"],
                                page_rtt=replay_page_rtt(server.url))
        finally:
            server.stop()

    # ------------------------------------------------------------------ idle

    def idle_tui(self, seconds=60):
        """The TUI open on the demo store in a detached tmux, untouched: the CPU it uses in
        `seconds` (utime + stime from /proc/PID/stat, in clock ticks)."""
        home = tempfile.mkdtemp(prefix="stagehand-idle-")
        session = f"stagehand-idle-{os.getpid()}"
        command = f"exec env HOME={home} XDG_DATA_HOME={home} LANG=C.UTF-8 '{self.args.stagehand}' --demo --no-mouse"
        try:
            subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True)
            pid = int(subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], check=True,
                                     capture_output=True, text=True).stdout.split()[0])
            time.sleep(3)

            def ticks():
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                return int(fields[11]) + int(fields[12])

            before = ticks()
            time.sleep(seconds)
            used = ticks() - before
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
            shutil.rmtree(home, ignore_errors=True)
        hz = os.sysconf("SC_CLK_TCK")
        self.notes.append(
            f"idle TUI on the demo: {used} CPU ticks ({used / hz:.2f} s) in {seconds} s untouched "
            f"({'met' if used == 0 else 'NOT met'}: target no CPU between events)")

    # ------------------------------------------------------------------ network

    def network(self, count, latency_ms=40, page_ms=80, rate=80):
        """A whole listing on a replay server that answers like a real network (every answer
        a 40 ms round trip later, each ListSecrets page 80 ms of server time), honouring the
        name filter: stagehand's listing against the serial page chain's time, which is what
        one chain of NextTokens (the aws CLI's, and stagehand's before) cannot beat. `rate` is
        stagehand's pace for ListSecrets (AWSSecretsBackend.listRequestsPerSecond): the pages
        alone take pages/rate seconds at it, the floor beside the ratio."""
        extra = ["--latency-ms", str(latency_ms), "--page-ms", str(page_ms), "--filters"]
        server = ReplayServer(count, extra)
        try:
            cmd = [self.args.stagehand, "--endpoint-url", server.url, "--region", REGION, "list", "--json"]
            replay_stats(server.url)
            result = run(cmd, self.env, timeout=3600)
            stats = replay_stats(server.url)
        finally:
            server.stop()
        if result.status != 0:
            raise RuntimeError(f"stagehand list failed: {result.stderr[-300:]!r}")
        listed = listed_count("stagehand", result.stdout)
        if listed != count:
            raise RuntimeError(f"stagehand listed {listed} of {count} secrets")
        pages = (count + 99) // 100
        serial = pages * (latency_ms + page_ms) / 1000
        ratio = serial / result.wall
        floor = pages / rate
        sent = stats.get("ListSecrets", 0)
        self.notes.append(
            f"network at {count} ({latency_ms} ms round trip + {page_ms} ms a page): stagehand listed {listed} in "
            f"{fmt_s(result.wall)}, the serial page chain takes {fmt_s(serial)}: {ratio:.1f}x faster "
            f"({'met' if ratio >= 5 else 'NOT met'}: target 5x); {sent} ListSecrets for {pages} pages "
            f"({sent / result.wall:.0f} a second; at {rate} a second the pages alone take {fmt_s(floor)}, "
            f"{serial / floor:.1f}x at best); {describe_stats(stats)}; peak RSS {result.rss_kb / 1024:.0f} MB")
        self.network_tls(count, latency_ms, page_ms)

    def network_tls(self, count, latency_ms, page_ms):
        """The same network over TLS, the server's certificate signed by a CA made for the run
        and given through AWS_CA_BUNDLE: a whole listing's handshakes, counted at the server (one
        per connection the client opens, none per page), and the TUI's first rows on a pty,
        from the server accepting its first connection to the rows written, against one
        handshake + one page round trip + 50 ms."""
        ca = TestCA()
        extra = ["--latency-ms", str(latency_ms), "--page-ms", str(page_ms), "--filters"]
        try:
            server = ReplayServer(count, extra, tls=ca)
        except BaseException:
            ca.remove()
            raise
        env = dict(self.env, AWS_CA_BUNDLE=ca.ca)
        try:
            cmd = [self.args.stagehand, "--endpoint-url", server.url, "--region", REGION, "list", "--json"]
            replay_stats(server.url, ca.ca)
            result = run(cmd, env, timeout=3600)
            stats = replay_stats(server.url, ca.ca)
            if result.status != 0:
                raise RuntimeError(f"stagehand list over TLS failed: {result.stderr[-300:]!r}")
            listed = listed_count("stagehand", result.stdout)
            pages = (count + 99) // 100
            handshakes = stats.get("handshakes", 0)
            self.notes.append(
                f"network over TLS at {count} (a test CA through AWS_CA_BUNDLE): stagehand listed {listed} in "
                f"{fmt_s(result.wall)} with {handshakes} TLS handshake{'s' if handshakes != 1 else ''} for "
                f"{stats.get('ListSecrets', 0)} ListSecrets ({pages} pages): one per connection it keeps, none "
                f"per page; {describe_stats(stats)}")
            page_rtt = replay_page_rtt(server.url, ca.ca)
            pty_env = dict(env, TERM="xterm-256color")
            from_connect = []
            allowed = []
            for _ in range(self.args.runs):
                time.sleep(max(0.2, 3 * page_rtt))
                replay_stats(server.url, ca.ca)
                seen, launched_at = self.pty_time_to(
                    [self.args.stagehand, "--endpoint-url", server.url, "--region", REGION], "bench-secret-",
                    pty_env)
                stats = replay_stats(server.url, ca.ca)
                if seen is None or "first_accepted_at" not in stats:
                    break
                from_connect.append(launched_at + seen - stats["first_accepted_at"])
                allowed.append(stats["handshake_seconds"] + page_rtt + 0.05)
        finally:
            server.stop()
            ca.remove()
        if not from_connect:
            self.notes.append(f"TUI first rows over TLS at {count}: not measured (no row appeared)")
            return
        self.rows.append(
            {
                "what": "TUI first rows over TLS: from its first connection to the rows on a pty, network",
                "n": count,
                "stagehand": median(from_connect),
                "aws": float("nan"),
                "boto3": float("nan"),
                "target": f"<= a handshake + a page round trip ({fmt_s(page_rtt)}) + 50 ms",
                "verdict": "met" if median(from_connect) <= median(allowed) else "not met",
                "runs": len(from_connect),
            }
        )

    # ------------------------------------------------------------------ moto

    def seed_moto(self, url, count):
        """One boto3 process creates the secrets (a few threads, so 10,000 take seconds,
        not minutes), gives every third one a second version so AWSPREVIOUS exists, and
        times moto's own ListSecrets per page."""
        script = r"""
import boto3, botocore.config, concurrent.futures, json, sys, time
url, count = sys.argv[1], int(sys.argv[2])
config = botocore.config.Config(retries={"max_attempts": 10, "mode": "standard"}, max_pool_connections=8)
c = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1", config=config)
def make(i):
    c.create_secret(Name=f"bench/{i:05d}", SecretString="v1", Description=f"bench secret {i}",
                    Tags=[{"Key": "team", "Value": f"t{i % 7}"}])
# Creates in a few threads; second versions one at a time (moto's PutSecretValue is not
# safe against concurrent writers and answers 500).
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    list(pool.map(make, range(count)))
for i in range(0, count, 3):
    c.put_secret_value(SecretId=f"bench/{i:05d}", SecretString="v2")
a = c.create_secret(Name="bench-move", SecretString="a")["VersionId"]
b = c.put_secret_value(SecretId="bench-move", SecretString="b")["VersionId"]
times = []
token = None
for _ in range(3):
    start = time.perf_counter()
    page = c.list_secrets(MaxResults=100)
    times.append(time.perf_counter() - start)
pages = 0
start = time.perf_counter()
for p in c.get_paginator("list_secrets").paginate(PaginationConfig={"PageSize": 100}):
    pages += 1
whole = time.perf_counter() - start
print(json.dumps({"first_page": sorted(times)[1], "pages": pages, "whole": whole, "a": a, "b": b}))
"""
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", script, url, str(count)], env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError("seeding moto failed: " + result.stderr[-500:])
        info = json.loads(result.stdout)
        info["seconds"] = time.perf_counter() - started
        return info

    def moto(self, count, do_move):
        server = Moto()
        try:
            self.log(f"seeding moto with {count} secrets")
            info = self.seed_moto(server.url, count)
            per_page = info["whole"] / max(1, info["pages"])
            self.notes.append(
                f"moto at {count + 1} secrets: seeded in {info['seconds']:.1f} s; one ListSecrets page of 100 costs "
                f"{info['first_page'] * 1000:.0f} ms from boto3 (first page), {per_page * 1000:.0f} ms on average "
                f"over a full paginate of {info['pages']} pages ({info['whole']:.2f} s): moto's own cost bounds every "
                f"client here"
            )
            self.list_every_secret("moto", server.url, count + 1)
            if do_move:
                self.move(server.url, info["a"], info["b"])
            if self.args.tui_first_rows:
                self.first_rows("moto", server.url, count + 1, aws_wall=self.rows[-1 if not do_move else -2]["aws"],
                                page_rtt=info["first_page"])
        finally:
            server.stop()

    def move(self, url, version_a, version_b):
        """AWSCURRENT starts on b (the newest). Each run moves it to the version that does not
        hold it, so every run is a real move, and the contenders alternate."""
        state = {"current": version_b}
        other = {version_a: version_b, version_b: version_a}
        sh = self.args.stagehand
        results = {"stagehand": [], "aws CLI": []}
        failures = []

        def body(name):
            target, source = other[state["current"]], state["current"]
            if name == "stagehand":
                cmd = [sh, "--endpoint-url", url, "--region", REGION, "move", "bench-move", "AWSCURRENT",
                       "--to", target, "--yes"]
            else:
                cmd = ["aws", "--endpoint-url", url, "--region", REGION, "secretsmanager",
                       "update-secret-version-stage", "--secret-id", "bench-move", "--version-stage", "AWSCURRENT",
                       "--move-to-version-id", target, "--remove-from-version-id", source]
            result = run(cmd, self.env)
            if result.status != 0:
                failures.append(f"{name} move: exit {result.status}: " + result.stderr.decode("utf-8", "replace")[-300:])
                return
            state["current"] = target
            results[name].append(result)

        self.log(f"label move round trip on moto: {self.args.runs} alternating runs each")
        alternate(results, self.args.runs, body)
        self.notes.extend("FAILED " + f for f in failures[:2])
        self.rows.append(
            {
                "what": "move AWSCURRENT (one round trip), moto",
                "n": 1,
                "stagehand": median([r.wall for r in results["stagehand"]]),
                "aws": median([r.wall for r in results["aws CLI"]]),
                "boto3": float("nan"),
                "target": "",
                "verdict": "",
                "runs": min(len(v) for v in results.values()),
            }
        )

    # ------------------------------------------------------------------ bulk promote

    def seed_bulk(self, url, count, prefixes):
        """For each prefix, `count` secrets with AWSCURRENT on a first version and AWSPENDING on
        a second (create-secret, then put-secret-value --version-stages AWSPENDING), by one
        boto3 process; returns {prefix: [(name, current id, pending id), ...]}."""
        script = r"""
import boto3, botocore.config, concurrent.futures, json, sys
url, count, prefixes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
config = botocore.config.Config(retries={"max_attempts": 10, "mode": "standard"}, max_pool_connections=8)
c = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1", config=config)
names = [f"{prefix}{i:05d}" for prefix in prefixes for i in range(count)]
def make(name):
    return c.create_secret(Name=name, SecretString="first")["VersionId"]
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    current = list(pool.map(make, names))
# One at a time: moto's PutSecretValue is not safe against concurrent writers.
pending = [c.put_secret_value(SecretId=name, SecretString="second", VersionStages=["AWSPENDING"])["VersionId"]
           for name in names]
out = {prefix: [] for prefix in prefixes}
for name, a, b in zip(names, current, pending):
    out[name[:-5]].append((name, a, b))
print(json.dumps(out))
"""
        result = subprocess.run([sys.executable, "-c", script, url, str(count), *prefixes], env=self.env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("seeding moto for the bulk promote failed: " + result.stderr[-500:])
        return json.loads(result.stdout)

    def bulk_labels(self, url, secrets):
        """Each secret's labels in terms of its two versions: {name: {"current": [...],
        "pending": [...], "other": {...}}}, read with DescribeSecret by one boto3 process."""
        script = r"""
import boto3, botocore.config, json, sys
url = sys.argv[1]
secrets = json.load(sys.stdin)
config = botocore.config.Config(retries={"max_attempts": 10, "mode": "standard"})
c = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1", config=config)
out = {}
for name, first, second in secrets:
    stages = c.describe_secret(SecretId=name).get("VersionIdsToStages", {})
    out[name] = {"current": sorted(stages.pop(first, [])), "pending": sorted(stages.pop(second, [])),
                 "other": {k: sorted(v) for k, v in stages.items() if v}}
print(json.dumps(out))
"""
        result = subprocess.run([sys.executable, "-c", script, url], input=json.dumps(secrets), env=self.env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("reading the labels back failed: " + result.stderr[-500:])
        return json.loads(result.stdout)

    def bulk_promote(self, count):
        """Finishing N rotations at once on moto: `stagehand promote --filter PREFIX --yes`
        (list, plan, re-read each secret, UpdateSecretVersionStage paced at 40 calls/s, 8 at
        a time) against a plain shell loop of aws CLI calls doing the same job on a second,
        identical set of N secrets (2 calls a secret, the version ids handed to it, no
        reads). One run each, whole processes. Both sets must end with the same labels:
        anything else fails the bench."""
        server = Moto()
        work = tempfile.mkdtemp(prefix="stagehand-bulk-")
        try:
            self.log(f"bulk promote: seeding moto with 2 x {count} secrets (AWSCURRENT and AWSPENDING each)")
            started = time.perf_counter()
            sets = self.seed_bulk(server.url, count, ["bulk-stagehand/", "bulk-awscli/"])
            seeded = time.perf_counter() - started
            ids = os.path.join(work, "ids.txt")
            with open(ids, "w") as f:
                for name, current, pending in sets["bulk-awscli/"]:
                    f.write(f"{name} {current} {pending}\n")
            loop = os.path.join(work, "promote.sh")
            with open(loop, "w") as f:
                f.write(
                    "set -euo pipefail\n"
                    'while read -r name current pending; do\n'
                    '  aws --endpoint-url "$1" --region us-east-1 secretsmanager update-secret-version-stage \\\n'
                    '    --secret-id "$name" --version-stage AWSCURRENT --move-to-version-id "$pending" \\\n'
                    '    --remove-from-version-id "$current" >/dev/null\n'
                    '  aws --endpoint-url "$1" --region us-east-1 secretsmanager update-secret-version-stage \\\n'
                    '    --secret-id "$name" --version-stage AWSPENDING --remove-from-version-id "$pending" >/dev/null\n'
                    'done < "$2"\n')

            sh = self.args.stagehand
            self.log(f"bulk promote: stagehand promote --filter bulk-stagehand/ --yes ({count} secrets)")
            stagehand = run([sh, "--endpoint-url", server.url, "--region", REGION, "promote", "--filter",
                             "bulk-stagehand/", "--yes"], self.env, timeout=3600)
            summary = stagehand.stdout.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no output)"]
            if stagehand.status != 0 or not summary[0].startswith(f"{count} applied, 0 skipped"):
                raise BenchFailure(f"bulk promote: stagehand exit {stagehand.status}, {summary[0]!r}: "
                                   + stagehand.stderr.decode("utf-8", "replace")[-300:])
            self.log(f"bulk promote: aws CLI loop, {2 * count} update-secret-version-stage calls (minutes)")
            aws = run(["bash", loop, server.url, ids], self.env, timeout=4 * 3600)
            if aws.status != 0:
                raise BenchFailure(f"bulk promote: the aws CLI loop exit {aws.status}: "
                                   + aws.stderr.decode("utf-8", "replace")[-300:])

            labels = self.bulk_labels(server.url, sets["bulk-stagehand/"] + sets["bulk-awscli/"])
            expected = {"current": ["AWSPREVIOUS"], "pending": ["AWSCURRENT"], "other": {}}
            differ = []
            for (a, _, _), (b, _, _) in zip(sets["bulk-stagehand/"], sets["bulk-awscli/"]):
                if labels[a] != labels[b] or labels[a] != expected:
                    differ.append(f"{a}: {labels[a]} / {b}: {labels[b]}")
            if differ:
                raise BenchFailure(f"bulk promote: {len(differ)} of {count} secrets ended with other labels than "
                                   f"{expected} (stagehand's / the aws CLI's): " + "; ".join(differ[:3]))
        finally:
            server.stop()
            shutil.rmtree(work, ignore_errors=True)
        calls = 2 * count
        floor = calls / 40
        self.rows.append(
            {
                "what": "bulk promote (AWSCURRENT to AWSPENDING's version, AWSPENDING removed), moto, one run",
                "n": count,
                "stagehand": stagehand.wall,
                "aws": aws.wall,
                "boto3": float("nan"),
                "target": f"pacing floor 2N/40 = {fmt_s(floor)}",
                "verdict": f"floor + {fmt_s(stagehand.wall - floor)}",
                "runs": 1,
            }
        )
        self.notes.append(
            f"bulk promote at {count}: stagehand {fmt_s(stagehand.wall)} for {calls} UpdateSecretVersionStage calls "
            f"paced at 40 calls/s (AWS's quota for changes is 50/s), floor 2N/40 = {fmt_s(floor)}, plus ListSecrets "
            f"and a DescribeSecret before and after each secret ({fmt_s(stagehand.cpu)} CPU); the aws CLI loop "
            f"{fmt_s(aws.wall)} ({fmt_s(aws.wall / calls)} a call, a Python process each, version ids handed to "
            f"it, nothing read): {aws.wall / stagehand.wall:.1f}x. Both sets ended with AWSCURRENT on the pending "
            f"version, AWSPREVIOUS on the old one, no AWSPENDING (checked per secret); seeded 2 x {count} in "
            f"{seeded:.0f} s (not timed)")

    # ------------------------------------------------------------------ the TUI

    def tmux_time_to(self, command, marker, env):
        """Seconds from launching `command` in a fresh detached tmux (120x40) until `marker`
        shows in its pane (None if it never does), and the last screen seen."""
        self.tmux_sessions = getattr(self, "tmux_sessions", 0) + 1
        # A fresh tmux server per run: reusing a socket right after kill-server races.
        socket_name = f"stagehand-bench-{os.getpid()}-{self.tmux_sessions}"
        self.launched_at = time.time()
        start = time.perf_counter()
        launched = subprocess.run(
            ["tmux", "-L", socket_name, "new-session", "-d", "-x", "120", "-y", "40", command],
            env=env,
            capture_output=True,
        )
        seen = None
        screen = ""
        while launched.returncode == 0 and time.perf_counter() - start < 30:
            pane = subprocess.run(["tmux", "-L", socket_name, "capture-pane", "-p"], capture_output=True, text=True)
            screen = pane.stdout
            if marker in screen:
                seen = time.perf_counter() - start
                break
            if pane.returncode != 0:
                break  # the session ended: the program exited
            time.sleep(0.005)
        return seen, screen, socket_name, start

    def pty_time_to(self, argv, marker, env):
        """Seconds from forking `argv` on a fresh 120x40 pseudo-terminal until `marker` is in
        the bytes it wrote (None if it never is): the first rows as the program paints them,
        without a terminal emulator's own delays. Also the wall-clock launch time."""
        launched_at = time.time()
        start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        seen = None
        output = b""
        try:
            while time.perf_counter() - start < 30:
                ready, _, _ = select.select([fd], [], [], 0.5)
                if not ready:
                    continue
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break  # the program exited
                if not data:
                    break
                output += data
                if marker.encode() in output:
                    seen = time.perf_counter() - start
                    break
        finally:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            # Drain until it exits so its restore sequences never block on a full pty.
            deadline = time.perf_counter() + 5
            while time.perf_counter() < deadline:
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                if select.select([fd], [], [], 0.05)[0]:
                    try:
                        os.read(fd, 65536)
                    except OSError:
                        pass
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            os.close(fd)
        return seen, launched_at

    def tmux_floor(self):
        """What launching and polling tmux costs by itself: a shell that prints the marker
        at once. Reported beside the first-rows numbers, which include it."""
        if getattr(self, "floor", None) is None:
            times = []
            for _ in range(self.args.runs):
                seen, _, socket_name, _ = self.tmux_time_to("printf 'floor-marker\\n'; sleep 10", "floor-marker", self.env)
                subprocess.run(["tmux", "-L", socket_name, "kill-server"], capture_output=True)
                if seen is not None:
                    times.append(seen)
            self.floor = median(times) if times else 0.0
            self.notes.append(
                f"first rows include launching tmux and polling its pane every ~5 ms: {fmt_s(self.floor)} for a shell "
                f"that prints at once (median of {len(times)}); the verdict compares first rows minus that floor"
            )
        return self.floor

    def first_rows(self, server_name, url, count, aws_wall, page_rtt):
        """Launches the real TUI in a detached tmux session and polls the pane every ~5 ms
        until a secret name shows; that time from launch is 'first rows'."""
        if not shutil.which("tmux"):
            self.notes.append("first rows: not measured: tmux is missing")
            return
        marker = "bench-secret-00000" if server_name == "replay" else "bench/00000"
        sh = self.args.stagehand
        env_prefix = " ".join(shlex.quote(f"{k}={v}") for k, v in self.env.items() if k.startswith("AWS_"))
        floor = self.tmux_floor()
        # A TUI stopped at its first rows has already asked for the next page (and described
        # the first secrets); moto goes on computing those answers after the process is gone
        # (about 150 ms a page at 10,000 secrets), so the next run would start on a busy
        # server and be charged for its predecessor. Each run waits until that work is done.
        settle = max(0.2, 3 * page_rtt)
        times = []
        after_request = []
        problem = None
        for _ in range(self.args.runs):
            time.sleep(settle)
            err_path = f"/tmp/stagehand-bench-{os.getpid()}.tui.err"
            command = (f"env {env_prefix} TERM=xterm-256color {shlex.quote(sh)} --endpoint-url {url} --region {REGION}"
                       f" 2>{err_path}")
            if server_name == "replay":
                replay_stats(url)
            seen, screen, socket_name, start = self.tmux_time_to(command, marker, self.env)
            launched_at = self.launched_at
            if seen is not None and server_name == "replay":
                if not times:
                    # What start-up asked of the server in the first second: pages and lazy
                    # describes, never a request per secret.
                    time.sleep(max(0.0, 1.0 - (time.perf_counter() - start)))
                stats = replay_stats(url)
                first_list_at = stats.get("first_list_at")
                if first_list_at is not None:
                    after_request.append(launched_at + seen - first_list_at)
                if not times:
                    startup_requests = describe_stats(stats)
                    self.notes.append(f"TUI start-up at {count} on the replay server, first second: {startup_requests}")
            subprocess.run(["tmux", "-L", socket_name, "kill-server"], capture_output=True)
            try:
                with open(err_path, errors="replace") as f:
                    stderr = f.read().strip()
                os.unlink(err_path)
            except OSError:
                stderr = ""
            if seen is None:
                if "not part of this build" in stderr:
                    problem = "TUI not in this build"
                else:
                    problem = "the TUI showed no secret: " + (stderr[-200:] or screen.strip()[-200:] or "it exited")
                break
            times.append(seen)
        if problem:
            self.notes.append(f"first rows on {server_name} at {count}: not measured: {problem}")
            self.args.tui_first_rows = False
            return
        # The same on a bare pseudo-terminal: fork to the first row's bytes, no tmux.
        pty_times = []
        pty_after_request = []
        # Each run's own first ListSecrets round trip, from its --log-file (latency from
        # sending the request to the whole answer read): moto's cost for a page varies from
        # run to run, so each run is also judged against the page it actually waited for.
        pty_beyond_own_page = []
        own_pages = []
        pty_env = dict(self.env, TERM="xterm-256color")
        log_path = f"/tmp/stagehand-bench-{os.getpid()}.requests.log"
        for _ in range(self.args.runs):
            time.sleep(settle)
            if server_name == "replay":
                replay_stats(url)
            try:
                os.unlink(log_path)
            except OSError:
                pass
            seen, launched_at = self.pty_time_to(
                [sh, "--endpoint-url", url, "--region", REGION, "--log-file", log_path], marker, pty_env)
            if seen is None:
                break
            pty_times.append(seen)
            own_page = first_list_latency(log_path)
            if own_page is not None:
                own_pages.append(own_page)
                pty_beyond_own_page.append(seen - own_page)
            if server_name == "replay":
                first_list_at = replay_stats(url).get("first_list_at")
                if first_list_at is not None:
                    pty_after_request.append(launched_at + seen - first_list_at)
        self.rows.append(
            {
                "what": f"TUI first rows painted, {server_name}",
                "n": count,
                "stagehand": median(times),
                "aws": aws_wall,
                "boto3": float("nan"),
                "target": f"<= page round trip ({fmt_s(page_rtt)}) + 50 ms, less the tmux floor",
                "verdict": "met" if median(times) - floor <= page_rtt + 0.05 else "not met",
                "runs": len(times),
                "first_rows": True,
            }
        )
        def within_one_round_trip(what, samples):
            """A row judged against one page round trip + 50 ms, with no floor to take off."""
            self.rows.append(
                {
                    "what": f"{what}, {server_name}",
                    "n": count,
                    "stagehand": median(samples),
                    "aws": float("nan"),
                    "boto3": float("nan"),
                    "target": f"<= page round trip ({fmt_s(page_rtt)}) + 50 ms",
                    "verdict": "met" if median(samples) <= page_rtt + 0.05 else "not met",
                    "runs": len(samples),
                }
            )

        if after_request:
            # The same runs without the process's own start-up: from the server receiving
            # the first ListSecrets to the rows on screen (the pane poll adds up to ~5 ms).
            within_one_round_trip("TUI first ListSecrets request to first rows", after_request)
        if pty_times:
            within_one_round_trip("TUI first rows written to a pty (no tmux)", pty_times)
            if pty_beyond_own_page:
                self.rows.append(
                    {
                        "what": f"TUI first rows on a pty, beyond its own first page, {server_name}",
                        "n": count,
                        "stagehand": median(pty_beyond_own_page),
                        "aws": float("nan"),
                        "boto3": float("nan"),
                        "target": f"<= 50 ms beyond that page's round trip (median {fmt_s(median(own_pages))})",
                        "verdict": "met" if median(pty_beyond_own_page) <= 0.05 else "not met",
                        "runs": len(pty_beyond_own_page),
                    }
                )
            if pty_after_request:
                self.notes.append(
                    f"first rows on a bare pty on {server_name} at {count}: {fmt_s(median(pty_times))} from fork to "
                    f"the bytes of the first row = {fmt_s(median(pty_times) - median(pty_after_request))} of "
                    f"process start-up before the first ListSecrets, then {fmt_s(median(pty_after_request))} "
                    f"from that request to the rows written"
                )
        else:
            self.notes.append(f"first rows on a bare pty on {server_name} at {count}: not measured (no row appeared)")
        if after_request:
            startup = median(times) - median(after_request)
            self.notes.append(
                f"first rows on {server_name} at {count}: {fmt_s(median(times))} from launch = about "
                f"{fmt_s(startup)} of tmux launch and process start-up (dynamic loading, the Swift runtime, "
                f"argument parsing, credentials; the terminal is set up while the first page is on its way) "
                f"before the first request, then {fmt_s(median(after_request))} from that request to the rows on "
                f"screen (the page, the terminal's set-up and the first frame)"
            )

    def baseline_ab(self):
        """The same `list --json` from this build and from --baseline (another build, e.g.
        the commit before a transport change), alternating run by run on one replay server
        per size: wall, CPU (user+sys) and peak RSS, and CPU per page from the difference
        between one page and 100 pages. Then, at every --secrets size above 10,000, both
        `list --json` and `list` from each build: wall, CPU, peak RSS, and whether the two
        builds printed the same bytes."""
        builds = {"this build": self.args.stagehand, "baseline": self.args.baseline}
        measured = {}
        for count in (100, 10000):
            server = ReplayServer(count)
            try:
                commands = {
                    name: [path, "--endpoint-url", server.url, "--region", REGION, "list", "--json"]
                    for name, path in builds.items()
                }
                results = {name: [] for name in commands}

                def body(name):
                    result = run(commands[name], self.env)
                    if result.status == 0 and listed_count("stagehand", result.stdout) == count:
                        results[name].append(result)

                for name in commands:
                    run(commands[name], self.env)
                self.log(f"transport A/B at {count}: {self.args.runs * 2} alternating runs each")
                alternate(commands, self.args.runs * 2, body)
                for name, rs in results.items():
                    if not rs:
                        self.notes.append(f"FAILED A/B: {name} did not list {count}")
                        continue
                    measured[(name, count)] = (
                        median([r.wall for r in rs]), median([r.cpu for r in rs]), self.peak_rss_kb(commands[name]))
            finally:
                server.stop()
        lines = ["", f"Transport A/B, replay server, {self.args.runs * 2} alternating runs each (medians):", "",
                 "| build | 1 page: wall | 1 page: CPU | 100 pages: wall | 100 pages: CPU | CPU per page | peak RSS |",
                 "|---|---|---|---|---|---|---|"]
        for name in builds:
            one, many = measured.get((name, 100)), measured.get((name, 10000))
            if not one or not many:
                continue
            per_page = (many[1] - one[1]) / 99
            lines.append(f"| {name} | {fmt_ms(one[0] * 1000)} | {fmt_ms(one[1] * 1000)} | {fmt_ms(many[0] * 1000)} | "
                         f"{fmt_ms(many[1] * 1000)} | {fmt_ms(per_page * 1000)} | {many[2] / 1024:.1f} MB |")
        large = [n for n in sorted(set(self.sizes)) if n > 10000]
        if large:
            lines += ["", f"Large listings A/B, replay server, {self.args.runs} alternating runs each (medians; peak RSS "
                      "the largest of 3 more runs under /usr/bin/time; same output = the two builds printed the "
                      "same bytes):", "",
                      "| secrets | command | build | wall | CPU (user+sys) | peak RSS | same output | target |",
                      "|---|---|---|---|---|---|---|---|"]
            for count in large:
                lines += self.large_ab(builds, count)
        self.ab_lines = lines

    def large_ab(self, builds, count):
        """`list --json` and `list` at `count` from each build, alternating on one replay server."""
        import hashlib

        server = ReplayServer(count)
        rows = []
        try:
            for form, extra in (("list --json", ["--json"]), ("list", [])):
                commands = {name: [path, "--endpoint-url", server.url, "--region", REGION, "list"] + extra
                            for name, path in builds.items()}
                kind = "stagehand" if extra else "stagehand table"
                results = {name: [] for name in commands}
                digests = {}

                def body(name):
                    result = run(commands[name], self.env, timeout=1800)
                    if result.status == 0 and listed_count(kind, result.stdout) == count:
                        results[name].append(result)
                        digests.setdefault(name, hashlib.sha256(result.stdout).hexdigest())
                    elif name not in digests:
                        self.notes.append(f"FAILED large A/B: {name} `{form}` at {count}: exit {result.status}: "
                                          + result.stderr.decode("utf-8", "replace").strip()[-300:])
                        digests[name] = None

                self.log(f"large A/B at {count}, {form}: {self.args.runs} alternating runs each")
                for name in commands:
                    run(commands[name], self.env, timeout=1800)
                alternate(commands, self.args.runs, body)
                same = ""
                if digests.get("this build") and digests.get("baseline"):
                    same = "yes" if digests["this build"] == digests["baseline"] else "NO"
                for name in builds:
                    rs = results[name]
                    if not rs:
                        continue
                    rss = self.peak_rss_kb(commands[name])
                    target = ""
                    if form == "list --json" and count >= 500000 and name == "this build":
                        target = f"< 100 MB at 500,000: {'met' if rss / 1024 < 100 else 'not met'}"
                    rows.append(f"| {count:,} | `{form}` | {name} | {fmt_s(median([r.wall for r in rs]))} | "
                                f"{fmt_s(median([r.cpu for r in rs]))} | {rss / 1024:.1f} MB | {same} | {target} |")
        finally:
            server.stop()
        return rows

    def tui_core(self):
        if not self.args.stagehand_bench:
            self.notes.append("TUI core: not measured: stagehand-bench is not in this build")
            return
        for size in [int(x) for x in str(self.args.tui_secrets).split(",") if x.strip()]:
            self.tui_core_at(size)

    def tui_core_at(self, size):
        """stagehand-bench at one account size. Issue #18's targets for the TUI core are set at
        500,000 secrets (peak RSS, filter keystroke + render, page apply, j + render); the bench
        reports them, and they are judged here at that size only. Other measures keep the
        general p99 < 8 ms."""
        self.log(f"TUI core in-process (stagehand-bench) at {size:,} secrets")
        result = subprocess.run(
            [self.args.stagehand_bench, "--secrets", str(size), "--json"],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            self.notes.append(f"TUI core at {size:,}: stagehand-bench failed: " + result.stderr[-300:])
            return
        report = json.loads(result.stdout)
        judged = report["secrets"] >= 500000
        targets = {t["name"]: t for t in report.get("targets", [])}
        for entry in report["measurements"]:
            entry["secrets"] = report["secrets"]
            if entry["name"] in targets:
                target = targets[entry["name"]]
                entry["target"] = target["target"] + " at 500,000"
                entry["verdict"] = ("met" if target["met"] else "not met") if judged else ""
            elif entry["name"].startswith("apply a page"):
                entry["target"] = entry["verdict"] = ""
            else:
                entry["target"] = "p99 < 8 ms"
                entry["verdict"] = "met" if entry["p99_ms"] < 8 else "not met"
            self.tui_rows.append(entry)
        if "peak_rss_kb" in report:
            rss = targets.get("peak RSS", {})
            self.tui_rows.append({
                "name": "peak RSS (the whole bench process)", "secrets": report["secrets"],
                "rss_kb": report["peak_rss_kb"],
                "target": (rss.get("target", "") + " at 500,000") if rss else "",
                "verdict": ("met" if rss.get("met") else "not met") if rss and judged else "",
            })
        if "peak_rss_after_reload_kb" in report:
            after = report["peak_rss_after_reload_kb"]
            self.tui_rows.append({
                "name": "peak RSS after the list is reloaded", "secrets": report["secrets"], "rss_kb": after,
                "target": "< 300 MB at 500,000",
                "verdict": ("met" if after / 1024 < 300 else "not met") if judged else "",
            })

    # ------------------------------------------------------------------ output

    def table(self):
        lines = []
        nproc = os.cpu_count()
        load = os.getloadavg()
        lines.append(
            f"Stagehand benchmarks: {nproc} cores (nproc), load average {load[0]:.2f} at the end, "
            f"medians of {self.args.runs} alternating runs, whole processes"
        )
        lines.append("")
        header = ["benchmark", "secrets", "stagehand", "stagehand list (table)", "aws CLI", "boto3",
                  "aws/stagehand", "boto3/stagehand", "target", "verdict"]
        body = []

        def add(what, n, stagehand, table="", aws="", boto3="", ratio_aws="", ratio_b3="", target="", verdict=""):
            body.append([what, n, stagehand, table, aws, boto3, ratio_aws, ratio_b3, target, verdict])

        def known(x):
            return x == x

        for row in self.rows:
            sh, aws, b3 = row["stagehand"], row["aws"], row["boto3"]
            table = row.get("table", float("nan"))
            add(
                row["what"],
                f"{row['n']:,}",
                fmt_s(sh),
                table=fmt_s(table) if known(table) else "",
                aws=(fmt_s(aws) + (" (complete output)" if row.get("first_rows") else "")) if known(aws) else "",
                boto3=fmt_s(b3) if known(b3) else "",
                ratio_aws=f"{aws / sh:.1f}x" if known(sh) and known(aws) and sh > 0 else "",
                ratio_b3=f"{b3 / sh:.1f}x" if known(sh) and known(b3) and sh > 0 else "",
                target=row["target"],
                verdict=row["verdict"],
            )
        by_size = {}
        for (server_name, count, label), value in self.stagehand_rusage.items():
            if server_name == "replay":
                by_size.setdefault(count, {})[label] = value
        for count, values in sorted(by_size.items()):
            json_cpu, json_rss = values.get("list --json", (float("nan"), float("nan")))
            table_cpu, table_rss = values.get("list", (float("nan"), float("nan")))
            # The targets, each judged at the size it names: CPU < 0.3 s and peak RSS
            # < 80 MB at 10,000 secrets; peak RSS < 100 MB at AWS's own limit, 500,000.
            cpu_target = count == 10000
            rss_limit, rss_text = {10000: (80, "< 80 MB at 10,000"), 500000: (100, "< 100 MB at 500,000")}.get(
                count, (None, ""))

            def verdict(value, limit):
                return ("met" if value < limit else "not met") if limit is not None and known(value) else ""

            add("stagehand CPU (user+sys) while listing, replay", f"{count:,}",
                fmt_s(json_cpu) if known(json_cpu) else "", table=fmt_s(table_cpu) if known(table_cpu) else "",
                target="< 0.3 s at 10,000" if cpu_target else "",
                verdict=" / ".join(v for v in (verdict(json_cpu, 0.3 if cpu_target else None),
                                               verdict(table_cpu, 0.3 if cpu_target else None)) if v))
            add("stagehand peak RSS while listing, replay", f"{count:,}",
                f"{json_rss / 1024:.1f} MB" if known(json_rss) else "",
                table=f"{table_rss / 1024:.1f} MB" if known(table_rss) else "",
                target=rss_text,
                verdict=" / ".join(v for v in (verdict(json_rss / 1024, rss_limit),
                                               verdict(table_rss / 1024, rss_limit)) if v))
        def cpu_text(entry, with_max=False):
            # The process's CPU time (every thread's): on a shared machine, what the scheduler gave other
            # processes inflates the wall-clock tail but not this.
            if "cpu_p99_ms" not in entry:
                return ""
            tail = f" / {fmt_ms(entry['cpu_max_ms'])}" if with_max else ""
            return f"; {fmt_ms(entry['cpu_p99_ms'])}{tail}"

        for entry in self.tui_rows:
            if "rss_kb" in entry:
                add(f"TUI core: {entry['name']}", f"{entry['secrets']:,}", f"{entry['rss_kb'] / 1024:.0f} MB",
                    target=entry["target"], verdict=entry["verdict"])
            elif entry["name"].startswith("apply a page"):
                add(f"TUI core: {entry['name']} (median / p99 / max; CPU p99 / max)", f"{entry['secrets']:,}",
                    f"{fmt_ms(entry['median_ms'])} / {fmt_ms(entry['p99_ms'])} / {fmt_ms(entry['max_ms'])}"
                    + cpu_text(entry, with_max=True),
                    target=entry["target"], verdict=entry["verdict"])
            else:
                add(f"TUI core: {entry['name']} (median / p99; CPU p99)", f"{entry['secrets']:,}",
                    f"{fmt_ms(entry['median_ms'])} / {fmt_ms(entry['p99_ms'])}" + cpu_text(entry),
                    target=entry["target"], verdict=entry["verdict"])
        widths = [max(len(str(r[i])) for r in [header] + body) for i in range(len(header))]

        def fmt(row):
            return "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |"

        lines.append(fmt(header))
        lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines.extend(fmt(r) for r in body)
        lines.append("")
        lines.append("stagehand = `stagehand list --json` (the row's main contender); stagehand list (table) = the same "
                     "listing printed as the plain table. Where a verdict has two parts they are json / table.")
        if any(row["what"].startswith("bulk promote") for row in self.rows):
            lines.append("In the bulk promote row, stagehand = `stagehand promote --filter bulk-stagehand/ --yes` and "
                         "aws CLI = a shell loop of `aws secretsmanager update-secret-version-stage`, one run each.")
        if self.notes:
            lines.append("")
            lines.extend("- " + note for note in self.notes)
        return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description="Run the benchmarks (use scripts/bench).")
    parser.add_argument("--stagehand", required=True)
    parser.add_argument("--stagehand-bench", default="")
    parser.add_argument("--secrets", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-moto", action="store_true")
    parser.add_argument("--no-replay", action="store_true")
    parser.add_argument("--no-tui", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated contenders for the list rows")
    parser.add_argument("--tui-secrets", default="10000", help="account sizes for the TUI core, comma-separated")
    parser.add_argument("--tui-core-only", action="store_true", help="run the in-process TUI core alone")
    parser.add_argument("--markdown", default="", help="also write the table to this file")
    parser.add_argument("--baseline", default="", help="another stagehand binary to compare list --json with")
    parser.add_argument("--network", default="", help="account sizes for the simulated-network listing rows")
    parser.add_argument("--no-bulk", action="store_true", help="skip the bulk promote on moto")
    parser.add_argument("--bulk-only", action="store_true", help="run the bulk promote alone")
    parser.add_argument("--bulk-secrets", type=int, default=500, help="secrets in each set of the bulk promote")
    args = parser.parse_args()
    args.only = [x.strip() for x in args.only.split(",") if x.strip()]
    args.tui_first_rows = not args.no_tui
    sizes = [int(x) for x in args.secrets.split(",") if x.strip()]

    def interrupt(*_):
        raise KeyboardInterrupt

    # Stopping the bench (even when started in the background, where SIGINT is ignored)
    # stops its servers and still prints what was measured.
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    bench = Bench(args)
    bench.sizes = sizes
    sections = []
    if args.baseline:
        sections.append(("transport A/B", bench.baseline_ab))
    if not args.no_tui:
        sections.append(("TUI core", bench.tui_core))
        sections.append(("idle TUI", bench.idle_tui))
    if not args.no_replay:
        sections += [(f"replay at {n}", lambda n=n: bench.replay(n)) for n in sizes]
    if not args.no_moto:
        sections += [(f"moto at {n}", lambda n=n, i=i: bench.moto(n, do_move=i == 0)) for i, n in enumerate(sizes)]
    for n in [int(x) for x in args.network.split(",") if x.strip()]:
        sections.append((f"network at {n}", lambda n=n: bench.network(n)))
    if not args.no_moto and not args.no_bulk:
        sections.append((f"bulk promote at {args.bulk_secrets}", lambda: bench.bulk_promote(args.bulk_secrets)))
    if args.tui_core_only:
        sections = [("TUI core", bench.tui_core)]
    if args.bulk_only:
        sections = [(f"bulk promote at {args.bulk_secrets}", lambda: bench.bulk_promote(args.bulk_secrets))]
    wrong = []
    for name, section in sections:
        # One failing section (a server refusing, a tool missing) must not lose the others.
        try:
            section()
        except KeyboardInterrupt:
            bench.notes.append(f"interrupted during {name}: partial results")
            break
        except BenchFailure as error:
            wrong.append(str(error))
            bench.notes.append(f"FAILED {name}: {error}"[:600])
        except Exception as error:  # noqa: BLE001 - reported in the table, never hidden
            bench.notes.append(f"FAILED {name}: {error}"[:600])
    text = bench.table() + "\n".join(bench.ab_lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    for message in wrong:
        print(f"scripts/bench: FAILED: {message}", file=sys.stderr)
    if wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
