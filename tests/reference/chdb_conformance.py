#!/usr/bin/env python3
"""Runs Stepwise's compiled ClickHouse funnel SQL on chdb (embedded ClickHouse)
and compares the counts with the local engine's.

Usage: chdb_conformance.py DIR

DIR/manifest.json (written by crates/engine/tests/clickhouse_conformance.rs):
  {"tables": [{"name": T, "columns": [[name, type], ...], "rows": FILE}],
   "queries": [{"id": ID, "sql": FILE, "expect": [[value|null, step, count], ...]}]}
where a table's rows are JSON lines and each SQL file reads its table by name
(in the database `sw`, which is the session's current database).

Prints one line per mismatch or failed query, then a summary line
`ran N queries, M mismatches`, and exits 1 when M > 0. One chdb session for
everything: its start-up is the slow part.
"""

import json
import os
import sys


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "manifest.json")) as f:
        m = json.load(f)
    from chdb import session

    s = session.Session()
    s.query("CREATE DATABASE IF NOT EXISTS sw")
    s.query("USE sw")
    for t in m["tables"]:
        cols = ", ".join(f"`{n}` {ty}" for n, ty in t["columns"])
        s.query(f"CREATE TABLE sw.`{t['name']}` ({cols}) ENGINE = Memory")
        with open(os.path.join(d, t["rows"])) as f:
            rows = f.read()
        if rows.strip():
            s.query(f"INSERT INTO sw.`{t['name']}` FORMAT JSONEachRow\n{rows}")
    bad = 0
    ran = 0
    for q in m["queries"]:
        with open(os.path.join(d, q["sql"])) as f:
            sql = f.read()
        ran += 1
        try:
            out = s.query(sql, "JSONEachRow")
            text = out.bytes().decode() if hasattr(out, "bytes") else str(out)
            got = []
            for line in text.splitlines():
                if not line.strip():
                    continue
                r = json.loads(line)
                got.append([r.get("value"), int(r["step"]), int(r["count"])])
        except Exception as e:  # a query that fails is a mismatch
            bad += 1
            print(f"FAILED {q['id']}: {str(e).strip().splitlines()[0][:400]}")
            continue
        want = [[v, int(st), int(c)] for v, st, c in q["expect"]]
        if got != want:
            bad += 1
            print(f"MISMATCH {q['id']}: expected {json.dumps(want)} got {json.dumps(got)}")
    print(f"ran {ran} queries, {bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
