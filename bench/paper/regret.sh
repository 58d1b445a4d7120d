#!/usr/bin/env bash
# Regret on an exhaustively enumerated sub-space (issue 6, "the paper's
# experiments"): enumerate every design of configs/spaces/regret.yaml under
# the area budget, so the true optimum is known, then run each optimizer for
# 1,000 trials with --lookup (each trial answered from the enumeration, as
# NAS-Bench does) over several seeds and report the regret
# (optimum - best found) after 100, 300 and 1,000 trials.
#
#   bench/paper/regret.sh --quick | --full [--out DIR] [--apollo BIN] [--jobs N]
#
#   --quick  3 seeds; mbo, gp_bandit and p3bo ask batches of 25 designs
#            (40 model fits per study instead of 1,000): about 20 minutes on
#            2 busy cores (5 to enumerate, 15 of model fits).
#   --full   5 seeds, batch 1 for every optimizer: about 10 hours (1,000
#            model fits of 4-8 s per model-based study).
# Both use mobilenet_v2 at 6.8 mm^2 (override: WORKLOAD=..., BUDGET=...).
# Writes DIR/results.md and DIR/regret.png (default DIR:
# bench/paper/results/regret, or regret-full with --full); the study database
# DIR/regret.db is kept, so a second run resumes the enumeration and the
# studies instead of repeating them.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mode=""
out=""
apollo="${APOLLO:-$repo/build/apollo}"
jobs=2
usage() { sed -n '9,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit "$1"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --out) out="$2"; shift ;;
    --apollo) apollo="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    -h|--help) usage 0 ;;
    *) echo "regret.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
  shift
done
[ -n "$mode" ] || { echo "regret.sh: give --quick or --full" >&2; usage 2; }
if [ -z "$out" ]; then
  out="$repo/bench/paper/results/regret"
  if [ "$mode" = full ]; then out+="-full"; fi
fi
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "regret.sh: --jobs expects a positive number, got '$jobs'" >&2; exit 2; }
[ -x "$apollo" ] || { echo "regret.sh: no apollo binary at $apollo (build it, or --apollo BIN)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "regret.sh: needs the sqlite3 command (scripts/setup.sh installs it)" >&2; exit 2; }

workload="${WORKLOAD:-mobilenet_v2}"
budget="${BUDGET:-6.8}"
space="$repo/configs/spaces/regret.yaml"
optimizers="random evolution mbo p3bo gp_bandit"
trials=1000
checkpoints="100,300,1000"
if [ "$mode" = quick ]; then seeds="1 2 3"; model_batch=25; else seeds="1 2 3 4 5"; model_batch=1; fi

mkdir -p "$out"
db="$out/regret.db"
log="$out/run.log"
: > "$log"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
t_start=$(date +%s)

# Runs `apollo search` for a study, or resumes it when the database has it
# unfinished (an interrupted earlier run); a finished study is left alone
# (resuming replays the optimizer, which would refit every model).
run_study() {
  local name="$1"; shift
  local budget have
  budget=$(sql "SELECT json_extract(definition, '\$.trials') FROM studies WHERE name = '$name'" 2>/dev/null || true)
  if [ -z "$budget" ]; then
    "$apollo" search --study "$name" --db "$db" --jobs "$jobs" --quiet --json "$@" >/dev/null 2>>"$log"
    return
  fi
  have=$(sql "SELECT COUNT(*) FROM trials WHERE study = '$name'")
  if [ "$have" -lt "$budget" ]; then
    "$apollo" search --resume --study "$name" --db "$db" --jobs "$jobs" --quiet --json >/dev/null 2>>"$log"
  fi
}
sql() { sqlite3 -batch -noheader "$db" "$@"; }
# Field of a one-line JSON document read from stdin (numbers and strings).
json_field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^,\"}]*\).*/\1/p" | head -n 1; }

# ---- 1. enumeration -----------------------------------------------------
enum="enum-$workload-${budget}mm2"
echo "regret.sh ($mode): enumerating $space for $workload at $budget mm^2 -> $db ($enum)" >&2
t0=$(date +%s)
run_study "$enum" --workload "$workload" --area-budget "$budget" --space "$space" --optimizer exhaustive
t_enum=$(( $(date +%s) - t0 ))
# The sub-space's size from the file itself: the product of the list lengths.
size=1
while read -r n; do size=$((size * n)); done < <(sed -n 's/^  [a-z_]*: \[\(.*\)\].*/\1/p' "$space" | awk -F, '{print NF}')
stored=$(sql "SELECT COUNT(*) FROM trials WHERE study = '$enum'")
[ "$stored" = "$size" ] || { echo "regret.sh: enumeration incomplete ($stored of $size designs)" >&2; exit 1; }
enum_cpu=$(sql "SELECT printf('%.0f', SUM(eval_seconds)) FROM trials WHERE study = '$enum'")
# Wall time of the enumeration when it ran (first start to last finish; a
# resumed enumeration includes the pause).
enum_wall=$(sql "SELECT printf('%.0f', (julianday(MAX(finished_at)) - julianday(MIN(started_at))) * 86400) FROM trials WHERE study = '$enum'")

# Facts of the sub-space, computed from the stored trials.
lat="(SELECT SUM(value) FROM json_each(latency_ms))"
feasible=$(sql "SELECT COUNT(*) FROM trials WHERE study = '$enum' AND status = 'feasible'")
over_budget=$(sql "SELECT COUNT(*) FROM trials WHERE study = '$enum' AND status = 'infeasible' AND reason LIKE '%exceeds the budget%'")
no_compile=$(sql "SELECT COUNT(*) FROM trials WHERE study = '$enum' AND status = 'infeasible' AND reason NOT LIKE '%exceeds the budget%'")
failed=$(sql "SELECT COUNT(*) FROM trials WHERE study = '$enum' AND status = 'failed'")
# '%!.17g': 17 significant digits, so the value reads back as the same double.
optimum=$(sql "SELECT printf('%!.17g', MAX(objective)) FROM trials WHERE study = '$enum' AND status = 'feasible'")
best_row=$(sql "SELECT number, printf('%.4f', objective), printf('%.3f', area_mm2), printf('%.4f', $lat), design_values FROM trials
                WHERE study = '$enum' AND status = 'feasible' ORDER BY objective DESC, number LIMIT 1")
IFS='|' read -r best_n best_obj best_area best_lat best_values <<<"$best_row"
# Objective spread over the feasible designs (nearest-rank quantiles).
quantile() {
  sql "SELECT printf('%.4f', objective) FROM trials WHERE study = '$enum' AND status = 'feasible'
       ORDER BY objective LIMIT 1 OFFSET MAX(0, CAST(($1) * $feasible AS INTEGER) - 1)"
}
q_min=$(sql "SELECT printf('%.4f', MIN(objective)) FROM trials WHERE study = '$enum' AND status = 'feasible'")
q_med=$(quantile 0.5)
q_90=$(quantile 0.9)
q_99=$(quantile 0.99)
within() { sql "SELECT COUNT(*) FROM trials WHERE study = '$enum' AND status = 'feasible' AND objective >= (1 - $1) * $optimum"; }
within1=$(within 0.01)
within5=$(within 0.05)
# Latency-area Pareto front (both lower is better): sweep by area, a design
# is on the front when its latency is below that of every smaller design.
pareto=$(sql "SELECT COUNT(*) FROM (
  SELECT l, MIN(l) OVER (ORDER BY a, l ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
  FROM (SELECT area_mm2 AS a, $lat AS l FROM trials WHERE study = '$enum' AND status = 'feasible'))
  WHERE prev IS NULL OR l < prev")
# The baseline's own objective, from the stored baseline measurement.
baseline_obj=$("$apollo" study show "$enum" --db "$db" --json | tr -d '\n' | json_field baseline_objective)
# Where the optimum sits: per varied parameter, the optimum's value and the
# best objective reachable with each value (shows interior optima).
params=$(sed -n 's/^  \([a-z_]*\): \[.*/\1/p' "$space")
marginals=""
for p in $params; do
  row=$(sql "SELECT group_concat(v || ': ' || printf('%.3f', m), ', ') FROM (
    SELECT json_extract(design_values, '\$.$p') AS v, MAX(objective) AS m FROM trials
    WHERE study = '$enum' AND status = 'feasible' GROUP BY v ORDER BY v)")
  opt_v=$(sql "SELECT json_extract(design_values, '\$.$p') FROM trials WHERE study = '$enum' AND number = $best_n")
  marginals+="| $p | $opt_v | $row |"$'\n'
done

# ---- 2. optimizers with --lookup -----------------------------------------
# Lookup studies evaluate in this process (no fork, no simulation): their
# cost is the optimizer's own model fitting, single-threaded, so --jobs
# studies run side by side.
batch_of() { case "$1" in mbo|gp_bandit|p3bo) echo "$model_batch" ;; *) echo 1 ;; esac; }
studies=()
running=0
for opt in $optimizers; do
  for s in $seeds; do
    name="$opt-s$s"
    studies+=("$name")
    echo "regret.sh: $name ($trials trials, batch $(batch_of "$opt"), lookup $enum)" >&2
    run_study "$name" --workload "$workload" --area-budget "$budget" --space "$space" --optimizer "$opt" \
      --seed "$s" --trials "$trials" --batch "$(batch_of "$opt")" --lookup "$enum" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  done
done
wait || true
# Each study's run time from its stored trials (first start to last finish),
# so it is right whether this run or an earlier one ran it.
timing=""
for opt in $optimizers; do
  secs=0
  for s in $seeds; do
    have=$(sql "SELECT COUNT(*) FROM trials WHERE study = '$opt-s$s'")
    [ "$have" = "$trials" ] || { echo "regret.sh: study $opt-s$s has $have of $trials trials (see $log)" >&2; exit 1; }
    secs=$(sql "SELECT printf('%.1f', $secs + (julianday(MAX(finished_at)) - julianday(MIN(started_at))) * 86400)
                FROM trials WHERE study = '$opt-s$s'")
  done
  timing+="| $opt | $(batch_of "$opt") | $secs |"$'\n'
done

in_list=$(printf "'%s'," "${studies[@]}")
studies_wall=$(sql "SELECT printf('%.0f', (julianday(MAX(finished_at)) - julianday(MIN(started_at))) * 86400)
                    FROM trials WHERE study IN (${in_list%,})")

# ---- 3. regret -------------------------------------------------------------
table=$("$apollo" study compare "${studies[@]}" --db "$db" --reference "$optimum" --checkpoints "$checkpoints" --markdown)
"$apollo" study compare "${studies[@]}" --db "$db" --reference "$optimum" --checkpoints "$checkpoints" -o "$out/regret.png" >/dev/null
t_total=$(( $(date +%s) - t_start ))

# ---- 4. results.md -----------------------------------------------------------
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
space_rows=$(sed -n 's/^  \([a-z_]*\): \[\(.*\)\].*/| \1 | \2 |/p' "$space")
{
  echo "# Regret on an exhaustively enumerated sub-space"
  echo
  echo "Generated by \`bench/paper/regret.sh --$mode\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit,"
  echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; every number below is computed"
  echo "from the study database (${db#"$repo"/}, not committed) by this run."
  echo
  echo "## The sub-space"
  echo
  echo "\`configs/spaces/regret.yaml\`, $workload, perf/area = 1/(latency_ms x area_mm2) under area <= $budget mm^2;"
  echo "the parameters not listed keep edge_baseline's values (instruction memory 32 KiB, PE memory 16 KiB)."
  echo
  echo "| parameter | values |"
  echo "|---|---|"
  echo "$space_rows"
  echo
  echo "- designs: **$size**, enumerated in $enum_wall s of wall time (first start to last finish, 2 workers),"
  echo "  $enum_cpu s of evaluation in total; $t_enum s in this run (0 when the database already held it)"
  echo "- feasible: **$feasible**; over the area budget: $over_budget; cannot be compiled: $no_compile; failed: $failed"
  echo "- true optimum: **$best_obj** 1/(ms mm^2) (trial $best_n of the enumeration): latency $best_lat ms, area $best_area mm^2"
  echo "  \`$best_values\`"
  echo "- edge_baseline's objective (measured when the enumeration was created): $baseline_obj"
  echo "- objective over the feasible designs: min $q_min, median $q_med, 90th percentile $q_90, 99th $q_99, max $best_obj;"
  echo "  designs within 1% of the optimum: $within1, within 5%: $within5"
  echo "- latency-area Pareto front: $pareto designs"
  echo
  echo "Where the optimum sits: for each varied parameter, the optimum's value and the best objective"
  echo "reachable with each value."
  echo
  echo "| parameter | optimum | best objective per value |"
  echo "|---|---|---|"
  echo -n "$marginals"
  echo
  echo "## Regret after 100, 300 and 1,000 trials"
  echo
  echo "Each optimizer, $trials trials, seeds ${seeds// /,}, every trial answered from the enumeration"
  echo "(\`--lookup $enum\`). Regret = optimum - best feasible objective found so far (relative: / optimum);"
  echo "median and min-max over the seeds (\`apollo study compare --reference $optimum --checkpoints $checkpoints\`)."
  echo
  echo "$table"
  echo
  echo "![regret vs trials](regret.png)"
  echo
  echo "| optimizer | batch | wall time, sum over seeds (s) |"
  echo "|---|---|---|"
  echo -n "$timing"
  echo
  echo "The ${#studies[@]} studies ran in $studies_wall s of wall time (first trial to last, $jobs at a time, whichever run made them);"
  echo "this run took $t_total s (studies already complete in the database are reused, not rerun)."
} > "$out/results.md"
echo "regret.sh: wrote $out/results.md and $out/regret.png ($t_total s)" >&2
