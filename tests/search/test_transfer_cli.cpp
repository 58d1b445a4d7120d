// `apollo search --transfer-from`: a study learning from a small earlier one
// runs, records its source in the stored definition, resumes with it, and an
// unknown source exits 2 naming it.
#include <gtest/gtest.h>

#include "tests/search/scratch_dir.hpp"
#include "tests/shell_run.hpp"
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace {

using CliRun = apollo::testing::ShellResult;

// stdout and stderr together
CliRun run_apollo(const std::string& args) {
  return apollo::testing::run_apollo(args, apollo::testing::Stderr::Merge);
}

nlohmann::json json_of(const std::string& args) {
  // --json output goes to stdout; progress lines are off with --quiet.
  const CliRun r = apollo::testing::run_apollo(args);
  EXPECT_EQ(r.code, 0) << args;
  return nlohmann::json::parse(r.out, nullptr, false);
}

TEST(TransferCli, RunsRecordsSourcesAndResumes) {
  const apollo::testing::ScratchDir scratch("apollo_transfer_cli");
  const auto& dir = scratch.path();
  const std::string db = (dir / "t.db").string();
  const std::string common = " --workload mobilenet_v2 --jobs 2 --quiet --json --db " + db;

  auto src = json_of("search --study src --trials 8 --seed 3" + common);
  ASSERT_EQ(src["trials"], 8);
  auto dst = json_of("search --study dst --area-budget 8 --optimizer evolution --trials 5 --seed 4 --transfer-from src" +
                     common);
  ASSERT_EQ(dst["trials"], 5);
  EXPECT_EQ(dst["transfer_from"], nlohmann::json::array({"src"}));
  // Same workload, looser budget: evolution re-evaluates the source's best
  // design first, and the simulator is deterministic, so the new study is at
  // least as good as the source after 5 trials.
  ASSERT_TRUE(src["best"].contains("objective") && dst["best"].contains("objective")) << dst.dump();
  EXPECT_GE(dst["best"]["objective"].get<double>(), src["best"]["objective"].get<double>());

  auto shown = json_of("study show dst --json --db " + db);
  EXPECT_EQ(shown["definition"]["transfer_from"], nlohmann::json::array({"src"}));

  // Resume to a larger budget: the stored source is used again (no flag),
  // the 5 stored trials are replayed, 3 are new.
  auto resumed = json_of("search --resume --study dst --trials 8 --quiet --json --db " + db);
  EXPECT_EQ(resumed["trials"], 8);
  EXPECT_EQ(resumed["replayed"], 5);
  EXPECT_EQ(resumed["evaluated"], 3);
  EXPECT_EQ(resumed["transfer_from"], nlohmann::json::array({"src"}));

  // Bad input: unknown source named; sources cannot change on resume.
  CliRun bad = run_apollo("search --study x --trials 2 --transfer-from nosuch --quiet --db " + db);
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("nosuch"), std::string::npos) << bad.out;
  CliRun same = run_apollo("search --resume --study dst --transfer-from src --quiet --db " + db);
  EXPECT_EQ(same.code, 0) << same.out;
  CliRun again = run_apollo("search --resume --study dst --transfer-from x --quiet --db " + db);
  EXPECT_EQ(again.code, 2) << again.out;
  EXPECT_NE(again.out.find("--transfer-from is src in the stored study, given x"), std::string::npos) << again.out;
  CliRun twice = run_apollo("search --study y --trials 2 --transfer-from src --transfer-from src --quiet --db " + db);
  EXPECT_EQ(twice.code, 2) << twice.out;
}

}  // namespace
