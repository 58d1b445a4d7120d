// Imported networks through the YAML format and the `apollo` program:
// `workloads import`, `workloads show` on .onnx / .csv files directly.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tests/workloads/test_onnx_builder.hpp"
#include "workloads/import.hpp"
#include "workloads/onnx_import.hpp"
#include "workloads/yaml_io.hpp"
#include "workloads/zoo.hpp"
#include "tests/shell_run.hpp"

namespace apollo::workloads {
namespace {

using test::OnnxModel;

using CliRun = apollo::testing::ShellResult;

// stdout in `out`, stderr in `err`
CliRun apollo(const std::string& args) {
  return apollo::testing::run_apollo(args, apollo::testing::Stderr::Capture);
}

// The rest of the line that starts with `prefix`, without the padding.
std::string line_of(const std::string& text, const std::string& prefix) {
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return "(no line " + prefix + ")";
  size_t b = at + prefix.size();
  while (b < text.size() && text[b] == ' ') ++b;
  return text.substr(b, text.find('\n', b) - b);
}

// Two convs, a residual add, pool and classifier; batch is dynamic.
OnnxModel small_net(int64_t batch, const std::string& symbol = "batch") {
  OnnxModel m;
  m.input("x", {batch, 3, 8, 8}, symbol);
  m.weight("w1", {8, 3, 3, 3});
  m.weight("w2", {8, 8, 3, 3});
  m.weight("fc", {8, 5});
  auto& c1 = m.node("Conv", {"x", "w1"}, {"c1"}, "conv1");
  OnnxModel::attr(c1, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("Relu", {"c1"}, {"r1"});
  auto& c2 = m.node("Conv", {"r1", "w2"}, {"c2"}, "conv2");
  OnnxModel::attr(c2, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("Add", {"c2", "r1"}, {"s"}, "residual");
  m.node("GlobalAveragePool", {"s"}, {"p"}, "pool");
  m.node("Flatten", {"p"}, {"f"});
  m.node("MatMul", {"f", "fc"}, {"y"}, "classifier");
  m.scalar_int("axis", 1);
  m.node("CumSum", {"y", "axis"}, {"z"}, "cumsum");  // not mapped: reported, passes through
  m.output("z");
  return m;
}

// conv1 8*8*8*27, conv2 8*8*8*72, classifier 8*5 (per image).
constexpr int64_t kMacs = 13824 + 36864 + 40;

TEST(OnnxCli, ImportWritesYamlThatLoadsBackWithTheSameWork) {
  const std::string model = small_net(1).save("cli_small.onnx");
  const std::string yaml = (std::filesystem::path(model).parent_path() / "cli_small.yaml").string();
  const CliRun r = apollo("workloads import " + model + " -o " + yaml);
  ASSERT_EQ(r.code, 0) << r.err;
  // One line per operator type; the nodes only with --verbose.
  EXPECT_EQ(line_of(r.out, "  CumSum x1 "), "NOT mapped: work not counted") << r.out;
  EXPECT_EQ(line_of(r.out, "  Conv x2 "), "mapped as conv") << r.out;
  EXPECT_EQ(line_of(r.out, "  Relu x1 "), "folded into conv") << r.out;
  EXPECT_EQ(line_of(r.out, "  Flatten x1 "), "skipped (view)") << r.out;
  EXPECT_EQ(r.out.find("node 'cumsum'"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("node 'cumsum' (CumSum) not mapped"), std::string::npos) << r.err;
  const CliRun v = apollo("workloads import " + model + " -o " + yaml + " --verbose");
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_NE(v.err.find("node 'cumsum' (CumSum) not mapped"), std::string::npos) << v.err;
  EXPECT_NE(v.out.find("  node 'classifier' (MatMul): mapped as fully_connected\n"), std::string::npos) << v.out;
  // --strict: exit 2 naming the node; --report: every node's mapping as JSON.
  const CliRun s = apollo("workloads import " + model + " -o " + yaml + " --strict");
  EXPECT_EQ(s.code, 2);
  EXPECT_NE(s.err.find("node 'cumsum' (CumSum)"), std::string::npos) << s.err;
  const std::string report = (std::filesystem::path(model).parent_path() / "cli_small.json").string();
  ASSERT_EQ(apollo("workloads import " + model + " -o " + yaml + " --report " + report).code, 0);
  std::ifstream rf(report);
  const auto rj = nlohmann::json::parse(rf);
  ASSERT_EQ(rj.at("nodes").size(), 8u);
  EXPECT_EQ(rj.at("nodes")[0].at("node").get<std::string>(), "conv1");
  EXPECT_EQ(rj.at("nodes")[0].at("action").get<std::string>(), "mapped");
  EXPECT_EQ(rj.at("nodes")[7].at("action").get<std::string>(), "not mapped");
  EXPECT_EQ(rj.at("macs").get<int64_t>(), kMacs);
  const Network back = load_network_yaml(yaml);
  EXPECT_EQ(back.total_macs(), kMacs);
  EXPECT_EQ(back.total_weights(), 8 * 27 + 8 * 72 + 40);
  EXPECT_EQ(back.layers.size(), 5u);  // conv1, conv2, residual, pool, classifier
}

TEST(OnnxCli, ImportReportAsJsonAndInputShapes) {
  const std::string model = small_net(-1).save("cli_dynamic.onnx");
  const std::string yaml = (std::filesystem::path(model).parent_path() / "cli_dynamic.yaml").string();
  const std::string frames = small_net(-1, "frames").save("cli_frames.onnx");
  const CliRun bad = apollo("workloads import " + frames + " -o " + yaml);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("'frames'"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("--input-shape"), std::string::npos) << bad.err;

  const CliRun r = apollo("workloads import " + model + " --input-shape x=4x3x8x8 -o " + yaml + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("macs").get<int64_t>(), 4 * kMacs);  // batch 4
  EXPECT_EQ(j.at("mapped").at("Conv").get<int>(), 2);
  EXPECT_EQ(j.at("folded").at("Relu").get<int>(), 1);
  EXPECT_EQ(j.at("unmapped").at("CumSum").get<int>(), 1);
  EXPECT_EQ(j.at("warnings").size(), 1u);

  EXPECT_EQ(apollo("workloads import " + model + " --input-shape x=4xAx8x8 -o " + yaml).code, 2);
}

TEST(OnnxCli, ShowAcceptsOnnxAndCsvDirectly) {
  const std::string model = small_net(1).save("cli_show.onnx");
  const CliRun r = apollo("workloads show " + model + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("totals").at("macs").get<int64_t>(), kMacs);

  const CliRun c = apollo("workloads show " + std::string(APOLLO_TEST_DATA) + "/scalesim/conv_small.csv --json");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(nlohmann::json::parse(c.out).at("totals").at("macs").get<int64_t>(), 32560);

  // load_workload is what --workload uses everywhere.
  EXPECT_EQ(load_workload(model).total_macs(), kMacs);
}

TEST(OnnxCli, BadFilesExitWithCode2AndNameTheFile) {
  const auto dir = std::filesystem::path(small_net(1).save("cli_tmp.onnx")).parent_path();
  const std::string junk = (dir / "junk.onnx").string();
  std::ofstream(junk, std::ios::binary) << "this is not a protobuf at all \xff\xfe";
  const CliRun r = apollo("workloads show " + junk);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(junk), std::string::npos) << r.err;

  const std::string bad_csv = std::string(APOLLO_TEST_DATA) + "/scalesim/bad_value.csv";
  const CliRun c = apollo("workloads import " + bad_csv);
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.err.find(bad_csv + ":3:"), std::string::npos) << c.err;

  EXPECT_EQ(apollo("workloads import " + std::string(APOLLO_TEST_DATA) +
                   "/scalesim/gemm_small.csv --input-shape a=1x2")
                .code,
            2);
}

}  // namespace
}  // namespace apollo::workloads
