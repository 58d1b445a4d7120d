#include "sim/model.hpp"

#include <string>

namespace apollo::sim {

std::vector<ChannelSpec> channel_specs(const models::ArchConfig& arch) {
  std::vector<ChannelSpec> specs(kChannels);
  specs[index(Channel::Link)] = {Channel::Link, arch.link_bytes_per_cycle(), arch.constants.dram_latency_cycles};
  specs[index(Channel::Network)] = {Channel::Network, static_cast<double>(arch.constants.network_bytes_per_cycle), 0};
  return specs;
}

Model::Model(const models::Program& program, Observers& observers, bool fast_paths) {
  const models::ArchConfig& arch = program.arch;
  for (const ChannelSpec& spec : channel_specs(arch)) {
    channels.push_back(std::make_unique<SharedChannel>((std::string(to_string(spec.id)) + "_channel").c_str(), spec,
                                                       clock, observers));
  }
  controller = std::make_unique<Controller>(
      "controller", Controller::Context{program, clock, observers, nullptr, fast_paths, activations});
  if (fast_paths) {
    std::vector<SteadyState*> always;
    for (auto& c : channels) always.push_back(c.get());
    always.push_back(&controller->hops());
    always.push_back(&controller->multicast());
    fast_forward = std::make_unique<FastForward>("fast_forward", clock, std::move(always));
    controller->set_fast_forward(fast_forward.get());
    observers.add(controller->replay_record());
  }
  for (Channel c : kAllChannels) controller->channel_port(c).bind(channels[index(c)]->socket);
  controller->set_idle_check([this](int64_t now) { return idle(now); });
  if (fast_paths) {
    for (auto& c : channels) c->report_in_bulk();
    controller->set_before_layer_end([this] {
      for (auto& c : channels) c->report_traffic();
    });
  }
  pes = std::make_unique<PeArray>("pes", arch.num_pes(), clock,
                                  Pe::Context{arch, clock, observers, fast_forward.get(), activations,
                                              [this](int32_t pe) { controller->pe_done(pe); }});
  pes->socket.bind(controller->pe_side);
  controller->attach(*pes);
}

bool Model::idle(int64_t now) const {
  if (!controller->hops().empty() || !controller->multicast().idle()) return false;
  for (const auto& c : channels) {
    if (!c->idle(now)) return false;
  }
  return true;
}

}  // namespace apollo::sim
