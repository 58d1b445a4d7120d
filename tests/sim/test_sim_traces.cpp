// Traces: the VCD is well formed (declarations, one wire per PE and core,
// ordered time stamps) and the Perfetto/Chrome timeline is valid JSON; busy
// time read back from either file agrees with the reported utilization.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/compiler.hpp"
#include "sim/simulate.hpp"
#include "sim_fixtures.hpp"
#include "workloads/zoo.hpp"

namespace apollo::sim {
namespace {

using namespace apollo::sim::testing;

std::string temp_file(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / ("apollo_sim_" + name)).string();
}

struct Vcd {
  std::string timescale;
  std::map<std::string, std::string> names;     // code -> scope.name
  std::map<std::string, int64_t> busy_ticks;    // code -> ticks at 1
  int64_t last_time = 0;
};

// A small VCD reader: enough of IEEE 1364 section 18 for 1-bit wires.
Vcd read_vcd(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  Vcd vcd;
  std::vector<std::string> scope;
  std::string token;
  bool definitions = true;
  std::map<std::string, int64_t> rose;  // code -> time it went to 1
  int64_t now = 0;
  while (in >> token) {
    if (definitions) {
      if (token == "$timescale") {
        in >> vcd.timescale;
      } else if (token == "$scope") {
        std::string kind, name;
        in >> kind >> name;
        scope.push_back(name);
      } else if (token == "$upscope") {
        scope.pop_back();
      } else if (token == "$var") {
        std::string type, width, code, name;
        in >> type >> width >> code >> name;
        EXPECT_EQ(type, "wire");
        EXPECT_EQ(width, "1");
        EXPECT_EQ(vcd.names.count(code), 0u) << "duplicate code " << code;
        vcd.names[code] = (scope.empty() ? "" : scope.back() + ".") + name;
      } else if (token == "$enddefinitions") {
        definitions = false;
      }
      continue;
    }
    if (token == "$dumpvars" || token == "$end") continue;
    if (token[0] == '#') {
      const int64_t t = std::stoll(token.substr(1));
      EXPECT_GE(t, now) << "time stamps must not decrease";
      now = t;
      vcd.last_time = t;
      continue;
    }
    const char value = token[0];
    const std::string code = token.substr(1);
    EXPECT_EQ(vcd.names.count(code), 1u) << "undeclared code " << code;
    EXPECT_TRUE(value == '0' || value == '1');
    if (value == '1') {
      EXPECT_EQ(rose.count(code), 0u) << "rose twice: " << vcd.names[code];
      rose[code] = now;
    } else if (rose.count(code)) {
      vcd.busy_ticks[code] += now - rose[code];
      rose.erase(code);
    }
  }
  EXPECT_TRUE(rose.empty()) << "a wire is still high at the end";
  return vcd;
}

struct Traced {
  models::ArchConfig arch;
  SimResult result;
  std::string vcd, timeline;
};

Traced run_traced(const std::string& tag) {
  Traced t;
  t.arch = tiny_arch(2, 2, 2, 32);
  t.arch.pe_memory = 32768;
  t.arch.core_memory = 16384;
  const workloads::Network n = workloads::load_workload("mobilenet_v3_small");
  const models::CompileResult c = models::compile(n, t.arch);
  EXPECT_TRUE(c.ok());
  t.vcd = temp_file(tag + ".vcd");
  t.timeline = temp_file(tag + ".json");
  SimOptions options;
  options.vcd_path = t.vcd;
  options.timeline_path = t.timeline;
  t.result = simulate(n, c.program, options);
  return t;
}

TEST(SimTraces, VcdHasOneWirePerPeAndCoreAndAgreesWithUtilization) {
  const Traced t = run_traced("vcd");
  const Vcd vcd = read_vcd(t.vcd);
  EXPECT_EQ(vcd.timescale, "1ns");  // 1 GHz: one tick per cycle
  // link + network + per PE (busy + 2 cores)
  ASSERT_EQ(vcd.names.size(), 2u + 4u * 3u);
  EXPECT_EQ(vcd.last_time, t.result.total_cycles);
  std::map<std::string, int64_t> by_name;
  for (const auto& [code, name] : vcd.names) {
    by_name[name] = vcd.busy_ticks.count(code) ? vcd.busy_ticks.at(code) : 0;
  }
  const double total = static_cast<double>(t.result.total_cycles);
  for (int64_t pe = 0; pe < 4; ++pe) {
    const std::string scope = "pe_" + std::to_string(pe % 2) + "_" + std::to_string(pe / 2);
    ASSERT_EQ(by_name.count(scope + ".busy"), 1u) << scope;
    EXPECT_NEAR(static_cast<double>(by_name[scope + ".busy"]) / total, t.result.pe_busy[static_cast<size_t>(pe)], 1e-12);
    for (int core = 0; core < 2; ++core) {
      EXPECT_NEAR(static_cast<double>(by_name[scope + ".core_" + std::to_string(core)]) / total,
                  t.result.core_busy[static_cast<size_t>(pe * 2 + core)], 1e-12);
    }
  }
  // Transfers on one channel never overlap, so the wire's high time is its busy time.
  EXPECT_EQ(by_name["apollo.link_busy"], t.result.channel(Channel::Link).busy_cycles);
  EXPECT_EQ(by_name["apollo.network_busy"], t.result.channel(Channel::Network).busy_cycles);
  EXPECT_GT(t.result.channel(Channel::Network).busy_cycles, 0);
}

TEST(SimTraces, TimelineIsValidJsonAndAgreesWithUtilization) {
  const Traced t = run_traced("timeline");
  std::ifstream in(t.timeline);
  const nlohmann::json j = nlohmann::json::parse(in);  // throws if invalid
  ASSERT_TRUE(j.contains("traceEvents"));
  std::map<std::pair<int64_t, int64_t>, double> busy_us;  // (pid, tid) -> µs
  std::map<std::pair<int64_t, int64_t>, std::string> thread_names;
  for (const auto& e : j["traceEvents"]) {
    const auto key = std::make_pair(e["pid"].get<int64_t>(), e["tid"].get<int64_t>());
    if (e["ph"] == "X") {
      EXPECT_GE(e["dur"].get<double>(), 0.0);
      busy_us[key] += e["dur"].get<double>();
    } else if (e["ph"] == "M" && e["name"] == "thread_name") {
      thread_names[key] = e["args"]["name"];
    }
  }
  // one track per PE and per core, plus link, network and layers
  EXPECT_EQ(thread_names.size(), 3u + 4u * 3u);
  auto us = [&](int64_t pid, int64_t tid) { return busy_us[{pid, tid}]; };
  const double cycles_per_us = 1000.0 * t.arch.constants.clock_ghz;
  const double total = static_cast<double>(t.result.total_cycles);
  for (int64_t pe = 0; pe < 4; ++pe) {
    EXPECT_NEAR(us(1 + pe, 0) * cycles_per_us / total, t.result.pe_busy[static_cast<size_t>(pe)], 1e-9);
    for (int64_t core = 0; core < 2; ++core) {
      EXPECT_NEAR(us(1 + pe, 1 + core) * cycles_per_us / total,
                  t.result.core_busy[static_cast<size_t>(pe * 2 + core)], 1e-9);
    }
  }
  EXPECT_NEAR(us(0, 0) * cycles_per_us, static_cast<double>(t.result.channel(Channel::Link).busy_cycles), 1e-6 * total);
  EXPECT_NEAR(us(0, 1) * cycles_per_us, static_cast<double>(t.result.channel(Channel::Network).busy_cycles), 1e-6 * total);
  // the layer track covers the whole run
  EXPECT_NEAR(us(0, 2) * cycles_per_us, total, 1e-6 * total);
}

// A clock whose period is not a whole number of nanoseconds gets a finer
// VCD time unit, so no edge is rounded.
TEST(SimTraces, VcdTimescaleFollowsTheClock) {
  auto a = tiny_arch(1, 1, 1, 8);
  a.constants.clock_ghz = 0.8;  // 1.25 ns
  const std::string path = temp_file("clock.vcd");
  SimOptions options;
  options.vcd_path = path;
  const SimResult r = simulate({}, one_layer_program(a, uniform_layer(a, {tile(1, 64, 0, 64, 64, 1)}, {0})), options);
  const Vcd vcd = read_vcd(path);
  EXPECT_EQ(vcd.timescale, "1ps");
  EXPECT_EQ(vcd.last_time, r.total_cycles * 1250);
  EXPECT_DOUBLE_EQ(r.latency_ms, static_cast<double>(r.total_cycles) * 1.25e-6);
}

TEST(SimTraces, NoFilesUnlessAsked) {
  const auto a = tiny_arch(1, 1, 1, 8);
  const SimResult r = simulate({}, one_layer_program(a, uniform_layer(a, {tile(1, 64, 0, 64, 64, 1)}, {0})));
  EXPECT_GT(r.total_cycles, 0);
  SimOptions bad;
  bad.vcd_path = "/nonexistent-dir/x.vcd";
  EXPECT_THROW(simulate({}, one_layer_program(a, uniform_layer(a, {tile(1, 64, 0, 64, 64, 1)}, {0})), bad),
               models::ConfigError);
}

}  // namespace
}  // namespace apollo::sim
