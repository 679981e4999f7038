"""The benchmark funnel, written three ways, and a plain reference.

The funnel: view_item -> add_to_cart -> begin_checkout -> purchase, ordered
(other events in between are ignored), a 7-day window measured from the
attempt's step-0 time (t_k - t_0 <= 7 days, inclusive), counting users, with
a breakdown by device_category (first touch: the value on the user's earliest
event that matches any step).

Stepwise semantics (docs/, issue 4): any step-0 event may start an attempt;
the attempt that gets furthest wins. For an ordered funnel of distinct event
names, an attempt's reach is found greedily: from t_0 take the earliest step-1
event at or after t_0, then the earliest step-2 event at or after that, and so
on, each within t_0 + window; a user's level is the best reach over all
step-0 events. Equal timestamps are taken in funnel order (>=).

ClickHouse's windowFunnel (default mode) gives the same levels here: it keeps,
per level, the chain with the latest start, which is never worse for
reaching further; ties are sorted in condition order. It is given integer
milliseconds (window 604800000) so that both sides compare exact instants.
"""

STEPS = ["view_item", "add_to_cart", "begin_checkout", "purchase"]
WINDOW_S = 7 * 86400
WINDOW_MS = WINDOW_S * 1000
BREAKDOWN = "device_category"
ALL = "(all)"


def stepwise_spec(dataset):
    """The funnel as a Stepwise spec (issue 4's JSON)."""
    return {
        "dataset": dataset,
        "steps": [{"label": s, "event": s} for s in STEPS],
        "order": "ordered",
        "window": "7d",
        "count": "users",
        "breakdown": {"column": BREAKDOWN, "attribution": "first_touch", "limit": 10},
    }


def _in_list():
    return ", ".join(f"'{s}'" for s in STEPS)


def duckdb_sql(table="events"):
    """Counts per breakdown value (and '(all)'), one column per step.

    Each step-0 event starts an attempt; three ASOF joins take, for each
    attempt, the earliest next-step event at or after the previous step's
    time; a step outside t_0 + window ends the attempt (later ones are
    no earlier, so they cannot be inside either). Users keep their best
    attempt. Users with no step-1 event at all are at level 1 without the
    joins (most users: this halves DuckDB's time; the benchmark gives
    DuckDB the best SQL we could write)."""
    w = WINDOW_MS
    s = STEPS
    return f"""
WITH ev AS (
    SELECT user_id, epoch_ms(time) AS t, event, {BREAKDOWN} AS bd
    FROM {table}
    WHERE event IN ({_in_list()})
),
s0all AS (SELECT user_id, t AS t0 FROM ev WHERE event = '{s[0]}'),
s1 AS (SELECT user_id, t FROM ev WHERE event = '{s[1]}'),
s2 AS (SELECT user_id, t FROM ev WHERE event = '{s[2]}'),
s3 AS (SELECT user_id, t FROM ev WHERE event = '{s[3]}'),
s0 AS (SELECT * FROM s0all SEMI JOIN s1 USING (user_id)),
a1 AS (
    SELECT s0.user_id, s0.t0, CASE WHEN s1.t - s0.t0 <= {w} THEN s1.t END AS t1
    FROM s0 ASOF LEFT JOIN s1 ON s0.user_id = s1.user_id AND s0.t0 <= s1.t
),
a2 AS (
    SELECT a1.user_id, a1.t0, a1.t1, CASE WHEN s2.t - a1.t0 <= {w} THEN s2.t END AS t2
    FROM a1 ASOF LEFT JOIN s2 ON a1.user_id = s2.user_id AND a1.t1 <= s2.t
),
a3 AS (
    SELECT a2.user_id, a2.t1, a2.t2, CASE WHEN s3.t - a2.t0 <= {w} THEN s3.t END AS t3
    FROM a2 ASOF LEFT JOIN s3 ON a2.user_id = s3.user_id AND a2.t2 <= s3.t
),
levels AS (
    SELECT user_id,
           max(1 + (t1 IS NOT NULL)::INT + (t2 IS NOT NULL)::INT + (t3 IS NOT NULL)::INT) AS level
    FROM a3 GROUP BY user_id
    UNION ALL
    SELECT DISTINCT user_id, 1 FROM s0all ANTI JOIN s1 USING (user_id)
),
touch AS (SELECT user_id, arg_min(bd, t) AS bd FROM ev GROUP BY user_id)
SELECT CASE WHEN GROUPING(touch.bd) = 1 THEN '{ALL}' ELSE coalesce(touch.bd, '(none)') END AS breakdown,
       count(*) FILTER (WHERE level >= 1) AS step1,
       count(*) FILTER (WHERE level >= 2) AS step2,
       count(*) FILTER (WHERE level >= 3) AS step3,
       count(*) FILTER (WHERE level >= 4) AS step4
FROM levels JOIN touch USING (user_id)
GROUP BY GROUPING SETS ((touch.bd), ())
ORDER BY step1 DESC
"""


def clickhouse_sql(table="events"):
    """The same funnel with ClickHouse's windowFunnel (chdb)."""
    conds = ", ".join(f"event = '{s}'" for s in STEPS)
    return f"""
SELECT if(grouping(bd) = 1, '{ALL}', bd) AS breakdown,
       countIf(level >= 1) AS step1,
       countIf(level >= 2) AS step2,
       countIf(level >= 3) AS step3,
       countIf(level >= 4) AS step4
FROM (
    SELECT user_id,
           windowFunnel({WINDOW_MS})(toUInt64(toUnixTimestamp64Milli(time)), {conds}) AS level,
           argMin({BREAKDOWN}, time) AS bd
    FROM {table}
    WHERE event IN ({_in_list()})
    GROUP BY user_id
)
GROUP BY GROUPING SETS ((bd), ())
ORDER BY step1 DESC
FORMAT JSONCompact
"""


def rows_to_counts(rows):
    """[(breakdown, s1, s2, s3, s4), ...] -> {breakdown: [s1..s4]}."""
    return {str(r[0]): [int(x) for x in r[1:5]] for r in rows}


def reference(events):
    """Plain Python funnel over an iterable of (user, t_ms, event, breakdown).

    Tries every step-0 event of every user (quadratic per user; only for
    small files) and returns {breakdown: [s1..s4]} with '(all)'."""
    by_user = {}
    for user, t, ev, bd in events:
        if ev in STEPS:
            by_user.setdefault(user, []).append((t, STEPS.index(ev), bd))
    out = {}
    for evs in by_user.values():
        evs.sort()
        level = 0
        for i, (t0, k, _) in enumerate(evs):
            if k != 0:
                continue
            reach, last = 1, t0
            for t, kk, _ in evs[i + 1:]:
                if t - t0 > WINDOW_MS:
                    break
                if kk == reach and t >= last:
                    reach, last = reach + 1, t
                    if reach == len(STEPS):
                        break
            level = max(level, reach)
        if level == 0:
            continue
        bd = evs[0][2] or "(none)"
        for key in (ALL, bd):
            c = out.setdefault(key, [0] * len(STEPS))
            for k in range(level):
                c[k] += 1
    return out
