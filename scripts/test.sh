#!/usr/bin/env bash
# Runs every test of the desk, the same way on a laptop, a fresh machine and CI.
# On a fresh Debian machine it first installs what the build and tests use (Node.js and npm to restore the chart
# library, Debian's chromium for the browser tests, PostgreSQL for the database tests) with apt-get; extra arguments go to `dotnet test` (e.g. --filter ...).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v npm >/dev/null || missing+=(nodejs npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} with apt-get..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
dotnet test ArbBot.sln -c Release --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=$?

# Regression guard (issue 9): a few seconds of whole-desk replay; fails if throughput drops below a tenth of the target.
if [ -z "${ARBBOT_SKIP_BENCH_SMOKE:-}" ]; then
  dotnet run -c Release --project ArbBot.Benchmarks -- smoke || status=$?
fi

# One plain closing line for whoever reads the log.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
exit "$status"
