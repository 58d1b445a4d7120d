// Architecture files: template defaults, YAML round trip, every validation error.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "models/arch_io.hpp"

namespace apollo::models {
namespace {

const std::string kValid =
    "pe_x: 4\npe_y: 4\nsimd_lanes: 64\ncores_per_pe: 4\nparameter_memory: 4194304\n"
    "activation_memory: 1048576\ncore_memory: 4096\ninstruction_memory: 32768\n"
    "pe_memory: 16384\nio_bandwidth_gbps: 16\n";

// Replaces the line starting with `key:` in kValid by `replacement` ("" drops it).
std::string with_line(const std::string& key, const std::string& replacement) {
  std::string text = kValid;
  const auto at = text.find(key + ":");
  const auto end = text.find('\n', at);
  text.replace(at, end - at + 1, replacement.empty() ? "" : replacement + "\n");
  return text;
}

// The ConfigError message parse_arch raises for `text` (fails the test if none).
std::string error_of(const std::string& text, const std::string& source = "bad.yaml") {
  try {
    parse_arch(text, source);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return "";
}

TEST(ArchIo, TemplateFileEqualsInCodeDefaults) {
  const YAML::Node file = YAML::LoadFile(template_constants_path());
  // Every constant is written in the file (none silently inherits the code's value).
  for (const auto& f : template_constant_fields()) {
    EXPECT_TRUE(file[f.name]) << "configs/tech/template.yaml lacks " << f.name;
  }
  const TemplateConstants loaded = load_template_constants(template_constants_path());
  const TemplateConstants code{};
  EXPECT_EQ(loaded.clock_ghz, code.clock_ghz);
  EXPECT_EQ(loaded.data_bytes, code.data_bytes);
  EXPECT_EQ(loaded.accumulator_bytes, code.accumulator_bytes);
  EXPECT_EQ(loaded.network_bytes_per_cycle, code.network_bytes_per_cycle);
  EXPECT_EQ(loaded.dram_latency_cycles, code.dram_latency_cycles);
  EXPECT_EQ(loaded.instruction_bytes, code.instruction_bytes);
  EXPECT_EQ(loaded.core_pipeline_cycles, code.core_pipeline_cycles);
  EXPECT_EQ(loaded.pe_dispatch_cycles, code.pe_dispatch_cycles);
  EXPECT_EQ(loaded.network_multicast, code.network_multicast);
}

TEST(ArchIo, NetworkMulticastIsABooleanConstant) {
  const ArchConfig off = parse_arch(with_line("pe_y", "pe_y: 2") + "constants:\n  network_multicast: false\n", "a.yaml");
  EXPECT_FALSE(off.constants.network_multicast);
  EXPECT_NE(to_yaml(off).find("network_multicast: false"), std::string::npos) << to_yaml(off);
  EXPECT_FALSE(parse_arch(to_yaml(off), "round trip").constants.network_multicast);
  EXPECT_TRUE(parse_arch(with_line("pe_y", "pe_y: 2"), "a.yaml").constants.network_multicast);
  const std::string msg = error_of(with_line("pe_y", "pe_y: 2") + "constants:\n  network_multicast: 3\n", "a.yaml");
  EXPECT_NE(msg.find("network_multicast"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected true or false"), std::string::npos) << msg;
}

TEST(ArchIo, ParsesTheTenParametersAndConstantOverrides) {
  const ArchConfig a = parse_arch(
      with_line("pe_y", "pe_y: 2") + "constants:\n  clock_ghz: 0.8\n  network_bytes_per_cycle: 32\n",
      "inline.yaml");
  EXPECT_EQ(a.pe_x, 4);
  EXPECT_EQ(a.pe_y, 2);
  EXPECT_EQ(a.simd_lanes, 64);
  EXPECT_EQ(a.cores_per_pe, 4);
  EXPECT_EQ(a.parameter_memory, 4194304);
  EXPECT_EQ(a.activation_memory, 1048576);
  EXPECT_EQ(a.core_memory, 4096);
  EXPECT_EQ(a.instruction_memory, 32768);
  EXPECT_EQ(a.pe_memory, 16384);
  EXPECT_EQ(a.io_bandwidth_gbps, 16.0);
  EXPECT_EQ(a.constants.clock_ghz, 0.8);
  EXPECT_EQ(a.constants.network_bytes_per_cycle, 32);
  EXPECT_EQ(a.constants.dram_latency_cycles, 100);  // not overridden: template default
}

TEST(ArchIo, DefaultsArgumentSuppliesAbsentConstants) {
  TemplateConstants base;
  base.dram_latency_cycles = 250;
  const ArchConfig a = parse_arch(kValid + "constants:\n  clock_ghz: 2\n", "x.yaml", base);
  EXPECT_EQ(a.constants.dram_latency_cycles, 250);
  EXPECT_EQ(a.constants.clock_ghz, 2.0);
}

TEST(ArchIo, AnyPositiveValueIsAllowedOffTheGrid) {
  const ArchConfig a = parse_arch(with_line("pe_x", "pe_x: 3") , "x.yaml");
  EXPECT_EQ(a.pe_x, 3);
  const ArchConfig b = parse_arch(with_line("io_bandwidth_gbps", "io_bandwidth_gbps: 12.5"), "x.yaml");
  EXPECT_EQ(b.io_bandwidth_gbps, 12.5);
}

TEST(ArchIo, RoundTripThroughTextAndFileForRandomConfigs) {
  std::mt19937_64 rng(7);
  // Memory sizes up to 2^53 (the largest the files accept) must print as integers.
  std::uniform_int_distribution<int64_t> small(1, 64), bytes(1, int64_t{1} << 53);
  std::uniform_real_distribution<double> real(0.01, 100.0);
  const auto path = std::filesystem::temp_directory_path() / "apollo_test_arch_roundtrip.yaml";
  for (int i = 0; i < 50; ++i) {
    ArchConfig a;
    a.pe_x = small(rng);
    a.pe_y = small(rng);
    a.simd_lanes = small(rng);
    a.cores_per_pe = small(rng);
    a.parameter_memory = bytes(rng);
    a.activation_memory = bytes(rng);
    a.core_memory = bytes(rng);
    a.instruction_memory = bytes(rng);
    a.pe_memory = bytes(rng);
    a.io_bandwidth_gbps = real(rng);  // arbitrary doubles must survive exactly
    a.constants.clock_ghz = real(rng);
    a.constants.data_bytes = static_cast<int>(small(rng));
    a.constants.accumulator_bytes = static_cast<int>(small(rng));
    a.constants.network_bytes_per_cycle = static_cast<int>(small(rng));
    a.constants.dram_latency_cycles = static_cast<int>(small(rng));
    a.constants.instruction_bytes = static_cast<int>(small(rng));
    a.constants.core_pipeline_cycles = static_cast<int>(small(rng));
    a.constants.pe_dispatch_cycles = static_cast<int>(small(rng));
    a.constants.dram_burst_bytes = static_cast<int>(small(rng));
    a.constants.dram_efficiency = real(rng) / 100;  // (0, 1]
    a.constants.network_multicast = small(rng) % 2 == 0;

    save_arch(a, path.string());
    for (const ArchConfig& b : {parse_arch(to_yaml(a), "text"), load_arch(path.string())}) {
      for (const auto& f : arch_parameters()) EXPECT_EQ(f.get(a), f.get(b)) << f.name;
      for (const auto& f : template_constant_fields()) {
        EXPECT_EQ(f.get(a.constants), f.get(b.constants)) << f.name;
      }
    }
  }
  std::filesystem::remove(path);
}

TEST(ArchIo, NonPositiveValueNamesFileKeyLineAndValue) {
  const std::string msg = error_of(with_line("simd_lanes", "simd_lanes: -8"), "cfg/arch.yaml");
  EXPECT_NE(msg.find("cfg/arch.yaml:3"), std::string::npos) << msg;  // simd_lanes is line 3
  EXPECT_NE(msg.find("simd_lanes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-8"), std::string::npos) << msg;
  EXPECT_NE(msg.find("positive integer"), std::string::npos) << msg;

  const std::string zero = error_of(with_line("io_bandwidth_gbps", "io_bandwidth_gbps: 0"));
  EXPECT_NE(zero.find("io_bandwidth_gbps"), std::string::npos) << zero;
  EXPECT_NE(zero.find("positive"), std::string::npos) << zero;
}

TEST(ArchIo, NonIntegerAndNonNumericValuesAreRejected) {
  for (const char* bad : {"pe_memory: 4.5", "pe_memory: lots", "pe_memory: [1, 2]"}) {
    const std::string msg = error_of(with_line("pe_memory", bad));
    EXPECT_NE(msg.find("bad.yaml"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'pe_memory'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("positive integer"), std::string::npos) << msg;
  }
  const std::string inf = error_of(with_line("io_bandwidth_gbps", "io_bandwidth_gbps: .inf"));
  EXPECT_NE(inf.find("finite"), std::string::npos) << inf;
}

TEST(ArchIo, UnknownKeyIsATypoError) {
  const std::string msg = error_of(kValid + "cores_per_p: 4\n");
  EXPECT_NE(msg.find("bad.yaml:11"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'cores_per_p'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cores_per_pe"), std::string::npos) << msg;  // lists what is allowed
}

TEST(ArchIo, MissingKeyIsAnError) {
  const std::string msg = error_of(with_line("instruction_memory", ""));
  EXPECT_NE(msg.find("missing key 'instruction_memory'"), std::string::npos) << msg;
}

TEST(ArchIo, DuplicateKeyIsAnError) {
  const std::string msg = error_of(kValid + "pe_x: 8\n");
  EXPECT_NE(msg.find("'pe_x' appears twice"), std::string::npos) << msg;
}

TEST(ArchIo, ConstantErrorsNameTheConstant) {
  const std::string unknown = error_of(kValid + "constants:\n  clock_mhz: 800\n");
  EXPECT_NE(unknown.find("unknown key 'constants.clock_mhz'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("clock_ghz"), std::string::npos) << unknown;
  const std::string bad = error_of(kValid + "constants:\n  data_bytes: 0\n");
  EXPECT_NE(bad.find("'constants.data_bytes'"), std::string::npos) << bad;
  EXPECT_NE(bad.find("'0'"), std::string::npos) << bad;
  const std::string too_big = error_of(kValid + "constants:\n  data_bytes: 4294967296\n");
  EXPECT_NE(too_big.find("'constants.data_bytes'"), std::string::npos) << too_big;
  const std::string not_map = error_of(kValid + "constants: 5\n");
  EXPECT_NE(not_map.find("constants"), std::string::npos) << not_map;
}

// The DRAM efficiency is a share of the link's peak: (0, 1].
TEST(ArchIo, DramEfficiencyIsAShareOfThePeak) {
  EXPECT_EQ(parse_arch(kValid + "constants:\n  dram_efficiency: 1\n", "x.yaml").constants.dram_efficiency, 1.0);
  EXPECT_EQ(parse_arch(kValid + "constants:\n  dram_efficiency: 0.25\n", "x.yaml").link_bytes_per_cycle(), 4.0);
  for (const char* bad : {"0", "-0.5", "1.01", "2"}) {
    const std::string msg = error_of(kValid + "constants:\n  dram_efficiency: " + bad + "\n");
    EXPECT_NE(msg.find("'constants.dram_efficiency'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(0, 1]"), std::string::npos) << msg;
  }
  ArchConfig a;
  a.constants.dram_efficiency = 1.5;
  EXPECT_THROW(validate(a, "code"), ConfigError);
}

TEST(ArchIo, MalformedYamlAndWrongShapeAndMissingFile) {
  const std::string malformed = error_of("pe_x: [1, 2\n", "broken.yaml");
  EXPECT_NE(malformed.find("broken.yaml"), std::string::npos) << malformed;
  EXPECT_NE(malformed.find("malformed YAML"), std::string::npos) << malformed;
  const std::string complex_key = error_of(kValid + "[a, b]: 1\n", "key.yaml");
  EXPECT_NE(complex_key.find("key.yaml:11: a key must be a plain name"), std::string::npos)
      << complex_key;
  const std::string list = error_of("- 1\n- 2\n", "list.yaml");
  EXPECT_NE(list.find("list.yaml: expected a mapping"), std::string::npos) << list;
  try {
    load_arch("/nonexistent/dir/arch.yaml");
    ADD_FAILURE() << "no error for a missing file";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/arch.yaml: cannot open"),
              std::string::npos);
  }
}

TEST(ArchIo, ValidateNamesSourceKeyAndValue) {
  ArchConfig a;
  a.cores_per_pe = 0;
  try {
    validate(a, "mem.yaml");
    ADD_FAILURE() << "validate accepted cores_per_pe = 0";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "mem.yaml: key 'cores_per_pe': value 0 is not allowed: expected a positive integer "
                 "(at most 2^53)");
  }
  ArchConfig b;
  b.constants.clock_ghz = -1;
  EXPECT_THROW(validate(b), ConfigError);
  EXPECT_NO_THROW(validate(ArchConfig{}));
}

// The simulator's size limit is part of the one check: 128 x 128 PEs with
// 32 cores each is accepted, one PE or one core per PE more is not.
TEST(ArchIo, ValidateRefusesArraysBeyondTheSimulatorsLimit) {
  ArchConfig a;
  a.pe_x = a.pe_y = 128;
  a.cores_per_pe = 32;
  EXPECT_NO_THROW(validate(a));
  a.pe_x = 129;
  try {
    validate(a, "big.yaml");
    ADD_FAILURE() << "validate accepted 129 x 128 PEs";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("big.yaml: keys 'pe_x' x 'pe_y': 129 x 128 PEs is more than"),
              std::string::npos)
        << e.what();
  }
  a.pe_x = 128;
  a.cores_per_pe = 33;
  EXPECT_THROW(validate(a), ConfigError);
  a.pe_x = a.pe_y = int64_t{1} << 40;  // the product would overflow int64
  a.cores_per_pe = 1;
  EXPECT_THROW(validate(a), ConfigError);
}

TEST(ArchIo, PresetsLoadAndBaselineIsTheEdgeTpuLikeDesign) {
  for (const char* name : {"edge_baseline", "small", "large"}) {
    EXPECT_NO_THROW(load_arch(repo_path(std::string("configs/arch/") + name + ".yaml"))) << name;
  }
  const ArchConfig a = load_baseline_arch();
  // 4 x 4 PEs x 4 cores x 64 lanes = 4096 MACs/cycle, the Edge TPU's 64 x 64 array.
  EXPECT_EQ(a.peak_macs_per_cycle(), 4096);
  EXPECT_EQ(a.parameter_memory, 4 << 20);
  EXPECT_EQ(a.activation_memory, 1 << 20);
  EXPECT_EQ(a.io_bandwidth_gbps, 16.0);
}

}  // namespace
}  // namespace apollo::models
