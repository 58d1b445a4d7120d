#include "sim/timing.hpp"

#include <algorithm>
#include <cmath>

namespace apollo::sim {

int64_t transfer_cycles(int64_t bytes, double bytes_per_cycle) {
  if (bytes <= 0) return 0;
  return static_cast<int64_t>(std::ceil(static_cast<double>(bytes) / bytes_per_cycle));
}

}  // namespace apollo::sim
