# Stepwise — the two commands of the README, and the pieces they are made of.
#   make run    installs what the app needs (Debian packages, npm), builds it, starts it
#   make test   installs that plus the test tools, and runs every test
# Other targets: make bundle (installers), make bundle-test, make bench (benchmarks), make e2e,
# make fuzz (the import fuzzers, FUZZ_SECONDS each).

SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO   ?= cargo
NPM     ?= npm
UI      := ui
TAURI   := $(CURDIR)/$(UI)/node_modules/.bin/tauri
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian/Ubuntu packages the desktop app builds against.
APP_DEBS  := libwebkit2gtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev \
             build-essential file pkg-config
# And what the tests drive it with.
TEST_DEBS := webkit2gtk-driver xvfb poppler-utils qpdf sqlite3 xauth xclip

help:
	@echo "make run     build and start the desktop app (installs what is missing)"
	@echo "make test    run every test: fmt, clippy, engine, CLI, ui, end-to-end"
	@echo "make bundle  build the installers (.deb, .rpm) into target/release/bundle"
	@echo "make bundle-test  build the .deb, install it, start it, uninstall it"
	@echo "make bench   run the benchmarks against DuckDB, ClickHouse (chdb) and sqlite3"
	@echo "make fuzz    run each import fuzz target for FUZZ_SECONDS (default 300) s"

# ---- set-up ---------------------------------------------------------------
define install_debs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

deps-app:
	@command -v dpkg-query >/dev/null || { echo "Not a Debian/Ubuntu system: install the packages in README.md by hand."; exit 0; }
	$(call install_debs,$(APP_DEBS))

deps-test: deps-app
	$(call install_debs,$(TEST_DEBS))
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked
	@python3 -c 'import duckdb, chdb' 2>/dev/null || python3 -m pip install -q duckdb chdb || python3 -m pip install -q --break-system-packages duckdb chdb

ui-deps: $(UI)/node_modules/.package-lock.json
$(UI)/node_modules/.package-lock.json: $(UI)/package-lock.json
	cd $(UI) && $(NPM) ci --no-audit --no-fund
	@touch $@

# ---- run ------------------------------------------------------------------
run: deps-app ui-deps
	$(TAURI) build --no-bundle
	./target/release/stepwise-desktop

# .deb and .rpm build offline; an AppImage needs linuxdeploy and AppRun from
# GitHub (network), so it is left out. Windows/macOS: see README (Installers).
bundle: deps-app ui-deps
	$(TAURI) build --bundles deb,rpm
	@ls -1 target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm

# ---- test -----------------------------------------------------------------
test: deps-test ui-deps
	cd $(UI) && $(NPM) run build
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) build -p stepwise-cli
	$(CARGO) test --workspace
	@if [ -n "$$(git status --porcelain -- $(UI)/src/lib/bindings)" ]; then echo "ui/src/lib/bindings is stale: commit the regenerated TypeScript bindings"; git status --short -- $(UI)/src/lib/bindings; exit 1; fi
	cd $(UI) && $(NPM) run check && STEPWISE_CLI=$(CURDIR)/target/debug/stepwise $(NPM) test
	$(MAKE) e2e
	$(MAKE) bundle-test

# The real app, built as a user gets it (bundled front end), driven through
# tauri-driver + WebKitWebDriver under Xvfb.
e2e: deps-test ui-deps
	$(TAURI) build --debug --no-bundle
	$(CARGO) build -p stepwise-cli
	STEPWISE_APP=$(CURDIR)/target/debug/stepwise-desktop STEPWISE_CLI=$(CURDIR)/target/debug/stepwise \
	  xvfb-run -a -s "-screen 0 1400x900x24" node --test --test-concurrency=1 tests/e2e/

# The installer, as a user gets it: build the .deb, dpkg -i, start the
# installed app (plain and through WebDriver), dpkg -r. Needs root or sudo.
bundle-test: deps-test ui-deps
	tests/bundle/deb.sh

# ---- fuzz -----------------------------------------------------------------
# One target at a time (fuzzing takes a whole core), each for FUZZ_SECONDS,
# growing its corpus in fuzz/corpus/<target>. A crash stops the run and is
# saved in fuzz/artifacts/<target>/; keep it as a regression seed in
# crates/engine/tests/fuzz_seeds/<target>/ (see docs/import.md, Fuzzing).
# make fuzz-cmin minimises the corpora before they are committed (keeping the
# hand-made seeds of fuzz/make_seeds.py, which the stable tests read by name).
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= csv_sniffer xlsx json_flattener import_store
FUZZ_FLAGS   ?= -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
# no sanitizer by default: ~2,000-4,000 inputs/s instead of ~150 with ASan
# (the engine's import code is safe Rust but for two from_utf8_unchecked);
# FUZZ_SAN=address for an AddressSanitizer run
FUZZ_SAN     ?= none

fuzz-deps:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked

fuzz: fuzz-deps
	cd fuzz && $(CARGO) +nightly fuzz build -O -s $(FUZZ_SAN)
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  echo "== $$t: $(FUZZ_SECONDS) s"; \
	  mkdir -p work/$$t; \
	  nice -n 10 $(CARGO) +nightly fuzz run -O -s $(FUZZ_SAN) $$t work/$$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) || exit 1; \
	done

fuzz-cmin: fuzz-deps
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  rm -rf cmin/$$t && mkdir -p cmin/$$t work/$$t; \
	  nice -n 10 $(CARGO) +nightly fuzz run -O -s $(FUZZ_SAN) $$t cmin/$$t corpus/$$t work/$$t -- \
	    -set_cover_merge=1 -rss_limit_mb=2048 -max_len=65536 || exit 1; \
	  find corpus/$$t -type f -regextype egrep -regex '.*/[0-9a-f]{40}' -delete; \
	  for f in corpus/$$t/*; do rm -f cmin/$$t/$$(sha1sum < $$f | cut -c1-40); done; \
	  cp cmin/$$t/* corpus/$$t/ 2>/dev/null; \
	  echo "== $$t: $$(ls corpus/$$t | wc -l) inputs kept"; \
	done

-include bench/bench.mk

.PHONY: help deps-app deps-test ui-deps run bundle bundle-test test e2e fuzz fuzz-deps fuzz-cmin
