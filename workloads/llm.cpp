#include "workloads/llm.hpp"

#include <charconv>
#include <string_view>

#include "workloads/zoo_builder.hpp"

namespace apollo::workloads {

using A = Activation;

const std::vector<DecoderConfig>& llm_configs() {
  static const std::vector<DecoderConfig> configs = {
      // Llama 3.2 1B (Meta, 2024, model card and config.json): 16 layers,
      // hidden 2048, 32 heads / 8 KV heads of 64, SwiGLU FFN 8192, vocabulary
      // 128,256, tied embeddings; 1,235,814,400 parameters.
      {"llama3_2_1b", "Llama-3.2-1B", 16, 2048, 32, 8, 8192, true, false, 128256, true, 1235814400},
      // SmolLM-135M (Hugging Face, 2024, config.json): a Llama-shaped 135 M
      // model, 30 layers, hidden 576, 9 heads / 3 KV heads, SwiGLU FFN 1536,
      // vocabulary 49,152, tied; 134,515,008 parameters.
      {"smollm_135m", "SmolLM-135M", 30, 576, 9, 3, 1536, true, false, 49152, true, 134515008},
  };
  return configs;
}

Network decoder_network(const LlmWorkload& w) {
  const DecoderConfig& c = w.config;
  const bool decode = w.phase == LlmPhase::Decode;
  const int64_t t = decode ? 1 : w.tokens;  // tokens this step computes
  const int64_t hd = c.hidden / c.heads, group = c.heads / c.kv_heads, kv = c.kv_heads * hd;
  const std::string name = c.name + (decode ? "_decode" : "_prefill");
  zoo::NetBuilder b(name, c.source + "-shaped decoder, " +
                              (decode ? "decode of one token at context " + std::to_string(w.context)
                                      : "prefill of " + std::to_string(w.tokens) + " tokens"));
  // The step's token embeddings (looked up in the table: a copy, no MACs).
  TensorRef x = b.input("embeddings", {1, 1, t, c.hidden});
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string p = "layer" + std::to_string(l);
    TensorRef q = b.fc(p + "/q", x, c.hidden, A::None, c.bias);
    TensorRef k = b.fc(p + "/k", x, kv, A::None, c.bias);
    TensorRef v = b.fc(p + "/v", x, kv, A::None, c.bias);
    // Grouped queries: the `group` query heads of one KV head are stacked
    // as rows of one product with that head's keys and values.
    q = b.reshape(p + "/q_heads", q, {1, c.kv_heads, group * t, hd});
    TensorRef keys = b.reshape(p + "/k_heads", k, {1, c.kv_heads, t, hd});
    TensorRef values = b.reshape(p + "/v_heads", v, {1, c.kv_heads, t, hd});
    int64_t seen = t;
    if (decode) {
      // The cache holds the context; the step's own K and V rows are the
      // k / v outputs above (stored, as the cache's new row).
      keys = b.input(p + "/k_cache", {1, c.kv_heads, w.context, hd});
      values = b.input(p + "/v_cache", {1, c.kv_heads, w.context, hd});
      seen = w.context;
    }
    // scores = Q K^T over the keys seen (scale, causal mask, softmax folded).
    TensorRef s = b.matmul(p + "/scores", q, keys, c.kv_heads, group * t, hd, seen, A::Softmax);
    TensorRef ctx = b.matmul(p + "/context", s, values, c.kv_heads, group * t, seen, hd);
    ctx = b.reshape(p + "/merge_heads", ctx, {1, 1, t, c.hidden});
    x = b.add(p + "/attn_add", {b.fc(p + "/o", ctx, c.hidden, A::None, c.bias), x});
    TensorRef f;
    if (c.swiglu) {
      TensorRef gate = b.fc(p + "/gate", x, c.ffn, A::Swish, false);
      f = b.mul(p + "/gate_up", gate, b.fc(p + "/up", x, c.ffn, A::None, false));
    } else {
      f = b.fc(p + "/up", x, c.ffn, A::Gelu, c.bias);
    }
    x = b.add(p + "/ffn_add", {b.fc(p + "/down", f, c.hidden, A::None, c.swiglu ? false : c.bias), x});
  }
  // The next token comes from the last position's logits only.
  if (t > 1) x = b.copy("last_token", x, {1, 1, 1, c.hidden});
  b.fc("lm_head", x, c.vocab, A::Softmax, false);
  return b.finish();
}

int64_t decoder_parameters(const DecoderConfig& c) {
  const int64_t hd = c.hidden / c.heads, kv = c.kv_heads * hd;
  const int64_t bias = c.bias ? 1 : 0;
  int64_t layer = c.hidden * c.hidden * 2 + c.hidden * kv * 2 + bias * (2 * c.hidden + 2 * kv);
  layer += c.swiglu ? 3 * c.hidden * c.ffn : 2 * c.hidden * c.ffn + bias * (c.ffn + c.hidden);
  layer += 2 * c.hidden;  // the two norms' weights
  const int64_t table = c.vocab * c.hidden;
  return c.layers * layer + c.hidden /* final norm */ + table * (c.tied_embeddings ? 1 : 2);
}

int64_t kv_cache_bytes(const LlmWorkload& w, int64_t data_bytes) {
  const DecoderConfig& c = w.config;
  return 2 * c.layers * w.context * c.kv_heads * (c.hidden / c.heads) * data_bytes;
}

std::optional<LlmWorkload> parse_llm_name(const std::string& name) {
  const std::string base = name.substr(0, name.find(':'));
  const std::string options = base.size() < name.size() ? name.substr(base.size() + 1) : "";
  for (const DecoderConfig& c : llm_configs()) {
    LlmWorkload w;
    w.config = c;
    if (base == c.name + "_prefill") {
      w.phase = LlmPhase::Prefill;
    } else if (base == c.name + "_decode") {
      w.phase = LlmPhase::Decode;
    } else {
      continue;
    }
    if (options.empty()) return w;
    const std::string key = w.phase == LlmPhase::Prefill ? "tokens" : "context";
    const std::string expected = "'" + base + ":" + key + "=N' with N a positive integer up to 1048576";
    if (options.rfind(key + "=", 0) != 0) {
      throw WorkloadError("workload '" + name + "': unknown option '" + options + "' (expected " + expected + ")");
    }
    const std::string_view digits = std::string_view(options).substr(key.size() + 1);
    int64_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0 || n > (int64_t(1) << 20)) {
      throw WorkloadError("workload '" + name + "': '" + std::string(digits) + "' is not allowed (expected " +
                          expected + ")");
    }
    (w.phase == LlmPhase::Prefill ? w.tokens : w.context) = n;
    return w;
  }
  return std::nullopt;
}

namespace zoo {

// Whisper tiny's audio encoder (Radford et al. 2022, and the released
// model's config: 80 mel bins x 3000 frames, two convs of width 384 (k 3,
// the second stride 2), then 4 pre-norm layers of 6 heads of 64 with a
// GELU FFN of 1536 over 1500 positions). The sinusoidal position
// embeddings and norms are folded; K projections have no bias (as
// released). H = 1, W = frames, C = features.
Network whisper_tiny_encoder() {
  constexpr int64_t kFrames = 3000, kMel = 80, kWidth = 384, kHeads = 6, kFfn = 1536, kLayers = 4;
  constexpr int64_t kPositions = kFrames / 2, kHeadDim = kWidth / kHeads;
  NetBuilder b("whisper_tiny_encoder",
               "Whisper tiny audio encoder: 2 convs + 4 layers, width 384, 6 heads, 1500 positions (30 s)");
  TensorRef x = b.input("mel", {1, 1, kFrames, kMel});
  x = b.conv("conv1", x, {.out = kWidth, .k = 3, .act = A::Gelu, .batch_norm = false, .one_dimensional = true});
  x = b.conv("conv2", x,
             {.out = kWidth, .k = 3, .stride = 2, .act = A::Gelu, .batch_norm = false, .one_dimensional = true});
  const Shape heads{1, kHeads, kPositions, kHeadDim};
  for (int64_t l = 0; l < kLayers; ++l) {
    const std::string p = "layer" + std::to_string(l);
    TensorRef q = b.reshape(p + "/q_heads", b.fc(p + "/q", x, kWidth), heads);
    TensorRef k = b.reshape(p + "/k_heads", b.fc(p + "/k", x, kWidth, A::None, false), heads);
    TensorRef v = b.reshape(p + "/v_heads", b.fc(p + "/v", x, kWidth), heads);
    TensorRef s = b.matmul(p + "/scores", q, k, kHeads, kPositions, kHeadDim, kPositions, A::Softmax);
    TensorRef ctx = b.matmul(p + "/context", s, v, kHeads, kPositions, kPositions, kHeadDim);
    ctx = b.reshape(p + "/merge_heads", ctx, {1, 1, kPositions, kWidth});
    x = b.add(p + "/attn_add", {b.fc(p + "/out", ctx, kWidth), x});
    TensorRef f = b.fc(p + "/fc1", x, kFfn, A::Gelu);
    x = b.add(p + "/ffn_add", {b.fc(p + "/fc2", f, kWidth), x});
  }
  return b.finish();
}

}  // namespace zoo
}  // namespace apollo::workloads
