// Does a larger design ever simulate slower? For every network on each
// preset, every memory and the lane count is doubled one at a time, the
// design is compiled and simulated, and the change of total cycles is
// printed (README, "Compiler and analytical bounds", monotonicity):
//   apollo_monotonicity [--quick] [--threshold PCT] [--preset NAME]...
// One line per doubling: preset, network, parameter, cycles before, after,
// change in percent, and RISE when the change is above the threshold
// (0.5 % by default); then the rises with their largest layer changes.
// Exit 1 when a rise exceeds the threshold.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "sim/monotonicity.hpp"
#include "sim/simulate.hpp"
#include "workloads/zoo.hpp"

int main(int argc, char** argv) {
  using namespace apollo;
  namespace po = boost::program_options;
  double threshold = 0.5;
  std::vector<std::string> presets;
  po::options_description opts("Usage: apollo_monotonicity [--quick] [--threshold PCT] [--preset NAME]...\n\nOptions");
  opts.add_options()("quick", "only workloads::quick_zoo_names() (as the unit test)")(
      "threshold", po::value<double>(&threshold)->default_value(0.5), "largest allowed rise, percent")(
      "preset", po::value<std::vector<std::string>>(&presets), "configs/arch/NAME.yaml (default: small, edge_baseline, large)")(
      "help,h", "show this help");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "apollo_monotonicity: %s\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::printf("%s", (std::ostringstream() << opts).str().c_str());
    return 0;
  }
  if (presets.empty()) presets = {"small", "edge_baseline", "large"};
  const std::vector<std::string> names = vm.count("quick") ? workloads::quick_zoo_names() : workloads::zoo_names();
  int rises = 0;
  try {
    for (const std::string& preset : presets) {
      const models::ArchConfig arch = models::load_arch(models::repo_path("configs/arch/" + preset + ".yaml"));
      for (const std::string& name : names) {
        const workloads::Network n = workloads::load_workload(name);
        for (const sim::Doubling& d : sim::double_each_parameter(n, arch)) {
          const bool rise = d.change_percent() > threshold;
          rises += rise ? 1 : 0;
          std::printf("%s %s %s %lld %lld %+.3f%%%s\n", preset.c_str(), name.c_str(), d.parameter.c_str(),
                      static_cast<long long>(d.before), static_cast<long long>(d.after), d.change_percent(),
                      rise ? " RISE" : "");
          if (rise) std::printf("  largest layer rise: %s\n", d.worst_layer.c_str());
          std::fflush(stdout);
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "apollo_monotonicity: %s\n", e.what());
    return 2;
  }
  std::printf("%d rise(s) above %.2f %%\n", rises, threshold);
  return rises > 0 ? 1 : 0;
}
