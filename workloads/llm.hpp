// Decoder-only language models in the workload IR, built from a small
// configuration, in one of two phases: prefill of P prompt tokens (time to
// first token) or decode of one token at context length C (time per output
// token). The KV cache of a decode step is a graph input per layer (its K
// and V rows), so the compiler places it like any other tensor: in
// activation memory when it fits, in DRAM otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "workloads/graph.hpp"

namespace apollo::workloads {

struct DecoderConfig {
  std::string name;         // e.g. "llama3_2_1b"
  std::string source;       // the published model whose shapes these are
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;     // < heads: grouped-query attention
  int64_t ffn = 0;          // FFN inner size
  bool swiglu = true;       // gate/up/down with SiLU; false: GELU MLP (up, down)
  bool bias = false;        // projections carry biases (GPT-2 style)
  int64_t vocab = 0;
  bool tied_embeddings = true;  // the LM head reuses the token embedding table
  int64_t published_parameters = 0;  // the model card's total, for the tests
};

enum class LlmPhase { Prefill, Decode };

struct LlmWorkload {
  DecoderConfig config;
  LlmPhase phase = LlmPhase::Decode;
  int64_t tokens = 128;     // prefill: prompt tokens P
  int64_t context = 1024;   // decode: cached tokens C the new token attends to
};

// The phase's graph: per layer Q/K/V projections, attention over the heads
// (grouped queries share their K/V head), output projection, FFN, residual
// adds; then the LM head on the last token. Norms and RoPE are folded
// (no parameters counted, as the zoo's other norms).
Network decoder_network(const LlmWorkload& w);

// All parameters of the model, closed form: projections, FFN, embedding
// table (once when tied; the LM head too when not) and the norm weights the
// graph folds away.
int64_t decoder_parameters(const DecoderConfig& c);

// Bytes of K and V the decode step reads per layer x layers.
int64_t kv_cache_bytes(const LlmWorkload& w, int64_t data_bytes);

// `name` is a language-model zoo entry, "<model>_prefill" or
// "<model>_decode", optionally followed by ":tokens=P" (prefill) or
// ":context=C" (decode). nullopt for any other name; throws WorkloadError
// for a malformed option.
std::optional<LlmWorkload> parse_llm_name(const std::string& name);

// The models of the zoo (listing order).
const std::vector<DecoderConfig>& llm_configs();

}  // namespace apollo::workloads
