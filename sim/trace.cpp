#include "sim/trace.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <tuple>

#include "models/arch.hpp"
#include "sim/timing.hpp"

namespace apollo::sim {

void TraceObserver::layer_started(int32_t /*position*/, const models::LayerProgram& layer, int64_t cycle) {
  trace_.layers.push_back({cycle, cycle, layer.layer_name});
  groups_ = layer.group_members();
}

void TraceObserver::layer_finished(int32_t /*position*/, int64_t cycle) { trace_.layers.back().end = cycle; }

void TraceObserver::transfer(const TransferInterval& t) {
  if (t.kind == TransferKind::Multicast) trace_.multicast_members[trace_.transfers.size()] = groups_.at(size_t(t.group));
  trace_.transfers.push_back(t);
}

void TraceObserver::tiles(int32_t pe, const models::TileStep& step, int64_t n, int64_t start) {
  const int64_t cycles = pe_compute_cycles(step, arch_);
  if (cycles == 0) return;
  if (n != 1 || start < 0) throw std::logic_error("trace: tiles reported in bulk (fast paths must be off)");
  trace_.compute.push_back({start, start + cycles, start + cycles - tile_compute_cycles(step, arch_), pe,
                            static_cast<int32_t>(step.active_cores),
                            static_cast<int32_t>(trace_.layers.size()) - 1});
}

void TraceObserver::transfers(Channel /*c*/, const ChannelStats& /*total*/) {
  throw std::logic_error("trace: transfers reported in bulk (fast paths must be off)");
}

namespace {

std::ofstream open_output(const std::string& path, const char* what) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw models::ConfigError(std::string("cannot write ") + what + " file '" + path + "'");
  return out;
}

// VCD identifier codes: base-94 over the printable characters '!'..'~'.
std::string vcd_code(size_t index) {
  std::string code;
  do {
    code.push_back(static_cast<char>('!' + index % 94));
    index /= 94;
  } while (index > 0);
  return code;
}

struct Span {
  int64_t start, end;
};

// Sorted, with touching or overlapping spans joined, so each wire toggles
// once per busy period.
std::vector<Span> merge(std::vector<Span> spans) {
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  std::vector<Span> out;
  for (const Span& s : spans) {
    if (s.end <= s.start) continue;
    if (!out.empty() && s.start <= out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

std::string pe_name(int64_t pe, const TraceGeometry& g) {
  return "pe_" + std::to_string(pe % g.pe_x) + "_" + std::to_string(pe / g.pe_x);
}

}  // namespace

void write_vcd(const std::string& path, const TraceRecorder& trace, const TraceGeometry& g) {
  const int64_t pes = g.pe_x * g.pe_y;
  // Signal order: the channels, then per PE its busy wire and its cores.
  const size_t per_pe = static_cast<size_t>(1 + g.cores_per_pe);
  const size_t signals = kChannels + static_cast<size_t>(pes) * per_pe;
  std::vector<std::vector<Span>> busy(signals);
  for (const auto& t : trace.transfers) busy[index(t.channel)].push_back({t.start, t.end});
  for (const auto& c : trace.compute) {
    const size_t base = kChannels + static_cast<size_t>(c.pe) * per_pe;
    busy[base].push_back({c.start, c.end});
    for (int32_t core = 0; core < c.active_cores; ++core) busy[base + 1 + core].push_back({c.cores_start, c.end});
  }
  struct Change {
    int64_t time;
    size_t signal;
    char value;
  };
  std::vector<Change> changes;
  for (size_t s = 0; s < signals; ++s) {
    for (const Span& span : merge(std::move(busy[s]))) {
      changes.push_back({span.start, s, '1'});
      changes.push_back({span.end, s, '0'});
    }
  }
  std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return std::tie(a.time, a.signal) < std::tie(b.time, b.signal);
  });

  // Largest time unit in which one clock period is a whole number.
  const auto period_fs = static_cast<int64_t>(std::llround(1e6 / g.clock_ghz));
  const char* unit = "1fs";
  int64_t ticks_per_cycle = period_fs;
  if (period_fs % 1000000 == 0) {
    unit = "1ns";
    ticks_per_cycle = period_fs / 1000000;
  } else if (period_fs % 1000 == 0) {
    unit = "1ps";
    ticks_per_cycle = period_fs / 1000;
  }

  std::ofstream out = open_output(path, "VCD");
  out << "$version apollo simulate $end\n$timescale " << unit << " $end\n";
  out << "$scope module apollo $end\n";
  for (Channel c : kAllChannels) out << "$var wire 1 " << vcd_code(index(c)) << " " << to_string(c) << "_busy $end\n";
  for (int64_t pe = 0; pe < pes; ++pe) {
    const size_t base = kChannels + static_cast<size_t>(pe) * per_pe;
    out << "$scope module " << pe_name(pe, g) << " $end\n";
    out << "$var wire 1 " << vcd_code(base) << " busy $end\n";
    for (int64_t core = 0; core < g.cores_per_pe; ++core) {
      out << "$var wire 1 " << vcd_code(base + 1 + static_cast<size_t>(core)) << " core_" << core << " $end\n";
    }
    out << "$upscope $end\n";
  }
  out << "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n";
  for (size_t s = 0; s < signals; ++s) out << '0' << vcd_code(s) << '\n';
  out << "$end\n";
  int64_t current = 0;
  for (const Change& c : changes) {
    if (c.time != current) {
      out << '#' << c.time * ticks_per_cycle << '\n';
      current = c.time;
    }
    out << c.value << vcd_code(c.signal) << '\n';
  }
  if (g.total_cycles > current) out << '#' << g.total_cycles * ticks_per_cycle << '\n';
  if (!out) throw models::ConfigError("error while writing VCD file '" + path + "'");
}

void write_timeline(const std::string& path, const TraceRecorder& trace, const TraceGeometry& g) {
  using nlohmann::json;
  const double us_per_cycle = 1.0 / (g.clock_ghz * 1000.0);
  const int64_t pes = g.pe_x * g.pe_y;
  std::ofstream out = open_output(path, "timeline");
  bool first = true;
  auto emit = [&](const json& event) {
    out << (first ? "\n" : ",\n") << event.dump();
    first = false;
  };
  auto name_track = [&](int64_t pid, int64_t tid, const std::string& process, const std::string& thread) {
    if (tid == 0) {
      emit({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"tid", 0}, {"args", {{"name", process}}}});
      emit({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", pid}, {"tid", 0}, {"args", {{"sort_index", pid}}}});
    }
    emit({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", thread}}}});
    emit({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", pid}, {"tid", tid}, {"args", {{"sort_index", tid}}}});
  };
  auto complete = [&](const std::string& name, int64_t pid, int64_t tid, int64_t start, int64_t end, json args) {
    emit({{"ph", "X"}, {"name", name}, {"pid", pid}, {"tid", tid}, {"ts", static_cast<double>(start) * us_per_cycle},
          {"dur", static_cast<double>(end - start) * us_per_cycle}, {"args", std::move(args)}});
  };

  out << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"clock_ghz\":" << json(g.clock_ghz).dump()
      << ",\"total_cycles\":" << g.total_cycles << "},\"traceEvents\":[";
  // Process 0: one thread per channel, then the layers.
  const auto layers_tid = static_cast<int64_t>(kChannels);
  for (Channel c : kAllChannels) name_track(0, static_cast<int64_t>(index(c)), "memory system", to_string(c));
  name_track(0, layers_tid, "memory system", "layers");
  for (int64_t pe = 0; pe < pes; ++pe) {
    name_track(1 + pe, 0, pe_name(pe, g), "PE busy");
    for (int64_t core = 0; core < g.cores_per_pe; ++core) {
      name_track(1 + pe, 1 + core, pe_name(pe, g), "core " + std::to_string(core));
    }
  }
  for (const auto& l : trace.layers) complete(l.name, 0, layers_tid, l.start, l.end, json::object());
  for (size_t i = 0; i < trace.transfers.size(); ++i) {
    const TransferInterval& t = trace.transfers[i];
    json args = {{"bytes", t.bytes}, {"pe", t.pe}};
    if (const auto m = trace.multicast_members.find(i); m != trace.multicast_members.end()) {
      args["group"] = t.group;
      args["members"] = m->second;
    }
    complete(to_string(t.kind), 0, static_cast<int64_t>(index(t.channel)), t.start, t.end, std::move(args));
  }
  for (const auto& c : trace.compute) {
    const std::string layer =
        c.layer >= 0 && static_cast<size_t>(c.layer) < trace.layers.size() ? trace.layers[c.layer].name : "";
    complete("tile", 1 + c.pe, 0, c.start, c.end, {{"layer", layer}, {"active_cores", c.active_cores}});
    for (int32_t core = 0; core < c.active_cores; ++core) {
      complete("tile", 1 + c.pe, 1 + core, c.cores_start, c.end, {{"layer", layer}});
    }
  }
  out << "\n]}\n";
  if (!out) throw models::ConfigError("error while writing timeline file '" + path + "'");
}

}  // namespace apollo::sim
