#!/usr/bin/env bash
# Builds Apollo with clang, AddressSanitizer + UndefinedBehaviorSanitizer in
# ./build-san and runs the unit tests there. A sanitizer report fails the test
# that triggered it (UBSan is compiled with -fno-sanitize-recover, ASan stops
# at its first report). The same build holds the libFuzzer targets
# (-DAPOLLO_FUZZ=ON), so scripts/fuzz.sh reuses it instead of compiling
# everything a second time.
#
# Usage: scripts/sanitize.sh [extra ctest args]    e.g. scripts/sanitize.sh -R Evaluator
#        scripts/sanitize.sh --build [TARGET ...]  configure + build only (default: all)
# JOBS=n sets the build and ctest parallelism (default 2).
#
# Excluded under ASan (skipped at run time with the reason, see
# tests/sanitizers.hpp): the injected out-of-memory evaluation (ASan reserves
# terabytes of address space, so an RLIMIT_AS cap cannot be set, and its
# operator new aborts instead of throwing std::bad_alloc).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${JOBS:-2}"
build=build-san

configure_and_build() {  # targets...
  # -O1 and line tables only: a fraction of the compile time of -O2 -g with
  # the same file:line in every sanitizer report. No benchmarks.
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
    -DAPOLLO_SANITIZE=ON -DAPOLLO_FUZZ=ON -DAPOLLO_BUILD_BENCH=OFF -DAPOLLO_BUILD_TESTS=ON >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build "$build" -j"$jobs" --target "$@"
  else
    cmake --build "$build" -j"$jobs"
  fi
}

if [ "${1:-}" = "--build" ]; then
  shift
  configure_and_build "$@"
  exit 0
fi

start=$(date +%s)
configure_and_build
built=$(date +%s)
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
# LeakSanitizer stays on (the default). Forked evaluator children end with
# _exit and are not leak-checked, so only real leaks of a process are reported.
# detect_stack_use_after_return is off: its fake stacks multiply the memory of
# the deep SystemC coroutine stacks for little gain here.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=0:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
# The per-test limit only catches hangs: the optimizers' statistical
# comparisons (Optimizers/BeatsRandom.*, Eigen-heavy) take minutes each under
# ASan, several times that on a shared machine.
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 1500 "$@" || status=$?
end=$(date +%s)
echo "sanitize: build $((built - start)) s, tests $((end - built)) s, total $((end - start)) s"
exit $status
