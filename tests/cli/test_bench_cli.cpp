// `apollo bench --quick --json`: a smoke test of the benchmark command, not a
// speed test (speed targets are reported by the command, never asserted
// here). Checks the JSON is complete and self-consistent, that the benchmark
// measured real evaluations (its mobilenet_v2 latency equals `apollo
// simulate`'s, a separate code path), and that bad options exit 2.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>
#include "tests/shell_run.hpp"

using nlohmann::json;

namespace {

using CliRun = apollo::testing::ShellResult;
using apollo::testing::run_apollo;

void expect_ordered_stats(const json& s, const std::string& what) {
  ASSERT_TRUE(s.is_object()) << what;
  EXPECT_GE(s["n"].get<int>(), 1) << what;
  EXPECT_LE(s["min"].get<double>(), s["median"].get<double>()) << what;
  EXPECT_LE(s["median"].get<double>(), s["max"].get<double>()) << what;
  EXPECT_GT(s["min"].get<double>(), 0) << what;
}

// Properties every evaluation row must have, whatever the machine's speed.
void expect_evaluation_row(const json& row, const std::string& what) {
  EXPECT_EQ(row["status"], "feasible") << what;
  for (const char* k : {"wall_ms", "work_ms", "cpu_ms", "peak_rss_mib", "start_rss_mib"}) {
    expect_ordered_stats(row[k], what + " " + k);
  }
  // The pool's wall time spans fork to reap, so it contains the work.
  EXPECT_GE(row["wall_ms"]["min"].get<double>(), row["work_ms"]["min"].get<double>()) << what;
  // A peak is never below the resident set at the start of the work.
  EXPECT_GE(row["peak_rss_mib"]["min"].get<double>(), row["start_rss_mib"]["min"].get<double>()) << what;
  EXPECT_GT(row["latency_ms"].get<double>(), 0) << what;
  EXPECT_GT(row["area_mm2"].get<double>(), 0) << what;
}

TEST(BenchCli, QuickJsonIsCompleteAndMeasuresRealEvaluations) {
  CliRun r = run_apollo("bench --quick --json");
  ASSERT_EQ(r.code, 0) << r.out;
  json j;
  ASSERT_NO_THROW(j = json::parse(r.out)) << r.out;
  EXPECT_EQ(j["repetitions"], 1);
  EXPECT_EQ(j["quick"], true);

  ASSERT_EQ(j["evaluation"].size(), 1u);
  const json& mnv2 = j["evaluation"][0];
  EXPECT_EQ(mnv2["network"], "mobilenet_v2");
  expect_evaluation_row(mnv2, "mobilenet_v2");

  // The same design through `apollo simulate`: the benchmark timed a real,
  // complete evaluation, not a shortcut.
  CliRun sim = run_apollo("simulate --arch " + std::string(APOLLO_TEST_DATA) +
                          "/../../configs/arch/edge_baseline.yaml --workload mobilenet_v2 --json -");
  ASSERT_EQ(sim.code, 0) << sim.out;
  json s = json::parse(sim.out);
  EXPECT_NEAR(mnv2["latency_ms"].get<double>(), s["latency_ms"].get<double>(), 1e-12);

  const json& runs = j["throughput"]["runs"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["jobs"], 1);
  EXPECT_EQ(runs[1]["jobs"], 2);
  for (const auto& run : runs) {
    EXPECT_EQ(run["trials"], 10);  // --quick studies run exactly 10 trials
    EXPECT_GE(run["feasible"].get<int>(), 0);
    EXPECT_LE(run["feasible"].get<int>(), 10);
    expect_ordered_stats(run["trials_per_s"], "trials/s");
    // One repetition: rate is trials over that run's wall time.
    EXPECT_NEAR(run["trials_per_s"]["median"].get<double>() * run["wall_s"]["median"].get<double>(), 10.0, 1e-6);
  }

  const json& scaling = j["scaling"];
  ASSERT_EQ(scaling.size(), 5u);
  const int sizes[] = {1, 4, 8, 16, 32};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(scaling[i]["pe_x"], sizes[i]);
    EXPECT_EQ(scaling[i]["pe_y"], sizes[i]);
    expect_evaluation_row(scaling[i], "scaling " + std::to_string(sizes[i]));
  }
  EXPECT_DOUBLE_EQ(scaling[1]["wall_vs_4x4"].get<double>(), 1.0);
  // More PEs of the same kind never make a design smaller.
  for (size_t i = 1; i < 5; ++i) {
    EXPECT_GT(scaling[i]["area_mm2"].get<double>(), scaling[i - 1]["area_mm2"].get<double>());
  }
  // The 4x4 row is edge_baseline itself: same simulated latency as above.
  EXPECT_DOUBLE_EQ(scaling[1]["latency_ms"].get<double>(), mnv2["latency_ms"].get<double>());

  // The memory figure is the largest worker peak of all rows.
  double largest = mnv2["peak_rss_mib"]["max"].get<double>();
  for (const auto& row : scaling) largest = std::max(largest, row["peak_rss_mib"]["max"].get<double>());
  EXPECT_DOUBLE_EQ(j["memory"]["worker_peak_rss_mib"].get<double>(), largest);

  // The uniform study (--quick: 60 trials, reported, not judged).
  const json& u = j["uniform"];
  EXPECT_EQ(u["trials"], 60);
  EXPECT_EQ(u["jobs"], 2);
  EXPECT_GE(u["feasible"].get<int>(), 0);
  EXPECT_LE(u["feasible"].get<int>(), 60);
  expect_ordered_stats(u["trials_per_s"], "uniform trials/s");
  expect_ordered_stats(u["slowest_s"], "uniform slowest");

  // Nine targets, each judged on the figure measured above.
  const json& t = j["targets"];
  ASSERT_EQ(t.size(), 9u);
  EXPECT_DOUBLE_EQ(t[0]["measured"].get<double>(), mnv2["wall_ms"]["median"].get<double>());
  EXPECT_EQ(t[0]["met"].get<bool>(), mnv2["wall_ms"]["median"].get<double>() <= 3);
  // Throughput is judged on the 200-trial demo study only: a --quick study is reported, not judged.
  EXPECT_TRUE(t[1]["measured"].is_null());
  EXPECT_TRUE(t[1]["met"].is_null());
  EXPECT_DOUBLE_EQ(t[2]["measured"].get<double>(), largest);
  EXPECT_EQ(t[2]["met"].get<bool>(), largest <= 64);
  double ratio = scaling[4]["wall_ms"]["median"].get<double>() / scaling[1]["wall_ms"]["median"].get<double>();
  EXPECT_NEAR(t[3]["measured"].get<double>(), ratio, 1e-9);
  EXPECT_EQ(t[3]["met"].get<bool>(), ratio <= 5);
  for (size_t i = 4; i < 7; ++i) EXPECT_TRUE(t[i]["measured"].is_null()) << i;  // the 600-trial study only
  EXPECT_TRUE(t[7]["measured"].is_null());  // the optimizers section runs only when asked
  EXPECT_TRUE(t[8]["measured"].is_null());  // --quick evaluates mobilenet_v2 only, not the decode step
  EXPECT_FALSE(j.contains("optimizers"));
}

TEST(BenchCli, OptimizerAskTimes) {
  // One optimizer (random: no models, so this stays quick), three history
  // sizes, the asked number of timed asks each.
  CliRun r = run_apollo("bench --json --section optimizers --optimizer random --asks 2");
  ASSERT_EQ(r.code, 0) << r.out;
  json j = json::parse(r.out);
  const json& rows = j["optimizers"]["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["optimizer"], "random");
  for (const char* n : {"100", "300", "1000"}) {
    const json& c = rows[0][n];
    EXPECT_EQ(c["asks"].get<int>(), 2) << n;
    EXPECT_GE(c["median_ms"].get<double>(), 0) << n;
    EXPECT_LE(c["median_ms"].get<double>(), c["max_ms"].get<double>()) << n;
  }
  EXPECT_TRUE(j["targets"][7]["measured"].is_null());  // judged on the full set of optimizers only
  EXPECT_EQ(run_apollo("bench --section optimizers --asks 0").code, 2);
  EXPECT_EQ(run_apollo("bench --section optimizers --optimizer mbo --opt kappa=2").code, 2);  // needs OPTIMIZER.key
  EXPECT_EQ(run_apollo("bench --section optimizers --optimizer mbo --opt mbo.nope=2").code, 2);
}

TEST(BenchCli, SectionsAndBadOptions) {
  // Only the evaluation section, of a workload file: the other sections are
  // absent and their targets unmeasured.
  CliRun r = run_apollo("bench --quick --json --section evaluation --network " + std::string(APOLLO_TEST_DATA) +
                        "/../../configs/workloads/tiny_cnn.yaml");
  ASSERT_EQ(r.code, 0) << r.out;
  json j = json::parse(r.out);
  EXPECT_FALSE(j.contains("throughput"));
  EXPECT_FALSE(j.contains("scaling"));
  EXPECT_FALSE(j.contains("uniform"));
  ASSERT_EQ(j["evaluation"].size(), 1u);
  expect_evaluation_row(j["evaluation"][0], "tiny_cnn");
  EXPECT_TRUE(j["targets"][0]["measured"].is_null());  // mobilenet_v2 was not measured
  EXPECT_TRUE(j["targets"][1]["met"].is_null());

  EXPECT_EQ(run_apollo("bench --repetitions 0").code, 2);
  EXPECT_EQ(run_apollo("bench --section everything").code, 2);
  EXPECT_EQ(run_apollo("bench --network no_such_network").code, 2);
  EXPECT_EQ(run_apollo("bench --jobs 0").code, 2);
  EXPECT_EQ(run_apollo("bench --optimizer no_such_optimizer --section throughput").code, 2);
}

}  // namespace
