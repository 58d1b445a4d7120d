// apollo workloads import FILE [--input-shape NAME=DIMS]... [-o net.yaml]:
// ONNX model or SCALE-Sim topology -> Apollo's YAML workload format, with a
// report of what was mapped, folded, skipped and NOT mapped.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "workloads/import.hpp"
#include "workloads/yaml_io.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

int run_workloads_import(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("file", po::value<std::string>()->required(),
                     "ONNX model (.onnx) or SCALE-Sim topology (.csv)")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "NAME=1x3x224x224: dimensions of an ONNX input, in the model's order (repeatable); "
      "required for dynamic dimensions")(
      "output,o", po::value<std::string>(), "write the YAML workload here (default: stdout)")(
      "name", po::value<std::string>(), "network name (default: the file name)")(
      "json", "print the import report as JSON (the YAML then needs -o)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse_options(args, "workloads import FILE [--input-shape NAME=DIMS]... [-o net.yaml] [--json]",
                     opts, pos, vm)) {
    return kOk;
  }
  const bool json = vm.count("json") > 0;
  if (json && !vm.count("output")) throw UsageError("--json prints the report; give -o for the YAML");

  workloads::ImportOptions options;
  if (vm.count("input-shape")) {
    for (const auto& spec : vm["input-shape"].as<std::vector<std::string>>()) {
      workloads::add_input_shape(options, spec);
    }
  }
  if (vm.count("name")) options.name = vm["name"].as<std::string>();
  options.warnings = &std::cerr;
  const std::string file = vm["file"].as<std::string>();
  const auto result = workloads::import_file(file, options);
  const auto& net = result.network;
  const auto& report = result.report;

  if (!vm.count("output")) {
    std::cout << workloads::network_to_yaml(net);
    return kOk;
  }
  const std::string out = vm["output"].as<std::string>();
  workloads::save_network_yaml(net, out);
  if (json) {
    nlohmann::json j = {{"file", file},
                        {"output", out},
                        {"network", net.name},
                        {"layers", net.layers.size()},
                        {"macs", net.total_macs()},
                        {"weights", net.total_weights()},
                        {"mapped", report.mapped},
                        {"folded", report.folded},
                        {"skipped", report.skipped},
                        {"unmapped", report.unmapped},
                        {"warnings", report.warnings}};
    std::cout << j.dump(2) << "\n";
    return kOk;
  }
  std::cout << "imported " << file << " as '" << net.name << "': " << net.layers.size()
            << " layers, " << net.total_macs() << " MACs, " << net.total_weights() << " weights\n"
            << workloads::summarize(report);
  if (report.unmapped_total() > 0) {
    std::cout << report.unmapped_total()
              << " operator(s) NOT mapped: their work is missing from the workload (see warnings)\n";
  }
  std::cout << "wrote " << out << "\n";
  return kOk;
}

}  // namespace apollo::cli
