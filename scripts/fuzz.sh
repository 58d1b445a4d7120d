#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan; the build-san build of
# scripts/sanitize.sh) and runs them, seeded from configs/ and tests/data/.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]   explore: each target SECONDS (default 20)
#        scripts/fuzz.sh --ci [TARGET ...]        CI: fixed seed and input count per target
#   targets: fuzz_arch fuzz_workload_yaml fuzz_scalesim_csv fuzz_onnx (default: all)
#
# Explore mode keeps the growing corpus in build-san/fuzz-corpus/<target>, so
# later runs start where earlier ones stopped. CI mode starts every target
# from the seed files alone with -seed=1 and a fixed -runs, so the same
# commit fuzzes the same inputs every time and the time it takes is bounded.
# A finding stops that target, is saved as
# build-san/fuzz-artifacts/<target>/crash-* (or leak-*, timeout-*, oom-*),
# printed with the command that replays it, and makes the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(fuzz_arch fuzz_workload_yaml fuzz_scalesim_csv fuzz_onnx)
ci=0
seconds=20
if [ "${1:-}" = "--ci" ]; then
  ci=1
  shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
build=build-san

# Inputs per target in CI, sized for about 45-75 s each on 2 shared cores
# (measured from the seeds: arch ~5,500/s, YAML ~3,300/s, CSV ~15,000/s,
# ONNX ~600/s once its inputs pass shape inference; CSV lines are cheap,
# YAML and protobuf parsing are not).
ci_runs() {
  case "$1" in
    fuzz_arch) echo 250000 ;;
    fuzz_workload_yaml) echo 150000 ;;
    fuzz_scalesim_csv) echo 700000 ;;
    fuzz_onnx) echo 40000 ;;
    *) echo "fuzz: unknown target $1 (expected one of: ${all[*]})" >&2; exit 2 ;;
  esac
}

seeds() {  # seed files of one target
  case "$1" in
    fuzz_arch) ls configs/arch/*.yaml configs/tech/*.yaml tests/data/bad/arch/* ;;
    fuzz_workload_yaml) ls configs/workloads/*.yaml tests/data/bad/workloads/* ;;
    fuzz_scalesim_csv) ls tests/data/scalesim/*.csv tests/data/bad/scalesim/* ;;
    fuzz_onnx) ls tests/data/onnx/*.onnx tests/data/bad/onnx/* ;;
  esac 2>/dev/null || true
}

for t in "${targets[@]}"; do ci_runs "$t" >/dev/null; done
JOBS="${JOBS:-2}" scripts/sanitize.sh --build "${targets[@]}"

# LeakSanitizer on: a leak is a finding like a crash.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${targets[@]}"; do
  artifacts="$build/fuzz-artifacts/$t"
  log="$build/fuzz-$t.log"
  if [ $ci = 1 ]; then
    corpus="$build/fuzz-ci/$t"
    rm -rf "$corpus"
    budget=(-seed=1 -runs="$(ci_runs "$t")")
    what="$(ci_runs "$t") inputs, seed 1"
  else
    corpus="$build/fuzz-corpus/$t"
    budget=(-max_total_time="$seconds")
    what="${seconds} s"
  fi
  mkdir -p "$corpus" "$artifacts"
  for f in $(seeds "$t"); do cp -n "$f" "$corpus/"; done
  echo "fuzz: $t, $what (corpus $(ls "$corpus" | wc -l) files)"
  begin=$(date +%s)
  # -timeout: one input taking longer than 10 s counts as a hang;
  # -rss_limit_mb: a loader allocating beyond 2 GiB counts as a bug;
  # -max_len fixed so that the run does not depend on the corpus sizes.
  if ! "$build/fuzz/$t" "$corpus" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM after $(($(date +%s) - begin)) s (full log: $log)"
    tail -n 60 "$log"
    { grep -o "Test unit written to .*" "$log" || true; } | while read -r _ _ _ _ file; do
      echo "fuzz: crash input saved as $file; replay: $build/fuzz/$t $file"
    done
    status=1
  else
    runs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$log" | grep -o "[0-9]*$" || echo "?")
    echo "fuzz: $t ok, $runs inputs in $(($(date +%s) - begin)) s, $(grep -o "cov: [0-9]*" "$log" | tail -n 1)"
  fi
done
exit $status
