// `apollo search --space / --optimizer exhaustive / --lookup` end to end on
// an 8-design sub-space of a small workload: enumeration stores every design
// once, a lookup study of another optimizer simulates nothing and its best is
// the best enumerated objective among the designs it asked, and bad input
// (too many trials, mismatched lookup source) exits 2 with a clear message.
#include <gtest/gtest.h>

#include "tests/search/scratch_dir.hpp"
#include "tests/shell_run.hpp"
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

using CliRun = apollo::testing::ShellResult;

CliRun run_apollo(const std::string& args, bool with_stderr) {
  using apollo::testing::Stderr;
  return apollo::testing::run_apollo(args, with_stderr ? Stderr::Merge : Stderr::Discard);
}

json json_of(const std::string& args) {
  CliRun r = run_apollo(args, false);
  EXPECT_EQ(r.code, 0) << args << "\n" << r.out;
  return json::parse(r.out, nullptr, false);
}

TEST(SubspaceCli, EnumerateThenLookUp) {
  const apollo::testing::ScratchDir scratch("apollo_subspace_cli");
  const std::string db = scratch.file("r.db");
  const std::string space = scratch.file("space.yaml");
  std::ofstream(space) << "parameters:\n  pe_x: [2, 4]\n  simd_lanes: [16, 64]\n  io_bandwidth_gbps: [5, 30]\n";
  const std::string workload = std::string(APOLLO_TEST_DATA) + "/../../configs/workloads/tiny_cnn.yaml";
  const std::string common = " --workload " + workload + " --space " + space + " --quiet --json --db " + db;

  // Enumeration: --trials defaults to the sub-space's size, 2 x 2 x 2.
  json all = json_of("search --optimizer exhaustive --study enum --jobs 2" + common);
  ASSERT_EQ(all["trials"], 8);
  EXPECT_EQ(all["space_size"], 8);
  json enumerated = json_of("study export enum --json --db " + db);
  std::map<json, json> objective_of;  // full-space design -> objective (null when infeasible)
  for (const auto& t : enumerated["trials"]) objective_of[t["design"]] = t["objective"];
  ASSERT_EQ(objective_of.size(), 8u);  // eight distinct designs
  std::set<int64_t> pe_x;
  for (const auto& t : enumerated["trials"]) pe_x.insert(t["values"]["pe_x"].get<int64_t>());
  EXPECT_EQ(pe_x, (std::set<int64_t>{2, 4}));  // stored as full-space values

  // A lookup study of random search: best = the enumeration's best over what it asked.
  json look = json_of("search --optimizer random --trials 5 --seed 3 --study look --lookup enum" + common);
  ASSERT_EQ(look["trials"], 5);
  EXPECT_EQ(look["lookup"], "enum");
  json asked = json_of("study export look --json --db " + db);
  std::optional<double> best;
  for (const auto& t : asked["trials"]) {
    ASSERT_TRUE(objective_of.count(t["design"])) << t["design"];
    EXPECT_EQ(t["objective"], objective_of[t["design"]]);
    EXPECT_LT(t["eval_seconds"].get<double>(), 0.05);  // looked up, not simulated
    if (!t["objective"].is_null() && (!best || t["objective"].get<double>() > *best)) best = t["objective"].get<double>();
  }
  ASSERT_TRUE(best.has_value());
  EXPECT_DOUBLE_EQ(look["best"]["objective"].get<double>(), *best);
  json shown = json_of("study show look --json --db " + db);
  EXPECT_EQ(shown["definition"]["lookup"], "enum");
  EXPECT_EQ(shown["definition"]["space"]["parameters"]["simd_lanes"], (json{16, 64}));

  // Bad input: more trials than designs; a lookup source with another budget.
  CliRun r = run_apollo("search --optimizer exhaustive --trials 9 --study e2" + common, true);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("exceeds the 8 designs"), std::string::npos) << r.out;
  r = run_apollo("search --optimizer random --trials 3 --area-budget 5 --study l2 --lookup enum" + common, true);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("area budget"), std::string::npos) << r.out;
  // Resuming with the same --space is fine (the study is complete: nothing
  // to do); the whole space instead is refused, naming both.
  r = run_apollo("search --resume --study look --space " + space + " --db " + db, true);
  EXPECT_EQ(r.code, 0) << r.out;
  r = run_apollo("search --resume --study look --space '' --db " + db, true);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--space is " + space + " in the stored study, given (the whole design space)"),
            std::string::npos)
      << r.out;
}

}  // namespace
