#include "models/space.hpp"

#include <algorithm>
#include <cstdio>

#include "models/arch_io.hpp"

namespace apollo::models {

namespace {

std::vector<int64_t> powers_of_two(int from, int to) {
  std::vector<int64_t> v;
  for (int e = from; e <= to; ++e) v.push_back(int64_t{1} << e);
  return v;
}

std::string list_values(const SpaceParameter& p) {
  std::string out;
  for (auto v : p.values) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

void check_indices(const DesignIndices& indices) {
  const auto& params = space_parameters();
  if (indices.size() != params.size()) {
    throw ConfigError("design has " + std::to_string(indices.size()) + " indices, expected " +
                      std::to_string(params.size()) + " (one per parameter)");
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (indices[i] < 0 || indices[i] >= static_cast<int>(params[i].values.size())) {
      throw ConfigError("parameter '" + params[i].name + "': index " + std::to_string(indices[i]) +
                        " is out of range [0, " + std::to_string(params[i].values.size() - 1) + "]");
    }
  }
}

}  // namespace

const std::vector<SpaceParameter>& space_parameters() {
  // docs/architecture.md section 2, in table order; names match arch_parameters().
  static const std::vector<SpaceParameter> params = {
      {"pe_x", "", {1, 2, 4, 6, 8, 10, 12, 14, 16, 32}},
      {"pe_y", "", {1, 2, 4, 6, 8, 10, 12, 14, 16, 32}},
      {"simd_lanes", "", {4, 8, 16, 32, 64, 128, 256}},
      {"cores_per_pe", "", {1, 2, 4, 6, 8, 10, 12, 14, 16, 32}},
      {"parameter_memory", "bytes", powers_of_two(18, 24)},
      {"activation_memory", "bytes", powers_of_two(12, 22)},
      {"core_memory", "bytes", powers_of_two(8, 14)},
      {"instruction_memory", "bytes", {8192, 16384, 32768, 65536}},
      {"pe_memory", "bytes", powers_of_two(11, 15)},
      {"io_bandwidth_gbps", "GB/s", {5, 10, 16, 20, 25, 30}},
  };
  return params;
}

std::vector<std::string> parameter_names() {
  std::vector<std::string> names;
  for (const auto& p : space_parameters()) names.push_back(p.name);
  return names;
}

std::vector<int> cardinalities() {
  std::vector<int> card;
  for (const auto& p : space_parameters()) card.push_back(static_cast<int>(p.values.size()));
  return card;
}

uint64_t space_size() {
  uint64_t size = 1;
  for (int c : cardinalities()) size *= static_cast<uint64_t>(c);
  return size;
}

DesignIndices encode(const ArchConfig& arch) {
  const auto& params = space_parameters();
  const auto& fields = arch_parameters();
  DesignIndices indices(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const double value = fields[i].get(arch);
    const auto& values = params[i].values;
    const auto it = std::find_if(values.begin(), values.end(),
                                 [&](int64_t v) { return static_cast<double>(v) == value; });
    if (it == values.end()) {
      char text[64];
      std::snprintf(text, sizeof text, "%.17g", value);
      throw ConfigError("parameter '" + params[i].name + "' = " + text +
                        " is not on the design-space grid (allowed: " + list_values(params[i]) + ")");
    }
    indices[i] = static_cast<int>(it - values.begin());
  }
  return indices;
}

ArchConfig decode(const DesignIndices& indices, const TemplateConstants& constants) {
  check_indices(indices);
  const auto& params = space_parameters();
  const auto& fields = arch_parameters();
  ArchConfig arch;
  arch.constants = constants;
  for (std::size_t i = 0; i < params.size(); ++i) {
    fields[i].set(arch, static_cast<double>(params[i].values[indices[i]]));
  }
  return arch;
}

uint64_t flat_index(const DesignIndices& indices) {
  check_indices(indices);
  const auto card = cardinalities();
  uint64_t flat = 0;
  for (std::size_t i = 0; i < card.size(); ++i) flat = flat * card[i] + indices[i];
  return flat;
}

DesignIndices from_flat_index(uint64_t flat) {
  if (flat >= space_size()) {
    throw ConfigError("flat design index " + std::to_string(flat) + " is out of range [0, " +
                      std::to_string(space_size() - 1) + "]");
  }
  const auto card = cardinalities();
  DesignIndices indices(card.size());
  for (std::size_t i = card.size(); i-- > 0;) {
    indices[i] = static_cast<int>(flat % card[i]);
    flat /= card[i];
  }
  return indices;
}

DesignIndices sample_uniform(std::mt19937_64& rng) {
  const auto card = cardinalities();
  DesignIndices indices(card.size());
  for (std::size_t i = 0; i < card.size(); ++i) {
    indices[i] = std::uniform_int_distribution<int>(0, card[i] - 1)(rng);
  }
  return indices;
}

std::vector<DesignIndices> neighbours(const DesignIndices& indices) {
  check_indices(indices);
  const auto card = cardinalities();
  std::vector<DesignIndices> out;
  for (std::size_t i = 0; i < card.size(); ++i) {
    for (int v = 0; v < card[i]; ++v) {
      if (v == indices[i]) continue;
      out.push_back(indices);
      out.back()[i] = v;
    }
  }
  return out;
}

}  // namespace apollo::models
