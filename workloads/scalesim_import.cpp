// SCALE-Sim topology importer: see scalesim_import.hpp for the semantics.
#include "workloads/scalesim_import.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>

namespace apollo::workloads {
namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Cells of one row: comment stripped, cells trimmed, the empty cell(s) of a
// trailing comma dropped.
std::vector<std::string> cells(const std::string& line) {
  std::string body = line.substr(0, line.find('#'));
  std::vector<std::string> out;
  std::stringstream ss(body);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(trim(cell));
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

enum class Format { Conv, Gemm };

// What an optional trailing column holds.
enum class Extra { StrideWidth, Sparsity };

constexpr int64_t kMaxDimension = std::numeric_limits<int32_t>::max();

struct Row {
  int line = 0;
  std::string name;
  int64_t h = 0, w = 0, fh = 0, fw = 0, c = 0, f = 0, sh = 1, sw = 1;  // conv
  int64_t m = 0, n = 0, k = 0;                                          // gemm
  std::string sparsity;
};

class Parser {
 public:
  Parser(std::string source, const ImportOptions& options) : source_(std::move(source)), opts_(options) {}

  ImportResult run(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    int number = 0;
    bool header_seen = false;
    std::vector<Row> rows;
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto c = cells(line);
      if (c.empty()) continue;
      if (!header_seen) {
        header(c, number);
        header_seen = true;
        continue;
      }
      rows.push_back(format_ == Format::Conv ? conv_row(c, number) : gemm_row(c, number));
    }
    if (!header_seen) fail(0, "empty file, expected a SCALE-Sim topology header");
    if (rows.empty()) fail(0, "no layer rows after the header");
    return build(rows);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw WorkloadError(source_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what);
  }

  void header(const std::vector<std::string>& c, int line) {
    std::vector<std::string> names;
    for (const auto& s : c) names.push_back(lower(s));
    if (names.size() >= 4 && names[1] == "m" && names[2] == "n" && names[3] == "k") {
      format_ = Format::Gemm;
      for (size_t i = 4; i < names.size(); ++i) {
        if (names[i].find("sparsity") == std::string::npos) {
          fail(line, "unknown GEMM column '" + c[i] + "' (expected Layer, M, N, K[, Sparsity])");
        }
        extras_.push_back(Extra::Sparsity);
      }
      return;
    }
    if (names.size() >= 8 && names[1].find("ifmap") != std::string::npos) {
      format_ = Format::Conv;
      for (size_t i = 8; i < names.size(); ++i) {
        if (names[i].find("sparsity") != std::string::npos) extras_.push_back(Extra::Sparsity);
        else if (names[i].find("stride") != std::string::npos && i == 8) extras_.push_back(Extra::StrideWidth);
        else fail(line, "unknown convolution column '" + c[i] + "' (expected Stride width or Sparsity)");
      }
      return;
    }
    fail(line, "expected a SCALE-Sim header: 'Layer name, IFMAP Height, IFMAP Width, Filter "
               "Height, Filter Width, Channels, Num Filter, Strides,' or 'Layer, M, N, K,'");
  }

  int64_t positive(const std::vector<std::string>& c, size_t i, const char* column, int line) const {
    if (i >= c.size() || c[i].empty()) fail(line, std::string("missing value for '") + column + "'");
    int64_t v = 0;
    const char* first = c[i].data();
    const char* last = first + c[i].size();
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || v <= 0) {
      fail(line, std::string("'") + column + "' must be a positive integer, got '" + c[i] + "'");
    }
    // Dimensions become int fields of a layer, and products of two of them
    // (depthwise channels x multiplier) must not overflow.
    if (v > kMaxDimension) {
      fail(line, std::string("'") + column + "' is " + c[i] + ", above the largest dimension " +
                     std::to_string(kMaxDimension));
    }
    return v;
  }

  // Optional columns after the fixed ones, typed by the header.
  void extras(const std::vector<std::string>& c, size_t first, Row& r) {
    if (c.size() > first + extras_.size()) {
      fail(r.line, std::to_string(c.size()) + " values, but the header declares " +
                       std::to_string(first + extras_.size()) + " columns");
    }
    for (size_t i = first; i < c.size(); ++i) {
      if (extras_[i - first] == Extra::StrideWidth) {
        r.sw = positive(c, i, "Stride width", r.line);
      } else {
        r.sparsity = c[i];
        const auto colon = r.sparsity.find(':');
        int64_t a = 0, b = 0;
        const std::string lhs = r.sparsity.substr(0, colon);
        const std::string rhs = colon == std::string::npos ? "1" : r.sparsity.substr(colon + 1);
        auto ok = [](const std::string& s, int64_t& v) {
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
          return ec == std::errc() && p == s.data() + s.size();
        };
        if (!ok(trim(lhs), a) || !ok(trim(rhs), b) || a <= 0 || b <= 0 || a > b) {
          fail(r.line, "'Sparsity' must be N:M with 0 < N <= M (or 1 for dense), got '" + c[i] + "'");
        }
        if (a == b) r.sparsity.clear();  // dense
      }
    }
  }

  Row conv_row(const std::vector<std::string>& c, int line) {
    Row r;
    r.line = line;
    r.name = c[0];
    if (r.name.empty()) fail(line, "missing layer name");
    r.h = positive(c, 1, "IFMAP Height", line);
    r.w = positive(c, 2, "IFMAP Width", line);
    r.fh = positive(c, 3, "Filter Height", line);
    r.fw = positive(c, 4, "Filter Width", line);
    r.c = positive(c, 5, "Channels", line);
    r.f = positive(c, 6, "Num Filter", line);
    r.sh = r.sw = positive(c, 7, "Strides", line);
    extras(c, 8, r);
    if (r.fh > r.h || r.fw > r.w) {
      fail(line, "filter " + std::to_string(r.fh) + "x" + std::to_string(r.fw) +
                     " is larger than the IFMAP " + std::to_string(r.h) + "x" + std::to_string(r.w) +
                     " (SCALE-Sim convolutions have no padding)");
    }
    return r;
  }

  Row gemm_row(const std::vector<std::string>& c, int line) {
    Row r;
    r.line = line;
    r.name = c[0];
    if (r.name.empty()) fail(line, "missing layer name");
    r.m = positive(c, 1, "M", line);
    r.n = positive(c, 2, "N", line);
    r.k = positive(c, 3, "K", line);
    extras(c, 4, r);
    return r;
  }

  void warn(const std::string& msg, ImportReport& report) const {
    report.warnings.push_back(msg);
    if (opts_.warnings) *opts_.warnings << "warning: " << source_ << ": " << msg << "\n";
  }

  static std::string list(const std::vector<std::string>& names) {
    std::string s;
    const size_t shown = std::min<size_t>(names.size(), 8);
    for (size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > shown) s += ", ... (" + std::to_string(names.size() - shown) + " more)";
    return s;
  }

  ImportResult build(const std::vector<Row>& rows) {
    ImportResult result;
    Network& net = result.network;
    ImportReport& report = result.report;
    std::set<std::string> used;
    auto unique = [&](const std::string& base) {
      std::string name = base;
      for (int k = 2; used.count(name); ++k) name = base + "_" + std::to_string(k);
      used.insert(name);
      return name;
    };
    std::vector<std::string> renamed, own_input, sparse;
    std::optional<TensorRef> prev;
    Shape prev_out{};
    for (const Row& r : rows) {
      Layer l;
      l.bias = false;  // SCALE-Sim models no bias
      Shape in{};
      std::string kind;
      if (format_ == Format::Conv) {
        const bool depthwise = r.name.find("DP") != std::string::npos;
        l.op = OpType::Conv;
        l.kernel_h = int(r.fh), l.kernel_w = int(r.fw);
        l.stride_h = int(r.sh), l.stride_w = int(r.sw);
        // SCALE-Sim's ceil((ifmap - filter + stride) / stride) is VALID when
        // the stride divides (ifmap - filter); otherwise it counts one more,
        // partial window, which the IR expresses as bottom / right padding.
        l.pad_bottom = int((r.sh - (r.h - r.fh) % r.sh) % r.sh);
        l.pad_right = int((r.sw - (r.w - r.fw) % r.sw) % r.sw);
        l.padding = (l.pad_bottom || l.pad_right) ? Padding::Explicit : Padding::Valid;
        l.groups = depthwise ? int(r.c) : 1;
        l.out_channels = depthwise ? r.c * r.f : r.f;
        in = {1, r.h, r.w, r.c};
        kind = depthwise ? "depthwise" : "conv";
      } else {
        l.op = OpType::FullyConnected;
        l.out_channels = r.n;
        in = {1, 1, r.m, r.k};
        kind = "gemm";
      }
      l.name = unique(r.name);
      if (l.name != r.name) renamed.push_back(r.name + " (line " + std::to_string(r.line) + ")");
      if (!r.sparsity.empty()) sparse.push_back(l.name + " " + r.sparsity);
      if (prev && prev_out == in) {
        l.inputs = {*prev};
      } else {
        net.inputs.push_back({unique(l.name + ".ifmap"), in});
        l.inputs = {graph_input_ref(int(net.inputs.size()) - 1)};
        if (prev) own_input.push_back(l.name);
      }
      net.layers.push_back(std::move(l));
      report.mapped[kind]++;
      // Output size by SCALE-Sim's formula, to chain the next row (the IR
      // recomputes it with its VALID rule; finish() checks they agree).
      if (format_ == Format::Conv) {
        const int64_t oh = (r.h - r.fh + r.sh - 1) / r.sh + 1;  // ceil((h - fh + sh) / sh)
        const int64_t ow = (r.w - r.fw + r.sw - 1) / r.sw + 1;
        prev_out = {1, oh, ow, net.layers.back().out_channels};
      } else {
        prev_out = {1, 1, r.m, r.n};
      }
      expected_.push_back(prev_out);
      prev = int(net.layers.size()) - 1;
    }
    net.name = opts_.name.empty() ? std::filesystem::path(source_).stem().string() : opts_.name;
    net.description = "imported from " + std::filesystem::path(source_).filename().string() +
                      " (SCALE-Sim " + (format_ == Format::Conv ? "convolution" : "GEMM") +
                      " topology, " + std::to_string(rows.size()) + " layers)";
    try {
      net.infer_shapes();
    } catch (const WorkloadError& e) {
      fail(0, e.what());
    }
    for (size_t i = 0; i < net.layers.size(); ++i) {
      if (!(net.layers[i].output == expected_[i])) {
        fail(rows[i].line, "layer '" + net.layers[i].name + "': IR output " +
                               to_string(net.layers[i].output) + " differs from SCALE-Sim's " +
                               to_string(expected_[i]));
      }
    }
    if (!own_input.empty()) {
      warn(std::to_string(own_input.size()) +
               " layer(s) declare an IFMAP that is not the previous layer's output and read it "
               "as their own network input: " + list(own_input),
           report);
    }
    if (!renamed.empty()) warn("repeated layer names made unique: " + list(renamed), report);
    if (!sparse.empty()) {
      warn("sparsity ignored (Apollo counts dense work) for: " + list(sparse), report);
    }
    return result;
  }

  std::string source_;
  ImportOptions opts_;
  Format format_ = Format::Conv;
  std::vector<Extra> extras_;
  std::vector<Shape> expected_;
};

}  // namespace

ImportResult import_scalesim_text(const std::string& text, const std::string& source,
                                  const ImportOptions& options) {
  return Parser(source, options).run(text);
}

ImportResult import_scalesim(const std::string& path, const ImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw WorkloadError(path + ": cannot open the file (missing or unreadable)");
  std::ostringstream buf;
  buf << in.rdbuf();
  return import_scalesim_text(buf.str(), path, options);
}

}  // namespace apollo::workloads
