// What an edge architect asks of a language model on a design: time to
// first token (prefill), time per output token and tokens per second
// (decode), and the bytes of weights and KV cache one step moves.
#pragma once

#include <cstdint>

#include "models/program.hpp"
#include "workloads/llm.hpp"

namespace apollo::models {

struct LlmMetrics {
  double step_ms = 0;             // prefill: time to first token; decode: time per output token
  double tokens_per_s = 0;        // prefill: prompt tokens per second; decode: output tokens per second
  int64_t streamed_weight_bytes = 0;  // read from DRAM every step
  int64_t resident_weight_bytes = 0;  // kept in parameter memory
  int64_t kv_cache_bytes = 0;     // decode: K and V read by the step (all layers)
  int64_t kv_layers_in_dram = 0;  // decode: layers whose cache lives in DRAM (of config.layers)
};

// `latency_ms`: the simulated (or estimated) latency of the step's program.
LlmMetrics llm_metrics(const workloads::LlmWorkload& w, const Program& program, double latency_ms);

}  // namespace apollo::models
