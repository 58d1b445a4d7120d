// Fingerprints of many simulations, to check that a change of the simulator
// leaves its results bit-identical (the fast paths of sim/ must):
//   apollo_sim_fingerprint [--designs N] [--seed S] > before.txt
//   (change, rebuild)
//   apollo_sim_fingerprint [--designs N] [--seed S] > after.txt
//   diff <(cut -d' ' -f1-5 before.txt) <(cut -d' ' -f1-5 after.txt)
// With --exact-events every simulation runs without fast paths: its
// fingerprints must equal those of the default run (the fast paths are exact).
// One line per simulation: the eight zoo networks on the three presets, then
// N random designs that compile (uniform over the design space, networks in
// turn). Columns: case, network, design, total cycles, fingerprint (FNV-1a
// over every per-layer statistic, pe_busy, core_busy and the per-PE peak
// memory), then the cost: process activations and milliseconds.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "models/space.hpp"
#include "sim/simulate.hpp"
#include "workloads/zoo.hpp"

namespace {

using namespace apollo;

struct Fingerprint {
  uint64_t hash = 0xcbf29ce484222325ULL;
  void add(int64_t v) { hash = (hash ^ static_cast<uint64_t>(v)) * 0x100000001b3ULL; }
  void add(double d) {
    int64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    add(bits);
  }
};

uint64_t fingerprint(const sim::SimResult& r) {
  Fingerprint f;
  for (const sim::LayerStats& l : r.layers) {
    using sim::Channel;
    for (int64_t v : {l.start_cycle, l.cycles, l.channel(Channel::Link).bytes, l.channel(Channel::Network).bytes,
                      l.channel(Channel::Link).busy_cycles, l.channel(Channel::Network).busy_cycles,
                      l.compute_busy_cycles, l.memory_stall_cycles, l.instruction_bytes,
                      l.core_bytes, l.tiles, static_cast<int64_t>(l.limiter)}) {
      f.add(v);
    }
    f.add(l.utilization);
  }
  for (double b : r.pe_busy) f.add(b);
  for (double b : r.core_busy) f.add(b);
  for (int64_t m : r.pe_peak_memory_bytes) f.add(m);
  return f.hash;
}

sim::SimOptions g_options;
std::string g_only;  // --only: run just this case

void run(const std::string& label, const workloads::Network& n, const models::ArchConfig& /*arch: program.arch*/,
         const models::Program& program, const std::string& design) {
  if (!g_only.empty() && label != g_only) return;
  const auto start = std::chrono::steady_clock::now();
  const sim::SimResult r = sim::simulate(n, program, g_options);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s %s %s %lld %016llx %lld %.2f\n", label.c_str(), n.name.c_str(), design.c_str(),
              static_cast<long long>(r.total_cycles), static_cast<unsigned long long>(fingerprint(r)),
              static_cast<long long>(r.events), ms);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description opts("Usage: apollo_sim_fingerprint [--designs N] [--seed S] [--exact-events]\n\nOptions");
  opts.add_options()("designs", po::value<int>()->default_value(200), "random designs that compile, after the presets")(
      "exact-events", "no fast paths (fast-forward, layer replay): every event simulated")(
      "only", po::value<std::string>(&g_only), "run only the case with this label (e.g. random13)")(
      "seed", po::value<uint64_t>()->default_value(1), "seed of the design sample")("help,h", "show this help");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "apollo_sim_fingerprint: %s\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::printf("%s", (std::ostringstream() << opts).str().c_str());
    return 0;
  }
  const int designs = vm["designs"].as<int>();
  g_options.exact_events = vm.count("exact-events") > 0;
  if (designs < 0) {
    std::fprintf(stderr, "apollo_sim_fingerprint: --designs must be >= 0\n");
    return 2;
  }
  try {
    std::vector<workloads::Network> networks;
    for (const auto& name : workloads::quick_zoo_names()) networks.push_back(workloads::load_workload(name));
    const models::TemplateConstants constants = models::load_template_constants(models::template_constants_path());
    for (const char* preset : {"edge_baseline", "small", "large"}) {
      const models::ArchConfig arch =
          models::load_arch(models::repo_path(std::string("configs/arch/") + preset + ".yaml"), constants);
      for (const auto& n : networks) {
        const models::CompileResult c = models::compile(n, arch);
        if (c.ok()) run(std::string("preset"), n, arch, c.program, preset);
      }
    }
    std::mt19937_64 rng(vm["seed"].as<uint64_t>());
    int done = 0;
    for (int64_t drawn = 0; done < designs && drawn < 100 * static_cast<int64_t>(designs) + 100; ++drawn) {
      const models::DesignIndices d = models::sample_uniform(rng);
      const models::ArchConfig arch = models::decode(d, constants);
      const workloads::Network& n = networks[static_cast<size_t>(drawn) % networks.size()];
      const models::CompileResult c = models::compile(n, arch);
      if (!c.ok()) continue;
      run("random" + std::to_string(done), n, arch, c.program, std::to_string(models::flat_index(d)));
      ++done;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "apollo_sim_fingerprint: %s\n", e.what());
    return 1;
  }
  return 0;
}
