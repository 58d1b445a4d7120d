// Importers that turn a network description from another tool into the
// layer-graph IR: ONNX models (onnx_import.hpp) and SCALE-Sim topology CSV
// files (scalesim_import.hpp). Both return the network plus a report of what
// was mapped, folded, skipped and NOT mapped, so no work disappears silently.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "workloads/graph.hpp"

namespace apollo::workloads {

struct ImportOptions {
  // ONNX only: graph input name -> dimensions in the file's own order
  // (NCHW for images). Required for every input with a dynamic dimension.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // Network name; empty = the file name without its extension.
  std::string name;
  // Where warnings are printed as they are found ("warning: ..." lines);
  // nullptr = only collect them in the report.
  std::ostream* warnings = nullptr;
};

// Counts are per source operator type (ONNX op_type, or "conv" / "depthwise"
// / "gemm" rows for SCALE-Sim).
struct ImportReport {
  std::map<std::string, int> mapped;    // became IR layers
  std::map<std::string, int> folded;    // merged into the producing layer (BN, activations, bias)
  std::map<std::string, int> skipped;   // no work: shape-only views, constant/shape subgraphs
  std::map<std::string, int> unmapped;  // work NOT represented in the IR (each also a warning)
  std::vector<std::string> warnings;    // one line per issue, naming the node / line
  int unmapped_total() const;
};

struct ImportResult {
  Network network;  // shapes inferred (infer_shapes() already ran)
  ImportReport report;
};

// True for file names the importers handle (.onnx, .csv; case-insensitive).
bool is_importable_file(const std::string& path);

// Dispatches on the extension: .onnx -> import_onnx, .csv -> import_scalesim.
// Throws WorkloadError (naming the file) for unknown extensions and bad files.
ImportResult import_file(const std::string& path, const ImportOptions& options = {});

// Parses "NAME=1x3x224x224" (the CLI's --input-shape) into options.input_shapes.
// Throws WorkloadError on malformed text or non-positive dimensions.
void add_input_shape(ImportOptions& options, const std::string& spec);

// Human-readable summary of a report ("mapped: Conv x3, ...; NOT mapped: ...").
std::string summarize(const ImportReport& report);

}  // namespace apollo::workloads
