// Analytical area model (DESIGN.md section 4). Constants come from a
// technology file (configs/tech/), each with its source written beside it.
#pragma once

#include <string>
#include <vector>

#include "models/arch.hpp"

namespace apollo::models {

struct Technology;  // defined by the area model implementation (models/area_tech.hpp or below)

struct AreaItem {
  std::string component;  // e.g. "parameter_memory", "mac_lanes", "io_phy"
  long long count = 1;    // instances
  double mm2 = 0;         // total for all instances
};

struct AreaBreakdown {
  std::vector<AreaItem> items;
  double total_mm2 = 0;   // sum of items
};

}  // namespace apollo::models
