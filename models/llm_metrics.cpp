#include "models/llm_metrics.hpp"

#include <string>

namespace apollo::models {

LlmMetrics llm_metrics(const workloads::LlmWorkload& w, const Program& program, double latency_ms) {
  LlmMetrics m;
  const bool decode = w.phase == workloads::LlmPhase::Decode;
  m.step_ms = latency_ms;
  m.tokens_per_s = latency_ms > 0 ? (decode ? 1.0 : double(w.tokens)) * 1000.0 / latency_ms : 0;
  m.streamed_weight_bytes = program.streamed_weight_bytes;
  m.resident_weight_bytes = program.resident_weight_bytes;
  if (decode) {
    m.kv_cache_bytes = workloads::kv_cache_bytes(w, program.arch.constants.data_bytes);
    // The scores product reads the layer's K cache: where its inputs live
    // says where the cache lives (the query beside it is one row).
    const std::string suffix = "/scores";
    for (const LayerProgram& l : program.layers) {
      const std::string& n = l.layer_name;
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          l.input_in_dram) {
        ++m.kv_layers_in_dram;
      }
    }
  }
  return m;
}

}  // namespace apollo::models
