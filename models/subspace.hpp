// A sub-space of the design space (docs/architecture.md section 2): each of the ten
// parameters may take only some of its grid values. Used to search (or
// enumerate exhaustively) a small, fully known part of the space.
//
// File format (configs/spaces/*.yaml):
//   parameters:              # each listed parameter may take only these values
//     pe_x: [2, 4, 8]        # (each on the full grid, no repeats)
//     core_memory: [1024, 4096]
// Every parameter not listed is fixed at its value in a baseline architecture
// (the study's --baseline), so a sub-space is always a product of value sets.
//
// A sub-space design is a vector of sub-indices, one per parameter (all ten,
// in docs/architecture.md order; a fixed parameter has cardinality 1): sub-index i of
// parameter k means the k-th parameter's i-th allowed value. Optimizers see
// only these; stored trials keep full-space indices and values, so they stay
// meaningful outside the sub-space.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/arch.hpp"
#include "models/space.hpp"

namespace apollo::models {

class SubSpace {
 public:
  // The whole design space (every value allowed).
  SubSpace();
  // allowed[k]: ascending, distinct full-space indices of parameter k (at
  // least one each). Throws ConfigError when that does not hold.
  explicit SubSpace(std::vector<std::vector<int>> allowed, std::string source = "");

  // Number of allowed values per parameter (what the optimizer sees).
  std::vector<int> cardinalities() const;
  uint64_t size() const;  // product of the cardinalities
  const std::vector<std::vector<int>>& allowed() const { return allowed_; }
  // The parameter values allowed (full grid values), per parameter.
  std::vector<std::vector<int64_t>> allowed_values() const;
  // The file it was loaded from ("" when built in code).
  const std::string& source() const { return source_; }
  // Parameters with more than one allowed value.
  std::vector<std::string> varied_parameters() const;

  // Sub-indices -> full-space indices; throws ConfigError when a sub-index
  // is out of range.
  DesignIndices to_full(const std::vector<int>& sub) const;
  // Full-space indices -> sub-indices, nullopt when the design lies outside.
  std::optional<std::vector<int>> from_full(const DesignIndices& full) const;
  bool contains(const DesignIndices& full) const { return from_full(full).has_value(); }
  // Every design of `other` lies in this sub-space.
  bool includes(const SubSpace& other) const;
  ArchConfig decode(const std::vector<int>& sub, const TemplateConstants& constants = {}) const;

  // Mixed radix over the sub-space (first parameter most significant, as
  // models::flat_index): enumeration in [0, size()).
  uint64_t flat_index(const std::vector<int>& sub) const;
  std::vector<int> at(uint64_t flat) const;  // throws ConfigError when flat >= size()

  // For the study store: every parameter's allowed values, by name.
  nlohmann::json to_json() const;
  // Throws ConfigError naming the parameter when the JSON does not describe
  // a sub-space of the grid.
  static SubSpace from_json(const nlohmann::json& j);

  bool operator==(const SubSpace& other) const { return allowed_ == other.allowed_; }

 private:
  std::vector<std::vector<int>> allowed_;
  std::string source_;
};

// Parses a sub-space file's text; parameters not listed take baseline's
// value (which must be on the grid). Errors (ConfigError) name `source`, the
// line when known, the key and the allowed values.
SubSpace parse_subspace(const std::string& yaml_text, const std::string& source, const ArchConfig& baseline);
SubSpace load_subspace(const std::string& path, const ArchConfig& baseline);

}  // namespace apollo::models
