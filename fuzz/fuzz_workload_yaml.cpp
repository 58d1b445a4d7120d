// libFuzzer target: the YAML workload loader (workloads::network_from_yaml,
// behind load_network_yaml). WorkloadError is the documented answer to bad
// input; any other exception or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workloads/graph.hpp"
#include "workloads/yaml_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const apollo::workloads::Network net = apollo::workloads::network_from_yaml(text, "fuzz.yaml");
    // The counts every command prints: overflow here is UB that UBSan reports.
    (void)net.total_macs();
    (void)net.total_weights();
    (void)net.total_vector_ops();
    // An accepted network must export and re-load (`workloads show --yaml`).
    (void)apollo::workloads::network_from_yaml(apollo::workloads::network_to_yaml(net),
                                               "roundtrip.yaml");
  } catch (const apollo::workloads::WorkloadError&) {
  }
  return 0;
}
