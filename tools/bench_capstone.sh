#!/usr/bin/env bash
# bench_capstone.sh: how long chapter 8's capstone takes (not a test: timings
# vary between machines, so no test asserts them; the graded tests' own
# 5-second limit is the assertion, and chapter 8 quotes these figures).
#
# Builds the reference solutions' capstone tests and demo, then times, over
# REPS repetitions (default 5):
#   - each whole-run graded test (load the digits, train 30 epochs, evaluate
#     after each), as Criterion reports it, one test at a time (-j1);
#   - the whole demo (22 training runs: the comparison, the schedule, the
#     learning-rate sweep, the weights).
#
# Usage: tools/bench_capstone.sh [REPS]      (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
build=build/solutions
make --no-print-directory -s "$build/bin/capstone-tests" \
    "$build/bin/capstone-demo"

echo "capstone benchmark: $reps repetitions, $(nproc) CPUs, $(uname -m)"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null)
echo "cpu: ${cpu%%$'\n'*}"

# Per-test seconds from Criterion's verbose log: "[PASS] suite::name: (0.07s)".
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for _ in $(seq "$reps"); do
    "$build/bin/capstone-tests" -j1 --verbose --filter 'capstone/*_run_*' \
        2>&1 | sed -n 's/^\[\(PASS\|FAIL\)\] capstone::\([a-z_0-9]*\): '\
'(\([0-9.]*\)s)$/\2 \3 \1/p' >>"$tmp"
done
echo
echo "whole-run graded tests (limit 5 s each;" \
    "min / max seconds over $reps runs):"
sort "$tmp" | awk '
    { t = $2 + 0
      if (!($1 in lo) || t < lo[$1]) lo[$1] = t
      if (!($1 in hi) || t > hi[$1]) hi[$1] = t
      if ($3 != "PASS") bad[$1] = 1 }
    END { for (k in lo)
              printf "  %-48s %.2f / %.2f%s\n", k, lo[k], hi[k],
                     (k in bad) ? "  (FAILED)" : "" }' | sort

echo
echo "whole demo, 22 training runs (wall seconds per run of the demo):"
out=$(mktemp -d)
trap 'rm -f "$tmp"; rm -rf "$out"' EXIT
for i in $(seq "$reps"); do
    start=$(date +%s.%N)
    "$build/bin/capstone-demo" "$out" >/dev/null
    end=$(date +%s.%N)
    awk -v i="$i" -v s="$start" -v e="$end" 'BEGIN {
        printf "  run %d: %.3f s (%.3f s per training run)\n", i, e - s,
               (e - s) / 22 }'
done
