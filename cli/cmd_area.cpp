// apollo area: the silicon area of one architecture, by component.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "models/arch_io.hpp"
#include "models/area.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

int run_area(const std::vector<std::string>& args) {
  std::string arch_path = models::baseline_arch_path();
  std::string tech_path = models::default_technology_path();
  po::options_description options("Options");
  options.add_options()
      ("arch", po::value(&arch_path), "architecture YAML file (default: configs/arch/edge_baseline.yaml)")
      ("tech", po::value(&tech_path), "technology file (default: configs/tech/tech16nm.yaml)")
      ("json", "print JSON instead of a table");
  po::variables_map vm;
  if (!parse_options(args, "area [--arch FILE] [--tech FILE] [--json]", options, {}, vm)) return kOk;

  const models::ArchConfig arch = models::load_arch(arch_path);
  const models::Technology tech = models::load_technology(tech_path);
  const models::AreaBreakdown breakdown = models::area(arch, tech);

  if (vm.count("json")) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : breakdown.items) {
      items.push_back({{"component", item.component},
                       {"count", item.count},
                       {"mm2", item.mm2},
                       {"share", item.mm2 / breakdown.total_mm2}});
    }
    const nlohmann::json out = {{"arch", arch_path},
                                {"technology", {{"path", tech_path}, {"node", tech.node}}},
                                {"items", items},
                                {"total_mm2", breakdown.total_mm2}};
    std::cout << out.dump(2) << "\n";
    return kOk;
  }

  std::cout << "Area of " << arch_path << "\n"
            << "technology: " << tech.node << " (" << tech_path << ")\n\n";
  std::cout << fmt::format("{:<22} {:>10} {:>10} {:>7}\n", "component", "count", "mm^2", "share");
  for (const auto& item : breakdown.items) {
    std::cout << fmt::format("{:<22} {:>10} {:>10.4f} {:>6.1f}%\n", item.component, item.count,
                             item.mm2, 100.0 * item.mm2 / breakdown.total_mm2);
  }
  std::cout << fmt::format("{:<22} {:>10} {:>10.4f} {:>6.1f}%\n", "total", "",
                           breakdown.total_mm2, 100.0);
  return kOk;
}

}  // namespace apollo::cli
