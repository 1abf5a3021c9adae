# The two commands that matter: `make serve` (the playground) and `make test` (everything).
# Both install what they need first (scripts/bootstrap.sh, idempotent).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ROOT := $(abspath .)
export PATH := $(HOME)/.cargo/bin:$(ROOT)/.tools/node_modules/.bin:$(PATH)
ADDRESS ?= 127.0.0.1
PORT ?= 8080
LAB_OUT := $(ROOT)/target/lab

.PHONY: serve dist test bootstrap-web bootstrap-test lint unit web-build lab e2e fuzz fuzz-smoke bench

bootstrap-web:
	@scripts/bootstrap.sh web

bootstrap-test:
	@scripts/bootstrap.sh test

## Build and serve the playground on http://127.0.0.1:8080
serve: bootstrap-web
	trunk serve --release --offline --address $(ADDRESS) --port $(PORT)

## Build the static site into dist/ (relative URLs: works from any host and sub-path)
dist: bootstrap-web web-build

web-build:
	trunk build --release --offline --public-url ./
	@scripts/size-report.sh dist

## Run every test: format, lints, Rust tests, wasm release build, real-nginx lab, browser end-to-end
test: bootstrap-test lint unit web-build lab e2e
	@echo "make test: all steps passed"

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --exclude badgateway-web --all-targets -- -D warnings
	cargo clippy -p badgateway-web --target wasm32-unknown-unknown -- -D warnings

unit:
	BADGATEWAY_REQUIRE_NGINX=1 cargo test --workspace --exclude badgateway-web

## Capture every lab scenario afresh from real nginx and backends, then diagnose them
lab:
	cargo build -q -p badgateway
	python3 tests/lab/lab.py check --bin target/debug/badgateway --dir tests/fixtures/scenarios
	rm -rf $(LAB_OUT) && python3 tests/lab/lab.py capture --out $(LAB_OUT)
	python3 tests/lab/lab.py check --bin target/debug/badgateway --dir $(LAB_OUT)

e2e:
	cargo build -q -p badgateway
	node --test tests/e2e/

## Fuzz every parser and the whole diagnosis (by hand; FUZZ_SECONDS per target, default 600).
## Needs the nightly toolchain and cargo-fuzz (installed on first use).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := config listeners log paste diagnosis
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  mkdir -p corpus-work/$$t && cp -n corpus/$$t/* corpus-work/$$t/ 2>/dev/null; \
	  cargo +nightly fuzz run -O $$t corpus-work/$$t -- -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=16384 -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 || exit 1; \
	done

## A short run of each target over the committed corpus (a smoke test, not a search).
fuzz-smoke:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  rm -rf /tmp/bg-fuzz-$$t && mkdir -p /tmp/bg-fuzz-$$t; \
	  cargo +nightly fuzz run -O $$t /tmp/bg-fuzz-$$t corpus/$$t -- -runs=2000 -max_len=16384 \
	    -rss_limit_mb=2048 -timeout=20 || exit 1; \
	done

bench:
	cargo bench --workspace --exclude badgateway-web
