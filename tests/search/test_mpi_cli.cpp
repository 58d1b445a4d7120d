// `apollo search --mpi` under a real `mpirun -np 3` on this machine (rank 0:
// optimizer + store, ranks 1-2: forked evaluations): every trial is stored
// exactly once and their count is the budget, the study equals a local one
// with the same seed and batch (ask/tell order is kept), a crash on a worker
// rank stays a failed trial, and a failing rank 0 or a single rank ends with
// exit 2 instead of hanging. Skipped, with the reason, when mpirun cannot run
// here.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "search/store.hpp"
#include "tests/sanitizers.hpp"
#include "tests/shell_run.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using ShellRun = apollo::testing::ShellResult;

// stderr folded into `out` when `with_stderr`
ShellRun shell(const std::string& cmd, bool with_stderr = false) {
  using apollo::testing::Stderr;
  return apollo::testing::run_shell(cmd, with_stderr ? Stderr::Merge : Stderr::Discard);
}

// Under AddressSanitizer (scripts/sanitize.sh), OpenMPI's own never-freed
// allocations, some made by components it unloads before exit, would fail
// every rank as leaks. Full (slower) malloc stacks let the suppressions file
// attribute them to the MPI libraries; a leak in Apollo's code still fails.
const std::string kLeakCheck =
    apollo_tests::kAddressSanitizer
        ? "ASAN_OPTIONS=\"$ASAN_OPTIONS:fast_unwind_on_malloc=0\" LSAN_OPTIONS=\"$LSAN_OPTIONS:suppressions=" APOLLO_TEST_DATA
          "/lsan_openmpi.supp\" "
        : "";

// OpenMPI refuses to run as root without these; --oversubscribe lets 3 ranks
// share a 2-core machine. `timeout` turns a hang into a failure, not a stall.
const std::string kMpirun =
    kLeakCheck + "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 "
    "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 timeout 120 mpirun --oversubscribe --allow-run-as-root";

class MpiCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ShellRun probe = shell("command -v mpirun", true);
    if (probe.code != 0) GTEST_SKIP() << "mpirun not found on PATH (install openmpi-bin)";
    ShellRun hello = shell(kMpirun + " -np 3 true", true);
    if (hello.code != 0) {
      GTEST_SKIP() << "mpirun -np 3 cannot start here (exit " << hello.code << "): " << hello.out;
    }
    dir_ = fs::temp_directory_path() / ("apollo_mpi_cli_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "s.db").string();
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  ShellRun mpi_apollo(int np, const std::string& args, const std::string& exports = "") {
    return shell(kMpirun + " -np " + std::to_string(np) + " " + exports + " " + APOLLO_BINARY + " " + args);
  }

  fs::path dir_;
  std::string db_;
};

std::vector<std::pair<apollo::search::Design, std::string>> designs_and_status(
    const std::vector<apollo::search::TrialRecord>& trials) {
  std::vector<std::pair<apollo::search::Design, std::string>> v;
  for (const auto& t : trials) v.emplace_back(t.design, apollo::search::to_string(t.status));
  return v;
}

TEST_F(MpiCli, EveryTrialStoredOnceAndSameStudyAsLocal) {
  const std::string study = "search --workload mobilenet_v3_small --trials 12 --batch 4 --seed 7 --optimizer evolution "
                            "--quiet --json --study s --db ";
  ShellRun r = mpi_apollo(3, study + db_ + " --mpi");
  ASSERT_EQ(r.code, 0) << r.out;
  json out = json::parse(r.out);  // only rank 0 prints
  EXPECT_EQ(out.at("trials").get<int>(), 12);
  EXPECT_EQ(out.at("evaluated").get<int>(), 12);
  EXPECT_EQ(out.at("mpi").at("workers").get<int>(), 2);
  EXPECT_EQ(out.at("mpi").at("jobs_per_worker").get<int>(), 1);

  apollo::search::StudyStore store(db_);
  auto trials = store.trials("s");
  ASSERT_EQ(trials.size(), 12u);
  std::set<int> numbers, workers;
  for (const auto& t : trials) {
    numbers.insert(t.number);
    workers.insert(t.worker);
  }
  EXPECT_EQ(numbers.size(), 12u);  // no number twice
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), 11);
  // Two worker ranks x 1 job: worker numbers 0 and 1, both used (a batch of
  // 4 is split 2 + 2 over the idle ranks).
  EXPECT_EQ(workers, (std::set<int>{0, 1}));

  // The same seed and batch evaluated locally gives the same study.
  std::string local_db = (dir_ / "local.db").string();
  ShellRun local = shell(std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + APOLLO_BINARY + " " + study + local_db +
                    " --jobs 2");
  ASSERT_EQ(local.code, 0) << local.out;
  apollo::search::StudyStore local_store(local_db);
  auto local_trials = local_store.trials("s");
  ASSERT_EQ(local_trials.size(), 12u);
  EXPECT_EQ(designs_and_status(trials), designs_and_status(local_trials));
  for (size_t i = 0; i < trials.size(); ++i) {
    EXPECT_DOUBLE_EQ(trials[i].objective, local_trials[i].objective) << "trial " << i;
  }
}

TEST_F(MpiCli, CrashOnAWorkerRankIsAFailedTrial) {
  // Two children per worker rank (--jobs 2): the batch of 4 is one chunk of 2 per rank.
  ShellRun r = mpi_apollo(3, "search --workload mobilenet_v3_small --trials 4 --batch 4 --jobs 2 --seed 3 --quiet --json "
                             "--study f --mpi --db " + db_,
                          "-x APOLLO_TEST_FAULT=crash@2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(json::parse(r.out).at("mpi").at("jobs_per_worker").get<int>(), 2);
  apollo::search::StudyStore store(db_);
  auto trials = store.trials("f");
  ASSERT_EQ(trials.size(), 4u);
  std::set<int> ranks;
  for (const auto& t : trials) {
    // worker = (rank - 1) * 2 + slot: 0-1 on rank 1, 2-3 on rank 2.
    EXPECT_GE(t.worker, 0);
    EXPECT_LE(t.worker, 3);
    ranks.insert(t.worker / 2 + 1);
    if (t.number == 2) {
      EXPECT_EQ(t.status, apollo::search::TrialStatus::Failed);
      EXPECT_NE(t.reason.find("SIGSEGV"), std::string::npos) << t.reason;
    } else {
      EXPECT_NE(t.status, apollo::search::TrialStatus::Failed) << t.number << ": " << t.reason;
    }
  }
  EXPECT_EQ(ranks, (std::set<int>{1, 2}));
}

TEST_F(MpiCli, BadInputEndsEveryRankWithExit2) {
  // One rank: nobody to evaluate.
  EXPECT_EQ(mpi_apollo(1, "search --workload mobilenet_v3_small --trials 2 --quiet --mpi --db " + db_).code, 2);
  // Rank 0 rejects the workload before the study starts; the workers are
  // stopped rather than left waiting (timeout 120 would give -1 / 124).
  EXPECT_EQ(mpi_apollo(3, "search --workload no_such_net --trials 2 --quiet --mpi --db " + db_).code, 2);
}

}  // namespace
