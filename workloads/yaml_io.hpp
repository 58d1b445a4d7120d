// Apollo's hand-writable YAML workload format (documented in README.md,
// section "Workloads"). Loading validates the graph and infers shapes; every
// error names the file, the line and what was expected.
#pragma once

#include <string>

#include "workloads/graph.hpp"

namespace apollo::workloads {

Network load_network_yaml(const std::string& path);
// `source` names the text in error messages (a file name or "<string>").
Network network_from_yaml(const std::string& text, const std::string& source = "<string>");

// Writes only the attributes that matter for each op and differ from the
// defaults, so the output reads like a hand-written file. Throws
// WorkloadError when the file cannot be written.
void save_network_yaml(const Network& net, const std::string& path);
std::string network_to_yaml(const Network& net);

}  // namespace apollo::workloads
