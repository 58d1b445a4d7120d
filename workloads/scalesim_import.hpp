// SCALE-Sim topology CSV -> layer-graph IR.
//
// Both SCALE-Sim formats, chosen by the header row:
//   convolution: Layer name, IFMAP Height, IFMAP Width, Filter Height,
//                Filter Width, Channels, Num Filter, Strides, [Stride width,] [Sparsity,]
//   GEMM:        Layer, M, N, K, [Sparsity,]
// SCALE-Sim semantics: a convolution has no padding and its output is
// ceil((ifmap - filter + stride) / stride): the IR's VALID padding when the
// stride divides (ifmap - filter), else VALID plus the bottom / right
// padding that makes the IR count the same partial last window; a layer
// whose name contains "DP" is depthwise (groups = Channels, Num Filter
// filters per channel); a GEMM row is an M x K by K x N product (an IR fully
// connected layer on {1,1,M,K}). No biases. Rows may end with or without a
// trailing comma; text after '#' is a comment; blank lines are skipped.
//
// The network is a chain in file order. Each layer reads the output of the
// previous one when that has exactly the declared IFMAP shape; otherwise
// (SCALE-Sim files omit pooling and often list layers out of their data
// flow) the layer reads its own declared IFMAP as a separate network input
// named "<layer>.ifmap", so its work is exactly what the file says, and the
// import reports which layers did so. Sparsity values are parsed and
// reported; Apollo counts dense work.
#pragma once

#include <string>

#include "workloads/import.hpp"

namespace apollo::workloads {

// Throws WorkloadError naming the file and line for unreadable files,
// unknown headers, missing / non-integer / non-positive values.
ImportResult import_scalesim(const std::string& path, const ImportOptions& options = {});

// Same, from CSV text; `source` names it in messages and gives the network name.
ImportResult import_scalesim_text(const std::string& text, const std::string& source,
                                  const ImportOptions& options = {});

}  // namespace apollo::workloads
