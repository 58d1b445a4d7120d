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

TEST(SimMonotonicity, DoublingAParameterNeverSlowsTheQuickZoo) {
  for (const char* preset : {"small", "edge_baseline", "large"}) {
    const models::ArchConfig arch = models::load_arch(models::repo_path(std::string("configs/arch/") + preset + ".yaml"));
    for (const std::string& name : workloads::quick_zoo_names()) {
      const workloads::Network n = workloads::load_workload(name);
      const std::vector<Doubling> doublings = double_each_parameter(n, arch);
      ASSERT_EQ(doublings.size(), doubled_parameters().size()) << preset << " " << name;
      for (const Doubling& d : doublings) {
        EXPECT_GT(d.after, 0) << preset << " " << name << " " << d.parameter << " x2 does not compile";
        EXPECT_LE(d.change_percent(), 0.5) << preset << " " << name << " " << d.parameter << " x2: " << d.before
                                           << " -> " << d.after << " cycles; largest layer rise " << d.worst_layer;
      }
    }
  }
}

}  // namespace
}  // namespace apollo::sim
