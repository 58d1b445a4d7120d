#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in ./build-fuzz and runs
# each for SECONDS seconds (default 20), seeded from configs/ and tests/data.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]
#   targets: fuzz_arch fuzz_workload_yaml fuzz_scalesim_csv fuzz_onnx (default: all)
# The growing corpus is kept in build-fuzz/corpus/<target>, so later runs
# start where earlier ones stopped. A finding stops the run with the crash
# input saved as build-fuzz/artifacts/<target>/crash-* (or leak-*, timeout-*,
# oom-*); replay it with build-fuzz/fuzz/<target> FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_arch fuzz_workload_yaml fuzz_scalesim_csv fuzz_onnx)
jobs="${JOBS:-2}"

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAPOLLO_FUZZ=ON -DAPOLLO_BUILD_TESTS=OFF -DAPOLLO_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target "${targets[@]}"

seeds() {  # seed files of one target
  case "$1" in
    fuzz_arch) ls configs/arch/*.yaml configs/tech/*.yaml tests/data/bad/arch/* 2>/dev/null ;;
    fuzz_workload_yaml) ls configs/workloads/*.yaml tests/data/bad/workloads/* 2>/dev/null ;;
    fuzz_scalesim_csv) ls tests/data/scalesim/*.csv tests/data/bad/scalesim/* 2>/dev/null ;;
    fuzz_onnx) ls tests/data/onnx/*.onnx tests/data/bad/onnx/* 2>/dev/null ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t"
  artifacts="build-fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  for f in $(seeds "$t"); do cp -n "$f" "$corpus/" 2>/dev/null || true; done
  echo "fuzz: $t for ${seconds}s (corpus $(ls "$corpus" | wc -l) files)"
  # -timeout: one input taking longer than 10 s counts as a hang;
  # -rss_limit_mb: a loader allocating beyond 2 GiB counts as a bug.
  if ! "build-fuzz/fuzz/$t" "$corpus" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" > "build-fuzz/$t.log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM (see build-fuzz/$t.log and $artifacts/)"
    tail -n 40 "build-fuzz/$t.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "build-fuzz/$t.log" | tail -n 2
  fi
done
exit $status
