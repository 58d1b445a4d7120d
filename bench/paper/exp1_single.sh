#!/usr/bin/env bash
# Experiment 1 of the paper, on this simulator: one workload at a time,
# objective perf/area = 1/(latency ms x area mm^2) under a 6.8 mm^2 budget;
# every optimizer on four zoo networks, several seeds; best objective after N
# trials (median, min-max over seeds) per workload x optimizer, and a plot of
# best-so-far vs trials per workload.
EXPERIMENT=exp1_single
PAPER_ARGS="$*"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Two MobileNets of the paper plus two other shapes that evaluate fast: a
# squeeze-excite/hard-swish CNN and a transformer encoder (matmul-bound).
WORKLOADS=(mobilenet_v2 mobilenet_edgetpu mobilenet_v3_large transformer_encoder)
BUDGET=6.8
paper_usage() {
  cat <<USAGE
Usage: bench/paper/exp1_single.sh [--quick|--full] [--out DIR] [--jobs J] [--seeds N] [--trials N]

Single-workload search (perf/area, area <= $BUDGET mm^2): optimizers ${OPTIMIZERS[*]}
on ${WORKLOADS[*]}.
  --quick: 2 seeds x 100 trials per workload and optimizer (40 studies)
  --full:  5 seeds x 300 trials (100 studies; hours)
Writes results.md (one table per workload) and <workload>.png to the results folder.

USAGE
  paper_common_help
}
paper_init "$@"
SEEDS=$(paper_seeds 5 2)
TRIALS=$(paper_trials 300 100)

echo "exp1: ${#WORKLOADS[@]} workloads x ${#OPTIMIZERS[@]} optimizers x $SEEDS seeds x $TRIALS trials -> $OUT"
for w in "${WORKLOADS[@]}"; do
  for opt in "${OPTIMIZERS[@]}"; do
    for seed in $(seq 1 "$SEEDS"); do
      paper_study "exp1-$w-$opt-s$seed" "$TRIALS" --workload "$w" --area-budget "$BUDGET" --optimizer "$opt" --seed "$seed"
    done
  done
done

MD=$OUT/results.md
paper_results_header "$MD" "Single workload: best perf/area = 1/(latency ms x area mm^2) found by each optimizer under a
$BUDGET mm^2 area budget, $SEEDS seeds (1..$SEEDS) x $TRIALS trials per workload and optimizer. Cells:
median [min, max] over the seeds of the best feasible objective after N trials (- = no feasible design yet).
The edge_baseline preset's own perf/area is given per workload for scale."
mapfile -t all < <(paper_study_names exp1 "${WORKLOADS[@]}")
paper_compare "$MD" - "Summary: best after $TRIALS trials, workload x optimizer" \
  --group-by workloads,optimizer --pivot optimizer --checkpoints "$TRIALS" "${all[@]}"
for w in "${WORKLOADS[@]}"; do
  mapfile -t studies < <(paper_study_names exp1 "$w")
  base=$(paper_baseline_objective "${studies[0]}")
  paper_compare "$MD" "$OUT/$w.png" "$w: perf/area at $BUDGET mm2 (edge_baseline: $base)" --group-by optimizer "${studies[@]}"
done
paper_results_footer "$MD"
