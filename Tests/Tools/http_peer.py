#!/usr/bin/env python3
"""Loopback peers for the HTTP/1.1 transport's tests.

  http_peer.py certs DIR          make a CA and two server certificates with the openssl CLI:
                                  DIR/ca.pem, DIR/good.{pem,key} (localhost, 127.0.0.1),
                                  DIR/wrong.{pem,key} (wrong.example only)
  http_peer.py tls-certs DIR      every kind of server certificate a TLS client must tell
                                  apart, made with the `cryptography` package (the openssl 3.0
                                  CLI cannot date a certificate in the past), each NAME.{pem,key}:
                                  ca.pem (the test CA), other-ca.pem (a second CA, trusted by
                                  nobody), good (localhost, 127.0.0.1), wrong (wrong.example
                                  only), ip-mismatch (IP 127.0.0.2 only, no DNS name), expired
                                  (localhost, 127.0.0.1, ended yesterday), self-signed (localhost,
                                  127.0.0.1), unknown-ca (localhost, 127.0.0.1, signed by other-ca)
  http_peer.py server [--cert PEM --key KEY]
  http_peer.py proxy [--user U --password P]

Each server prints "READY <port>" once listening on 127.0.0.1 and stops when stdin closes.

The server answers by path (any method):
  /echo        200 JSON: method, target, headers (lower-cased names), body_length,
               connection (its number), nth (requests on that connection so far)
  /chunked     the /echo JSON, chunked in 7-byte pieces with a chunk extension and a trailer
  /continue    "100 Continue" and "103 Early Hints" first, then the /echo answer
  /close       the /echo answer with "Connection: close", then closes
  /until-close the /echo answer without a length, ended by closing
  /cut         announces 100 bytes, sends 10, closes
  /big?n=N     N bytes of "x" (Content-Length)
  /silent      never answers
  /drop-next   the /echo answer; the next request on this connection is read, then the
               connection closes without an answer (a kept-alive connection gone stale)
  /idle-close  the /echo answer (kept alive), then the server closes the connection at once
  /creds       container credentials JSON (AccessKeyId "testing", expiring in an hour)
  /__stats     {"connections": N, "requests": N} (not counted)
Each answer leaves in one write.

The proxy takes "CONNECT host:port" (tunnels bytes both ways) and absolute-form requests
(forwards one request per connection to the origin and relays its answer). With --user it
demands "Proxy-Authorization: Basic ..." and answers 407 otherwise. GET /__stats (origin form,
to the proxy itself) gives {"connects": [...], "forwards": [...], "auth_failures": N}.
"""
import argparse
import base64
import json
import os
import select
import socket
import ssl
import subprocess
import sys
import threading
import time

LOCK = threading.Lock()
STATS = {"connections": 0, "requests": 0}
PROXY_STATS = {"connects": [], "forwards": [], "auth_failures": 0}


def read_head(conn, buffer):
    """Reads up to the blank line; returns (head_text, rest) or (None, b"") at EOF."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def parse_head(head):
    lines = head.split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    return method, target, headers


def read_body(conn, headers, rest):
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return rest[:length], rest[length:]


def response(status, reason, body, headers=None, length=True):
    lines = ["HTTP/1.1 %d %s" % (status, reason)]
    for name, value in (headers or {}).items():
        lines.append("%s: %s" % (name, value))
    if length:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def serve_connection(conn, number):
    buffer = b""
    nth = 0
    drop_next = False
    try:
        while True:
            head, buffer = read_head(conn, buffer)
            if head is None:
                return
            method, target, headers = parse_head(head)
            body, buffer = read_body(conn, headers, buffer)
            path = target.split("?", 1)[0]
            if path == "/__stats":
                with LOCK:
                    data = json.dumps(STATS).encode()
                conn.sendall(response(200, "OK", data, {"Content-Type": "application/json"}))
                continue
            nth += 1
            with LOCK:
                STATS["requests"] += 1
            if drop_next:
                return
            echo = json.dumps({"method": method, "target": target, "headers": headers,
                               "body_length": len(body), "connection": number, "nth": nth}).encode()
            plain = {"Content-Type": "application/json"}
            if path == "/chunked":
                pieces = [echo[i:i + 7] for i in range(0, len(echo), 7)]
                out = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces)
                head_bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                conn.sendall(head_bytes + out + b"0\r\nX-Trailer: 1\r\n\r\n")
            elif path == "/continue":
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                             + response(200, "OK", echo, plain))
            elif path == "/close":
                conn.sendall(response(200, "OK", echo, dict(plain, Connection="close")))
                return
            elif path == "/until-close":
                conn.sendall(response(200, "OK", echo, plain, length=False))
                return
            elif path == "/cut":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"{" * 10)
                return
            elif path == "/big":
                count = int(target.split("n=", 1)[1])
                conn.sendall(response(200, "OK", b"x" * count))
            elif path == "/silent":
                while conn.recv(65536):
                    pass
                return
            elif path == "/drop-next":
                conn.sendall(response(200, "OK", echo, plain))
                drop_next = True
            elif path == "/idle-close":
                conn.sendall(response(200, "OK", echo, plain))
                return
            elif path == "/creds":
                expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
                creds = {"AccessKeyId": "testing", "SecretAccessKey": "testing", "Token": "container-token",
                         "Expiration": expiry}
                conn.sendall(response(200, "OK", json.dumps(creds).encode(), plain))
            else:
                conn.sendall(response(200, "OK", echo, plain))
            if headers.get("connection", "").lower() == "close":
                return
    except (OSError, ssl.SSLError):
        return
    finally:
        try:
            conn.close()
        except OSError:
            pass


def accept_loop(listener, handle):
    number = 0
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        number += 1
        threading.Thread(target=handle, args=(conn, number), daemon=True).start()


def listen_loopback():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener


def run_server(args):
    listener = listen_loopback()
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)

    def handle(conn, number):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with LOCK:
            STATS["connections"] += 1
        if context:
            try:
                conn = context.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError):
                conn.close()
                return
        serve_connection(conn, number)

    return listener, handle


def pipe(a, b):
    try:
        while True:
            readable, _, _ = select.select([a, b], [], [], 30)
            if not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (b if source is a else a).sendall(data)
    except OSError:
        return
    finally:
        a.close()
        b.close()


def run_proxy(args):
    listener = listen_loopback()
    expected = None
    if args.user is not None:
        expected = "Basic " + base64.b64encode(("%s:%s" % (args.user, args.password)).encode()).decode()

    def handle(conn, number):
        try:
            head, rest = read_head(conn, b"")
            if head is None:
                return
            method, target, headers = parse_head(head)
            if target == "/__stats":
                with LOCK:
                    data = json.dumps(PROXY_STATS).encode()
                conn.sendall(response(200, "OK", data))
                return
            if expected is not None and headers.get("proxy-authorization") != expected:
                with LOCK:
                    PROXY_STATS["auth_failures"] += 1
                conn.sendall(response(407, "Proxy Authentication Required", b"",
                                      {"Proxy-Authenticate": 'Basic realm="test"'}))
                return
            if method == "CONNECT":
                host, port = target.rsplit(":", 1)
                with LOCK:
                    PROXY_STATS["connects"].append(target)
                upstream = socket.create_connection((host.strip("[]"), int(port)))
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                pipe(conn, upstream)
                return
            # Absolute form: http://host:port/path
            without_scheme = target.split("://", 1)[1]
            authority, _, path = without_scheme.partition("/")
            host, _, port = authority.rpartition(":")
            with LOCK:
                PROXY_STATS["forwards"].append({"target": target, "host": headers.get("host")})
            body, _ = read_body(conn, headers, rest)
            upstream = socket.create_connection((host, int(port)))
            lines = ["%s /%s HTTP/1.1" % (method, path)]
            for name, value in headers.items():
                if name not in ("proxy-authorization", "connection"):
                    lines.append("%s: %s" % (name, value))
            lines.append("Connection: close")
            upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            answer = b""
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                answer += data
            upstream.close()
            conn.sendall(answer)
        except OSError:
            return
        finally:
            conn.close()

    return listener, handle


def make_certs(directory):
    os.makedirs(directory, exist_ok=True)

    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], check=True, cwd=directory,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=Stagehand Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    for name, san in (("good", "DNS:localhost,IP:127.0.0.1"), ("wrong", "DNS:wrong.example")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name)
        with open(os.path.join(directory, name + ".ext"), "w") as ext:
            ext.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" % san)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext")


def make_tls_certs(directory):
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    os.makedirs(directory, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)

    def write(name, certificate, key=None):
        with open(os.path.join(directory, name + ".pem"), "wb") as out:
            out.write(certificate.public_bytes(serialization.Encoding.PEM))
        if key is not None:
            with open(os.path.join(directory, name + ".key"), "wb") as out:
                out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))

    def certificate(common_name, key, issuer_name, issuer_key, ca, sans=(), start=now - day, end=now + 2 * day):
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
                   .issuer_name(issuer_name or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(end)
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                              encipher_only=False, decipher_only=False), critical=True)
        else:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
        return builder.sign(issuer_key or key, hashes.SHA256())

    cas = {}
    for name, common_name in (("ca", "Stagehand Test CA"), ("other-ca", "Stagehand Unknown CA")):
        key = ec.generate_private_key(ec.SECP256R1())
        cas[name] = (certificate(common_name, key, None, None, ca=True), key)
        write(name, cas[name][0])

    local = (x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    leaves = (
        ("good", "ca", local, {}),
        ("wrong", "ca", (x509.DNSName("wrong.example"),), {}),
        ("ip-mismatch", "ca", (x509.IPAddress(ipaddress.ip_address("127.0.0.2")),), {}),
        ("expired", "ca", local, {"start": now - 10 * day, "end": now - day}),
        ("self-signed", None, local, {}),
        ("unknown-ca", "other-ca", local, {}),
    )
    for name, issuer, sans, dates in leaves:
        key = ec.generate_private_key(ec.SECP256R1())
        issuer_certificate, issuer_key = cas[issuer] if issuer else (None, None)
        write(name, certificate(name, key, issuer_certificate.subject if issuer else None, issuer_key, ca=False,
                                sans=sans, **dates), key)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    certs = sub.add_parser("certs")
    certs.add_argument("directory")
    tls_certs = sub.add_parser("tls-certs")
    tls_certs.add_argument("directory")
    server = sub.add_parser("server")
    server.add_argument("--cert")
    server.add_argument("--key")
    proxy = sub.add_parser("proxy")
    proxy.add_argument("--user")
    proxy.add_argument("--password", default="")
    args = parser.parse_args()
    if args.mode == "certs":
        make_certs(args.directory)
        return
    if args.mode == "tls-certs":
        make_tls_certs(args.directory)
        return
    listener, handle = run_server(args) if args.mode == "server" else run_proxy(args)
    threading.Thread(target=accept_loop, args=(listener, handle), daemon=True).start()
    print("READY %d" % listener.getsockname()[1], flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
