#!/usr/bin/env bash
# The whole SwarmEdge test suite, on a fresh Debian machine as root or on one an earlier run left state on:
# sets up what the tests need (Debian packages, dockerd, a one-node swarm, lab images), builds the
# solution, runs the unit tests and the integration tests against the real swarm, and ends with one line:
#   N passed, N failed[, N skipped]
# Exit status: 0 only when every test ran and passed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
results="$root/artifacts/test-results"
rm -rf "$results" "$root/artifacts/measurements.log"
mkdir -p "$results"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "tests: the .NET 10 SDK is required (dotnet on PATH)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

if ! tests/lab/swarm-up.sh; then
  echo "tests: the swarm lab could not be set up" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

if ! dotnet build SwarmEdge.sln -c Release -nologo -v q; then
  echo "tests: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# The integration tests run SwarmEdge as it ships: the Native AOT binary (and the lab's image copies it).
rm -rf artifacts/publish-linux-x64
if ! dotnet publish src/SwarmEdge -c Release -r linux-x64 -o artifacts/publish-linux-x64 -nologo -v q; then
  echo "tests: publish failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# The unit tests first (SwarmEdge's, then bench-tool's), the integration tests last.
test_projects=(tests/SwarmEdge.Tests benchmarks/SwarmEdge.BenchTool.Tests tests/SwarmEdge.IntegrationTests)
projects=()
for path in "${test_projects[@]}"; do projects+=("$(basename "$path")"); done

status=0
for path in "${test_projects[@]}"; do
  project=$(basename "$path")
  echo "tests: running $project" >&2
  dotnet test "$path" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$project.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" 2>&1 | tee "$results/$project.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done

passed=0; failed=0; skipped=0
for project in "${projects[@]}"; do
  trx="$results/$project.trx"
  counters="$(grep -o '<Counters [^>]*>' "$trx" 2>/dev/null || true)"
  if [ -z "$counters" ]; then
    echo "tests: $project produced no results (crashed?)" >&2
    failed=$((failed + 1)); status=1
    continue
  fi
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + $(value notExecuted)))
done

if [ -s "$root/artifacts/measurements.log" ]; then
  echo "--- measurements ---"
  cat "$root/artifacts/measurements.log"
fi

# The failures again at the end, where a reader of the last lines of the output looks first.
for project in "${projects[@]}"; do
  if grep -q '^  Failed ' "$results/$project.log" 2>/dev/null; then
    echo "--- failed in $project ---"
    grep -A 25 '^  Failed ' "$results/$project.log" | grep -v '^  Passed ' | head -150
  fi
done

[ "$failed" -eq 0 ] || status=1
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
