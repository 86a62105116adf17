#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets of Fuzz/ (with AddressSanitizer) into .build-fuzz and
# runs each for FUZZ_SECONDS on a copy of its seed corpus (Fuzz/Corpus/<target>, never written to).
#   scripts/fuzz.sh [TARGET...]      (default: every target)
# Settings (environment): FUZZ_SECONDS (60 per target), FUZZ_JOBS (swift build -j, 2),
# FUZZ_CONFIG (release: Swift's overflow, bounds and unwrap checks stay on; debug is ~5x slower),
# FUZZ_SANITIZE (address; none builds into .build-fuzz-plain without ASan, 2-3x more executions).
# New inputs go to .build-fuzz/corpus/<target>; crashes, timeouts and out-of-memory inputs to
# .build-fuzz/findings/<target>/ (replay one with: .build-fuzz/<config>/<target> FILE). Not
# .build-fuzz/artifacts: SwiftPM owns that folder of its scratch path (a first build emptied it).
# Prints one line per target (executions, seconds, findings, libFuzzer's exit status) and exits 1
# if any was found, 3 if a run was interrupted (SIGINT or SIGTERM: libFuzzer exits 72) without one.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-60}"
CONFIG="${FUZZ_CONFIG:-release}"
JOBS="${FUZZ_JOBS:-2}"
SCRATCH=.build-fuzz
SANITIZE="${FUZZ_SANITIZE:-address}"
if [ "$SANITIZE" = none ]; then BUILD=.build-fuzz-plain FLAGS=-sanitize=fuzzer
else BUILD=$SCRATCH FLAGS=-sanitize=fuzzer,$SANITIZE; fi
ALL=(FuzzParser FuzzCSV FuzzJSONL FuzzTimestamps FuzzREPL)
TARGETS=("${@:-${ALL[@]}}")
[ $# -gt 0 ] || TARGETS=("${ALL[@]}")

# -max_len per target: small files for the parser and readers (the seeds are cut to it), a field
# for timestamps, a dozen lines for the REPL.
max_len() {
  case "$1" in
    FuzzParser|FuzzCSV|FuzzJSONL|FuzzREPL) echo 1024 ;; FuzzTimestamps) echo 64 ;;
  esac
}

for t in "${TARGETS[@]}"; do
  echo "==> building $t ($CONFIG, $FLAGS)"
  FUNNEL_FUZZ=1 swift build -c "$CONFIG" -j "$JOBS" --scratch-path "$BUILD" \
    -Xswiftc "$FLAGS" --product "$t" 2>&1 | grep -v "__asan_extra_spill_area" | grep -Ev '^\[[0-9]+/[0-9]+\]'
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "fuzz: building $t failed" >&2; exit 2; }
done

# libFuzzer's exit statuses (its defaults; a sanitizer's report exits 1).
meaning() {
  case "$1" in
    0) echo "done" ;; 1|77) echo "crash, trap or leak" ;; 70) echo "timeout" ;; 71) echo "out of memory" ;;
    72) echo "interrupted by SIGINT or SIGTERM, not a finding" ;; *) echo "unexpected" ;;
  esac
}

summary=()
found=0
interrupted=0
for t in "${TARGETS[@]}"; do
  corpus="$SCRATCH/corpus/$t" artifacts="$SCRATCH/findings/$t" log="$SCRATCH/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp -R "Fuzz/Corpus/$t/." "$corpus/"
  before=$(ls "$artifacts" | wc -l)
  echo "==> fuzzing $t for ${SECONDS_EACH}s (log: $log)"
  # Findings: a crash (a Swift trap included), a leak, an input running over 10 s or over 2 GiB.
  start=$(date +%s)
  ASAN_OPTIONS="malloc_context_size=0:quarantine_size_mb=64:${ASAN_OPTIONS:-}" "$BUILD/$CONFIG/$t" "$corpus" \
    -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
  status=$?
  secs=$(( $(date +%s) - start ))
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  new=$(( $(ls "$artifacts" | wc -l) - before ))
  if [ "$status" = 72 ] && [ "$new" = 0 ]; then interrupted=1
  elif [ "$status" != 0 ] || [ "$new" != 0 ]; then found=1; tail -40 "$log"; fi
  summary+=("$(printf '%-15s %12s executions %6ss  %6s exec/s  findings: %s  (exit %s: %s)' "$t" "$runs" "$secs" \
    "$(( runs / (secs > 0 ? secs : 1) ))" "$new" "$status" "$(meaning "$status")")")
done
echo "==> fuzz summary"
printf '%s\n' "${summary[@]}"
[ "$found" = 0 ] || { echo "fuzz: findings in $SCRATCH/findings (see the logs above)" >&2; exit 1; }
[ "$interrupted" = 0 ] || { echo "fuzz: a run was interrupted before its time; its figures are partial" >&2; exit 3; }
