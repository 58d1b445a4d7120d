#include "search/study.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <regex>
#include <stdexcept>

#include "models/area.hpp"
#include "models/arch_io.hpp"
#include "search/evaluator.hpp"

namespace apollo::search {

namespace {

using nlohmann::json;

// Thrown from the pool's completion callback to abandon the running batch.
struct StopRequested {};

// Designs asked ahead per worker from an optimizer that does not learn.
constexpr int kAskAheadPerJob = 32;

}  // namespace

ProcessPool::Work trial_work(const StudyEnvironment& env) {
  // Decode + evaluate, as JSON. Captures by reference: env outlives the pool.
  return [&env](const json& payload) {
    return env.evaluate(payload.at("design").get<Design>(), payload.at("number").get<int>()).to_json();
  };
}

std::vector<PriorStudy> load_priors(StudyStore& store, const StudyDefinition& def, const SearchSpaceShape& shape) {
  std::vector<PriorStudy> priors;
  for (const auto& source : def.transfer_from) {
    if (source == def.name) throw std::invalid_argument("--transfer-from " + source + ": a study cannot learn from itself");
    if (!store.find_study(source))
      throw std::invalid_argument("--transfer-from: no study '" + source + "' in " + store.path());
    PriorStudy p;
    p.label = source;
    for (const auto& t : store.trials(source)) {
      if (t.design.size() != shape.cardinalities.size())
        throw std::invalid_argument("--transfer-from " + source + ": its trial " + std::to_string(t.number) +
                                    " has " + std::to_string(t.design.size()) + " parameters, this study's space has " +
                                    std::to_string(shape.cardinalities.size()) + " (a different design space)");
      for (size_t k = 0; k < t.design.size(); ++k)
        if (t.design[k] < 0 || t.design[k] >= shape.cardinalities[k])
          throw std::invalid_argument("--transfer-from " + source + ": its trial " + std::to_string(t.number) +
                                      " has index " + std::to_string(t.design[k]) + " for parameter " +
                                      std::to_string(k) + ", this study's space allows 0.." +
                                      std::to_string(shape.cardinalities[k] - 1) + " (a different design space)");
      Design design = t.design;
      if (def.space) {
        // Through parameter values: a design outside this study's sub-space
        // cannot be told to its optimizer, so it is dropped.
        auto sub = def.space->from_full(t.design);
        if (!sub) continue;
        design = *sub;
      }
      PriorObservation o{design, t.status, t.objective, t.area_mm2};
      const bool over_budget = t.area_mm2 > def.area_budget_mm2;
      if (o.status == TrialStatus::Feasible && over_budget) o.status = TrialStatus::Infeasible;
      if (o.status == TrialStatus::Infeasible && !over_budget && t.area_mm2 > 0 &&
          t.reason.find("exceeds the budget") != std::string::npos)
        o.status = TrialStatus::Failed;
      p.observations.push_back(std::move(o));
    }
    priors.push_back(std::move(p));
  }
  return priors;
}

Observation observation_of(const Objective& objective, const TrialRecord& trial) {
  Observation o{trial.design, trial.status, trial.objective, {}};
  // The objective vector is recomputed from the stored measurement, so
  // nothing beyond the measurement needs storing.
  if (objective.multi() && trial.status == TrialStatus::Feasible) o.objectives = objective.vector(measurement_of(trial));
  return o;
}

Admissible area_constraint(const StudyDefinition& def, const StudyEnvironment& env) {
  if (def.area_constraint != AreaConstraint::Known || !env.area_mm2 || !(def.area_budget_mm2 > 0)) return {};
  // Same comparison as the evaluation's, so an admissible design is never
  // over the budget there.
  return [area = env.area_mm2, budget = def.area_budget_mm2, space = def.space](const Design& d) {
    return area(space ? Design(space->to_full(d)) : d) <= budget;
  };
}

StudyRunReport run_study(StudyStore& store, const StudyDefinition& def, const StudyEnvironment& env,
                         const StudyRunOptions& options) {
  if (def.trials < 1) throw std::invalid_argument("study " + def.name + ": trial budget must be at least 1");
  if (def.batch < 1) throw std::invalid_argument("study " + def.name + ": batch must be at least 1");
  auto start = std::chrono::steady_clock::now();

  std::map<int, TrialRecord> stored;
  for (auto& t : store.trials(def.name)) stored.emplace(t.number, std::move(t));

  // A sub-space study's optimizer works in sub-space indices; the store and
  // the evaluation see full-space indices.
  const SearchSpaceShape opt_shape = def.space ? SearchSpaceShape{def.space->cardinalities()} : env.shape;
  auto to_full = [&](const Design& d) { return def.space ? Design(def.space->to_full(d)) : d; };
  auto optimizer = make_optimizer(def.optimizer, opt_shape, def.settings, def.seed);
  if (!def.transfer_from.empty()) optimizer->set_prior(load_priors(store, def, env.shape));
  if (Admissible admissible = area_constraint(def, env)) optimizer->set_constraint(std::move(admissible));
  const Objective objective = Objective::of(def);

  StudyRunReport report;
  StudyProgress progress;
  progress.total = def.trials;
  auto account = [&](const TrialRecord& t) {
    ++progress.done;
    if (t.status == TrialStatus::Feasible) {
      ++progress.feasible;
      if (!progress.best || t.objective > *progress.best) progress.best = t.objective;
    }
  };
  auto notify = [&]() {
    progress.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return !options.on_progress || options.on_progress(progress);
  };
  // Counts of what is already stored, so the first progress report is right.
  for (const auto& [n, t] : stored) {
    if (n < def.trials) account(t);
  }
  if (!notify()) {
    report.stopped = true;
    return report;
  }
  // A complete study has nothing to ask: replaying its optimizer would only
  // refit its models.
  bool complete = true;
  for (int n = 0; n < def.trials && complete; ++n) complete = stored.count(n) > 0;
  if (complete) return report;

  ProcessPool pool(PoolOptions{options.jobs, def.trial_timeout_s, options.memory_limit_mb}, trial_work(env));

  // An optimizer that does not learn is asked kAskAheadPerJob designs per
  // worker at a time (the designs its batches would have been), so the
  // workers never wait for a batch's slowest evaluation (the uniform random
  // study of `apollo bench`: 240 -> 387 trials/s with 2 jobs, the same trials).
  const int round = optimizer->learns() ? def.batch : std::max(def.batch, kAskAheadPerJob * std::max(1, options.jobs));
  for (int first = 0; first < def.trials;) {
    int count = std::min(round, def.trials - first);
    std::vector<Design> asked = optimizer->ask(count);
    if (static_cast<int>(asked.size()) != count) {
      throw std::runtime_error("optimizer " + def.optimizer + " returned " + std::to_string(asked.size()) +
                               " designs for a batch of " + std::to_string(count));
    }
    std::vector<Observation> told(static_cast<size_t>(count));
    std::vector<EvalTask> tasks;
    for (int i = 0; i < count; ++i) {
      int number = first + i;
      auto it = stored.find(number);
      if (it != stored.end()) {
        Observation o = observation_of(objective, it->second);
        if (def.space) {
          auto sub = def.space->from_full(o.design);
          if (!sub)
            throw std::invalid_argument("study " + def.name + ": stored trial " + std::to_string(number) +
                                        " lies outside the study's sub-space");
          o.design = *sub;
        }
        if (o.design != asked[static_cast<size_t>(i)]) ++report.diverged;
        told[static_cast<size_t>(i)] = o;
        ++report.replayed;
      } else {
        tasks.push_back(EvalTask{number, json{{"design", to_full(asked[static_cast<size_t>(i)])}, {"number", number}}});
      }
    }

    try {
      auto on_done = [&](const EvalOutcome& out) {
        size_t slot = static_cast<size_t>(out.id - first);
        TrialRecord t;
        t.number = out.id;
        t.design = to_full(asked[slot]);
        t.values = env.describe ? env.describe(t.design) : json::object();
        t.eval_seconds = out.wall_seconds;
        t.worker = out.worker;
        t.started_at = out.started_at;
        t.finished_at = out.finished_at;
        if (!out.ok) {
          t.status = TrialStatus::Failed;
          t.reason = out.failure;
        } else {
          try {
            Measurement m = Measurement::from_json(out.result);
            t.status = m.status;
            t.reason = m.reason;
            t.area_mm2 = m.area_mm2;
            t.latency_ms = m.latency_ms;
            t.energy_uj = m.energy_uj;
            if (m.status == TrialStatus::Feasible) t.objective = objective(m);
          } catch (const std::exception& e) {
            t.status = TrialStatus::Failed;
            t.reason = std::string("bad evaluation result: ") + e.what();
            t.objective = 0;
          }
        }
        store.add_trial(def.name, t);  // committed now: a crash after this loses nothing
        told[slot] = observation_of(objective, t);
        told[slot].design = asked[slot];
        ++report.evaluated;
        ++progress.evaluated;
        account(t);
        if (!notify()) throw StopRequested{};
      };
      if (options.run_tasks) options.run_tasks(tasks, on_done);
      else pool.run(tasks, on_done);
    } catch (const StopRequested&) {
      report.stopped = true;
      return report;
    }
    optimizer->tell(told);
    first += count;
  }
  return report;
}

LookupTable LookupTable::load(StudyStore& store, const StudyDefinition& def) {
  const std::string& name = def.lookup;
  const std::string what = "--lookup " + name + ": ";
  if (name == def.name) throw std::invalid_argument(what + "a study cannot answer its own trials");
  auto source = store.find_study(name);
  if (!source) throw std::invalid_argument(what + "no study '" + name + "' in " + store.path());
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  // Defaults written out, so "" and the default's path compare equal.
  auto tech = [](const StudyDefinition& d) { return d.tech_path.empty() ? models::default_technology_path() : d.tech_path; };
  auto base = [](const StudyDefinition& d) { return d.baseline_path.empty() ? models::baseline_arch_path() : d.baseline_path; };
  if (source->workloads != def.workloads)
    throw std::invalid_argument(what + "its workloads (" + join(source->workloads) + ") differ from this study's (" +
                                join(def.workloads) + ")");
  if (source->area_budget_mm2 != def.area_budget_mm2)
    throw std::invalid_argument(what + "its area budget " + std::to_string(source->area_budget_mm2) +
                                " mm2 differs from this study's " + std::to_string(def.area_budget_mm2) + " mm2");
  if (tech(*source) != tech(def))
    throw std::invalid_argument(what + "its technology file " + tech(*source) + " differs from this study's " + tech(def));
  if (base(*source) != base(def))
    throw std::invalid_argument(what + "its baseline " + base(*source) + " differs from this study's " + base(def));
  const models::SubSpace mine = def.space ? *def.space : models::SubSpace();
  const models::SubSpace theirs = source->space ? *source->space : models::SubSpace();
  if (!theirs.includes(mine))
    throw std::invalid_argument(what + "its design space (" +
                                (source->space ? "sub-space " + source->space->source() : std::string("the whole space")) +
                                ") does not include this study's (" +
                                (def.space ? "sub-space " + def.space->source() : std::string("the whole space")) + ")");
  LookupTable table;
  table.source_ = name;
  for (const auto& t : store.trials(name))
    table.table_.emplace(t.design, measurement_of(t));  // the first trial of a design wins
  return table;
}

Measurement LookupTable::measurement(const Design& full) const {
  auto it = table_.find(full);
  if (it == table_.end()) {
    std::string text;
    for (int i : full) text += (text.empty() ? "" : ",") + std::to_string(i);
    std::string values;
    try {
      const models::ArchConfig arch = models::decode(full);
      const auto& fields = models::arch_parameters();
      for (const auto& f : fields) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%s=%g", f.name, f.get(arch));
        values += (values.empty() ? "" : " ") + std::string(buf);
      }
    } catch (const models::ConfigError&) {
      values = "not on the grid";
    }
    throw std::invalid_argument("--lookup " + source_ + ": the design [" + text + "] (" + values +
                                ") was never evaluated there; enumerate the whole sub-space first");
  }
  return it->second;
}

std::function<void(const std::vector<EvalTask>&, const std::function<void(const EvalOutcome&)>&)> LookupTable::runner()
    const {
  return [this](const std::vector<EvalTask>& tasks, const std::function<void(const EvalOutcome&)>& on_done) {
    for (const auto& task : tasks) {
      EvalOutcome out;
      out.id = task.id;
      out.worker = 0;
      out.started_at = utc_timestamp();
      const auto t0 = std::chrono::steady_clock::now();
      out.result = measurement(task.payload.at("design").get<Design>()).to_json();
      out.ok = true;
      out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      out.finished_at = utc_timestamp();
      on_done(out);
    }
  };
}

std::optional<TrialRecord> best_trial(const std::vector<TrialRecord>& trials) {
  std::optional<TrialRecord> best;
  for (const auto& t : trials) {
    // Ties go to the earlier trial, so the answer does not depend on storage order.
    if (t.status == TrialStatus::Feasible && (!best || t.objective > best->objective)) best = t;
  }
  return best;
}

std::vector<std::optional<double>> best_so_far(const std::vector<TrialRecord>& trials) {
  std::vector<std::optional<double>> out;
  std::optional<double> best;
  for (const auto& t : trials) {
    if (t.status == TrialStatus::Feasible && (!best || t.objective > *best)) best = t.objective;
    out.push_back(best);
  }
  return out;
}

std::vector<size_t> pareto_front(const std::vector<TrialRecord>& trials) {
  auto total_latency = [](const TrialRecord& t) {
    double s = 0;
    for (const auto& [w, ms] : t.latency_ms) s += ms;
    return s;
  };
  std::vector<size_t> feasible;
  for (size_t i = 0; i < trials.size(); ++i) {
    if (trials[i].status == TrialStatus::Feasible) feasible.push_back(i);
  }
  // Sweep by area (then latency): a point is on the front when its latency is
  // strictly below every point of smaller or equal area seen before it.
  std::sort(feasible.begin(), feasible.end(), [&](size_t a, size_t b) {
    if (trials[a].area_mm2 != trials[b].area_mm2) return trials[a].area_mm2 < trials[b].area_mm2;
    return total_latency(trials[a]) < total_latency(trials[b]);
  });
  std::vector<size_t> front;
  double best_latency = 0;
  for (size_t i : feasible) {
    double l = total_latency(trials[i]);
    if (front.empty() || l < best_latency) {
      front.push_back(i);
      best_latency = l;
    }
  }
  return front;
}

std::string reason_class(const std::string& reason) {
  static const std::regex layer(R"(layer [^ :,]+)");
  static const std::regex number(R"(\b[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?)");
  std::string s = std::regex_replace(reason, layer, "layer *");
  return std::regex_replace(s, number, "#");
}

std::vector<std::pair<std::string, int>> top_reasons(const std::vector<TrialRecord>& trials, size_t limit) {
  std::map<std::string, int> counts;
  for (const auto& t : trials) {
    if (t.status != TrialStatus::Feasible) ++counts[reason_class(t.reason)];
  }
  std::vector<std::pair<std::string, int>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace apollo::search
