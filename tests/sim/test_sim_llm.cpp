// Language models simulated: a decode step that must stream its weights is
// link-bound (the simulator agrees with weight bytes / bandwidth), and the
// KV cache moves from activation memory to DRAM as the context grows.
#include <gtest/gtest.h>

#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "models/llm_metrics.hpp"
#include "sim/simulate.hpp"
#include "workloads/llm.hpp"
#include "workloads/zoo.hpp"

namespace apollo::sim {
namespace {

struct Step {
  double ms = 0;
  models::LlmMetrics metrics;
};

Step run(const std::string& name, const models::ArchConfig& a) {
  const auto w = workloads::parse_llm_name(name);
  const workloads::Network n = workloads::decoder_network(*w);
  const models::CompileResult c = models::compile(n, a);
  EXPECT_TRUE(c.ok()) << name;
  const SimResult r = simulate(n, c.program);
  return {r.latency_ms, models::llm_metrics(*w, c.program, r.latency_ms)};
}

TEST(SimLlm, DecodeOfA1BModelIsLinkBoundOnTheBaseline) {
  const models::ArchConfig a = models::load_baseline_arch();
  const Step s = run("llama3_2_1b_decode", a);
  // 1.24 B int8 weights cannot stay in 4 MiB of parameter memory: nearly
  // all stream from DRAM every token, at 16 GB/s x the DRAM efficiency (0.8).
  EXPECT_GT(s.metrics.streamed_weight_bytes, 1'200'000'000);
  const double floor_ms =
      double(s.metrics.streamed_weight_bytes) / (a.io_bandwidth_gbps * a.constants.dram_efficiency * 1e6);
  EXPECT_GE(s.ms, floor_ms);
  EXPECT_LE(s.ms, floor_ms * 1.05) << "measured " << s.ms << " ms against the link's " << floor_ms;
  EXPECT_NEAR(s.metrics.tokens_per_s, 1000.0 / s.ms, 1e-9);
}

TEST(SimLlm, KvCacheMovesToDramAndLatencyGrowsWithTheContext) {
  const models::ArchConfig a = models::load_baseline_arch();  // 2 MiB of activation memory
  // SmolLM-135M: per layer 2 x C x 3 KV heads x 64 B of cache.
  const Step short_context = run("smollm_135m_decode:context=64", a);    // 24 KiB a layer
  const Step medium = run("smollm_135m_decode:context=1024", a);         // 384 KiB a layer
  const Step long_context = run("smollm_135m_decode:context=16384", a);  // 6 MiB a layer
  EXPECT_EQ(short_context.metrics.kv_layers_in_dram, 0);
  EXPECT_EQ(long_context.metrics.kv_layers_in_dram, 30);
  EXPECT_LT(short_context.ms, medium.ms);
  EXPECT_LT(medium.ms, long_context.ms);
  EXPECT_EQ(long_context.metrics.kv_cache_bytes, 30 * 2 * 16384 * 3 * 64);
}

TEST(SimLlm, PrefillReportsTimeToFirstToken) {
  const models::ArchConfig a = models::load_baseline_arch();
  const Step p = run("smollm_135m_prefill:tokens=64", a);
  EXPECT_GT(p.ms, 0);
  EXPECT_NEAR(p.metrics.tokens_per_s, 64 * 1000.0 / p.ms, 1e-6);
  EXPECT_EQ(p.metrics.kv_cache_bytes, 0);
}

// The speech encoder runs on the baseline and never beats its bound.
TEST(SimLlm, WhisperEncoderOnTheBaseline) {
  const workloads::Network n = workloads::zoo_network("whisper_tiny_encoder");
  const models::CompileResult c = models::compile(n, models::load_baseline_arch());
  ASSERT_TRUE(c.ok());
  const SimResult r = simulate(n, c.program);
  for (const auto& l : r.layers) EXPECT_GE(l.cycles, l.bound.cycles()) << l.name;
  EXPECT_GE(r.total_cycles, c.program.bound_cycles());
}

}  // namespace
}  // namespace apollo::sim
