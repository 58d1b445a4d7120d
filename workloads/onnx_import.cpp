// ONNX importer: see onnx_import.hpp for the mapping rules.
//
// Every ONNX tensor is tracked as either a constant (initializer, Constant
// node, or computed only from constants and shapes) or an activation bound to
// an IR tensor (a layer output or a network input). Views (Reshape,
// Transpose, ...) re-bind the same IR tensor under new ONNX dimensions; a
// consumer that needs another NHWC arrangement gets a zero-work IR Reshape.
// At the end Network::infer_shapes() runs and each layer's IR output is
// compared with the shape ONNX inferred, so a mapping error cannot pass
// silently.
#include "workloads/onnx_import.hpp"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace apollo::workloads {
namespace {

using Dims = std::vector<int64_t>;

std::string dims_str(const Dims& d) {
  if (d.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "x" : "") + std::to_string(d[i]);
  return s;
}

// Saturates at INT64_MAX: a malformed file's dimensions may overflow, and
// every caller compares the product against a limit far below it.
int64_t product(const Dims& d, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < std::min(to, d.size()); ++i) {
    if (__builtin_mul_overflow(p, d[i], &p)) return INT64_MAX;
  }
  return p;
}

// The IR arrangement of an ONNX tensor: images NCHW -> NHWC, sequences
// [B,S,D] -> {B,1,S,D}, matrices [R,K] -> {R,1,1,K}. Higher ranks fold their
// leading dimensions into N and keep the last three as C, H, W.
Shape to_ir(const Dims& d) {
  switch (d.size()) {
    case 0: return {1, 1, 1, 1};
    case 1: return {1, 1, 1, d[0]};
    case 2: return {d[0], 1, 1, d[1]};
    case 3: return {d[0], 1, d[1], d[2]};
    default: {
      const size_t r = d.size();
      return {product(d, 0, r - 3), d[r - 2], d[r - 1], d[r - 3]};
    }
  }
}

// Half precision bits -> float (constants in fp16 models).
float half_to_float(uint16_t h) {
  const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) v = std::ldexp(float(mant), -24);
  else if (exp == 31) v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else v = std::ldexp(float(mant | 0x400), exp - 25);
  return sign ? -v : v;
}

// Values of a small constant tensor, or nullopt when stored in a form we do
// not read (external data, strings).
std::optional<std::vector<double>> tensor_values(const onnx::TensorProto& t) {
  std::vector<double> v;
  const std::string& raw = t.raw_data();
  auto from_raw = [&](auto sample) {
    using T = decltype(sample);
    const size_t n = raw.size() / sizeof(T);
    for (size_t i = 0; i < n; ++i) {
      T x;
      std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
      v.push_back(double(x));
    }
  };
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return std::nullopt;
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (!raw.empty()) from_raw(float{});
      else for (float x : t.float_data()) v.push_back(x);
      break;
    case onnx::TensorProto::DOUBLE:
      if (!raw.empty()) from_raw(double{});
      else for (double x : t.double_data()) v.push_back(x);
      break;
    case onnx::TensorProto::INT64:
      if (!raw.empty()) from_raw(int64_t{});
      else for (int64_t x : t.int64_data()) v.push_back(double(x));
      break;
    case onnx::TensorProto::INT32:
      if (!raw.empty()) from_raw(int32_t{});
      else for (int32_t x : t.int32_data()) v.push_back(x);
      break;
    case onnx::TensorProto::FLOAT16:
      if (!raw.empty()) {
        for (size_t i = 0; i + 1 < raw.size(); i += 2) {
          uint16_t h;
          std::memcpy(&h, raw.data() + i, 2);
          v.push_back(half_to_float(h));
        }
      } else {
        for (int32_t x : t.int32_data()) v.push_back(half_to_float(uint16_t(x)));
      }
      break;
    default: return std::nullopt;
  }
  return v;
}

// Constants up to this many elements have their values read.
constexpr int64_t kMaxConstantValues = 4096;

// What an ONNX tensor became.
struct Tensor {
  bool constant = false;
  std::optional<std::vector<double>> values;  // constants we could read
  Dims dims;                                 // static ONNX dimensions
  bool known = false;                        // dims known
  // Activations: the IR tensor and its IR shape (a view may differ from to_ir(dims)).
  TensorRef ref = 0;
  Shape ir{};
  bool pending_input = false;  // graph input not yet added to the network
  bool model_input = false;    // one of the model's own inputs (vs an unmapped op's output)
  // Zero padding of a folded Pad node, applied by the consuming Conv / pool.
  int pad_t = 0, pad_b = 0, pad_l = 0, pad_r = 0;
  bool padded() const { return pad_t || pad_b || pad_l || pad_r; }
};

class Importer {
 public:
  Importer(std::string path, const ImportOptions& options)
      : path_(std::move(path)), opts_(options) {}

  ImportResult run() {
    load();
    fix_input_shapes();
    spell_out_conv_kernel_shapes();
    infer();
    name_nodes();
    collect_shapes();
    bind_constants_and_inputs();
    find_consumers();
    find_swish_patterns();
    const auto& g = model_.graph();
    for (int i = 0; i < g.node_size(); ++i) visit(i, g.node(i));
    finish();
    return {std::move(net_), std::move(report_)};
  }

 private:
  // ---- errors and reporting ------------------------------------------------

  [[noreturn]] void fail(const std::string& what) const {
    throw WorkloadError(path_ + ": " + what);
  }
  std::string node_label(const onnx::NodeProto& n) const {
    return "node '" + node_name(n) + "' (" + n.op_type() + ")";
  }
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const {
    fail(node_label(n) + ": " + what);
  }
  void warn(const std::string& msg) {
    report_.warnings.push_back(msg);
    if (opts_.warnings && opts_.verbose) *opts_.warnings << "warning: " << path_ << ": " << msg << "\n";
  }
  void record(const onnx::NodeProto& n, std::map<std::string, int>& counter, const char* action,
              const std::string& ir_op, const std::string& detail) {
    counter[op_key(n)]++;
    report_.nodes.push_back({node_name(n), op_key(n), action, ir_op, detail});
  }
  std::string op_key(const onnx::NodeProto& n) const {
    const std::string& d = n.domain();
    return d.empty() || d == "ai.onnx" ? n.op_type() : d + "." + n.op_type();
  }
  std::string node_name(const onnx::NodeProto& n) const {
    auto it = node_names_.find(&n);
    if (it != node_names_.end()) return it->second;
    return n.name().empty() ? n.op_type() : n.name();
  }

  // ---- loading -------------------------------------------------------------

  void load() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail("cannot open the file (missing or unreadable)");
    std::ostringstream buf;
    buf << in.rdbuf();
    const std::string bytes = buf.str();
    if (bytes.empty()) fail("the file is empty, expected an ONNX model");
    if (!model_.ParseFromString(bytes)) {
      fail("not a valid ONNX model: the protobuf could not be parsed (truncated or not ONNX)");
    }
    // Random bytes occasionally parse as a protobuf; a model has these.
    if (model_.ir_version() <= 0 || !model_.has_graph() || model_.graph().node_size() == 0) {
      fail("not a valid ONNX model: no ir_version or no graph nodes");
    }
    if (model_.opset_import_size() == 0) fail("not a valid ONNX model: no opset_import");
    for (const auto& op : model_.opset_import()) {
      if (op.domain().empty() || op.domain() == "ai.onnx") opset_ = op.version();
    }
  }

  // Unique layer names: ONNX node names may be empty or repeated. After
  // inference, which may have inlined If branches.
  void name_nodes() {
    const auto& g = model_.graph();
    // Unique layer names: ONNX node names may be empty or repeated.
    std::set<std::string> taken;
    for (const auto& in : g.input()) {
      taken.insert(in.name());
      input_names_.insert(in.name());
    }
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& n = g.node(i);
      std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
      std::string name = base;
      for (int k = 1; taken.count(name); ++k) name = base + "_" + std::to_string(k);
      taken.insert(name);
      node_names_[&n] = name;
    }
    used_names_ = taken;
  }

  bool is_initializer(const std::string& name) const {
    for (const auto& t : model_.graph().initializer()) {
      if (t.name() == name) return true;
    }
    return false;
  }

  // ONNX 1.12's Conv shape inference, when kernel_shape is absent, takes the
  // kernel from W's shape and then indexes the input's dimensions with it
  // without checking that the ranks agree: a 3-D input with a 4-D weight
  // reads out of bounds and crashes (found by fuzz_onnx). Writing kernel_shape
  // out from W (the spec's default) makes ONNX check it against the input.
  void spell_out_conv_kernel_shapes() {
    auto* g = model_.mutable_graph();
    std::unordered_map<std::string, std::vector<int64_t>> dims;
    for (const auto& t : g->initializer()) dims[t.name()].assign(t.dims().begin(), t.dims().end());
    for (const auto& in : g->input()) {
      if (dims.count(in.name()) || !in.type().tensor_type().has_shape()) continue;
      std::vector<int64_t> d;
      for (const auto& dim : in.type().tensor_type().shape().dim()) {
        if (!dim.has_dim_value()) break;
        d.push_back(dim.dim_value());
      }
      if (static_cast<int>(d.size()) == in.type().tensor_type().shape().dim_size()) dims[in.name()] = d;
    }
    for (auto& n : *g->mutable_node()) {
      if ((n.op_type() != "Conv" && n.op_type() != "ConvTranspose") ||
          !(n.domain().empty() || n.domain() == "ai.onnx") || n.input_size() < 2) {
        continue;
      }
      const bool has_kernel = std::any_of(n.attribute().begin(), n.attribute().end(),
                                          [](const onnx::AttributeProto& a) { return a.name() == "kernel_shape"; });
      auto w = dims.find(n.input(1));
      if (has_kernel || w == dims.end() || w->second.size() < 3) continue;
      auto* a = n.add_attribute();
      a->set_name("kernel_shape");
      a->set_type(onnx::AttributeProto::INTS);
      for (size_t i = 2; i < w->second.size(); ++i) a->add_ints(w->second[i]);
    }
  }

  // A symbolic dimension that names a batch: batch / batch_size / N (any
  // position), or an unnamed-by-the-exporter unk__* / empty one at position 0.
  static bool is_batch_dim(const onnx::TensorShapeProto::Dimension& d, int position) {
    std::string p = d.has_dim_param() ? d.dim_param() : "";
    std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
    if (p == "batch" || p == "batch_size" || p == "batchsize" || p == "n") return true;
    return position == 0 && p.rfind("unk__", 0) == 0;
  }

  void fix_input_shapes() {
    auto* g = model_.mutable_graph();
    std::set<std::string> known_inputs;
    std::vector<std::string> problems, examples;
    for (auto& in : *g->mutable_input()) {
      if (is_initializer(in.name())) continue;
      known_inputs.insert(in.name());
      if (!in.type().has_tensor_type()) fail("graph input '" + in.name() + "' is not a tensor");
      auto* shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
      auto given = opts_.input_shapes.find(in.name());
      if (given != opts_.input_shapes.end()) {
        if (in.type().tensor_type().has_shape() && shape->dim_size() != int(given->second.size())) {
          fail("--input-shape " + in.name() + "=" + dims_str(given->second) + " has rank " +
               std::to_string(given->second.size()) + ", the model's input has rank " +
               std::to_string(shape->dim_size()));
        }
        shape->clear_dim();
        for (int64_t d : given->second) shape->add_dim()->set_dim_value(d);
        continue;
      }
      if (!in.type().tensor_type().has_shape()) {
        problems.push_back("input '" + in.name() + "' has no shape");
        continue;
      }
      std::vector<std::string> dynamic;
      std::string example;  // the static dims, 1 for the dynamic ones
      for (int i = 0; i < shape->dim_size(); ++i) {
        auto& d = *shape->mutable_dim(i);
        if (!(d.has_dim_value() && d.dim_value() > 0) && is_batch_dim(d, i)) {
          const std::string sym = d.has_dim_param() ? d.dim_param() : "";
          d.clear_dim_param();
          d.set_dim_value(1);
          report_.notes.push_back("input '" + in.name() + "' dim " + std::to_string(i) + " '" + sym +
                                  "' is a batch dimension: set to 1 (--input-shape to change)");
        }
        const bool fixed = d.has_dim_value() && d.dim_value() > 0;
        example += (i ? "x" : "") + (fixed ? std::to_string(d.dim_value()) : std::string("1"));
        if (fixed) continue;
        dynamic.push_back("dim " + std::to_string(i) +
                          (d.has_dim_param() ? " '" + d.dim_param() + "'" : " (unnamed)"));
      }
      if (!dynamic.empty()) {
        std::string list;
        for (const auto& s : dynamic) list += (list.empty() ? "" : ", ") + s;
        problems.push_back("input '" + in.name() + "' has dynamic " + list);
        examples.push_back(in.name() + "=" + example);
      }
    }
    for (const auto& [name, dims] : opts_.input_shapes) {
      if (known_inputs.count(name)) continue;
      std::string list;
      for (const auto& k : known_inputs) list += (list.empty() ? "" : ", ") + k;
      fail("--input-shape names '" + name + "', but the model's inputs are: " + list);
    }
    if (!problems.empty()) {
      std::string msg;
      for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
      std::string hint;
      for (const auto& e : examples) hint += " --input-shape " + e;
      if (hint.empty()) hint = " --input-shape NAME=1x3x224x224";
      fail(msg + " — fix the shape with `apollo workloads import`" + hint +
           " (dimensions in the model's order)");
    }
  }

  void infer() {
    // ONNX 1.12's data propagation cannot follow every shape subgraph (e.g.
    // PyTorch's Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), -1))), so
    // integer shape computations are evaluated here, written back as
    // initializers, and inference runs again until nothing new resolves.
    for (int round = 0; round < 256; ++round) {
      run_inference();
      collect_shapes();
      if (fold_shape_subgraphs()) continue;
      // If nodes: a constant condition picks its branch; once nothing else
      // resolves, a data-dependent one is replaced by its larger branch.
      if (!inline_ifs(false) && !unroll_loops() && !inline_ifs(true)) return;
    }
  }

  void run_inference() {
    // Strict mode turns inconsistent models into errors that name the node;
    // if it fails on something we might not need (an exotic operator), the
    // lenient pass still gives the shapes it can, and a later missing shape
    // reports both.
    try {
      onnx::ShapeInferenceOptions strict(false, 1, true);
      onnx::shape_inference::InferShapes(model_, onnx::OpSchemaRegistry::Instance(), strict);
    } catch (const std::exception& e) {
      inference_error_ = e.what();
      try {
        onnx::ShapeInferenceOptions lenient(false, 0, true);
        onnx::shape_inference::InferShapes(model_, onnx::OpSchemaRegistry::Instance(), lenient);
      } catch (const std::exception& e2) {
        fail(std::string("ONNX shape inference failed: ") + e2.what());
      }
    }
  }

  // A small constant tensor computed from shapes and constants (shape
  // subgraphs): values as doubles (exact for the integers of shapes), its
  // dimensions and its ONNX element type.
  struct Value {
    std::vector<double> v;
    Dims dims;
    int type = onnx::TensorProto::INT64;
    bool is_int() const { return type != onnx::TensorProto::FLOAT && type != onnx::TensorProto::DOUBLE &&
                                 type != onnx::TensorProto::FLOAT16; }
  };

  // Initializers that can take part in shape arithmetic: integer tensors up
  // to kMaxConstantValues elements, floating ones (scales) up to 64. Weights
  // are not read (reading them on every inference round was most of the
  // import time).
  static bool shape_like(const onnx::TensorProto& t) {
    const int64_t n = product(Dims(t.dims().begin(), t.dims().end()));
    const int type = t.data_type();
    const bool floating = type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::DOUBLE ||
                          type == onnx::TensorProto::FLOAT16;
    return n <= (floating ? 64 : kMaxConstantValues);
  }

  static std::optional<Value> tensor_value(const onnx::TensorProto& t) {
    Dims dims(t.dims().begin(), t.dims().end());
    if (product(dims) > kMaxConstantValues) return std::nullopt;
    int type = t.data_type();
    std::optional<std::vector<double>> vals;
    if (type == onnx::TensorProto::BOOL || type == onnx::TensorProto::UINT8 || type == onnx::TensorProto::INT8) {
      std::vector<double> v;
      if (!t.raw_data().empty()) {
        for (unsigned char c : t.raw_data()) v.push_back(type == onnx::TensorProto::INT8 ? double(int8_t(c)) : double(c));
      } else {
        for (int32_t x : t.int32_data()) v.push_back(x);
      }
      vals = v;
    } else {
      vals = tensor_values(t);
    }
    if (!vals || int64_t(vals->size()) != product(dims)) return std::nullopt;
    return Value{*vals, dims, type};
  }

  // Evaluates node n over known constant inputs (shape arithmetic and the
  // small tensors around it); nullopt when an input is unknown, the op is not
  // one of these, or the result would be large.
  std::optional<Value> eval_const(const onnx::NodeProto& n, const std::unordered_map<std::string, Value>& known) {
    auto in = [&](int i) -> const Value* {
      if (i >= n.input_size() || n.input(i).empty()) return nullptr;
      auto it = known.find(n.input(i));
      return it == known.end() ? nullptr : &it->second;
    };
    auto ints_of = [](const Value& x) {
      Dims r;
      for (double d : x.v) r.push_back(int64_t(d));
      return r;
    };
    // Axes from the attribute (older opsets) or input k (newer ones).
    auto axes_of = [&](int k, bool& ok) -> Dims {
      ok = true;
      if (const auto* a = attr(n, "axes")) return Dims(a->ints().begin(), a->ints().end());
      if (k < n.input_size() && !n.input(k).empty()) {
        const Value* x = in(k);
        if (!x) ok = false;
        return x ? ints_of(*x) : Dims{};
      }
      return {};
    };
    const std::string& op = n.op_type();
    if (op == "Constant") {
      if (const auto* a = attr(n, "value")) return tensor_value(a->t());
      if (const auto* a = attr(n, "value_int")) return Value{{double(a->i())}, {}, onnx::TensorProto::INT64};
      if (const auto* a = attr(n, "value_float")) return Value{{a->f()}, {}, onnx::TensorProto::FLOAT};
      if (const auto* a = attr(n, "value_ints")) {
        Value r{{}, {a->ints_size()}, onnx::TensorProto::INT64};
        for (int64_t x : a->ints()) r.v.push_back(double(x));
        return r;
      }
      if (const auto* a = attr(n, "value_floats")) {
        Value r{{}, {a->floats_size()}, onnx::TensorProto::FLOAT};
        for (float x : a->floats()) r.v.push_back(x);
        return r;
      }
      return std::nullopt;
    }
    if (op == "Shape" || op == "Size") {
      auto s = shapes_.find(n.input(0));
      if (s == shapes_.end()) return std::nullopt;
      if (op == "Size") return Value{{double(product(s->second))}, {}, onnx::TensorProto::INT64};
      const int64_t r = int64_t(s->second.size());
      int64_t start = attr_i(n, "start", 0), end = attr_i(n, "end", r);
      if (start < 0) start += r;
      if (end < 0) end += r;
      start = std::clamp<int64_t>(start, 0, r), end = std::clamp<int64_t>(end, start, r);
      Value v{{}, {end - start}, onnx::TensorProto::INT64};
      for (int64_t i = start; i < end; ++i) v.v.push_back(double(s->second[size_t(i)]));
      return v;
    }
    if (op == "Range") {
      const Value *st = in(0), *li = in(1), *de = in(2);
      if (!st || !li || !de || st->v.size() != 1 || li->v.size() != 1 || de->v.size() != 1 || de->v[0] == 0) return std::nullopt;
      const double count = std::max(0.0, std::ceil((li->v[0] - st->v[0]) / de->v[0]));
      if (count > double(kMaxConstantValues)) return std::nullopt;
      Value r{{}, {int64_t(count)}, st->type};
      for (int64_t i = 0; i < int64_t(count); ++i) r.v.push_back(st->v[0] + double(i) * de->v[0]);
      return r;
    }
    if (op == "ConstantOfShape") {
      const Value* s = in(0);
      if (!s) return std::nullopt;
      const Dims d = ints_of(*s);
      for (int64_t x : d) if (x < 0) return std::nullopt;
      if (product(d) > kMaxConstantValues) return std::nullopt;
      Value r{{}, d, onnx::TensorProto::FLOAT};
      double fill = 0;
      if (const auto* a = attr(n, "value")) {
        auto t = tensor_value(a->t());
        if (!t || t->v.size() != 1) return std::nullopt;
        fill = t->v[0];
        r.type = t->type;
      }
      r.v.assign(size_t(product(d)), fill);
      return r;
    }
    const Value* a = in(0);
    if (!a) return std::nullopt;
    if (op == "Identity") return *a;
    if (op == "Cast") {
      Value r = *a;
      r.type = int(attr_i(n, "to", onnx::TensorProto::FLOAT));
      if (r.is_int()) for (double& x : r.v) x = r.type == onnx::TensorProto::BOOL ? double(x != 0) : std::trunc(x);
      return r;
    }
    if (op == "Unsqueeze") {
      bool ok = true;
      Dims axes = axes_of(1, ok);
      if (!ok || axes.empty()) return std::nullopt;
      const int64_t rank = int64_t(a->dims.size() + axes.size());
      for (auto& x : axes) if (x < 0) x += rank;
      std::sort(axes.begin(), axes.end());
      Value r = *a;
      for (int64_t x : axes) {
        if (x < 0 || x > int64_t(r.dims.size())) return std::nullopt;
        r.dims.insert(r.dims.begin() + x, 1);
      }
      return r;
    }
    if (op == "Squeeze") {
      bool ok = true;
      Dims axes = axes_of(1, ok);
      if (!ok) return std::nullopt;
      const int64_t rank = int64_t(a->dims.size());
      for (auto& x : axes) if (x < 0) x += rank;
      Value r = *a;
      r.dims.clear();
      for (int64_t i = 0; i < rank; ++i) {
        const bool listed = std::find(axes.begin(), axes.end(), i) != axes.end();
        if ((axes.empty() && a->dims[size_t(i)] == 1) || listed) {
          if (a->dims[size_t(i)] != 1) return std::nullopt;
          continue;
        }
        r.dims.push_back(a->dims[size_t(i)]);
      }
      return r;
    }
    if (op == "Reshape") {
      const Value* s = in(1);
      if (!s) return std::nullopt;
      Dims d = ints_of(*s);
      int64_t known_part = 1, infer = -1;
      for (size_t i = 0; i < d.size(); ++i) {
        if (d[i] == 0 && i < a->dims.size()) d[i] = a->dims[i];
        if (d[i] == -1) infer = int64_t(i);
        else known_part *= d[i];
      }
      if (infer >= 0 && known_part > 0) d[size_t(infer)] = int64_t(a->v.size()) / known_part;
      if (product(d) != int64_t(a->v.size())) return std::nullopt;
      Value r = *a;
      r.dims = d;
      return r;
    }
    if (op == "Flatten") {
      Value r = *a;
      int64_t axis = attr_i(n, "axis", 1);
      if (axis < 0) axis += int64_t(a->dims.size());
      if (axis < 0 || axis > int64_t(a->dims.size())) return std::nullopt;
      r.dims = {product(a->dims, 0, size_t(axis)), product(a->dims, size_t(axis))};
      return r;
    }
    if (op == "Gather") {
      const Value* idx = in(1);
      if (!idx || a->dims.empty()) return std::nullopt;
      int64_t axis = attr_i(n, "axis", 0);
      if (axis < 0) axis += int64_t(a->dims.size());
      if (axis < 0 || axis >= int64_t(a->dims.size())) return std::nullopt;
      const int64_t outer = product(a->dims, 0, size_t(axis)), len = a->dims[size_t(axis)];
      const int64_t inner = product(a->dims, size_t(axis) + 1);
      Value r{{}, {}, a->type};
      r.dims.assign(a->dims.begin(), a->dims.begin() + axis);
      r.dims.insert(r.dims.end(), idx->dims.begin(), idx->dims.end());
      r.dims.insert(r.dims.end(), a->dims.begin() + axis + 1, a->dims.end());
      for (int64_t o = 0; o < outer; ++o) {
        for (double id : idx->v) {
          int64_t i = int64_t(id);
          if (i < 0) i += len;
          if (i < 0 || i >= len) return std::nullopt;
          for (int64_t k = 0; k < inner; ++k) r.v.push_back(a->v[size_t((o * len + i) * inner + k)]);
        }
      }
      return r;
    }
    if (op == "Concat") {
      int64_t axis = attr_i(n, "axis", 0);
      Value r{{}, a->dims, a->type};
      if (r.dims.empty()) return std::nullopt;
      if (axis < 0) axis += int64_t(r.dims.size());
      if (axis < 0 || axis >= int64_t(r.dims.size())) return std::nullopt;
      if (axis != 0) {
        // Only leading-axis concatenation (what shape vectors use).
        if (std::any_of(a->dims.begin(), a->dims.begin() + axis, [](int64_t d) { return d != 1; })) return std::nullopt;
      }
      r.dims[size_t(axis)] = 0;
      for (int i = 0; i < n.input_size(); ++i) {
        const Value* x = in(i);
        if (!x || x->dims.size() != r.dims.size()) return std::nullopt;
        r.v.insert(r.v.end(), x->v.begin(), x->v.end());
        r.dims[size_t(axis)] += x->dims[size_t(axis)];
      }
      return r;
    }
    if (op == "Slice") {
      if (a->dims.size() != 1) return std::nullopt;
      Dims starts, ends, axes, steps;
      if (opset_ < 10) {
        starts = attr_ints(n, "starts", {}), ends = attr_ints(n, "ends", {}), axes = attr_ints(n, "axes", {});
      } else {
        const Value *st = in(1), *en = in(2);
        if (!st || !en) return std::nullopt;
        starts = ints_of(*st), ends = ints_of(*en);
        if (n.input_size() > 3 && !n.input(3).empty()) {
          if (!in(3)) return std::nullopt;
          axes = ints_of(*in(3));
        }
        if (n.input_size() > 4 && !n.input(4).empty()) {
          if (!in(4)) return std::nullopt;
          steps = ints_of(*in(4));
        }
      }
      if (starts.size() != 1 || ends.size() != 1) return std::nullopt;
      if (!axes.empty() && !(axes.size() == 1 && (axes[0] == 0 || axes[0] == -1))) return std::nullopt;
      const int64_t len = int64_t(a->v.size());
      const int64_t step = steps.empty() ? 1 : steps[0];
      if (step == 0) return std::nullopt;
      int64_t b = starts[0], e = ends[0];
      if (b < 0) b += len;
      if (e < 0) e += len;
      Value r{{}, {0}, a->type};
      if (step > 0) {
        b = std::clamp<int64_t>(b, 0, len), e = std::clamp<int64_t>(e, 0, len);
        for (int64_t i = b; i < e; i += step) r.v.push_back(a->v[size_t(i)]);
      } else {
        b = std::clamp<int64_t>(b, -1, len - 1), e = std::clamp<int64_t>(e, -1, len - 1);
        for (int64_t i = b; i > e; i += step) r.v.push_back(a->v[size_t(i)]);
      }
      r.dims[0] = int64_t(r.v.size());
      return r;
    }
    static const std::set<std::string> unary = {"Neg", "Abs", "Floor", "Ceil", "Sqrt", "Reciprocal", "Not", "Relu", "Round"};
    if (unary.count(op)) {
      Value r = *a;
      for (double& x : r.v) {
        if (op == "Neg") x = -x;
        else if (op == "Abs") x = std::fabs(x);
        else if (op == "Floor") x = std::floor(x);
        else if (op == "Ceil") x = std::ceil(x);
        else if (op == "Sqrt") x = std::sqrt(x);
        else if (op == "Reciprocal") { if (x == 0) return std::nullopt; x = 1 / x; }
        else if (op == "Not") x = x == 0;
        else if (op == "Relu") x = std::max(0.0, x);
        else x = std::nearbyint(x);
      }
      return r;
    }
    static const std::set<std::string> binary = {"Add", "Sub", "Mul", "Div", "Mod", "Pow", "Max", "Min",
                                                 "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
                                                 "And", "Or", "Where"};
    if (!binary.count(op)) return std::nullopt;
    // Numpy broadcasting over up to three operands (Where: cond, x, y; the
    // variadic Max / Min with two).
    std::vector<const Value*> xs;
    for (int i = 0; i < n.input_size(); ++i) {
      const Value* x = in(i);
      if (!x) return std::nullopt;
      xs.push_back(x);
    }
    if (xs.size() != (op == "Where" ? 3u : 2u)) return std::nullopt;
    size_t rank = 0;
    for (const Value* x : xs) rank = std::max(rank, x->dims.size());
    Dims od(rank, 1);
    std::vector<Dims> padded;
    for (const Value* x : xs) {
      Dims d(rank - x->dims.size(), 1);
      d.insert(d.end(), x->dims.begin(), x->dims.end());
      for (size_t i = 0; i < rank; ++i) {
        if (d[i] != 1 && od[i] != 1 && d[i] != od[i]) return std::nullopt;
        od[i] = std::max(od[i], d[i]);
      }
      padded.push_back(d);
    }
    if (product(od) > kMaxConstantValues) return std::nullopt;
    const bool cmp = op == "Equal" || op == "Less" || op == "Greater" || op == "LessOrEqual" ||
                     op == "GreaterOrEqual" || op == "And" || op == "Or";
    Value r{{}, od, cmp ? int(onnx::TensorProto::BOOL) : (op == "Where" ? xs[1]->type : xs[0]->type)};
    const int64_t total = product(od);
    for (int64_t flat = 0; flat < total; ++flat) {
      double vals[3] = {0, 0, 0};
      for (size_t k = 0; k < xs.size(); ++k) {
        int64_t idx = 0, rem = flat, stride = 1;
        for (size_t i = rank; i-- > 0;) {
          const int64_t coord = rem % od[i];
          rem /= od[i];
          if (padded[k][i] != 1) idx += coord * stride;
          stride *= padded[k][i];
        }
        vals[k] = xs[k]->v[size_t(idx)];
      }
      const double x = vals[0], y = vals[1];
      double z = 0;
      if (op == "Add") z = x + y;
      else if (op == "Sub") z = x - y;
      else if (op == "Mul") z = x * y;
      else if (op == "Div") {
        if (y == 0) return std::nullopt;
        z = r.is_int() ? std::trunc(x / y) : x / y;
      } else if (op == "Mod") {
        if (y == 0) return std::nullopt;
        z = std::fmod(x, y);
      } else if (op == "Pow") z = std::pow(x, y);
      else if (op == "Max") z = std::max(x, y);
      else if (op == "Min") z = std::min(x, y);
      else if (op == "Equal") z = x == y;
      else if (op == "Less") z = x < y;
      else if (op == "Greater") z = x > y;
      else if (op == "LessOrEqual") z = x <= y;
      else if (op == "GreaterOrEqual") z = x >= y;
      else if (op == "And") z = (x != 0) && (y != 0);
      else if (op == "Or") z = (x != 0) || (y != 0);
      else z = x != 0 ? vals[1] : vals[2];  // Where
      r.v.push_back(z);
    }
    return r;
  }

  // Writes a folded value as an initializer of its own element type.
  static bool write_initializer(onnx::TensorProto* t, const Value& v) {
    t->set_data_type(v.type);
    for (int64_t d : v.dims) t->add_dims(d);
    switch (v.type) {
      case onnx::TensorProto::INT64: for (double x : v.v) t->add_int64_data(int64_t(x)); return true;
      case onnx::TensorProto::INT32:
      case onnx::TensorProto::BOOL:
      case onnx::TensorProto::INT8:
      case onnx::TensorProto::UINT8: for (double x : v.v) t->add_int32_data(int32_t(x)); return true;
      case onnx::TensorProto::FLOAT: for (double x : v.v) t->add_float_data(float(x)); return true;
      case onnx::TensorProto::DOUBLE: for (double x : v.v) t->add_double_data(x); return true;
      default: return false;
    }
  }

  // Parameters of the MAC operators of a graph and its subgraphs: how the
  // importer compares the work of two If branches.
  static int64_t branch_weight(const onnx::GraphProto& g) {
    std::unordered_map<std::string, int64_t> sizes;
    for (const auto& t : g.initializer()) sizes[t.name()] = product(Dims(t.dims().begin(), t.dims().end()));
    int64_t total = 0;
    for (const auto& n : g.node()) {
      const std::string& op = n.op_type();
      if (op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "MatMul" || op == "LSTM" || op == "GRU" || op == "RNN") {
        for (const auto& in : n.input()) {
          auto it = sizes.find(in);
          if (it != sizes.end()) total += it->second;
        }
        total += 1;
      }
      for (const auto& a : n.attribute()) {
        if (a.has_g()) total += branch_weight(a.g());
      }
    }
    return total;
  }

  // The values of the graph known before it runs: its small constant
  // initializers and what evaluates from them, node by node.
  std::unordered_map<std::string, Value> constant_values(const onnx::GraphProto& g) {
    std::unordered_map<std::string, Value> known;
    for (const auto& t : g.initializer()) {
      if (shape_like(t)) {
        if (auto v = tensor_value(t)) known[t.name()] = *v;
      }
    }
    for (const auto& n : g.node()) {
      if (n.output_size() == 1 && !n.output(0).empty()) {
        if (auto v = eval_const(n, known)) known[n.output(0)] = *v;
      }
    }
    return known;
  }

  // Replaces If nodes of the main graph by one of their branches (the
  // branch's nodes and initializers, then Identity nodes from the branch's
  // outputs to the If's). Without `any`, only Ifs whose condition is a known
  // constant; with it, the first remaining If, by its larger branch.
  bool inline_ifs(bool any) {
    auto* g = model_.mutable_graph();
    const std::unordered_map<std::string, Value> known = constant_values(*g);
    for (int i = 0; i < g->node_size(); ++i) {
      const onnx::NodeProto n = g->node(i);
      if (n.op_type() != "If" || !(n.domain().empty() || n.domain() == "ai.onnx")) continue;
      const auto* then_b = attr(n, "then_branch");
      const auto* else_b = attr(n, "else_branch");
      const std::string label = "node '" + (n.name().empty() ? std::string("If") : n.name()) + "' (If)";
      if (!then_b || !else_b || n.input_size() != 1) fail(label + ": needs a condition and then_branch / else_branch");
      bool take_then = true;
      auto c = known.find(n.input(0));
      if (c != known.end() && c->second.v.size() == 1) {
        take_then = c->second.v[0] != 0;
        report_.notes.push_back(label + ": constant condition, " + (take_then ? "then" : "else") + " branch inlined");
      } else if (any) {
        take_then = branch_weight(then_b->g()) >= branch_weight(else_b->g());
        report_.notes.push_back(label + ": condition known only at run time; the " +
                                (take_then ? "then" : "else") + " branch (the larger) is counted");
      } else {
        continue;
      }
      report_.inlined[op_key(n)]++;
      report_.nodes.push_back({n.name().empty() ? "If" : n.name(), op_key(n), "inlined", "",
                               std::string(take_then ? "then" : "else") + " branch" +
                                   (c != known.end() ? "" : ", the larger; condition known at run time")});
      const onnx::GraphProto& branch = (take_then ? then_b : else_b)->g();
      if (branch.output_size() != n.output_size()) {
        fail(label + ": the branch has " + std::to_string(branch.output_size()) + " outputs, the node " +
             std::to_string(n.output_size()));
      }
      google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
      for (int k = 0; k < i; ++k) *nodes.Add() = g->node(k);
      for (const auto& bn : branch.node()) *nodes.Add() = bn;
      for (int k = 0; k < n.output_size(); ++k) {
        if (n.output(k).empty()) continue;
        auto* id = nodes.Add();
        id->set_op_type("Identity");
        id->set_name(n.name() + "/" + n.output(k));
        id->add_input(branch.output(k).name());
        id->add_output(n.output(k));
      }
      for (int k = i + 1; k < g->node_size(); ++k) *nodes.Add() = g->node(k);
      g->mutable_node()->Swap(&nodes);
      for (const auto& t : branch.initializer()) *g->add_initializer() = t;
      return true;
    }
    return false;
  }

  // Loops with a constant trip count (and no condition, or a constant true
  // one) are unrolled: the body once per iteration, its tensors renamed
  // per iteration, loop-carried values chained, scan outputs concatenated.
  // The body's own condition output is not read: all M iterations count
  // (the worst case). Any other Loop is an error naming the node.
  static constexpr int64_t kMaxUnroll = 1024;

  bool unroll_loops() {
    auto* g = model_.mutable_graph();
    const std::unordered_map<std::string, Value> known = constant_values(*g);
    for (int i = 0; i < g->node_size(); ++i) {
      const onnx::NodeProto n = g->node(i);
      if (n.op_type() != "Loop" || !(n.domain().empty() || n.domain() == "ai.onnx")) continue;
      const std::string label = "node '" + (n.name().empty() ? std::string("Loop") : n.name()) + "' (Loop)";
      const auto* body_attr = attr(n, "body");
      if (!body_attr || n.input_size() < 2) fail(label + ": needs inputs M, cond and a body");
      const onnx::GraphProto& body = body_attr->g();
      auto trip = n.input(0).empty() ? known.end() : known.find(n.input(0));
      if (trip == known.end() || trip->second.v.size() != 1) {
        fail(label + ": the trip count is not a constant; only loops with a constant trip count are unrolled");
      }
      if (!n.input(1).empty()) {
        auto c = known.find(n.input(1));
        if (c == known.end() || c->second.v.size() != 1 || c->second.v[0] == 0) {
          fail(label + ": the loop condition is not a constant true; only loops with a constant trip count are unrolled");
        }
      }
      const int64_t iterations = int64_t(trip->second.v[0]);
      if (iterations < 0 || iterations > kMaxUnroll) {
        fail(label + ": trip count " + std::to_string(iterations) + " is outside 0.." + std::to_string(kMaxUnroll));
      }
      const int carried = n.input_size() - 2;
      if (body.input_size() != carried + 2 || body.output_size() < carried + 1) {
        fail(label + ": the body has " + std::to_string(body.input_size()) + " inputs and " +
             std::to_string(body.output_size()) + " outputs for " + std::to_string(carried) + " loop-carried values");
      }
      const int scans = body.output_size() - 1 - carried;
      if (n.output_size() > carried + scans) fail(label + ": more outputs than the body provides");
      if (iterations == 0 && scans > 0) fail(label + ": a trip count of 0 with scan outputs");
      const std::string prefix = (n.name().empty() ? std::string("loop") + std::to_string(i) : n.name()) + "/iter";
      google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
      for (int k = 0; k < i; ++k) *nodes.Add() = g->node(k);
      std::vector<std::string> state(n.input().begin() + 2, n.input().end());
      std::vector<std::vector<std::string>> scan_values(static_cast<size_t>(scans));
      for (int64_t it = 0; it < iterations; ++it) {
        const std::string tag = prefix + std::to_string(it) + "/";
        std::unordered_map<std::string, std::string> rename;
        // Body inputs: the iteration number, the condition, the carried values.
        auto* iter_t = g->add_initializer();
        iter_t->set_name(tag + body.input(0).name());
        iter_t->set_data_type(onnx::TensorProto::INT64);
        iter_t->add_int64_data(it);
        rename[body.input(0).name()] = iter_t->name();
        auto* cond_t = g->add_initializer();
        cond_t->set_name(tag + body.input(1).name());
        cond_t->set_data_type(onnx::TensorProto::BOOL);
        cond_t->add_int32_data(1);
        rename[body.input(1).name()] = cond_t->name();
        for (int v = 0; v < carried; ++v) rename[body.input(v + 2).name()] = state[size_t(v)];
        for (const auto& t : body.initializer()) {
          auto* c = g->add_initializer();
          *c = t;
          c->set_name(tag + t.name());
          rename[t.name()] = c->name();
        }
        for (const auto& bn : body.node()) {
          for (const auto& o : bn.output()) {
            if (!o.empty()) rename[o] = tag + o;
          }
        }
        for (const auto& bn : body.node()) {
          onnx::NodeProto c = bn;
          c.set_name(tag + (bn.name().empty() ? bn.op_type() : bn.name()));
          for (int k = 0; k < c.input_size(); ++k) {
            auto r = rename.find(c.input(k));
            if (r != rename.end()) c.set_input(k, r->second);
          }
          for (int k = 0; k < c.output_size(); ++k) {
            if (!c.output(k).empty()) c.set_output(k, rename.at(c.output(k)));
          }
          *nodes.Add() = c;
        }
        auto renamed = [&](const std::string& name) {
          auto r = rename.find(name);
          return r == rename.end() ? name : r->second;
        };
        for (int v = 0; v < carried; ++v) state[size_t(v)] = renamed(body.output(v + 1).name());
        for (int sidx = 0; sidx < scans; ++sidx) {
          scan_values[size_t(sidx)].push_back(renamed(body.output(1 + carried + sidx).name()));
        }
      }
      for (int k = 0; k < n.output_size(); ++k) {
        if (n.output(k).empty()) continue;
        if (k < carried) {
          auto* id = nodes.Add();
          id->set_op_type("Identity");
          id->set_name(prefix + "/out" + std::to_string(k));
          id->add_input(state[size_t(k)]);
          id->add_output(n.output(k));
          continue;
        }
        // Scan output: the per-iteration values stacked on a new axis 0.
        auto* axes = g->add_initializer();
        axes->set_name(prefix + "/scan_axes" + std::to_string(k));
        axes->set_data_type(onnx::TensorProto::INT64);
        axes->add_dims(1);
        axes->add_int64_data(0);
        auto* cat = nodes.Add();
        cat->set_op_type("Concat");
        cat->set_name(prefix + "/scan" + std::to_string(k));
        auto* a = cat->add_attribute();
        a->set_name("axis");
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(0);
        for (size_t it = 0; it < scan_values[size_t(k - carried)].size(); ++it) {
          auto* un = nodes.Add();
          un->set_op_type("Unsqueeze");
          un->set_name(prefix + "/scan" + std::to_string(k) + "_" + std::to_string(it));
          un->add_input(scan_values[size_t(k - carried)][it]);
          un->add_input(axes->name());
          un->add_output(un->name());
          cat->add_input(un->name());
        }
        cat->add_output(n.output(k));
        // Concat must come after the Unsqueezes: move it to the end.
        nodes.SwapElements(nodes.size() - 1 - int(scan_values[size_t(k - carried)].size()), nodes.size() - 1);
      }
      for (int k = i + 1; k < g->node_size(); ++k) *nodes.Add() = g->node(k);
      g->mutable_node()->Swap(&nodes);
      report_.inlined[op_key(n)]++;
      report_.nodes.push_back({n.name().empty() ? "Loop" : n.name(), op_key(n), "inlined", "",
                               "unrolled " + std::to_string(iterations) + " iteration(s)"});
      report_.notes.push_back(label + ": unrolled " + std::to_string(iterations) + " iteration(s)");
      return true;
    }
    return false;
  }

  // Replaces computed constant inputs of nodes whose output shape is still
  // unknown by initializers; true if anything changed.
  bool fold_shape_subgraphs() {
    auto* g = model_.mutable_graph();
    std::unordered_map<std::string, Value> known;
    std::unordered_set<std::string> initializer_names;
    for (const auto& t : g->initializer()) {
      initializer_names.insert(t.name());
      if (shape_like(t)) {
        if (auto v = tensor_value(t)) known[t.name()] = *v;
      }
    }
    bool changed = false;
    for (auto& n : *g->mutable_node()) {
      const bool unknown_output = n.output_size() > 0 && !shapes_.count(n.output(0));
      if (unknown_output && n.op_type() != "Constant") {
        for (int i = 0; i < n.input_size(); ++i) {
          const std::string& name = n.input(i);
          if (name.empty() || initializer_names.count(name)) continue;
          auto k = known.find(name);
          if (k == known.end()) continue;
          const std::string folded = "apollo.folded/" + name;
          if (!initializer_names.count(folded)) {
            onnx::TensorProto t;
            t.set_name(folded);
            if (!write_initializer(&t, k->second)) continue;
            *g->add_initializer() = t;
            initializer_names.insert(folded);
            known[folded] = k->second;
          }
          n.set_input(i, folded);
          changed = true;
        }
      }
      if (n.output_size() == 1 && !n.output(0).empty()) {
        if (auto v = eval_const(n, known)) known[n.output(0)] = *v;
      }
    }
    return changed;
  }

  void collect_shapes() {
    auto take = [&](const onnx::ValueInfoProto& v) {
      if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
      Dims d;
      for (const auto& dim : v.type().tensor_type().shape().dim()) {
        if (!dim.has_dim_value() || dim.dim_value() <= 0) return;
        d.push_back(dim.dim_value());
      }
      shapes_[v.name()] = d;
    };
    const auto& g = model_.graph();
    for (const auto& v : g.input()) take(v);
    for (const auto& v : g.value_info()) take(v);
    for (const auto& v : g.output()) take(v);
  }

  void bind_constants_and_inputs() {
    const auto& g = model_.graph();
    for (const auto& t : g.initializer()) {
      Tensor& x = tensors_[t.name()];
      x.constant = true;
      x.known = true;
      x.dims.assign(t.dims().begin(), t.dims().end());
      // Only small constants carry values we read (bounds, pads, axes).
      if (product(x.dims) <= kMaxConstantValues) x.values = tensor_values(t);
    }
    for (const auto& in : g.input()) {
      if (tensors_.count(in.name())) continue;  // initializer listed as input (IR < 4)
      Tensor& x = tensors_[in.name()];
      auto s = shapes_.find(in.name());
      if (s == shapes_.end()) fail("graph input '" + in.name() + "' has no static shape");
      x.dims = s->second;
      x.known = true;
      x.ir = to_ir(x.dims);
      x.pending_input = true;
      x.model_input = true;
    }
  }

  void find_consumers() {
    const auto& g = model_.graph();
    for (int i = 0; i < g.node_size(); ++i) {
      for (const auto& in : g.node(i).input()) {
        if (!in.empty()) consumers_[in].push_back(i);
      }
    }
    for (const auto& o : g.output()) graph_outputs_.insert(o.name());
  }

  // x * Sigmoid(x) = Swish and x * HardSigmoid(x) = HardSwish: the gate node
  // is skipped and the Mul folds the named activation into x's producer.
  void find_swish_patterns() {
    const auto& g = model_.graph();
    std::unordered_map<std::string, int> producer;
    for (int i = 0; i < g.node_size(); ++i) {
      for (const auto& o : g.node(i).output()) producer[o] = i;
    }
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& m = g.node(i);
      if (m.op_type() != "Mul" || m.input_size() != 2) continue;
      for (int side = 0; side < 2; ++side) {
        auto p = producer.find(m.input(side));
        if (p == producer.end()) continue;
        const auto& gate = g.node(p->second);
        const bool sig = gate.op_type() == "Sigmoid", hsig = gate.op_type() == "HardSigmoid";
        if (!(sig || hsig) || gate.input_size() < 1 || gate.input(0) != m.input(1 - side)) continue;
        if (consumers_[gate.output(0)].size() != 1 || graph_outputs_.count(gate.output(0))) continue;
        swish_gate_.insert(p->second);
        swish_mul_[i] = {sig ? Activation::Swish : Activation::HardSwish, m.input(1 - side)};
        break;
      }
    }
  }

  // ---- tensors -------------------------------------------------------------

  const Tensor& tensor(const onnx::NodeProto& n, const std::string& name) {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) {
      fail(n, "input '" + name +
                  "' is not produced by any earlier node, graph input or initializer "
                  "(nodes must be in topological order)");
    }
    return it->second;
  }

  Dims out_dims(const onnx::NodeProto& n, int k = 0) const {
    if (k >= n.output_size()) fail(n, "has no output #" + std::to_string(k));
    auto it = shapes_.find(n.output(k));
    if (it == shapes_.end()) {
      std::string msg = "ONNX shape inference could not determine the static shape of output '" +
                        n.output(k) + "'";
      if (!inference_error_.empty()) msg += " (shape inference reported: " + inference_error_ + ")";
      else msg += "; fix the input shapes with --input-shape";
      fail(n, msg);
    }
    return it->second;
  }

  // The IR tensor of an activation, adding a pending network input on first use.
  TensorRef ref_of(const std::string& name) {
    Tensor& t = tensors_.at(name);
    if (t.pending_input) {
      // Model inputs keep their names (reserved at load); others get unique ones.
      std::string input_name = t.model_input ? name : unique_name(name);
      net_.inputs.push_back({input_name, t.ir});
      t.ref = graph_input_ref(int(net_.inputs.size()) - 1);
      t.pending_input = false;
    }
    return t.ref;
  }

  // The IR tensor of `name` arranged as `want` (same element count),
  // inserting a zero-work Reshape layer (one per tensor and shape) if needed.
  TensorRef view_as(const onnx::NodeProto& n, const std::string& name, const Shape& want) {
    const TensorRef r = ref_of(name);
    const Tensor& t = tensors_.at(name);
    if (t.ir == want) return r;
    if (t.ir.elements() != want.elements()) {
      fail(n, "input '" + name + "' has " + std::to_string(t.ir.elements()) +
                  " elements, the mapped layer needs " + to_string(want));
    }
    const std::string key = std::to_string(r) + "/" + to_string(want);
    auto it = views_.find(key);
    if (it != views_.end()) return it->second;
    Layer l;
    l.name = unique_name(name + "/view");
    l.op = OpType::Reshape;
    l.inputs = {r};
    l.reshape_to = want;
    l.bias = false;
    const TensorRef out = add_layer(std::move(l), want, want.elements(), node_label(n));
    views_[key] = out;
    return out;
  }

  std::string unique_name(const std::string& base) {
    std::string name = base;
    for (int k = 1; used_names_.count(name); ++k) name = base + "_" + std::to_string(k);
    used_names_.insert(name);
    return name;
  }

  TensorRef add_layer(Layer l, const Shape& expected, int64_t onnx_elements, std::string origin) {
    net_.layers.push_back(std::move(l));
    expected_.push_back(expected);
    onnx_elements_.push_back(onnx_elements);
    origin_.push_back(std::move(origin));
    return int(net_.layers.size()) - 1;
  }

  // Binds output k of n to IR tensor r with IR shape ir.
  void bind(const onnx::NodeProto& n, int k, TensorRef r, const Shape& ir, const Dims& dims) {
    Tensor& t = tensors_[n.output(k)];
    t = Tensor{};
    t.ref = r;
    t.ir = ir;
    t.dims = dims;
    t.known = true;
  }

  // Emits a layer for node n (named after it) and binds its first output.
  void emit(const onnx::NodeProto& n, Layer l, const Shape& ir_out) {
    const std::string ir_op = to_string(l.op);
    emit_output(n, 0, std::move(l), ir_out, node_name(n));
    record(n, report_.mapped, "mapped", ir_op, "");
  }

  // A layer named `name` for output k of n (bound to it); no record.
  TensorRef emit_output(const onnx::NodeProto& n, int k, Layer l, const Shape& ir_out, const std::string& name) {
    const Dims dims = out_dims(n, k);
    l.name = name;
    used_names_.insert(l.name);
    const TensorRef r = add_layer(std::move(l), ir_out, product(dims), node_label(n));
    bind(n, k, r, ir_out, dims);
    return r;
  }

  // An extra layer of node n that no ONNX output is bound to.
  TensorRef emit_internal(const onnx::NodeProto& n, Layer l, const Shape& ir_out, const std::string& suffix) {
    l.name = unique_name(node_name(n) + "/" + suffix);
    return add_layer(std::move(l), ir_out, ir_out.elements(), node_label(n));
  }

  static Layer copy_layer(TensorRef from, const Shape& to) {
    Layer l;
    l.op = OpType::Copy;
    l.bias = false;
    l.reshape_to = to;
    l.inputs = {from};
    return l;
  }

  // Data movement: every output of n is a zero-work copy of its first
  // activation input into the shape ONNX inferred (Slice, Split, Pad,
  // Expand, Tile, Gather with constant indices).
  void data_movement(const onnx::NodeProto& n) {
    const auto acts = activations(n);
    if (acts.empty()) fail(n, "has no activation input");
    if (n.op_type() == "Gather" && acts[0] != n.input(0)) return unmapped(n, "indices computed at run time");
    if (acts.size() > 1 && n.op_type() != "Pad") return unmapped(n, "shape or indices computed at run time");
    if (tensors_.at(acts[0]).padded()) return unmapped(n, "data movement of a padded tensor");
    const TensorRef from = ref_of(acts[0]);
    int outputs = 0;
    for (int k = 0; k < n.output_size(); ++k) {
      if (n.output(k).empty()) continue;
      const Shape out = to_ir(out_dims(n, k));
      emit_output(n, k, copy_layer(from, out), out, outputs++ == 0 ? node_name(n) : unique_name(node_name(n) + "/" + std::to_string(k)));
    }
    record(n, report_.mapped, "mapped", "copy", outputs > 1 ? std::to_string(outputs) + " outputs" : "");
  }

  // LSTM / GRU / RNN as matrix products over all time steps: the input
  // projection X W^T (rows T*B, all directions' gates) and the recurrent
  // projection h R^T (rows T*B, k = hidden), each a fully_connected layer
  // with its bias, then the gate arithmetic as an elementwise layer (3 ops
  // per gate element) and copies into the outputs' shapes. MACs and weights
  // are exact (T*B*gates*H*(I+H) per direction; W, R, B); the recurrence's
  // step-by-step order is not modelled (its products are one taller product).
  void recurrent(const onnx::NodeProto& n) {
    if (n.input_size() < 3) fail(n, "expects inputs X, W, R[, B, ...], got " + std::to_string(n.input_size()));
    const Tensor& x = tensor(n, n.input(0));
    const Tensor& w = tensor(n, n.input(1));
    const Tensor& rw = tensor(n, n.input(2));
    if (x.constant) return unmapped(n, "constant input sequence");
    if (!w.constant || !rw.constant) return unmapped(n, "weights computed at run time");
    if (x.dims.size() != 3 || w.dims.size() != 3 || rw.dims.size() != 3) {
      fail(n, "X, W and R must have rank 3, got " + dims_str(x.dims) + ", " + dims_str(w.dims) + ", " + dims_str(rw.dims));
    }
    if (attr_i(n, "layout", 0) != 0) return unmapped(n, "batch-first layout");
    const int64_t dirs = w.dims[0], gates_h = w.dims[1], in = w.dims[2], hidden = rw.dims[2];
    const int64_t steps = x.dims[0], batch = x.dims[1];
    if (x.dims[2] != in || rw.dims[0] != dirs || rw.dims[1] != gates_h || hidden <= 0 || gates_h % hidden != 0) {
      fail(n, "inconsistent shapes X " + dims_str(x.dims) + ", W " + dims_str(w.dims) + ", R " + dims_str(rw.dims));
    }
    if (x.padded()) return unmapped(n, "Pad in front of a recurrent layer");
    const bool bias = n.input_size() > 3 && !n.input(3).empty();
    const int64_t rows = steps * batch, gates = dirs * gates_h;
    Layer fx;
    fx.op = OpType::FullyConnected;
    fx.out_channels = gates;
    fx.bias = bias;
    fx.inputs = {view_as(n, n.input(0), {1, 1, rows, in})};
    const TensorRef px = emit_internal(n, std::move(fx), {1, 1, rows, gates}, "input_projection");
    // The recurrent operand: the hidden state of every step, T*B rows of H
    // (in the data flow, a copy of the sequence standing for h(t-1)).
    const TensorRef h = emit_internal(n, copy_layer(ref_of(n.input(0)), {1, 1, rows, hidden}), {1, 1, rows, hidden}, "hidden_states");
    Layer fh;
    fh.op = OpType::FullyConnected;
    fh.out_channels = gates;
    fh.bias = bias;
    fh.inputs = {h};
    const TensorRef ph = emit_internal(n, std::move(fh), {1, 1, rows, gates}, "recurrent_projection");
    Layer g;
    g.op = OpType::Elementwise;
    g.ops = 3;
    g.bias = false;
    g.inputs = {px, ph};
    const TensorRef cells = emit_internal(n, std::move(g), {1, 1, rows, gates}, "gates");
    for (int k = 0; k < n.output_size(); ++k) {
      if (n.output(k).empty()) continue;
      const Shape out = to_ir(out_dims(n, k));
      emit_output(n, k, copy_layer(cells, out), out, k == 0 ? node_name(n) : unique_name(node_name(n) + "/" + std::to_string(k)));
    }
    record(n, report_.mapped, "mapped", "fully_connected",
           "input and recurrent projections over " + std::to_string(steps) + " step(s), gates, outputs");
  }

  // Output 0 of n is the same IR tensor as input `from` (seen with new dims).
  void alias(const onnx::NodeProto& n, const std::string& from, const Dims& dims) {
    // A model input is added under its own name before it gets another one.
    if (tensors_.at(from).pending_input) ref_of(from);
    Tensor t = tensors_.at(from);
    t.dims = dims;
    tensors_[n.output(0)] = t;
  }

  // The layer whose element-wise epilogue may absorb a folded op on `name`:
  // its producer, looking through zero-work views. nullopt for network inputs.
  std::optional<int> fold_target(const std::string& name) {
    const Tensor& t = tensors_.at(name);
    if (t.pending_input) return std::nullopt;
    TensorRef r = t.ref;
    while (!is_graph_input(r) && net_.layers[r].op == OpType::Reshape) r = net_.layers[r].inputs[0];
    if (is_graph_input(r)) return std::nullopt;
    return r;
  }

  // ---- attributes ----------------------------------------------------------

  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) const {
    for (const auto& a : n.attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }
  int64_t attr_i(const onnx::NodeProto& n, const char* name, int64_t dflt) const {
    const auto* a = attr(n, name);
    return a ? a->i() : dflt;
  }
  std::optional<float> attr_f(const onnx::NodeProto& n, const char* name) const {
    const auto* a = attr(n, name);
    if (!a) return std::nullopt;
    return a->f();
  }
  std::string attr_s(const onnx::NodeProto& n, const char* name, const std::string& dflt) const {
    const auto* a = attr(n, name);
    return a ? a->s() : dflt;
  }
  Dims attr_ints(const onnx::NodeProto& n, const char* name, Dims dflt) const {
    const auto* a = attr(n, name);
    if (!a) return dflt;
    return Dims(a->ints().begin(), a->ints().end());
  }
  int to_int(const onnx::NodeProto& n, int64_t v, const char* what) const {
    if (v < 0 || v > std::numeric_limits<int>::max()) {
      fail(n, std::string(what) + " " + std::to_string(v) + " is out of range");
    }
    return int(v);
  }

  // ---- node dispatch -------------------------------------------------------

  using Handler = void (Importer::*)(const onnx::NodeProto&);

  static const std::unordered_map<std::string, Handler>& handlers() {
    static const std::unordered_map<std::string, Handler> table = {
        {"Conv", &Importer::conv},
        {"QLinearConv", &Importer::conv},
        {"ConvInteger", &Importer::conv},
        {"QLinearMatMul", &Importer::matmul},
        {"MatMulInteger", &Importer::matmul},
        {"QuantizeLinear", &Importer::view},
        {"DequantizeLinear", &Importer::view},
        {"ConvTranspose", &Importer::conv_transpose},
        {"Gemm", &Importer::gemm},
        {"MatMul", &Importer::matmul},
        {"MaxPool", &Importer::pool},
        {"AveragePool", &Importer::pool},
        {"GlobalAveragePool", &Importer::global_pool},
        {"GlobalMaxPool", &Importer::global_pool},
        {"ReduceMean", &Importer::reduce},
        {"ReduceMax", &Importer::reduce},
        {"ReduceMin", &Importer::reduce},
        {"ReduceSum", &Importer::reduce},
        {"ReduceProd", &Importer::reduce},
        {"ReduceL1", &Importer::reduce},
        {"ReduceL2", &Importer::reduce},
        {"ReduceSumSquare", &Importer::reduce},
        {"ReduceLogSum", &Importer::reduce},
        {"ReduceLogSumExp", &Importer::reduce},
        {"ArgMax", &Importer::reduce},
        {"ArgMin", &Importer::reduce},
        {"Pow", &Importer::elementwise},
        {"Slice", &Importer::data_movement},
        {"Split", &Importer::data_movement},
        {"Expand", &Importer::data_movement},
        {"Tile", &Importer::data_movement},
        {"Gather", &Importer::data_movement},
        {"LSTM", &Importer::recurrent},
        {"GRU", &Importer::recurrent},
        {"RNN", &Importer::recurrent},
        {"Sqrt", &Importer::elementwise},
        {"Exp", &Importer::elementwise},
        {"Log", &Importer::elementwise},
        {"Neg", &Importer::elementwise},
        {"Abs", &Importer::elementwise},
        {"Reciprocal", &Importer::elementwise},
        {"Floor", &Importer::elementwise},
        {"Ceil", &Importer::elementwise},
        {"Round", &Importer::elementwise},
        {"Sign", &Importer::elementwise},
        {"Erf", &Importer::elementwise},
        {"Sin", &Importer::elementwise},
        {"Cos", &Importer::elementwise},
        {"Max", &Importer::elementwise},
        {"Min", &Importer::elementwise},
        {"Mean", &Importer::elementwise},
        {"Mod", &Importer::elementwise},
        {"Equal", &Importer::elementwise},
        {"Less", &Importer::elementwise},
        {"Greater", &Importer::elementwise},
        {"LessOrEqual", &Importer::elementwise},
        {"GreaterOrEqual", &Importer::elementwise},
        {"Not", &Importer::elementwise},
        {"And", &Importer::elementwise},
        {"Or", &Importer::elementwise},
        {"Xor", &Importer::elementwise},
        {"Where", &Importer::elementwise},
        {"Add", &Importer::eltwise},
        {"Sub", &Importer::eltwise},
        {"Mul", &Importer::eltwise},
        {"Div", &Importer::eltwise},
        {"Sum", &Importer::sum},
        {"Concat", &Importer::concat},
        {"Resize", &Importer::resize},
        {"Upsample", &Importer::resize},
        {"BatchNormalization", &Importer::normalization},
        {"InstanceNormalization", &Importer::normalization},
        {"LayerNormalization", &Importer::normalization},
        {"GroupNormalization", &Importer::normalization},
        {"LpNormalization", &Importer::normalization},
        {"Pad", &Importer::pad},
        {"Reshape", &Importer::view},
        {"Flatten", &Importer::view},
        {"Squeeze", &Importer::view},
        {"Unsqueeze", &Importer::view},
        {"Transpose", &Importer::view},
        {"Identity", &Importer::view},
        {"Dropout", &Importer::view},
        {"Cast", &Importer::view},
        {"DepthToSpace", &Importer::view},
        {"SpaceToDepth", &Importer::view},
        {"Relu", &Importer::activation},
        {"LeakyRelu", &Importer::activation},
        {"PRelu", &Importer::activation},
        {"Elu", &Importer::activation},
        {"Selu", &Importer::activation},
        {"Celu", &Importer::activation},
        {"ThresholdedRelu", &Importer::activation},
        {"Clip", &Importer::activation},
        {"HardSigmoid", &Importer::activation},
        {"Sigmoid", &Importer::activation},
        {"Tanh", &Importer::activation},
        {"HardSwish", &Importer::activation},
        {"Softmax", &Importer::activation},
        {"LogSoftmax", &Importer::activation},
        {"Gelu", &Importer::activation},
        {"Softplus", &Importer::activation},
        {"Mish", &Importer::activation},
    };
    return table;
  }

  void visit(int index, const onnx::NodeProto& n) {
    // Inputs must exist (topological order) before anything else.
    bool all_constant = true;
    for (const auto& in : n.input()) {
      if (in.empty()) continue;
      if (!tensor(n, in).constant) all_constant = false;
    }
    if (n.op_type() == "Constant") {
      bind_constant_node(n);
      return;
    }
    // Shape / Size read only static dimensions; with every input a constant
    // the node is part of a constant (shape) subgraph.
    if (all_constant || n.op_type() == "Shape" || n.op_type() == "Size") {
      for (int k = 0; k < n.output_size(); ++k) {
        if (n.output(k).empty()) continue;
        Tensor& t = tensors_[n.output(k)];
        t = Tensor{};
        t.constant = true;
        auto s = shapes_.find(n.output(k));
        if (s != shapes_.end()) {
          t.dims = s->second;
          t.known = true;
        }
      }
      record(n, report_.skipped, "skipped", "", all_constant ? "constant" : "shape");
      return;
    }
    if (n.output_size() == 0) fail(n, "has no outputs");
    if (swish_gate_.count(index)) {
      record(n, report_.folded, "folded", "", "gate of an x * gate(x) product, folded with it");
      alias(n, n.input(0), out_dims(n));  // read only by its x * gate(x) Mul
      return;
    }
    if (auto sw = swish_mul_.find(index); sw != swish_mul_.end()) {
      fold_activation(n, sw->second.second, sw->second.first, std::string("x * ") + to_string(sw->second.first));
      return;
    }
    const bool standard = n.domain().empty() || n.domain() == "ai.onnx";
    auto h = standard ? handlers().find(n.op_type()) : handlers().end();
    if (h == handlers().end()) {
      unmapped(n, "no IR equivalent");
      return;
    }
    (this->*(h->second))(n);
  }

  void bind_constant_node(const onnx::NodeProto& n) {
    Tensor& t = tensors_[n.output(0)];
    t = Tensor{};
    t.constant = true;
    if (const auto* a = attr(n, "value")) {
      t.dims.assign(a->t().dims().begin(), a->t().dims().end());
      t.known = true;
      t.values = tensor_values(a->t());
    } else if (const auto* f = attr(n, "value_float")) {
      t.known = true;
      t.values = std::vector<double>{f->f()};
    } else if (const auto* i = attr(n, "value_int")) {
      t.known = true;
      t.values = std::vector<double>{double(i->i())};
    } else if (auto s = shapes_.find(n.output(0)); s != shapes_.end()) {
      t.dims = s->second;
      t.known = true;
    }
    record(n, report_.skipped, "skipped", "", "constant");
  }

  // The node's work has no IR equivalent: say so, and keep the graph
  // connected (pass-through when the element count is unchanged, else a new
  // network input with the output's shape).
  void unmapped(const onnx::NodeProto& n, const std::string& why) {
    record(n, report_.unmapped, "not mapped", "", why);
    std::string first_act;
    for (const auto& in : n.input()) {
      if (!in.empty() && !tensors_.at(in).constant) {
        first_act = in;
        break;
      }
    }
    std::string effect;
    for (int k = 0; k < n.output_size(); ++k) {
      if (n.output(k).empty()) continue;
      const Dims dims = out_dims(n, k);
      const Tensor* src = first_act.empty() ? nullptr : &tensors_.at(first_act);
      if (k == 0 && src && !src->padded() && src->ir.elements() == product(dims)) {
        alias(n, first_act, dims);
        effect = "its output passes its input through";
      } else {
        Tensor& t = tensors_[n.output(k)];
        t = Tensor{};
        t.dims = dims;
        t.known = true;
        t.ir = to_ir(dims);
        t.pending_input = true;
        if (effect.empty()) effect = "its output becomes a network input";
      }
    }
    warn(node_label(n) + " not mapped (" + why + "); its work is not counted, " + effect);
  }

  // ---- mapped operators ----------------------------------------------------

  // Activation inputs of n (non-empty, non-constant), in order.
  std::vector<std::string> activations(const onnx::NodeProto& n) {
    std::vector<std::string> out;
    for (const auto& in : n.input()) {
      if (!in.empty() && !tensors_.at(in).constant) out.push_back(in);
    }
    return out;
  }

  // Pads for a sliding window from ONNX attributes plus any folded Pad.
  struct Window {
    int kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
    int pt = 0, pb = 0, pl = 0, pr = 0;
    Padding padding = Padding::Valid;
  };

  Window window(const onnx::NodeProto& n, const Tensor& x, Dims kernel, bool one_d) {
    Window w;
    const Dims strides = attr_ints(n, "strides", Dims(kernel.size(), 1));
    const Dims dil = attr_ints(n, "dilations", Dims(kernel.size(), 1));
    Dims pads = attr_ints(n, "pads", Dims(2 * kernel.size(), 0));
    if (strides.size() != kernel.size() || dil.size() != kernel.size() ||
        pads.size() != 2 * kernel.size()) {
      fail(n, "strides / dilations / pads do not match a " + std::to_string(kernel.size()) +
                  "-d kernel");
    }
    if (one_d) {  // 1-d windows run along IR width
      kernel.insert(kernel.begin(), 1);
      Dims s{1, strides[0]}, d{1, dil[0]};
      pads = {0, pads[0], 0, pads[1]};
      w.sh = 1, w.sw = to_int(n, s[1], "stride"), w.dh = 1, w.dw = to_int(n, d[1], "dilation");
    } else {
      w.sh = to_int(n, strides[0], "stride"), w.sw = to_int(n, strides[1], "stride");
      w.dh = to_int(n, dil[0], "dilation"), w.dw = to_int(n, dil[1], "dilation");
    }
    w.kh = to_int(n, kernel[0], "kernel");
    w.kw = to_int(n, kernel[1], "kernel");
    const std::string auto_pad = attr_s(n, "auto_pad", "NOTSET");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      w.padding = Padding::Same;
    } else if (auto_pad == "VALID") {
      w.padding = Padding::Valid;
    } else if (auto_pad == "NOTSET") {
      w.pt = to_int(n, pads[0], "pad"), w.pl = to_int(n, pads[1], "pad");
      w.pb = to_int(n, pads[2], "pad"), w.pr = to_int(n, pads[3], "pad");
      w.padding = (w.pt || w.pb || w.pl || w.pr) ? Padding::Explicit : Padding::Valid;
    } else {
      fail(n, "unknown auto_pad '" + auto_pad + "'");
    }
    if (x.padded()) {
      if (w.padding == Padding::Same) {
        // Make SAME explicit so the folded Pad can be added to it.
        const Shape in = window_input_shape(x.dims);
        auto same = [](int64_t size, int k, int s, int d, bool upper, int& a, int& b) {
          const int64_t out = (size + s - 1) / s;
          const int64_t total = std::max<int64_t>(0, (out - 1) * s + int64_t(k - 1) * d + 1 - size);
          a = int(upper ? total / 2 : total - total / 2);
          b = int(total - a);
        };
        const bool upper = auto_pad == "SAME_UPPER";
        same(in.h, w.kh, w.sh, w.dh, upper, w.pt, w.pb);
        same(in.w, w.kw, w.sw, w.dw, upper, w.pl, w.pr);
      }
      w.pt += x.pad_t, w.pb += x.pad_b, w.pl += x.pad_l, w.pr += x.pad_r;
      w.padding = Padding::Explicit;
      report_.folded["Pad"]++;
      report_.nodes.push_back({"(Pad read by " + node_name(n) + ")", "Pad", "folded", "pads",
                               "into the pads of " + node_label(n)});
    }
    return w;
  }

  static void apply(Layer& l, const Window& w) {
    l.kernel_h = w.kh, l.kernel_w = w.kw, l.stride_h = w.sh, l.stride_w = w.sw;
    l.dilation_h = w.dh, l.dilation_w = w.dw, l.padding = w.padding;
    l.pad_top = w.pt, l.pad_bottom = w.pb, l.pad_left = w.pl, l.pad_right = w.pr;
  }

  // The IR view a window op reads: NHWC for 4-d, {N,1,L,C} for 3-d (1-d ops).
  Shape window_input_shape(const Dims& d) {
    if (d.size() == 4) return {d[0], d[2], d[3], d[1]};
    return {d[0], 1, d[2], d[1]};
  }
  Shape window_output_shape(const Dims& d) { return window_input_shape(d); }

  // Operand positions in the float and the quantized (integer) forms;
  // scales and zero points are constants that change no work.
  struct Operands {
    int x = 0, w = 1, b = 2;  // b < 0: no bias input
  };
  static Operands operands(const std::string& op) {
    if (op == "QLinearConv") return {0, 3, 8};
    if (op == "QLinearMatMul") return {0, 3, -1};
    if (op == "ConvInteger" || op == "MatMulInteger") return {0, 1, -1};
    return {};
  }

  void conv(const onnx::NodeProto& n) {
    const Operands o = operands(n.op_type());
    if (n.input_size() <= o.w) fail(n, "expects inputs X, W[, B], got " + std::to_string(n.input_size()));
    const Tensor& x = tensor(n, n.input(o.x));
    const Tensor& w = tensor(n, n.input(o.w));
    if (x.constant) return unmapped(n, "constant input with activation weights");
    if (!w.constant) return unmapped(n, "weights computed at run time");
    if (x.dims.size() != 4 && x.dims.size() != 3) {
      return unmapped(n, std::to_string(x.dims.size() - 2) + "-d convolution");
    }
    if (w.dims.size() != x.dims.size()) fail(n, "weight rank " + std::to_string(w.dims.size()) +
                                                    " does not match input rank " + std::to_string(x.dims.size()));
    const bool one_d = x.dims.size() == 3;
    const Dims kernel(w.dims.begin() + 2, w.dims.end());
    Layer l;
    l.op = OpType::Conv;
    apply(l, window(n, x, kernel, one_d));
    l.groups = to_int(n, attr_i(n, "group", 1), "group");
    l.out_channels = w.dims[0];
    l.bias = o.b >= 0 && n.input_size() > o.b && !n.input(o.b).empty();
    if (w.dims[1] * l.groups != x.dims[1]) {
      fail(n, "weights " + dims_str(w.dims) + " with group " + std::to_string(l.groups) +
                  " do not match " + std::to_string(x.dims[1]) + " input channels");
    }
    l.inputs = {view_as(n, n.input(o.x), window_input_shape(x.dims))};
    emit(n, std::move(l), window_output_shape(out_dims(n)));
  }

  void conv_transpose(const onnx::NodeProto& n) {
    if (n.input_size() < 2) fail(n, "expects inputs X, W[, B], got " + std::to_string(n.input_size()));
    const Tensor& x = tensor(n, n.input(0));
    const Tensor& w = tensor(n, n.input(1));
    if (x.constant) return unmapped(n, "constant input with activation weights");
    if (!w.constant) return unmapped(n, "weights computed at run time");
    if (x.dims.size() != 4 && x.dims.size() != 3) {
      return unmapped(n, std::to_string(x.dims.size() - 2) + "-d transposed convolution");
    }
    if (x.padded()) return unmapped(n, "Pad in front of a transposed convolution");
    const bool one_d = x.dims.size() == 3;
    const Dims kernel(w.dims.begin() + 2, w.dims.end());
    Layer l;
    l.op = OpType::ConvTranspose;
    // The IR has no output_padding / output_shape: express the output size
    // ONNX inferred through the explicit pads (the IR's own formula).
    Window win = window(n, x, kernel, one_d);
    l.groups = to_int(n, attr_i(n, "group", 1), "group");
    l.out_channels = w.dims[1] * l.groups;
    l.bias = n.input_size() > 2 && !n.input(2).empty();
    if (w.dims[0] != x.dims[1]) {
      fail(n, "weights " + dims_str(w.dims) + " do not match " + std::to_string(x.dims[1]) +
                  " input channels");
    }
    const Shape in = window_input_shape(x.dims);
    const Shape out = window_output_shape(out_dims(n));
    auto fit = [&](int64_t size_in, int64_t size_out, int k, int s, int d, int& a, int& b) {
      const int64_t full = (size_in - 1) * s + int64_t(k - 1) * d + 1;
      int64_t begin = win.padding == Padding::Explicit ? a : 0;
      if (win.padding == Padding::Same) begin = (full - size_out) / 2;
      const int64_t end = full - size_out - begin;
      if (begin < 0 || end < 0) return false;
      a = int(begin), b = int(end);
      return true;
    };
    if (!fit(in.h, out.h, win.kh, win.sh, win.dh, win.pt, win.pb) ||
        !fit(in.w, out.w, win.kw, win.sw, win.dw, win.pl, win.pr)) {
      return unmapped(n, "output size needs negative padding in the IR's formula");
    }
    win.padding = (win.pt || win.pb || win.pl || win.pr) ? Padding::Explicit : Padding::Valid;
    apply(l, win);
    l.inputs = {view_as(n, n.input(0), in)};
    emit(n, std::move(l), out);
  }

  // Fully connected: `act` (rows x k after any transpose view) times a constant k x cols.
  void fully_connected(const onnx::NodeProto& n, const std::string& act, int64_t k, int64_t cols,
                       bool bias, bool transposed) {
    const Tensor& x = tensors_.at(act);
    if (x.padded()) return unmapped(n, "Pad in front of a matrix product");
    const int64_t elems = x.ir.elements();
    if (k <= 0 || elems % k != 0) fail(n, "inner dimension " + std::to_string(k) + " does not divide input " + dims_str(x.dims));
    Shape want = x.ir;
    if (transposed || want.c != k) want = to_ir(x.dims);
    if (transposed || want.c != k) want = {elems / k, 1, 1, k};
    Layer l;
    l.op = OpType::FullyConnected;
    l.out_channels = cols;
    l.bias = bias;
    l.inputs = {view_as(n, act, want)};
    emit(n, std::move(l), {want.n, want.h, want.w, cols});
  }

  // Product of two activations: batch x (m x k) x (k x n).
  void act_matmul(const onnx::NodeProto& n, const std::string& a, const std::string& b, int64_t batch,
                  int64_t m, int64_t k, int64_t cols) {
    if (tensors_.at(a).padded() || tensors_.at(b).padded()) return unmapped(n, "Pad in front of a matrix product");
    Layer l;
    l.op = OpType::MatMul;
    l.batch = batch, l.m = m, l.k = k, l.n = cols;
    l.bias = false;
    l.inputs = {ref_of(a), ref_of(b)};
    emit(n, std::move(l), {1, batch, m, cols});
  }

  void gemm(const onnx::NodeProto& n) {
    if (n.input_size() < 2) fail(n, "expects inputs A, B[, C], got " + std::to_string(n.input_size()));
    const Tensor& a = tensor(n, n.input(0));
    const Tensor& b = tensor(n, n.input(1));
    const bool has_c = n.input_size() > 2 && !n.input(2).empty();
    if (has_c && !tensor(n, n.input(2)).constant) return unmapped(n, "bias C computed at run time");
    if (a.dims.size() != 2 || b.dims.size() != 2) fail(n, "A and B must be matrices, got " + dims_str(a.dims) + " and " + dims_str(b.dims));
    const bool ta = attr_i(n, "transA", 0) != 0, tb = attr_i(n, "transB", 0) != 0;
    const int64_t m = ta ? a.dims[1] : a.dims[0], k = ta ? a.dims[0] : a.dims[1];
    const int64_t kb = tb ? b.dims[1] : b.dims[0], cols = tb ? b.dims[0] : b.dims[1];
    if (k != kb) fail(n, "inner dimensions differ: " + dims_str(a.dims) + " x " + dims_str(b.dims));
    if (b.constant) return fully_connected(n, n.input(0), k, cols, has_c, ta);
    if (a.constant) {
      // out^T = B^T A^T: the activation's columns are the rows.
      if (has_c) return unmapped(n, "constant A with a bias");
      return fully_connected(n, n.input(1), k, m, false, !tb);
    }
    if (has_c) warn(node_label(n) + ": the bias C of a product of two activations is not counted");
    act_matmul(n, n.input(0), n.input(1), 1, m, k, cols);
  }

  void matmul(const onnx::NodeProto& n) {
    const Operands o = operands(n.op_type());
    if (n.input_size() <= o.w) fail(n, "expects inputs A, B, got " + std::to_string(n.input_size()));
    const std::string& an = n.input(o.x);
    const std::string& bn = n.input(o.w);
    const Tensor& a = tensor(n, an);
    const Tensor& b = tensor(n, bn);
    Dims ad = a.dims, bd = b.dims;
    if (ad.empty() || bd.empty()) fail(n, "operands must have rank >= 1");
    if (ad.size() == 1) ad.insert(ad.begin(), 1);
    if (bd.size() == 1) bd.push_back(1);
    const int64_t m = ad[ad.size() - 2], k = ad.back(), kb = bd[bd.size() - 2], cols = bd.back();
    if (k != kb) fail(n, "inner dimensions differ: " + dims_str(a.dims) + " x " + dims_str(b.dims));
    const int64_t batch_a = product(ad, 0, ad.size() - 2), batch_b = product(bd, 0, bd.size() - 2);
    if (b.constant) {
      if (batch_b != 1) {
        // One weight matrix per batch: a 1x1 convolution with one group per
        // batch over the M rows (MACs b*M*K*N, weights b*K*N).
        if (batch_a != batch_b || a.padded()) return unmapped(n, "batched constant right operand across other batches");
        Layer l;
        l.op = OpType::Conv;
        l.padding = Padding::Valid;
        l.groups = to_int(n, batch_b, "batch");
        l.out_channels = batch_b * cols;
        l.bias = false;
        l.inputs = {view_as(n, an, {1, 1, m, batch_a * k})};
        return emit(n, std::move(l), {1, 1, m, batch_b * cols});
      }
      return fully_connected(n, an, k, cols, false, false);
    }
    if (a.constant) {
      if (batch_a != 1) return unmapped(n, "batched constant left operand");
      return fully_connected(n, bn, k, m, false, true);
    }
    if (batch_a == batch_b) return act_matmul(n, an, bn, batch_a, m, k, cols);
    // A right operand shared by every batch is one taller product.
    if (batch_b == 1) return act_matmul(n, an, bn, 1, batch_a * m, k, cols);
    // A left operand shared by every batch: the transposed product
    // (B^T A^T), one taller product of b*N rows.
    if (batch_a == 1) return act_matmul(n, bn, an, 1, batch_b * cols, k, m);
    unmapped(n, "batch dimensions broadcast against each other");
  }

  void pool(const onnx::NodeProto& n) {
    const Tensor& x = tensor(n, n.input(0));
    if (x.dims.size() != 4 && x.dims.size() != 3) {
      return unmapped(n, std::to_string(x.dims.size() - 2) + "-d pooling");
    }
    if (n.output_size() > 1 && !n.output(1).empty()) return unmapped(n, "pooling with indices output");
    const bool one_d = x.dims.size() == 3;
    const Dims kernel = attr_ints(n, "kernel_shape", {});
    if (kernel.size() != x.dims.size() - 2) fail(n, "kernel_shape must have " + std::to_string(x.dims.size() - 2) + " values");
    Window w = window(n, x, kernel, one_d);
    const Shape in = window_input_shape(x.dims);
    const Shape out = window_output_shape(out_dims(n));
    if (attr_i(n, "ceil_mode", 0) != 0 && w.padding != Padding::Same) {
      // Ceil rounding = extra bottom/right padding under the IR's floor formula.
      auto extra = [](int64_t size, int64_t want, int k, int s, int d, int a, int& b) {
        const int64_t eff = int64_t(k - 1) * d + 1;
        const int64_t floor_out = (size + a + b - eff) / s + 1;
        if (want > floor_out) b += int((want - 1) * s + eff - (size + a + b));
      };
      extra(in.h, out.h, w.kh, w.sh, w.dh, w.pt, w.pb);
      extra(in.w, out.w, w.kw, w.sw, w.dw, w.pl, w.pr);
      w.padding = (w.pt || w.pb || w.pl || w.pr) ? Padding::Explicit : Padding::Valid;
    }
    Layer l;
    l.op = OpType::Pool;
    l.pool = n.op_type() == "MaxPool" ? PoolKind::Max : PoolKind::Average;
    l.bias = false;
    apply(l, w);
    l.inputs = {view_as(n, n.input(0), in)};
    emit(n, std::move(l), out);
  }

  void global_pool(const onnx::NodeProto& n) {
    const Tensor& x = tensor(n, n.input(0));
    if (x.dims.size() != 4 && x.dims.size() != 3) return unmapped(n, "non-image input " + dims_str(x.dims));
    if (x.padded()) return unmapped(n, "Pad in front of a global pool");
    const Shape in = window_input_shape(x.dims);
    Layer l;
    l.op = OpType::Pool;
    l.bias = false;
    if (n.op_type() == "GlobalMaxPool") {
      // A max window the size of the whole map.
      l.pool = PoolKind::Max;
      l.kernel_h = to_int(n, in.h, "kernel"), l.kernel_w = to_int(n, in.w, "kernel");
      l.padding = Padding::Valid;
    } else {
      l.pool = PoolKind::GlobalAverage;
    }
    l.inputs = {view_as(n, n.input(0), in)};
    emit(n, std::move(l), {in.n, 1, 1, in.c});
  }

  // Reductions. ReduceMean over H and W of an image is a global average pool
  // (TF exports); any other reduction over contiguous axes is an IR reduce
  // layer: over the IR dimensions the axes map to, or else on the view
  // {1, before, after, reduced} with the reduced axes as channels.
  void reduce(const onnx::NodeProto& n) {
    const Tensor& x = tensor(n, n.input(0));
    if (x.constant) return unmapped(n, "reduction of a constant");
    const int64_t rank = int64_t(x.dims.size());
    Dims axes = attr_ints(n, "axes", {});
    if (axes.empty() && n.input_size() > 1 && !n.input(1).empty()) {
      const Tensor& a = tensor(n, n.input(1));
      if (!a.values) return unmapped(n, "axes computed at run time");
      for (double v : *a.values) axes.push_back(int64_t(v));
    }
    const bool arg = n.op_type() == "ArgMax" || n.op_type() == "ArgMin";
    if (arg) axes = {attr_i(n, "axis", 0)};
    if (axes.empty()) {
      if (attr_i(n, "noop_with_empty_axes", 0) != 0) {
        record(n, report_.skipped, "skipped", "", "no axes: identity");
        return alias(n, n.input(0), out_dims(n));
      }
      for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
    }
    for (auto& a : axes) {
      if (a < 0) a += rank;
      if (a < 0 || a >= rank) fail(n, "axis out of range for input " + dims_str(x.dims));
    }
    std::sort(axes.begin(), axes.end());
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    if (x.padded()) return unmapped(n, "Pad in front of a reduction");
    if (n.op_type() == "ReduceMean" && rank == 4 && axes == Dims{2, 3}) {
      const Shape in = window_input_shape(x.dims);
      Layer l;
      l.op = OpType::Pool;
      l.pool = PoolKind::GlobalAverage;
      l.bias = false;
      l.inputs = {view_as(n, n.input(0), in)};
      return emit(n, std::move(l), {in.n, 1, 1, in.c});  // keepdims=0 ([N,C]) has the same elements
    }
    Layer l;
    l.op = OpType::Reduce;
    l.bias = false;
    Shape in = to_ir(x.dims);
    // Which IR dimension each ONNX axis is (to_ir's arrangement); -1 = N.
    auto ir_axis = [&](int64_t a) -> int {
      switch (rank) {
        case 1: return 3;
        case 2: return a == 1 ? 3 : -1;
        case 3: return a == 2 ? 3 : a == 1 ? 2 : -1;
        default: return a == rank - 3 ? 3 : a == rank - 2 ? 1 : a == rank - 1 ? 2 : -1;
      }
    };
    bool natural = true;
    for (int64_t a : axes) {
      const int d = ir_axis(a);
      if (d < 0 && x.dims[size_t(a)] != 1) natural = false;
      if (d == 1) l.reduce_h = true;
      if (d == 2) l.reduce_w = true;
      if (d == 3) l.reduce_c = true;
    }
    if (!natural || (!l.reduce_h && !l.reduce_w && !l.reduce_c)) {
      if (axes.back() - axes.front() + 1 != int64_t(axes.size())) {
        return unmapped(n, "reduction over non-contiguous axes of " + dims_str(x.dims));
      }
      const size_t first = size_t(axes.front()), last = size_t(axes.back()) + 1;
      in = {1, product(x.dims, 0, first), product(x.dims, last), product(x.dims, first, last)};
      l.reduce_h = l.reduce_w = false;
      l.reduce_c = true;
    }
    const Shape out{in.n, l.reduce_h ? 1 : in.h, l.reduce_w ? 1 : in.w, l.reduce_c ? 1 : in.c};
    l.inputs = {view_as(n, n.input(0), in)};
    emit(n, std::move(l), out);
  }

  // An element-wise node as an IR elementwise layer: its activation inputs
  // (constants are operands the layer holds) broadcast to the output, `ops`
  // vector operations per output element. False if the shapes do not fit
  // (a constant that enlarges the output, broadcasting across folded dims).
  bool try_elementwise(const onnx::NodeProto& n, int ops) {
    const Dims od = out_dims(n);
    const Shape out = to_ir(od);
    const auto acts = activations(n);
    if (acts.empty()) return false;
    std::vector<Shape> views;
    Shape bc{1, 1, 1, 1};
    for (const auto& a : acts) {
      const Tensor& t = tensors_.at(a);
      if (t.padded() || t.dims.size() > od.size()) return false;
      Dims d(od.size() - t.dims.size(), 1);
      d.insert(d.end(), t.dims.begin(), t.dims.end());
      const Shape s = to_ir(d);
      auto fits = [](int64_t x, int64_t o) { return x == 1 || x == o; };
      if (!fits(s.n, out.n) || !fits(s.h, out.h) || !fits(s.w, out.w) || !fits(s.c, out.c)) return false;
      bc = {std::max(bc.n, s.n), std::max(bc.h, s.h), std::max(bc.w, s.w), std::max(bc.c, s.c)};
      views.push_back(s);
    }
    if (!(bc == out)) return false;
    Layer l;
    l.op = OpType::Elementwise;
    l.ops = ops;
    l.bias = false;
    for (size_t i = 0; i < acts.size(); ++i) l.inputs.push_back(view_as(n, acts[i], views[i]));
    emit(n, std::move(l), out);
    return true;
  }

  // Element-wise operators with no fused form: one vector op per output element.
  void elementwise(const onnx::NodeProto& n) {
    if (!try_elementwise(n, 1)) unmapped(n, "operands that do not broadcast to the output in the IR's layout");
  }

  // Element-wise op with one constant operand: a bias add folds into a
  // layer without bias, any other (scale, shift) into its batch-norm slot.
  void fold_affine(const onnx::NodeProto& n, const std::string& act, const std::string& cst) {
    auto target = fold_target(act);
    const bool additive = n.op_type() == "Add" || n.op_type() == "Sub";
    if (!target) {
      if (try_elementwise(n, 1)) return;
      return unmapped(n, "constant operand applied to a network input");
    }
    Layer& l = net_.layers[*target];
    const Tensor& c = tensors_.at(cst);
    const bool has_out_channels = l.op == OpType::Conv || l.op == OpType::ConvTranspose ||
                                  l.op == OpType::FullyConnected;
    // Folding needs the layer's epilogue free and the op to apply after it
    // (an activation already folded runs first: the affine op cannot).
    const bool after_act = l.activation != Activation::None;
    if (additive && has_out_channels && !l.bias && !after_act && product(c.dims) == l.out_channels) {
      l.bias = true;
    } else if (op_def(l.op).epilogue && !l.batch_norm && !after_act) {
      l.batch_norm = true;
    } else {
      // Its own layer: one vector op per element (decomposed norms, hard-swish, ...).
      if (try_elementwise(n, 1)) return;
      return unmapped(n, "layer '" + l.name + "' already has a folded scale and bias");
    }
    record(n, report_.folded, "folded", to_string(l.op), "layer '" + l.name + "' (" + (l.batch_norm ? "scale and shift" : "bias") + ")");
    alias(n, act, out_dims(n));
  }

  void eltwise(const onnx::NodeProto& n) {
    if (n.input_size() != 2) fail(n, "expects 2 inputs, got " + std::to_string(n.input_size()));
    const Tensor& a = tensor(n, n.input(0));
    const Tensor& b = tensor(n, n.input(1));
    const Dims od = out_dims(n);
    if (a.constant != b.constant) {
      const std::string& act = a.constant ? n.input(1) : n.input(0);
      const std::string& cst = a.constant ? n.input(0) : n.input(1);
      if (product(tensors_.at(act).dims) != product(od)) return elementwise(n);
      return fold_affine(n, act, cst);
    }
    const bool mul = n.op_type() == "Mul" || n.op_type() == "Div";
    const Shape full = to_ir(od);
    bool is_gate[2] = {false, false};
    for (int i = 0; i < 2; ++i) {
      const Tensor& t = tensors_.at(n.input(i));
      if (t.padded()) return unmapped(n, "Pad in front of an element-wise op");
      if (product(t.dims) == product(od)) continue;  // same elements: a view at most
      // Squeeze-excite gate: [N,C,1,1] (or [C,1,1]) times [N,C,H,W].
      Dims g = t.dims;
      while (g.size() < od.size()) g.insert(g.begin(), 1);
      const bool gate = mul && od.size() == 4 && g[0] == od[0] && g[1] == od[1] && g[2] == 1 && g[3] == 1;
      if (!gate) {
        if (try_elementwise(n, 1)) return;
        return unmapped(n, "broadcast of " + dims_str(t.dims) + " to " + dims_str(od));
      }
      is_gate[i] = true;
    }
    Layer l;
    l.op = mul ? OpType::Mul : OpType::Add;
    l.bias = false;
    for (int i = 0; i < 2; ++i) {
      l.inputs.push_back(view_as(n, n.input(i), is_gate[i] ? Shape{full.n, 1, 1, full.c} : full));
    }
    emit(n, std::move(l), full);
  }

  void sum(const onnx::NodeProto& n) {
    const Dims od = out_dims(n);
    const auto acts = activations(n);
    if (acts.size() != size_t(n.input_size())) return unmapped(n, "constant operand in Sum");
    if (acts.size() == 1) {
      record(n, report_.skipped, "skipped", "", "one operand: identity");
      return alias(n, acts[0], od);
    }
    Layer l;
    l.op = OpType::Add;
    l.bias = false;
    const Shape full = to_ir(od);
    for (const auto& in : acts) {
      const Tensor& t = tensors_.at(in);
      if (t.padded() || product(t.dims) != product(od)) return unmapped(n, "broadcasting Sum");
    }
    for (const auto& in : acts) l.inputs.push_back(view_as(n, in, full));
    emit(n, std::move(l), full);
  }

  void concat(const onnx::NodeProto& n) {
    const Dims od = out_dims(n);
    const auto acts = activations(n);
    if (acts.size() != size_t(n.input_size())) return unmapped(n, "constant operand in Concat");
    int64_t axis = attr_i(n, "axis", 1);
    if (axis < 0) axis += int64_t(od.size());
    if (axis < 0 || axis >= int64_t(od.size())) fail(n, "axis out of range for output " + dims_str(od));
    for (const auto& in : acts) {
      if (tensors_.at(in).padded()) return unmapped(n, "Pad in front of Concat");
      if (tensors_.at(in).dims.size() != od.size()) fail(n, "input '" + in + "' rank differs from the output's");
    }
    // Channel concatenation when the axis is the IR's channel axis;
    // otherwise the same data movement through views {1,1,before,axis*after}.
    const bool channels = (od.size() >= 4 && axis == int64_t(od.size()) - 3) ||
                          (od.size() <= 3 && axis == int64_t(od.size()) - 1);
    const int64_t before = product(od, 0, size_t(axis)), after = product(od, size_t(axis) + 1);
    Layer l;
    l.op = OpType::Concat;
    l.bias = false;
    for (const auto& in : acts) {
      const Dims& d = tensors_.at(in).dims;
      l.inputs.push_back(view_as(n, in, channels ? to_ir(d) : Shape{1, 1, before, d[size_t(axis)] * after}));
    }
    emit(n, std::move(l), channels ? to_ir(od) : Shape{1, 1, before, od[size_t(axis)] * after});
  }

  void resize(const onnx::NodeProto& n) {
    const Tensor& x = tensor(n, n.input(0));
    const Dims od = out_dims(n);
    const bool image = x.dims.size() == 4 && !x.padded();
    const int64_t sh = image ? od[2] / x.dims[2] : 0, sw = image ? od[3] / x.dims[3] : 0;
    if (!image || od[0] != x.dims[0] || od[1] != x.dims[1] || sh * x.dims[2] != od[2] ||
        sw * x.dims[3] != od[3] || sh != sw || sh < 1) {
      // Other factors: the data movement, with the interpolation arithmetic
      // (about one op per output element) not counted.
      warn(node_label(n) + ": scale " + dims_str(x.dims) + " -> " + dims_str(od) +
           " is not one integer factor on H and W; mapped as a copy, its interpolation not counted");
      return data_movement(n);
    }
    Layer l;
    l.op = OpType::Resize;
    l.scale = to_int(n, sh, "scale");
    l.bias = false;
    l.inputs = {view_as(n, n.input(0), window_input_shape(x.dims))};
    emit(n, std::move(l), window_output_shape(od));
  }

  void normalization(const onnx::NodeProto& n) {
    const auto acts = activations(n);
    if (acts.empty()) fail(n, "has no activation input");
    auto target = fold_target(acts[0]);
    // Statistics and scale / shift per element when it cannot fold: batch
    // norm 2 ops, the others (mean, variance, normalize, scale, shift) 7.
    const int ops = n.op_type() == "BatchNormalization" ? 2 : 7;
    if (!target) {
      if (try_elementwise(n, ops)) return;
      return unmapped(n, "normalization of a network input");
    }
    Layer& l = net_.layers[*target];
    if (l.batch_norm || l.activation != Activation::None || !op_def(l.op).epilogue) {
      if (try_elementwise(n, ops)) return;
      return unmapped(n, "layer '" + l.name + "' already has a folded normalization");
    }
    l.batch_norm = true;
    record(n, report_.folded, "folded", to_string(l.op), "layer '" + l.name + "' (normalization)");
    alias(n, acts[0], out_dims(n));
  }

  // Pad folds into the pads of the Conv / pooling that reads it.
  void pad(const onnx::NodeProto& n) {
    const Tensor& x = tensor(n, n.input(0));
    const std::string mode = attr_s(n, "mode", "constant");
    Dims pads = attr_ints(n, "pads", {});
    if (n.input_size() > 1 && !n.input(1).empty()) {
      const Tensor& p = tensor(n, n.input(1));
      pads.clear();
      if (p.values) for (double v : *p.values) pads.push_back(int64_t(v));
    }
    bool consumers_ok = !graph_outputs_.count(n.output(0));
    for (int c : consumers_[n.output(0)]) {
      const std::string& t = model_.graph().node(c).op_type();
      if (t != "Conv" && t != "MaxPool" && t != "AveragePool") consumers_ok = false;
    }
    const bool spatial_only = x.dims.size() == 4 && pads.size() == 8 && pads[0] == 0 && pads[1] == 0 &&
                              pads[4] == 0 && pads[5] == 0 &&
                              std::all_of(pads.begin(), pads.end(), [](int64_t v) { return v >= 0; });
    if (!consumers_ok || !spatial_only || x.padded()) {
      return data_movement(n);  // padding other than H/W zeros read by Conv / pooling: a copy
    }
    if (mode != "constant") warn(node_label(n) + ": " + mode + " padding counted as zero padding");
    alias(n, n.input(0), out_dims(n));
    Tensor& t = tensors_.at(n.output(0));
    t.dims = x.dims;  // consumers see the unpadded tensor plus pads
    t.pad_t = int(pads[2]), t.pad_l = int(pads[3]), t.pad_b = int(pads[6]), t.pad_r = int(pads[7]);
  }

  void view(const onnx::NodeProto& n) {
    const Tensor& x = tensor(n, n.input(0));
    const Dims od = out_dims(n);
    if (x.padded()) return unmapped(n, "view of a padded tensor");
    if (product(od) != product(x.dims)) fail(n, "output " + dims_str(od) + " has a different element count than input " + dims_str(x.dims));
    record(n, report_.skipped, "skipped", "", "view");
    alias(n, n.input(0), od);
    for (int k = 1; k < n.output_size(); ++k) {  // e.g. Dropout's mask: no work
      if (!n.output(k).empty()) tensors_[n.output(k)].constant = true;
    }
  }

  void activation(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    Activation act = Activation::Relu;
    std::string approx;  // non-empty: the IR has no exact equivalent
    if (op == "Relu") act = Activation::Relu;
    else if (op == "HardSigmoid") act = Activation::HardSigmoid;
    else if (op == "Sigmoid") act = Activation::Sigmoid;
    else if (op == "HardSwish") act = Activation::HardSwish;
    else if (op == "Softmax") act = Activation::Softmax;
    else if (op == "Gelu") act = Activation::Gelu;
    else if (op == "LogSoftmax") act = Activation::Softmax, approx = "softmax";
    else if (op == "Tanh") act = Activation::Sigmoid, approx = "sigmoid";
    else if (op == "Softplus" || op == "Mish") act = Activation::Swish, approx = "swish";
    else if (op == "Clip") {
      auto bound = [&](int input, const char* attr_name) -> std::optional<double> {
        if (opset_ < 11) {
          if (auto f = attr_f(n, attr_name)) return *f;
          return std::nullopt;
        }
        if (n.input_size() <= input || n.input(input).empty()) return std::nullopt;
        const Tensor& t = tensor(n, n.input(input));
        if (!t.values || t.values->empty()) return std::nullopt;
        return (*t.values)[0];
      };
      const auto lo = bound(1, "min"), hi = bound(2, "max");
      if (lo && *lo == 0 && hi && *hi == 6) act = Activation::Relu6;
      else if (lo && *lo == 0 && (!hi || std::isinf(*hi))) act = Activation::Relu;
      else act = Activation::Relu6, approx = "relu6";
    } else {
      act = Activation::Relu, approx = "relu";  // Relu family: LeakyRelu, PRelu, Elu, ...
    }
    const auto acts = activations(n);
    if (acts.empty()) fail(n, "has no activation input");
    if (!approx.empty()) {
      warn(node_label(n) + ": the IR has no " + op + "; folded as " + approx +
           " (same per-element cost)");
    }
    fold_activation(n, acts[0], act, op);
  }

  void fold_activation(const onnx::NodeProto& n, const std::string& input, Activation act,
                       const std::string& what) {
    auto target = fold_target(input);
    // An activation that cannot fold (on a network input, or a layer that
    // has one already) is a layer of its own, one vector op per element.
    auto own_layer = [&](const std::string& why) {
      // x * sigmoid(x): the skipped gate's work is this layer's second op.
      if (try_elementwise(n, what.rfind("x * ", 0) == 0 ? 2 : 1)) return;
      unmapped(n, why);
    };
    if (!target) return own_layer(what + " of a network input");
    Layer& l = net_.layers[*target];
    if (l.op == OpType::Copy) return own_layer("a copy has no arithmetic to fold into");
    if (l.activation != Activation::None) {
      return own_layer("layer '" + l.name + "' already has activation " + to_string(l.activation));
    }
    if (tensors_.at(input).padded()) return unmapped(n, "activation of a padded tensor");
    l.activation = act;
    record(n, report_.folded, "folded", to_string(l.op), "layer '" + l.name + "' (activation " + to_string(act) + ")");
    alias(n, input, out_dims(n));
  }

  // ---- finishing -----------------------------------------------------------

  void finish() {
    if (net_.layers.empty()) fail("no operator of the model maps to a layer (nothing to simulate)");
    if (opts_.strict && !report_.unmapped.empty()) {
      std::string list;
      for (const auto& r : report_.nodes) {
        if (r.action == "not mapped") list += (list.empty() ? "" : "; ") + ("node '" + r.node + "' (" + r.op + "): " + r.detail);
      }
      fail("--strict: " + std::to_string(report_.unmapped_total()) + " node(s) not mapped: " + list);
    }
    if (opts_.warnings) {
      for (const auto& note : report_.notes) *opts_.warnings << "note: " << path_ << ": " << note << "\n";
      if (!opts_.verbose && !report_.warnings.empty()) {
        *opts_.warnings << "warning: " << path_ << ": " << report_.warnings.size()
                        << " warning(s) (approximations, nodes not mapped); --verbose lists them\n";
      }
    }
    if (!report_.unmapped.empty() && opts_.warnings) {
      // One line with the totals after the per-node lines (the report has the map).
      std::string list;
      for (const auto& [op, count] : report_.unmapped) {
        list += (list.empty() ? "" : ", ") + op + " x" + std::to_string(count);
      }
      *opts_.warnings << "warning: " << path_ << ": NOT mapped: " << list
                      << " (their work is not counted)\n";
    }
    net_.name = opts_.name.empty() ? std::filesystem::path(path_).stem().string() : opts_.name;
    std::string producer = model_.producer_name();
    if (!model_.producer_version().empty()) producer += " " + model_.producer_version();
    net_.description = "imported from " + std::filesystem::path(path_).filename().string() +
                       " (ONNX opset " + std::to_string(opset_) +
                       (producer.empty() ? "" : ", " + producer) + ")";
    try {
      net_.infer_shapes();
    } catch (const WorkloadError& e) {
      fail(std::string("the mapped network is inconsistent: ") + e.what());
    }
    for (size_t i = 0; i < net_.layers.size(); ++i) {
      const Layer& l = net_.layers[i];
      if (!(l.output == expected_[i]) || l.output.elements() != onnx_elements_[i]) {
        fail(origin_[i] + ": mapped layer '" + l.name + "' gives " + to_string(l.output) +
             ", ONNX infers " + std::to_string(onnx_elements_[i]) + " elements (expected " +
             to_string(expected_[i]) + ")");
      }
    }
  }

  std::string path_;
  ImportOptions opts_;
  onnx::ModelProto model_;
  int64_t opset_ = 0;
  std::string inference_error_;
  std::unordered_map<const onnx::NodeProto*, std::string> node_names_;
  std::set<std::string> used_names_;
  std::unordered_map<std::string, Dims> shapes_;
  std::unordered_map<std::string, Tensor> tensors_;
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::unordered_set<std::string> graph_outputs_;
  std::set<std::string> input_names_;
  std::unordered_set<int> swish_gate_;
  std::unordered_map<int, std::pair<Activation, std::string>> swish_mul_;
  std::unordered_map<std::string, TensorRef> views_;
  Network net_;
  std::vector<Shape> expected_;
  std::vector<int64_t> onnx_elements_;
  std::vector<std::string> origin_;
  ImportReport report_;
};

}  // namespace

ImportResult import_onnx(const std::string& path, const ImportOptions& options) {
  return Importer(path, options).run();
}

}  // namespace apollo::workloads
