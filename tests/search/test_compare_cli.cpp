// `apollo study compare` end to end on small real studies: its numbers are
// checked against the trials `apollo study export --json` prints (best
// feasible objective among the first N, then median/min/max by hand), a study
// with no feasible trial shows as none (null / "-"), never 0; bad input exits
// 2; the experiment scripts' --help runs.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <unistd.h>
#include "tests/shell_run.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using CliResult = apollo::testing::ShellResult;

CliResult shell(const std::string& cmd) { return apollo::testing::run_shell(cmd); }

CliResult apollo(const std::string& args) { return shell(std::string(APOLLO_BINARY) + " " + args); }

// Best feasible objective among the first n exported trials.
std::optional<double> best_of_first(const json& exported, int n) {
  std::optional<double> best;
  for (const auto& t : exported.at("trials")) {
    if (t.at("number").get<int>() >= n) continue;
    if (t.at("status") != "feasible") continue;
    double v = t.at("objective").get<double>();
    if (!best || v > *best) best = v;
  }
  return best;
}

class CompareCli : public ::testing::Test {
 protected:
  // One database for the suite (the studies take seconds to run). Not a
  // ScratchDir: that one is named after the running test, and there is none
  // while the suite is set up.
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("apollo_compare_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "c.db").string();
    // Two seeds of random on a small network, and one study whose budget no
    // design meets (search exits 3: no feasible design).
    for (int seed : {1, 2}) {
      CliResult r = apollo("search --workload mobilenet_v3_small --optimizer random --trials 8 --batch 2 --jobs 2 --quiet --db " +
                     db_ + " --study r" + std::to_string(seed) + " --seed " + std::to_string(seed));
      ASSERT_EQ(r.code, 0) << r.out;
    }
    CliResult r = apollo("search --workload mobilenet_v3_small --optimizer evolution --area-budget 0.05 --trials 4 --batch 2 "
                   "--jobs 2 --quiet --db " + db_ + " --study tiny");
    ASSERT_EQ(r.code, 3) << r.out;
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  static std::string file(const std::string& name) { return (dir_ / name).string(); }

  static json exported(const std::string& study) {
    CliResult r = apollo("study export " + study + " --json --db " + db_);
    EXPECT_EQ(r.code, 0);
    return json::parse(r.out);
  }

  static fs::path dir_;
  static std::string db_;
};

fs::path CompareCli::dir_;
std::string CompareCli::db_;

TEST_F(CompareCli, NumbersMatchTheExportedTrials) {
  json e1 = exported("r1"), e2 = exported("r2");
  CliResult r = apollo("study compare r1 r2 --checkpoints 1,3,8 --reference 10 --json --db " + db_);
  ASSERT_EQ(r.code, 0) << r.out;
  json c = json::parse(r.out);
  EXPECT_EQ(c.at("checkpoints"), json({1, 3, 8}));
  ASSERT_EQ(c.at("groups").size(), 1u);  // both are random
  const json& g = c.at("groups")[0];
  EXPECT_EQ(g.at("key").at("optimizer"), "random");
  const json& cps = g.at("checkpoints");
  ASSERT_EQ(cps.size(), 3u);
  int checked = 0;
  for (size_t k = 0; k < 3; ++k) {
    const int n = cps[k].at("trials").get<int>();
    auto a = best_of_first(e1, n), b = best_of_first(e2, n);
    const json& best = cps[k].at("best");
    EXPECT_EQ(best.at("n"), 2);
    EXPECT_EQ(best.at("none").get<int>(), int(!a) + int(!b));
    if (a && b) {
      // Two studies: the median is the mean of both.
      EXPECT_DOUBLE_EQ(best.at("median").get<double>(), (*a + *b) / 2);
      EXPECT_DOUBLE_EQ(best.at("min").get<double>(), std::min(*a, *b));
      EXPECT_DOUBLE_EQ(best.at("max").get<double>(), std::max(*a, *b));
      EXPECT_DOUBLE_EQ(cps[k].at("regret").at("median").get<double>(), 10 - (*a + *b) / 2);
      EXPECT_DOUBLE_EQ(cps[k].at("regret").at("max").get<double>(), 10 - std::min(*a, *b));
      EXPECT_DOUBLE_EQ(cps[k].at("relative_regret").at("min").get<double>(), (10 - std::max(*a, *b)) / 10);
      ++checked;
    } else {
      EXPECT_TRUE(best.at("median").is_null());  // a none in a sample of two
      EXPECT_TRUE(best.at("min").is_null());
    }
  }
  EXPECT_GE(checked, 1) << "neither study had a feasible design in 8 trials";
}

TEST_F(CompareCli, NoFeasibleTrialIsNoneNeverZero) {
  CliResult j = apollo("study compare tiny --json --db " + db_);
  ASSERT_EQ(j.code, 0) << j.out;
  const json c = json::parse(j.out);
  const json& best = c.at("groups")[0].at("checkpoints")[0].at("best");
  EXPECT_TRUE(best.at("median").is_null());
  EXPECT_EQ(best.at("none"), 1);
  CliResult md = apollo("study compare tiny r1 --group-by study --checkpoints 4 --markdown --db " + db_);
  ASSERT_EQ(md.code, 0) << md.out;
  EXPECT_NE(md.out.find("| tiny | 1 | 4 | - |"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| r1 | 1 | 8 |"), std::string::npos) << md.out;
}

TEST_F(CompareCli, PivotPutsOneKeysValuesInColumns) {
  json e1 = exported("r1"), e2 = exported("r2");
  CliResult r = apollo("study compare r1 r2 --group-by optimizer,study --pivot study --checkpoints 8 --markdown --db " + db_);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("| optimizer | n | study r1 @8 | study r2 @8 |"), std::string::npos) << r.out;
  // One row (random), one study per cell: the cell is that study's best.
  auto text = [](const std::optional<double>& v) {
    if (!v) return std::string("-");
    std::ostringstream o;
    o << std::setprecision(4) << *v;
    return o.str();
  };
  const std::string row = "| random | 1 | " + text(best_of_first(e1, 8)) + " | " + text(best_of_first(e2, 8)) + " |";
  EXPECT_NE(r.out.find(row), std::string::npos) << row << "\n" << r.out;
  EXPECT_EQ(apollo("study compare r1 r2 --group-by optimizer --pivot optimizer --db " + db_).code, 2);
  EXPECT_EQ(apollo("study compare r1 r2 --group-by optimizer,study --pivot budget --db " + db_).code, 2);
}

TEST_F(CompareCli, PlotIsWritten) {
  const std::string png = file("cmp.png");
  CliResult r = apollo("study compare r1 r2 tiny --group-by study -o " + png + " --db " + db_);
  ASSERT_EQ(r.code, 0);
  ASSERT_TRUE(fs::exists(png));
  EXPECT_GT(fs::file_size(png), 1000u);
  const std::string svg = file("regret.svg");
  ASSERT_EQ(apollo("study compare r1 r2 --reference 10 -o " + svg + " --db " + db_).code, 0);
  EXPECT_GT(fs::file_size(svg), 1000u);
}

TEST_F(CompareCli, BadInputExits2) {
  EXPECT_EQ(apollo("study compare r1 nosuch --db " + db_).code, 2);
  EXPECT_EQ(apollo("study compare --db " + db_).code, 2);
  EXPECT_EQ(apollo("study compare r1 --checkpoints 10,5 --db " + db_).code, 2);
  EXPECT_EQ(apollo("study compare r1 --checkpoints ten --db " + db_).code, 2);
  EXPECT_EQ(apollo("study compare r1 --group-by seed --db " + db_).code, 2);
  EXPECT_EQ(apollo("study compare r1 r1 --db " + db_).code, 2);
  EXPECT_EQ(apollo("study compare r1 -o plot.pdf --db " + db_).code, 2);
  EXPECT_EQ(apollo("study compare r1 --db " + file("missing.db")).code, 2);
}

TEST(PaperScripts, HelpRuns) {
  const fs::path dir = fs::path(APOLLO_TEST_DATA).parent_path().parent_path() / "bench" / "paper";
  for (const char* script : {"exp1_single.sh", "exp2_multi.sh", "exp3_transfer.sh"}) {
    CliResult r = shell("APOLLO=" + std::string(APOLLO_BINARY) + " bash " + (dir / script).string() + " --help");
    EXPECT_EQ(r.code, 0) << script;
    EXPECT_NE(r.out.find("--quick"), std::string::npos) << script;
    EXPECT_NE(r.out.find("--full"), std::string::npos) << script;
    EXPECT_NE(r.out.find("--area-constraint known|blackbox"), std::string::npos) << script;
    r = apollo::testing::run_shell(
        "APOLLO=" + std::string(APOLLO_BINARY) + " bash " + (dir / script).string() + " --area-constraint x",
        apollo::testing::Stderr::Capture);
    EXPECT_EQ(r.code, 2) << script;
    EXPECT_NE(r.err.find("expects known or blackbox, got 'x'"), std::string::npos) << script << ": " << r.err;
  }
}

}  // namespace
