#!/usr/bin/env bash
# Builds the unit tests (every vs_add_gtest binary and the libraries they link, nothing else: no
# program, no benchmarks, no dashboard) with g++ AddressSanitizer + UndefinedBehaviorSanitizer in
# their own folder, then runs the CTest label `unit` there. Any sanitizer report fails the test
# that triggered it (UBSan does not recover; ASan aborts on the first error).
# Usage: scripts/sanitize.sh [BUILD_DIR]   (default build-asan; JOBS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build-asan}
JOBS=${JOBS:-2}

log() { printf '\033[1msanitize:\033[0m %s\n' "$*" >&2; }

# -O0 with line tables: reports still name file:line. UBSan's checks make g++ slow to compile
# optimised code (src/live/session.cc: 210 s at -O1, 84 s at -O0, in the same run), and the
# build is most of this step's time; the tests run somewhat slower. libstdc++ assertions make
# an out-of-range operator[] on a string, vector or span abort too, even where no byte is read.
SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
SAN_FLAGS+=" -D_GLIBCXX_ASSERTIONS"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$SAN_FLAGS" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DVISIONSTOCK_BENCH=OFF -DVISIONSTOCK_TESTS=ON >/dev/null

# The unit-test binaries are exactly the vs_add_gtest targets.
mapfile -t targets < <(grep -rhoP 'vs_add_gtest\(\s*\K[A-Za-z0-9_]+' tests/*/CMakeLists.txt | sort -u)
[ ${#targets[@]} -gt 0 ] || { log "no vs_add_gtest targets found"; exit 1; }
log "building ${#targets[@]} unit-test binaries with ASan+UBSan in $BUILD_DIR"
start=$(date +%s)
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${targets[@]}"
log "build took $(($(date +%s) - start)) s"

# detect_leaks stays on; the leak reports of the prebuilt ONNX Runtime (not built with ASan, so
# its allocations are only seen through malloc) are suppressed by library name in
# scripts/asan/lsan.supp. Nothing of the project's own code is suppressed.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/asan/lsan.supp:print_suppressions=0}
start=$(date +%s)
ctest --test-dir "$BUILD_DIR" -L unit --output-on-failure -j "$JOBS"
log "tests took $(($(date +%s) - start)) s"
