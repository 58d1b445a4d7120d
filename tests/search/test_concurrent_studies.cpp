// Robustness of the study database through the real `apollo` binary:
// two searches writing different studies into one database at the same time
// both finish intact, and a study SIGKILLed at several points (resumed after
// each kill) ends with exactly its budget, no trial number twice, the same
// trials as an uninterrupted run, and a database SQLite itself calls intact
// (PRAGMA integrity_check).
#include <gtest/gtest.h>

#include "tests/search/scratch_dir.hpp"
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "search/store.hpp"

namespace fs = std::filesystem;

namespace {

// Starts `apollo <args>` with stdout/stderr discarded; returns its pid.
pid_t spawn_apollo(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int devnull = open("/dev/null", O_WRONLY);
  dup2(devnull, 1);
  dup2(devnull, 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(APOLLO_BINARY));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(APOLLO_BINARY, argv.data());
  _exit(127);
}

// Exit code of a finished child, -1 when it did not exit normally, -2 when
// it is still running after `limit` (it is then killed).
int wait_exit(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// SQLite's own verdict on the file, independent of Apollo's store code.
std::string integrity_check(const std::string& path) {
  sqlite3* db = nullptr;
  std::string result;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    result = std::string("cannot open: ") + sqlite3_errmsg(db);
  } else {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        if (!result.empty()) result += "; ";
        result += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      }
    } else {
      result = std::string("cannot prepare: ") + sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return result;
}

// Trial numbers 0..budget-1, each exactly once.
void expect_exact_budget(apollo::search::StudyStore& store, const std::string& study, int budget) {
  const auto trials = store.trials(study);
  EXPECT_EQ(static_cast<int>(trials.size()), budget) << study;
  std::set<int> numbers;
  for (const auto& t : trials) numbers.insert(t.number);
  EXPECT_EQ(static_cast<int>(numbers.size()), static_cast<int>(trials.size())) << study << ": a trial number twice";
  if (!numbers.empty()) {
    EXPECT_EQ(*numbers.begin(), 0) << study;
    EXPECT_EQ(*numbers.rbegin(), budget - 1) << study;
  }
}

// Stored trials without the store's view of trial numbers, for comparing runs.
using DesignObjective = std::pair<decltype(apollo::search::TrialRecord::design), double>;
std::vector<DesignObjective> designs_and_objectives(apollo::search::StudyStore& store, const std::string& study) {
  std::vector<DesignObjective> v;
  for (const auto& t : store.trials(study)) v.emplace_back(t.design, t.objective);
  return v;
}

class ConcurrentStudies : public ::testing::Test {
 protected:
  apollo::testing::ScratchDir scratch_{"apollo_concurrent"};
  fs::path dir_ = scratch_.path();
  std::string db_ = scratch_.file("s.db");
};

}  // namespace

TEST_F(ConcurrentStudies, TwoSearchesWriteOneDatabaseAtOnce) {
  const int budget = 20;
  // A zoo network whose trials take long enough (~0.1 s each) that the two
  // runs overlap for their whole length, yet the test stays short.
  const std::string workload = "mobilenet_v2";
  auto args = [&](const std::string& study, const std::string& optimizer, const std::string& seed) {
    return std::vector<std::string>{"search", "--workload", workload, "--trials", std::to_string(budget),
                                    "--jobs", "1", "--optimizer", optimizer, "--seed", seed,
                                    "--area-budget", "6.8", "--quiet", "--db", db_, "--study", study};
  };
  // Both start before either has created the schema: the race on the empty file is part of the test.
  pid_t a = spawn_apollo(args("alpha", "random", "1"));
  pid_t b = spawn_apollo(args("beta", "evolution", "2"));
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  EXPECT_EQ(wait_exit(a, std::chrono::seconds(300)), 0);
  EXPECT_EQ(wait_exit(b, std::chrono::seconds(300)), 0);

  EXPECT_EQ(integrity_check(db_), "ok");
  apollo::search::StudyStore store(db_);
  ASSERT_TRUE(store.find_study("alpha"));
  ASSERT_TRUE(store.find_study("beta"));
  expect_exact_budget(store, "alpha", budget);
  expect_exact_budget(store, "beta", budget);
  EXPECT_EQ(store.find_study("alpha")->optimizer, "random");
  EXPECT_EQ(store.find_study("beta")->optimizer, "evolution");
}

TEST_F(ConcurrentStudies, KilledAtSeveralPointsResumesToExactlyItsBudget) {
  const int budget = 30;
  const std::vector<std::string> define = {"search", "--workload", "mobilenet_v2", "--trials", std::to_string(budget),
                                           "--jobs", "1", "--seed", "4", "--optimizer", "evolution", "--quiet",
                                           "--study", "k"};
  auto with_db = [](std::vector<std::string> v, const std::string& db) {
    v.push_back("--db");
    v.push_back(db);
    return v;
  };
  const std::vector<std::string> resume = {"search", "--resume", "--study", "k", "--jobs", "1", "--quiet",
                                           "--db", db_};

  // Kill when at least this many trials are stored; each later run resumes.
  int previous = 0;
  for (int kill_at : {4, 11, 19}) {
    pid_t pid = spawn_apollo(previous == 0 ? with_db(define, db_) : resume);
    ASSERT_GT(pid, 0);
    int stored = previous;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (stored < kill_at && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (!fs::exists(db_)) continue;
      try {
        apollo::search::StudyStore store(db_);
        if (store.find_study("k")) stored = store.trial_count("k");
      } catch (const apollo::search::StoreError&) {
        // The writer may be creating the schema; look again.
      }
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_GE(stored, kill_at) << "no progress before the kill at " << kill_at;
    EXPECT_EQ(integrity_check(db_), "ok") << "after the kill at " << kill_at;
    apollo::search::StudyStore store(db_);
    const int at_kill = store.trial_count("k");
    ASSERT_LT(at_kill, budget) << "the search finished before the kill at " << kill_at;
    expect_exact_budget(store, "k", at_kill);  // what is stored so far is 0..at_kill-1, once each
    previous = at_kill;
  }
  ASSERT_EQ(wait_exit(spawn_apollo(resume), std::chrono::seconds(300)), 0);

  EXPECT_EQ(integrity_check(db_), "ok");
  apollo::search::StudyStore store(db_);
  expect_exact_budget(store, "k", budget);

  // Three kills change nothing: the same trials as one uninterrupted run.
  const std::string ref_db = (dir_ / "ref.db").string();
  ASSERT_EQ(wait_exit(spawn_apollo(with_db(define, ref_db)), std::chrono::seconds(300)), 0);
  apollo::search::StudyStore ref(ref_db);
  EXPECT_EQ(designs_and_objectives(store, "k"), designs_and_objectives(ref, "k"));
}

// A search that fails on bad input removes only a database it created itself
// and left empty (the corpus in tests/data/bad checks that none is left);
// an existing database, and the study in it, stay.
TEST_F(ConcurrentStudies, FailedSearchKeepsAnExistingDatabase) {
  ASSERT_EQ(wait_exit(spawn_apollo({"search", "--workload", "mobilenet_v3_small", "--trials", "3", "--jobs", "1",
                                    "--quiet", "--db", db_, "--study", "kept"}),
                      std::chrono::seconds(300)),
            0);
  EXPECT_EQ(wait_exit(spawn_apollo({"search", "--workload", "no_such_network", "--trials", "3", "--quiet", "--db",
                                    db_, "--study", "other"}),
                      std::chrono::seconds(300)),
            2);
  ASSERT_TRUE(fs::exists(db_));
  apollo::search::StudyStore store(db_);
  EXPECT_EQ(store.trial_count("kept"), 3);
  EXPECT_FALSE(store.find_study("other"));
  EXPECT_EQ(integrity_check(db_), "ok");
}
