// apollo estimate: compile a workload for an architecture and print the
// compiler's mapping and analytical bounds, without simulating.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "workloads/zoo.hpp"

namespace po = boost::program_options;

namespace apollo::cli {
namespace {

const char* partition_name(models::PartitionKind k) {
  switch (k) {
    case models::PartitionKind::OutputChannels: return "out-channels";
    case models::PartitionKind::SpatialRows: return "rows";
    case models::PartitionKind::SpatialCols: return "cols";
    case models::PartitionKind::InputChannels: return "in-channels";
    case models::PartitionKind::Elementwise: return "elementwise";
    case models::PartitionKind::None: return "none";
  }
  return "?";
}

// A layer with a zero bound (a reshape view) has no limiter.

// Bytes one layer's program moves, summed over its PEs.
struct LayerBytes {
  models::LayerProgram::Traffic traffic;
  int64_t tiles_max = 0;
  int pes_used = 0;
};

// The bound's limiter, "none" for a layer without work (a view).
const char* bound_limiter(const models::LayerBound& b) {
  return b.cycles() == 0 ? "none" : models::to_string(b.limiter());
}

LayerBytes layer_bytes(const models::LayerProgram& lp) {
  LayerBytes b;
  b.traffic = lp.traffic();
  for (int cls : lp.pe_class) {
    if (cls < 0) continue;
    ++b.pes_used;
    int64_t tiles = 0;
    for (const auto& s : lp.work_classes[size_t(cls)].steps) tiles += s.count;
    b.tiles_max = std::max(b.tiles_max, tiles);
  }
  return b;
}

std::string homes(const models::LayerProgram& lp, bool has_weights) {
  std::string s = std::string("in:") + (lp.input_in_dram ? "dram" : "act");
  if (has_weights) s += std::string(" w:") + (lp.weights_in_dram ? "dram" : "param");
  s += std::string(" out:") + (lp.output_in_dram ? "dram" : "act");
  return s;
}

}  // namespace

int run_estimate(const std::vector<std::string>& args) {
  std::string arch_path = models::baseline_arch_path();
  std::string workload;
  po::options_description options("Options");
  options.add_options()
      ("arch", po::value(&arch_path), "architecture YAML file (default: configs/arch/edge_baseline.yaml)")
      ("workload", po::value(&workload), "zoo network name or workload file (required)")
      ("json", "print JSON instead of tables");
  po::variables_map vm;
  if (!parse_options(args, "estimate --workload NAME|FILE [--arch FILE] [--json]", options, {}, vm)) return kOk;
  if (workload.empty()) throw UsageError("--workload is required (a zoo name or a workload file)");

  const models::ArchConfig arch = models::load_arch(arch_path);
  const workloads::Network net = workloads::load_workload(workload);
  const models::CompileResult result = models::compile(net, arch);
  const bool json = vm.count("json") > 0;

  if (!result.ok()) {
    const models::Infeasible& inf = *result.infeasible;
    if (json) {
      const nlohmann::json out = {{"workload", net.name},
                                  {"arch", arch_path},
                                  {"feasible", false},
                                  {"infeasible",
                                   {{"layer", inf.layer},
                                    {"memory", inf.memory},
                                    {"needed", inf.needed},
                                    {"available", inf.available},
                                    {"message", inf.message}}}};
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "infeasible: " << inf.message << "\n";
    }
    return kInfeasible;
  }

  const models::Program& prog = result.program;
  const models::LayerBound total = prog.network_bound();
  const int64_t bound_cycles = prog.bound_cycles();
  const models::LayerProgram::Traffic traffic = prog.traffic();  // every layer, multicast counted once
  int64_t instructions = 0;
  for (const auto& lp : prog.layers) instructions += lp.instructions;
  const double latency_ms = double(bound_cycles) / (arch.constants.clock_ghz * 1e6);

  if (json) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& lp : prog.layers) {
      const workloads::Layer& l = net.layers[size_t(lp.layer_index)];
      const LayerBytes b = layer_bytes(lp);
      nlohmann::json classes = nlohmann::json::array();
      for (size_t c = 0; c < lp.work_classes.size(); ++c) {
        nlohmann::json steps = nlohmann::json::array();
        for (const auto& s : lp.work_classes[c].steps) {
          steps.push_back({{"count", s.count},
                           {"input_bytes", s.input_bytes},
                           {"input_dram_bytes", s.input_dram_bytes},
                           {"weight_bytes", s.weight_bytes},
                           {"output_bytes", s.output_bytes},
                           {"ops_per_core", s.ops_per_core},
                           {"active_cores", s.active_cores}});
        }
        classes.push_back({{"pes", std::count(lp.pe_class.begin(), lp.pe_class.end(), int(c))}, {"steps", steps}});
      }
      layers.push_back({{"name", lp.layer_name},
                        {"op", workloads::to_string(l.op)},
                        {"partition", partition_name(lp.partition)},
                        {"detail", lp.partition_detail},
                        {"pes_used", b.pes_used},
                        {"double_buffered", lp.double_buffered},
                        {"work_classes", classes},
                        {"input_in_dram", lp.input_in_dram},
                        {"output_in_dram", lp.output_in_dram},
                        {"weights_resident", lp.weights_resident},
                        {"weights_in_dram", lp.weights_in_dram},
                        {"instructions", lp.instructions},
                        {"instruction_reload_bytes", lp.instruction_reload_bytes},
                        {"input_preload_bytes", lp.input_preload_bytes},
                        {"ops", lp.ops},
                        {"network_bytes", b.traffic.network},
                        {"link_bytes", b.traffic.link},
                        {"multicast_groups", lp.groups},
                        {"network_bytes_without_multicast", b.traffic.unicast_network},
                        {"link_bytes_without_multicast", b.traffic.unicast_link},
                        {"bound",
                         {{"compute_cycles", lp.bound.compute_cycles},
                          {"link_cycles", lp.bound.link_cycles},
                          {"network_cycles", lp.bound.network_cycles},
                          {"cycles", lp.bound.cycles()},
                          {"limiter", bound_limiter(lp.bound)}}}});
    }
    const nlohmann::json out = {
        {"workload", net.name},
        {"arch", arch_path},
        {"feasible", true},
        {"layers", layers},
        {"totals",
         {{"bound_cycles", bound_cycles},
          {"latency_ms", latency_ms},
          {"compute_cycles", total.compute_cycles},
          {"link_cycles", total.link_cycles},
          {"network_cycles", total.network_cycles},
          {"resident_weight_bytes", prog.resident_weight_bytes},
          {"streamed_weight_bytes", prog.streamed_weight_bytes},
          {"instructions", instructions},
          {"program_bytes", prog.program_bytes},
          {"network_bytes", traffic.network},
          {"network_bytes_without_multicast", traffic.unicast_network},
          {"link_bytes", traffic.link},
          {"link_bytes_without_multicast", traffic.unicast_link},
          {"instruction_chunks", prog.instruction_chunks}}}};
    std::cout << out.dump(2) << "\n";
    return kOk;
  }

  std::cout << fmt::format("Estimate of {} on {}\n", net.name, arch_path);
  std::cout << fmt::format(
      "{}x{} PEs x {} cores x {} lanes = {} MACs/cycle at {} GHz; link {:.3g} B/cycle, network {} B/cycle\n\n",
      arch.pe_x, arch.pe_y, arch.cores_per_pe, arch.simd_lanes, arch.peak_macs_per_cycle(), arch.constants.clock_ghz,
      arch.link_bytes_per_cycle(), arch.constants.network_bytes_per_cycle);
  std::cout << fmt::format("{:<28} {:<13} {:>4} {:>6} {:<24} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9}  {:<8}\n", "layer",
                           "partition", "PEs", "tiles", "homes", "net bytes", "link bytes", "compute", "link",
                           "network", "bound", "limiter");
  for (const auto& lp : prog.layers) {
    const workloads::Layer& l = net.layers[size_t(lp.layer_index)];
    const LayerBytes b = layer_bytes(lp);
    std::cout << fmt::format("{:<28} {:<13} {:>4} {:>6} {:<24} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9}  {:<8}\n",
                             lp.layer_name.substr(0, 28), partition_name(lp.partition), b.pes_used, b.tiles_max,
                             homes(lp, l.weights() > 0), b.traffic.network, b.traffic.link, lp.bound.compute_cycles,
                             lp.bound.link_cycles, lp.bound.network_cycles, lp.bound.cycles(),
                             bound_limiter(lp.bound));
    std::cout << fmt::format("    {}\n", lp.partition_detail);
  }
  std::cout << fmt::format("\nbound: {} cycles = {:.4f} ms at {} GHz (sums of terms: compute {}, link {}, network {})\n",
                           bound_cycles, latency_ms, arch.constants.clock_ghz, total.compute_cycles, total.link_cycles,
                           total.network_cycles);
  std::cout << fmt::format("network bytes: {} ({} without multicast); link bytes: {} ({} without multicast)\n",
                           traffic.network, traffic.unicast_network, traffic.link, traffic.unicast_link);
  int limiters[4] = {0, 0, 0, 0};
  for (const auto& lp : prog.layers)
    if (lp.bound.cycles() > 0) ++limiters[int(lp.bound.limiter())];
  std::cout << fmt::format("limiters: compute {} layers, link {}, network {}\n", limiters[0], limiters[1], limiters[2]);
  std::cout << fmt::format("weights: {} B resident in parameter memory ({} B), {} B streamed from DRAM per inference\n",
                           prog.resident_weight_bytes, arch.parameter_memory, prog.streamed_weight_bytes);
  std::cout << fmt::format("program: {} instructions, {} B, {} chunk(s) (instruction memory {} B){}\n", instructions,
                           prog.program_bytes, prog.instruction_chunks, arch.instruction_memory,
                           prog.instruction_chunks > 1 ? ", reloaded from DRAM every inference" : "");
  return kOk;
}

}  // namespace apollo::cli
