// Comparing studies (`apollo study compare`, bench/paper/): group studies
// (e.g. by optimizer, the members of a group being the seeds), take each
// study's best feasible objective after N trials, and summarize every group
// by median, min and max, optionally as regret against a known optimum.
//
// "None" (a study with no feasible trial yet) is never turned into a number:
// it ranks below every value (the objectives are maximized), so a median that
// falls on it is none too, and the min is none as soon as one study has none.
// Regret turns that around (no feasible trial = unbounded regret).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "search/pareto.hpp"
#include "search/store.hpp"

namespace apollo::search {

// Order statistics of a sample with missing values.
struct Spread {
  int n = 0;     // values in the sample (missing ones included)
  int none = 0;  // missing values
  std::optional<double> median, min, max;
};

// `missing_is_low`: a missing value ranks below every value (best objective)
// or, when false, above every value (regret). An even count takes the mean of
// the two middle values (none when either is none). An empty sample has n = 0
// and no statistics.
Spread summarize(const std::vector<std::optional<double>>& values, bool missing_is_low = true);

// Best feasible objective among the first `n` trials (trials ordered by
// number, as StudyStore::trials returns them); all of them when there are
// fewer than n. nullopt when none of those is feasible.
std::optional<double> best_after(const std::vector<TrialRecord>& trials, int n);

// reference - best; nullopt when best is.
std::optional<double> regret(double reference, const std::optional<double>& best);

enum class GroupKey { Optimizer, Workloads, Budget, Transfer, Study };

// "optimizer", "workloads", "budget", "transfer", "study", or a comma list of
// them ("optimizer,budget"). Throws std::invalid_argument naming the bad key
// (or a repeated one).
std::vector<GroupKey> parse_group_by(const std::string& text);
const char* to_string(GroupKey key);
// The study's value of `key`: the optimizer name, the workloads joined by
// "+", the budget in mm^2 ("6.8"), "with"/"without" (--transfer-from), the
// study name.
std::string group_value(const StudyDefinition& def, GroupKey key);

// The items of a comma list ("a,,b," -> a, "", b, ""): --checkpoints,
// --reference, --objectives.
std::vector<std::string> split_commas(const std::string& text);
// "2,7.5": finite numbers (spaces allowed around them). Throws
// std::invalid_argument naming the item that is not one.
std::vector<double> parse_numbers(const std::string& text);

// "10,30,100": positive, strictly increasing trial counts. Throws
// std::invalid_argument saying what is wrong.
std::vector<int> parse_checkpoints(const std::string& text);
// 10, 30, 100 (those below max_trials) and max_trials itself.
std::vector<int> default_checkpoints(int max_trials);

struct StudyTrials {
  StudyDefinition definition;
  std::vector<TrialRecord> trials;  // by number
};

struct CheckpointSummary {
  int trials = 0;  // the checkpoint N
  Spread best;     // best objective after N trials, over the group's studies
  Spread regret;   // with a reference: reference - best
  Spread relative_regret;  // regret / reference
};

struct StudyGroup {
  std::vector<std::string> key;   // one value per GroupKey, in order
  std::vector<size_t> members;    // indices into the studies given, in order
  std::vector<CheckpointSummary> checkpoints;
};

struct Comparison {
  std::vector<GroupKey> group_by;
  std::vector<int> checkpoints;
  std::optional<double> reference;
  std::vector<StudyGroup> groups;  // in order of their first study
};

// Groups `studies` by `group_by` and summarizes each group at every
// checkpoint. A study with fewer trials than a checkpoint contributes its
// best over all its trials there (callers say so; see shorter_than).
Comparison compare_studies(const std::vector<StudyTrials>& studies, const std::vector<GroupKey>& group_by,
                           const std::vector<int>& checkpoints, std::optional<double> reference);

// Per trial count i = 1..max trials of the group: the spread of the members'
// best-so-far after i trials (a member shorter than i keeps its last value).
// With a reference, the spread of the regret instead.
std::vector<Spread> group_curve(const std::vector<StudyTrials>& studies, const StudyGroup& group,
                                std::optional<double> reference);

// ---- Multi-objective studies ----

// The objective vectors of a study's feasible trials and their Pareto
// front: the study's --objectives, or latency and area for a study with a
// scalar objective (its trade-off, for `apollo study pareto`).
struct StudyFront {
  std::vector<std::string> objectives;  // names, minimized
  std::vector<std::string> units;       // "ms", "uJ", "mm2", "x baseline"
  std::vector<size_t> feasible;         // indices into the trials, in order
  std::vector<ObjectivePoint> points;   // per feasible trial
  std::vector<size_t> front;            // indices into the trials of the non-dominated ones, in order
};
// Throws std::runtime_error when a feasible trial lacks a value an
// objective needs (e.g. energy).
StudyFront study_front(const StudyDefinition& def, const std::vector<TrialRecord>& trials);

// The default hypervolume reference point of studies compared together:
// the worst value of each objective over their feasible trials, times 1.1.
// nullopt when none has a feasible trial. The fronts must have the same
// objectives (std::invalid_argument otherwise).
std::optional<ObjectivePoint> default_reference(const std::vector<StudyFront>& fronts);

// Hypervolume of the front of the first i+1 trials, for every i (0 until
// the first feasible trial).
std::vector<double> hypervolume_curve(const StudyFront& front, size_t trials, const ObjectivePoint& reference);

// The trials recast so that each trial's objective is the hypervolume after
// it (feasible from the first feasible trial on): best_after, the groups and
// checkpoints of compare_studies and group_curve then report hypervolume.
std::vector<TrialRecord> hypervolume_trials(const StudyFront& front, const std::vector<TrialRecord>& trials,
                                            const ObjectivePoint& reference);

}  // namespace apollo::search
