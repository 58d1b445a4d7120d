#include "workloads/yaml_io.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace apollo::workloads {
namespace {

// Where the text came from, for "file:line:column: message" errors.
struct Source {
  std::string name;

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& msg) const {
    std::string where = name;
    if (!mark.is_null()) {
      where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    throw WorkloadError(where + ": " + msg);
  }
};

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

const std::vector<std::string>& op_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (int i = 0; i < kOpTypeCount; ++i) v.push_back(op_table()[i].name);
    return v;
  }();
  return names;
}

std::string scalar_text(const YAML::Node& n) {
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

int64_t read_int(const Source& src, const YAML::Node& n, const std::string& what, int64_t min,
                 int64_t max = INT_MAX) {
  if (!n.IsScalar()) src.fail(n.Mark(), what + ": expected an integer, got " + scalar_text(n));
  int64_t v = 0;
  try {
    v = n.as<int64_t>();
  } catch (const YAML::BadConversion&) {
    src.fail(n.Mark(), what + ": expected an integer, got " + scalar_text(n));
  }
  if (v < min || v > max) {
    src.fail(n.Mark(), what + ": expected an integer >= " + std::to_string(min) +
                           (max < INT_MAX ? " and <= " + std::to_string(max) : "") + ", got " +
                           std::to_string(v));
  }
  return v;
}

bool read_bool(const Source& src, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) src.fail(n.Mark(), what + ": expected true or false, got " + scalar_text(n));
  try {
    return n.as<bool>();
  } catch (const YAML::BadConversion&) {
    src.fail(n.Mark(), what + ": expected true or false, got " + scalar_text(n));
  }
}

std::string read_string(const Source& src, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar() || n.Scalar().empty()) {
    src.fail(n.Mark(), what + ": expected a non-empty string, got " + scalar_text(n));
  }
  return n.Scalar();
}

// A pair attribute written as one integer (both dimensions) or [h, w].
std::pair<int, int> read_pair(const Source& src, const YAML::Node& n, const std::string& what,
                              int64_t min) {
  if (n.IsSequence()) {
    if (n.size() != 2) {
      src.fail(n.Mark(), what + ": expected an integer or a list [h, w], got a list of " +
                             std::to_string(n.size()));
    }
    return {int(read_int(src, n[0], what, min)), int(read_int(src, n[1], what, min))};
  }
  const int v = int(read_int(src, n, what, min));
  return {v, v};
}

Shape read_shape(const Source& src, const YAML::Node& n, const std::string& what) {
  if (!n.IsSequence() || n.size() != 4) {
    src.fail(n.Mark(), what + ": expected a list [N, H, W, C] of 4 positive integers, got " +
                           (n.IsSequence() ? "a list of " + std::to_string(n.size())
                                           : scalar_text(n)));
  }
  return {read_int(src, n[0], what, 1, INT64_MAX), read_int(src, n[1], what, 1, INT64_MAX),
          read_int(src, n[2], what, 1, INT64_MAX), read_int(src, n[3], what, 1, INT64_MAX)};
}

void check_keys(const Source& src, const YAML::Node& map, const std::set<std::string>& allowed,
                const std::string& what) {
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (!allowed.count(key)) {
      src.fail(kv.first.Mark(), "unknown key '" + key + "' in " + what + " (expected one of: " +
                                    join({allowed.begin(), allowed.end()}) + ")");
    }
  }
}

const YAML::Node require(const Source& src, const YAML::Node& map, const std::string& key,
                         const std::string& what) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) src.fail(map.Mark(), what + ": missing key '" + key + "'");
  return n;
}

void read_padding(const Source& src, const YAML::Node& n, const std::string& what, Layer& l) {
  if (n.IsSequence()) {
    if (n.size() != 4) {
      src.fail(n.Mark(), what + ": expected same, valid or [top, bottom, left, right]");
    }
    l.padding = Padding::Explicit;
    l.pad_top = int(read_int(src, n[0], what, 0));
    l.pad_bottom = int(read_int(src, n[1], what, 0));
    l.pad_left = int(read_int(src, n[2], what, 0));
    l.pad_right = int(read_int(src, n[3], what, 0));
    return;
  }
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  auto p = padding_from_string(s);
  if (!p || *p == Padding::Explicit) {
    src.fail(n.Mark(), what + ": expected same, valid or [top, bottom, left, right], got " +
                           scalar_text(n));
  }
  l.padding = *p;
}

// A layer followed by a (folded) batch norm has no bias of its own unless
// the file says so; without batch norm it has one by default.
void read_bias_and_bn(const Source& src, const YAML::Node& ln, const std::string& ctx, Layer& l) {
  if (const YAML::Node bn = ln["batch_norm"]; bn.IsDefined() && !bn.IsNull()) {
    l.batch_norm = read_bool(src, bn, ctx + "batch_norm");
  }
  l.bias = !l.batch_norm;
  if (const YAML::Node b = ln["bias"]; b.IsDefined() && !b.IsNull()) {
    l.bias = read_bool(src, b, ctx + "bias");
  }
}

// One attribute key of a layer (the keys of op_table() rows).
void read_key(const Source& src, const std::string& key, const YAML::Node& v, const std::string& a,
              Layer& l) {
  if (key == "out_channels") {
    l.out_channels = read_int(src, v, a + "out_channels", 1, INT64_MAX);
  } else if (key == "kernel") {
    std::tie(l.kernel_h, l.kernel_w) = read_pair(src, v, a + "kernel", 1);
  } else if (key == "stride") {
    std::tie(l.stride_h, l.stride_w) = read_pair(src, v, a + "stride", 1);
  } else if (key == "dilation") {
    std::tie(l.dilation_h, l.dilation_w) = read_pair(src, v, a + "dilation", 1);
  } else if (key == "padding") {
    read_padding(src, v, a + "padding", l);
  } else if (key == "groups") {
    l.groups = int(read_int(src, v, a + "groups", 1));
  } else if (key == "batch_norm" || key == "bias") {
    // read_bias_and_bn: the bias default depends on batch_norm
  } else if (key == "batch") {
    l.batch = read_int(src, v, a + "batch", 1, INT64_MAX);
  } else if (key == "m") {
    l.m = read_int(src, v, a + "m", 1, INT64_MAX);
  } else if (key == "k") {
    l.k = read_int(src, v, a + "k", 1, INT64_MAX);
  } else if (key == "n") {
    l.n = read_int(src, v, a + "n", 1, INT64_MAX);
  } else if (key == "pool") {
    auto k = pool_from_string(v.IsScalar() ? v.Scalar() : "");
    if (!k) src.fail(v.Mark(), a + "pool: expected max, average or global_average, got " + scalar_text(v));
    l.pool = *k;
  } else if (key == "scale") {
    l.scale = int(read_int(src, v, a + "scale", 1));
  } else if (key == "shape") {
    l.reshape_to = read_shape(src, v, a + "shape");
  } else if (key == "ops") {
    l.ops = int(read_int(src, v, a + "ops", 1));
  } else if (key == "axes") {
    std::vector<YAML::Node> items;
    if (v.IsSequence()) {
      for (const auto& i : v) items.push_back(i);
    } else {
      items.push_back(v);
    }
    for (const auto& i : items) {
      const std::string ax = i.IsScalar() ? i.Scalar() : "";
      if (ax == "h") l.reduce_h = true;
      else if (ax == "w") l.reduce_w = true;
      else if (ax == "c") l.reduce_c = true;
      else src.fail(i.Mark(), a + "axes: expected a list of h, w, c, got " + scalar_text(i));
    }
  } else {
    throw WorkloadError("internal: op key '" + key + "' has no reader in yaml_io.cpp");
  }
}

Layer read_layer(const Source& src, const YAML::Node& ln, size_t index,
                 const std::map<std::string, TensorRef>& defined, TensorRef previous) {
  const std::string where = "layer #" + std::to_string(index + 1);
  if (!ln.IsMap()) {
    src.fail(ln.Mark(), where + ": expected a mapping with keys name, op, inputs, ...");
  }
  Layer l;
  l.name = read_string(src, require(src, ln, "name", where), where + " name");
  const std::string ctx = "layer '" + l.name + "'";
  const YAML::Node op_node = require(src, ln, "op", ctx);
  const std::string op_text = op_node.IsScalar() ? op_node.Scalar() : "";
  auto op = op_from_string(op_text);
  if (!op) {
    src.fail(op_node.Mark(), ctx + ": unknown op " + scalar_text(op_node) +
                                 " (expected one of: " + join(op_names()) + ")");
  }
  l.op = *op;
  std::set<std::string> allowed = {"name", "op", "inputs", "activation"};
  for (auto& k : op_keys(op_def(l.op))) allowed.insert(k);
  check_keys(src, ln, allowed, ctx + " (op " + op_text + ")");

  // Inputs: names of graph inputs or earlier layers; omitted = the previous layer.
  if (const YAML::Node in = ln["inputs"]; in.IsDefined() && !in.IsNull()) {
    std::vector<YAML::Node> items;
    if (in.IsSequence()) {
      for (const auto& i : in) items.push_back(i);
    } else {
      items.push_back(in);
    }
    if (items.empty()) src.fail(in.Mark(), ctx + ": inputs must name at least one tensor");
    for (const auto& i : items) {
      const std::string name = read_string(src, i, ctx + " input");
      auto it = defined.find(name);
      if (it == defined.end()) {
        src.fail(i.Mark(), ctx + ": unknown input '" + name +
                               "' (expected a graph input or an earlier layer's name)");
      }
      l.inputs.push_back(it->second);
    }
  } else {
    l.inputs.push_back(previous);
  }

  if (const YAML::Node a = ln["activation"]; a.IsDefined()) {
    auto act = activation_from_string(a.IsScalar() ? a.Scalar() : "");
    if (!act) {
      src.fail(a.Mark(), ctx + ": unknown activation " + scalar_text(a) +
                             " (expected one of: none, relu, relu6, hard_swish, hard_sigmoid, "
                             "sigmoid, swish, gelu, softmax)");
    }
    l.activation = *act;
  }

  // Attributes: every key of the op's row (op_table()) is read by its key
  // reader below; required keys must be present.
  const OpDef& def = op_def(l.op);
  for (const auto& key : op_required_keys(def)) require(src, ln, key, ctx);
  l.bias = false;
  const std::string a = ctx + " ";
  for (const auto& key : op_keys(def)) {
    const YAML::Node v = ln[key];
    if (!v.IsDefined() || v.IsNull()) continue;
    read_key(src, key, v, a, l);
  }
  if (def.epilogue) read_bias_and_bn(src, ln, a, l);
  const auto keys = op_keys(def);
  if (std::find(keys.begin(), keys.end(), "bias") == keys.end()) l.bias = false;
  if (l.op == OpType::Pool && l.pool != PoolKind::GlobalAverage && !ln["kernel"].IsDefined()) {
    src.fail(ln.Mark(), a + "(" + to_string(l.pool) + " pool): missing key 'kernel'");
  }
  return l;
}

// --- writing ---------------------------------------------------------------

void emit_pair(YAML::Emitter& e, const char* key, int h, int w) {
  e << YAML::Key << key << YAML::Value;
  if (h == w) {
    e << h;
  } else {
    e << YAML::Flow << YAML::BeginSeq << h << w << YAML::EndSeq;
  }
}

void emit_shape(YAML::Emitter& e, const Shape& s) {
  e << YAML::Flow << YAML::BeginSeq << s.n << s.h << s.w << s.c << YAML::EndSeq;
}

// One attribute key, only when it differs from its default (required keys always).
void emit_key(YAML::Emitter& e, const std::string& key, const Layer& l) {
  const bool global = l.op == OpType::Pool && l.pool == PoolKind::GlobalAverage;
  if (key == "out_channels") {
    e << YAML::Key << "out_channels" << YAML::Value << l.out_channels;
  } else if (key == "kernel") {
    if (!global && (l.kernel_h != 1 || l.kernel_w != 1 || l.op == OpType::Pool)) {
      emit_pair(e, "kernel", l.kernel_h, l.kernel_w);
    }
  } else if (key == "stride") {
    if (!global && (l.stride_h != 1 || l.stride_w != 1)) emit_pair(e, "stride", l.stride_h, l.stride_w);
  } else if (key == "dilation") {
    if (!global && (l.dilation_h != 1 || l.dilation_w != 1)) emit_pair(e, "dilation", l.dilation_h, l.dilation_w);
  } else if (key == "padding") {
    if (global) return;
    if (l.padding == Padding::Valid) e << YAML::Key << "padding" << YAML::Value << "valid";
    if (l.padding == Padding::Explicit) {
      e << YAML::Key << "padding" << YAML::Value << YAML::Flow << YAML::BeginSeq << l.pad_top
        << l.pad_bottom << l.pad_left << l.pad_right << YAML::EndSeq;
    }
  } else if (key == "groups") {
    if (l.groups != 1) e << YAML::Key << "groups" << YAML::Value << l.groups;
  } else if (key == "batch_norm") {
    if (l.batch_norm) e << YAML::Key << "batch_norm" << YAML::Value << true;
  } else if (key == "bias") {
    if (l.bias == l.batch_norm && l.op != OpType::MatMul) e << YAML::Key << "bias" << YAML::Value << l.bias;  // not the default
  } else if (key == "batch") {
    if (l.batch != 1) e << YAML::Key << "batch" << YAML::Value << l.batch;
  } else if (key == "m") {
    e << YAML::Key << "m" << YAML::Value << l.m;
  } else if (key == "k") {
    e << YAML::Key << "k" << YAML::Value << l.k;
  } else if (key == "n") {
    e << YAML::Key << "n" << YAML::Value << l.n;
  } else if (key == "pool") {
    e << YAML::Key << "pool" << YAML::Value << to_string(l.pool);
  } else if (key == "scale") {
    e << YAML::Key << "scale" << YAML::Value << l.scale;
  } else if (key == "shape") {
    e << YAML::Key << "shape" << YAML::Value;
    emit_shape(e, l.reshape_to);
  } else if (key == "ops") {
    if (l.ops != 1) e << YAML::Key << "ops" << YAML::Value << l.ops;
  } else if (key == "axes") {
    e << YAML::Key << "axes" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    if (l.reduce_h) e << "h";
    if (l.reduce_w) e << "w";
    if (l.reduce_c) e << "c";
    e << YAML::EndSeq;
  } else {
    throw WorkloadError("internal: op key '" + key + "' has no writer in yaml_io.cpp");
  }
}

}  // namespace

Network network_from_yaml(const std::string& text, const std::string& source) {
  const Source src{source};
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {  // syntax errors, bad anchors, ...
    src.fail(e.mark, "YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) {
    src.fail(root.Mark(), "expected a mapping with keys name, description, inputs, layers");
  }
  check_keys(src, root, {"name", "description", "inputs", "layers"}, "the workload");

  Network net;
  net.name = read_string(src, require(src, root, "name", "workload"), "name");
  if (const YAML::Node d = root["description"]; d.IsDefined() && !d.IsNull()) {
    if (!d.IsScalar()) src.fail(d.Mark(), "description: expected a string");
    net.description = d.Scalar();
  }

  std::map<std::string, TensorRef> defined;
  const YAML::Node inputs = require(src, root, "inputs", "workload");
  if (!inputs.IsSequence() || inputs.size() == 0) {
    src.fail(inputs.Mark(), "inputs: expected a non-empty list of {name, shape}");
  }
  for (const auto& in : inputs) {
    if (!in.IsMap()) src.fail(in.Mark(), "inputs: expected a mapping with keys name and shape");
    check_keys(src, in, {"name", "shape"}, "a graph input");
    GraphInput gi;
    gi.name = read_string(src, require(src, in, "name", "graph input"), "graph input name");
    gi.shape = read_shape(src, require(src, in, "shape", "input '" + gi.name + "'"),
                          "input '" + gi.name + "' shape");
    if (defined.count(gi.name)) src.fail(in.Mark(), "duplicate name '" + gi.name + "'");
    defined[gi.name] = graph_input_ref(int(net.inputs.size()));
    net.inputs.push_back(gi);
  }

  const YAML::Node layers = require(src, root, "layers", "workload");
  if (!layers.IsSequence() || layers.size() == 0) {
    src.fail(layers.Mark(), "layers: expected a non-empty list of layers");
  }
  std::vector<YAML::Mark> marks;
  TensorRef previous = graph_input_ref(0);
  for (size_t i = 0; i < layers.size(); ++i) {
    const YAML::Node ln = layers[i];
    Layer l = read_layer(src, ln, i, defined, previous);
    if (defined.count(l.name)) src.fail(ln.Mark(), "duplicate name '" + l.name + "'");
    previous = TensorRef(net.layers.size());
    defined[l.name] = previous;
    marks.push_back(ln.Mark());
    net.layers.push_back(std::move(l));
  }

  try {
    net.infer_shapes();
  } catch (const WorkloadError& e) {
    // Find the first layer that fails so the message can carry its line.
    Network prefix = net;
    prefix.layers.clear();
    for (size_t i = 0; i < net.layers.size(); ++i) {
      prefix.layers.push_back(net.layers[i]);
      try {
        prefix.infer_shapes();
      } catch (const WorkloadError& first) {
        src.fail(marks[i], first.what());
      }
    }
    src.fail(root.Mark(), e.what());
  }
  return net;
}

Network load_network_yaml(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw WorkloadError(path + ": cannot open workload file");
  std::stringstream ss;
  ss << in.rdbuf();
  return network_from_yaml(ss.str(), path);
}

std::string network_to_yaml(const Network& net) {
  auto ref_name = [&](TensorRef r) -> const std::string& {
    return is_graph_input(r) ? net.inputs.at(graph_input_number(r)).name : net.layers.at(r).name;
  };
  YAML::Emitter e;
  e << YAML::Comment("Apollo workload: NHWC shapes, layers in topological order") << YAML::Newline;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << net.name;
  if (!net.description.empty()) e << YAML::Key << "description" << YAML::Value << net.description;
  e << YAML::Key << "inputs" << YAML::Value << YAML::BeginSeq;
  for (const auto& in : net.inputs) {
    e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << in.name << YAML::Key << "shape"
      << YAML::Value;
    emit_shape(e, in.shape);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const auto& l : net.layers) {
    e << YAML::BeginMap;
    e << YAML::Key << "name" << YAML::Value << l.name;
    e << YAML::Key << "op" << YAML::Value << to_string(l.op);
    e << YAML::Key << "inputs" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (TensorRef r : l.inputs) e << ref_name(r);
    e << YAML::EndSeq;
    const OpDef& def = op_def(l.op);
    for (const auto& key : op_keys(def)) emit_key(e, key, l);
    if (l.activation != Activation::None) {
      e << YAML::Key << "activation" << YAML::Value << to_string(l.activation);
    }
    e << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  if (!e.good()) throw WorkloadError("cannot write network '" + net.name + "': " + e.GetLastError());
  return std::string(e.c_str()) + "\n";
}

void save_network_yaml(const Network& net, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw WorkloadError(path + ": cannot open for writing");
  out << network_to_yaml(net);
  if (!out) throw WorkloadError(path + ": write failed");
}

}  // namespace apollo::workloads
