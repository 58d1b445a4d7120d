// A larger design is never slower (issue 20, item 8): doubling any memory or
// the lanes of a preset must not raise a quick zoo network's simulated
// cycles by more than 0.5 %. The full zoo runs in bench/monotonicity.cpp
// (`build/apollo_monotonicity`); the README lists what remains and why.
#include <gtest/gtest.h>

#include "models/arch_io.hpp"
#include "sim/monotonicity.hpp"
#include "workloads/zoo.hpp"

namespace apollo::sim {
namespace {

// Rises above 0.5 % that remain, each explained in the README ("A larger
// design is not slower"), with the most they may reach.
struct KnownRise {
  const char* preset;
  const char* network;
  const char* parameter;
  double at_most_percent;
};
constexpr KnownRise kKnownRises[] = {
    // logits: one tile of the whole reduction per PE against two chunks; the
    // estimate rates them 0.3 % apart the other way (lock-step rounds).
    {"large", "mobilenet_v3_small", "pe_memory", 0.6},
};

double allowed_rise(const char* preset, const std::string& network, const std::string& parameter) {
  for (const KnownRise& k : kKnownRises)
    if (preset == std::string(k.preset) && network == k.network && parameter == k.parameter) return k.at_most_percent;
  return 0.5;
}

TEST(SimMonotonicity, DoublingAParameterNeverSlowsTheQuickZoo) {
  for (const char* preset : {"small", "edge_baseline", "large"}) {
    const models::ArchConfig arch = models::load_arch(models::repo_path(std::string("configs/arch/") + preset + ".yaml"));
    for (const std::string& name : workloads::quick_zoo_names()) {
      const workloads::Network n = workloads::load_workload(name);
      const std::vector<Doubling> doublings = double_each_parameter(n, arch);
      ASSERT_EQ(doublings.size(), doubled_parameters().size()) << preset << " " << name;
      for (const Doubling& d : doublings) {
        EXPECT_GT(d.after, 0) << preset << " " << name << " " << d.parameter << " x2 does not compile";
        EXPECT_LE(d.change_percent(), allowed_rise(preset, name, d.parameter)) << preset << " " << name << " " << d.parameter << " x2: " << d.before
                                           << " -> " << d.after << " cycles; largest layer rise " << d.worst_layer;
      }
    }
  }
}

}  // namespace
}  // namespace apollo::sim
