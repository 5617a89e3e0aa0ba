#!/usr/bin/env python3
"""Soak tests behind scripts/soak (see its --help): thousands of CLI runs through a fault
proxy, and the TUI left running with periodic refreshes. Loopback only; prints a summary and
exits 1 when a check fails."""
import argparse
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAULTS = ["throttle", "500", "503", "reset_before", "reset_after", "truncate", "cut", "garble"]
# Seconds a command may take when every call uses all its attempts against instant faults
# (AWS_MAX_ATTEMPTS=3, backoff at most 0.1 + 0.2 s): calls x (3 x 0.5 s + 0.3 s), rounded
# up. A move or rollback is a read (2 calls), the change, and at most a re-read and one
# resend after an ambiguous failure; promote is two such changes.
BUDGET = {"list": 4, "versions": 8, "move": 20, "rollback": 20, "promote": 30}
GRACE = 5
CPU_LIMIT = 5.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"soak: nothing listened on 127.0.0.1:{port}")


def start_moto():
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    wait_port(port)
    return process, port


def client_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "soak", "AWS_SECRET_ACCESS_KEY": "soak", "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
    })
    return env


def seed(port, count):
    """`count` secrets with versions v1 (AWSPREVIOUS), v2 (AWSCURRENT) and v3 (AWSPENDING)."""
    import boto3
    client = boto3.client("secretsmanager", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          aws_access_key_id="soak", aws_secret_access_key="soak")
    secrets = {}
    for i in range(count):
        name = f"soak/{i:03d}"
        v1 = client.create_secret(Name=name, SecretString="one")["VersionId"]
        v2 = client.put_secret_value(SecretId=name, SecretString="two")["VersionId"]
        v3 = client.put_secret_value(SecretId=name, SecretString="three", VersionStages=["AWSPENDING"])["VersionId"]
        secrets[name] = [v1, v2, v3]
    return client, secrets


def proxy_config(port, config):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/__proxy/config", data=json.dumps(config).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def cli_soak(stagehand, runs, seed_value):
    rng = random.Random(seed_value)
    moto, moto_port = start_moto()
    proxy = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Tools/fault_proxy.py"), "--target-port",
                              str(moto_port), "--seed", str(seed_value)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        proxy_port = int(proxy.stdout.readline().split()[1])
        client, secrets = seed(moto_port, 20)
        proxy_config(proxy_port, {"rate": 0.2, "faults": FAULTS, "operations": []})
        env = client_env()
        env["AWS_MAX_ATTEMPTS"] = "3"
        base = ["--endpoint-url", f"http://127.0.0.1:{proxy_port}", "--region", "us-east-1"]
        results = []
        names = sorted(secrets)
        for run in range(runs):
            name = rng.choice(names)
            kind = rng.choice(["list", "versions", "move", "promote", "rollback"])
            if kind == "list":
                command = ["list", "--json"]
            elif kind == "versions":
                command = ["versions", name]
            elif kind == "move":
                command = ["move", name, "AWSCURRENT", "--to", rng.choice(secrets[name]), "--yes"]
            else:
                command = [kind, name, "--yes"]
            if kind == "promote" and rng.random() < 0.5:
                # Keep rotations to finish: a new pending version, straight to moto.
                version = client.put_secret_value(SecretId=name, SecretString=f"v{run}",
                                                  VersionStages=["AWSPENDING"])["VersionId"]
                secrets[name].append(version)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            try:
                done = subprocess.run([stagehand] + command + base, env=env, stdin=subprocess.DEVNULL,
                                      capture_output=True, timeout=BUDGET[kind] + GRACE + 60)
                status = done.returncode
                stderr = done.stderr.decode(errors="replace")
            except subprocess.TimeoutExpired:
                status, stderr = "timeout", ""
            wall = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            results.append({"kind": kind, "status": status, "wall": wall, "cpu": cpu, "stderr": stderr[-300:]})
            if (run + 1) % 200 == 0:
                print(f"soak: {run + 1}/{runs} CLI runs", file=sys.stderr, flush=True)
        stats = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{proxy_port}/__proxy/stats", timeout=10).read())
    finally:
        proxy.stdin.close()
        proxy.terminate()
        moto.terminate()
    failures = []
    by_status = {}
    for result in results:
        by_status[str(result["status"])] = by_status.get(str(result["status"]), 0) + 1
        if result["status"] not in (0, 1, 2):
            failures.append(f"{result['kind']} ended with {result['status']}: {result['stderr']}")
        if result["wall"] > BUDGET[result["kind"]] + GRACE:
            failures.append(f"{result['kind']} took {result['wall']:.1f} s (budget {BUDGET[result['kind']]} s + {GRACE})")
        if result["cpu"] > CPU_LIMIT:
            failures.append(f"{result['kind']} spent {result['cpu']:.1f} s of CPU")
    walls = [r["wall"] for r in results]
    cpus = [r["cpu"] for r in results]
    print(f"CLI soak: {len(results)} runs, exit statuses {dict(sorted(by_status.items()))}, "
          f"{sum(stats.get('faults', {}).values())} faults injected")
    print(f"  wall p50 {percentile(walls, 0.5):.2f} s, p99 {percentile(walls, 0.99):.2f} s, max {max(walls):.2f} s; "
          f"CPU p99 {percentile(cpus, 0.99):.2f} s, max {max(cpus):.2f} s")
    for kind in BUDGET:
        mine = [r["wall"] for r in results if r["kind"] == kind]
        if mine:
            print(f"  {kind:9} {len(mine):5} runs, max {max(mine):.2f} s (budget {BUDGET[kind]} s + {GRACE} s)")
    return failures


def tui_soak(stagehand, minutes):
    if minutes <= 0:
        return []
    moto, moto_port = start_moto()
    session = f"stagehand-soak-{os.getpid()}"
    home = tempfile.mkdtemp(prefix="stagehand-soak-")
    try:
        seed(moto_port, 50)
        env = client_env()
        env.update({"HOME": home, "TERM": "xterm-256color", "LANG": "C.UTF-8"})
        exports = " ".join(f"{k}='{v}'" for k, v in env.items() if k.startswith("AWS_") or k in ("HOME", "LANG"))
        command = (f"exec env {exports} '{stagehand}' --endpoint-url http://127.0.0.1:{moto_port} "
                   f"--region us-east-1 --no-mouse")
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True)
        pid = int(subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], check=True,
                                 capture_output=True, text=True).stdout.split()[0])
        samples = []
        started = time.monotonic()
        tick = 0
        while time.monotonic() - started < minutes * 60:
            time.sleep(5)
            tick += 1
            key = "R" if tick % 12 == 0 else "r"
            if tick % 3 == 0:
                subprocess.run(["tmux", "send-keys", "-t", session, "j"], check=False)
            subprocess.run(["tmux", "send-keys", "-t", session, key], check=False)
            try:
                with open(f"/proc/{pid}/status") as status:
                    rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
                fds = len(os.listdir(f"/proc/{pid}/fd"))
            except (OSError, StopIteration):
                return [f"the TUI (pid {pid}) ended after {time.monotonic() - started:.0f} s"]
            samples.append((time.monotonic() - started, rss, fds))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
        moto.terminate()
        shutil.rmtree(home, ignore_errors=True)
    settled = [s for s in samples if s[0] >= 60] or samples
    base_rss = settled[0][1]
    final_rss = settled[-1][1]
    growth = (final_rss - base_rss) / base_rss * 100
    # A connection being made or dropped holds a descriptor for a moment: a leak is a count
    # that stays up, so the fewest held at the end are set against the most in the minute
    # after the first.
    window = [s[2] for s in settled if s[0] < 120] or [settled[0][2]]
    tail = [s[2] for s in samples[-6:]]
    print(f"TUI soak: {minutes} min, {len(samples)} samples; RSS after 1 min {base_rss / 1024:.1f} MB, "
          f"at the end {final_rss / 1024:.1f} MB ({growth:+.1f}%), peak {max(s[1] for s in samples) / 1024:.1f} MB; "
          f"descriptors {min(window)}-{max(window)} in the second minute, {min(tail)}-{max(tail)} at the end")
    failures = []
    if growth > 10:
        failures.append(f"TUI RSS grew {growth:.1f}% after the first minute")
    if min(tail) > max(window):
        failures.append(f"TUI descriptors grew from at most {max(window)} to at least {min(tail)}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stagehand", required=True)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--tui-minutes", type=float, default=30)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--no-tui", action="store_true")
    args = parser.parse_args()
    print(f"soak: seed {args.seed}", file=sys.stderr)
    failures = []
    if not args.no_cli:
        failures += cli_soak(args.stagehand, args.runs, args.seed)
    if not args.no_tui:
        failures += tui_soak(args.stagehand, args.tui_minutes)
    for failure in failures[:50]:
        print(f"FAILED: {failure}")
    print("soak: all checks passed" if not failures else f"soak: {len(failures)} checks failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
