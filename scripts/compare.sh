#!/usr/bin/env bash
# Times `badgateway diagnose` against real `nginx -t` and `crossplane parse` (PyPI, in a
# throwaway virtualenv) on the same generated config, several runs each, and prints medians
# and ratios. Run by hand (not part of `make test`): it builds release binaries and is slow.
#
#   scripts/compare.sh                 # 100k-line dump + 100k-line (~32 MB) log, 5 runs
#   RUNS=9 CONFIG_LINES=10000 LOG_LINES=10000 scripts/compare.sh
#   SHAPE=plain scripts/compare.sh     # issue 18's plain servers (listen, server_name,
#                                      # proxy_pass locations; no regexes, maps, upstreams)
#   CROSSPLANE=0 scripts/compare.sh    # without crossplane (saves its runs)
#
# The machine may be shared: the load average is printed before and after, and the table
# gives CPU time (user+sys) beside wall time; CPU time is the steadier figure under load.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
CONFIG_LINES=${CONFIG_LINES:-100000}
LOG_LINES=${LOG_LINES:-100000}
SHAPE=${SHAPE:-mixed}
CROSSPLANE=${CROSSPLANE:-1}
case "$SHAPE" in
  mixed) shape_arg=() ;;
  plain) shape_arg=(plain) ;;
  *) echo "SHAPE is mixed or plain, not $SHAPE" >&2; exit 2 ;;
esac
WORK=${WORK:-/tmp/badgateway-compare}
VENV=${VENV:-/tmp/badgateway-crossplane-venv}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/perf}
export PATH="$HOME/.cargo/bin:$PATH"

echo "== build (release)" >&2
cargo build -q --release -p badgateway
cargo build -q --release -p badgateway-core --example gen_inputs
BIN=$CARGO_TARGET_DIR/release/badgateway
GEN=$CARGO_TARGET_DIR/release/examples/gen_inputs

echo "== generate $CONFIG_LINES config lines ($SHAPE), $LOG_LINES log lines in $WORK" >&2
rm -rf "$WORK"
"$GEN" "$WORK" "$CONFIG_LINES" "$LOG_LINES" "${shape_arg[@]}" >&2

if [ "$CROSSPLANE" = 1 ] && [ ! -x "$VENV/bin/crossplane" ]; then
  echo "== crossplane into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q crossplane
fi

# Real nginx must accept the generated config, or the comparison means nothing.
nginx -t -q -p "$WORK" -c "$WORK/nginx.conf" 2>&1 | grep -v 'could not build optimal' >&2 || true
nginx -t -q -p "$WORK" -c "$WORK/nginx.conf" 2>/dev/null || { echo "nginx -t refuses the generated config" >&2; exit 1; }

# run NAME CMD...: RUNS timed runs; prints "NAME wall cpu rss" with medians (s, s, MB).
results=()
run() {
  local name=$1; shift
  local walls=() cpus=() rsss=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$WORK/.time" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || true
    read -r wall user sys rss < <(tail -1 "$WORK/.time")
    walls+=("$wall"); cpus+=("$(echo "$user + $sys" | bc)"); rsss+=("$rss")
  done
  local mw mc mr
  mw=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mc=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mr=$(printf '%s\n' "${rsss[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.1f", a[NR]/1024}')
  results+=("$name|$mw|$mc|$mr")
  echo "   $name: wall ${walls[*]}  cpu ${cpus[*]}" >&2
}

dump=$WORK/dump.txt
cfg_mb=$(stat -c %s "$dump" | awk '{printf "%.2f", $1/1e6}')
log_mb=$(stat -c %s "$WORK/error.log" | awk '{printf "%.2f", $1/1e6}')
lst_mb=$(stat -c %s "$WORK/listeners.txt" | awk '{printf "%.2f", $1/1e6}')

echo "load before: $(uptime)"
echo "== $RUNS runs each" >&2
run "nginx -t (config files)" nginx -t -q -p "$WORK" -c "$WORK/nginx.conf"
if [ "$CROSSPLANE" = 1 ]; then
  run "crossplane parse (config files)" "$VENV/bin/crossplane" parse "$WORK/nginx.conf"
fi
run "badgateway diagnose --config dump" "$BIN" diagnose --config "$dump" --format json
run "badgateway diagnose dump+log" "$BIN" diagnose --config "$dump" --log "$WORK/error.log" --format json
run "badgateway diagnose dump+listeners+log" "$BIN" diagnose --config "$dump" --listeners "$WORK/listeners.txt" --log "$WORK/error.log" --format json
run "grep -c (log, yardstick)" grep -c 'upstream' "$WORK/error.log"
echo "load after:  $(uptime)"

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "inputs ($SHAPE): dump $(wc -l <"$dump") lines ($cfg_mb MB, $(find "$WORK" -name '*.conf' | wc -l) files), log $(wc -l <"$WORK/error.log") lines ($log_mb MB), listeners $(wc -l <"$WORK/listeners.txt") lines ($lst_mb MB)"
echo
nginx_wall=$(echo "${results[0]}" | cut -d'|' -f2)
nginx_cpu=$(echo "${results[0]}" | cut -d'|' -f3)
printf '%-42s %10s %10s %10s %12s %12s\n' "command (median of $RUNS)" "wall s" "cpu s" "max RSS MB" "wall/nginx" "cpu/nginx"
for r in "${results[@]}"; do
  IFS='|' read -r name wall cpu rss <<<"$r"
  printf '%-42s %10s %10s %10s %12s %12s\n' "$name" "$wall" "$cpu" "$rss" \
    "$(echo "scale=3; $wall / $nginx_wall" | bc)" "$(echo "scale=3; $cpu / ($nginx_cpu + 0.0001)" | bc)"
done
