#include "search/request.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <sstream>

#include "models/arch_io.hpp"
#include "models/space.hpp"
#include "models/subspace.hpp"
#include "search/objective.hpp"
#include "search/report.hpp"
#include "search/study.hpp"

namespace apollo::search {

namespace {

// Files are stored as absolute paths, so a resume works from any directory;
// zoo names stay names.
std::string absolute_if_file(const std::string& s) {
  return std::filesystem::is_regular_file(s) ? std::filesystem::absolute(s).string() : s;
}

std::vector<std::string> absolute_all(std::vector<std::string> items) {
  for (auto& s : items) s = absolute_if_file(s);
  return items;
}

models::SubSpace load_space(const std::string& path, const std::string& baseline_path) {
  // Unlisted parameters take the baseline's values (ConfigError names the file).
  const std::string base = baseline_path.empty() ? models::baseline_arch_path() : baseline_path;
  return models::load_subspace(
      absolute_if_file(path), models::load_arch(base, models::load_template_constants(models::template_constants_path())));
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string show_settings(const Settings& s) {
  std::vector<std::string> items;
  for (const auto& [k, v] : s) items.push_back(k + "=" + v);
  return items.empty() ? "(none)" : join(items, " ");
}

std::string show_number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

std::string or_default(const std::string& s) { return s.empty() ? "(default)" : s; }

// The request with every unset identity option at its default: what a
// command without --resume means by the options it leaves out. The batch
// stays unset: by default it follows --jobs, which may change between runs
// of one study (a continued study keeps its stored batch).
StudyRequest complete(const StudyRequest& r) {
  StudyRequest c = r;
  if (!c.workloads) c.workloads = std::vector<std::string>{"mobilenet_v2"};
  if (!c.area_budget_mm2) c.area_budget_mm2 = kDefaultAreaBudgetMm2;
  if (!c.optimizer) c.optimizer = kDefaultOptimizer;
  if (!c.settings) c.settings = Settings{};
  if (!c.seed) c.seed = 1;
  if (!c.tech_path) c.tech_path = "";
  if (!c.baseline_path) c.baseline_path = "";
  if (!c.transfer_from) c.transfer_from = std::vector<std::string>{};
  if (!c.space_path) c.space_path = "";
  if (!c.lookup) c.lookup = "";
  if (!c.area_constraint) c.area_constraint = "known";
  if (!c.objective) c.objective = kDefaultObjective;
  if (!c.objectives) c.objectives = std::vector<std::string>{};
  return c;
}

// The stored definition continued: trials and time-out as the request says.
StudyPlan continued(StudyStore& store, const StudyRequest& request, StudyDefinition stored, std::string note) {
  StudyPlan plan;
  plan.resume = true;
  plan.note = std::move(note);
  if (request.trials) {
    const int have = store.trial_count(stored.name);
    if (*request.trials < have)
      throw RequestError("--trials " + std::to_string(*request.trials) + " is below the " + std::to_string(have) +
                         " trials already stored in study '" + stored.name + "'");
    plan.definition_changed |= *request.trials != stored.trials;
    stored.trials = *request.trials;
  }
  if (request.trial_timeout_s) {
    if (*request.trial_timeout_s < 0) throw RequestError("--trial-timeout must be >= 0");
    plan.definition_changed |= *request.trial_timeout_s != stored.trial_timeout_s;
    stored.trial_timeout_s = *request.trial_timeout_s;
  }
  plan.definition = std::move(stored);
  return plan;
}

StudyPlan created(StudyStore& store, StudyDefinition def, const std::string& name) {
  def.name = name;
  try {
    // Unknown or incompatible transfer sources, before the baseline is measured.
    load_priors(store, def, SearchSpaceShape{models::cardinalities()});
  } catch (const std::invalid_argument& e) {
    throw RequestError(e.what());
  }
  StudyPlan plan;
  plan.definition = std::move(def);
  return plan;
}

}  // namespace

std::vector<std::string> parse_objectives(const std::string& text) { return split_commas(text); }

Settings parse_settings(const std::vector<std::string>& items) {
  Settings s;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw RequestError("--opt expects key=value, got '" + item + "'");
    s[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return s;
}

namespace {

bool listed_in(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

void set_objectives(StudyDefinition& def, const StudyRequest& r) {
  if (r.objective && r.objectives && !r.objectives->empty())
    throw RequestError("--objective and --objectives cannot be combined: --objective chooses one scalar objective, "
                       "--objectives makes a multi-objective study");
  def.objective = r.objective.value_or(kDefaultObjective);
  if (!listed_in(scalar_objective_names(), def.objective))
    throw RequestError("--objective: unknown objective '" + def.objective + "'; known: " +
                       join(scalar_objective_names(), ", "));
  def.objectives = r.objectives.value_or(std::vector<std::string>{});
  if (!r.objectives) return;
  const auto& names = objective_component_names();
  if (def.objectives.size() < 2 || def.objectives.size() > 3)
    throw RequestError("--objectives expects two or three of " + join(names, ", ") + " separated by commas, got " +
                       std::to_string(def.objectives.size()) + " ('" + join(def.objectives, ",") + "')");
  for (size_t i = 0; i < def.objectives.size(); ++i) {
    if (!listed_in(names, def.objectives[i]))
      throw RequestError("--objectives: unknown objective '" + def.objectives[i] + "'; known: " + join(names, ", "));
    for (size_t j = 0; j < i; ++j)
      if (def.objectives[i] == def.objectives[j])
        throw RequestError("--objectives: " + def.objectives[i] + " given twice");
  }
  if (r.transfer_from && !r.transfer_from->empty())
    throw RequestError("--transfer-from is not supported for multi-objective studies (--objectives): the priors' "
                       "objectives are scalars");
}

StudyDefinition define_study(const StudyRequest& r) {
  StudyDefinition def;
  def.workloads = absolute_all(r.workloads.value_or(std::vector<std::string>{"mobilenet_v2"}));
  def.area_budget_mm2 = r.area_budget_mm2.value_or(kDefaultAreaBudgetMm2);
  def.optimizer = r.optimizer.value_or(kDefaultOptimizer);
  def.settings = r.settings.value_or(Settings{});
  def.seed = r.seed.value_or(1);
  def.batch = r.batch.value_or(r.default_batch);
  def.trial_timeout_s = r.trial_timeout_s.value_or(60.0);
  def.transfer_from = r.transfer_from.value_or(std::vector<std::string>{});
  def.tech_path = r.tech_path ? absolute_if_file(*r.tech_path) : "";
  def.baseline_path = r.baseline_path ? absolute_if_file(*r.baseline_path) : "";
  if (r.space_path && !r.space_path->empty()) def.space = load_space(*r.space_path, def.baseline_path);
  def.lookup = r.lookup.value_or("");
  try {
    def.area_constraint = area_constraint_from_string(r.area_constraint.value_or("known"));
  } catch (const std::invalid_argument&) {
    throw RequestError("--area-constraint expects known or blackbox, got '" + *r.area_constraint + "'");
  }

  set_objectives(def, r);
  if (!(def.area_budget_mm2 > 0)) throw RequestError("--area-budget must be positive");
  if (def.batch < 1) throw RequestError("--batch must be at least 1, got " + std::to_string(def.batch));
  if (def.trial_timeout_s < 0) throw RequestError("--trial-timeout must be >= 0");
  for (size_t i = 0; i < def.workloads.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (def.workloads[i] == def.workloads[j]) throw RequestError("workload " + def.workloads[i] + " given twice");
  for (size_t i = 0; i < def.transfer_from.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (def.transfer_from[i] == def.transfer_from[j])
        throw RequestError("--transfer-from " + def.transfer_from[i] + " given twice");

  // The trial budget: given, the demo's, or the optimizer's default for this
  // space (an enumerating optimizer visits every design).
  const uint64_t designs = def.space ? def.space->size() : models::space_size();
  const std::string where = def.space ? "the sub-space " + def.space->source() : std::string("the design space");
  OptimizerInfo info;
  try {
    info = optimizer_info(def.optimizer);
  } catch (const std::invalid_argument& e) {
    throw RequestError(e.what());
  }
  if (r.trials) def.trials = *r.trials;
  else if (r.demo) def.trials = kDemoTrials;
  else if (info.default_trials > 0) def.trials = info.default_trials;
  else if (designs > static_cast<uint64_t>(std::numeric_limits<int>::max()) || !def.space)
    // The whole design space (452,760,000 designs) is never a sensible default.
    throw RequestError("--optimizer " + def.optimizer + ": " + where + " has " + std::to_string(designs) +
                       " designs; give --space FILE (a sub-space) or --trials N");
  else def.trials = static_cast<int>(designs);
  if (def.trials < 1) throw RequestError("--trials must be at least 1, got " + std::to_string(def.trials));
  if (info.enumerates && static_cast<uint64_t>(def.trials) > designs)
    throw RequestError("--trials " + std::to_string(def.trials) + " exceeds the " + std::to_string(designs) +
                       " designs of " + where + "; --optimizer " + def.optimizer +
                       " visits each design once (use --trials " + std::to_string(designs) + " or fewer)");
  try {
    // Unknown optimizer or settings, before any work.
    make_optimizer(def.optimizer, def.space ? SearchSpaceShape{def.space->cardinalities()}
                                            : SearchSpaceShape{models::cardinalities()},
                   def.settings, def.seed);
  } catch (const std::invalid_argument& e) {
    throw RequestError(e.what());
  }
  return def;
}

std::string default_study_name(const StudyDefinition& def, bool demo) {
  if (demo) return "demo-" + std::to_string(def.seed);
  std::ostringstream o;
  o << std::filesystem::path(def.workloads.front()).stem().string();  // a file: its base name
  if (def.workloads.size() > 1) o << "+" << def.workloads.size() - 1;
  o << "-" << def.optimizer;
  // Non-default objectives are part of the name (the default keeps older names).
  if (def.multi_objective()) o << "-" << join(def.objectives, "+");
  else if (def.objective != kDefaultObjective) o << "-" << def.objective;
  o << "-" << def.area_budget_mm2 << "mm2-s" << def.seed;
  return o.str();
}

std::vector<OptionDifference> differences(const StudyRequest& r, const StudyDefinition& d) {
  std::vector<OptionDifference> out;
  auto add = [&](const char* option, const std::string& stored, const std::string& given) {
    if (stored != given) out.push_back({option, stored, given});
  };
  if (r.workloads) add("--workload", join(d.workloads, ", "), join(absolute_all(*r.workloads), ", "));
  if (r.area_budget_mm2 && *r.area_budget_mm2 != d.area_budget_mm2)
    out.push_back({"--area-budget", show_number(d.area_budget_mm2), show_number(*r.area_budget_mm2)});
  if (r.optimizer) add("--optimizer", d.optimizer, *r.optimizer);
  if (r.settings) add("--opt", show_settings(d.settings), show_settings(*r.settings));
  if (r.seed) add("--seed", std::to_string(d.seed), std::to_string(*r.seed));
  if (r.batch) add("--batch", std::to_string(d.batch), std::to_string(*r.batch));
  if (r.tech_path) add("--tech", or_default(d.tech_path), or_default(absolute_if_file(*r.tech_path)));
  if (r.baseline_path) add("--baseline", or_default(d.baseline_path), or_default(absolute_if_file(*r.baseline_path)));
  if (r.transfer_from)
    add("--transfer-from", d.transfer_from.empty() ? "(none)" : join(d.transfer_from, ", "),
        r.transfer_from->empty() ? "(none)" : join(*r.transfer_from, ", "));
  if (r.space_path) {
    const std::string stored = d.space ? d.space->source() : "(the whole design space)";
    if (r.space_path->empty()) {
      if (d.space) out.push_back({"--space", stored, "(the whole design space)"});
    } else {
      // By content: the same sub-space from another path (or an edited file) is compared as what it searches.
      const models::SubSpace given = load_space(*r.space_path, d.baseline_path);
      if (!d.space || given.to_json() != d.space->to_json())
        out.push_back({"--space", stored, absolute_if_file(*r.space_path)});
    }
  }
  if (r.lookup) add("--lookup", d.lookup.empty() ? "(none)" : d.lookup, r.lookup->empty() ? "(none)" : *r.lookup);
  if (r.area_constraint) add("--area-constraint", to_string(d.area_constraint), *r.area_constraint);
  if (r.objective) add("--objective", d.objective, *r.objective);
  if (r.objectives)
    add("--objectives", d.objectives.empty() ? "(none)" : join(d.objectives, ","),
        r.objectives->empty() ? "(none)" : join(*r.objectives, ","));
  return out;
}

std::string describe(const std::vector<OptionDifference>& diffs) {
  std::string out;
  for (const auto& d : diffs)
    out += (out.empty() ? "" : "; ") + d.option + " is " + d.stored + " in the stored study, given " + d.given;
  return out;
}

StudyPlan plan_study(StudyStore& store, const StudyRequest& request, bool resume) {
  const std::string db = store.path();
  if (request.name) {
    const std::string& name = *request.name;
    auto stored = store.find_study(name);
    if (!stored) {
      if (resume)
        throw RequestError("--resume: no study '" + name + "' in " + db + " (list them with `apollo study list --db " +
                           db + "`)");
      return created(store, define_study(request), name);
    }
    // A resume changes only what is given; a repeated command means its defaults too.
    const auto diffs = differences(resume ? request : complete(request), *stored);
    if (!diffs.empty()) {
      if (resume)
        throw RequestError("--resume: study '" + name + "' keeps its stored definition, but " + describe(diffs) +
                           " (leave these options out, or give the stored values)");
      throw RequestError("study '" + name + "' already exists in " + db + " with another definition: " +
                         describe(diffs) + " (add --resume to continue it as stored, or choose another --study)");
    }
    return continued(store, request, *stored,
                     resume ? "" : "study '" + name + "' exists with the same definition: continuing it");
  }

  const StudyDefinition def = define_study(request);
  const std::string base = default_study_name(def, request.demo);
  const StudyRequest full = complete(request);
  // The first "<base>", "<base>-2", ... that is free or has this definition.
  for (int k = 1;; ++k) {
    const std::string name = k == 1 ? base : base + "-" + std::to_string(k);
    auto stored = store.find_study(name);
    if (!stored) {
      if (resume)
        throw RequestError("--resume: no study in " + db + " has these options (the default name would be '" + base +
                           "'); give --study NAME (list them with `apollo study list --db " + db + "`)");
      return created(store, def, name);
    }
    if (differences(full, *stored).empty())
      return continued(store, request, *stored,
                       resume ? "" : "study '" + name + "' exists with the same options: continuing it");
  }
}

}  // namespace apollo::search
