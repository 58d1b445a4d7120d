#!/usr/bin/env bash
# Builds Apollo with AddressSanitizer + UBSan in ./build-asan and runs the
# unit tests there. Any sanitizer report fails the test that triggered it
# (UBSan is made fatal so that a finding cannot scroll by unnoticed).
# Usage: scripts/sanitize.sh [extra ctest args]   (JOBS=n to change -j, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${JOBS:-2}"
start=$(date +%s)
# Benchmarks are not tests; skipping them keeps the (slow) sanitized build shorter.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAPOLLO_SANITIZE=ON \
  -DAPOLLO_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
built=$(date +%s)
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
# detect_leaks stays on (the default); forked evaluator children exit via
# _exit and are not leak-checked by LSan, so only real leaks are reported.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 600 "$@" || status=$?
end=$(date +%s)
echo "sanitize: build $((built - start)) s, tests $((end - built)) s, total $((end - start)) s"
exit $status
