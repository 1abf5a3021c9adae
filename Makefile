# The two commands that matter: `make serve` (the playground) and `make test` (everything).
# Both install what they need first (scripts/bootstrap.sh, idempotent).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ROOT := $(abspath .)
export PATH := $(HOME)/.cargo/bin:$(ROOT)/.tools/node_modules/.bin:$(PATH)
ADDRESS ?= 127.0.0.1
PORT ?= 8080
LAB_OUT := $(ROOT)/target/lab

.PHONY: serve dist test bootstrap-web bootstrap-test lint unit web-build lab e2e fuzz bench clean-lab

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

bench:
	cargo bench --workspace --exclude badgateway-web
