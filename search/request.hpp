// A study as a user asks for it (the options of `apollo search`), validated
// into a StudyDefinition, and compared with a stored study so that a
// repeated or resumed command continues it instead of starting over.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "search/store.hpp"

namespace apollo::search {

// Bad request: the message names the option and the value expected.
struct RequestError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Every field is optional so that what was given can be told from a default.
struct StudyRequest {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> workloads;
  std::optional<double> area_budget_mm2;
  std::optional<std::string> optimizer;
  std::optional<Settings> settings;
  std::optional<uint64_t> seed;
  std::optional<int> trials;
  std::optional<int> batch;
  std::optional<double> trial_timeout_s;
  std::optional<std::string> tech_path;
  std::optional<std::string> baseline_path;
  std::optional<std::vector<std::string>> transfer_from;
  std::optional<std::string> space_path;  // a sub-space YAML file
  std::optional<std::string> lookup;
  std::optional<std::string> area_constraint;  // "known" or "blackbox"
  std::optional<std::string> objective;  // --objective NAME (scalar)
  std::optional<std::vector<std::string>> objectives;  // --objectives a,b[,c] (multi-objective)

  // What an unset field means where the caller decides it: the batch when
  // none is given (the number of workers), and the demo (`apollo search`
  // with nothing naming a study: 200 trials, study name demo-<seed>).
  int default_batch = 1;
  bool demo = false;
};

inline constexpr int kDemoTrials = 200;
inline constexpr double kDefaultAreaBudgetMm2 = 6.8;
inline constexpr const char* kDefaultOptimizer = "evolution";

// "key=value" items of --opt as settings; RequestError on an item without '='.
Settings parse_settings(const std::vector<std::string>& items);
// "latency,area" as {"latency", "area"} (checked by define_study).
std::vector<std::string> parse_objectives(const std::string& text);

// Sets def.objective / def.objectives from the request's --objective or
// --objectives (the default objective when neither is given), checked:
// RequestError naming the option.
void set_objectives(StudyDefinition& def, const StudyRequest& request);

// The definition a request asks for, without name (see study_name) and
// baseline measurements: defaults filled in (the optimizer's registry entry
// gives its default trial budget), files made absolute (so a resume works
// from any directory), the sub-space loaded (models::ConfigError on a bad
// file), everything validated, including the optimizer's settings.
// Throws RequestError naming the option.
StudyDefinition define_study(const StudyRequest& request);

// The study name a request without --study gets:
// "<workload>[+<n>]-<optimizer>-<budget>mm2-s<seed>", or "demo-<seed>".
std::string default_study_name(const StudyDefinition& def, bool demo);

// One option of a request whose value differs from a stored study's
// definition. Trials and the trial time-out are not part of a study's
// identity (a resume may extend or relax them), so they never differ here.
struct OptionDifference {
  std::string option;  // "--optimizer"
  std::string stored;  // the stored value, as the option would be written
  std::string given;
};
std::vector<OptionDifference> differences(const StudyRequest& request, const StudyDefinition& stored);
// "--optimizer is mbo in the stored study, given random; --seed ..."
std::string describe(const std::vector<OptionDifference>& diffs);

// What to do with a request against a database.
struct StudyPlan {
  StudyDefinition definition;  // resuming: the stored one, with trials / time-out updated
  bool resume = false;         // the study exists and continues
  bool definition_changed = false;  // resuming with new trials or time-out: store them
  std::string note;            // why an existing study is continued ("" when new)
};

// Resolves a request against the store:
// - --study NAME given: an existing NAME is continued when no option given
//   differs from its definition (RequestError naming each one that does);
//   a missing NAME is created, unless resume is asked (RequestError).
// - no --study: the default name; an existing study of that name with the
//   same definition is continued; one with another definition makes the
//   next free "<name>-2", "-3", ... (again continuing one that matches).
// - resume: the study must exist (RequestError saying how to list studies).
// Raising --trials below the trials already stored is a RequestError.
StudyPlan plan_study(StudyStore& store, const StudyRequest& request, bool resume);

}  // namespace apollo::search
