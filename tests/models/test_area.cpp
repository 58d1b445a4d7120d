// Area model: a hand-computed case, the technology file, sums, monotonicity,
// and the calibration window of docs/architecture.md section 2, "Area".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "models/arch_io.hpp"
#include "models/area.hpp"
#include "models/space.hpp"

namespace apollo::models {
namespace {

std::map<std::string, AreaItem> by_component(const AreaBreakdown& b) {
  std::map<std::string, AreaItem> m;
  for (const auto& item : b.items) m[item.component] = item;
  return m;
}

TEST(Area, HandComputedCaseWithRoundNumberTechnology) {
  Technology t;
  t.sram_bitcell_um2 = 1;
  t.sram_array_efficiency = 0.5;  // 2 um^2 per bit
  t.sram_macro_periphery_um2 = 100;
  t.sram_macro_max_bytes = 1000;
  t.mac_lane_um2 = 10;
  t.core_control_um2 = 20;
  t.lane_operand_um2 = 1;
  t.pe_control_um2 = 30;
  t.operand_bus_um2_per_byte_per_core = 0.25;
  t.network_um2_per_bit_per_pe = 0.5;
  t.controller_um2 = 1000;
  t.dma_um2 = 500;
  t.io_phy_fixed_um2 = 2000;
  t.io_phy_um2_per_gbps = 100;

  ArchConfig a;
  a.pe_x = 2;
  a.pe_y = 1;
  a.simd_lanes = 4;
  a.cores_per_pe = 3;
  a.parameter_memory = 2500;  // 3 macros
  a.activation_memory = 1000;
  a.core_memory = 100;
  a.instruction_memory = 10;
  a.pe_memory = 600;
  a.io_bandwidth_gbps = 5;
  a.constants.network_bytes_per_cycle = 8;  // 64 bits
  a.constants.pe_memory_bytes_per_cycle = 16;

  const auto m = by_component(area(a, t));
  // um^2 by hand: 2500*8*2 + 3*100 = 40300, and so on.
  EXPECT_NEAR(m.at("parameter_memory").mm2, 40300e-6, 1e-12);
  EXPECT_NEAR(m.at("activation_memory").mm2, 16100e-6, 1e-12);
  EXPECT_NEAR(m.at("instruction_memory").mm2, 260e-6, 1e-12);
  EXPECT_NEAR(m.at("pe_memory").mm2, 2 * 9700e-6, 1e-12);
  EXPECT_EQ(m.at("pe_memory").count, 2);
  EXPECT_NEAR(m.at("core_memory").mm2, 6 * 1700e-6, 1e-12);
  EXPECT_EQ(m.at("core_memory").count, 6);
  EXPECT_NEAR(m.at("mac_lanes").mm2, 240e-6, 1e-12);
  EXPECT_EQ(m.at("mac_lanes").count, 24);
  EXPECT_NEAR(m.at("core_control").mm2, 6 * (20 + 4 * 1) * 1e-6, 1e-12);  // 4 lanes each
  EXPECT_NEAR(m.at("pe_control").mm2, 60e-6, 1e-12);
  EXPECT_NEAR(m.at("pe_operand_bus").mm2, 2 * 0.25 * 16 * 3 * 1e-6, 1e-12);  // 16 B port to 3 cores
  EXPECT_NEAR(m.at("distribution_network").mm2, 64e-6, 1e-12);
  EXPECT_NEAR(m.at("controller").mm2, 1000e-6, 1e-12);
  EXPECT_NEAR(m.at("dma").mm2, 500e-6, 1e-12);
  EXPECT_NEAR(m.at("io_phy").mm2, 2500e-6, 1e-12);
  EXPECT_NEAR(area(a, t).total_mm2, (90744 + 24 + 24) * 1e-6, 1e-12);
  EXPECT_EQ(m.size(), 13u);
}

TEST(Area, MacroSplitAddsPeripheryPerMacro) {
  const Technology t;
  EXPECT_EQ(sram_area_mm2(0, t), 0.0);
  const double one = sram_area_mm2(32768, t);
  const double two = sram_area_mm2(32769, t);  // one byte more: a second macro
  EXPECT_NEAR(two - one, (8 * t.sram_bitcell_um2 / t.sram_array_efficiency + 2000) * 1e-6, 1e-12);
}

TEST(Area, TechnologyFileEqualsInCodeDefaults) {
  const Technology file = load_technology(default_technology_path());
  const Technology code{};
  EXPECT_EQ(file.node, code.node);
  for (const auto& f : technology_fields()) EXPECT_EQ(f.get(file), f.get(code)) << f.name;
}

TEST(Area, TechnologyFileErrorsNameFileAndKey) {
  const auto path = std::filesystem::temp_directory_path() / "apollo_test_tech.yaml";
  auto error_for = [&](const std::string& text) {
    std::ofstream(path) << text;
    try {
      load_technology(path.string());
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::ifstream in(default_technology_path());
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const std::string typo = error_for(good + "mac_lane_area: 3\n");
  EXPECT_NE(typo.find(path.string()), std::string::npos) << typo;
  EXPECT_NE(typo.find("unknown key 'mac_lane_area'"), std::string::npos) << typo;
  const std::string eff = error_for("node: x\nsram_array_efficiency: 1.5\n");
  EXPECT_NE(eff.find("'sram_array_efficiency'"), std::string::npos) << eff;
  EXPECT_NE(eff.find("(0, 1]"), std::string::npos) << eff;
  const std::string missing = error_for("node: x\nsram_bitcell_um2: 0.1\n");
  EXPECT_NE(missing.find("missing key 'sram_array_efficiency'"), std::string::npos) << missing;
  std::filesystem::remove(path);
}

TEST(Area, ItemsSumToTheTotal) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200; ++i) {
    const AreaBreakdown b = area(decode(sample_uniform(rng)));
    double sum = 0;
    for (const auto& item : b.items) {
      EXPECT_GT(item.mm2, 0) << item.component;
      sum += item.mm2;
    }
    EXPECT_NEAR(sum, b.total_mm2, 1e-9 * b.total_mm2);
  }
}

TEST(Area, GrowsStrictlyWithEveryParameter) {
  // Every one of the ten parameters is a memory size, a count or the
  // bandwidth: stepping any of them up the grid must cost area.
  std::mt19937_64 rng(13);
  const auto card = cardinalities();
  for (int i = 0; i < 50; ++i) {
    const DesignIndices d = sample_uniform(rng);
    const double base = area(decode(d)).total_mm2;
    for (std::size_t p = 0; p < card.size(); ++p) {
      if (d[p] + 1 >= card[p]) continue;
      DesignIndices up = d;
      ++up[p];
      EXPECT_GT(area(decode(up)).total_mm2, base) << parameter_names()[p];
    }
  }
  // Off the grid too: one byte more of memory, 0.1 GB/s more bandwidth.
  const ArchConfig a = load_baseline_arch();
  const double base = area(a).total_mm2;
  for (auto bump : {+[](ArchConfig& c) { c.core_memory += 1; },
                    +[](ArchConfig& c) { c.pe_memory += 1; },
                    +[](ArchConfig& c) { c.parameter_memory += 1; },
                    +[](ArchConfig& c) { c.io_bandwidth_gbps += 0.1; },
                    +[](ArchConfig& c) { c.constants.network_bytes_per_cycle *= 2; }}) {
    ArchConfig b = a;
    bump(b);
    EXPECT_GT(area(b).total_mm2, base);
  }
}

TEST(Area, RefusesDesignsWhoseLaneCountWouldOverflow) {
  ArchConfig a;
  a.pe_x = a.pe_y = a.cores_per_pe = a.simd_lanes = 1000000;  // 1e24 lanes
  EXPECT_THROW(area(a), ConfigError);
}

TEST(Area, EdgeBaselineIsInsideTheCalibrationWindow) {
  const double total = area(load_baseline_arch()).total_mm2;
  EXPECT_GE(total, 5.5);
  EXPECT_LE(total, 7.0);
}

TEST(Area, SpaceSpansTheBudgets) {
  // Smallest design of the grid is far below the tightest budget (4.8 mm^2);
  // the largest is far above the loosest (6.8 mm^2).
  EXPECT_LT(area(decode(DesignIndices(10, 0))).total_mm2, 1.0);
  EXPECT_GT(area(decode({9, 9, 6, 9, 6, 10, 6, 3, 4, 5})).total_mm2, 100.0);
  EXPECT_LT(area(load_arch(repo_path("configs/arch/small.yaml"))).total_mm2, 4.8);
  EXPECT_GT(area(load_arch(repo_path("configs/arch/large.yaml"))).total_mm2, 6.8);
}

}  // namespace
}  // namespace apollo::models
