#!/usr/bin/env bash
# Instructions the log reader spends on one generated log in each paste form of the benches
# (crates/core/benches/paste_forms.rs), counted by callgrind: exact and the same on a loaded
# machine, where wall-clock benches swing 2-3x. Each form: (read + re-paste + parse) minus
# (read + re-paste), so only `log::parse` is counted. Prints "instructions  ratio-to-plain  form".
#
#   scripts/forms-callgrind.sh [LOG_LINES]     (default 10000: ~3 MB, ~5 s per form)
set -euo pipefail
lines="${1:-10000}"
cd "$(dirname "$0")/.."
cargo build --release -q -p badgateway-core --example parse_log --example gen_inputs
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
target/release/examples/gen_inputs "$dir" 1000 "$lines" > /dev/null
bin=target/release/examples/parse_log
count() {
  valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" "$bin" "$dir/error.log" "$1" "$2" 2>&1 |
    awk '/refs/ { gsub(",", "", $NF); print $NF }'
}
plain=$(( $(count 1 "0 plain") - $(count 0 "0 plain") ))
"$bin" "$dir/error.log" 1 list | while IFS= read -r form; do
  n=$(( $(count 1 "$form") - $(count 0 "$form") ))
  awk -v n="$n" -v p="$plain" -v f="$form" 'BEGIN { printf "%12d  %.2fx  %s\n", n, n / p, f }'
done
