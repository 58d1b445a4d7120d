// `apollo space` and `apollo area` through the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "models/arch_io.hpp"
#include "tests/shell_run.hpp"

namespace {

using CliRun = apollo::testing::ShellResult;

// stdout and stderr together
CliRun run_apollo(const std::string& args) {
  return apollo::testing::run_apollo(args, apollo::testing::Stderr::Merge);
}

TEST(CliSpace, PrintsTheTableAndSize) {
  const CliRun r = run_apollo("space");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("452,760,000"), std::string::npos) << r.out;
  for (const char* name : {"pe_x", "pe_y", "simd_lanes", "cores_per_pe", "parameter_memory",
                           "activation_memory", "core_memory", "instruction_memory", "pe_memory",
                           "io_bandwidth_gbps"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  }
  EXPECT_NE(r.out.find("256 KiB, 512 KiB, 1 MiB"), std::string::npos) << r.out;
}

TEST(CliSpace, JsonListsCountsWhoseProductIsTheSize) {
  const CliRun r = run_apollo("space --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["parameters"].size(), 10u);
  uint64_t product = 1;
  for (const auto& p : j["parameters"]) product *= p["values"].size();
  EXPECT_EQ(product, 452760000u);
  EXPECT_EQ(j["size"].get<uint64_t>(), 452760000u);
}

TEST(CliSpace, OptionsWithoutSampleAreUsageErrors) {
  EXPECT_EQ(run_apollo("space --workload mobilenet_v2").code, 2);
  EXPECT_EQ(run_apollo("space --bogus").code, 2);
}

nlohmann::json sample(const std::string& budget, const std::string& seed) {
  const CliRun r = run_apollo("space --sample 40 --workload mobilenet_v3_small --area-budget " + budget +
                              " --seed " + seed + " --json");
  EXPECT_EQ(r.code, 0) << r.out;
  return nlohmann::json::parse(r.out);
}

TEST(CliSpace, SampleCountsAreConsistentAndSeeded) {
  const auto j = sample("5.8", "4");
  const int64_t compiled = j["compile"]["count"], fits = j["fit_budget"]["count"],
                both = j["both"]["count"];
  EXPECT_EQ(j["samples"].get<int64_t>(), 40);
  EXPECT_LE(both, std::min(compiled, fits));
  EXPECT_GE(both, compiled + fits - 40);  // inclusion-exclusion
  EXPECT_DOUBLE_EQ(j["compile"]["fraction"].get<double>(), compiled / 40.0);
  int64_t failures = 0;
  for (const auto& group : j["compile_failures"]) {
    failures += group["count"].get<int64_t>();
    EXPECT_FALSE(group["example"].get<std::string>().empty());
  }
  EXPECT_EQ(failures, 40 - compiled);  // every failure is in exactly one group
  EXPECT_EQ(sample("5.8", "4"), j);    // same seed, same designs, same report

  // The budget only changes which designs fit, never which compile.
  const auto loose = sample("1e9", "4");
  EXPECT_EQ(loose["fit_budget"]["count"].get<int64_t>(), 40);
  EXPECT_EQ(loose["both"]["count"].get<int64_t>(), compiled);
  const auto tight = sample("0.01", "4");  // below the smallest design (~0.56 mm^2)
  EXPECT_EQ(tight["fit_budget"]["count"].get<int64_t>(), 0);
  EXPECT_EQ(tight["compile"]["count"].get<int64_t>(), compiled);
}

TEST(CliSpace, SampleNeedsWorkloadAndBudget) {
  EXPECT_EQ(run_apollo("space --sample 5 --area-budget 5").code, 2);
  EXPECT_EQ(run_apollo("space --sample 5 --workload mobilenet_v2").code, 2);
  EXPECT_EQ(run_apollo("space --sample 0 --workload mobilenet_v2 --area-budget 5").code, 2);
  const CliRun unknown = run_apollo("space --sample 5 --workload no_such_net --area-budget 5");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.out.find("no_such_net"), std::string::npos) << unknown.out;
}

TEST(CliArea, JsonBreakdownOfTheBaseline) {
  const CliRun r = run_apollo("area --json --arch " + apollo::models::baseline_arch_path());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  const double total = j["total_mm2"].get<double>();
  EXPECT_GE(total, 5.5);
  EXPECT_LE(total, 7.0);
  double sum = 0, shares = 0;
  for (const auto& item : j["items"]) {
    sum += item["mm2"].get<double>();
    shares += item["share"].get<double>();
  }
  EXPECT_NEAR(sum, total, 1e-9);
  EXPECT_NEAR(shares, 1.0, 1e-9);
  EXPECT_EQ(j["items"].size(), 13u);
  EXPECT_EQ(j["items"][5]["component"], "mac_lanes");
  EXPECT_EQ(j["items"][5]["count"].get<int64_t>(), 4096);  // 4 x 4 x 4 x 64
}

TEST(CliArea, TableEndsWithTheTotal) {
  const CliRun r = run_apollo("area --arch " + apollo::models::repo_path("configs/arch/small.yaml"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("io_phy"), std::string::npos);
  EXPECT_NE(r.out.find("\ntotal "), std::string::npos) << r.out;
}

TEST(CliArea, BadFilesExitWithTwoAndSayWhy) {
  const CliRun missing = run_apollo("area --arch /nonexistent/arch.yaml");
  EXPECT_EQ(missing.code, 2) << missing.out;
  EXPECT_NE(missing.out.find("/nonexistent/arch.yaml"), std::string::npos) << missing.out;

  const CliRun bad_tech = run_apollo("area --tech /nonexistent/tech.yaml");
  EXPECT_EQ(bad_tech.code, 2) << bad_tech.out;

  // A constants file is not an architecture file: its first key is unknown there.
  const CliRun wrong_kind = run_apollo("area --arch " + apollo::models::template_constants_path());
  EXPECT_EQ(wrong_kind.code, 2) << wrong_kind.out;
  EXPECT_NE(wrong_kind.out.find("unknown key 'clock_ghz'"), std::string::npos) << wrong_kind.out;
}

}  // namespace
