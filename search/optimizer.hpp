// Ask/tell interface shared by every optimizer. Optimizers see only encoded
// designs (index vectors into the value lists of the design space) and the
// results of evaluating them: never SystemC, never the compiler.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace apollo::search {

using Design = std::vector<int>;  // one index per parameter

enum class TrialStatus {
  Feasible,    // evaluated; objective is meaningful
  Infeasible,  // compile failure or over the area budget (a property of the design)
  Failed,      // crashed, timed out: says nothing certain about the design
};

struct Observation {
  Design design;
  TrialStatus status = TrialStatus::Failed;
  double objective = 0;  // maximized; only meaningful when Feasible
  // Multi-objective studies: every objective of a feasible result, all
  // minimized and positive (latency, energy, area), in the study's order;
  // empty in single-objective studies. `objective` is then a scalar
  // summary (1 / product) that optimizers scalarizing on their own
  // (ParEGO, NSGA-II ranks, hypervolume rewards) do not use.
  std::vector<double> objectives{};
};

// Transfer learning: the trials of an earlier study (same design space),
// given to a new study's optimizer before its first ask. Objectives are on
// the source study's own scale (another workload, another budget), so
// optimizers normalize them per study before mixing them with their own.
// Status is already re-checked against the new study's constraints by the
// caller (a design over the new area budget arrives Infeasible).
struct PriorObservation {
  Design design;
  TrialStatus status = TrialStatus::Failed;
  double objective = 0;  // maximized, on the source study's scale
  double area_mm2 = 0;   // 0 when not computed
};

struct PriorStudy {
  std::string label;  // the source study's name
  std::vector<PriorObservation> observations;
};

// Settings given as `--opt key=value`; each optimizer documents its keys and
// defaults and rejects unknown keys (std::invalid_argument naming the key).
using Settings = std::map<std::string, std::string>;

struct SearchSpaceShape {
  std::vector<int> cardinalities;  // number of values of each parameter
};

// A known constraint: true when a design may be proposed (in a study, the
// area budget checked with the analytic area model, which costs far less
// than an evaluation). Must be deterministic.
using Admissible = std::function<bool(const Design&)>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Proposes `count` designs to evaluate next (a batch for parallel workers).
  virtual std::vector<Design> ask(int count) = 0;
  // Reports results, in any order, of designs asked before (or, for
  // transfer/resume, of designs evaluated elsewhere).
  virtual void tell(const std::vector<Observation>& results) = 0;
  virtual std::string name() const = 0;
  // Earlier studies to learn from; called at most once, before the first
  // ask. Default: ignored (random search has no use for them).
  virtual void set_prior(const std::vector<PriorStudy>& priors) { (void)priors; }
  // A known constraint; called at most once, before the first ask. An
  // optimizer given one proposes only admissible designs (sampling, mutation
  // and acquisition maximization all respect it) as long as it can find any.
  // Default: ignored.
  virtual void set_constraint(Admissible admissible) { (void)admissible; }
  // False when what it proposes never depends on results told (random
  // search, enumeration): ask(a) then ask(b) gives the designs ask(a + b)
  // would, so a study can ask ahead of its batches and keep every worker
  // busy instead of waiting for each batch's slowest evaluation.
  virtual bool learns() const { return true; }
};

struct OptimizerInfo {
  std::string name;
  std::string summary;
  std::vector<std::pair<std::string, std::string>> settings;  // key, "default: meaning"
  // Trial budget of a study that gives none; 0 = every design of the space.
  int default_trials = 100;
  // Visits each design once, so a study's trials cannot exceed the space.
  bool enumerates = false;
};

// Registry: creates an optimizer by name, seeded explicitly.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const SearchSpaceShape& space,
                                          const Settings& settings, uint64_t seed);
std::vector<OptimizerInfo> optimizer_catalog();
// The catalog entry of one optimizer; std::invalid_argument (listing the
// known names) when there is none.
OptimizerInfo optimizer_info(const std::string& name);

}  // namespace apollo::search
