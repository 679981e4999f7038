# Benchmark targets, included from the root Makefile.
#   make bench                       10 million events (BENCH_EVENTS)
#   make bench BENCH_EVENTS=1000000  1 million
#   make bench-check                 the harness's SQL against its reference
#   make bench-100m                  1M, 10M and 100M events, and the growth
#                                    between them (about an hour; ~30 GB disk)
BENCH_EVENTS ?= 10000000
BENCH_ARGS ?=

.PHONY: bench bench-small bench-check bench-100m
bench:
	bench/run.sh --events $(BENCH_EVENTS) $(BENCH_ARGS)

bench-small:
	bench/run.sh --events 1000000 $(BENCH_ARGS)

bench-check:
	cd bench && python3 check_sql.py

# sqlite3's row is skipped (an hour of .import at 100M, and not a rival);
# each size keeps its results-<size>.json, the last run prints the growth
bench-100m:
	bench/run.sh --events 1000000 --skip-sqlite $(BENCH_ARGS)
	bench/run.sh --events 10000000 --skip-sqlite $(BENCH_ARGS)
	bench/run.sh --events 100000000 --skip-sqlite --runs 2 $(BENCH_ARGS)
