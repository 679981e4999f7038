#!/usr/bin/env python3
"""A small loopback front end over chdb that speaks the part of ClickHouse's
HTTP interface Stepwise uses: POST / with the query as the body (ending in
`FORMAT <name>`), answers 200 with the rows, or 500 with the exception's text
(`Code: N. DB::Exception: ...`), as ClickHouse does. It listens on
127.0.0.1 only, on a free port it prints as its first line of output.

Usage: chdb_http.py NAME SCHEMA CSV [NAME SCHEMA CSV ...]
  loads each CSV file (with a header) into table NAME with columns SCHEMA
  (e.g. "user Nullable(String), time Nullable(DateTime64(6, 'UTC'))").
With CHDB_HTTP_USER / CHDB_HTTP_PASSWORD set, a request must carry the same
X-ClickHouse-User / X-ClickHouse-Key headers, else it gets 403 (code 516).
Stops when its standard input closes.
"""

import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from chdb import session

sess = session.Session()
lock = threading.Lock()


def load(args):
    sess.query("CREATE DATABASE IF NOT EXISTS sw")
    sess.query("USE sw")
    for name, schema, path in zip(args[0::3], args[1::3], args[2::3]):
        sess.query(f"CREATE TABLE sw.`{name}` ({schema}) ENGINE = Memory")
        with open(path) as f:
            data = f.read()
        sess.query(
            f"INSERT INTO sw.`{name}` SETTINGS date_time_input_format = 'best_effort' FORMAT CSVWithNames\n{data}"
        )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        user, key = os.environ.get("CHDB_HTTP_USER"), os.environ.get("CHDB_HTTP_PASSWORD")
        if user is not None and (
            self.headers.get("X-ClickHouse-User") != user
            or self.headers.get("X-ClickHouse-Key") != (key or "")
        ):
            self.answer(403, "Code: 516. DB::Exception: Authentication failed: password is incorrect, or there is no user with such name.\n")
            return
        n = int(self.headers.get("Content-Length", "0"))
        sql = self.rfile.read(n).decode()
        m = re.search(r"\bFORMAT\s+(\w+)\s*;?\s*$", sql, re.IGNORECASE)
        fmt = "TabSeparated"
        if m:
            fmt = m.group(1)
            sql = sql[: m.start()]
        try:
            with lock:
                out = sess.query(sql, fmt)
            text = out.bytes().decode() if hasattr(out, "bytes") else str(out)
        except Exception as e:
            self.answer(500, str(e).strip() + "\n")
            return
        self.answer(200, text)


def main():
    load(sys.argv[1:])
    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
