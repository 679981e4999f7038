# Benchmark targets, included from the root Makefile.
#   make bench                       10 million events (BENCH_EVENTS)
#   make bench BENCH_EVENTS=1000000  1 million
#   make bench-check                 the harness's SQL against its reference
BENCH_EVENTS ?= 10000000
BENCH_ARGS ?=

.PHONY: bench bench-small bench-check
bench:
	bench/run.sh --events $(BENCH_EVENTS) $(BENCH_ARGS)

bench-small:
	bench/run.sh --events 1000000 $(BENCH_ARGS)

bench-check:
	cd bench && python3 check_sql.py
