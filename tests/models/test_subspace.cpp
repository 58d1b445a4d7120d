// SubSpace: loading and validation of sub-space files, sizes computed by
// hand, the sub-index <-> full-index mapping, enumeration by flat index, and
// the stored (JSON) form.
#include "models/subspace.hpp"

#include <gtest/gtest.h>

#include <set>

#include "models/arch_io.hpp"

namespace apollo::models {
namespace {

// edge_baseline: pe_x 4, pe_y 4, simd 64, cores 4, param 4 MiB, act 1 MiB,
// core 4 KiB, instr 32 KiB, pe 16 KiB, io 16 GB/s.
const ArchConfig& baseline() {
  static const ArchConfig arch = load_baseline_arch();
  return arch;
}

const char* kSmall = R"(
parameters:
  pe_x: [2, 4]
  simd_lanes: [64, 16, 32]     # any order
)";

std::string error_of(const std::string& text) {
  try {
    parse_subspace(text, "space.yaml", baseline());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(SubSpace, WholeSpaceByDefault) {
  SubSpace all;
  EXPECT_EQ(all.size(), 452760000u);
  EXPECT_EQ(all.cardinalities(), cardinalities());
}

TEST(SubSpace, ListedValuesVaryOthersStayAtTheBaseline) {
  SubSpace s = parse_subspace(kSmall, "space.yaml", baseline());
  EXPECT_EQ(s.size(), 6u);  // 2 x 3
  EXPECT_EQ(s.cardinalities(), (std::vector<int>{2, 1, 3, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(s.varied_parameters(), (std::vector<std::string>{"pe_x", "simd_lanes"}));
  // Grid positions: pe_x {1,2,4,...}: 2 -> 1, 4 -> 2; simd {4,8,16,32,64}: 16 -> 2, 32 -> 3, 64 -> 4.
  EXPECT_EQ(s.allowed()[0], (std::vector<int>{1, 2}));
  EXPECT_EQ(s.allowed()[2], (std::vector<int>{2, 3, 4}));
  // Fixed: the baseline's pe_y 4 (index 2), io 16 GB/s (index 2), core memory 4096 = 2^12 (index 4).
  EXPECT_EQ(s.allowed()[1], (std::vector<int>{2}));
  EXPECT_EQ(s.allowed()[9], (std::vector<int>{2}));
  EXPECT_EQ(s.allowed()[6], (std::vector<int>{4}));
  EXPECT_EQ(s.allowed_values()[2], (std::vector<int64_t>{16, 32, 64}));
}

TEST(SubSpace, MapsSubIndicesToFullIndicesAndBack) {
  SubSpace s = parse_subspace(kSmall, "space.yaml", baseline());
  const std::vector<int> sub = {1, 0, 2, 0, 0, 0, 0, 0, 0, 0};  // pe_x 4, simd 64
  const DesignIndices full = s.to_full(sub);
  // That is the baseline itself.
  EXPECT_EQ(full, encode(baseline()));
  EXPECT_EQ(s.from_full(full), sub);
  ArchConfig a = s.decode(sub);
  EXPECT_EQ(a.pe_x, 4);
  EXPECT_EQ(a.simd_lanes, 64);
  // Outside: pe_x 8 is not allowed, nor is pe_y 2.
  DesignIndices out = full;
  out[0] = 4;
  EXPECT_FALSE(s.contains(out));
  out = full;
  out[1] = 1;
  EXPECT_FALSE(s.contains(out));
  EXPECT_THROW(s.to_full({2, 0, 0, 0, 0, 0, 0, 0, 0, 0}), ConfigError);
  EXPECT_THROW(s.to_full({0, 0}), ConfigError);
}

TEST(SubSpace, EnumeratesEveryDesignOnceInMixedRadixOrder) {
  SubSpace s = parse_subspace(kSmall, "space.yaml", baseline());
  // First parameter most significant: 0..2 vary simd with pe_x 2, 3..5 with pe_x 4.
  EXPECT_EQ(s.at(0)[0], 0);
  EXPECT_EQ(s.at(1), (std::vector<int>{0, 0, 1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.at(3), (std::vector<int>{1, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  std::set<DesignIndices> seen;
  for (uint64_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s.flat_index(s.at(i)), i);
    seen.insert(s.to_full(s.at(i)));
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_THROW(s.at(6), ConfigError);
}

TEST(SubSpace, JsonRoundTripAndInclusion) {
  SubSpace s = parse_subspace(kSmall, "space.yaml", baseline());
  SubSpace back = SubSpace::from_json(s.to_json());
  EXPECT_EQ(back, s);
  EXPECT_EQ(back.source(), "space.yaml");
  EXPECT_EQ(s.to_json()["parameters"]["simd_lanes"], (nlohmann::json{16, 32, 64}));
  SubSpace smaller = parse_subspace("parameters: {pe_x: [4], simd_lanes: [16, 64]}", "b.yaml", baseline());
  EXPECT_TRUE(s.includes(smaller));
  EXPECT_FALSE(smaller.includes(s));
  EXPECT_TRUE(SubSpace().includes(s));
  EXPECT_THROW(SubSpace::from_json(nlohmann::json{{"parameters", {{"pe_x", {3}}}}}), ConfigError);
}

TEST(SubSpace, RegretSpaceHasTheDocumentedSize) {
  SubSpace s = load_subspace(repo_path("configs/spaces/regret.yaml"), baseline());
  EXPECT_EQ(s.size(), 4u * 4 * 4 * 4 * 3 * 3 * 3 * 3);  // 20,736
  // Unlisted: instruction and PE memory, at the baseline's values.
  const DesignIndices base = encode(baseline());
  EXPECT_EQ(s.allowed()[7], (std::vector<int>{base[7]}));
  EXPECT_EQ(s.allowed()[8], (std::vector<int>{base[8]}));
}

TEST(SubSpace, ErrorsNameFileKeyAndAllowedValues) {
  std::string e = error_of("parameters:\n  pe_x: [3]\n");
  EXPECT_NE(e.find("space.yaml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("parameters.pe_x"), std::string::npos) << e;
  EXPECT_NE(e.find("allowed: 1, 2, 4, 6, 8, 10, 12, 14, 16, 32"), std::string::npos) << e;

  e = error_of("parameters:\n  pe_z: [2]\n");
  EXPECT_NE(e.find("unknown parameter 'parameters.pe_z'"), std::string::npos) << e;
  EXPECT_NE(e.find("io_bandwidth_gbps"), std::string::npos) << e;  // lists the parameters

  EXPECT_NE(error_of("parameters:\n  pe_x: []\n").find("non-empty list"), std::string::npos);
  EXPECT_NE(error_of("parameters:\n  pe_x: 4\n").find("non-empty list"), std::string::npos);
  EXPECT_NE(error_of("parameters:\n  pe_x: [4, 4]\n").find("listed twice"), std::string::npos);
  EXPECT_NE(error_of("parameters:\n  pe_x: [four]\n").find("not a number"), std::string::npos);
  EXPECT_NE(error_of("params:\n  pe_x: [4]\n").find("unknown key 'params'"), std::string::npos);
  EXPECT_NE(error_of("- pe_x\n").find("expected a mapping"), std::string::npos);
  EXPECT_NE(error_of("{}").find("missing key 'parameters'"), std::string::npos);
  EXPECT_NE(error_of("parameters: [1, 2]\n").find("expected a mapping"), std::string::npos);
  EXPECT_NE(error_of("parameters: {pe_x: [2\n").find("malformed YAML"), std::string::npos);
  try {
    load_subspace("no_such_space.yaml", baseline());
    FAIL();
  } catch (const ConfigError& err) {
    EXPECT_NE(std::string(err.what()).find("no_such_space.yaml"), std::string::npos);
  }
}

TEST(SubSpace, UnlistedParameterMustBeOnTheGridInTheBaseline) {
  ArchConfig odd = baseline();
  odd.pe_x = 3;  // allowed by `apollo simulate`, not on the grid
  try {
    parse_subspace("parameters: {simd_lanes: [16]}", "s.yaml", odd);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'pe_x' is not listed"), std::string::npos) << e.what();
  }
  // Listing it fixes that.
  EXPECT_EQ(parse_subspace("parameters: {simd_lanes: [16], pe_x: [2]}", "s.yaml", odd).size(), 1u);
}

}  // namespace
}  // namespace apollo::models
