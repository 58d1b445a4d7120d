// The search loop: ask a batch of designs, evaluate them in forked workers,
// commit each trial the moment it finishes, tell the batch (in ask order).
//
// Resume by replay: the optimizer is re-created with the study's seed and the
// loop runs again from trial 0; for every trial number already stored, the
// stored result is told instead of evaluating again (trials are never re-run),
// and trial numbers asked but never finished (the process died) are evaluated
// now. Optimizers are deterministic given seed and tells, so a resumed study
// asks the same designs an uninterrupted one would; a stored design that
// differs from the replayed ask is still what gets told (counted as
// `diverged`). The study stops at exactly its trial budget.
//
// Determinism: batches are synchronous and results are told in ask order, so
// with the same seed and batch size a study is reproducible whatever --jobs
// is (results arrive out of order but are re-ordered before the tell). Only
// time-outs depend on machine load.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/evaluator.hpp"
#include "search/objective.hpp"
#include "search/optimizer.hpp"
#include "search/store.hpp"

namespace apollo::search {

// Runs in the worker child: measures one design of trial `number`.
using TrialFunction = std::function<Measurement(const Design& design, int number)>;
// Runs in the parent: the design's parameter values for the record.
using DescribeFunction = std::function<nlohmann::json(const Design& design)>;

// What the loop needs from the world, so tests can drive it with synthetic
// evaluations.
struct StudyEnvironment {
  SearchSpaceShape shape;
  TrialFunction evaluate;
  DescribeFunction describe;
  // The analytic area of a full-space design in mm^2, for the known area
  // constraint; empty when the environment has no area model (the budget is
  // then only seen through the evaluations).
  std::function<double(const Design&)> area_mm2;
};

struct StudyProgress {
  int done = 0;          // trials stored (replayed + new)
  int total = 0;         // trial budget
  int feasible = 0;
  int evaluated = 0;     // evaluated by this run
  std::optional<double> best;
  double elapsed_s = 0;  // of this run
};

struct StudyRunOptions {
  int jobs = 1;
  long memory_limit_mb = 0;  // per worker, 0 = none
  // Called after every stored trial (and once after replay). Returning false
  // stops the study at once: running evaluations are killed and not stored,
  // as if the process had died (resume picks them up).
  std::function<bool(const StudyProgress&)> on_progress;
  // Evaluates a batch's tasks elsewhere instead of the local pool (the MPI
  // cluster evaluator); same contract as ProcessPool::run. Results are still
  // told in ask order, so the study does not depend on where it ran.
  std::function<void(const std::vector<EvalTask>&, const std::function<void(const EvalOutcome&)>&)> run_tasks;
};

struct StudyRunReport {
  int replayed = 0;   // stored trials told without evaluation
  int evaluated = 0;  // trials evaluated and stored by this run
  int diverged = 0;   // replayed asks that differed from the stored design
  bool stopped = false;
};

// The work function of an evaluation task ({"design", "number"} -> the
// Measurement as JSON); runs in the forked child, locally or on an MPI worker.
ProcessPool::Work trial_work(const StudyEnvironment& env);

// The trials of def.transfer_from as optimizer priors, re-checked against
// def's constraints: a design whose stored area exceeds def's area budget is
// Infeasible here, and a design that was infeasible only for its area but
// fits def's budget becomes Failed (its objective under def is unknown).
// Stored designs are full-space indices and must fit `shape` (the full
// space); when def searches a sub-space (def.space) they are mapped into it
// through their parameter values, and a design outside it is dropped.
// Throws std::invalid_argument naming the source when it is not in the
// store, is the study itself, or has designs that do not fit `shape`.
std::vector<PriorStudy> load_priors(StudyStore& store, const StudyDefinition& def, const SearchSpaceShape& shape);

// Tabular evaluation (--lookup, as NAS-Bench does): a study's evaluations
// are answered from the stored trials of the same designs in an earlier
// study of the same database (typically an exhaustive enumeration of a
// sub-space), in the parent process, without simulating. Only meaningful
// when both studies measure the same thing, so load() refuses a source whose
// workloads, area budget, technology file or baseline differ, or whose space
// does not include def's.
class LookupTable {
 public:
  // Throws std::invalid_argument naming the mismatch (or the missing study).
  static LookupTable load(StudyStore& store, const StudyDefinition& def);
  // The stored measurement of a full-space design; throws
  // std::invalid_argument naming the design when the source never evaluated it.
  Measurement measurement(const Design& full) const;
  size_t size() const { return table_.size(); }
  const std::string& source() const { return source_; }
  // A StudyRunOptions::run_tasks that answers every task from the table.
  std::function<void(const std::vector<EvalTask>&, const std::function<void(const EvalOutcome&)>&)> runner() const;

 private:
  std::string source_;
  std::map<Design, Measurement> table_;
};

// What the optimizer is told about a stored trial: its status, scalar
// objective and, in a multi-objective study, its objective vector (from the
// stored measurement). The design is the stored, full-space one.
Observation observation_of(const Objective& objective, const TrialRecord& trial);

// The optimizer's known constraint under def (sub-space designs, as the
// optimizer sees them): area within def's budget when def's constraint is
// Known and env has an area model, else none (an empty function).
Admissible area_constraint(const StudyDefinition& def, const StudyEnvironment& env);

// The study must already be in the store (create_study). Priors of
// def.transfer_from are loaded (load_priors) and given to the optimizer.
// With def.space the optimizer sees the sub-space's cardinalities and every
// asked design is mapped to full-space indices before it is evaluated and
// stored (env.shape is then the full space).
StudyRunReport run_study(StudyStore& store, const StudyDefinition& def, const StudyEnvironment& env,
                         const StudyRunOptions& options);

// Reporting helpers over stored trials (ordered by number).
std::optional<TrialRecord> best_trial(const std::vector<TrialRecord>& trials);
// Best feasible objective after each trial (nullopt until the first feasible).
std::vector<std::optional<double>> best_so_far(const std::vector<TrialRecord>& trials);
// Indices of the feasible trials on the latency-area Pareto frontier (lower
// is better for both; latency = sum over workloads), sorted by area.
std::vector<size_t> pareto_front(const std::vector<TrialRecord>& trials);
// A reason with its specifics blurred (numbers -> #, layer names -> *), so
// that "layer conv3: core_memory needs 1280 B, has 256 B" and the same
// failure of another layer or size count as one kind.
std::string reason_class(const std::string& reason);
// The most frequent reason classes of non-feasible trials, most common first.
std::vector<std::pair<std::string, int>> top_reasons(const std::vector<TrialRecord>& trials, size_t limit);

}  // namespace apollo::search
