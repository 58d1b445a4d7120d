#include "sim/result_json.hpp"

#include <algorithm>
#include <numeric>
#include <string>

namespace apollo::sim {

BusySummary summarize(const std::vector<double>& v) {
  if (v.empty()) return {};
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {*lo, std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()), *hi};
}

nlohmann::json result_json(const SimResult& r, const models::Program& program) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    const auto& lp = program.layers[i];
    nlohmann::json layer = {{"index", l.layer_index},
                      {"name", l.name},
                      {"partition", lp.partition_detail},
                      {"start_cycle", l.start_cycle},
                      {"cycles", l.cycles},
                      {"bound",
                       {{"cycles", l.bound.cycles()},
                        {"compute", l.bound.compute_cycles},
                        {"link", l.bound.link_cycles},
                        {"network", l.bound.network_cycles},
                        {"reduction", l.bound.reduction_cycles},
                        {"limiter", models::to_string(l.bound.limiter())}}},
                      {"limiter", models::to_string(l.limiter)},
                      {"compute_busy_cycles", l.compute_busy_cycles},
                      {"memory_stall_cycles", l.memory_stall_cycles},
                      {"utilization", l.utilization},
                      {"double_buffered", lp.double_buffered},
                      {"tiles", l.tiles},
                      {"core_bytes", l.core_bytes},
                      {"instruction_bytes", l.instruction_bytes},
                      {"input_preload_bytes", l.input_preload_bytes},
                      {"multicast_groups", lp.groups},
                      {"network_bytes_without_multicast", lp.traffic().unicast_network}};
    // Per shared channel: <channel>_bytes and <channel>_busy_cycles.
    for (Channel c : kAllChannels) {
      layer[std::string(to_string(c)) + "_bytes"] = l.channel(c).bytes;
      layer[std::string(to_string(c)) + "_busy_cycles"] = l.channel(c).busy_cycles;
    }
    layers.push_back(std::move(layer));
  }
  const BusySummary pe = summarize(r.pe_busy), core = summarize(r.core_busy);
  nlohmann::json bytes = {
      {"pe_to_cores", r.core_bytes}, {"instructions", r.instruction_bytes}, {"input_preload", r.input_preload_bytes}};
  const models::LayerBound terms = program.network_bound();
  nlohmann::json j = {{"total_cycles", r.total_cycles},
          {"latency_ms", r.latency_ms},
          {"bound_cycles", program.bound_cycles()},
          {"bound_terms",
           {{"compute", terms.compute_cycles},
            {"link", terms.link_cycles},
            {"network", terms.network_cycles},
            {"reduction", terms.reduction_cycles}}},
          {"layers", layers},
          {"pe_busy", r.pe_busy},
          {"pe_busy_summary", {{"min", pe.min}, {"mean", pe.mean}, {"max", pe.max}}},
          {"core_busy", r.core_busy},
          {"core_busy_summary", {{"min", core.min}, {"mean", core.mean}, {"max", core.max}}},
          {"pe_peak_memory_bytes", r.pe_peak_memory_bytes}};
  for (Channel c : kAllChannels) {
    bytes[to_string(c)] = r.channel(c).bytes;
    j[std::string(to_string(c)) + "_busy_cycles"] = r.channel(c).busy_cycles;
  }
  // What the network and link would carry if every PE received its own copy.
  const models::LayerProgram::Traffic traffic = program.traffic();
  bytes["network_without_multicast"] = traffic.unicast_network;
  bytes["link_without_multicast"] = traffic.unicast_link;
  // Of the link's bytes (whole DRAM bursts), those the layers use.
  bytes["link_used"] = traffic.useful_link;
  j["bytes"] = std::move(bytes);
  return j;
}

namespace {

nlohmann::json counts_json(const models::ActionCounts& n) {
  return {{"mac_ops", n.mac_ops},
          {"vector_ops", n.vector_ops},
          {"core_memory_read_bytes", n.core_memory_read},
          {"core_memory_write_bytes", n.core_memory_write},
          {"pe_memory_read_bytes", n.pe_memory_read},
          {"pe_memory_write_bytes", n.pe_memory_write},
          {"activation_memory_read_bytes", n.activation_memory_read},
          {"activation_memory_write_bytes", n.activation_memory_write},
          {"parameter_memory_read_bytes", n.parameter_memory_read},
          {"instruction_memory_read_bytes", n.instruction_memory_read},
          {"instruction_memory_write_bytes", n.instruction_memory_write},
          {"network_bytes", n.network_bytes},
          {"dram_bytes", n.dram_bytes}};
}

nlohmann::json components_json(const models::EnergyReport& e) {
  nlohmann::json j = nlohmann::json::object();
  for (const models::EnergyItem& item : e.items) j[item.component] = item.uj;
  return j;
}

}  // namespace

models::EnergyReport layer_energy(const LayerStats& l, const models::ActionCosts& costs, double clock_ghz) {
  return models::energy(costs, l.actions, static_cast<double>(l.cycles) / (clock_ghz * 1e6));
}

nlohmann::json energy_json(const SimResult& r, const models::ActionCosts& costs, double clock_ghz) {
  const models::EnergyReport e = models::energy(costs, r.actions, r.latency_ms);
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerStats& l : r.layers) {
    const models::EnergyReport le = layer_energy(l, costs, clock_ghz);
    layers.push_back({{"index", l.layer_index},
                      {"name", l.name},
                      {"total_uj", le.total_uj},
                      {"components_uj", components_json(le)},
                      {"actions", counts_json(l.actions)}});
  }
  return {{"total_uj", e.total_uj},
          {"dynamic_uj", e.dynamic_uj},
          {"leakage_uj", e.leakage_uj},
          {"average_power_mw", e.average_power_mw},
          {"tops_per_watt", e.tops_per_watt},
          {"components_uj", components_json(e)},
          {"actions", counts_json(r.actions)},
          {"network_route_mm", costs.network_route_mm},
          {"leakage_mw", costs.leakage_mw},
          {"layers", std::move(layers)}};
}

}  // namespace apollo::sim
