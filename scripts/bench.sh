#!/usr/bin/env bash
# Reproduces the figures in bench/RESULTS.md (issue 9). Takes about 15 minutes on 2 cores; run it on a quiet machine
# (check `uptime`) — every harness line prints the load average it ran under.
#   bash scripts/bench.sh            everything
#   bash scripts/bench.sh short      BenchmarkDotNet short job only (iteration while changing the hot path)
#   bash scripts/bench.sh soak       the memory target in real time: the web app for an hour at 5,000 events/s
set -euo pipefail
cd "$(dirname "$0")/.."
run() { dotnet run -c Release --no-build --project ArbBot.Benchmarks -- "$@"; }
dotnet build ArbBot.Benchmarks -c Release -v q
echo "commit $(git rev-parse --short HEAD); $(grep -m1 'model name' /proc/cpuinfo); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${1:-}" = "short" ]; then
  run micro --filter '*' --job short --inProcess --artifacts artifacts/bench
  exit 0
fi

dir="${TMPDIR:-/tmp}/arbbot-bench"; mkdir -p "$dir"
if [ "${1:-}" = "soak" ]; then
  # The real app (hub, strategies, risk, paper execution, SQLite writer, dashboard feed with 10 clients) on the real
  # clock for an hour at 5,000 events/s over the recording's 1,000 markets and 500 pairs; exits 1 if memory grew.
  [ -f "$dir/hour-5k.abrec" ] || run generate --out "$dir/hour-5k.abrec" --events 18000000 --rate 5000
  run soak --in "$dir/hour-5k.abrec" --rate 5000 --seconds 3600 --clients 10
  exit 0
fi
# 1. Micro-benchmarks (normal job): book delta, strategies on a book update, risk gate, recording write/read.
run micro --filter '*' --inProcess --artifacts artifacts/bench
# 2. Whole-desk replay throughput: 1,000 markets (2,000 books), 500 approved pairs, 10 million events at 50,000/s.
[ -f "$dir/replay-10m.abrec" ] || run generate --out "$dir/replay-10m.abrec" --events 10000000 --rate 50000
run replay --in "$dir/replay-10m.abrec" --memory-events 2000000
# 3. Event in -> first leg sent under a live load of 50,000 events/s (edges 10x more frequent, so p99 has samples).
[ -f "$dir/live.abrec" ] || run generate --out "$dir/live.abrec" --events 1500000 --rate 50000 --dislocations 50
run latency --in "$dir/live.abrec" --rate 50000 --seconds 20
# 3b. The same load into the real web app's hub, with 0, 100, then 0 SignalR dashboard clients (engine p99 ratio).
run fanout --in "$dir/live.abrec" --rate 50000 --seconds 12 --clients 100
# 4. Memory: an hour at 5,000 events/s, compressed by the replay clock (18 million events), resident memory per 1M;
#    and a real-time minute at 5,000 events/s.
[ -f "$dir/hour-5k.abrec" ] || run generate --out "$dir/hour-5k.abrec" --events 18000000 --rate 5000
run replay --in "$dir/hour-5k.abrec" --memory-events 1000 --chunk 1000000
run load --in "$dir/live.abrec" --rate 5000 --seconds 60
# 5. Persistence: 20,000 records/s through the engine journal into SQLite.
run persist --rate 20000 --seconds 10
