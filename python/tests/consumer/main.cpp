// Compiles and simulates a zoo network on the installed baseline preset and
// prints "<total cycles> <area mm^2>" for the test to compare.
#include <cstdio>

#include "models/arch_io.hpp"
#include "models/area.hpp"
#include "models/compiler.hpp"
#include "sim/simulate.hpp"
#include "workloads/zoo.hpp"

int main(int argc, char** argv) {
  const char* workload = argc > 1 ? argv[1] : "mobilenet_v2";
  const auto arch = apollo::models::load_arch(std::string(APOLLO_DATA) + "/configs/arch/edge_baseline.yaml");
  const auto net = apollo::workloads::zoo_network(workload);
  const auto compiled = apollo::models::compile(net, arch);
  if (!compiled.ok()) {
    std::fprintf(stderr, "infeasible: %s\n", compiled.infeasible->message.c_str());
    return 3;
  }
  const auto result = apollo::sim::simulate(net, compiled.program);
  std::printf("%lld %.12g\n", static_cast<long long>(result.total_cycles), apollo::models::area(arch).total_mm2);
  return 0;
}
