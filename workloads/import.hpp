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
  // Where warnings and notes are printed ("warning: ..." / "note: ..."
  // lines); nullptr = only collect them in the report. Without `verbose`
  // one line sums them up; with it, every one is printed as it is found.
  std::ostream* warnings = nullptr;
  bool verbose = false;
  // Any node whose work is not mapped is an error (WorkloadError) instead
  // of a warning.
  bool strict = false;
};

// What happened to one node of the source model (ONNX only).
struct NodeRecord {
  std::string node;    // node name (made unique)
  std::string op;      // operator type (domain-qualified outside the default domain)
  std::string action;  // "mapped", "folded", "skipped", "inlined" or "not mapped"
  std::string ir_op;   // mapped: the IR op of its layer; folded: the IR op it folded into
  std::string detail;  // the layer, or why (view, constant, reason not mapped, ...)
};

// Counts are per source operator type (ONNX op_type, or "conv" / "depthwise"
// / "gemm" rows for SCALE-Sim).
struct ImportReport {
  std::map<std::string, int> mapped;    // became IR layers
  std::map<std::string, int> folded;    // merged into the producing layer (BN, activations, bias)
  std::map<std::string, int> skipped;   // no work: shape-only views, constant/shape subgraphs
  std::map<std::string, int> unmapped;  // work NOT represented in the IR (each also a warning)
  std::map<std::string, int> inlined;   // control flow replaced by one branch (If)
  std::vector<std::string> notes;       // decisions taken (batch dimension set to 1, If branch, ...)
  std::vector<std::string> warnings;    // one line per issue, naming the node / line
  std::vector<NodeRecord> nodes;        // every node, in model order (ONNX only)
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

// Human-readable summary of a report: one line per operator type ("Gemm x3
// mapped as fully_connected", "Relu x2 folded into fully_connected", ...).
std::string summarize(const ImportReport& report);
// Each node's line ("node 'fc1' (Gemm): mapped as fully_connected").
std::string node_list(const ImportReport& report);

}  // namespace apollo::workloads
