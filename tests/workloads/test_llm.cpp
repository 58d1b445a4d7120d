// Language models and the speech encoder of the zoo: parameter counts
// against the published totals and closed forms, MACs against closed
// forms, names with options, and bad options.
#include <gtest/gtest.h>

#include "workloads/llm.hpp"
#include "workloads/zoo.hpp"

namespace apollo::workloads {
namespace {

const DecoderConfig& config(const std::string& name) {
  for (const auto& c : llm_configs()) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no config " + name);
}

// Norm weights the graph folds away: two per layer and the final one.
int64_t norm_weights(const DecoderConfig& c) { return (2 * c.layers + 1) * c.hidden; }

TEST(Llm, ParameterCountsEqualThePublishedTotals) {
  // Model cards: Llama-3.2-1B 1,235,814,400; SmolLM-135M 134,515,008.
  EXPECT_EQ(decoder_parameters(config("llama3_2_1b")), 1235814400);
  EXPECT_EQ(decoder_parameters(config("smollm_135m")), 134515008);
  for (const auto& c : llm_configs()) {
    EXPECT_EQ(decoder_parameters(c), c.published_parameters) << c.name;
    // The graph holds every parameter but the folded norms (the tied
    // table is the LM head's weights), in both phases.
    for (const std::string phase : {"_prefill", "_decode"}) {
      const Network n = zoo_network(c.name + phase);
      EXPECT_EQ(n.total_weights(), c.published_parameters - norm_weights(c)) << c.name << phase;
    }
  }
}

TEST(Llm, MacsFollowTheClosedForms) {
  for (const auto& c : llm_configs()) {
    const int64_t head_dim = c.hidden / c.heads;
    const int64_t lm_head = c.vocab * c.hidden;
    const int64_t linear = c.published_parameters - norm_weights(c) - lm_head;  // per token, once per weight
    // Decode: every weight once, plus attention over C keys and values.
    const int64_t context = 777;
    const Network d = zoo_network(c.name + "_decode:context=" + std::to_string(context));
    EXPECT_EQ(d.total_macs(), linear + lm_head + c.layers * 2 * c.heads * head_dim * context) << c.name;
    // Prefill: every projection per token, the full P x P attention, the
    // LM head for the last token only.
    const int64_t p = 96;
    const Network f = zoo_network(c.name + "_prefill:tokens=" + std::to_string(p));
    EXPECT_EQ(f.total_macs(), p * linear + lm_head + c.layers * 2 * c.heads * head_dim * p * p) << c.name;
  }
}

TEST(Llm, DecodeReadsItsKvCacheAsInputs) {
  const auto w = parse_llm_name("llama3_2_1b_decode:context=2048");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->phase, LlmPhase::Decode);
  EXPECT_EQ(w->context, 2048);
  // 16 layers x (K + V) x 2048 positions x 8 KV heads x 64.
  EXPECT_EQ(kv_cache_bytes(*w, 1), 16 * 2 * 2048 * 8 * 64);
  const Network n = decoder_network(*w);
  int64_t cache = 0;
  for (const auto& in : n.inputs) {
    if (in.name.find("_cache") != std::string::npos) cache += in.shape.elements();
  }
  EXPECT_EQ(cache, kv_cache_bytes(*w, 1));
  EXPECT_EQ(parse_llm_name("smollm_135m_prefill")->tokens, 128);  // defaults
  EXPECT_EQ(parse_llm_name("smollm_135m_decode")->context, 1024);
  EXPECT_FALSE(parse_llm_name("mobilenet_v2").has_value());
}

TEST(Llm, BadOptionsNameTheWorkloadAndWhatIsExpected) {
  for (const std::string bad : {"smollm_135m_decode:context=0", "smollm_135m_decode:context=x",
                                "smollm_135m_decode:tokens=5", "smollm_135m_prefill:tokens=99999999"}) {
    try {
      load_workload(bad);
      ADD_FAILURE() << bad;
    } catch (const WorkloadError& e) {
      EXPECT_NE(std::string(e.what()).find(bad.substr(0, bad.find(':'))), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("positive integer"), std::string::npos) << e.what();
    }
  }
}

TEST(Llm, WhisperTinyEncoderShapes) {
  const Network n = zoo_network("whisper_tiny_encoder");
  // conv1 80x384x3 + 384, conv2 384x384x3 + 384; per layer Q, V, out with
  // biases, K without, fc1 384x1536 + 1536, fc2 1536x384 + 384. The
  // released encoder's 8,208,384 parameters add 4 x 1,536 + 768 norm
  // weights and the 1,500 x 384 position table, both folded here.
  const int64_t convs = 80 * 384 * 3 + 384 + 384 * 384 * 3 + 384;
  const int64_t layer = 4 * 384 * 384 + 3 * 384 + 384 * 1536 + 1536 + 1536 * 384 + 384;
  EXPECT_EQ(n.total_weights(), convs + 4 * layer);
  EXPECT_EQ(n.total_weights() + 4 * 1536 + 768 + 1500 * 384, 8208384);
  EXPECT_EQ(n.layers.back().output.w, 1500);  // 30 s of audio: 1,500 positions
}

}  // namespace
}  // namespace apollo::workloads
