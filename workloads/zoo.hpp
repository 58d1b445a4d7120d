// The built-in networks ("zoo") and the single entry point that turns a
// workload argument (zoo name or file path) into a validated Network.
#pragma once

#include <string>
#include <vector>

#include "workloads/graph.hpp"

namespace apollo::workloads {

// Names of the built-in networks, in listing order: the vision networks and
// the transformer encoder, the Whisper encoder, then the language models'
// prefill and decode steps (workloads/llm.hpp).
std::vector<std::string> zoo_names();
// The eight networks that simulate quickly on any design: what tests and
// benchmarks that loop over many random designs use (the Whisper encoder's
// 1,500 positions and the language models take far more tiles there).
std::vector<std::string> quick_zoo_names();

// Builds a zoo network (shapes inferred). Throws WorkloadError listing the
// known names when `name` is not one of them.
Network zoo_network(const std::string& name);

// A zoo name, or a path to a workload file: .yaml / .yml (Apollo's YAML
// format), .onnx or .csv (importers). Throws WorkloadError otherwise.
Network load_workload(const std::string& name_or_path);

}  // namespace apollo::workloads
