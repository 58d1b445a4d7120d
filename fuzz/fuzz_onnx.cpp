// libFuzzer target: the ONNX importer. import_onnx reads a path, so each
// input is written to one temp file per process (rewritten per input).
// WorkloadError is the documented answer to bad input; any other exception
// or a sanitizer report is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "workloads/graph.hpp"
#include "workloads/import.hpp"
#include "workloads/onnx_import.hpp"
#include "workloads/yaml_io.hpp"

namespace {

// One file per fuzzing process (parallel -jobs runs must not share it),
// removed when the process exits normally.
struct TempFile {
  std::string path = "/tmp/apollo_fuzz_onnx_" + std::to_string(getpid()) + ".onnx";
  ~TempFile() { unlink(path.c_str()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const TempFile temp;
  const std::string& path = temp.path;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const auto result = apollo::workloads::import_onnx(path);
    // The counts every command prints: overflow here is UB that UBSan reports.
    (void)result.network.total_macs();
    (void)result.network.total_weights();
    (void)result.network.total_vector_ops();
    // The report the CLI prints, and the YAML round trip of what was mapped.
    (void)apollo::workloads::summarize(result.report);
    (void)apollo::workloads::node_list(result.report);
    const std::string yaml = apollo::workloads::network_to_yaml(result.network);
    (void)apollo::workloads::network_from_yaml(yaml, "fuzz.yaml");
  } catch (const apollo::workloads::WorkloadError&) {
  }
  return 0;
}
