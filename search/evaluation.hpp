// One full evaluation of a design: area first (cheap; an over-budget design
// is Infeasible without compiling or simulating), then compile every
// workload (a compile failure is Infeasible with the compiler's reason), then
// simulate every workload. Runs inside a forked worker (search/evaluator.hpp),
// which isolates the study from a crash or hang of the simulator.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/area.hpp"
#include "models/arch.hpp"
#include "search/objective.hpp"
#include "search/store.hpp"
#include "search/study.hpp"
#include "workloads/graph.hpp"

namespace apollo::search {

// Everything an evaluation needs, loaded once in the parent before forking
// (workers share it copy-on-write).
struct EvaluationContext {
  std::vector<std::string> workload_names;   // as given (zoo name or path)
  std::vector<workloads::Network> networks;  // same order, shapes inferred
  models::Technology tech;
  models::TemplateConstants constants;       // template constants of decoded designs
  double area_budget_mm2 = 0;                // <= 0: no budget
};

// Loads the study's workloads (WorkloadError on a bad name/file), technology
// file and template constants (ConfigError on a bad file).
EvaluationContext make_evaluation_context(const StudyDefinition& def);

Measurement evaluate_arch(const EvaluationContext& ctx, const models::ArchConfig& arch);

// The ten parameter values of a design (parameter -> value), for the record.
nlohmann::json design_values(const models::ArchConfig& arch);

// Real environment for run_study: decode indices, evaluate_arch.
StudyEnvironment make_study_environment(std::shared_ptr<const EvaluationContext> ctx);

// Measures the baseline preset (def.baseline_path, or configs/arch/
// edge_baseline.yaml) without area budget, in a forked worker, and stores its
// latencies and area in def. Throws ConfigError when the study has several
// workloads and the baseline cannot run one of them (no speedup is defined).
// Its energy is stored too; a study whose objective needs energy is refused
// (require_energy) when the baseline measurement has none.
void measure_baseline(StudyDefinition& def, const EvaluationContext& ctx);

// Throws ConfigError when def's objective needs energy and `baseline` (a
// measurement of the baseline preset) has none for one of def's workloads.
void require_energy(const StudyDefinition& def, const Measurement& baseline);

}  // namespace apollo::search
