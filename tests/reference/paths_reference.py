"""Paths and retention of a generated clickstream CSV, in DuckDB SQL: the
reference `crates/engine/tests/paths_duckdb.rs` checks the engine against.

    python3 tests/reference/paths_reference.py EVENTS.csv START_EVENT PERIODS

prints JSON: the next-event paths from each user's first START_EVENT
(repeats collapsed, by event name; level 1 and level-1 -> level-2 counts,
"end" where the journey stops) and the weekly retention table (cohort =
first seen, return = any other event at or after it), as docs/paths.md and
docs/retention.md define them. Needs `pip install duckdb`.
"""

import json
import sys

import duckdb

path, start, periods = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = duckdb.connect()
con.execute("SET threads = 1")  # row_number() OVER () in file order
con.execute(
    """
    CREATE TABLE ev AS
    SELECT user_id AS u, CAST(replace(time, 'Z', '') AS TIMESTAMP) AS t, event AS e,
           row_number() OVER () AS rn
    FROM read_csv(?, all_varchar = true, header = true)
    WHERE user_id IS NOT NULL AND time IS NOT NULL
    """,
    [path],
)

# paths: collapse runs of one event, number what is left per user in
# (time, row) order, start at the first START_EVENT
con.execute(
    """
    CREATE TABLE seq AS
    WITH lagged AS (
      SELECT u, t, e, rn, lag(e) OVER (PARTITION BY u ORDER BY t, rn) AS prev FROM ev
    )
    SELECT u, e, row_number() OVER (PARTITION BY u ORDER BY t, rn) AS pos
    FROM lagged WHERE prev IS NULL OR prev <> e
    """
)
rows = con.execute(
    """
    WITH s AS (SELECT u, min(pos) AS p FROM seq WHERE e = ? GROUP BY u)
    SELECT coalesce(a.e, 'end') AS l1,
           CASE WHEN a.e IS NULL THEN NULL ELSE coalesce(b.e, 'end') END AS l2,
           count(*) AS n
    FROM s
    LEFT JOIN seq a ON a.u = s.u AND a.pos = s.p + 1
    LEFT JOIN seq b ON b.u = s.u AND b.pos = s.p + 2
    GROUP BY ALL
    """,
    [start],
).fetchall()
units = sum(n for _, _, n in rows)
level1, level2 = {}, {}
for l1, l2, n in rows:
    level1[l1] = level1.get(l1, 0) + n
    if l2 is not None:
        level2[f"{l1} > {l2}"] = level2.get(f"{l1} > {l2}", 0) + n

# weekly retention: cohort = week (from Monday) of the first event; a user
# returned in week p when another of their events falls in cohort week + p
ret = con.execute(
    """
    WITH firsts AS (
      SELECT u, arg_min(rn, (t, rn)) AS rn0, date_trunc('week', min(t)) AS c FROM ev GROUP BY u
    ),
    back AS (
      SELECT DISTINCT f.u, f.c,
             CAST(datediff('day', f.c, date_trunc('week', ev.t)) / 7 AS INTEGER) AS p
      FROM firsts f JOIN ev ON ev.u = f.u AND ev.rn <> f.rn0
    ),
    last AS (SELECT date_trunc('week', max(t)) AS w FROM ev)
    SELECT strftime(f.c, '%Y-%m-%d') AS period, count(*) AS size,
           CAST(datediff('day', f.c, (SELECT w FROM last)) / 7 AS INTEGER) + 1 AS reach,
           list((SELECT list(b.p) FROM back b WHERE b.u = f.u)) AS ps
    FROM firsts f GROUP BY f.c ORDER BY f.c
    """
).fetchall()
cohorts = []
for period, size, reach, ps in ret:
    n = min(reach, periods)
    returned = [0] * n
    for plist in ps:
        for p in plist or []:
            if p < n:
                returned[p] += 1
    cohorts.append({"period": period, "size": size, "returned": returned})

print(json.dumps({"units": units, "level1": level1, "level2": level2, "cohorts": cohorts}))
