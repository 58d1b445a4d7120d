// `apollo simulate` end to end: exit codes, JSON, trace files, heatmap.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include "tests/shell_run.hpp"

namespace {

using CliRun = apollo::testing::ShellResult;

// stdout and stderr together
CliRun apollo(const std::string& args) {
  return apollo::testing::run_shell(std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ") + APOLLO_BINARY + " " + args,
                                    apollo::testing::Stderr::Merge);
}

std::string temp_file(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / ("apollo_cli_sim_" + name)).string();
}

std::string arch_file(const std::string& name, const std::string& yaml) {
  const std::string path = temp_file(name);
  std::ofstream(path) << yaml;
  return path;
}

const std::string kSmallArch =
    "pe_x: 2\npe_y: 2\nsimd_lanes: 32\ncores_per_pe: 2\nparameter_memory: 4194304\n"
    "activation_memory: 1048576\ncore_memory: 16384\ninstruction_memory: 32768\npe_memory: 32768\n"
    "io_bandwidth_gbps: 16\n";

TEST(SimCli, TablesAndPerLayer) {
  const CliRun r = apollo("simulate --arch " + arch_file("small.yaml", kSmallArch) +
                       " --workload mobilenet_v3_small --per-layer");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* expected : {"total cycles", "latency", "area", "mm^2", "limiter", "bound", "DRAM link",
                               "distribution network", "PEs", "block"}) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
  }
}

// --exact-events turns the fast paths off: the same JSON result, every
// statistic included (only the process activations differ, and they are
// not in the JSON).
TEST(SimCli, ExactEventsGivesTheSameResult) {
  const std::string arch = arch_file("small_exact.yaml", kSmallArch);
  const CliRun fast = apollo("simulate --arch " + arch + " --workload mobilenet_v2 --json -");
  const CliRun exact = apollo("simulate --arch " + arch + " --workload mobilenet_v2 --exact-events --json -");
  ASSERT_EQ(fast.code, 0) << fast.out;
  ASSERT_EQ(exact.code, 0) << exact.out;
  EXPECT_EQ(nlohmann::json::parse(fast.out), nlohmann::json::parse(exact.out));
  const CliRun help = apollo("simulate --help");
  EXPECT_NE(help.out.find("--exact-events"), std::string::npos) << help.out;
}

TEST(SimCli, JsonMatchesItsOwnTotals) {
  const CliRun r = apollo("simulate --arch " + arch_file("small2.yaml", kSmallArch) +
                       " --workload mobilenet_v3_small --json -");
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["feasible"].get<bool>());
  int64_t sum = 0;
  for (const auto& l : j["layers"]) {
    sum += l["cycles"].get<int64_t>();
    EXPECT_GE(l["cycles"].get<int64_t>(), l["bound"]["cycles"].get<int64_t>());
  }
  EXPECT_EQ(sum, j["total_cycles"].get<int64_t>());
  // The printed bound is the program's: the sum of the per-layer bounds
  // (barriers separate layers), never less than any summed resource term.
  int64_t bound = 0;
  for (const auto& l : j["layers"]) bound += l["bound"]["cycles"].get<int64_t>();
  EXPECT_EQ(j["bound_cycles"].get<int64_t>(), bound);
  for (const char* term : {"compute", "link", "network"}) {
    EXPECT_LE(j["bound_terms"][term].get<int64_t>(), bound) << term;
  }
  EXPECT_GE(j["total_cycles"].get<int64_t>(), bound);
  EXPECT_EQ(j["pe_busy"].size(), 4u);
  EXPECT_EQ(j["core_busy"].size(), 8u);
  EXPECT_GT(j["area_mm2"].get<double>(), 0.0);
  EXPECT_NEAR(j["latency_ms"].get<double>(), static_cast<double>(sum) / 1e6, 1e-12);  // 1 GHz
}

TEST(SimCli, TraceFilesAndHeatmap) {
  const std::string vcd = temp_file("t.vcd"), timeline = temp_file("t.json"), svg = temp_file("t.svg"),
                    png = temp_file("t.png");
  std::filesystem::remove(png);
  const CliRun r = apollo("simulate --arch " + arch_file("small3.yaml", kSmallArch) + " --workload mobilenet_v3_small" +
                       " --vcd " + vcd + " --timeline " + timeline + " --heatmap " + svg);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_GT(std::filesystem::file_size(vcd), 0u);
  std::ifstream in(timeline);
  nlohmann::json parsed;
  EXPECT_NO_THROW(parsed = nlohmann::json::parse(in));
  EXPECT_TRUE(parsed.contains("traceEvents"));
  std::ifstream svg_in(svg);
  const std::string text((std::istreambuf_iterator<char>(svg_in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<svg"), std::string::npos);
  const CliRun p = apollo("simulate --arch " + arch_file("small4.yaml", kSmallArch) +
                       " --workload mobilenet_v3_small --heatmap " + png);
  ASSERT_EQ(p.code, 0) << p.out;
  std::ifstream png_in(png, std::ios::binary);
  std::array<char, 4> magic{};
  png_in.read(magic.data(), 4);
  EXPECT_EQ(std::string(magic.data() + 1, 3), "PNG");
}

TEST(SimCli, InfeasibleExitsThreeWithTheReason) {
  std::string yaml = kSmallArch;
  yaml.replace(yaml.find("instruction_memory: 32768"), 25, "instruction_memory: 16");
  const CliRun r = apollo("simulate --arch " + arch_file("infeasible.yaml", yaml) + " --workload mobilenet_v2");
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("instruction_memory"), std::string::npos) << r.out;
}

TEST(SimCli, BadInputExitsTwo) {
  EXPECT_EQ(apollo("simulate --workload no_such_network").code, 2);
  EXPECT_EQ(apollo("simulate").code, 2);  // --workload is required
  EXPECT_EQ(apollo("simulate --workload mobilenet_v2 --bogus").code, 2);
  EXPECT_EQ(apollo("simulate --arch /nonexistent.yaml --workload mobilenet_v2").code, 2);
  const CliRun r = apollo("simulate --workload mobilenet_v2 --heatmap x.jpg");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(".png or .svg"), std::string::npos) << r.out;
}

}  // namespace
