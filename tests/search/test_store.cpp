// Study store: round trip of definitions and trials, constraints (no
// duplicate studies or trial numbers), persistence, WAL mode, readers.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "search/store.hpp"

namespace fs = std::filesystem;
using namespace apollo::search;

namespace {

// A fresh database path per test, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("apollo_store_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "test.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
};

StudyDefinition sample_definition(const std::string& name) {
  StudyDefinition d;
  d.name = name;
  d.workloads = {"mobilenet_v2", "resnet50_v1_5"};
  d.area_budget_mm2 = 5.8;
  d.optimizer = "evolution";
  d.settings = {{"population", "32"}, {"tournament", "8"}};
  d.seed = 1234567890123ull;
  d.trials = 77;
  d.batch = 3;
  d.trial_timeout_s = 12.5;
  d.baseline_latency_ms = {{"mobilenet_v2", 1.25}, {"resnet50_v1_5", 9.5}};
  d.baseline_area_mm2 = 6.1;
  return d;
}

TrialRecord sample_trial(int number, TrialStatus status) {
  TrialRecord t;
  t.number = number;
  t.design = {number % 10, 1, 2, 3, 4, 5, 6, 3, 4, 5};
  t.values = {{"pe_x", 8}, {"io_bandwidth_gbps", 30.0}};
  t.status = status;
  t.reason = status == TrialStatus::Feasible ? "" : "layer conv1: core_memory needs 1280 B, has 256 B";
  if (status == TrialStatus::Feasible) t.latency_ms = {{"mobilenet_v2", 0.5 + number}, {"resnet50_v1_5", 3.0}};
  t.area_mm2 = status == TrialStatus::Failed ? 0 : 4.25;
  t.objective = status == TrialStatus::Feasible ? 1.0 / (number + 1) : 0;
  t.eval_seconds = 0.125;
  t.worker = number % 2;
  t.started_at = "2026-01-01T00:00:00.000Z";
  t.finished_at = utc_timestamp();
  return t;
}

}  // namespace

TEST_F(StoreTest, DefinitionRoundTrip) {
  StudyStore store(path_);
  StudyDefinition d = sample_definition("s1");
  store.create_study(d);
  auto got = store.find_study("s1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "s1");
  EXPECT_EQ(got->workloads, d.workloads);
  EXPECT_DOUBLE_EQ(got->area_budget_mm2, 5.8);
  EXPECT_EQ(got->optimizer, "evolution");
  EXPECT_EQ(got->settings, d.settings);
  EXPECT_EQ(got->seed, 1234567890123ull);
  EXPECT_EQ(got->trials, 77);
  EXPECT_EQ(got->batch, 3);
  EXPECT_DOUBLE_EQ(got->trial_timeout_s, 12.5);
  EXPECT_EQ(got->baseline_latency_ms, d.baseline_latency_ms);
  EXPECT_DOUBLE_EQ(got->baseline_area_mm2, 6.1);
  EXPECT_FALSE(got->created_at.empty());  // stamped on creation
  EXPECT_EQ(got->objective_name(), "geomean_speedup");
  EXPECT_FALSE(store.find_study("nope"));
}

TEST_F(StoreTest, DuplicateStudyRejected) {
  StudyStore store(path_);
  store.create_study(sample_definition("s1"));
  EXPECT_THROW(store.create_study(sample_definition("s1")), StoreError);
}

TEST_F(StoreTest, TrialRoundTripAndOrder) {
  StudyStore store(path_);
  store.create_study(sample_definition("s1"));
  // Stored out of order (parallel workers finish out of order); read back by number.
  std::vector<TrialRecord> in = {sample_trial(2, TrialStatus::Feasible), sample_trial(0, TrialStatus::Infeasible),
                                 sample_trial(1, TrialStatus::Failed)};
  for (const auto& t : in) store.add_trial("s1", t);
  auto out = store.trials("s1");
  ASSERT_EQ(out.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out[static_cast<size_t>(i)].number, i);
  const TrialRecord& f = out[2];
  EXPECT_EQ(f.design, in[0].design);
  EXPECT_EQ(f.values, in[0].values);
  EXPECT_EQ(f.status, TrialStatus::Feasible);
  EXPECT_EQ(f.reason, "");
  EXPECT_EQ(f.latency_ms, in[0].latency_ms);
  EXPECT_DOUBLE_EQ(f.area_mm2, 4.25);
  EXPECT_DOUBLE_EQ(f.objective, 1.0 / 3);
  EXPECT_DOUBLE_EQ(f.eval_seconds, 0.125);
  EXPECT_EQ(f.worker, 0);
  EXPECT_EQ(f.started_at, in[0].started_at);
  EXPECT_EQ(f.finished_at, in[0].finished_at);
  EXPECT_EQ(out[0].status, TrialStatus::Infeasible);
  EXPECT_EQ(out[0].reason, in[1].reason);
  EXPECT_EQ(out[1].status, TrialStatus::Failed);
  EXPECT_DOUBLE_EQ(out[1].area_mm2, 0);
  EXPECT_EQ(store.trial_count("s1"), 3);
}

TEST_F(StoreTest, DuplicateTrialNumberRejected) {
  StudyStore store(path_);
  store.create_study(sample_definition("s1"));
  store.add_trial("s1", sample_trial(0, TrialStatus::Feasible));
  EXPECT_THROW(store.add_trial("s1", sample_trial(0, TrialStatus::Feasible)), StoreError);
  // A trial of a study that does not exist is refused too (foreign key).
  EXPECT_THROW(store.add_trial("ghost", sample_trial(0, TrialStatus::Feasible)), StoreError);
  EXPECT_EQ(store.trial_count("s1"), 1);
}

TEST_F(StoreTest, PersistsAcrossReopenAndListsStudies) {
  {
    StudyStore store(path_);
    store.create_study(sample_definition("a"));
    store.create_study(sample_definition("b"));
    store.add_trial("a", sample_trial(0, TrialStatus::Feasible));  // objective 1
    store.add_trial("a", sample_trial(1, TrialStatus::Feasible));  // objective 1/2
    store.add_trial("a", sample_trial(2, TrialStatus::Infeasible));
  }
  StudyStore store(path_);
  auto list = store.list_studies();
  ASSERT_EQ(list.size(), 2u);
  const auto& a = list[0].name == "a" ? list[0] : list[1];
  const auto& b = list[0].name == "a" ? list[1] : list[0];
  EXPECT_EQ(a.trials, 3);
  EXPECT_EQ(a.feasible, 2);
  ASSERT_TRUE(a.best_objective);
  EXPECT_DOUBLE_EQ(*a.best_objective, 1.0);
  EXPECT_EQ(a.budget, 77);
  EXPECT_EQ(b.trials, 0);
  EXPECT_FALSE(b.best_objective);
}

TEST_F(StoreTest, WalModeAndConcurrentReader) {
  StudyStore writer(path_);
  writer.create_study(sample_definition("s"));
  StudyStore reader(path_);  // e.g. `apollo study show` while a search runs
  writer.add_trial("s", sample_trial(0, TrialStatus::Feasible));
  EXPECT_EQ(reader.trial_count("s"), 1);  // committed at once, visible to others

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))), "wal");
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_F(StoreTest, UpdateStudyChangesDefinition) {
  StudyStore store(path_);
  auto d = sample_definition("s");
  store.create_study(d);
  d.trials = 200;
  store.update_study(d);
  EXPECT_EQ(store.find_study("s")->trials, 200);
  d.name = "missing";
  EXPECT_THROW(store.update_study(d), StoreError);
}

TEST_F(StoreTest, NotADatabaseIsAClearError) {
  std::string bogus = (dir_ / "bogus.db").string();
  {
    FILE* f = std::fopen(bogus.c_str(), "w");
    std::fputs("this is not sqlite, just text long enough to have a header page..........................", f);
    std::fclose(f);
  }
  try {
    StudyStore store(bogus);
    FAIL() << "opened a text file as a database";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(bogus), std::string::npos) << e.what();
  }
}

TEST_F(StoreTest, OneProcessRunsAStudyAtATime) {
  StudyStore store(path_);
  store.create_study(sample_definition("s"));
  EXPECT_FALSE(store.claim_study("s"));  // free
  EXPECT_FALSE(store.claim_study("s"));  // our own claim again

  // A claim by a live process of this host (our parent) is respected.
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  auto set_owner = [&](const std::string& h, long pid) {
    std::string sql = "UPDATE runs SET host = '" + h + "', pid = " + std::to_string(pid) + " WHERE study = 's'";
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  };
  set_owner(host, getppid());
  auto owner = store.claim_study("s");
  ASSERT_TRUE(owner);
  EXPECT_NE(owner->find(std::to_string(getppid())), std::string::npos) << *owner;

  // A claim left by a process that died is taken over.
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  set_owner(host, dead);
  EXPECT_FALSE(store.claim_study("s"));

  // Another host cannot be checked: refused unless told to take over.
  set_owner("some-other-host", 12345);
  EXPECT_TRUE(store.claim_study("s"));
  EXPECT_FALSE(store.claim_study("s", true));
  sqlite3_close(raw);

  store.release_study("s");
  EXPECT_FALSE(store.claim_study("s"));
}

TEST_F(StoreTest, DeleteStudyRemovesItsTrialsOnlyAndRespectsDependents) {
  StudyStore store(path_);
  store.create_study(sample_definition("source"));
  StudyDefinition target = sample_definition("target");
  target.transfer_from = {"source"};
  store.create_study(target);
  for (int i = 0; i < 3; ++i) store.add_trial("source", sample_trial(i, TrialStatus::Feasible));
  for (int i = 0; i < 2; ++i) store.add_trial("target", sample_trial(i, TrialStatus::Infeasible));

  // `target` resumes from `source`'s trials: deleting the source first is refused, naming it.
  try {
    store.delete_study("source");
    ADD_FAILURE() << "deleting a study another one transfers from must be refused";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("target"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store.trial_count("source"), 3);

  store.delete_study("target");
  EXPECT_FALSE(store.find_study("target"));
  EXPECT_EQ(store.trial_count("target"), 0);
  EXPECT_EQ(store.trial_count("source"), 3);  // untouched
  // The name is free again: a new study of that name starts empty.
  store.create_study(sample_definition("target"));
  EXPECT_EQ(store.trial_count("target"), 0);

  store.delete_study("source");
  EXPECT_FALSE(store.find_study("source"));
  EXPECT_THROW(store.delete_study("source"), StoreError);  // no longer there
}

TEST_F(StoreTest, DeleteStudyRefusedWhileAnotherProcessRunsIt) {
  StudyStore store(path_);
  store.create_study(sample_definition("s"));
  store.add_trial("s", sample_trial(0, TrialStatus::Feasible));
  ASSERT_FALSE(store.claim_study("s"));
  // Hand the claim to a live process of this host (our parent).
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  const std::string sql = "UPDATE runs SET host = '" + std::string(host) + "', pid = " + std::to_string(getppid()) +
                          " WHERE study = 's'";
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_THROW(store.delete_study("s"), StoreError);
  EXPECT_EQ(store.trial_count("s"), 1);
}
