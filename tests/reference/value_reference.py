"""Reference values for crates/engine/tests/value_real.rs.

Computes the value table of docs/value.md on the REES46 store export
(../shared/data/real/datasets/rees46_ecommerce_events_2019-10_head.csv)
with plain Python (csv, statistics; no engine code, no third-party
package) and prints the Rust constants the test holds, to paste there
unchanged.

The funnel is view -> cart -> purchase, ordered, counting users, the
default 14-day window (the file spans under three hours, so the window
never ends an attempt). Per user, events are taken in (time, first step
matched, row) order, as docs/funnel.md orders events at one instant; the
counted attempt takes each next step's first event after the previous
step's (the attempt that reaches the furthest step first). The goal event
is that attempt's purchase; its `price` is the order value.

Run: python3 tests/reference/value_reference.py [PATH-TO-real-data-folder]
"""
import csv
import math
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../shared/data/real")
FILE = os.path.join(REAL, "datasets/rees46_ecommerce_events_2019-10_head.csv")

STEPS = ["view", "cart", "purchase"]
CONFIDENCE = 0.95
WHAT_IF_STEP = 2  # numbered from 1
WHAT_IF_RELATIVE = 0.1
OPPORTUNITY = 0.1
TOP = 5
Z = statistics.NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)


def wilson(x, n):
    p = x / n
    z2 = Z * Z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return p, max(center - half, 0.0), min(center + half, 1.0)


def times_aov(r, aov, se):
    """(value, low, high) of r * aov: the rate's interval and the average's
    normal half-width combined by the delta method, one side at a time."""
    v, lo, hi = r
    spread = abs(v) * Z * se
    return (
        v * aov,
        v * aov - math.hypot(aov * (v - lo), spread),
        v * aov + math.hypot(aov * (hi - v), spread),
    )


def scale(e, k):
    a, b = e[1] * k, e[2] * k
    return (e[0] * k, min(a, b), max(a, b))


def main():
    users = {}
    with open(FILE, newline="") as f:
        for row_no, r in enumerate(csv.DictReader(f)):
            uid = r["user_id"]
            t = r["event_time"]  # "YYYY-MM-DD HH:MM:SS UTC": sorts as text
            step = STEPS.index(r["event_type"]) if r["event_type"] in STEPS else len(STEPS)
            price = float(r["price"]) if r["price"] else None
            users.setdefault(uid, []).append((t, step, row_no, r["event_type"], price))

    k = len(STEPS)
    counts = [0] * k
    goal_values = []
    stopped = [dict() for _ in range(k - 1)]  # level -> last event -> users
    first_t, last_t = None, None
    for evs in users.values():
        evs.sort()
        # the last event in (time, row) order: the index's order
        last_ev = max(evs, key=lambda e: (e[0], e[2]))
        first_t = min(first_t or evs[0][0], evs[0][0])
        last_t = max(last_t or last_ev[0], last_ev[0])
        level, goal = -1, None
        for e in evs:
            if e[1] == level + 1:
                level += 1
                if level == k - 1:
                    goal = e
                    break
        for q in range(level + 1):
            counts[q] += 1
        if level == k - 1:
            goal_values.append(goal[4])
        elif level >= 0:
            d = stopped[level]
            d[last_ev[3]] = d.get(last_ev[3], 0) + 1

    goals = counts[-1]
    aov = statistics.fmean(goal_values)
    se = statistics.stdev(goal_values) / math.sqrt(len(goal_values))
    days = 1 + (int(last_t[8:10]) - int(first_t[8:10]))  # one month in the cut

    print("// printed by tests/reference/value_reference.py")
    print(f"const COUNTS: [u64; {k}] = {counts};")
    print(f"const AOV: f64 = {aov!r};")
    print(f"const AOV_SE: f64 = {se!r};")
    print(f"const DAYS: u64 = {days};")
    print("// per step: goal rate, its low and high; value per unit, low, high")
    print(f"const STEPS: [[f64; 6]; {k}] = [")
    for n in counts:
        g = wilson(goals, n)
        v = times_aov(g, aov, se)
        print(f"    [{g[0]!r}, {g[1]!r}, {g[2]!r}, {v[0]!r}, {v[1]!r}, {v[2]!r}],")
    print("];")

    def what_if(step, x):
        prev, at = counts[step - 2], counts[step - 1]
        c = at / prev
        after = c * (1 + x)
        if after <= 1:
            eg = scale(wilson(goals, prev), x * prev)
            eg = (x * goals, eg[1], eg[2])  # x * prev * goals / prev
        else:
            eg = scale(wilson(goals, at), prev * (1 - c))
        ev = times_aov(eg, aov, se)
        return eg, ev

    eg, ev = what_if(WHAT_IF_STEP, WHAT_IF_RELATIVE)
    print("// what-if: extra goals value, low, high; extra value value, low, high")
    print(f"const WHAT_IF: [f64; 6] = [{eg[0]!r}, {eg[1]!r}, {eg[2]!r}, {ev[0]!r}, {ev[1]!r}, {ev[2]!r}];")
    opps = sorted(
        ((s,) + what_if(s, OPPORTUNITY) for s in range(2, k + 1)),
        key=lambda o: (-o[2][0], -o[2][1], o[0]),
    )
    print(f"const OPPORTUNITY_STEPS: [usize; {k - 1}] = {[o[0] for o in opps]};")
    print("// wasted: per step, (last event, users), top 5 then Other")
    print(f"const WASTED: [&[(&str, u64)]; {k - 1}] = [")
    for d in stopped:
        named = sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))
        rest = sum(n for _, n in named[TOP:])
        items = named[:TOP] + ([("Other", rest)] if rest else [])
        print("    &[" + ", ".join(f'("{v}", {n})' for v, n in items) + "],")
    print("];")


if __name__ == "__main__":
    main()
