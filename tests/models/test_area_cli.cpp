// `apollo space` and `apollo area` through the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "models/arch_io.hpp"

namespace {

struct CliRun {
  int status = -1;
  std::string out;  // stdout and stderr
};

CliRun run_apollo(const std::string& args) {
  CliRun r;
  const std::string cmd = std::string(APOLLO_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

TEST(CliSpace, PrintsTheTableAndSize) {
  const CliRun r = run_apollo("space");
  ASSERT_EQ(r.status, 0) << r.out;
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
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["parameters"].size(), 10u);
  uint64_t product = 1;
  for (const auto& p : j["parameters"]) product *= p["values"].size();
  EXPECT_EQ(product, 452760000u);
  EXPECT_EQ(j["size"].get<uint64_t>(), 452760000u);
}

TEST(CliSpace, OptionsWithoutSampleAreUsageErrors) {
  EXPECT_EQ(run_apollo("space --workload mobilenet_v2").status, 2);
  EXPECT_EQ(run_apollo("space --bogus").status, 2);
}

TEST(CliArea, JsonBreakdownOfTheBaseline) {
  const CliRun r = run_apollo("area --json --arch " + apollo::models::baseline_arch_path());
  ASSERT_EQ(r.status, 0) << r.out;
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
  EXPECT_EQ(j["items"].size(), 12u);
  EXPECT_EQ(j["items"][5]["component"], "mac_lanes");
  EXPECT_EQ(j["items"][5]["count"].get<int64_t>(), 4096);  // 4 x 4 x 4 x 64
}

TEST(CliArea, TableEndsWithTheTotal) {
  const CliRun r = run_apollo("area --arch " + apollo::models::repo_path("configs/arch/small.yaml"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("io_phy"), std::string::npos);
  EXPECT_NE(r.out.find("\ntotal "), std::string::npos) << r.out;
}

TEST(CliArea, BadFilesExitWithTwoAndSayWhy) {
  const CliRun missing = run_apollo("area --arch /nonexistent/arch.yaml");
  EXPECT_EQ(missing.status, 2) << missing.out;
  EXPECT_NE(missing.out.find("/nonexistent/arch.yaml"), std::string::npos) << missing.out;

  const CliRun bad_tech = run_apollo("area --tech /nonexistent/tech.yaml");
  EXPECT_EQ(bad_tech.status, 2) << bad_tech.out;

  // A constants file is not an architecture file: its first key is unknown there.
  const CliRun wrong_kind = run_apollo("area --arch " + apollo::models::template_constants_path());
  EXPECT_EQ(wrong_kind.status, 2) << wrong_kind.out;
  EXPECT_NE(wrong_kind.out.find("unknown key 'clock_ghz'"), std::string::npos) << wrong_kind.out;
}

}  // namespace
