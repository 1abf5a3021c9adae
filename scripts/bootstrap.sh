#!/usr/bin/env bash
# Installs what `make serve` / `make test` need, idempotently: each step first checks
# whether its tool is already there at the pinned version, so a warm run costs seconds.
#
#   scripts/bootstrap.sh web    wasm target, trunk, wasm-bindgen CLI, wasm-opt, the editor's npm packages
#   scripts/bootstrap.sh test   web + Debian packages (nginx, backends, Chromium) + e2e node modules + mdbook
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=versions.env
. "$root/scripts/versions.env"
tools="$root/.tools"
export PATH="$HOME/.cargo/bin:$tools/node_modules/.bin:$PATH"

say() { printf '[bootstrap] %s\n' "$*" >&2; }

need_root_cmd() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

wasm_target() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then return; fi
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
}

trunk_tool() {
  if trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then return; fi
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install --locked "trunk@$TRUNK_VERSION" --no-default-features --features rustls
}

wasm_bindgen_tool() {
  local locked
  locked=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' "$root/Cargo.lock" 2>/dev/null || true)
  if [ -n "$locked" ] && [ "$locked" != "$WASM_BINDGEN_VERSION" ]; then
    say "Cargo.lock has wasm-bindgen $locked but scripts/versions.env pins $WASM_BINDGEN_VERSION: make them equal"
    exit 1
  fi
  if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then return; fi
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes)"
  # Not --locked: the registry copy lacks a pinned dependency of it.
  cargo install --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
}

# mdBook builds the docs page tests/e2e/embed.test.mjs embeds a case into (a real docs tool).
mdbook_tool() {
  if mdbook --version 2>/dev/null | grep -q " v$MDBOOK_VERSION\$"; then return; fi
  say "installing mdbook $MDBOOK_VERSION (about 20 minutes on 2 busy cores)"
  cargo install --locked "mdbook@$MDBOOK_VERSION" --no-default-features --features search
}

node_tools() {
  local want_pw="${1:-}"
  mkdir -p "$tools"
  if [ ! -f "$tools/package.json" ]; then
    printf '{ "name": "badgateway-tools", "private": true }\n' > "$tools/package.json"
  fi
  local pkgs=()
  if ! "$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    pkgs+=("binaryen@$BINARYEN_VERSION")
  fi
  if [ -n "$want_pw" ] && [ "$(node -p "require('$tools/node_modules/playwright-core/package.json').version" 2>/dev/null)" != "$PLAYWRIGHT_CORE_VERSION" ]; then
    pkgs+=("playwright-core@$PLAYWRIGHT_CORE_VERSION")
  fi
  if [ -n "$want_pw" ] && [ "$(node -p "require('$tools/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$AXE_CORE_VERSION" ]; then
    pkgs+=("axe-core@$AXE_CORE_VERSION")
  fi
  if [ ${#pkgs[@]} -gt 0 ]; then
    say "npm install ${pkgs[*]}"
    (cd "$tools" && npm install --no-audit --no-fund --silent "${pkgs[@]}")
  fi
}

# The editor bundle's packages (CodeMirror, esbuild, terser), pinned by
# web/editor/package-lock.json, in a tools folder of their own: scripts/build-editor.sh reads
# them from there.
editor_modules() {
  local dir="$tools/editor"
  if [ -x "$dir/node_modules/.bin/esbuild" ] && [ -x "$dir/node_modules/.bin/terser" ] && cmp -s "$root/web/editor/package-lock.json" "$dir/package-lock.json"; then return; fi
  say "npm ci the editor bundle's packages (web/editor/package-lock.json)"
  mkdir -p "$dir"
  cp "$root/web/editor/package.json" "$root/web/editor/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --silent)
  cp "$root/web/editor/package-lock.json" "$dir/package-lock.json"
}

apt_packages() {
  local missing=()
  for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return; fi
  say "apt-get install ${missing[*]}"
  need_root_cmd apt-get update -qq
  need_root_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

case "${1:-test}" in
  web)
    wasm_target; trunk_tool; wasm_bindgen_tool; node_tools; editor_modules ;;
  test)
    apt_packages; wasm_target; trunk_tool; wasm_bindgen_tool; node_tools playwright; editor_modules; mdbook_tool ;;
  *)
    say "usage: $0 web|test"; exit 2 ;;
esac
