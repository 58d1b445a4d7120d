// Ask/tell interface shared by every optimizer. Optimizers see only encoded
// designs (index vectors into the value lists of the design space) and the
// results of evaluating them: never SystemC, never the compiler.
#pragma once

#include <cstdint>
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
};

// Settings given as `--opt key=value`; each optimizer documents its keys and
// defaults and rejects unknown keys (std::invalid_argument naming the key).
using Settings = std::map<std::string, std::string>;

struct SearchSpaceShape {
  std::vector<int> cardinalities;  // number of values of each parameter
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Proposes `count` designs to evaluate next (a batch for parallel workers).
  virtual std::vector<Design> ask(int count) = 0;
  // Reports results, in any order, of designs asked before (or, for
  // transfer/resume, of designs evaluated elsewhere).
  virtual void tell(const std::vector<Observation>& results) = 0;
  virtual std::string name() const = 0;
};

struct OptimizerInfo {
  std::string name;
  std::string summary;
  std::vector<std::pair<std::string, std::string>> settings;  // key, "default: meaning"
};

// Registry: creates an optimizer by name, seeded explicitly.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const SearchSpaceShape& space,
                                          const Settings& settings, uint64_t seed);
std::vector<OptimizerInfo> optimizer_catalog();

}  // namespace apollo::search
