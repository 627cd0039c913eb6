#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang into build-fuzz and runs them.
#   scripts/fuzz.sh build            build only
#   scripts/fuzz.sh run [TARGET...]  fuzz each target for FUZZ_SECONDS (default 60) from its seed
#                                    corpus; new inputs go to build-fuzz/corpus/<target>/ (kept
#                                    between runs), never into the committed fuzz/corpus/
#   scripts/fuzz.sh smoke            for `make test`: each target runs every seed, then fuzzes for
#                                    SMOKE_SECONDS (default 10) in a throw-away folder
# Crashing inputs are saved as build-fuzz/crashes/<target>-crash-<sha1>; reproduce one with
#   build-fuzz/<target>_fuzz build-fuzz/crashes/<file>
# Exits non-zero if any target crashes, leaks, times out or fails a property check.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
JOBS=${JOBS:-2}

log() { printf '\033[1mfuzz:\033[0m %s\n' "$*" >&2; }

build() {
  command -v clang++ >/dev/null || { log "clang++ not found: run scripts/setup.sh"; exit 1; }
  cmake -S fuzz -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

all_targets() {
  for f in fuzz/*_fuzz.cc; do
    f=${f#fuzz/}
    echo "${f%_fuzz.cc}"
  done
}

# fuzz_one TARGET SECONDS SCRATCH_DIR: every seed first, then SECONDS of fuzzing.
fuzz_one() {
  local t=$1 seconds=$2 scratch=$3
  mkdir -p "$scratch" "$BUILD_DIR/crashes"
  # Reports name file:line; leaks are errors (libFuzzer's default).
  ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$BUILD_DIR/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD_DIR/crashes/$t-" \
    "$scratch" "fuzz/corpus/$t"
}

mode=${1:-run}
shift || true
case $mode in
  build)
    build
    ;;
  run)
    build
    targets=("$@")
    [ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(all_targets)
    failed=()
    for t in "${targets[@]}"; do
      log "$t: ${FUZZ_SECONDS:-60} s"
      fuzz_one "$t" "${FUZZ_SECONDS:-60}" "$BUILD_DIR/corpus/$t" || failed+=("$t")
    done
    if [ ${#failed[@]} -gt 0 ]; then
      log "FAILED: ${failed[*]} (inputs in $BUILD_DIR/crashes/)"
      exit 1
    fi
    log "all ${#targets[@]} targets ran without a finding"
    ;;
  smoke)
    build
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    failed=()
    mapfile -t targets < <(all_targets)
    for t in "${targets[@]}"; do
      start=$(date +%s)
      if fuzz_one "$t" "${SMOKE_SECONDS:-10}" "$tmp/$t" >"$tmp/$t.log" 2>&1; then
        runs=$(grep -oP 'stat::number_of_executed_units: \K[0-9]+' "$tmp/$t.log" || echo '?')
        log "$t: ok ($(ls "fuzz/corpus/$t" | wc -l) seeds, $runs runs, $(($(date +%s) - start)) s)"
      else
        cat "$tmp/$t.log" >&2
        log "$t: FAILED"
        failed+=("$t")
      fi
    done
    if [ ${#failed[@]} -gt 0 ]; then
      log "FAILED: ${failed[*]} (inputs in $BUILD_DIR/crashes/)"
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 build|run [TARGET...]|smoke" >&2
    exit 2
    ;;
esac
