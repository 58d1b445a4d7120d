// Real third-party ONNX models (tests/data/onnx/corpus.json): each imports
// with no work dropped (or its documented, counted exception), its MACs and
// weights agree within 1 % with scripts/onnx_reference_counts.py (the Python
// onnx package, not Apollo), and the imported workload compiles and
// simulates on configs/arch/edge_baseline.yaml. The models are fetched by
// scripts/fetch_models.sh (CI runs it); without them the tests are skipped.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/shell_run.hpp"
#include "workloads/onnx_import.hpp"
#include "workloads/yaml_io.hpp"

namespace apollo::workloads {
namespace {

namespace fs = std::filesystem;

struct CorpusModel {
  std::string file;
  std::string package;  // folder in the cache: <name>-<version>
  std::vector<std::string> input_shapes;
  int64_t macs = -1, weights = -1;  // -1: no reference (an exception)
  int unmapped = 0;
  std::string exception;
};

// gtest prints a failing parameter with this.
void PrintTo(const CorpusModel& m, std::ostream* os) { *os << m.file; }

// For gtest's parameter names: alexa_v0.1.onnx -> alexa_v0_1.
std::string test_name(const std::string& file) {
  std::string s = fs::path(file).stem().string();
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

const nlohmann::json& manifest() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(APOLLO_TEST_DATA) + "/onnx/corpus.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

std::vector<CorpusModel> corpus() {
  std::vector<CorpusModel> out;
  for (const auto& m : manifest().at("models")) {
    CorpusModel c;
    c.file = m.at("file").get<std::string>();
    c.package = m.at("package").get<std::string>();
    c.input_shapes = m.at("input_shapes").get<std::vector<std::string>>();
    if (m.contains("macs")) c.macs = m.at("macs").get<int64_t>(), c.weights = m.at("weights").get<int64_t>();
    if (m.contains("unmapped")) c.unmapped = m.at("unmapped").get<int>();
    if (m.contains("exception")) c.exception = m.at("exception").get<std::string>();
    out.push_back(c);
  }
  return out;
}

// $APOLLO_MODEL_CACHE, else .cache/models in the source tree (the fetch script's default).
fs::path cache_dir() {
  const char* env = std::getenv("APOLLO_MODEL_CACHE");
  return env && *env ? fs::path(env) : fs::path(APOLLO_TEST_DATA) / ".." / ".." / ".cache" / "models";
}

class OnnxCorpus : public ::testing::TestWithParam<CorpusModel> {};

TEST_P(OnnxCorpus, ImportsWholeMatchesTheReferenceAndSimulates) {
  const CorpusModel& m = GetParam();
  const fs::path model = cache_dir() / m.package / m.file;
  if (!fs::exists(model)) {
    GTEST_SKIP() << "model cache is empty (" << model.string()
                 << " missing): run scripts/fetch_models.sh to fetch the pinned models (CI does)";
  }
  ImportOptions o;
  for (const auto& s : m.input_shapes) add_input_shape(o, s);
  const ImportResult r = import_onnx(model.string(), o);
  EXPECT_EQ(r.report.unmapped_total(), m.unmapped) << summarize(r.report) << m.exception;
  if (m.macs >= 0) {
    const double macs = double(r.network.total_macs()), weights = double(r.network.total_weights());
    EXPECT_NEAR(macs, double(m.macs), 0.01 * double(m.macs)) << "MACs: Apollo " << macs << ", reference " << m.macs;
    EXPECT_NEAR(weights, double(m.weights), 0.01 * double(m.weights))
        << "weights: Apollo " << weights << ", reference " << m.weights;
  }
  // The imported workload compiles and simulates on the baseline design.
  const fs::path dir = fs::temp_directory_path() / ("apollo_corpus_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path yaml = dir / (test_name(m.file) + ".yaml");
  save_network_yaml(r.network, yaml.string());
  const std::string arch = std::string(APOLLO_TEST_DATA) + "/../../configs/arch/edge_baseline.yaml";
  const auto sim = apollo::testing::run_apollo("simulate --arch " + arch + " --workload " + yaml.string() + " --json " +
                                                   (dir / (test_name(m.file) + ".json")).string(),
                                               apollo::testing::Stderr::Capture);
  EXPECT_EQ(sim.code, 0) << sim.err;
  std::ifstream js(dir / (test_name(m.file) + ".json"));
  ASSERT_TRUE(js.good());
  const auto j = nlohmann::json::parse(js);
  EXPECT_GT(j.at("total_cycles").get<int64_t>(), 0);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(RealModels, OnnxCorpus, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<CorpusModel>& info) { return test_name(info.param.file); });

}  // namespace
}  // namespace apollo::workloads
