#include "search/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "search/objective.hpp"
#include "search/study.hpp"

namespace apollo::search {

Spread summarize(const std::vector<std::optional<double>>& values, bool missing_is_low) {
  Spread s;
  s.n = static_cast<int>(values.size());
  if (values.empty()) return s;
  // Rank missing values as -inf (or +inf) so they sort to their end; the
  // statistics map an infinity back to none.
  const double missing = missing_is_low ? -std::numeric_limits<double>::infinity()
                                        : std::numeric_limits<double>::infinity();
  std::vector<double> v;
  v.reserve(values.size());
  for (const auto& x : values) {
    if (!x) ++s.none;
    v.push_back(x ? *x : missing);
  }
  std::sort(v.begin(), v.end());
  auto value = [](double x) -> std::optional<double> {
    if (std::isinf(x)) return std::nullopt;
    return x;
  };
  s.min = value(v.front());
  s.max = value(v.back());
  const size_t m = v.size() / 2;
  if (v.size() % 2 == 1) {
    s.median = value(v[m]);
  } else {
    auto a = value(v[m - 1]), b = value(v[m]);
    if (a && b) s.median = (*a + *b) / 2;
  }
  return s;
}

std::optional<double> best_after(const std::vector<TrialRecord>& trials, int n) {
  const size_t limit = std::min(trials.size(), static_cast<size_t>(std::max(n, 0)));
  if (limit == 0) return std::nullopt;
  return best_so_far(trials)[limit - 1];
}

std::optional<double> regret(double reference, const std::optional<double>& best) {
  if (!best) return std::nullopt;
  return reference - *best;
}

namespace {

const std::pair<const char*, GroupKey> kGroupKeys[] = {{"optimizer", GroupKey::Optimizer},
                                                       {"workloads", GroupKey::Workloads},
                                                       {"budget", GroupKey::Budget},
                                                       {"transfer", GroupKey::Transfer},
                                                       {"study", GroupKey::Study}};

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, ',')) parts.push_back(part);
  if (!text.empty() && text.back() == ',') parts.push_back("");
  return parts;
}

std::vector<double> parse_numbers(const std::string& text) {
  std::vector<double> out;
  for (const auto& raw : split_commas(text)) {
    const std::string part = trim(raw);
    char* end = nullptr;
    const double v = part.empty() ? 0.0 : std::strtod(part.c_str(), &end);
    if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(v))
      throw std::invalid_argument("'" + part + "' is not a finite number");
    out.push_back(v);
  }
  return out;
}

std::vector<GroupKey> parse_group_by(const std::string& text) {
  std::vector<GroupKey> keys;
  for (const auto& raw : split_commas(text)) {
    const std::string part = trim(raw);
    auto it = std::find_if(std::begin(kGroupKeys), std::end(kGroupKeys),
                           [&](const auto& kv) { return part == kv.first; });
    if (it == std::end(kGroupKeys)) {
      throw std::invalid_argument("unknown group key '" + part +
                                  "' (expected optimizer, workloads, budget, transfer or study, or a comma list)");
    }
    if (std::find(keys.begin(), keys.end(), it->second) != keys.end()) {
      throw std::invalid_argument("group key '" + part + "' given twice");
    }
    keys.push_back(it->second);
  }
  if (keys.empty()) throw std::invalid_argument("empty group key list");
  return keys;
}

const char* to_string(GroupKey key) {
  for (const auto& [name, k] : kGroupKeys) {
    if (k == key) return name;
  }
  return "?";
}

std::string group_value(const StudyDefinition& def, GroupKey key) {
  switch (key) {
    case GroupKey::Optimizer:
      return def.optimizer;
    case GroupKey::Workloads: {
      std::string s;
      for (size_t i = 0; i < def.workloads.size(); ++i) s += (i ? "+" : "") + def.workloads[i];
      return s;
    }
    case GroupKey::Budget: {
      std::ostringstream o;
      o << def.area_budget_mm2;
      return o.str();
    }
    case GroupKey::Transfer:
      return def.transfer_from.empty() ? "without" : "with";
    case GroupKey::Study:
      return def.name;
  }
  return "";
}

std::vector<int> parse_checkpoints(const std::string& text) {
  std::vector<int> out;
  for (const auto& raw : split_commas(text)) {
    const std::string part = trim(raw);
    size_t used = 0;
    long v = 0;
    try {
      v = std::stol(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (part.empty() || used != part.size()) {
      throw std::invalid_argument("checkpoint '" + part + "' is not a whole number of trials");
    }
    if (v <= 0 || v > std::numeric_limits<int>::max()) {
      throw std::invalid_argument("checkpoint " + part + " must be a positive trial count");
    }
    if (!out.empty() && v <= out.back()) {
      throw std::invalid_argument("checkpoints must increase (" + std::to_string(out.back()) + " then " + part + ")");
    }
    out.push_back(static_cast<int>(v));
  }
  if (out.empty()) throw std::invalid_argument("empty checkpoint list");
  return out;
}

std::vector<int> default_checkpoints(int max_trials) {
  std::vector<int> out;
  for (int n : {10, 30, 100}) {
    if (n < max_trials) out.push_back(n);
  }
  if (max_trials > 0) out.push_back(max_trials);
  return out;
}

Comparison compare_studies(const std::vector<StudyTrials>& studies, const std::vector<GroupKey>& group_by,
                           const std::vector<int>& checkpoints, std::optional<double> reference) {
  Comparison c{group_by, checkpoints, reference, {}};
  std::map<std::vector<std::string>, size_t> index;
  for (size_t s = 0; s < studies.size(); ++s) {
    std::vector<std::string> key;
    for (GroupKey k : group_by) key.push_back(group_value(studies[s].definition, k));
    auto [it, fresh] = index.emplace(key, c.groups.size());
    if (fresh) c.groups.push_back(StudyGroup{key, {}, {}});
    c.groups[it->second].members.push_back(s);
  }
  for (auto& g : c.groups) {
    for (int n : checkpoints) {
      std::vector<std::optional<double>> best, reg, rel;
      for (size_t s : g.members) {
        best.push_back(best_after(studies[s].trials, n));
        if (reference) {
          reg.push_back(regret(*reference, best.back()));
          // A zero reference has no relative scale: relative regret is none.
          rel.push_back(reg.back() && *reference != 0 ? std::optional<double>(*reg.back() / *reference)
                                                      : std::nullopt);
        }
      }
      CheckpointSummary cs;
      cs.trials = n;
      cs.best = summarize(best, true);
      if (reference) {
        cs.regret = summarize(reg, false);
        cs.relative_regret = summarize(rel, false);
      }
      g.checkpoints.push_back(cs);
    }
  }
  return c;
}

std::vector<Spread> group_curve(const std::vector<StudyTrials>& studies, const StudyGroup& group,
                                std::optional<double> reference) {
  std::vector<std::vector<std::optional<double>>> curves;
  size_t longest = 0;
  for (size_t s : group.members) {
    curves.push_back(best_so_far(studies[s].trials));
    longest = std::max(longest, curves.back().size());
  }
  std::vector<Spread> out;
  out.reserve(longest);
  for (size_t i = 0; i < longest; ++i) {
    std::vector<std::optional<double>> v;
    for (const auto& curve : curves) {
      std::optional<double> b = curve.empty() ? std::nullopt : curve[std::min(i, curve.size() - 1)];
      v.push_back(reference ? regret(*reference, b) : b);
    }
    out.push_back(summarize(v, !reference));
  }
  return out;
}

StudyFront study_front(const StudyDefinition& def, const std::vector<TrialRecord>& trials) {
  const Objective objective =
      Objective::components_of(def, def.multi_objective() ? def.objectives : std::vector<std::string>{"latency", "area"});
  StudyFront out;
  out.objectives = objective.components();
  out.units = objective.units();
  for (size_t i = 0; i < trials.size(); ++i) {
    if (trials[i].status != TrialStatus::Feasible) continue;
    out.feasible.push_back(i);
    try {
      out.points.push_back(objective.vector(measurement_of(trials[i])));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("study " + def.name + " trial " + std::to_string(trials[i].number) + ": " + e.what());
    }
  }
  for (int k : non_dominated(out.points)) out.front.push_back(out.feasible[static_cast<size_t>(k)]);
  return out;
}

std::optional<ObjectivePoint> default_reference(const std::vector<StudyFront>& fronts) {
  std::optional<ObjectivePoint> worst;
  for (const auto& f : fronts) {
    if (f.objectives != fronts.front().objectives)
      throw std::invalid_argument("the studies have different objectives; hypervolumes are not comparable");
    for (const auto& p : f.points) {
      if (!worst) worst = p;
      for (size_t k = 0; k < p.size(); ++k) (*worst)[k] = std::max((*worst)[k], p[k]);
    }
  }
  if (worst)
    for (double& v : *worst) v *= 1.1;
  return worst;
}

std::vector<double> hypervolume_curve(const StudyFront& front, size_t trials, const ObjectivePoint& reference) {
  std::vector<double> out(trials, 0.0);
  std::vector<ObjectivePoint> seen;
  size_t next = 0;  // into front.feasible
  double volume = 0;
  for (size_t i = 0; i < trials; ++i) {
    if (next < front.feasible.size() && front.feasible[next] == i) {
      const ObjectivePoint& p = front.points[next++];
      // Only a point no earlier one dominates changes the hypervolume.
      bool dominated = false;
      for (const auto& q : seen) dominated = dominated || dominates(q, p) || q == p;
      if (!dominated) {
        seen.erase(std::remove_if(seen.begin(), seen.end(), [&](const auto& q) { return dominates(p, q); }), seen.end());
        seen.push_back(p);
        volume = hypervolume(seen, reference);
      }
    }
    out[i] = volume;
  }
  return out;
}

std::vector<TrialRecord> hypervolume_trials(const StudyFront& front, const std::vector<TrialRecord>& trials,
                                            const ObjectivePoint& reference) {
  const std::vector<double> curve = hypervolume_curve(front, trials.size(), reference);
  std::vector<TrialRecord> out = trials;
  const size_t first = front.feasible.empty() ? trials.size() : front.feasible.front();
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].status = i >= first ? TrialStatus::Feasible : TrialStatus::Infeasible;
    out[i].objective = curve[i];
  }
  return out;
}

}  // namespace apollo::search
