// `apollo workloads` through the built binary: output, JSON and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include "tests/shell_run.hpp"

namespace {

using CmdResult = apollo::testing::ShellResult;

CmdResult apollo(const std::string& args, bool merge_stderr = false) {
  using apollo::testing::Stderr;
  return apollo::testing::run_apollo(args, merge_stderr ? Stderr::Merge : Stderr::Discard);
}

TEST(CliWorkloads, HelpListsSubcommands) {
  const CmdResult r = apollo("workloads --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("list"), std::string::npos);
  EXPECT_NE(r.out.find("show"), std::string::npos);
  EXPECT_EQ(apollo("workloads").code, 2);
  EXPECT_EQ(apollo("workloads frobnicate").code, 2);
  EXPECT_EQ(apollo("workloads list --bogus-option").code, 2);
}

TEST(CliWorkloads, ListTableAndJson) {
  const CmdResult r = apollo("workloads list");
  ASSERT_EQ(r.code, 0);
  for (const char* n : {"mobilenet_v2", "mobilenet_edgetpu", "mobilenet_v3_large",
                        "mobilenet_v3_small", "efficientnet_edgetpu_s", "resnet50_v1_5",
                        "unet_edge", "transformer_encoder"}) {
    EXPECT_NE(r.out.find(n), std::string::npos) << n;
  }
  const CmdResult j = apollo("workloads list --json");
  ASSERT_EQ(j.code, 0);
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc["networks"].size(), 13u);  // 9 networks, 2 language models x 2 phases
  for (const auto& n : doc["networks"]) {
    if (n["name"] == "resnet50_v1_5") {
      // Published: 4.09 G MACs, 25.5 M parameters.
      EXPECT_NEAR(n["macs"].get<double>(), 4.09e9, 0.01 * 4.09e9);
      EXPECT_NEAR(n["weights"].get<double>(), 25.5e6, 0.01 * 25.5e6);
    }
    EXPECT_GT(n["layers"].get<int>(), 0);
    EXPECT_FALSE(n["description"].get<std::string>().empty());
  }
}

TEST(CliWorkloads, ShowTable) {
  const CmdResult r = apollo("workloads show mobilenet_v2");
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("block1/depthwise"), std::string::npos);
  EXPECT_NE(r.out.find("1x112x112x32"), std::string::npos);
  EXPECT_NE(r.out.find("10,838,016"), std::string::npos);  // stem: 112*112*32*3*3*3
  EXPECT_NE(r.out.find("total: 64 layers"), std::string::npos);
}

TEST(CliWorkloads, ShowJson) {
  const CmdResult r = apollo("workloads show mobilenet_v2 --json");
  ASSERT_EQ(r.code, 0);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_NEAR(doc["totals"]["macs"].get<double>(), 300.8e6, 0.01 * 300.8e6);
  EXPECT_NEAR(doc["totals"]["weights"].get<double>(), 3.47e6, 0.01 * 3.47e6);
  EXPECT_EQ(doc["totals"]["layers"].get<size_t>(), doc["layers"].size());
  const auto& stem = doc["layers"][0];
  EXPECT_EQ(stem["name"], "stem");
  EXPECT_EQ(stem["output_shape"], nlohmann::json({1, 112, 112, 32}));
  EXPECT_EQ(stem["macs"].get<int64_t>(), 112 * 112 * 32 * 27);
  EXPECT_EQ(stem["kernel"], nlohmann::json({3, 3}));
  EXPECT_EQ(stem["stride"], nlohmann::json({2, 2}));
  int64_t sum = 0;
  for (const auto& l : doc["layers"]) sum += l["macs"].get<int64_t>();
  EXPECT_EQ(sum, doc["totals"]["macs"].get<int64_t>());
}

TEST(CliWorkloads, ShowYamlFile) {
  const std::string path = std::string(APOLLO_SOURCE_DIR) + "/configs/workloads/tiny_cnn.yaml";
  const CmdResult r = apollo("workloads show " + path + " --json");
  ASSERT_EQ(r.code, 0);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["name"], "tiny_cnn");
  // stem: 3x3 s2 on 64x64x3 -> 32x32x16: 32*32*16*27 MACs.
  EXPECT_EQ(doc["layers"][0]["macs"].get<int64_t>(), 32 * 32 * 16 * 27);
}

TEST(CliWorkloads, ShowYamlExportReloads) {
  const std::string path = testing::TempDir() + "/apollo_cli_v3s.yaml";
  ASSERT_EQ(apollo("workloads show mobilenet_v3_small --yaml > " + path).code, 0);
  const CmdResult r = apollo("workloads show " + path + " --json");
  ASSERT_EQ(r.code, 0);
  const auto doc = nlohmann::json::parse(r.out);
  // Published MobileNetV3-Small: 56.5 M MACs, 2.53 M parameters.
  EXPECT_NEAR(doc["totals"]["macs"].get<double>(), 56.5e6, 0.01 * 56.5e6);
  EXPECT_NEAR(doc["totals"]["weights"].get<double>(), 2.53e6, 0.01 * 2.53e6);
  std::remove(path.c_str());
  EXPECT_EQ(apollo("workloads show mobilenet_v2 --json --yaml").code, 2);
}

TEST(CliWorkloads, BadWorkloadExitsTwo) {
  const CmdResult r = apollo("workloads show no_such_net", true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("unknown network 'no_such_net'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mobilenet_v2"), std::string::npos) << r.out;
  EXPECT_EQ(apollo("workloads show /nonexistent/net.yaml").code, 2);
  EXPECT_EQ(apollo("workloads show").code, 2);
}

}  // namespace
