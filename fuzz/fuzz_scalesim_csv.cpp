// libFuzzer target: the SCALE-Sim topology CSV importer
// (workloads::import_scalesim_text). WorkloadError is the documented answer
// to bad input; any other exception or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workloads/graph.hpp"
#include "workloads/scalesim_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto result = apollo::workloads::import_scalesim_text(text, "fuzz.csv");
    // The counts every command prints: overflow here is UB that UBSan reports.
    (void)result.network.total_macs();
    (void)result.network.total_weights();
    (void)result.network.total_vector_ops();
  } catch (const apollo::workloads::WorkloadError&) {
  }
  return 0;
}
