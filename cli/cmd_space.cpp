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
#include "models/space.hpp"

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
  (void)samples; (void)budget; (void)seed;
  throw UsageError("--sample: the compiler is not available in this build yet");
}

}  // namespace apollo::cli
