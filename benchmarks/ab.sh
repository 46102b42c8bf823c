#!/usr/bin/env bash
# Interleaved rounds of benchmarks/run.sh --only swarmedge under several settings, for the cost of one setting:
#   benchmarks/ab.sh ROUNDS NAME=ASSIGNMENTS [NAME=ASSIGNMENTS ...]   (ASSIGNMENTS: shell syntax, exported)
# e.g. benchmarks/ab.sh 3 plain= log="BENCH_SWARMEDGE_ARGS='--SwarmEdge:AccessLog:Enabled=true --SwarmEdge:AccessLog:Path=/var/tmp/a.log'"
# Runs A B C A B C ...; each run's SwarmEdge line of results/latest.csv goes to artifacts/bench/ab.csv, prefixed
# with the time, round and variant name. AB_RUN_ARGS: more run.sh arguments for every run (e.g. "--warmup 60"). The node-loss scenario is off (BENCH_NODE_LOSS=0). results/latest.* are
# put back as they were afterwards: an A/B run is reported on its own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=${1:?rounds}; shift
[ $# -ge 2 ] || { echo "ab: give at least two NAME='VAR=value ...' variants" >&2; exit 2; }
out="$root/artifacts/bench/ab.csv"
mkdir -p "$(dirname "$out")"
: >"$out"
for ((r = 1; r <= rounds; r++)); do
  for variant in "$@"; do
    name=${variant%%=*} settings=${variant#*=}
    echo "ab: round $r $name ($settings)" >&2
    ( eval "export $settings"; read -r -a more <<<"${AB_RUN_ARGS:-}"; BENCH_NODE_LOSS=0 "$root/benchmarks/run.sh" --only swarmedge "${more[@]}" ) >"$root/artifacts/bench/ab-$r-$name.log" 2>&1 \
      || { tail -5 "$root/artifacts/bench/ab-$r-$name.log" >&2; exit 1; }
    echo "$(date -u +%H:%M) round $r $name $(grep '^swarmedge,' "$root/benchmarks/results/latest.csv")" | tee -a "$out"
  done
done
git -C "$root" checkout -- benchmarks/results/latest.md benchmarks/results/latest.csv benchmarks/results/latest.png
