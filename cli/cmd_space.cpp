// apollo space: the design space (parameters, values, size), and with
// --sample how much of it can run a workload within an area budget.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/command.hpp"
#include "models/arch_io.hpp"
#include "models/area.hpp"
#include "models/compiler.hpp"
#include "models/space.hpp"
#include "workloads/zoo.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

namespace {

// 262144 -> "256 KiB", 8192 -> "8 KiB", 100 -> "100".
std::string display_value(int64_t v, const std::string& unit) {
  if (unit == "bytes") {
    if (v >= (int64_t{1} << 20) && v % (int64_t{1} << 20) == 0) return fmt::format("{} MiB", v >> 20);
    if (v >= 1024 && v % 1024 == 0) return fmt::format("{} KiB", v >> 10);
    return fmt::format("{} B", v);
  }
  return std::to_string(v);
}

int print_space(bool json) {
  const auto& params = models::space_parameters();
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : params) {
      list.push_back({{"name", p.name}, {"unit", p.unit}, {"values", p.values},
                      {"count", p.values.size()}});
    }
    std::cout << nlohmann::json{{"parameters", list}, {"size", models::space_size()}}.dump(2) << "\n";
    return kOk;
  }
  std::cout << fmt::format("{:<20} {:>5}  {}\n", "parameter", "count", "values");
  for (const auto& p : params) {
    std::string values;
    for (auto v : p.values) values += (values.empty() ? "" : ", ") + display_value(v, p.unit);
    if (p.unit == "GB/s") values += " GB/s";
    std::cout << fmt::format("{:<20} {:>5}  {}\n", p.name, p.values.size(), values);
  }
  // Thousands separators make the 9-digit size readable.
  std::string size = std::to_string(models::space_size());
  for (int i = static_cast<int>(size.size()) - 3; i > 0; i -= 3) size.insert(i, ",");
  std::cout << "\nsize: " << size << " designs\n";
  return kOk;
}

struct ReasonGroup {
  int64_t count = 0;
  std::string example;  // first message seen in this group
};

int sample_space(int64_t samples, const std::string& workload, double budget, uint64_t seed,
                 const std::string& tech_path, bool json) {
  if (samples <= 0) throw UsageError("--sample must be a positive number of designs");
  if (!(budget > 0)) throw UsageError("--area-budget must be a positive area in mm^2");
  const workloads::Network network = workloads::load_workload(workload);
  const models::Technology tech = models::load_technology(tech_path);

  std::mt19937_64 rng(seed);
  int64_t compiled = 0, fits = 0, both = 0;
  std::map<std::string, ReasonGroup> reasons;  // by memory kind that did not suffice
  for (int64_t i = 0; i < samples; ++i) {
    const models::ArchConfig arch = models::decode(models::sample_uniform(rng));
    const bool fit = models::area(arch, tech).total_mm2 <= budget;
    const models::CompileResult result = models::compile(network, arch);
    fits += fit;
    compiled += result.ok();
    both += fit && result.ok();
    if (!result.ok()) {
      const auto& why = *result.infeasible;
      auto& group = reasons[why.memory.empty() ? std::string("other") : why.memory];
      if (group.count++ == 0) group.example = why.message;
    }
  }
  std::vector<std::pair<std::string, ReasonGroup>> sorted(reasons.begin(), reasons.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
  const double n = static_cast<double>(samples);

  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [memory, g] : sorted) {
      list.push_back({{"memory", memory}, {"count", g.count}, {"fraction", g.count / n},
                      {"example", g.example}});
    }
    const nlohmann::json out = {
        {"workload", network.name},
        {"samples", samples},
        {"seed", seed},
        {"area_budget_mm2", budget},
        {"compile", {{"count", compiled}, {"fraction", compiled / n}}},
        {"fit_budget", {{"count", fits}, {"fraction", fits / n}}},
        {"both", {{"count", both}, {"fraction", both / n}}},
        {"compile_failures", list}};
    std::cout << out.dump(2) << "\n";
    return kOk;
  }
  std::cout << fmt::format("{} designs drawn uniformly (seed {}), workload {}, area budget {} mm^2\n\n",
                           samples, seed, network.name, budget);
  auto row = [&](const char* what, int64_t count) {
    std::cout << fmt::format("  {:<22} {:>8} {:>7.1f}%\n", what, count, 100.0 * count / n);
  };
  row("compile", compiled);
  row("fit the area budget", fits);
  row("both (feasible)", both);
  if (!sorted.empty()) {
    std::cout << fmt::format("\ncompile failures by the memory that is too small ({} designs):\n",
                             samples - compiled);
    for (const auto& [memory, g] : sorted) {
      std::cout << fmt::format("  {:<22} {:>8} {:>7.1f}%  e.g. {}\n", memory, g.count,
                               100.0 * g.count / n, g.example);
    }
  }
  return kOk;
}

}  // namespace

int run_space(const std::vector<std::string>& args) {
  int64_t samples = 0;
  std::string workload;
  double budget = 0;
  uint64_t seed = 1;
  std::string tech_path = models::default_technology_path();
  po::options_description options("Options");
  options.add_options()
      ("sample", po::value(&samples), "draw N random designs and report how many compile and fit")
      ("workload", po::value(&workload), "with --sample: zoo name or workload file")
      ("area-budget", po::value(&budget), "with --sample: area budget in mm^2")
      ("seed", po::value(&seed), "with --sample: random seed (default 1)")
      ("tech", po::value(&tech_path), "technology file (default: configs/tech/tech16nm.yaml)")
      ("json", "print JSON instead of a table");
  po::variables_map vm;
  if (!parse_options(args,
                     "space [--json]\n       apollo space --sample N --workload W --area-budget B "
                     "[--seed S] [--tech FILE] [--json]",
                     options, {}, vm)) {
    return kOk;
  }
  const bool json = vm.count("json") > 0;
  if (!vm.count("sample")) {
    for (const char* opt : {"workload", "area-budget", "seed"}) {
      if (vm.count(opt)) throw UsageError(std::string("--") + opt + " needs --sample N");
    }
    return print_space(json);
  }
  if (!vm.count("workload")) throw UsageError("--sample needs --workload (a zoo name or file)");
  if (!vm.count("area-budget")) throw UsageError("--sample needs --area-budget (mm^2)");
  return sample_space(samples, workload, budget, seed, tech_path, json);
}

}  // namespace apollo::cli
