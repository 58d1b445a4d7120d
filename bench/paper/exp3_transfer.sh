#!/usr/bin/env bash
# Experiment 3 of the paper, on this simulator: transfer learning from a
# 6.8 mm^2 study to a 4.8 mm^2 one (the workloads and objective of
# exp2_multi.sh). For each optimizer and seed: a source study at 6.8 mm^2,
# then the 4.8 mm^2 study twice, from scratch and with --transfer-from the
# source; best after N trials (median, min-max over seeds) with and without.
EXPERIMENT=exp3_transfer
PAPER_ARGS="$*"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORKLOADS=("${MULTI_WORKLOADS[@]}")  # exp2's
SOURCE_BUDGET=6.8
TARGET_BUDGET=4.8
# random ignores priors (its asks are the same with or without them): it
# runs from scratch only, as the reference every other row should beat.
TRANSFER_OPTIMIZERS=(evolution mbo p3bo gp_bandit)
paper_usage() {
  cat <<USAGE
Usage: bench/paper/exp3_transfer.sh [--quick|--full] [--out DIR] [--jobs J] [--seeds N] [--trials N]

Transfer $SOURCE_BUDGET mm^2 -> $TARGET_BUDGET mm^2 (geomean speedup over edge_baseline on
${WORKLOADS[*]}): for ${TRANSFER_OPTIMIZERS[*]}, a source study at $SOURCE_BUDGET mm^2 (same
optimizer and seed), then the $TARGET_BUDGET mm^2 study from scratch and with --transfer-from the
source; random from scratch only, as a reference.
  --quick: 2 seeds x 100 trials per study (26 studies)
  --full:  5 seeds x 300 trials (65 studies; hours)
(--trials sets both the source and the target budget.)
Writes results.md (one table) and transfer-<optimizer>.png to the results folder.

USAGE
  paper_common_help
}
paper_init "$@"
SEEDS=$(paper_seeds 5 2)
TRIALS=$(paper_trials 300 100)

echo "exp3: ${#TRANSFER_OPTIMIZERS[@]} optimizers x $SEEDS seeds x (source, scratch, transfer) x $TRIALS trials, + random -> $OUT"
for seed in $(seq 1 "$SEEDS"); do
  paper_study "exp3-scratch-random-s$seed" "$TRIALS" "${MULTI_WORKLOAD_ARGS[@]}" --area-budget "$TARGET_BUDGET" \
    --optimizer random --seed "$seed"
done
for opt in "${TRANSFER_OPTIMIZERS[@]}"; do
  for seed in $(seq 1 "$SEEDS"); do
    common=("${MULTI_WORKLOAD_ARGS[@]}" --optimizer "$opt" --seed "$seed")
    paper_study "exp3-source-$opt-s$seed" "$TRIALS" "${common[@]}" --area-budget "$SOURCE_BUDGET"
    paper_study "exp3-scratch-$opt-s$seed" "$TRIALS" "${common[@]}" --area-budget "$TARGET_BUDGET"
    paper_study "exp3-transfer-$opt-s$seed" "$TRIALS" "${common[@]}" --area-budget "$TARGET_BUDGET" \
      --transfer-from "exp3-source-$opt-s$seed"
  done
done

MD=$OUT/results.md
paper_results_header "$MD" "Transfer learning $SOURCE_BUDGET mm^2 -> $TARGET_BUDGET mm^2 on ${WORKLOADS[*]} (geomean speedup over
edge_baseline). Per optimizer and seed: a source study at $SOURCE_BUDGET mm^2 with the same optimizer and seed,
then the $TARGET_BUDGET mm^2 study without and with \`--transfer-from\` that source; $SEEDS seeds (1..$SEEDS) x
$TRIALS trials per study. random runs without transfer only (it ignores priors), as the reference. Cells:
median [min, max] over the seeds of the best feasible geomean speedup at $TARGET_BUDGET mm^2 after N trials
(- = no feasible design yet); prior trials never count as trials of the new study."
all=()
for seed in $(seq 1 "$SEEDS"); do all+=("exp3-scratch-random-s$seed"); done
for opt in "${TRANSFER_OPTIMIZERS[@]}"; do
  for seed in $(seq 1 "$SEEDS"); do all+=("exp3-scratch-$opt-s$seed" "exp3-transfer-$opt-s$seed"); done
done
paper_compare "$MD" - "$TARGET_BUDGET mm2 after $SOURCE_BUDGET mm2: without and with transfer" \
  --group-by optimizer,transfer --pivot transfer "${all[@]}"
sources=()
for opt in "${TRANSFER_OPTIMIZERS[@]}"; do
  for seed in $(seq 1 "$SEEDS"); do sources+=("exp3-source-$opt-s$seed"); done
done
paper_compare "$MD" - "The source studies ($SOURCE_BUDGET mm2)" --group-by optimizer "${sources[@]}"
for opt in "${TRANSFER_OPTIMIZERS[@]}"; do
  studies=()
  for seed in $(seq 1 "$SEEDS"); do
    studies+=("exp3-scratch-$opt-s$seed" "exp3-transfer-$opt-s$seed" "exp3-scratch-random-s$seed")
  done
  paper_plot "$MD" "$OUT/transfer-$opt.png" "$opt at $TARGET_BUDGET mm2, with and without transfer from $SOURCE_BUDGET mm2" \
    --group-by optimizer,transfer "${studies[@]}"
done
paper_results_footer "$MD"
