"""What users did between two funnel steps, in DuckDB SQL: the reference
`crates/engine/tests/paths_duckdb.rs` checks `{"funnel": [A, B], "between": 1}`
against (docs/paths.md, "Between two steps").

    python3 tests/reference/paths_between_reference.py EVENTS.csv A B

prints JSON: the users whose counted attempt went from A to B (ordered
funnel, default 14-day window: an attempt from an A takes the first B after
it, within 14 days; the counted attempt is the one whose B comes first, from
the latest A), the sequences of event names strictly between (repeats in a
row collapsed, the A included; cut after 5 with "…"), and the median, 75th
and 90th percentile (quantile_cont) of the number of events between and of
the seconds taken. Needs `pip install duckdb`.
"""

import json
import sys

import duckdb

path, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET threads = 1")  # row_number() OVER () in file order
con.execute(
    """
    CREATE TABLE ev AS
    WITH raw AS (
      SELECT user_id AS u, CAST(replace(time, 'Z', '') AS TIMESTAMP) AS t, event AS e,
             row_number() OVER () AS rn
      FROM read_csv(?, all_varchar = true, header = true)
      WHERE user_id IS NOT NULL AND time IS NOT NULL
    )
    SELECT u, t, e, row_number() OVER (PARTITION BY u ORDER BY t, rn) AS pos FROM raw
    """,
    [path],
)
con.execute(
    """
    CREATE TABLE counted AS
    WITH att AS (
      SELECT x.u, x.pos AS pa, x.t AS ta,
             (SELECT min(y.pos) FROM ev y WHERE y.u = x.u AND y.e = $b AND y.pos > x.pos) AS pb
      FROM ev x WHERE x.e = $a
    ),
    ok AS (
      SELECT att.u, pa, ta, pb, y.t AS tb FROM att JOIN ev y ON y.u = att.u AND y.pos = att.pb
      WHERE y.t - ta <= INTERVAL 14 DAY
    )
    SELECT u, arg_max(pa, pa) AS pa, arg_max(ta, pa) AS ta, min(pb) AS pb, arg_max(tb, pa) AS tb
    FROM ok WHERE pb = (SELECT min(o2.pb) FROM ok o2 WHERE o2.u = ok.u) GROUP BY u
    """,
    {"a": a, "b": b},
)
units = con.execute("SELECT count(*) FROM counted").fetchone()[0]
q = con.execute(
    """
    SELECT quantile_cont(pb - pa - 1, [0.5, 0.75, 0.9]),
           quantile_cont((epoch_us(tb) - epoch_us(ta)) / 1e6, [0.5, 0.75, 0.9])
    FROM counted
    """
).fetchone()
seqs = con.execute(
    """
    WITH span AS (
      SELECT c.u, ev.pos, ev.e, lag(ev.e) OVER (PARTITION BY c.u ORDER BY ev.pos) AS prev
      FROM counted c JOIN ev ON ev.u = c.u AND ev.pos >= c.pa AND ev.pos < c.pb
    ),
    kept AS (
      SELECT u, e, row_number() OVER (PARTITION BY u ORDER BY pos) AS k
      FROM span WHERE prev IS NOT NULL AND e <> prev
    ),
    per AS (
      SELECT c.u,
             coalesce(string_agg(kept.e, ' › ' ORDER BY kept.k) FILTER (WHERE kept.k <= 5), '(nothing)')
               || CASE WHEN max(kept.k) > 5 THEN ' › …' ELSE '' END AS name
      FROM counted c LEFT JOIN kept ON kept.u = c.u GROUP BY c.u
    )
    SELECT name, count(*) FROM per GROUP BY name
    """
).fetchall()
print(
    json.dumps(
        {
            "units": units,
            "events": q[0],
            "seconds": q[1],
            "sequences": dict(seqs),
        }
    )
)
