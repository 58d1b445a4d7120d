#include "search/evaluation.hpp"

#include <sstream>

#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "models/energy.hpp"
#include "models/space.hpp"
#include "search/evaluator.hpp"
#include "sim/simulate.hpp"
#include "workloads/zoo.hpp"

namespace apollo::search {

using nlohmann::json;

EvaluationContext make_evaluation_context(const StudyDefinition& def) {
  EvaluationContext ctx;
  for (const auto& w : def.workloads) {
    ctx.workload_names.push_back(w);
    ctx.networks.push_back(workloads::load_workload(w));
  }
  ctx.tech = models::load_technology(def.tech_path.empty() ? models::default_technology_path() : def.tech_path);
  ctx.constants = models::load_template_constants(models::template_constants_path());
  ctx.area_budget_mm2 = def.area_budget_mm2;
  return ctx;
}

Measurement evaluate_arch(const EvaluationContext& ctx, const models::ArchConfig& arch) {
  Measurement m;
  m.area_mm2 = models::area(arch, ctx.tech).total_mm2;
  if (ctx.area_budget_mm2 > 0 && m.area_mm2 > ctx.area_budget_mm2) {
    std::ostringstream s;
    s.precision(4);
    s << "area " << m.area_mm2 << " mm2 exceeds the budget of " << ctx.area_budget_mm2 << " mm2";
    m.status = TrialStatus::Infeasible;
    m.reason = s.str();
    return m;
  }
  // Compile everything before simulating anything: a compile failure of the
  // last workload should not cost the simulations of the first ones.
  std::vector<models::Program> programs;
  for (size_t i = 0; i < ctx.networks.size(); ++i) {
    models::CompileResult c = models::compile(ctx.networks[i], arch);
    if (!c.ok()) {
      m.status = TrialStatus::Infeasible;
      m.reason = ctx.workload_names[i] + ": " + c.infeasible->message;
      return m;
    }
    programs.push_back(std::move(c.program));
  }
  const models::ActionCosts costs = models::action_costs(arch, ctx.tech);
  // A pool worker evaluates trial after trial, so every model is torn down
  // (a 32x32-PE model too: leaving it to the OS and forking a new worker
  // measured no faster, `apollo bench --section scaling`).
  for (size_t i = 0; i < ctx.networks.size(); ++i) {
    sim::SimResult r = sim::simulate(ctx.networks[i], programs[i], sim::SimOptions{});
    m.latency_ms[ctx.workload_names[i]] = r.latency_ms;
    m.energy_uj[ctx.workload_names[i]] = models::energy(costs, r.actions, r.latency_ms).total_uj;
  }
  m.status = TrialStatus::Feasible;
  return m;
}

json design_values(const models::ArchConfig& arch) {
  json v = json::object();
  for (const auto& f : models::arch_parameters()) {
    double x = f.get(arch);
    if (f.integral) v[f.name] = static_cast<int64_t>(x);
    else v[f.name] = x;
  }
  return v;
}

StudyEnvironment make_study_environment(std::shared_ptr<const EvaluationContext> ctx) {
  StudyEnvironment env;
  env.shape.cardinalities = models::cardinalities();
  env.evaluate = [ctx](const Design& d, int) { return evaluate_arch(*ctx, models::decode(d, ctx->constants)); };
  env.describe = [ctx](const Design& d) { return design_values(models::decode(d, ctx->constants)); };
  env.area_mm2 = [ctx](const Design& d) { return models::area(models::decode(d, ctx->constants), ctx->tech).total_mm2; };
  return env;
}

void measure_baseline(StudyDefinition& def, const EvaluationContext& ctx) {
  std::string path = def.baseline_path.empty() ? models::baseline_arch_path() : def.baseline_path;
  models::ArchConfig base = models::load_arch(path, ctx.constants);
  EvaluationContext unbounded = ctx;
  unbounded.area_budget_mm2 = 0;  // the reference design is measured whatever its area
  ProcessPool pool({1, def.trial_timeout_s > 0 ? std::max(def.trial_timeout_s, 60.0) : 0, 0},
                   [&](const json&) { return evaluate_arch(unbounded, base).to_json(); });
  EvalOutcome outcome;
  // Id -1: a fault rule for trial numbers (APOLLO_TEST_FAULT=crash@0) never hits the baseline.
  pool.run({EvalTask{-1, json::object()}}, [&](const EvalOutcome& o) { outcome = o; });
  Measurement m;
  if (outcome.ok) {
    m = Measurement::from_json(outcome.result);
  } else {
    m.status = TrialStatus::Failed;
    m.reason = outcome.failure;
  }
  def.baseline_area_mm2 = m.area_mm2;
  def.baseline_latency_ms = m.latency_ms;
  def.baseline_energy_uj = m.energy_uj;
  if (m.status != TrialStatus::Feasible && def.workloads.size() > 1) {
    throw models::ConfigError("baseline " + path + " cannot run the study's workloads (" + m.reason +
                              "); the geometric-mean speedup objective needs its latencies");
  }
  require_energy(def, m);
}

void require_energy(const StudyDefinition& def, const Measurement& baseline) {
  if (!objective_needs_energy(def.objective, def.objectives)) return;
  // Every trial would fail for want of energy: refuse the study instead.
  for (const auto& w : def.workloads)
    if (!baseline.energy_uj.count(w))
      throw models::ConfigError("objective " + def.objective_name() +
                                " needs the energy of an inference, but the baseline measurement has no energy for "
                                "workload " + w + " (evaluations do not measure energy in this build)");
}

}  // namespace apollo::search
