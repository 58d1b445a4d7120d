# shellcheck shell=bash disable=SC2034  # (sourced: its variables are used by the scripts)
# Shared code of the bench/paper/ experiment scripts (sourced, not run).
#
# A script sets EXPERIMENT, a usage text (paper_usage) and its quick/full
# budgets, calls paper_init "$@", then runs its studies with paper_study and
# writes tables with paper_compare. Every study goes to one SQLite database
# per experiment (<out>/<experiment>.db, git-ignored); a study already
# complete there is skipped and an unfinished one resumed (`apollo search
# --resume`), so a killed script continues where it stopped. Seeds and the
# batch size are fixed, so the studies are the same whatever --jobs is.

set -euo pipefail

PAPER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$PAPER_DIR/../.." && pwd)
APOLLO=${APOLLO:-$REPO_ROOT/build/apollo}
OPTIMIZERS=(random evolution mbo p3bo gp_bandit)
# The workloads of the multi-workload experiments: exp2, and exp3, which
# transfers between two of exp2's budgets (its 6.8 mm^2 source studies are
# exp2's, trial for trial). Three shapes (inverted-residual CNN,
# squeeze-excite/hard-swish CNN, transformer encoder) that each simulate in
# well under a second; every trial simulates all three.
MULTI_WORKLOADS=(mobilenet_v2 mobilenet_v3_large transformer_encoder)
MULTI_WORKLOAD_ARGS=()  # the same, as apollo search options
for w in "${MULTI_WORKLOADS[@]}"; do MULTI_WORKLOAD_ARGS+=(--workload "$w"); done
# Designs per ask/tell round. Fixed (not --jobs) so that a study does not
# depend on how many cores ran it; 4 rather than 2 halves the model fits of
# mbo, gp_bandit and p3bo (most of a quick run's time: an evaluation takes
# milliseconds), at little cost in what a batch learns.
BATCH=4

MODE=quick
JOBS=2
OUT=""
SEEDS_OVERRIDE=""
TRIALS_OVERRIDE=""
# How a study treats the area budget (apollo search --area-constraint):
# known (Apollo's default: only designs within the budget are proposed) or
# blackbox (the paper's treatment: over-budget designs are infeasible trials).
AREA_CONSTRAINT=known

paper_die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# Parses the common options; the script's usage text comes from paper_usage.
paper_init() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick) MODE=quick ;;
      --full) MODE=full ;;
      --out) [ $# -ge 2 ] || paper_die "--out needs a folder"; OUT=$2; shift ;;
      --jobs) [ $# -ge 2 ] || paper_die "--jobs needs a number"; JOBS=$2; shift ;;
      --seeds) [ $# -ge 2 ] || paper_die "--seeds needs a number"; SEEDS_OVERRIDE=$2; shift ;;
      --trials) [ $# -ge 2 ] || paper_die "--trials needs a number"; TRIALS_OVERRIDE=$2; shift ;;
      --area-constraint)
        [ $# -ge 2 ] || paper_die "--area-constraint needs known or blackbox"
        case "$2" in known | blackbox) AREA_CONSTRAINT=$2 ;; *) paper_die "--area-constraint expects known or blackbox, got '$2'" ;; esac
        shift ;;
      -h | --help) paper_usage; exit 0 ;;
      *) paper_die "unknown option '$1' (see --help)" ;;
    esac
    shift
  done
  for v in "$JOBS" "${SEEDS_OVERRIDE:-1}" "${TRIALS_OVERRIDE:-1}"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || paper_die "expected a positive whole number, got '$v'"
  done
  [ -x "$APOLLO" ] || paper_die "no apollo binary at $APOLLO (build it, or set APOLLO=/path/to/apollo)"
  if [ -z "$OUT" ]; then
    OUT=$PAPER_DIR/results/$EXPERIMENT
    [ "$MODE" = full ] && OUT=$OUT-full
    [ "$AREA_CONSTRAINT" = blackbox ] && OUT=$OUT-blackbox
  fi
  mkdir -p "$OUT/logs"
  OUT=$(cd "$OUT" && pwd)
  DB=$OUT/$EXPERIMENT.db
  COMMANDS_FILE=$OUT/logs/commands.txt
  : >"$COMMANDS_FILE"
  STUDIES_RUN=0
  STUDIES_SKIPPED=0
  LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  START_S=$(date +%s)
  START_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
}

# The common options, for the scripts' --help.
paper_common_help() {
  cat <<EOF
Common options:
  --quick        quick budgets (default)
  --full         full budgets
  --out DIR      results folder (default: bench/paper/results/$EXPERIMENT, or $EXPERIMENT-full with --full)
  --jobs J       parallel evaluations (default 2); does not change the results (batch fixed at $BATCH)
  --seeds N      override the number of seeds (1..N)
  --trials N     override the trial budget per study
  --area-constraint known|blackbox
                 how the area budget is treated (default known: only designs within it are
                 proposed; blackbox: the paper's treatment, over-budget designs are
                 infeasible trials; results go to <folder>-blackbox)
Environment: APOLLO=path to the apollo binary (default: build/apollo of this repository).
Re-running resumes: finished studies are skipped, unfinished ones resumed.
EOF
}

# The names of the studies "PREFIX-KEY-OPTIMIZER-sSEED" for every KEY given,
# every optimizer of OPTIMIZERS and seeds 1..SEEDS, one per line (exp1, exp2).
paper_study_names() {
  local prefix=$1 key opt seed
  shift
  for key in "$@"; do
    for opt in "${OPTIMIZERS[@]}"; do
      for seed in $(seq 1 "$SEEDS"); do echo "$prefix-$key-$opt-s$seed"; done
    done
  done
}

# Number of seeds / trials for this mode (overrides win).
paper_seeds() { if [ -n "$SEEDS_OVERRIDE" ]; then echo "$SEEDS_OVERRIDE"; elif [ "$MODE" = full ]; then echo "$1"; else echo "$2"; fi; }
paper_trials() { if [ -n "$TRIALS_OVERRIDE" ]; then echo "$TRIALS_OVERRIDE"; elif [ "$MODE" = full ]; then echo "$1"; else echo "$2"; fi; }

# Stored and budgeted trial counts of a study ("done budget"), or nothing
# when the database does not have it.
paper_study_counts() {
  [ -f "$DB" ] || return 0
  "$APOLLO" study show "$1" --db "$DB" 2>/dev/null | sed -n 's/^trials: \([0-9]*\) of \([0-9]*\).*/\1 \2/p' || true
}

# Records a command for results.md's command list, shell-quoted, with the
# repository and results paths shortened ($OUT = the results folder).
paper_record() {
  local line="" a
  for a in "$@"; do
    a=${a//"$OUT"/\$OUT}
    a=${a#"$REPO_ROOT"/}
    if [[ "$a" =~ ^[][A-Za-z0-9_./:=,+@%\$-]+$ ]]; then line+="$a "; else line+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '%s\n' "${line% }" >>"$COMMANDS_FILE"
}

# paper_study NAME TRIALS [apollo search options...]: runs the study unless
# it is complete; resumes it (raising its budget to TRIALS if needed) when
# it is stored but unfinished. The command recorded is the one that makes
# the study from scratch, whichever ran.
paper_study() {
  local name=$1 trials=$2
  shift 2
  local constraint=()
  [ "$AREA_CONSTRAINT" = known ] || constraint=(--area-constraint "$AREA_CONSTRAINT")
  local fresh=("$APOLLO" search --study "$name" --db "$DB" --trials "$trials" --batch "$BATCH" --jobs "$JOBS" --quiet
    "${constraint[@]}" "$@")
  paper_record "${fresh[@]}"
  local counts stored budget code=0
  counts=$(paper_study_counts "$name")
  local log=$OUT/logs/$name.log
  local t0=$SECONDS
  if [ -n "$counts" ]; then
    read -r stored budget <<<"$counts"
    if [ "$stored" -ge "$trials" ] && [ "$budget" -ge "$trials" ]; then
      STUDIES_SKIPPED=$((STUDIES_SKIPPED + 1))
      echo "  $name: complete ($stored trials), skipped"
      return 0
    fi
    echo "  $name: resuming at $stored of $trials trials"
    local raise=()
    [ "$budget" -lt "$trials" ] && raise=(--trials "$trials")
    "$APOLLO" search --resume --study "$name" --db "$DB" --jobs "$JOBS" "${raise[@]}" --quiet >"$log" 2>&1 || code=$?
  else
    "${fresh[@]}" >"$log" 2>&1 || code=$?
  fi
  # Exit 3 = no feasible design in the whole study: a result (shown as "-"
  # in the tables), not a failure of the script.
  if [ "$code" -ne 0 ] && [ "$code" -ne 3 ]; then
    echo "$(basename "$0"): study $name failed (exit $code); its log: $log" >&2
    tail -5 "$log" >&2
    exit 1
  fi
  echo "  $name: $trials trials in $((SECONDS - t0)) s$([ "$code" -eq 3 ] && echo ", no feasible design")"
  STUDIES_RUN=$((STUDIES_RUN + 1))
}

# The edge_baseline preset's objective as stored with a study (its perf/area
# for one workload; 1 for the geomean speedup).
paper_baseline_objective() {
  "$APOLLO" study show "$1" --db "$DB" | sed -n 's/^  baseline .*objective \([^ ,]*\).*/\1/p'
}

# The edge_baseline preset's area as stored with a study (mm^2).
paper_baseline_area() {
  "$APOLLO" study show "$1" --db "$DB" | sed -n 's/^  baseline  *area \([^ ]*\) mm.*/\1/p'
}

# paper_compare FILE.md PLOT TITLE [apollo study compare options and studies...]:
# appends a heading and the markdown table to FILE.md and, unless PLOT is
# "-", writes the plot PLOT (.png) and links it below the table.
paper_compare() {
  local md=$1 plot=$2 title=$3
  shift 3
  local cmd=("$APOLLO" study compare --db "$DB" --markdown "$@")
  [ "$plot" != - ] && cmd+=(-o "$plot" --title "$title")
  paper_record "${cmd[@]}"
  {
    echo "### $title"
    echo
    "${cmd[@]}" 2>"$OUT/logs/compare.err"
    echo
    [ "$plot" != - ] && echo "![$title]($(basename "$plot"))" && echo
    true
  } >>"$md"
  grep -v '^wrote ' "$OUT/logs/compare.err" >&2 || true
}

# paper_plot FILE.md PLOT TITLE [apollo study compare options and studies...]:
# only the plot, linked from FILE.md.
paper_plot() {
  local md=$1 plot=$2 title=$3
  shift 3
  local cmd=("$APOLLO" study compare --db "$DB" -o "$plot" --title "$title" "$@")
  paper_record "${cmd[@]}"
  "${cmd[@]}" >/dev/null 2>"$OUT/logs/compare.err"
  printf '![%s](%s)\n\n' "$title" "$(basename "$plot")" >>"$md"
}

# The commit the apollo binary was built from: that of the source tree its
# build folder is in (a build folder inside a checkout or git worktree), with
# a warning when that tree has uncommitted source changes.
paper_apollo_commit() {
  local tree
  tree=$(git -C "$(dirname "$APOLLO")" rev-parse --show-toplevel 2>/dev/null) || {
    echo "$APOLLO (not inside a git checkout: commit unknown)"
    return
  }
  local dirty=""
  git -C "$tree" diff --quiet HEAD -- workloads models sim search cli configs 2>/dev/null ||
    dirty=" + uncommitted changes in its sources"
  echo "commit $(git -C "$tree" rev-parse --short HEAD)$dirty (binary ${APOLLO#"$REPO_ROOT"/})"
}

# The header of results.md: what ran, where, when.
paper_results_header() {
  local md=$1 what=$2
  cat >"$md" <<EOF
# $EXPERIMENT ($MODE mode)

$what

- command: \`bench/paper/$(basename "$0") ${PAPER_ARGS:-}\`
- apollo: $(paper_apollo_commit)
- scripts: commit $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- bench/paper ':(exclude)bench/paper/results' 2>/dev/null || echo " + uncommitted changes in bench/paper")
- date (UTC): $START_DATE
- machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average (1/5/15 min) at start $LOAD_START
- --jobs $JOBS, batch $BATCH, area constraint $AREA_CONSTRAINT

EOF
}

# The footer: wall time, load, the exact commands.
paper_results_footer() {
  local md=$1
  local wall=$(($(date +%s) - START_S))
  cat >>"$md" <<EOF
## Run

- wall time: ${wall} s for this run ($STUDIES_RUN studies run, $STUDIES_SKIPPED already complete and skipped)
- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)

<details><summary>Exact commands ($(wc -l <"$COMMANDS_FILE") apollo calls; \$OUT = the results folder)</summary>

\`\`\`sh
OUT=${OUT#"$REPO_ROOT"/}
$(cat "$COMMANDS_FILE")
\`\`\`
</details>
EOF
  echo "wrote $md (wall time ${wall} s)"
}
