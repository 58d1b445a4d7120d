#include "search/store.hpp"

#include <signal.h>
#include <sqlite3.h>

#include <thread>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace apollo::search {

namespace {

using nlohmann::json;

// One prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreError(std::string("study store: cannot prepare '") + sql + "': " + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  void bind(int i, double v) { check(sqlite3_bind_double(stmt_, i, v)); }
  void bind(int i, int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind(int i, int v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_null(int i) { check(sqlite3_bind_null(stmt_, i)); }

  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("study store: ") + sqlite3_errmsg(db_));
  }
  int step_rc() { return sqlite3_step(stmt_); }
  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(std::string("study store: bind: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS studies (
  name        TEXT PRIMARY KEY,
  created_at  TEXT NOT NULL,
  objective   TEXT NOT NULL,
  definition  TEXT NOT NULL            -- StudyDefinition as JSON
);
CREATE TABLE IF NOT EXISTS runs (       -- which process is running a study now
  study       TEXT PRIMARY KEY REFERENCES studies(name) ON DELETE CASCADE,
  host        TEXT NOT NULL,
  pid         INTEGER NOT NULL,
  started_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
  study       TEXT NOT NULL REFERENCES studies(name) ON DELETE CASCADE,
  number      INTEGER NOT NULL,        -- ask order, from 0
  design      TEXT NOT NULL,           -- JSON array of indices
  design_values TEXT NOT NULL,         -- JSON object parameter -> value
  status      TEXT NOT NULL CHECK (status IN ('feasible', 'infeasible', 'failed')),
  reason      TEXT NOT NULL DEFAULT '',
  latency_ms  TEXT NOT NULL,           -- JSON object workload -> ms
  energy_uj   TEXT NOT NULL DEFAULT '{}',  -- JSON object workload -> uJ per inference
  area_mm2    REAL,
  objective   REAL,
  eval_seconds REAL,
  worker      INTEGER,
  started_at  TEXT,
  finished_at TEXT,
  PRIMARY KEY (study, number)
);
)sql";

}  // namespace

std::string utc_timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];  // room for any int the compiler imagines in %d
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

const char* to_string(TrialStatus status) {
  switch (status) {
    case TrialStatus::Feasible: return "feasible";
    case TrialStatus::Infeasible: return "infeasible";
    case TrialStatus::Failed: return "failed";
  }
  return "failed";
}

TrialStatus trial_status_from_string(const std::string& s) {
  if (s == "feasible") return TrialStatus::Feasible;
  if (s == "infeasible") return TrialStatus::Infeasible;
  if (s == "failed") return TrialStatus::Failed;
  throw StoreError("study store: unknown trial status '" + s + "'");
}

std::string StudyDefinition::objective_name() const {
  std::string out;
  if (multi_objective()) {
    for (const auto& o : objectives) out += (out.empty() ? "pareto:" : ",") + o;
    return out;
  }
  if (objective == "perf_per_area") return workloads.size() > 1 ? "geomean_speedup" : "perf_per_area";
  return objective;
}

json StudyDefinition::to_json() const {
  return json{{"name", name},
              {"workloads", workloads},
              {"objective", objective_name()},
              {"area_budget_mm2", area_budget_mm2},
              {"optimizer", optimizer},
              {"settings", settings},
              {"seed", seed},
              {"trials", trials},
              {"batch", batch},
              {"trial_timeout_s", trial_timeout_s},
              {"tech_path", tech_path},
              {"baseline_path", baseline_path},
              {"baseline_latency_ms", baseline_latency_ms},
              {"baseline_area_mm2", baseline_area_mm2},
              {"baseline_energy_uj", baseline_energy_uj},
              {"scalar_objective", objective},
              {"objectives", objectives},
              {"created_at", created_at},
              {"transfer_from", transfer_from},
              {"space", space ? space->to_json() : json(nullptr)},
              {"lookup", lookup},
              {"area_constraint", to_string(area_constraint)}};
}

const char* to_string(AreaConstraint c) { return c == AreaConstraint::Known ? "known" : "blackbox"; }

AreaConstraint area_constraint_from_string(const std::string& s) {
  if (s == "known") return AreaConstraint::Known;
  if (s == "blackbox") return AreaConstraint::Blackbox;
  throw std::invalid_argument("area constraint '" + s + "' is not known or blackbox");
}

StudyDefinition StudyDefinition::from_json(const json& j) {
  try {
    StudyDefinition d;
    d.name = j.at("name").get<std::string>();
    d.workloads = j.at("workloads").get<std::vector<std::string>>();
    d.area_budget_mm2 = j.at("area_budget_mm2").get<double>();
    d.optimizer = j.at("optimizer").get<std::string>();
    d.settings = j.at("settings").get<Settings>();
    d.seed = j.at("seed").get<uint64_t>();
    d.trials = j.at("trials").get<int>();
    d.batch = j.at("batch").get<int>();
    d.trial_timeout_s = j.at("trial_timeout_s").get<double>();
    d.tech_path = j.value("tech_path", "");
    d.baseline_path = j.value("baseline_path", "");
    d.baseline_latency_ms = j.value("baseline_latency_ms", std::map<std::string, double>{});
    d.baseline_area_mm2 = j.value("baseline_area_mm2", 0.0);
    // Studies stored before the choice existed optimized perf_per_area.
    d.baseline_energy_uj = j.value("baseline_energy_uj", std::map<std::string, double>{});
    d.objective = j.value("scalar_objective", "perf_per_area");
    d.objectives = j.value("objectives", std::vector<std::string>{});
    d.created_at = j.value("created_at", "");
    d.transfer_from = j.value("transfer_from", std::vector<std::string>{});
    if (j.contains("space") && !j.at("space").is_null()) d.space = models::SubSpace::from_json(j.at("space"));
    d.lookup = j.value("lookup", "");
    d.area_constraint = area_constraint_from_string(j.value("area_constraint", "blackbox"));
    return d;
  } catch (const json::exception& e) {
    throw StoreError(std::string("study store: malformed study definition: ") + e.what());
  } catch (const models::ConfigError& e) {
    throw StoreError(std::string("study store: malformed study definition: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw StoreError(std::string("study store: malformed study definition: ") + e.what());
  }
}

void StudyStore::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

StudyStore::StudyStore(const std::string& path) : path_(path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  db_.reset(raw);  // sqlite hands out a handle even on failure; it must still be closed
  if (rc != SQLITE_OK) {
    throw StoreError("cannot open study database " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  // A running search and `apollo study show` may touch the file at once:
  // wait for locks rather than failing.
  sqlite3_busy_timeout(raw, 10000);
  // Two processes that open a brand-new file at once race to switch it to
  // WAL and create the schema; SQLite reports that race as SQLITE_BUSY at
  // once, without calling the busy handler. Every setup statement is
  // idempotent, so retry it for as long as the busy timeout would wait.
  auto setup = [&](const char* sql) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      const int code = sqlite3_exec(raw, sql, nullptr, nullptr, nullptr);
      if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || std::chrono::steady_clock::now() > deadline) {
        if (code != SQLITE_OK) exec(sql);  // reports the error as every other statement does
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  try {
    setup("PRAGMA journal_mode=WAL;");
    setup("PRAGMA foreign_keys=ON;");
    setup("PRAGMA synchronous=NORMAL;");  // WAL + NORMAL: durable against process crashes
    setup(kSchema);
    add_energy_column();
  } catch (const StoreError& e) {
    throw StoreError(path + " is not a usable Apollo study database (" + e.what() + ")");
  }
}

StudyStore::~StudyStore() = default;

void StudyStore::add_energy_column() {
  // Databases created before energy was stored lack the column; their trials
  // read back with no energy. Two processes may add it at once: the loser's
  // "duplicate column" error is harmless, so the column is checked again.
  auto has_column = [&] {
    Statement st(db_.get(), "SELECT COUNT(*) FROM pragma_table_info('trials') WHERE name = 'energy_uj'");
    st.step();
    return st.integer(0) > 0;
  };
  if (has_column()) return;
  try {
    exec("ALTER TABLE trials ADD COLUMN energy_uj TEXT NOT NULL DEFAULT '{}'");
  } catch (const StoreError&) {
    if (!has_column()) throw;
  }
}

void StudyStore::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_.get());
    sqlite3_free(err);
    throw StoreError("study store: " + msg);
  }
}

void StudyStore::create_study(const StudyDefinition& def) {
  Statement st(db_.get(), "INSERT INTO studies(name, created_at, objective, definition) VALUES (?, ?, ?, ?)");
  StudyDefinition d = def;
  if (d.created_at.empty()) d.created_at = utc_timestamp();
  st.bind(1, d.name);
  st.bind(2, d.created_at);
  st.bind(3, d.objective_name());
  st.bind(4, d.to_json().dump());
  int rc = st.step_rc();
  if (rc == SQLITE_CONSTRAINT) throw StoreError("study '" + def.name + "' already exists in " + path_);
  if (rc != SQLITE_DONE) throw StoreError(std::string("study store: ") + sqlite3_errmsg(db_.get()));
}

std::optional<StudyDefinition> StudyStore::find_study(const std::string& name) {
  Statement st(db_.get(), "SELECT definition FROM studies WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  json j;
  try {
    j = json::parse(st.text(0));
  } catch (const json::exception& e) {
    throw StoreError("study '" + name + "' in " + path_ + ": definition is not JSON: " + e.what());
  }
  return StudyDefinition::from_json(j);
}

void StudyStore::update_study(const StudyDefinition& def) {
  Statement st(db_.get(), "UPDATE studies SET definition = ?, objective = ? WHERE name = ?");
  st.bind(1, def.to_json().dump());
  st.bind(2, def.objective_name());
  st.bind(3, def.name);
  st.step();
  if (sqlite3_changes(db_.get()) != 1) throw StoreError("study '" + def.name + "' not found in " + path_);
}

std::vector<StudySummary> StudyStore::list_studies() {
  Statement st(db_.get(),
               "SELECT s.name, s.created_at, s.objective, s.definition, COUNT(t.number), "
               "COALESCE(SUM(t.status = 'feasible'), 0), MAX(CASE WHEN t.status = 'feasible' THEN t.objective END) "
               "FROM studies s LEFT JOIN trials t ON t.study = s.name GROUP BY s.name ORDER BY s.created_at, s.name");
  std::vector<StudySummary> out;
  while (st.step()) {
    StudySummary s;
    s.name = st.text(0);
    s.created_at = st.text(1);
    s.objective = st.text(2);
    try {
      StudyDefinition d = StudyDefinition::from_json(json::parse(st.text(3)));
      s.workloads = d.workloads;
      s.optimizer = d.optimizer;
      s.budget = d.trials;
    } catch (const json::exception&) {
      // A damaged definition should not hide the other studies.
    }
    s.trials = static_cast<int>(st.integer(4));
    s.feasible = static_cast<int>(st.integer(5));
    if (!st.is_null(6)) s.best_objective = st.real(6);
    out.push_back(std::move(s));
  }
  return out;
}

void StudyStore::add_trial(const std::string& study, const TrialRecord& t) {
  Statement st(db_.get(),
               "INSERT INTO trials(study, number, design, design_values, status, reason, latency_ms, area_mm2, "
               "objective, eval_seconds, worker, started_at, finished_at, energy_uj) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, study);
  st.bind(2, t.number);
  st.bind(3, json(t.design).dump());
  st.bind(4, t.values.dump());
  st.bind(5, std::string(to_string(t.status)));
  st.bind(6, t.reason);
  st.bind(7, json(t.latency_ms).dump());
  if (t.area_mm2 > 0) st.bind(8, t.area_mm2); else st.bind_null(8);
  if (t.status == TrialStatus::Feasible) st.bind(9, t.objective); else st.bind_null(9);
  st.bind(10, t.eval_seconds);
  st.bind(11, t.worker);
  st.bind(12, t.started_at);
  st.bind(13, t.finished_at);
  st.bind(14, json(t.energy_uj).dump());
  int rc = st.step_rc();
  if (rc == SQLITE_CONSTRAINT) {
    throw StoreError("study '" + study + "': trial " + std::to_string(t.number) +
                     " is already stored, or the study does not exist (" + sqlite3_errmsg(db_.get()) + ")");
  }
  if (rc != SQLITE_DONE) throw StoreError(std::string("study store: ") + sqlite3_errmsg(db_.get()));
}

std::vector<TrialRecord> StudyStore::trials(const std::string& study) {
  Statement st(db_.get(),
               "SELECT number, design, design_values, status, reason, latency_ms, area_mm2, objective, "
               "eval_seconds, worker, started_at, finished_at, energy_uj FROM trials WHERE study = ? ORDER BY number");
  st.bind(1, study);
  std::vector<TrialRecord> out;
  while (st.step()) {
    TrialRecord t;
    t.number = static_cast<int>(st.integer(0));
    try {
      t.design = json::parse(st.text(1)).get<Design>();
      t.values = json::parse(st.text(2));
      t.latency_ms = json::parse(st.text(5)).get<std::map<std::string, double>>();
      t.energy_uj = json::parse(st.text(12)).get<std::map<std::string, double>>();
    } catch (const json::exception& e) {
      throw StoreError("study '" + study + "' trial " + std::to_string(t.number) + ": malformed JSON: " + e.what());
    }
    t.status = trial_status_from_string(st.text(3));
    t.reason = st.text(4);
    t.area_mm2 = st.is_null(6) ? 0 : st.real(6);
    t.objective = st.is_null(7) ? 0 : st.real(7);
    t.eval_seconds = st.real(8);
    t.worker = static_cast<int>(st.integer(9));
    t.started_at = st.text(10);
    t.finished_at = st.text(11);
    out.push_back(std::move(t));
  }
  return out;
}

int StudyStore::trial_count(const std::string& study) {
  Statement st(db_.get(), "SELECT COUNT(*) FROM trials WHERE study = ?");
  st.bind(1, study);
  st.step();
  return static_cast<int>(st.integer(0));
}

namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

bool process_alive(int64_t pid) {
  return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

}  // namespace

std::optional<std::string> StudyStore::claim_study(const std::string& study, bool takeover) {
  const std::string host = host_name();
  const int64_t pid = getpid();
  // IMMEDIATE: take the write lock before reading, so two claimants cannot
  // both see the study free.
  exec("BEGIN IMMEDIATE");
  try {
    {
      Statement st(db_.get(), "SELECT host, pid, started_at FROM runs WHERE study = ?");
      st.bind(1, study);
      if (st.step()) {
        std::string other_host = st.text(0);
        int64_t other_pid = st.integer(1);
        bool mine = other_host == host && other_pid == pid;
        bool alive = other_host == host ? process_alive(other_pid) : !takeover;
        if (!mine && alive) {
          std::string who = "process " + std::to_string(other_pid) + " on " + other_host + " since " + st.text(2);
          exec("ROLLBACK");
          return who;
        }
      }
    }
    Statement up(db_.get(), "INSERT OR REPLACE INTO runs(study, host, pid, started_at) VALUES (?, ?, ?, ?)");
    up.bind(1, study);
    up.bind(2, host);
    up.bind(3, pid);
    up.bind(4, utc_timestamp());
    up.step();
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return std::nullopt;
}

void StudyStore::delete_study(const std::string& study) {
  if (!find_study(study)) throw StoreError("study '" + study + "' not found in " + path_);
  // Dependents read this study's trials when they resume.
  std::vector<std::string> dependents;
  {
    Statement st(db_.get(), "SELECT name, definition FROM studies WHERE name != ? ORDER BY name");
    st.bind(1, study);
    while (st.step()) {
      try {
        const StudyDefinition d = StudyDefinition::from_json(json::parse(st.text(1)));
        const bool uses = d.lookup == study ||
                          std::find(d.transfer_from.begin(), d.transfer_from.end(), study) != d.transfer_from.end();
        if (uses) dependents.push_back(d.name);
      } catch (const std::exception&) {
        // A definition that does not parse cannot be resumed either: no dependent.
      }
    }
  }
  if (!dependents.empty()) {
    std::string names;
    for (const auto& d : dependents) names += (names.empty() ? "" : ", ") + d;
    throw StoreError("study '" + study + "' is used by " + names +
                     " (--transfer-from / --lookup); delete those first");
  }
  // Holding the claim keeps a search from starting on it while it goes.
  if (auto other = claim_study(study)) throw StoreError("study '" + study + "' is being run by " + *other);
  exec("BEGIN IMMEDIATE");
  try {
    for (const char* sql : {"DELETE FROM trials WHERE study = ?", "DELETE FROM runs WHERE study = ?",
                            "DELETE FROM studies WHERE name = ?"}) {
      Statement st(db_.get(), sql);
      st.bind(1, study);
      st.step();
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void StudyStore::release_study(const std::string& study) {
  Statement st(db_.get(), "DELETE FROM runs WHERE study = ? AND host = ? AND pid = ?");
  st.bind(1, study);
  st.bind(2, host_name());
  st.bind(3, static_cast<int64_t>(getpid()));
  st.step();
}

}  // namespace apollo::search
