"""Checks the benchmark's DuckDB SQL and ClickHouse windowFunnel query
against the plain reference in queries.py, on random small event sets built
to hit the edge cases: several step-0 events, steps out of order, steps
exactly at the 7-day bound and one millisecond past it, equal timestamps,
missing breakdown values are not generated (the benchmark data has none).

    python3 check_sql.py [USERS] [SEED]

First on hand-built users whose funnel levels are worked out by hand (HAND),
then on random ones.

Prints the counts and exits 1 if an engine disagrees with the reference.
The edge-case set with equal timestamps is checked separately: there the
engines may legitimately differ from each other (tie order), and it says so.
"""

import csv
import json
import os
import random
import sys
import tempfile

import queries

DAY = 86_400_000


def random_events(users, seed, ties):
    rnd = random.Random(seed)
    out = []
    devices = ["mobile", "desktop", "tablet"]
    for u in range(users):
        dev = rnd.choice(devices)
        t = rnd.randrange(0, 5 * DAY)
        for _ in range(rnd.randrange(1, 12)):
            r = rnd.random()
            if r < 0.15:
                gap = queries.WINDOW_MS  # exactly at the bound from here
            elif r < 0.25:
                gap = queries.WINDOW_MS + 1
            elif ties and r < 0.4:
                gap = 0
            else:
                gap = rnd.randrange(1, 4 * DAY)
            t += gap if rnd.random() < 0.8 else 0 if ties else 1
            ev = rnd.choice(queries.STEPS + ["page_view"])
            out.append((f"u{u}", t, ev, dev))
    out.sort(key=lambda e: e[1])
    return out


def write_csv(events, path):
    import datetime

    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["time", "event", "user_id", "session_id", "page", "device_category",
                    "source", "country", "value"])
        base = datetime.datetime(2024, 9, 1, tzinfo=datetime.timezone.utc)
        for user, t, ev, dev in events:
            ts = base + datetime.timedelta(milliseconds=t)
            w.writerow([ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z",
                        ev, user, user + "-1", "/", dev, "direct", "X", ""])
    # times relative to 2024-09-01 in the reference are fine: only
    # differences matter.


def run_duckdb(path):
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{path}')")
    return queries.rows_to_counts(con.execute(queries.duckdb_sql()).fetchall())


def run_chdb(path, tmp):
    import engines
    from chdb import session

    engines.chdb_import(path, tmp)
    s = session.Session(tmp)
    res = json.loads(str(s.query(queries.clickhouse_sql())))
    s.close()
    return queries.rows_to_counts(res["data"])


def check(users, seed, ties):
    events = random_events(users, seed, ties)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "events.csv")
        write_csv(events, path)
        ref = queries.reference(events)
        duck = run_duckdb(path)
        ch = run_chdb(path, os.path.join(d, "ch"))
    label = "with equal timestamps" if ties else "distinct timestamps"
    print(f"{label}: reference {ref[queries.ALL]}  duckdb {duck[queries.ALL]}  "
          f"chdb {ch[queries.ALL]}")
    return ref, duck, ch


W = queries.WINDOW_MS
V, A, B, P = queries.STEPS

# Hand-built users: (events as (t_ms, event), the level worked out by hand).
HAND = [
    ([(0, V), (1, A), (2, B), (3, P)], 4),
    # The window is inclusive and measured from step 0, not step to step.
    ([(0, V), (W, A), (W, B), (W + 1, P)], 3),
    ([(0, V), (W - 10, A), (W - 5, B), (W + 5, P)], 3),
    # A later step-0 event can get further: from 10, A/B/P are within W.
    ([(0, V), (10, V), (W + 5, A), (W + 6, B), (W + 7, P)], 4),
    # Steps done before step 0 do not count.
    ([(0, A), (1, B), (2, V), (3, P)], 1),
    ([(0, B), (1, P)], 0),
    # Step 0 only, then later steps without step 1.
    ([(0, V), (1, B), (2, P)], 1),
    ([(0, V), (1, V)], 1),
    # Other events in between are ignored (ordered, not strict).
    ([(0, V), (1, "page_view"), (2, A), (3, "page_view"), (4, B)], 3),
    # Equal timestamps are taken in funnel order.
    ([(5, V), (5, A), (5, B), (6, P)], 4),
    # Out of order: P before B does not complete the funnel.
    ([(0, V), (1, A), (2, P), (3, B)], 3),
    # The best of several attempts, the furthest one counts once.
    ([(0, V), (1, A), (2 * W, V), (2 * W + 1, A), (2 * W + 2, B)], 3),
]


def hand_check():
    events, expected = [], {queries.ALL: [0, 0, 0, 0]}
    for i, (evs, level) in enumerate(HAND):
        dev = ["mobile", "desktop"][i % 2]
        events += [(f"h{i}", t, ev, dev) for t, ev in evs]
        for key in (queries.ALL, dev):
            c = expected.setdefault(key, [0, 0, 0, 0])
            for k in range(level):
                c[k] += 1
    events.sort(key=lambda e: e[1])
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "events.csv")
        write_csv(events, path)
        got = {"reference": queries.reference(events), "duckdb": run_duckdb(path),
               "chdb": run_chdb(path, os.path.join(d, "ch"))}
    ok = True
    for name, counts in got.items():
        if counts != expected:
            print(f"MISMATCH on the hand-built cases: {name} {counts}, expected {expected}")
            ok = False
    print(f"hand-built cases: expected {expected[queries.ALL]}, "
          + ", ".join(f"{k} {v[queries.ALL]}" for k, v in got.items()))
    return ok


def main():
    from bench import ensure_python_packages

    ensure_python_packages()
    ok = hand_check()
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    ref, duck, ch = check(users, seed, ties=False)
    ok = ok and ref == duck == ch
    if not ok:
        print("MISMATCH on distinct timestamps:", json.dumps({"ref": ref, "duckdb": duck, "chdb": ch}))
    ref, duck, ch = check(users, seed + 1, ties=True)
    if ref != duck:
        print("MISMATCH: DuckDB SQL differs from the reference with equal timestamps")
        ok = False
    if ref != ch:
        print("note: windowFunnel differs from the reference with equal timestamps "
              "(tie order); the benchmark data has no ties between steps")
    print("SQL check:", "ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
