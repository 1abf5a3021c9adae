#!/usr/bin/env bash
# Prints the gzipped weight of the built page (html, js, wasm, css) and fails above the budget.
set -euo pipefail
dir="${1:-dist}"
# Issue 8's target is 350 KB. Since the firewall, remote-host and resolver work (session 2)
# the page is ~362 KB and the target is missed (docs/performance.md says by how much and
# what was tried); this guard stops further growth without pretending the target is met.
budget=$((360 * 1024))
total=0
while IFS= read -r -d '' f; do
  size=$(gzip -9 -c "$f" | wc -c)
  total=$((total + size))
  printf '  %8d B gz  %s\n' "$size" "${f#"$dir"/}"
done < <(find "$dir" -type f \( -name '*.html' -o -name '*.js' -o -name '*.wasm' -o -name '*.css' \) -print0 | sort -z)
printf 'page weight: %d bytes gzipped (budget %d)\n' "$total" "$budget"
if [ "$total" -gt "$budget" ]; then echo "page is over the 360 KiB gzipped budget" >&2; exit 1; fi
