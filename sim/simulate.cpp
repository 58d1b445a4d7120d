// apollo::sim::simulate(): checks its inputs, elaborates the model
// (sim/model.hpp) in a fresh SystemC kernel, runs it, and returns what the
// statistics observer saw. The modules and how they fit are described in
// docs/architecture.md.
#include "sim/simulate.hpp"

#include <cstdio>
#include <limits>
#include <memory>
#include <stdexcept>

#include "models/arch_io.hpp"
#include "sim/action_counter.hpp"
#include "sim/kernel.hpp"
#include "sim/model.hpp"
#include "sim/run_stats.hpp"
#include "sim/trace.hpp"

// libsystemc.so carries main() and so needs an sc_main symbol to link.
// Apollo has its own main() (cli/main.cpp) and drives the kernel through
// sc_start() inside simulate(); this definition is never called. It lives in
// this translation unit because simulate() always pulls it into the link.
// Should libsystemc's main() ever win the link (a library order mistake),
// say so and fail instead of silently doing nothing.
int sc_main(int /*argc*/, char* /*argv*/[]) {
  std::fputs("apollo: libsystemc's main() was linked instead of the program's own main()\n", stderr);
  return 1;
}

namespace apollo::sim {
namespace {

// The architecture is checked by the one rule set (models::validate); the
// program against it and against the network.
void check_inputs(const workloads::Network& network, const models::Program& program) {
  const models::ArchConfig& arch = program.arch;
  models::validate(arch, "simulate: architecture");
  for (const auto& l : program.layers) {
    auto bad = [&](const std::string& what) {
      throw std::invalid_argument("simulate: program layer '" + l.layer_name + "': " + what);
    };
    if (!network.layers.empty() &&
        (l.layer_index < 0 || static_cast<size_t>(l.layer_index) >= network.layers.size() ||
         network.layers[static_cast<size_t>(l.layer_index)].name != l.layer_name)) {
      bad("does not match layer " + std::to_string(l.layer_index) + " of network '" + network.name + "'");
    }
    if (!l.pe_class.empty() && static_cast<int64_t>(l.pe_class.size()) != arch.num_pes()) {
      bad("pe_class has " + std::to_string(l.pe_class.size()) + " entries, the array has " +
          std::to_string(arch.num_pes()) + " PEs");
    }
    for (int cls : l.pe_class) {
      if (cls < -1 || cls >= static_cast<int>(l.work_classes.size())) bad("work class " + std::to_string(cls) + " does not exist");
    }
    if (l.groups < 0) bad("negative number of multicast groups");
    for (const auto* group : {&l.input_group, &l.weight_group}) {
      if (group->empty()) continue;
      if (group->size() != l.pe_class.size()) bad("a multicast group list does not have one entry per PE");
      for (size_t pe = 0; pe < group->size(); ++pe) {
        const int g = (*group)[pe];
        if (g < -1 || g >= l.groups) bad("multicast group " + std::to_string(g) + " does not exist");
        if (g >= 0 && l.pe_class[pe] < 0) bad("idle PE " + std::to_string(pe) + " in multicast group " + std::to_string(g));
      }
    }
    const auto members = l.group_members();
    for (size_t g = 0; g < members.size(); ++g) {
      const auto& m = members[g];
      if (m.size() < 2) bad("multicast group " + std::to_string(g) + " has fewer than two members");
      if (!l.input_group.empty() && !l.weight_group.empty()) {
        for (int32_t pe : m) {
          if (l.input_group[size_t(pe)] == int(g) && l.weight_group[size_t(pe)] == int(g)) {
            bad("multicast group " + std::to_string(g) + " is both an input and a weight group");
          }
        }
      }
      for (int32_t pe : m) {
        if (l.pe_class[size_t(pe)] != l.pe_class[size_t(m.front())]) {
          bad("multicast group " + std::to_string(g) + " mixes work classes (PEs " + std::to_string(m.front()) + " and " +
              std::to_string(pe) + ")");
        }
      }
    }
    if (l.instruction_reload_bytes < 0 || l.input_preload_bytes < 0) {
      bad("negative instruction_reload_bytes or input_preload_bytes");
    }
    if (l.input_preload_bytes > 0 && &l != &program.layers.front()) bad("input_preload_bytes on a layer other than the first");
    for (const auto& w : l.work_classes) {
      for (const auto& s : w.steps) {
        if (s.count < 0 || s.input_bytes < 0 || s.weight_bytes < 0 || s.output_bytes < 0 || s.ops_per_core < 0 ||
            s.port_bytes < 0 || s.core_bytes < 0) {
          bad("negative tile count, bytes or ops");
        }
        if (s.input_dram_bytes < 0 || s.input_dram_bytes > s.input_bytes) {
          bad("input_dram_bytes " + std::to_string(s.input_dram_bytes) + " outside 0.." + std::to_string(s.input_bytes));
        }
        if (s.active_cores > arch.cores_per_pe || (s.ops_per_core > 0 && s.active_cores < 1)) {
          bad("active_cores " + std::to_string(s.active_cores) + " outside 1.." + std::to_string(arch.cores_per_pe));
        }
        if (s.input_bytes + s.weight_bytes > std::numeric_limits<unsigned int>::max() ||
            s.output_bytes > std::numeric_limits<unsigned int>::max()) {
          bad("a tile moves more than 4 GiB");
        }
      }
    }
  }
}

}  // namespace

SimResult simulate(const workloads::Network& network, const models::Program& program, const SimOptions& options) {
  check_inputs(network, program);
  const models::ArchConfig& arch = program.arch;
  const bool tracing = !options.vcd_path.empty() || !options.timeline_path.empty();
  RunStats stats(arch);
  ActionCounter actions(arch, network);
  TraceRecorder trace;
  TraceObserver trace_observer(trace, arch);
  Observers observers;
  observers.add(stats);
  observers.add(actions);
  if (tracing) observers.add(trace_observer);
  int64_t activations = 0;
  {
    FreshKernel kernel;  // declared first: the model is destroyed while its kernel is current
    auto model = std::make_unique<Model>(program, observers, !tracing && !options.exact_events);
    sc_core::sc_start();
    if (!model->controller->finished()) {
      throw std::logic_error("simulate: the simulation stopped before the last layer finished");
    }
    activations = model->activations;
    if (!options.teardown) {
      (void)model.release();
      kernel.abandon();
    }
  }
  SimResult r = stats.result(activations);
  for (size_t i = 0; i < r.layers.size(); ++i) {
    r.layers[i].actions = actions.layers().at(i);
    r.actions += r.layers[i].actions;
  }
  const TraceGeometry geometry{arch.pe_x, arch.pe_y, arch.cores_per_pe, arch.constants.clock_ghz, r.total_cycles};
  if (!options.vcd_path.empty()) write_vcd(options.vcd_path, trace, geometry);
  if (!options.timeline_path.empty()) write_timeline(options.timeline_path, trace, geometry);
  return r;
}

}  // namespace apollo::sim
