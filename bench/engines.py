"""Workers for the other engines, each run in its own process by bench.py so
that its peak memory and its first query are measured on their own.

    python3 engines.py duckdb-import CSV DB
    python3 engines.py duckdb-funnel DB RUNS
    python3 engines.py chdb-import CSV DIR
    python3 engines.py chdb-funnel DIR RUNS

Each prints one JSON object on stdout. Times are measured inside the
process, after `import duckdb` / `import chdb` (the interpreter's start is
not counted against them).
"""

import json
import resource
import sys
import time

import queries

def cpu():
    """CPU seconds (user + system, all threads) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


CH_SCHEMA = (
    "time DateTime64(3, 'UTC'), event LowCardinality(String), user_id String, "
    "session_id String, page String, device_category LowCardinality(String), "
    "source LowCardinality(String), country LowCardinality(String), value Nullable(Float64)"
)


def duckdb_import(csv, db):
    import duckdb

    t, c = time.perf_counter(), cpu()
    con = duckdb.connect(db)
    con.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{csv}')")
    rows = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()  # checkpoints: the table is on disk when this returns
    return {"seconds": time.perf_counter() - t, "cpu": cpu() - c, "rows": rows}


def duckdb_funnel(db, runs):
    import duckdb

    sql = queries.duckdb_sql()
    t, c = time.perf_counter(), cpu()
    con = duckdb.connect(db, read_only=True)
    rows = con.execute(sql).fetchall()
    first, first_cpu = time.perf_counter() - t, cpu() - c
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        again = con.execute(sql).fetchall()
        times.append(time.perf_counter() - t)
        assert queries.rows_to_counts(again) == queries.rows_to_counts(rows)
    return {"first": first, "first_cpu": first_cpu, "times": times,
            "counts": queries.rows_to_counts(rows)}


def chdb_import(csv, path):
    from chdb import session

    t, c = time.perf_counter(), cpu()
    s = session.Session(path)
    escaped = CH_SCHEMA.replace("'", "\\'")
    s.query("DROP TABLE IF EXISTS events")
    s.query(
        "CREATE TABLE events (" + CH_SCHEMA + ") ENGINE = MergeTree ORDER BY (user_id, time)"
    )
    s.query(
        f"INSERT INTO events SELECT * FROM file('{csv}', CSVWithNames, '{escaped}') "
        "SETTINGS date_time_input_format = 'best_effort'"
    )
    rows = int(str(s.query("SELECT count() FROM events", "CSV")).strip())
    s.close()
    return {"seconds": time.perf_counter() - t, "cpu": cpu() - c, "rows": rows}


def chdb_funnel(path, runs):
    from chdb import session

    sql = queries.clickhouse_sql()
    t, c = time.perf_counter(), cpu()
    s = session.Session(path)
    res = json.loads(str(s.query(sql)))
    first, first_cpu = time.perf_counter() - t, cpu() - c
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        again = json.loads(str(s.query(sql)))
        times.append(time.perf_counter() - t)
        assert again["data"] == res["data"]
    s.close()
    return {"first": first, "first_cpu": first_cpu, "times": times,
            "counts": queries.rows_to_counts(res["data"])}


def main(argv):
    cmd = argv[1]
    if cmd == "duckdb-import":
        out = duckdb_import(argv[2], argv[3])
    elif cmd == "duckdb-funnel":
        out = duckdb_funnel(argv[2], int(argv[3]))
    elif cmd == "chdb-import":
        out = chdb_import(argv[2], argv[3])
    elif cmd == "chdb-funnel":
        out = chdb_funnel(argv[2], int(argv[3]))
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
