// `apollo estimate` through the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "workloads/zoo.hpp"
#include "tests/network_fixtures.hpp"
#include "tests/shell_run.hpp"

namespace {

using namespace apollo;

using CmdRun = apollo::testing::ShellResult;

CmdRun apollo_cmd(const std::string& args, bool merge_stderr = true) {
  using apollo::testing::Stderr;
  return apollo::testing::run_apollo(args, merge_stderr ? Stderr::Merge : Stderr::Discard);
}

std::string temp_arch(const models::ArchConfig& a, const std::string& tag) {
  const std::string path = ::testing::TempDir() + "estimate_" + tag + "_" + std::to_string(getpid()) + ".yaml";
  models::save_arch(a, path);
  return path;
}

TEST(CliEstimate, JsonTotalsAddUpAndMatchTheWorkload) {
  const CmdRun r = apollo_cmd("estimate --workload mobilenet_v2 --json", false);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["feasible"].get<bool>());
  const workloads::Network net = workloads::zoo_network("mobilenet_v2");
  ASSERT_EQ(j["layers"].size(), net.layers.size());
  int64_t bound = 0, compute = 0, ops = 0;
  for (const auto& l : j["layers"]) {
    const auto& b = l["bound"];
    const int64_t c = b["compute_cycles"], k = b["link_cycles"], n = b["network_cycles"];
    EXPECT_EQ(b["cycles"].get<int64_t>(), std::max({c, k, n}));
    bound += b["cycles"].get<int64_t>();
    compute += c;
    ops += l["ops"].get<int64_t>();
  }
  const auto& t = j["totals"];
  EXPECT_EQ(t["bound_cycles"].get<int64_t>(), bound);
  EXPECT_EQ(t["compute_cycles"].get<int64_t>(), compute);
  // Ops are the network's MACs plus its vector work, as the IR counts them.
  int64_t expected_ops = 0;
  for (const auto& l : net.layers) expected_ops += l.macs() + l.vector_ops();
  EXPECT_EQ(ops, expected_ops);
  // Every weight is either resident or streamed: int8 weights, int32 biases.
  int64_t bytes = 0;
  for (const auto& l : net.layers) bytes += apollo::testing::parameter_bytes(l, 1, 4);
  EXPECT_EQ(t["resident_weight_bytes"].get<int64_t>() + t["streamed_weight_bytes"].get<int64_t>(), bytes);
  EXPECT_NEAR(t["latency_ms"].get<double>(), double(bound) / 1e6, 1e-9);  // baseline clock: 1 GHz
}

TEST(CliEstimate, TablePrintsLayersAndTotals) {
  const CmdRun r = apollo_cmd("estimate --workload mobilenet_v3_small");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* s : {"limiter", "bound:", "weights:", "program:", "instructions"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
}

TEST(CliEstimate, InfeasibleDesignExitsThreeWithTheReason) {
  models::ArchConfig a = models::load_baseline_arch();
  a.core_memory = 8;
  const std::string path = temp_arch(a, "tiny_core");
  const CmdRun r = apollo_cmd("estimate --workload mobilenet_v2 --arch " + path);
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("core_memory needs"), std::string::npos) << r.out;
  const CmdRun j = apollo_cmd("estimate --workload mobilenet_v2 --json --arch " + path, false);
  EXPECT_EQ(j.code, 3);
  const auto parsed = nlohmann::json::parse(j.out);
  EXPECT_FALSE(parsed["feasible"].get<bool>());
  EXPECT_EQ(parsed["infeasible"]["memory"], "core_memory");
  EXPECT_EQ(parsed["infeasible"]["available"].get<int64_t>(), 8);
  std::remove(path.c_str());
}

TEST(CliEstimate, BadInputExitsTwo) {
  EXPECT_EQ(apollo_cmd("estimate").code, 2);                                  // no workload
  EXPECT_EQ(apollo_cmd("estimate --workload no_such_network").code, 2);       // unknown workload
  EXPECT_EQ(apollo_cmd("estimate --workload mobilenet_v2 --bogus").code, 2);  // unknown option
  EXPECT_EQ(apollo_cmd("estimate --workload mobilenet_v2 --arch /nonexistent.yaml").code, 2);
}

}  // namespace
