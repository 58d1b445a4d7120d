#include "workloads/zoo.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "workloads/import.hpp"
#include "workloads/llm.hpp"
#include "workloads/yaml_io.hpp"
#include "workloads/zoo_builder.hpp"

namespace apollo::workloads {
namespace {

struct ZooNet {
  const char* name;
  Network (*build)();
  bool quick = true;  // few tiles on any design (quick_zoo_names)
};

// Listing order: the paper's networks first, then the stand-ins.
constexpr ZooNet kZoo[] = {
    {"mobilenet_v2", zoo::mobilenet_v2},
    {"mobilenet_edgetpu", zoo::mobilenet_edgetpu},
    {"mobilenet_v3_large", zoo::mobilenet_v3_large},
    {"mobilenet_v3_small", zoo::mobilenet_v3_small},
    {"efficientnet_edgetpu_s", zoo::efficientnet_edgetpu_s},
    {"resnet50_v1_5", zoo::resnet50_v1_5},
    {"unet_edge", zoo::unet_edge},
    {"transformer_encoder", zoo::transformer_encoder},
    {"whisper_tiny_encoder", zoo::whisper_tiny_encoder, false},  // 1,500 positions: 10^5+ tiles on small designs
};

// The language models (workloads/llm.hpp): <model>_prefill and <model>_decode.
std::vector<std::string> llm_names() {
  std::vector<std::string> names;
  for (const DecoderConfig& c : llm_configs()) {
    names.push_back(c.name + "_prefill");
    names.push_back(c.name + "_decode");
  }
  return names;
}

std::string known_names() {
  std::string s;
  for (const auto& n : zoo_names()) s += (s.empty() ? "" : ", ") + n;
  return s + " (a language model takes ':tokens=P' after _prefill, ':context=C' after _decode)";
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

}  // namespace

std::vector<std::string> quick_zoo_names() {
  std::vector<std::string> names;
  for (const auto& z : kZoo) {
    if (z.quick) names.emplace_back(z.name);
  }
  return names;
}

std::vector<std::string> zoo_names() {
  std::vector<std::string> names;
  for (const auto& z : kZoo) names.emplace_back(z.name);
  for (const auto& n : llm_names()) names.push_back(n);
  return names;
}

Network zoo_network(const std::string& name) {
  for (const auto& z : kZoo) {
    if (name == z.name) return z.build();
  }
  if (const auto llm = parse_llm_name(name)) return decoder_network(*llm);
  throw WorkloadError("unknown network '" + name + "' (built-in networks: " + known_names() +
                      "; or give a workload file: .yaml, .yml, .onnx, .csv)");
}

Network load_workload(const std::string& name_or_path) {
  for (const auto& z : kZoo) {
    if (name_or_path == z.name) return z.build();
  }
  if (const auto llm = parse_llm_name(name_or_path)) return decoder_network(*llm);
  const std::string ext = lower_extension(name_or_path);
  if (ext == ".yaml" || ext == ".yml") return load_network_yaml(name_or_path);
  // Importers: ONNX models and SCALE-Sim topologies; what was not mapped is
  // warned about on stderr.
  if (is_importable_file(name_or_path)) {
    ImportOptions options;
    options.warnings = &std::cerr;
    return import_file(name_or_path, options).network;
  }

  if (ext.empty()) return zoo_network(name_or_path);  // throws, listing the names
  throw WorkloadError(name_or_path + ": unsupported workload file type '" + ext +
                      "' (expected .yaml, .yml, .onnx or .csv, or a built-in network: " + known_names() + ")");
}

}  // namespace apollo::workloads
