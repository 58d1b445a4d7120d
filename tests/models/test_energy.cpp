// Energy model (models/energy.hpp): SRAM access energy by capacity, the
// per-design costs, a hand-computed report and the technology file.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "models/arch_io.hpp"
#include "models/energy.hpp"

namespace apollo::models {
namespace {

std::map<std::string, double> by_component(const EnergyReport& e) {
  std::map<std::string, double> m;
  for (const auto& item : e.items) m[item.component] = item.uj;
  return m;
}

TEST(Energy, SramAccessEnergyGrowsWithTheSquareRootOfTheMacro) {
  const Technology t;
  EXPECT_DOUBLE_EQ(sram_pj_per_byte(8192, false, t), t.sram_read_pj_per_byte);
  EXPECT_DOUBLE_EQ(sram_pj_per_byte(8192, true, t), t.sram_write_pj_per_byte);
  EXPECT_NEAR(sram_pj_per_byte(4 * 8192, false, t), 2 * t.sram_read_pj_per_byte, 1e-12);
  EXPECT_NEAR(sram_pj_per_byte(2048, false, t), 0.5 * t.sram_read_pj_per_byte, 1e-12);
  // Past the largest macro a memory is banks: an access touches one macro.
  const auto macro = static_cast<int64_t>(t.sram_macro_max_bytes);
  EXPECT_DOUBLE_EQ(sram_pj_per_byte(64 * macro, false, t), sram_pj_per_byte(macro, false, t));
  EXPECT_EQ(sram_pj_per_byte(0, false, t), 0);
}

TEST(Energy, HandComputedReportWithRoundNumberCosts) {
  ActionCosts c;
  c.mac_pj = 1;
  c.vector_op_pj = 0.5;
  c.core_read_pj = 2;
  c.core_write_pj = 3;
  c.pe_read_pj = 4;
  c.pe_write_pj = 5;
  c.activation_read_pj = 6;
  c.activation_write_pj = 7;
  c.parameter_read_pj = 8;
  c.instruction_read_pj = 9;
  c.instruction_write_pj = 10;
  c.network_pj_per_byte = 11;
  c.dram_pj_per_byte = 100;
  c.leakage_mw = 2;
  ActionCounts n;
  n.mac_ops = 1'000'000;       // 1 uJ
  n.vector_ops = 2'000'000;    // 1 uJ
  n.core_memory_read = 1'000'000;   // 2 uJ
  n.core_memory_write = 1'000'000;  // 3 uJ
  n.pe_memory_read = 250'000;       // 1 uJ
  n.pe_memory_write = 200'000;      // 1 uJ
  n.activation_memory_read = 500'000;   // 3 uJ
  n.activation_memory_write = 0;
  n.parameter_memory_read = 125'000;    // 1 uJ
  n.instruction_memory_read = 100'000;  // 0.9 uJ
  n.instruction_memory_write = 10'000;  // 0.1 uJ
  n.network_bytes = 100'000;            // 1.1 uJ
  n.dram_bytes = 10'000;                // 1 uJ
  const EnergyReport e = energy(c, n, 0.5);  // leakage 2 mW x 0.5 ms = 1 uJ; dynamic 16.1 uJ
  const auto m = by_component(e);
  EXPECT_DOUBLE_EQ(m.at("mac"), 1);
  EXPECT_DOUBLE_EQ(m.at("vector"), 1);
  EXPECT_DOUBLE_EQ(m.at("core_memory"), 5);
  EXPECT_DOUBLE_EQ(m.at("pe_memory"), 2);
  EXPECT_DOUBLE_EQ(m.at("activation_memory"), 3);
  EXPECT_DOUBLE_EQ(m.at("parameter_memory"), 1);
  EXPECT_DOUBLE_EQ(m.at("instruction_memory"), 1);
  EXPECT_DOUBLE_EQ(m.at("network"), 1.1);
  EXPECT_DOUBLE_EQ(m.at("dram"), 1);
  EXPECT_DOUBLE_EQ(m.at("leakage"), 1);
  EXPECT_NEAR(e.dynamic_uj, 16.1, 1e-9);
  EXPECT_NEAR(e.total_uj, 17.1, 1e-9);
  EXPECT_NEAR(e.average_power_mw, 17.1 / 0.5, 1e-9);
  // 2 x 1e6 + 2e6 = 4e6 ops in 17.1 uJ: 4e6 / 17.1e-6 J = 0.234 TOPS/W.
  EXPECT_NEAR(e.tops_per_watt, 4e6 / 17.1e-6 / 1e12, 1e-9);
  ASSERT_EQ(e.items.size(), energy_components().size());
  for (size_t i = 0; i < e.items.size(); ++i) EXPECT_EQ(e.items[i].component, energy_components()[i]);
}

TEST(Energy, CostsFollowTheDesign) {
  const Technology t;
  ArchConfig a = load_arch(repo_path("configs/arch/edge_baseline.yaml"));
  const ActionCosts base = action_costs(a, t);
  EXPECT_DOUBLE_EQ(base.core_read_pj, sram_pj_per_byte(a.core_memory, false, t));
  EXPECT_DOUBLE_EQ(base.mac_pj, t.mac_pj);
  // Leakage is the area's static power: between all-SRAM and all-logic rates.
  const double mm2 = area(a, t).total_mm2;
  EXPECT_GT(base.leakage_mw, mm2 * t.sram_leakage_mw_per_mm2);
  EXPECT_LT(base.leakage_mw, mm2 * t.logic_leakage_mw_per_mm2);
  // A larger array has longer routes from the controller.
  ArchConfig wide = a;
  wide.pe_x *= 2;
  wide.pe_y *= 2;
  EXPECT_GT(action_costs(wide, t).network_pj_per_byte, base.network_pj_per_byte);
  // A bigger core memory costs more per access.
  ArchConfig big = a;
  big.core_memory *= 4;
  EXPECT_GT(action_costs(big, t).core_read_pj, base.core_read_pj);
}

// The controller sits at the middle of the array's bottom edge. On a 1 x 1
// array the route is half a pitch (straight up to the PE's centre); on
// 2 x 2 it is 1.5 pitches (0.5 across and 1 up on average): 3x.
TEST(Energy, MeanRouteOverTheArray) {
  const Technology t;
  ArchConfig one = load_arch(repo_path("configs/arch/edge_baseline.yaml"));
  one.pe_x = one.pe_y = 1;
  ArchConfig four = one;
  four.pe_x = four.pe_y = 2;
  EXPECT_NEAR(action_costs(four, t).network_route_mm / action_costs(one, t).network_route_mm, 3.0, 1e-9);
}

}  // namespace
}  // namespace apollo::models
