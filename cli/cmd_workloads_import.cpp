// apollo workloads import FILE [--input-shape NAME=DIMS]... [-o net.yaml]:
// ONNX model or SCALE-Sim topology -> Apollo's YAML workload format, with a
// report of what was mapped, folded, skipped and NOT mapped: one line per
// operator type (every node with --verbose, all of it as JSON with --report).
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "workloads/import.hpp"
#include "workloads/yaml_io.hpp"

namespace po = boost::program_options;

namespace apollo::cli {
namespace {

nlohmann::json report_json(const std::string& file, const std::string& out, const workloads::Network& net,
                           const workloads::ImportReport& report) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : report.nodes) {
    nodes.push_back({{"node", n.node}, {"op", n.op}, {"action", n.action}, {"ir_op", n.ir_op}, {"detail", n.detail}});
  }
  return {{"file", file},
          {"output", out},
          {"network", net.name},
          {"layers", net.layers.size()},
          {"macs", net.total_macs()},
          {"weights", net.total_weights()},
          {"vector_ops", net.total_vector_ops()},
          {"mapped", report.mapped},
          {"folded", report.folded},
          {"skipped", report.skipped},
          {"unmapped", report.unmapped},
          {"inlined", report.inlined},
          {"notes", report.notes},
          {"warnings", report.warnings},
          {"nodes", nodes}};
}

}  // namespace

int run_workloads_import(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("file", po::value<std::string>()->required(),
                     "ONNX model (.onnx) or SCALE-Sim topology (.csv)")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "NAME=1x3x224x224: dimensions of an ONNX input, in the model's order (repeatable); "
      "required for dynamic dimensions other than a batch (which defaults to 1)")(
      "output,o", po::value<std::string>(), "write the YAML workload here (default: stdout)")(
      "name", po::value<std::string>(), "network name (default: the file name)")(
      "json", "print the import report as JSON (the YAML then needs -o)")(
      "report", po::value<std::string>(), "write the import report, with every node's mapping, as JSON to this file")(
      "verbose,v", "list every node and print every warning")(
      "strict", "a node whose work is not mapped is an error (exit 2)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse_options(args,
                     "workloads import FILE [--input-shape NAME=DIMS]... [-o net.yaml] [--json] [--report FILE.json] "
                     "[--verbose] [--strict]",
                     opts, pos, vm)) {
    return kOk;
  }
  const bool json = vm.count("json") > 0;
  const bool verbose = vm.count("verbose") > 0;
  if (json && !vm.count("output")) throw UsageError("--json prints the report; give -o for the YAML");

  workloads::ImportOptions options;
  if (vm.count("input-shape")) {
    for (const auto& spec : vm["input-shape"].as<std::vector<std::string>>()) {
      workloads::add_input_shape(options, spec);
    }
  }
  if (vm.count("name")) options.name = vm["name"].as<std::string>();
  options.warnings = &std::cerr;
  options.verbose = verbose;
  options.strict = vm.count("strict") > 0;
  const std::string file = vm["file"].as<std::string>();
  const auto result = workloads::import_file(file, options);
  const auto& net = result.network;
  const auto& report = result.report;
  const std::string out = vm.count("output") ? vm["output"].as<std::string>() : "";

  if (vm.count("report")) {
    const std::string path = vm["report"].as<std::string>();
    std::ofstream f(path);
    if (!f) throw workloads::WorkloadError(path + ": cannot open for writing");
    f << report_json(file, out, net, report).dump(2) << "\n";
    if (!f) throw workloads::WorkloadError(path + ": write failed");
  }
  if (out.empty()) {
    std::cout << workloads::network_to_yaml(net);
    return kOk;
  }
  workloads::save_network_yaml(net, out);
  if (json) {
    std::cout << report_json(file, out, net, report).dump(2) << "\n";
    return kOk;
  }
  std::cout << "imported " << file << " as '" << net.name << "': " << net.layers.size() << " layers, "
            << net.total_macs() << " MACs, " << net.total_weights() << " weights, " << net.total_vector_ops()
            << " vector ops\n"
            << workloads::summarize(report);
  if (verbose && !report.nodes.empty()) std::cout << "nodes:\n" << workloads::node_list(report);
  if (report.unmapped_total() > 0) {
    std::cout << report.unmapped_total()
              << " operator(s) NOT mapped: their work is missing from the workload (--verbose lists them)\n";
  }
  std::cout << "wrote " << out << "\n";
  return kOk;
}

}  // namespace apollo::cli
