// Dispatch and helpers shared by the ONNX and SCALE-Sim importers.
#include "workloads/import.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "workloads/onnx_import.hpp"
#include "workloads/scalesim_import.hpp"

namespace apollo::workloads {
namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

std::string counts(const std::map<std::string, int>& m) {
  std::string s;
  for (const auto& [op, n] : m) s += (s.empty() ? "" : ", ") + op + " x" + std::to_string(n);
  return s.empty() ? "none" : s;
}

}  // namespace

int ImportReport::unmapped_total() const {
  int t = 0;
  for (const auto& [op, n] : unmapped) t += n;
  return t;
}

bool is_importable_file(const std::string& path) {
  const std::string ext = lower_extension(path);
  return ext == ".onnx" || ext == ".csv";
}

ImportResult import_file(const std::string& path, const ImportOptions& options) {
  const std::string ext = lower_extension(path);
  if (ext == ".onnx") return import_onnx(path, options);
  if (ext == ".csv") {
    if (!options.input_shapes.empty()) {
      throw WorkloadError(path + ": --input-shape applies to ONNX models only; a SCALE-Sim "
                                 "topology declares every layer's input size");
    }
    return import_scalesim(path, options);
  }
  throw WorkloadError(path + ": unknown file type '" + ext +
                      "', expected .onnx (ONNX model) or .csv (SCALE-Sim topology)");
}

void add_input_shape(ImportOptions& options, const std::string& spec) {
  const auto eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    throw WorkloadError("--input-shape '" + spec + "': expected NAME=DIMS, e.g. input=1x3x224x224");
  }
  const std::string name = spec.substr(0, eq), text = spec.substr(eq + 1);
  std::vector<int64_t> dims;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("x,", pos);
    if (end == std::string::npos) end = text.size();
    int64_t v = 0;
    const char* first = text.data() + pos;
    const char* last = text.data() + end;
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || v <= 0) {
      throw WorkloadError("--input-shape '" + spec + "': dimension '" + text.substr(pos, end - pos) +
                          "' is not a positive integer (expected e.g. " + name + "=1x3x224x224)");
    }
    dims.push_back(v);
    pos = end + 1;
  }
  if (options.input_shapes.count(name)) {
    throw WorkloadError("--input-shape given twice for input '" + name + "'");
  }
  options.input_shapes[name] = dims;
}

std::string summarize(const ImportReport& r) {
  if (r.nodes.empty()) {  // SCALE-Sim: counts per row kind
    return "mapped: " + counts(r.mapped) + "\nfolded: " + counts(r.folded) +
           "\nskipped (no work): " + counts(r.skipped) + "\nNOT mapped: " + counts(r.unmapped) + "\n";
  }
  // Per operator type: how many, then each (action, IR op) group.
  std::map<std::string, std::vector<const NodeRecord*>> by_op;
  for (const auto& n : r.nodes) by_op[n.op].push_back(&n);
  size_t width = 0;
  for (const auto& [op, list] : by_op) width = std::max(width, op.size() + 1 + std::to_string(list.size()).size() + 1);
  std::string out;
  for (const auto& [op, list] : by_op) {
    std::map<std::string, int> groups;  // ordered by text; "NOT" sorts first
    for (const NodeRecord* n : list) {
      std::string g;
      if (n->action == "mapped") g = "mapped as " + n->ir_op;
      else if (n->action == "folded") g = "folded into " + (n->ir_op.empty() ? std::string("its producer") : n->ir_op);
      else if (n->action == "skipped") g = "skipped (" + n->detail + ")";
      else if (n->action == "inlined") g = "inlined (" + n->detail + ")";
      else g = "NOT mapped: work not counted";
      groups[g]++;
    }
    std::string head = op + " x" + std::to_string(list.size());
    std::string line = "  " + head + std::string(width + 1 - std::min(width, head.size()), ' ');
    bool first = true;
    for (const auto& [g, k] : groups) {
      line += (first ? "" : "; ") + g + (groups.size() > 1 ? " x" + std::to_string(k) : "");
      first = false;
    }
    out += line + "\n";
  }
  return out;
}

std::string node_list(const ImportReport& r) {
  std::string out;
  for (const auto& n : r.nodes) {
    out += "  node '" + n.node + "' (" + n.op + "): " + n.action;
    if (!n.ir_op.empty()) out += (n.action == "folded" ? " into " : " as ") + n.ir_op;
    if (!n.detail.empty()) out += " — " + n.detail;
    out += "\n";
  }
  return out;
}

}  // namespace apollo::workloads
