#!/usr/bin/env python3
"""A loopback HTTP endpoint that speaks the part of ClickHouse's HTTP interface that
`funnel run --engine clickhouse --url` uses, and runs each query on real ClickHouse SQL
in process (chdb: ClickHouse 26.x). For tests and for trying the HTTP path without a server:

    python3 scripts/clickhouse_http.py [--port 8123] [--user U --password P]

POST / with the query as the body; `default_format` and other settings as URL parameters;
credentials in the X-ClickHouse-User / X-ClickHouse-Key headers (checked when --user is
given). Answers 200 with the rows, or 500 with ClickHouse's error text (403 for bad credentials).
It prints "listening on PORT" once ready."""
import argparse
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

try:
    import chdb
except ImportError:
    sys.stderr.write("chdb is not installed: make sql-engines (or pip install chdb)\n")
    sys.exit(3)

LOCK = threading.Lock()  # one query at a time in the embedded engine
# The embedded engine takes over SIGTERM; a stop request must still stop this server.
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8123, help="0 picks a free port")
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    args = ap.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # quiet: the caller shows errors
            pass

        def answer(self, status, body):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if args.user is not None and (self.headers.get("X-ClickHouse-User") != args.user
                                          or self.headers.get("X-ClickHouse-Key", "") != args.password):
                return self.answer(403, "Code: 516. DB::Exception: Authentication failed: password is incorrect, or there is no user with such name.\n")
            params = parse_qs(urlparse(self.path).query)
            fmt = params.get("default_format", ["TabSeparated"])[0]
            length = int(self.headers.get("Content-Length", "0"))
            sql = self.rfile.read(length).decode("utf-8").strip().rstrip(";")
            try:
                with LOCK:
                    res = chdb.query(sql, fmt)
                return self.answer(200, res.bytes() if hasattr(res, "bytes") else str(res))
            except Exception as e:
                return self.answer(500, str(e) + "\n")

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
