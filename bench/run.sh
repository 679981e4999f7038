#!/usr/bin/env bash
# Stepwise benchmark: builds the release binaries, then runs bench/bench.py
# (generate the clickstream, import it with Stepwise, DuckDB, sqlite3 and
# chdb, run the same funnel in Stepwise, DuckDB and ClickHouse/chdb).
#
#   bench/run.sh                      # 10 million events (long on 2 cores)
#   bench/run.sh --events 1000000     # 1 million
#   bench/run.sh --help               # every option
#
# Data and databases go to bench/out/ (git-ignored), results to
# bench/out/results-<size>.json. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
    exec python3 bench/bench.py --help
fi

echo "building release binaries ..." >&2
# The CLI (stepwise generate/import/funnel). While it lacks a command the
# harness falls back to the engine's examples, so a CLI that does not build
# yet does not stop the benchmark.
if ! cargo build --release -q -p stepwise-cli; then
    echo "warning: the stepwise CLI did not build; using the engine's examples" >&2
fi
cargo build --release -q -p stepwise-engine --example generate --example import --example report_speed

command -v sqlite3 >/dev/null || echo "note: no sqlite3 on PATH (Debian: apt-get install sqlite3); its row is skipped" >&2
exec python3 bench/bench.py "$@"
