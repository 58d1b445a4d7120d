#!/usr/bin/env bash
# Experiment 2 of the paper, on this simulator: several workloads at once,
# objective the geometric-mean speedup over the edge_baseline preset, under
# area budgets of 6.8, 5.8 and 4.8 mm^2; every optimizer, several seeds; the
# speedup reached (median, min-max over seeds) per optimizer and budget.
EXPERIMENT=exp2_multi
PAPER_ARGS="$*"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORKLOADS=("${MULTI_WORKLOADS[@]}")
BUDGETS=(6.8 5.8 4.8)
paper_usage() {
  cat <<USAGE
Usage: bench/paper/exp2_multi.sh [--quick|--full] [--out DIR] [--jobs J] [--seeds N] [--trials N]

Multi-workload search (geomean speedup over edge_baseline on ${WORKLOADS[*]})
under area budgets ${BUDGETS[*]} mm^2: optimizers ${OPTIMIZERS[*]}.
  --quick: 2 seeds x 100 trials per budget and optimizer (30 studies)
  --full:  5 seeds x 300 trials (75 studies; hours)
Writes results.md (one table per budget) and budget-<B>.png to the results folder.

USAGE
  paper_common_help
}
paper_init "$@"
SEEDS=$(paper_seeds 5 2)
TRIALS=$(paper_trials 300 100)

echo "exp2: ${#BUDGETS[@]} budgets x ${#OPTIMIZERS[@]} optimizers x $SEEDS seeds x $TRIALS trials -> $OUT"
for b in "${BUDGETS[@]}"; do
  for opt in "${OPTIMIZERS[@]}"; do
    for seed in $(seq 1 "$SEEDS"); do
      paper_study "exp2-$b-$opt-s$seed" "$TRIALS" "${MULTI_WORKLOAD_ARGS[@]}" --area-budget "$b" --optimizer "$opt" --seed "$seed"
    done
  done
done

MD=$OUT/results.md
base_area=$(paper_baseline_area "exp2-${BUDGETS[0]}-${OPTIMIZERS[0]}-s1")
paper_results_header "$MD" "Several workloads at once (${WORKLOADS[*]}): geometric mean over the workloads of the speedup
over the edge_baseline preset (1 = as fast as the baseline, whose area is $base_area mm^2), under each area budget, $SEEDS seeds (1..$SEEDS) x $TRIALS
trials per budget and optimizer. Cells: median [min, max] over the seeds of the best feasible geomean
speedup after N trials (- = no feasible design yet)."
mapfile -t all < <(paper_study_names exp2 "${BUDGETS[@]}")
paper_compare "$MD" - "Summary: geomean speedup after $TRIALS trials, optimizer x area budget" \
  --group-by optimizer,budget --pivot budget --checkpoints "$TRIALS" "${all[@]}"
for b in "${BUDGETS[@]}"; do
  mapfile -t studies < <(paper_study_names exp2 "$b")
  paper_compare "$MD" "$OUT/budget-$b.png" "Area budget $b mm2: geomean speedup over edge_baseline" \
    --group-by optimizer "${studies[@]}"
done
paper_results_footer "$MD"
