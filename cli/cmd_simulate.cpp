// apollo simulate: compile a workload for one architecture, run it on the
// SystemC/TLM-2.0 simulator and report cycles, latency, area, per-layer
// limiters, bytes per level and PE utilization; optionally write a VCD, a
// Perfetto/Chrome timeline, a JSON report and a PE-utilization heatmap.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <sstream>
#include <unistd.h>

#include "cli/command.hpp"
#include "models/arch_io.hpp"
#include "models/area.hpp"
#include "models/compiler.hpp"
#include "models/energy.hpp"
#include "models/llm_metrics.hpp"
#include "workloads/llm.hpp"
#include "sim/result_json.hpp"
#include "sim/simulate.hpp"
#include "workloads/zoo.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

namespace {

// 1234567 -> "1,234,567": cycle and byte counts are long.
std::string grouped(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return v < 0 ? "-" + s : s;
}

std::string percent(int64_t part, int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}

nlohmann::json arch_json(const models::ArchConfig& a) {
  return {{"pe_x", a.pe_x},
          {"pe_y", a.pe_y},
          {"simd_lanes", a.simd_lanes},
          {"cores_per_pe", a.cores_per_pe},
          {"parameter_memory", a.parameter_memory},
          {"activation_memory", a.activation_memory},
          {"core_memory", a.core_memory},
          {"instruction_memory", a.instruction_memory},
          {"pe_memory", a.pe_memory},
          {"io_bandwidth_gbps", a.io_bandwidth_gbps},
          {"clock_ghz", a.constants.clock_ghz}};
}

// The gnuplot executable on PATH, or "" when there is none.
std::string find_gnuplot() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::filesystem::path candidate = std::filesystem::path(dir) / "gnuplot";
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return "";
}

// gnuplot single-quoted string: a quote is written twice.
std::string gnuplot_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Per-PE busy fraction as an image over the pe_x x pe_y array (PE (0,0) at
// the top left), written by gnuplot as PNG or SVG depending on the extension.
// gnuplot terminal for the heatmap file, chosen by its extension.
std::string heatmap_terminal(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".png" || ext == ".PNG") return "pngcairo size 900,760 font 'sans,10'";
  if (ext == ".svg" || ext == ".SVG") return "svg size 900,760 font 'sans,10' background rgb 'white'";
  throw UsageError("--heatmap " + path + ": the file name must end in .png or .svg");
}

void write_heatmap(const std::string& path, const std::string& title, const models::ArchConfig& arch,
                   const std::vector<double>& pe_busy) {
  const std::string terminal = heatmap_terminal(path);
  const std::string gnuplot = find_gnuplot();
  std::ostringstream script;
  script << "set terminal " << terminal << "\nset output " << gnuplot_quote(path) << "\n"
         << "set title " << gnuplot_quote(title) << " noenhanced\n"
         << "set xlabel 'PE x'\nset ylabel 'PE y'\nset cblabel 'busy fraction (computing)'\n"
         << "set cbrange [0:1]\nset palette defined (0 '#000004', 0.25 '#51127c', 0.5 '#b73779', "
            "0.75 '#fc8961', 1 '#fcfdbf')\n"
         << fmt::format("set xrange [-0.5:{}]\nset yrange [{}:-0.5]\n", arch.pe_x - 0.5, arch.pe_y - 0.5)
         << fmt::format("set xtics 0,{}\nset ytics 0,{}\n", std::max<int64_t>(1, arch.pe_x / 16),
                        std::max<int64_t>(1, arch.pe_y / 16))
         << "set size ratio -1\nset tics out\n$busy << EOD\n";
  for (int64_t y = 0; y < arch.pe_y; ++y) {
    for (int64_t x = 0; x < arch.pe_x; ++x) {
      script << (x ? " " : "") << fmt::format("{:.4f}", pe_busy[static_cast<size_t>(y * arch.pe_x + x)]);
    }
    script << "\n";
  }
  script << "EOD\n";
  // Values are printed in the cells while they stay readable.
  if (arch.num_pes() <= 256) {
    script << "plot $busy matrix with image notitle, $busy matrix using 1:2:(sprintf('%.2f', $3)) "
              "with labels textcolor rgb '#c0c0c0' notitle\n";
  } else {
    script << "plot $busy matrix with image notitle\n";
  }
  FILE* pipe = popen((gnuplot + " 2>&1").c_str(), "w");
  if (!pipe) throw std::runtime_error("cannot start gnuplot for --heatmap");
  const std::string text = script.str();
  std::fwrite(text.data(), 1, text.size(), pipe);
  const int status = pclose(pipe);
  if (status != 0 || !std::filesystem::exists(path)) {
    throw std::runtime_error("gnuplot failed to write the heatmap '" + path + "' (status " + std::to_string(status) + ")");
  }
}


void write_json(const std::string& path, const nlohmann::json& j) {
  if (path == "-") {
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::ofstream out(path);
  if (!out) throw UsageError("--json: cannot write '" + path + "'");
  out << j.dump(2) << "\n";
}

}  // namespace

int run_simulate(const std::vector<std::string>& args) {
  std::string arch_path = models::baseline_arch_path();
  std::string tech_path = models::default_technology_path();
  std::string workload, json_path, vcd_path, timeline_path, heatmap_path;
  po::options_description options("Options");
  options.add_options()
      ("arch", po::value(&arch_path), "architecture YAML file (default: configs/arch/edge_baseline.yaml)")
      ("workload", po::value(&workload)->required(), "zoo network name or workload file (YAML, ONNX, SCALE-Sim CSV)")
      ("tech", po::value(&tech_path), "technology file for the area and energy (default: configs/tech/tech16nm.yaml)")
      ("json", po::value(&json_path), "write the full result as JSON to FILE ('-' = stdout, replaces the tables)")
      ("vcd", po::value(&vcd_path), "write a VCD waveform (GTKWave): link, network, per-PE and per-core busy")
      ("timeline", po::value(&timeline_path), "write a Chrome/Perfetto trace JSON (ui.perfetto.dev)")
      ("heatmap", po::value(&heatmap_path), "write per-PE utilization over the array, .png or .svg (gnuplot)")
      ("per-layer", "print the per-layer table (cycles, bound, limiter, utilization)")
      ("exact-events", "simulate every tile and transfer event by event: no fast-forward of steady states, "
                       "no replay of repeated layers (same results, slower; for checking the fast paths)");
  po::variables_map vm;
  if (!parse_options(args,
                     "simulate --arch FILE --workload NAME|FILE [--json FILE] [--vcd FILE] [--timeline FILE]\n"
                     "                [--heatmap FILE] [--per-layer] [--tech FILE]",
                     options, {}, vm)) {
    return kOk;
  }

  const models::ArchConfig arch = models::load_arch(arch_path);
  const models::Technology tech = models::load_technology(tech_path);
  const workloads::Network network = workloads::load_workload(workload);
  const bool quiet = json_path == "-";
  // Problems with the heatmap are reported before spending time simulating.
  if (!heatmap_path.empty()) {
    heatmap_terminal(heatmap_path);
    if (find_gnuplot().empty()) {
      std::cerr << "apollo simulate: --heatmap needs gnuplot, which is not on PATH "
                   "(Debian: apt-get install gnuplot-nox)\n";
      return kInternalError;
    }
  }

  const auto start = std::chrono::steady_clock::now();
  const models::CompileResult compiled = models::compile(network, arch);
  const models::AreaBreakdown area = models::area(arch, tech);
  const models::ActionCosts costs = models::action_costs(arch, tech);
  if (!compiled.ok()) {
    const models::Infeasible& why = *compiled.infeasible;
    if (!json_path.empty()) {
      write_json(json_path, {{"workload", network.name},
                             {"arch", arch_json(arch)},
                             {"area_mm2", area.total_mm2},
                             {"feasible", false},
                             {"infeasible",
                              {{"layer", why.layer},
                               {"memory", why.memory},
                               {"needed", why.needed},
                               {"available", why.available},
                               {"message", why.message}}}});
    }
    if (!quiet) std::cout << "infeasible: " << network.name << " cannot run on " << arch_path << ": " << why.message << "\n";
    return kInfeasible;
  }
  sim::SimOptions sim_options;
  sim_options.vcd_path = vcd_path;
  sim_options.timeline_path = timeline_path;
  sim_options.exact_events = vm.count("exact-events") > 0;
  const sim::SimResult r = sim::simulate(network, compiled.program, sim_options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!heatmap_path.empty()) {
    write_heatmap(heatmap_path,
                  fmt::format("PE utilization: {} on {}x{} PEs ({:.3f} ms)", network.name, arch.pe_x, arch.pe_y,
                              r.latency_ms),
                  arch, r.pe_busy);
  }

  // A language model's step: its workload and what the step costs.
  struct LlmStep {
    workloads::LlmWorkload w;
    models::LlmMetrics m;
  };
  std::optional<LlmStep> llm;
  if (auto w = workloads::parse_llm_name(workload)) {
    llm = LlmStep{*w, models::llm_metrics(*w, compiled.program, r.latency_ms)};
  }
  if (!json_path.empty()) {
    nlohmann::json j = sim::result_json(r, compiled.program);
    j["workload"] = network.name;
    if (llm) {
      const bool decode = llm->w.phase == workloads::LlmPhase::Decode;
      j["language_model"] = {{"model", llm->w.config.name},
                             {"phase", decode ? "decode" : "prefill"},
                             {decode ? "context" : "tokens", decode ? llm->w.context : llm->w.tokens},
                             {decode ? "time_per_output_token_ms" : "time_to_first_token_ms", llm->m.step_ms},
                             {"tokens_per_s", llm->m.tokens_per_s},
                             {"streamed_weight_bytes", llm->m.streamed_weight_bytes},
                             {"resident_weight_bytes", llm->m.resident_weight_bytes},
                             {"kv_cache_bytes", llm->m.kv_cache_bytes},
                             {"kv_cache_layers_in_dram", llm->m.kv_layers_in_dram}};
    }
    j["arch"] = arch_json(arch);
    j["area_mm2"] = area.total_mm2;
    j["feasible"] = true;
    j["perf_per_area"] = 1.0 / (r.latency_ms * area.total_mm2);
    j["energy"] = sim::energy_json(r, costs, arch.constants.clock_ghz);
    write_json(json_path, j);
    if (quiet) return kOk;
  }

  const int64_t bound = compiled.program.bound_cycles();  // sum of per-layer bounds (barriers)
  const models::EnergyReport energy = models::energy(costs, r.actions, r.latency_ms);
  std::cout << fmt::format("{} on {}\n", network.name, arch_path)
            << fmt::format("  design        {}x{} PEs x {} cores x {} lanes, {} GB/s link, {} GHz\n", arch.pe_x,
                           arch.pe_y, arch.cores_per_pe, arch.simd_lanes, arch.io_bandwidth_gbps,
                           arch.constants.clock_ghz)
            << fmt::format("  total cycles  {}\n", grouped(r.total_cycles))
            << fmt::format("  latency       {:.4f} ms at {} GHz\n", r.latency_ms, arch.constants.clock_ghz)
            << fmt::format("  bound         {} cycles (simulated / bound = {:.3f})\n", grouped(bound),
                           bound > 0 ? static_cast<double>(r.total_cycles) / static_cast<double>(bound) : 0.0)
            << fmt::format("  area          {:.3f} mm^2\n", area.total_mm2)
            << fmt::format("  perf / area   {:.4f} 1/(ms mm^2)\n", 1.0 / (r.latency_ms * area.total_mm2))
            << fmt::format("  energy        {:.2f} uJ per inference, {:.1f} mW average, {:.2f} TOPS/W\n",
                           energy.total_uj, energy.average_power_mw, energy.tops_per_watt)
            << fmt::format("  evaluation    {:.1f} ms (compile + area + simulate)\n\n", seconds * 1e3);
  if (llm) {
    if (llm->w.phase == workloads::LlmPhase::Decode) {
      std::cout << fmt::format("{} decode at context {}\n", llm->w.config.source, grouped(llm->w.context))
                << fmt::format("  time per output token  {:.3f} ms ({:.1f} tokens/s)\n", llm->m.step_ms,
                               llm->m.tokens_per_s)
                << fmt::format("  KV cache read          {} B, in DRAM for {} of {} layers\n",
                               grouped(llm->m.kv_cache_bytes), llm->m.kv_layers_in_dram, llm->w.config.layers);
    } else {
      std::cout << fmt::format("{} prefill of {} tokens\n", llm->w.config.source, grouped(llm->w.tokens))
                << fmt::format("  time to first token    {:.3f} ms ({:.0f} prompt tokens/s)\n", llm->m.step_ms,
                               llm->m.tokens_per_s);
    }
    std::cout << fmt::format("  weights per step       {} B streamed from DRAM, {} B resident\n\n",
                             grouped(llm->m.streamed_weight_bytes), grouped(llm->m.resident_weight_bytes));
  }

  if (vm.count("per-layer")) {
    std::cout << fmt::format("{:>4} {:<28} {:>11} {:>11} {:>6} {:<8} {:<8} {:>6} {:>10}\n", "#", "layer", "cycles",
                             "bound", "ratio", "limiter", "bound by", "util", "energy uJ");
    for (const auto& l : r.layers) {
      const int64_t b = l.bound.cycles();
      std::cout << fmt::format("{:>4} {:<28} {:>11} {:>11} {:>6} {:<8} {:<8} {:>5.1f}% {:>10.3f}\n", l.layer_index,
                               l.name.size() > 28 ? l.name.substr(0, 27) + "~" : l.name, grouped(l.cycles),
                               grouped(b),
                               b > 0 ? fmt::format("{:.2f}", static_cast<double>(l.cycles) / static_cast<double>(b))
                                     : std::string("-"),
                               models::to_string(l.limiter), models::to_string(l.bound.limiter()), 100.0 * l.utilization,
                               sim::layer_energy(l, costs, arch.constants.clock_ghz).total_uj);
    }
    std::cout << "\n";
  }

  // Where the time went: layers and cycles per simulated limiter.
  std::cout << "limiter     layers       cycles  share\n";
  for (auto lim : {models::Limiter::Compute, models::Limiter::Link, models::Limiter::Network, models::Limiter::Memory}) {
    int64_t count = 0, cycles = 0;
    for (const auto& l : r.layers) {
      if (l.limiter != lim) continue;
      ++count;
      cycles += l.cycles;
    }
    std::cout << fmt::format("{:<8} {:>9} {:>12} {:>6}\n", models::to_string(lim), count, grouped(cycles),
                             percent(cycles, r.total_cycles));
  }

  std::cout << "\nbytes moved per level                bytes   busy cycles   busy\n";
  const models::LayerProgram::Traffic traffic = compiled.program.traffic();
  for (sim::Channel c : sim::kAllChannels) {
    const sim::ChannelStats& s = r.channel(c);
    std::cout << fmt::format("  {:<25}{:>15} {:>13} {:>6}\n", sim::description(c), grouped(s.bytes),
                             grouped(s.busy_cycles), percent(s.busy_cycles, r.total_cycles));
    if (c == sim::Channel::Link) {
      std::cout << fmt::format("    of which instructions  {:>15}\n", grouped(r.instruction_bytes))
                << fmt::format("    of which input preload {:>15}\n", grouped(r.input_preload_bytes))
                << fmt::format("    of which used          {:>15}\n", grouped(traffic.useful_link));
    }
    const int64_t unicast = c == sim::Channel::Link ? traffic.unicast_link : traffic.unicast_network;
    if (unicast != s.bytes) {
      std::cout << fmt::format("    without multicast      {:>15}  (multicast saves {})\n", grouped(unicast),
                               percent(unicast - s.bytes, unicast));
    }
  }
  std::cout << fmt::format("  PE memory -> cores       {:>15}\n", grouped(r.core_bytes));

  std::cout << "\nenergy per inference                    uJ  share\n";
  for (const models::EnergyItem& item : energy.items) {
    std::cout << fmt::format("  {:<25}{:>15.3f} {:>6}\n", item.component, item.uj,
                             fmt::format("{:.1f}%", energy.total_uj > 0 ? 100 * item.uj / energy.total_uj : 0.0));
  }
  std::cout << fmt::format("  {:<25}{:>15.3f}   ({:.1f} mW average over {:.4f} ms, {:.2f} TOPS/W)\n", "total",
                           energy.total_uj, energy.average_power_mw, r.latency_ms, energy.tops_per_watt);

  const sim::BusySummary pe = sim::summarize(r.pe_busy), core = sim::summarize(r.core_busy);
  std::cout << fmt::format("\nbusy (fraction of time computing)   min    mean     max\n")
            << fmt::format("  PEs ({:>5})                    {:>6.1f}% {:>6.1f}% {:>6.1f}%\n", r.pe_busy.size(),
                           100 * pe.min, 100 * pe.mean, 100 * pe.max)
            << fmt::format("  cores ({:>5})                  {:>6.1f}% {:>6.1f}% {:>6.1f}%\n", r.core_busy.size(),
                           100 * core.min, 100 * core.mean, 100 * core.max);
  for (const auto& [what, path] : {std::pair{"VCD", vcd_path}, std::pair{"timeline", timeline_path},
                                   std::pair{"heatmap", heatmap_path}, std::pair{"JSON", json_path}}) {
    if (!path.empty()) std::cout << what << " written to " << path << "\n";
  }
  return kOk;
}

}  // namespace apollo::cli
