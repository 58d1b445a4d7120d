// Design space: the value lists of docs/architecture.md section 2 (hard-coded here from
// the table, independently of models/space.cpp), encoding, sampling, neighbours.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/arch_io.hpp"
#include "models/space.hpp"

namespace apollo::models {
namespace {

// docs/architecture.md section 2, written out value by value.
const std::vector<std::pair<std::string, std::vector<int64_t>>> kTable = {
    {"pe_x", {1, 2, 4, 6, 8, 10, 12, 14, 16, 32}},
    {"pe_y", {1, 2, 4, 6, 8, 10, 12, 14, 16, 32}},
    {"simd_lanes", {4, 8, 16, 32, 64, 128, 256}},
    {"cores_per_pe", {1, 2, 4, 6, 8, 10, 12, 14, 16, 32}},
    {"parameter_memory", {262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216}},
    {"activation_memory",
     {4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4194304}},
    {"core_memory", {256, 512, 1024, 2048, 4096, 8192, 16384}},
    {"instruction_memory", {8192, 16384, 32768, 65536}},
    {"pe_memory", {2048, 4096, 8192, 16384, 32768}},
    {"io_bandwidth_gbps", {5, 10, 16, 20, 25, 30}},
};

TEST(Space, SizeIsTheDesignMdTotal) {
  EXPECT_EQ(space_size(), 452760000u);
  EXPECT_EQ(cardinalities(), (std::vector<int>{10, 10, 7, 10, 7, 11, 7, 4, 5, 6}));
}

TEST(Space, EveryValueListMatchesDesignMd) {
  const auto& params = space_parameters();
  ASSERT_EQ(params.size(), kTable.size());
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    EXPECT_EQ(params[i].name, kTable[i].first);
    EXPECT_EQ(params[i].values, kTable[i].second) << kTable[i].first;
    EXPECT_EQ(parameter_names()[i], kTable[i].first);
    // Names are the ArchConfig field names used by the YAML files.
    EXPECT_STREQ(arch_parameters()[i].name, kTable[i].first.c_str());
  }
}

TEST(Space, EncodeDecodeRoundTripForRandomPoints) {
  std::mt19937_64 rng(42);
  TemplateConstants constants;
  constants.clock_ghz = 0.8;
  for (int i = 0; i < 2000; ++i) {
    const DesignIndices d = sample_uniform(rng);
    const ArchConfig a = decode(d, constants);
    // decode puts exactly the table's values into the fields.
    for (std::size_t p = 0; p < kTable.size(); ++p) {
      EXPECT_EQ(arch_parameters()[p].get(a), static_cast<double>(kTable[p].second[d[p]]));
    }
    EXPECT_EQ(a.constants.clock_ghz, 0.8);
    EXPECT_EQ(encode(a), d);
    EXPECT_EQ(from_flat_index(flat_index(d)), d);
  }
}

TEST(Space, FlatIndexCoversTheRangeInMixedRadix) {
  EXPECT_EQ(flat_index(DesignIndices(10, 0)), 0u);
  EXPECT_EQ(from_flat_index(452759999u), (DesignIndices{9, 9, 6, 9, 6, 10, 6, 3, 4, 5}));
  // Last parameter is the least significant digit.
  EXPECT_EQ(flat_index({0, 0, 0, 0, 0, 0, 0, 0, 1, 0}), 6u);
  EXPECT_THROW(from_flat_index(452760000u), ConfigError);
}

TEST(Space, BaselineEncodesToItsGridPositions) {
  // 4, 4, 64, 4, 4 MiB, 1 MiB, 4 KiB, 32 KiB, 16 KiB, 16 GB/s
  EXPECT_EQ(encode(load_baseline_arch()), (DesignIndices{2, 2, 4, 2, 4, 8, 4, 2, 3, 2}));
}

TEST(Space, OffGridValueErrorNamesTheParameter) {
  ArchConfig a = load_baseline_arch();
  a.cores_per_pe = 3;
  try {
    encode(a);
    ADD_FAILURE() << "cores_per_pe = 3 encoded";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'cores_per_pe' = 3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1, 2, 4, 6"), std::string::npos) << msg;  // lists what is allowed
  }
  ArchConfig b = load_baseline_arch();
  b.io_bandwidth_gbps = 12.5;
  try {
    encode(b);
    ADD_FAILURE() << "io_bandwidth_gbps = 12.5 encoded";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'io_bandwidth_gbps' = 12.5"), std::string::npos) << e.what();
  }
}

TEST(Space, DecodeRejectsBadIndicesNamingTheParameter) {
  DesignIndices d(10, 0);
  d[7] = 4;  // instruction_memory has 4 values: 0..3
  try {
    decode(d);
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("instruction_memory"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decode(DesignIndices(9, 0)), ConfigError);
  EXPECT_THROW(decode(DesignIndices{0, 0, 0, 0, 0, 0, 0, 0, 0, -1}), ConfigError);
}

TEST(Space, NeighboursDifferInExactlyOneParameter) {
  // sum(card - 1) = 9 + 9 + 6 + 9 + 6 + 10 + 6 + 3 + 4 + 5 = 67
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20; ++i) {
    const DesignIndices d = sample_uniform(rng);
    const auto n = neighbours(d);
    EXPECT_EQ(n.size(), 67u);
    std::set<DesignIndices> unique(n.begin(), n.end());
    EXPECT_EQ(unique.size(), n.size());
    for (const auto& m : n) {
      int diff = 0;
      for (std::size_t p = 0; p < d.size(); ++p) diff += m[p] != d[p];
      EXPECT_EQ(diff, 1);
      EXPECT_NO_THROW(decode(m));
    }
  }
}

TEST(Space, SamplingIsSeededAndUniform) {
  std::mt19937_64 a(11), b(11), c(12);
  const auto da = sample_uniform(a);
  EXPECT_EQ(da, sample_uniform(b));
  bool differs = false;
  for (int i = 0; i < 10; ++i) differs |= sample_uniform(c) != sample_uniform(a);
  EXPECT_TRUE(differs);

  // Each value of activation_memory (11 values) drawn ~1/11 of the time:
  // 22000 draws, 2000 expected each, binomial sd ~43; allow 5 sd.
  std::mt19937_64 rng(5);
  std::vector<int> counts(11, 0);
  for (int i = 0; i < 22000; ++i) ++counts[sample_uniform(rng)[5]];
  for (int k = 0; k < 11; ++k) EXPECT_NEAR(counts[k], 2000, 215) << "value index " << k;
}

}  // namespace
}  // namespace apollo::models
