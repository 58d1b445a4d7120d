// apollo workloads list | show NAME|FILE [--json | --yaml] | import (cmd_workloads_import.cpp).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "workloads/graph.hpp"
#include "workloads/yaml_io.hpp"
#include "workloads/zoo.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

int run_workloads_import(const std::vector<std::string>& args);  // cmd_workloads_import.cpp

namespace {

using workloads::Layer;
using workloads::Network;
using workloads::OpType;
using workloads::Shape;

// 300775552 -> "300,775,552": exact counts stay readable.
std::string grouped(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
  return v < 0 ? "-" + s : s;
}

// 300775552 -> "300.8 M", 3472041 -> "3.47 M" for summaries.
std::string short_count(int64_t v) {
  if (v >= 1'000'000'000) return fmt::format("{:.2f} G", double(v) / 1e9);
  if (v >= 10'000'000) return fmt::format("{:.1f} M", double(v) / 1e6);
  if (v >= 1'000'000) return fmt::format("{:.2f} M", double(v) / 1e6);
  if (v >= 1'000) return fmt::format("{:.1f} k", double(v) / 1e3);
  return std::to_string(v);
}

// Left-aligned text columns, right-aligned numeric ones (widths from content).
void print_table(const std::vector<std::string>& header, const std::vector<bool>& right,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string out;
    for (size_t c = 0; c < r.size(); ++c) {
      if (c) out += "  ";
      const std::string pad(width[c] - r[c].size(), ' ');
      const bool last = c + 1 == r.size();
      out += right[c] ? pad + r[c] : (last ? r[c] : r[c] + pad);
    }
    std::cout << out << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

bool has_window(const Layer& l) {
  return l.op == OpType::Conv || l.op == OpType::ConvTranspose ||
         (l.op == OpType::Pool && l.pool != workloads::PoolKind::GlobalAverage);
}

std::string op_label(const Layer& l) {
  std::string s = to_string(l.op);
  if (l.op == OpType::Conv && l.groups > 1 && !l.input_shapes.empty() &&
      l.groups == l.input_shapes[0].c) {
    s = "conv_dw";
  }
  if (l.op == OpType::Pool) s += std::string("_") + to_string(l.pool);
  return s;
}

std::string tensor_name(const Network& net, workloads::TensorRef r) {
  return workloads::is_graph_input(r) ? net.inputs.at(workloads::graph_input_number(r)).name
                                      : net.layers.at(r).name;
}

nlohmann::json shape_json(const Shape& s) { return {s.n, s.h, s.w, s.c}; }

nlohmann::json network_json(const Network& net) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& in : net.inputs) inputs.push_back({{"name", in.name}, {"shape", shape_json(in.shape)}});
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : net.layers) {
    nlohmann::json j = {{"name", l.name}, {"op", to_string(l.op)}};
    nlohmann::json ins = nlohmann::json::array(), shapes = nlohmann::json::array();
    for (auto r : l.inputs) ins.push_back(tensor_name(net, r));
    for (const auto& s : l.input_shapes) shapes.push_back(shape_json(s));
    j["inputs"] = ins;
    j["input_shapes"] = shapes;
    j["output_shape"] = shape_json(l.output);
    if (has_window(l)) {
      j["kernel"] = {l.kernel_h, l.kernel_w};
      j["stride"] = {l.stride_h, l.stride_w};
      j["dilation"] = {l.dilation_h, l.dilation_w};
      j["padding"] = to_string(l.padding);
      if (l.padding == workloads::Padding::Explicit) {
        j["pads"] = {l.pad_top, l.pad_bottom, l.pad_left, l.pad_right};
      }
    }
    if (l.op == OpType::Conv || l.op == OpType::ConvTranspose) j["groups"] = l.groups;
    if (l.op == OpType::Conv || l.op == OpType::ConvTranspose || l.op == OpType::FullyConnected) {
      j["out_channels"] = l.out_channels;
      j["bias"] = l.bias;
      j["batch_norm"] = l.batch_norm;
    }
    if (l.op == OpType::Pool) j["pool"] = to_string(l.pool);
    if (l.op == OpType::MatMul) j["matmul"] = {{"batch", l.batch}, {"m", l.m}, {"k", l.k}, {"n", l.n}};
    if (l.op == OpType::Resize) j["scale"] = l.scale;
    j["activation"] = to_string(l.activation);
    j["macs"] = l.macs();
    j["weights"] = l.weights();
    j["vector_ops"] = l.vector_ops();
    layers.push_back(j);
  }
  return {{"name", net.name},
          {"description", net.description},
          {"inputs", inputs},
          {"layers", layers},
          {"totals",
           {{"macs", net.total_macs()},
            {"weights", net.total_weights()},
            {"vector_ops", net.total_vector_ops()},
            {"layers", net.layers.size()}}}};
}

void print_network(const Network& net) {
  std::cout << net.name;
  if (!net.description.empty()) std::cout << ": " << net.description;
  std::cout << "\ninputs:";
  for (const auto& in : net.inputs) std::cout << " " << in.name << " " << to_string(in.shape);
  std::cout << " (NHWC)\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : net.layers) {
    std::string ins;
    for (const auto& s : l.input_shapes) ins += (ins.empty() ? "" : " + ") + to_string(s);
    std::string kernel = "-", stride = "-", groups = "-";
    if (has_window(l)) {
      kernel = fmt::format("{}x{}", l.kernel_h, l.kernel_w);
      if (l.dilation_h != 1 || l.dilation_w != 1) kernel += fmt::format(" d{}", l.dilation_h);
      stride = l.stride_h == l.stride_w ? std::to_string(l.stride_h)
                                        : fmt::format("{}x{}", l.stride_h, l.stride_w);
    }
    if (l.op == OpType::MatMul) kernel = fmt::format("k={}", l.k);
    if (l.op == OpType::Conv || l.op == OpType::ConvTranspose) groups = std::to_string(l.groups);
    rows.push_back({l.name, op_label(l), ins, to_string(l.output), kernel, stride, groups,
                    grouped(l.macs()), grouped(l.weights())});
  }
  print_table({"layer", "op", "input", "output", "kernel", "stride", "groups", "MACs", "weights"},
              {false, false, false, false, false, true, true, true, true}, rows);
  std::cout << fmt::format("\ntotal: {} layers, {} MACs ({}), {} weights ({}), {} vector ops\n",
                           net.layers.size(), grouped(net.total_macs()),
                           short_count(net.total_macs()), grouped(net.total_weights()),
                           short_count(net.total_weights()), grouped(net.total_vector_ops()));
}

int run_list(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("json", "machine-readable JSON");
  po::variables_map vm;
  if (!parse_options(args, "workloads list [--json]", opts, {}, vm)) return kOk;
  nlohmann::json list = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& name : workloads::zoo_names()) {
    const Network net = workloads::zoo_network(name);
    list.push_back({{"name", net.name},
                    {"description", net.description},
                    {"macs", net.total_macs()},
                    {"weights", net.total_weights()},
                    {"layers", net.layers.size()}});
    rows.push_back({net.name, short_count(net.total_macs()), short_count(net.total_weights()),
                    std::to_string(net.layers.size()), net.description});
  }
  if (vm.count("json")) {
    std::cout << nlohmann::json{{"networks", list}}.dump(2) << "\n";
    return kOk;
  }
  print_table({"name", "MACs", "params", "layers", "description"},
              {false, true, true, true, false}, rows);
  return kOk;
}

int run_show(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("workload", po::value<std::string>()->required(),
                     "built-in network name or workload file (.yaml)")(
      "json", "machine-readable JSON: per-layer objects and totals")(
      "yaml", "the network in Apollo's YAML workload format (a starting point to edit)");
  po::positional_options_description pos;
  pos.add("workload", 1);
  po::variables_map vm;
  if (!parse_options(args, "workloads show NAME|FILE [--json | --yaml]", opts, pos, vm)) {
    return kOk;
  }
  if (vm.count("json") && vm.count("yaml")) throw UsageError("--json and --yaml exclude each other");
  const Network net = workloads::load_workload(vm["workload"].as<std::string>());
  if (vm.count("yaml")) {
    std::cout << workloads::network_to_yaml(net);
  } else if (vm.count("json")) {
    std::cout << network_json(net).dump(2) << "\n";
  } else {
    print_network(net);
  }
  return kOk;
}

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>&);
};

// One row per subcommand; `apollo workloads --help` lists them in this order.
constexpr Subcommand kSubcommands[] = {
    {"list", "the built-in networks: MACs, parameters, layers, description", run_list},
    {"show", "one network (zoo name or file): per-layer table and totals", run_show},
    {"import", "ONNX model or SCALE-Sim topology -> YAML workload, with a mapping report",
     run_workloads_import},
};

void print_help(std::ostream& out) {
  out << "Usage: apollo workloads <subcommand> [options]\n"
         "       apollo workloads <subcommand> --help\n\nSubcommands:\n";
  for (const auto& s : kSubcommands) out << fmt::format("  {:<8} {}\n", s.name, s.summary);
  out << "\nA workload is a built-in network name (see `list`) or a .yaml/.yml file;\n"
         "an ONNX model (.onnx) or SCALE-Sim topology (.csv) is imported on the fly.\n";
}

}  // namespace

int run_workloads(const std::vector<std::string>& args) {
  if (args.empty()) {
    print_help(std::cerr);
    return kBadInput;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help(std::cout);
    return kOk;
  }
  for (const auto& s : kSubcommands) {
    if (args[0] == s.name) return s.run(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::string names;
  for (const auto& s : kSubcommands) names += (names.empty() ? "" : ", ") + std::string(s.name);
  throw UsageError("unknown subcommand '" + args[0] + "' (expected one of: " + names + ")");
}

}  // namespace apollo::cli
