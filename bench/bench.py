#!/usr/bin/env python3
"""Stepwise benchmark: import and funnel, beside DuckDB, ClickHouse (chdb)
and sqlite3, on the project's generated clickstream, in one run.

    python3 bench/bench.py [--events N] [--seed S] [--runs 3] [--out DIR]
                           [--skip-import] [--skip-funnel] [--regenerate]

Usually started through bench/run.sh (which builds the release binaries
first) or `make bench`. See bench/README.md for what each figure means.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import queries  # noqa: E402


# ---------------------------------------------------------------------------
# Setup

def ensure_python_packages():
    """Installs duckdb, chdb and psutil with pip when they are missing."""
    missing = []
    for mod in ("duckdb", "chdb", "psutil"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        print(f"installing {' '.join(missing)} with pip ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *missing])


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def stepwise_bin():
    return os.path.join(target_dir(), "release", "stepwise")


def example_bin(name):
    return os.path.join(target_dir(), "release", "examples", name)


_supports = {}


def cli_supports(command):
    """Whether the built `stepwise` CLI lists this subcommand in its help
    (and documents it: `stepwise COMMAND --help` succeeds and says something)."""
    if command not in _supports:
        exe = stepwise_bin()
        ok = False
        if os.path.exists(exe):
            top = subprocess.run([exe, "--help"], capture_output=True, text=True)
            listed = any(line.split()[:1] == [command] for line in top.stdout.splitlines())
            if listed:
                r = subprocess.run([exe, command, "--help"], capture_output=True, text=True)
                ok = r.returncode == 0 and bool(r.stdout.strip())
        _supports[command] = ok
    return _supports[command]


# ---------------------------------------------------------------------------
# Measuring a process: wall time and peak resident memory

LAST_CPU = [0.0]


def measure(cmd, cwd=None):
    """Runs cmd; returns (wall seconds, peak RSS bytes, stdout). The CPU
    seconds (user + system, all threads) of the last call are kept in
    LAST_CPU.

    Peak RSS comes from GNU time (-v) when present, else from polling the
    process tree with psutil every 10 ms."""
    if os.path.exists("/usr/bin/time"):
        with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
            t = time.perf_counter()
            r = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name, *cmd], cwd=cwd,
                               capture_output=True, text=True)
            wall = time.perf_counter() - t
            check(r, cmd)
            rss, cpu = 0, 0.0
            for line in open(tf.name):
                if "Maximum resident set size" in line:
                    rss = int(line.rsplit(":", 1)[1]) * 1024
                elif "User time (seconds)" in line or "System time (seconds)" in line:
                    cpu += float(line.rsplit(":", 1)[1])
        LAST_CPU[0] = cpu
        return wall, rss, r.stdout
    import psutil

    t = time.perf_counter()
    p = psutil.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, cpu = 0, 0.0
    while p.poll() is None:
        try:
            procs = [p] + p.children(recursive=True)
            peak = max(peak, sum(q.memory_info().rss for q in procs))
            cpu = max(cpu, sum(sum(q.cpu_times()[:2]) for q in procs))
        except psutil.Error:
            pass
        time.sleep(0.01)
    out, err = p.communicate()
    wall = time.perf_counter() - t
    check(subprocess.CompletedProcess(cmd, p.returncode, out, err), cmd)
    LAST_CPU[0] = cpu
    return wall, peak, out


def check(r, cmd):
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.strip()}")


def last_json(stdout):
    """The JSON object a command printed last (pretty or on one line),
    after any other output."""
    s = stdout.strip()
    dec = json.JSONDecoder()
    starts = [i for i in range(len(s)) if s[i] == "{" and (i == 0 or s[i - 1] == "\n")]
    for i in starts:
        try:
            obj, end = dec.raw_decode(s, i)
        except json.JSONDecodeError:
            continue
        if not s[end:].strip():
            return obj
    raise ValueError(f"no JSON in output: {s[:300]}")


def du(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(d, f))
            except OSError:
                pass
    return total


def remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    for suffix in ("", "-wal", "-shm", "-journal", ".wal"):
        if os.path.isfile(path + suffix):
            os.remove(path + suffix)


# ---------------------------------------------------------------------------
# Data

def generate(events, seed, path, regenerate):
    """Writes the clickstream with `stepwise generate` (or the engine's
    example until the CLI has it). Reuses a file made with the same options."""
    sidecar = path + ".json"
    source = os.path.join(ROOT, "crates", "engine", "src", "generate.rs")
    version = hashlib.sha256(open(source, "rb").read()).hexdigest()[:16] \
        if os.path.exists(source) else None
    if not regenerate and os.path.exists(path) and os.path.exists(sidecar):
        meta = json.load(open(sidecar))
        if meta.get("events") == events and meta.get("seed") == seed \
                and meta.get("bytes") == os.path.getsize(path) \
                and meta.get("generator_source") == version:
            print(f"reusing {path} ({events:,} events)", flush=True)
            return meta
    if cli_supports("generate"):
        cmd = [stepwise_bin(), "generate", "--events", str(events), "--seed", str(seed),
               "--out", path]
    else:
        cmd = [example_bin("generate"), "--events", str(events), "--seed", str(seed),
               "--out", path]
    print(f"generating {events:,} events -> {path} ...", flush=True)
    wall, _, out = measure(cmd)
    try:
        meta = last_json(out)
    except ValueError:
        meta = {}
    meta.update({"events": events, "seed": seed, "bytes": os.path.getsize(path),
                 "generate_seconds": wall, "generator_source": version})
    json.dump(meta, open(sidecar, "w"), indent=1)
    return meta


# ---------------------------------------------------------------------------
# The engines

def stepwise_import(csv, ws, name):
    """Imports with `stepwise import FILE --name N --json --workspace W`, or
    with the engine's `import` example (same arguments) until the CLI has it."""
    remove(ws)
    if cli_supports("import"):
        cmd = [stepwise_bin(), "import", csv, "--name", name, "--json", "--workspace", ws]
        how = "stepwise import"
    else:
        cmd = [example_bin("import"), csv, "--name", name, "--json", "--workspace", ws]
        how = "engine example `import` (CLI has no import yet)"
    wall, rss, out = measure(cmd)
    info = last_json(out)
    if "datasets" in info:  # the CLI prints {"datasets": [info]}
        info = info["datasets"][0]
    return {"engine": "Stepwise", "how": how, "seconds": wall, "cpu": LAST_CPU[0], "rss": rss,
            "rows": info.get("rows"), "disk": du(ws)}


def duckdb_import(csv, db):
    remove(db)
    wall, rss, out = measure([sys.executable, "engines.py", "duckdb-import", csv, db], cwd=HERE)
    r = json.loads(out)
    return {"engine": "DuckDB", "how": "CREATE TABLE AS SELECT * FROM read_csv(...)",
            "seconds": r["seconds"], "cpu": r["cpu"], "process_seconds": wall, "rss": rss,
            "rows": r["rows"], "disk": du(db)}


def sqlite_import(csv, db):
    remove(db)
    exe = shutil.which("sqlite3")
    if not exe:
        return None
    wall, rss, _ = measure([exe, db, f".import --csv {csv} events"])
    rows = int(subprocess.run([exe, db, "SELECT count(*) FROM events"], capture_output=True,
                              text=True).stdout.strip() or 0)
    return {"engine": "sqlite3 .import", "how": "sqlite3 db '.import --csv FILE events'",
            "seconds": wall, "cpu": LAST_CPU[0], "rss": rss, "rows": rows, "disk": du(db)}


def chdb_import(csv, path):
    remove(path)
    wall, rss, out = measure([sys.executable, "engines.py", "chdb-import", csv, path], cwd=HERE)
    r = json.loads(out)
    return {"engine": "chdb (MergeTree)", "how": "INSERT INTO MergeTree SELECT FROM file(...)",
            "seconds": r["seconds"], "cpu": r["cpu"], "process_seconds": wall, "rss": rss,
            "rows": r["rows"], "disk": du(path)}


def stepwise_funnel_counts(result):
    """{breakdown: [count per step]} from `stepwise funnel --json` output."""
    if "steps" not in result and isinstance(result.get("funnel"), dict):
        result = result["funnel"]
    counts = {queries.ALL: [int(s["count"]) for s in result["steps"]]}
    for b in result.get("breakdown") or []:
        value = "(none)" if b["value"] is None else str(b["value"])
        counts[value] = [int(s["count"]) for s in b["steps"]]
    return counts


def stepwise_index_cache(ws):
    """The on-disk analysis index cache beside a workspace file (see
    docs/architecture.md): deleting it makes the next query build the
    index from the stored column chunks."""
    return ws + ".index"


def stepwise_funnel_once(cmd):
    """One `stepwise funnel --json` process: (process wall s, cpu s, rss,
    result JSON, in-process first-query s, in-process repeated-query s)."""
    wall, rss, out = measure(cmd)
    cpu = LAST_CPU[0]
    r = last_json(out)
    timing = r.get("timing") or {}
    first = timing.get("first_ms")
    again = timing.get("query_ms", r.get("elapsed_ms"))
    return (wall, cpu, rss, r,
            float(first) / 1000 if first is not None else None,
            float(again) / 1000 if again is not None else None)


def stepwise_funnel(ws, dataset, spec_path, runs):
    """HOOK for the funnel engine. Three figures, each from fresh
    `stepwise funnel SPEC --json --workspace W` processes:

    - cold: the index cache folder is deleted first, so the process opens
      the workspace, builds the analysis index from the stored column
      chunks (and writes the cache), then runs the funnel;
    - cached: `runs` more processes with the cache present (open, map the
      cached index, run the funnel); the best is kept;
    - repeated: the same query again inside each process, on the index in
      memory (what the app pays on every edit); the best is kept.

    The first-query figures are Stepwise's own in-process timing (from
    before opening the workspace to the result), like DuckDB's and chdb's
    which are taken inside an already started interpreter; the process
    wall times are kept beside them. Returns None while the CLI has no
    `funnel` command."""
    if not cli_supports("funnel"):
        return None
    json.dump(queries.stepwise_spec(dataset), open(spec_path, "w"), indent=1)
    cmd = [stepwise_bin(), "funnel", spec_path, "--json", "--workspace", ws]
    remove(stepwise_index_cache(ws))
    wall, cpu, rss, result, first, again = stepwise_funnel_once(cmd)
    out = {"engine": "Stepwise", "first": first if first is not None else wall,
           "first_cpu": cpu, "first_process": wall, "rss": rss,
           "counts": stepwise_funnel_counts(result),
           "times": [again] if again is not None else []}
    cached, cached_process, cached_cpu = [], [], []
    for _ in range(runs):
        wall, cpu, rss2, r2, first, again = stepwise_funnel_once(cmd)
        if stepwise_funnel_counts(r2) != out["counts"]:
            out["counts_differ_cached"] = stepwise_funnel_counts(r2)
        cached.append(first if first is not None else wall)
        cached_process.append(wall)
        cached_cpu.append(cpu)
        if again is not None:
            out["times"].append(again)
        out["rss"] = max(out["rss"], rss2)
    out["first_cached"] = min(cached) if cached else None
    out["first_cached_process"] = min(cached_process) if cached_process else None
    out["first_cached_cpu"] = min(cached_cpu) if cached_cpu else None
    out["cached_runs"] = cached
    if out["times"]:
        out["in_process"] = min(out["times"])
    return out


def duckdb_funnel(db, runs):
    wall, rss, out = measure([sys.executable, "engines.py", "duckdb-funnel", db, str(runs)],
                             cwd=HERE)
    r = json.loads(out)
    r.update({"engine": "DuckDB (SQL, ASOF joins)", "rss": rss})
    return r


def chdb_funnel(path, runs):
    wall, rss, out = measure([sys.executable, "engines.py", "chdb-funnel", path, str(runs)],
                             cwd=HERE)
    r = json.loads(out)
    r.update({"engine": "ClickHouse windowFunnel (chdb)", "rss": rss})
    return r


# ---------------------------------------------------------------------------
# Printing

def mb(n):
    return f"{n / 1e6:,.0f} MB" if n else "-"


def ratio_text(other, ours):
    """How many times faster Stepwise is (other / ours)."""
    if not other or not ours:
        return "-"
    return f"{other / ours:.2f}x"


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line.format(*[str(x) for x in r]))


def print_import(results, rows, csv_bytes):
    print(f"\nIMPORT  {rows:,} events, CSV {csv_bytes / 1e6:,.0f} MB "
          f"(wall time; ratio = other engine's time / Stepwise's)")
    ours = results[0]["seconds"] if results[0]["engine"] == "Stepwise" else None
    out = []
    for r in results:
        out.append([r["engine"], f"{r['seconds']:.2f}", f"{r.get('cpu', 0):.2f}",
                    f"{r['rows'] / r['seconds']:,.0f}",
                    mb(r["rss"]), mb(r["disk"]),
                    "1.00x" if r["engine"] == "Stepwise" else ratio_text(r["seconds"], ours),
                    "" if r["rows"] == rows else f"ROWS {r['rows']:,}!"])
    table(["engine", "seconds", "cpu s", "rows/s", "peak RSS", "on disk", "Stepwise faster by", ""],
          out)
    for r in results:
        print(f"  {r['engine']}: {r['how']}")
    by = {r["engine"]: r for r in results}
    if "Stepwise" in by:
        s = by["Stepwise"]
        goals = []
        if "DuckDB" in by:
            q = by["DuckDB"]["seconds"] / s["seconds"]
            goals.append(f"faster than DuckDB: {'yes' if q > 1 else 'NO'} ({q:.2f}x)")
        if "sqlite3 .import" in by:
            q = by["sqlite3 .import"]["seconds"] / s["seconds"]
            goals.append(f">4x faster than sqlite3: {'yes' if q > 4 else 'NO'} ({q:.2f}x)")
        goals.append(f"peak RSS < 1.5 GB: {'yes' if s['rss'] < 1.5e9 else 'NO'} ({mb(s['rss'])})")
        print("goals (issue 3): " + "; ".join(goals))


def print_funnel(results, events):
    print(f"\nFUNNEL  {' > '.join(queries.STEPS)}, ordered, 7-day window, users, "
          f"by {queries.BREAKDOWN}")
    ours = next((r for r in results if r["engine"] == "Stepwise"), None)
    out = []
    for r in results:
        best = min(r["times"]) if r["times"] else None
        row = [r["engine"], f"{r['first'] * 1000:,.1f}", f"{r.get('first_cpu', 0) * 1000:,.0f}",
               f"{best * 1000:,.1f}" if best else "-", mb(r.get("rss"))]
        if ours and r is not ours:
            row += [ratio_text(r["first"], ours["first"]),
                    ratio_text(best, min(ours["times"]) if ours["times"] else None)]
        else:
            row += ["1.00x" if ours else "-", "1.00x" if ours else "-"]
        out.append(row)
    table(["engine", "first ms", "first cpu ms", "best ms", "peak RSS",
           "Stepwise faster (first)", "(best)"], out)
    if ours and "in_process" in ours:
        print(f"  Stepwise figures are its own in-process timing, like DuckDB's and chdb's; "
              f"its \"first\" here is with no index cache (the index is built; process wall "
              f"{(ours.get('first_process') or 0) * 1000:.0f} ms), \"best\" the query on the "
              f"index in memory ({ours['in_process'] * 1000:.1f} ms)")
    if not ours:
        print("  Stepwise: `stepwise funnel` is not in the CLI yet; hook: bench.py stepwise_funnel()")
    else:
        print_stepwise_first(ours, [r for r in results if r is not ours])

    # Counts, side by side.
    keys = []
    for r in results:
        for k in r["counts"]:
            if k not in keys:
                keys.append(k)
    print("\ncounts per step (users)")
    out = []
    for k in keys:
        for r in results:
            c = r["counts"].get(k)
            out.append([k, r["engine"], *(f"{x:,}" for x in c)] if c else
                       [k, r["engine"], "-", "-", "-", "-"])
    table(["breakdown", "engine", *queries.STEPS], out)
    ref = results[0]["counts"]
    same = all(r["counts"] == ref for r in results)
    print("counts equal across engines: " + ("yes" if same else "NO, they differ"))
    if ours:
        others = [r for r in results if r is not ours]
        goals = []
        for r in others:
            q = r["first"] / ours["first"]
            goals.append(f"10x faster than {r['engine'].split()[0]} (first query, no cache): "
                         f"{'yes' if q >= 10 else 'NO'} ({q:.1f}x)")
            if ours.get("first_cached"):
                q = r["first"] / ours["first_cached"]
                goals.append(f"(first query, index cached): {'yes' if q >= 10 else 'NO'} ({q:.1f}x)")
            if ours["times"] and r["times"]:
                q = min(r["times"]) / min(ours["times"])
                goals.append(f"(best of runs): {'yes' if q >= 10 else 'NO'} ({q:.1f}x)")
        if events <= 1_000_000:
            t = ours.get("in_process", min(ours["times"]) if ours["times"] else ours["first"])
            goals.append(f"funnel on {events:,} events under 50 ms: "
                         f"{'yes' if t < 0.05 else 'NO'} ({t * 1000:.1f} ms)")
        print("goals (issue 4): " + "; ".join(goals))
    return same


def print_stepwise_first(ours, others):
    """Stepwise's three figures (cold first query, first query with the
    index cache on disk, repeated query), each against DuckDB's and chdb's
    first and best queries."""
    def ms(x):
        return f"{x * 1000:,.1f}" if x is not None else "-"
    print("\nStepwise, first query in a new process and repeated query "
          "(in-process timing; process wall in brackets)")
    rows = [
        ["first query, no index cache (build)", ms(ours.get("first")),
         ms(ours.get("first_process")), f"{ours.get('first_cpu', 0) * 1000:,.0f}", "first"],
        ["first query, index cache on disk", ms(ours.get("first_cached")),
         ms(ours.get("first_cached_process")),
         f"{(ours.get('first_cached_cpu') or 0) * 1000:,.0f}", "first"],
        ["repeated query, index in memory", ms(ours.get("in_process")), "-", "-", "best"],
    ]
    out = []
    for label, t, wall, cpu, against in rows:
        row = [label, t, wall, cpu]
        for r in others:
            theirs = r["first"] if against == "first" else (min(r["times"]) if r["times"] else None)
            mine = {"first query, no index cache (build)": ours.get("first"),
                    "first query, index cache on disk": ours.get("first_cached"),
                    "repeated query, index in memory": ours.get("in_process")}[label]
            row.append(ratio_text(theirs, mine))
        out.append(row)
    table(["Stepwise", "ms", "process ms", "cpu ms",
           *[f"vs {r['engine'].split()[0]} ({'first' if i < 2 else 'best'})"
             for i, r in enumerate(others)]], out)
    print("  ratios: the other engine's first query (rows 1-2) or best repeated "
          "query (row 3) / Stepwise's")
    if "counts_differ_cached" in ours:
        print("  WARNING: the cached index gave other counts than the built one")


# ---------------------------------------------------------------------------

def stepwise_report(ws, dataset, runs):
    """A 12-chart client report on the imported data, exported as PDF, in one
    process: the first build (which also builds the analysis indexes), then
    `runs` builds on the built index (issue 6: under 1 s)."""
    binary = example_bin("report_speed")
    if not os.path.exists(binary):
        print("  (no report_speed example; build it with bench/run.sh)")
        return None
    pdf = os.path.join(os.path.dirname(ws), "bench-report.pdf")
    r = subprocess.run([binary, ws, dataset, str(max(1, runs)), pdf],
                       capture_output=True, text=True)
    check(r, [binary, ws, dataset])
    res = last_json(r.stdout)
    res["pdf"] = pdf
    return res


def print_report(r):
    if not r:
        return
    best = r["best_total_ms"]
    print(f"\nreport: {r['charts']} charts on {r['pages']} pages, PDF {r['pdf_bytes'] / 1024:.0f} KiB")
    print(f"  first export after opening (builds the indexes): {r['first_ms'] / 1000:.2f} s")
    print(f"  on the built index: best {best:.0f} ms "
          f"(analyses {min(r['build_ms']):.0f} ms + PDF {min(r['pdf_ms']):.0f} ms); "
          f"runs {', '.join(f'{t:.0f}' for t in r['total_ms'])} ms; goal < 1000 ms: "
          + ("met" if best < 1000 else "NOT met"))


# ---------------------------------------------------------------------------
# The other analyses (issue 17): persona, comparison, impact, paths and
# retention, each a whole `stepwise` process on the imported workspace (its
# index from the disk cache), as the app's commands run them

def analysis_specs(dataset):
    funnel = queries.stepwise_spec(dataset)
    plain = {k: v for k, v in funnel.items() if k != "breakdown"}
    return [
        ("segment", "persona: filter users who viewed 2+ items",
         {"name": "Filter users", "dataset": dataset, "conditions": [
             {"did": {"event": "use_filter"}}, {"did": {"event": "view_item"}, "at_least": 2}]}),
        ("compare", "comparison by device_category",
         {"funnel": plain, "by": queries.BREAKDOWN}),
        ("impact", "impact: every action before a purchase",
         {"dataset": dataset, "goal": {"event": "purchase"}, "candidates": "auto"}),
        ("paths", "paths: 5 levels after the funnel's step 2",
         {"dataset": dataset, "from": {"funnel": plain, "step": 1}, "levels": 5, "by": "event"}),
        ("retention", "retention: weekly returns to purchase",
         {"dataset": dataset, "cohort": "first_seen", "return": {"event": "purchase"},
          "interval": "week"}),
    ]


def stepwise_analyses(ws, dataset, out, runs):
    rows = []
    for command, what, spec in analysis_specs(dataset):
        if not cli_supports(command):
            continue
        path = os.path.join(out, f"analysis-{command}.json")
        json.dump(spec, open(path, "w"), indent=1)
        cmd = [stepwise_bin(), command, path, "--json", "--workspace", ws]
        walls, rss = [], 0
        for _ in range(max(1, runs)):
            wall, r, _out = measure(cmd)
            walls.append(wall)
            rss = max(rss, r)
        rows.append({"command": command, "what": what, "seconds": min(walls),
                     "runs": walls, "rss": rss})
    return rows


def print_analyses(rows):
    if not rows:
        return
    print("\nanalyses (Stepwise, whole process, index from the disk cache; best of the runs):")
    table(["analysis", "seconds", "peak RSS"],
                [[r["what"], f"{r['seconds']:.2f}", mb(r["rss"])] for r in rows])


def print_growth(out):
    """Stepwise's figures at every size this folder has results for (1M,
    10M, 100M), and the growth per tenfold: about 10x is linear, above 10x
    something grows faster than the data."""
    sizes = []
    for tag in ("1m", "10m", "100m"):
        p = os.path.join(out, f"results-{tag}.json")
        if os.path.exists(p):
            sizes.append((tag, json.load(open(p))))
    if len(sizes) < 2:
        return
    def ours(r, key):
        return next((x for x in r.get(key) or [] if x and x.get("engine") == "Stepwise"), None)
    metrics = [
        ("import s", lambda r: (ours(r, "import") or {}).get("seconds")),
        ("import peak RSS MB", lambda r: (ours(r, "import") or {}).get("rss", 0) / 1e6 or None),
        ("first funnel, index cached, ms", lambda r: ((ours(r, "funnel") or {}).get("first_cached") or 0) * 1000 or None),
        ("funnel on the loaded index, ms", lambda r: ((ours(r, "funnel") or {}).get("in_process") or 0) * 1000 or None),
        ("report on the built index, ms", lambda r: (r.get("report") or {}).get("best_total_ms")),
    ]
    for a in sizes[-1][1].get("analyses") or []:
        metrics.append((f"{a['command']} s", lambda r, c=a["command"]: next(
            (x["seconds"] for x in r.get("analyses") or [] if x["command"] == c), None)))
    header = ["figure"] + [t.upper() for t, _ in sizes] + \
        [f"x per 10x ({a.upper()}->{b.upper()})" for (a, _), (b, _) in zip(sizes, sizes[1:])]
    rows = []
    for name, f in metrics:
        vals = [f(r) for _, r in sizes]
        if all(v is None for v in vals):
            continue
        cells = [name] + ["-" if v is None else f"{v:,.2f}" if v < 100 else f"{v:,.0f}" for v in vals]
        for (ta, ra), (tb, rb), va, vb in zip(sizes, sizes[1:], vals, vals[1:]):
            if va and vb:
                per10 = (vb / va) ** (1 / max(1e-9, __import__("math").log10(rb["events"] / ra["events"])))
                cells.append(f"{per10:.1f}x")
            else:
                cells.append("-")
        rows.append(cells)
    print("\ngrowth (Stepwise; linear is 10x per tenfold of the data):")
    table(header, rows)


# ---------------------------------------------------------------------------
# Value per step (issue 14): the value table with a what-if, "as well as a
# persona" and "as well as a column's value" what-ifs, each with the
# opportunities, ICE and wasted traffic, against the funnel itself

def value_specs(dataset):
    """The value specs timed: the bench funnel without its breakdown, the
    generated `value` column as the order value."""
    funnel = {k: v for k, v in queries.stepwise_spec(dataset).items() if k != "breakdown"}
    base = dict(funnel, value={"column": "value"}, effort={"2": 3, "3": 5, "4": 8})
    return [
        ("table + what-if +10% + wasted",
         dict(base, what_if={"step": 2, "relative": 0.1})),
        ("what-if like persona (use_filter)",
         dict(base, what_if={"step": 2, "like": {"segment": {
             "name": "Filter users", "conditions": [{"did": {"event": "use_filter"}}]}}})),
        ("what-if like device_category = desktop",
         dict(base, what_if={"step": 2, "like": {"column": queries.BREAKDOWN, "value": "desktop"}})),
    ]


def stepwise_value(ws, dataset, out, runs):
    """`stepwise value SPEC --json` processes on the built index cache; each
    reports (its `timing`) the whole value run (funnel + per-unit outcome
    pass + goal values + what-if + opportunities + ICE + wasted traffic) and
    the funnel alone on the same in-memory index; the best of `runs` + 1
    processes is kept, with the process's peak RSS. Issue 14's goals: value
    within 100 ms of the funnel, wasted traffic under 1 s (it is inside the
    value run), memory under 1 GB."""
    if not cli_supports("value"):
        print("  (the CLI has no value command)")
        return None
    rows = []
    for i, (name, spec) in enumerate(value_specs(dataset)):
        path = os.path.join(out, f"value-spec-{i}.json")
        json.dump(spec, open(path, "w"), indent=1)
        cmd = [stepwise_bin(), "value", path, "--json", "--workspace", ws]
        value_ms, funnel_ms, rss, what = [], [], 0, None
        for _ in range(max(1, runs) + 1):
            _, peak, stdout = measure(cmd)
            r = last_json(stdout)
            value_ms.append(float(r["timing"]["value_ms"]))
            funnel_ms.append(float(r["timing"]["funnel_ms"]))
            rss = max(rss, peak)
            w = r.get("what_if") or {}
            what = {"extra_goals": w.get("extra_goals"), "goals": r.get("goals"),
                    "non_converters": r.get("non_converters")}
        rows.append({"name": name, "value_ms": min(value_ms), "funnel_ms": min(funnel_ms),
                     "value_runs": value_ms, "funnel_runs": funnel_ms, "rss": rss,
                     "result": what})
    return rows


def print_value(rows):
    if not rows:
        return
    print("\nvalue per step (stepwise value, best of the processes, on the index in memory):")
    table(["spec", "funnel ms", "value ms", "value - funnel", "peak RSS"],
          [[r["name"], f"{r['funnel_ms']:.0f}", f"{r['value_ms']:.0f}",
            f"{r['value_ms'] - r['funnel_ms']:+.0f}", mb(r["rss"])] for r in rows])
    worst = max(r["value_ms"] - r["funnel_ms"] for r in rows)
    print(f"  goals: value within 100 ms of the funnel: {'met' if worst <= 100 else 'NOT met'} "
          f"(worst {worst:+.0f} ms); wasted traffic (inside the value run) under 1 s: "
          f"{'met' if max(r['value_ms'] for r in rows) < 1000 else 'NOT met'}; memory under 1 GB: "
          f"{'met' if max(r['rss'] for r in rows) < 1 << 30 else 'NOT met'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=3, help="repeats after the first query")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--skip-import", action="store_true",
                    help="reuse the databases of a previous run")
    ap.add_argument("--skip-funnel", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--skip-report", action="store_true")
    ap.add_argument("--skip-value", action="store_true")
    ap.add_argument("--skip-analyses", action="store_true",
                    help="no persona, comparison, impact, paths and retention figures")
    ap.add_argument("--only-stepwise", action="store_true",
                    help="no DuckDB, sqlite3 or chdb (import and funnel): Stepwise's own figures")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--check-sql", action="store_true",
                    help="first check the DuckDB/ClickHouse SQL against the reference")
    args = ap.parse_args()

    ensure_python_packages()
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)
    tag = f"{args.events // 1_000_000}m" if args.events % 1_000_000 == 0 else str(args.events)
    csv = os.path.join(out, f"events-{tag}.csv")
    ws = os.path.join(out, f"bench-{tag}.stepwise")
    duck = os.path.join(out, f"bench-{tag}.duckdb")
    sqlite = os.path.join(out, f"bench-{tag}.sqlite")
    chdir = os.path.join(out, f"bench-{tag}.chdb")
    dataset = "events"

    import chdb
    import duckdb

    print(f"Stepwise benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
          f"{platform.platform()}; {os.cpu_count()} cores; duckdb {duckdb.__version__}, "
          f"chdb {chdb.__version__}, {subprocess.run(['sqlite3', '--version'], capture_output=True, text=True).stdout.split(' ')[0] if shutil.which('sqlite3') else 'no sqlite3'}",
          flush=True)
    if args.check_sql:
        r = subprocess.run([sys.executable, "check_sql.py"], cwd=HERE)
        if r.returncode != 0:
            raise SystemExit("the benchmark's SQL disagrees with the reference")

    meta = generate(args.events, args.seed, csv, args.regenerate)
    results = {"events": args.events, "seed": args.seed, "csv_bytes": meta["bytes"],
               "generator": meta}
    if meta.get("conversion") is None and meta.get("users"):
        # plain GenStats (e.g. from `stepwise generate --json`): derive the rates
        def lift(b_in, n_in):
            rest = (meta["purchasers"] - b_in) / max(1, meta["users"] - n_in)
            return (b_in / max(1, n_in)) / rest if rest else 0.0
        meta["conversion"] = meta["purchasers"] / meta["users"]
        meta["filter_lift"] = lift(meta["filter_purchasers"], meta["filter_users"])
        meta["newsletter_lift"] = lift(meta["newsletter_purchasers"], meta["newsletter_users"])
    if meta.get("conversion") is not None:
        print(f"data: {meta.get('users', 0):,} users, {meta.get('sessions', 0):,} sessions, "
              f"{meta.get('purchasers', 0):,} buyers ({meta['conversion'] * 100:.2f}%), "
              f"filter users buy {meta.get('filter_lift', 0):.2f}x as often, "
              f"newsletter {meta.get('newsletter_lift', 0):.2f}x")

    if not args.skip_import:
        imports = []
        steps = [("Stepwise", lambda: stepwise_import(csv, ws, dataset)),
                 ("DuckDB", lambda: duckdb_import(csv, duck)),
                 ("sqlite3", lambda: None if args.skip_sqlite else sqlite_import(csv, sqlite)),
                 ("chdb", lambda: chdb_import(csv, chdir))]
        if args.only_stepwise:
            steps = steps[:1]
        for name, fn in steps:
            print(f"import: {name} ...", flush=True)
            r = fn()
            if r:
                imports.append(r)
        print_import(imports, args.events, meta["bytes"])
        results["import"] = imports

    if not args.skip_funnel:
        funnels = []
        print("\nfunnel: Stepwise ...", flush=True)
        s = stepwise_funnel(ws, dataset, os.path.join(out, "funnel-spec.json"), args.runs)
        if s:
            funnels.append(s)
        if not args.only_stepwise:
            print("funnel: DuckDB ...", flush=True)
            funnels.append(duckdb_funnel(duck, args.runs))
            print("funnel: chdb ...", flush=True)
            funnels.append(chdb_funnel(chdir, args.runs))
        results["funnel"] = funnels
        results["funnel_counts_equal"] = print_funnel(funnels, args.events)

    if not args.skip_value:
        print("\nvalue: Stepwise ...", flush=True)
        results["value"] = stepwise_value(ws, dataset, out, args.runs)
        print_value(results["value"])

    if not args.skip_analyses:
        print("\nanalyses: Stepwise ...", flush=True)
        results["analyses"] = stepwise_analyses(ws, dataset, out, args.runs)
        print_analyses(results["analyses"])

    if not args.skip_report:
        print("\nreport: Stepwise ...", flush=True)
        results["report"] = stepwise_report(ws, dataset, args.runs)
        print_report(results["report"])

    path = os.path.join(out, f"results-{tag}.json")
    if os.path.exists(path):  # keep the parts this run skipped
        old = json.load(open(path))
        for key in ("import", "funnel", "funnel_counts_equal", "report", "value", "analyses"):
            if key not in results and key in old and old.get("events") == args.events:
                results[key] = old[key]
    json.dump(results, open(path, "w"), indent=1)
    print_growth(out)
    print(f"\nresults: {path}")


if __name__ == "__main__":
    main()
