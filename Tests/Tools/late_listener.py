#!/usr/bin/env python3
"""Stands in for moto_server in MotoServerTests: says "Running on http://127.0.0.1:PORT" on
stderr, as moto does, while its port is bound but not yet listening (a connect is refused),
then listens 3 s later and answers every GET with 200 and "{}". Arguments (moto's -H and
-p) are ignored."""

import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
server.server_bind()
print(f" * Running on http://127.0.0.1:{server.server_address[1]}", file=sys.stderr, flush=True)
time.sleep(3)
server.server_activate()
server.serve_forever()
