// The design space searched by Apollo (docs/architecture.md section 2): ten parameters,
// each with a fixed ascending list of values (those of the public PRIME
// dataset), 452,760,000 points in all. A design is encoded as one index per
// parameter, in docs/architecture.md order; optimizers only ever see these indices.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "models/arch.hpp"

namespace apollo::models {

struct SpaceParameter {
  std::string name;             // ArchConfig field name (e.g. "pe_x")
  std::string unit;             // "", "bytes" or "GB/s", for display
  std::vector<int64_t> values;  // ascending; io_bandwidth_gbps values are whole GB/s
};

using DesignIndices = std::vector<int>;  // one index per parameter, same as search::Design

// The ten parameters in docs/architecture.md order.
const std::vector<SpaceParameter>& space_parameters();
std::vector<std::string> parameter_names();
std::vector<int> cardinalities();
uint64_t space_size();  // product of the cardinalities: 452,760,000

// Indices of arch's ten values; throws ConfigError naming the parameter, its
// value and the allowed values when a value is not on the grid.
DesignIndices encode(const ArchConfig& arch);
// The architecture at these indices with the given template constants;
// throws ConfigError naming the parameter when an index is out of range.
ArchConfig decode(const DesignIndices& indices, const TemplateConstants& constants = {});

// Mixed-radix flat index in [0, space_size()) and back (first parameter
// most significant): a compact key for de-duplicating designs.
uint64_t flat_index(const DesignIndices& indices);
DesignIndices from_flat_index(uint64_t flat);

// A design drawn uniformly from the whole space (each parameter independently).
DesignIndices sample_uniform(std::mt19937_64& rng);

// Every design that differs from `indices` in exactly one parameter:
// sum over parameters of (cardinality - 1) designs, parameter by parameter,
// values in ascending order.
std::vector<DesignIndices> neighbours(const DesignIndices& indices);

}  // namespace apollo::models
