// Study store: one SQLite database file holding many studies. A study row
// keeps the study's full definition (so a resume needs only its name and the
// database); each trial is committed the moment it finishes, so a killed
// search loses nothing and repeats nothing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/subspace.hpp"
#include "search/optimizer.hpp"

struct sqlite3;

namespace apollo::search {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class AreaConstraint { Known, Blackbox };
const char* to_string(AreaConstraint c);
// "known" / "blackbox"; throws std::invalid_argument naming the value.
AreaConstraint area_constraint_from_string(const std::string& s);

// Everything needed to run (or resume) a study.
struct StudyDefinition {
  std::string name;
  std::vector<std::string> workloads;  // zoo names or file paths
  double area_budget_mm2 = 6.8;
  std::string optimizer = "evolution";
  Settings settings;                   // optimizer settings (--opt key=value)
  uint64_t seed = 1;
  int trials = 100;                    // trial budget
  int batch = 1;                       // designs asked (and evaluated in parallel) per round
  double trial_timeout_s = 60;         // per-evaluation wall-clock limit
  std::string tech_path;               // technology file, "" = built-in default
  std::string baseline_path;           // baseline preset, "" = configs/arch/edge_baseline.yaml
  // The baseline's measurements, computed once when the study is created:
  // latency per workload (the denominators of the multi-workload speedups)
  // and its area.
  std::map<std::string, double> baseline_latency_ms;
  double baseline_area_mm2 = 0;
  // The baseline's energy per inference and workload (uJ), from the same
  // measurement; empty while evaluations do not measure energy.
  std::map<std::string, double> baseline_energy_uj;
  // The scalar objective (--objective; search/objective.hpp), or, when
  // `objectives` is not empty, a multi-objective study of those (two or
  // three of latency, energy, area; --objectives), whose result is the
  // Pareto front of its feasible trials.
  std::string objective = "perf_per_area";
  std::vector<std::string> objectives;
  std::string created_at;
  // Earlier studies of the same database this one learns from (transfer
  // learning, --transfer-from), in the order given.
  std::vector<std::string> transfer_from;
  // The sub-space searched (--space), nullopt = the whole design space. The
  // optimizer sees sub-space indices; trials are stored with full-space
  // indices and values.
  std::optional<models::SubSpace> space;
  // Study of the same database whose stored trials answered this study's
  // evaluations (--lookup, a tabular benchmark), "" = simulated.
  std::string lookup;
  // How the area budget reaches the optimizer: Known (proposals are checked
  // with the analytic area model, so only designs within the budget are
  // evaluated) or Blackbox (the paper's treatment: over-budget designs are
  // evaluated as infeasible trials). Studies stored before the choice
  // existed ran as Blackbox and resume so.
  AreaConstraint area_constraint = AreaConstraint::Known;

  bool multi_objective() const { return !objectives.empty(); }
  // What the study maximizes, for listings: "perf_per_area" for one
  // workload and "geomean_speedup" for several (the default objective), the
  // --objective name otherwise, "pareto:latency,area" for a multi-objective
  // study.
  std::string objective_name() const;
  nlohmann::json to_json() const;
  static StudyDefinition from_json(const nlohmann::json& j);  // throws StoreError
};

const char* to_string(TrialStatus status);
TrialStatus trial_status_from_string(const std::string& s);  // throws StoreError

struct TrialRecord {
  int number = 0;                      // ask order within the study, from 0
  Design design;                       // indices into the value lists
  nlohmann::json values = nlohmann::json::object();  // parameter -> value
  TrialStatus status = TrialStatus::Failed;
  std::string reason;                  // why infeasible / failed, "" when feasible
  std::map<std::string, double> latency_ms;  // per workload (those simulated)
  std::map<std::string, double> energy_uj;   // per workload, uJ per inference (empty: not measured)
  double area_mm2 = 0;                 // 0 when not computed (e.g. failed)
  double objective = 0;                // meaningful only when feasible
  double eval_seconds = 0;             // wall time of the evaluation
  int worker = -1;                     // pool slot that ran it
  std::string started_at, finished_at; // UTC ISO 8601

};

struct StudySummary {
  std::string name;
  std::string created_at;
  std::string objective;
  std::vector<std::string> workloads;
  std::string optimizer;
  int budget = 0;
  int trials = 0;
  int feasible = 0;
  std::optional<double> best_objective;
};

class StudyStore {
 public:
  // Opens (creating if needed) the database; WAL mode and a busy timeout so
  // readers (`apollo study show`) never block a running search.
  explicit StudyStore(const std::string& path);
  ~StudyStore();
  StudyStore(const StudyStore&) = delete;
  StudyStore& operator=(const StudyStore&) = delete;

  const std::string& path() const { return path_; }

  // Throws StoreError when a study of that name exists.
  void create_study(const StudyDefinition& def);
  std::optional<StudyDefinition> find_study(const std::string& name);
  void update_study(const StudyDefinition& def);  // same name, new definition
  std::vector<StudySummary> list_studies();
  // Throws StoreError when the trial number is already stored (no duplicates).
  void add_trial(const std::string& study, const TrialRecord& trial);
  std::vector<TrialRecord> trials(const std::string& study);  // by number
  int trial_count(const std::string& study);

  // One process at a time runs a study (two would evaluate the same missing
  // trial numbers). claim_study marks the study as run by this process and
  // returns nullopt, or returns a description of the other owner when that
  // process is still alive (same host: checked with kill(pid, 0); another
  // host: assumed alive unless `takeover`). A claim left by a killed process
  // is taken over. release_study drops this process's claim.
  std::optional<std::string> claim_study(const std::string& study, bool takeover = false);
  void release_study(const std::string& study);

  // Removes a study and all its trials, in one transaction. Throws
  // StoreError when the study is not there, when another live process runs
  // it (as claim_study sees it), or when other studies depend on its trials
  // (--transfer-from, --lookup): resuming those would need them.
  void delete_study(const std::string& study);

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  void exec(const std::string& sql);
  void add_energy_column();
  std::string path_;
  std::unique_ptr<sqlite3, Closer> db_;
};

// Current UTC time as ISO 8601 with milliseconds.
std::string utc_timestamp();

}  // namespace apollo::search
