#!/usr/bin/env bash
# Interleaved rounds of benchmarks/run.sh over several proxies, for ratios measured in one sitting:
#   benchmarks/rounds.sh ROUNDS [run.sh arguments, e.g. --only swarmedge,yarp,haproxy]
# Each round runs every proxy once in run.sh's order (A B C A B C ...); BENCH_SCENARIOS defaults to
# "baseline throughput" (the per-request cost). Every round's lines of results/latest.csv go to
# artifacts/bench/rounds.csv, prefixed with the round; the medians per proxy and their ratios to HAProxy (when it
# ran) are printed and written to artifacts/bench/rounds.md. results/latest.* are put back as they were.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=${1:?rounds}; shift
[[ $rounds =~ ^[0-9]+$ ]] || { echo "rounds: ROUNDS is a whole number (0: summarise the last run again)" >&2; exit 2; }
out="$root/artifacts/bench/rounds.csv"
mkdir -p "$(dirname "$out")"
[ "$rounds" = 0 ] || : >"$out"
export BENCH_SCENARIOS="${BENCH_SCENARIOS:-baseline throughput}" BENCH_NODE_LOSS="${BENCH_NODE_LOSS:-0}"
for ((r = 1; r <= rounds; r++)); do
  echo "rounds: round $r of $rounds ($(date -u +%H:%M))" >&2
  "$root/benchmarks/run.sh" "$@" >"$root/artifacts/bench/rounds-$r.log" 2>&1 \
    || { tail -5 "$root/artifacts/bench/rounds-$r.log" >&2; exit 1; }
  # Quoted fields (labels with commas) become "-": the columns below are read by position.
  tail -n +2 "$root/benchmarks/results/latest.csv" | sed -e 's/"[^"]*"/-/g' -e "s/^/$r,/" >>"$out"
done
[ "$rounds" = 0 ] || git -C "$root" checkout -- benchmarks/results/latest.md benchmarks/results/latest.csv benchmarks/results/latest.png

# Columns of latest.csv (after the round): proxy, label, req/s, p50, p99, direct, ratio, cpu user, cpu system, rss.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { awk -F, -v p="$1" -v c="$2" '$2 == p { print $c }' "$out"; }
cpu() { awk -F, -v p="$1" '$2 == p { print $9 + $10 }' "$out"; }
{
  echo "| proxy | rounds | req/s (median) | p99 ms (median) | CPU µs/request (median) | peak RSS MiB (median) | CPU per round |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
  declare -A rps p99 us
  for p in $(awk -F, '{ print $2 }' "$out" | awk '!seen[$0]++'); do
    rps[$p]=$(column "$p" 4 | median); p99[$p]=$(column "$p" 6 | median); us[$p]=$(cpu "$p" | median)
    echo "| $p | $(column "$p" 4 | wc -l) | ${rps[$p]} | ${p99[$p]} | ${us[$p]} | $(column "$p" 11 | median) | $(cpu "$p" | paste -sd' ') |"
  done
  if [ -n "${us[haproxy]:-}" ]; then
    echo
    echo "Ratios to HAProxy (medians): "
    for p in "${!us[@]}"; do
      [ "$p" = haproxy ] && continue
      awk -v p="$p" -v c="${us[$p]}" -v hc="${us[haproxy]}" -v r="${rps[$p]}" -v hr="${rps[haproxy]}" \
          -v q="${p99[$p]}" -v hq="${p99[haproxy]}" \
        'BEGIN { printf "- %s: CPU per request %.2fx, req/s %.2fx, p99 %.2fx\n", p, c / hc, r / hr, q / hq }'
    done
  fi
} | tee "$root/artifacts/bench/rounds.md"
