// Builds small ONNX models in memory for the importer tests (the same
// protobuf types an exporter writes), and saves them to temporary files.
#pragma once

#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace apollo::test {

class OnnxModel {
 public:
  explicit OnnxModel(int opset = 13) {
    model_.set_ir_version(8);
    model_.set_producer_name("apollo-tests");
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  // A float graph input; a negative dimension becomes the named symbol `sym`.
  void input(const std::string& name, const std::vector<int64_t>& dims, const std::string& sym = "N",
             int elem_type = onnx::TensorProto::FLOAT) {
    auto* v = model_.mutable_graph()->add_input();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    auto* s = t->mutable_shape();
    for (int64_t d : dims) {
      if (d < 0) s->add_dim()->set_dim_param(sym);
      else s->add_dim()->set_dim_value(d);
    }
  }

  void output(const std::string& name, int elem_type = onnx::TensorProto::FLOAT) {
    auto* v = model_.mutable_graph()->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(elem_type);
  }

  // Zero-filled float initializer (weights: only the shape matters here).
  void weight(const std::string& name, const std::vector<int64_t>& dims) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t count = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      count *= d;
    }
    t->set_raw_data(std::string(size_t(count) * 4, '\0'));
  }

  // Zero-filled integer initializer of an 8- or 32-bit type (quantized
  // weights, zero points; empty dims = a scalar).
  void quantized(const std::string& name, const std::vector<int64_t>& dims, int type) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    int64_t count = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      count *= d;
    }
    const size_t width = type == onnx::TensorProto::INT32 ? 4 : 1;
    t->set_raw_data(std::string(size_t(count) * width, '\0'));
  }

  void floats(const std::string& name, const std::vector<float>& values, std::vector<int64_t> dims = {}) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    if (dims.empty() && values.size() != 1) dims = {int64_t(values.size())};
    for (int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
  }

  void ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(int64_t(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
  }

  void scalar_int(const std::string& name, int64_t value) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_int64_data(value);
  }

  onnx::NodeProto& node(const std::string& op, std::initializer_list<std::string> inputs,
                        std::initializer_list<std::string> outputs, const std::string& name = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? (outputs.size() ? *outputs.begin() : op) : name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }

  static void attr(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnx::NodeProto& n, const std::string& name, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  static void attr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }

  std::string bytes() const { return model_.SerializeAsString(); }

  // Writes the model under the test temp directory; returns the path.
  std::string save(const std::string& file) const {
    // Per process: CTest runs tests (and other build trees) in parallel.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("apollo_onnx_tests_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = (dir / file).string();
    std::ofstream(path, std::ios::binary) << bytes();
    return path;
  }

  onnx::ModelProto& proto() { return model_; }

 private:
  onnx::ModelProto model_;
};

}  // namespace apollo::test
