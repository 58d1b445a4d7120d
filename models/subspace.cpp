#include "models/subspace.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "models/arch_io.hpp"
#include "models/arch_io_yaml.hpp"

namespace apollo::models {

namespace {

using yaml_fields::format_number;
using yaml_fields::where;

std::string list_values(const std::vector<int64_t>& values) {
  std::string out;
  for (auto v : values) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

std::string list_names() {
  std::string out;
  for (const auto& p : space_parameters()) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

int parameter_position(const std::string& name) {
  const auto& params = space_parameters();
  for (size_t k = 0; k < params.size(); ++k)
    if (params[k].name == name) return static_cast<int>(k);
  return -1;
}

std::vector<std::vector<int>> everything() {
  std::vector<std::vector<int>> all;
  for (const auto& p : space_parameters()) {
    std::vector<int> idx(p.values.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
    all.push_back(std::move(idx));
  }
  return all;
}

}  // namespace

SubSpace::SubSpace() : allowed_(everything()) {}

SubSpace::SubSpace(std::vector<std::vector<int>> allowed, std::string source)
    : allowed_(std::move(allowed)), source_(std::move(source)) {
  const auto& params = space_parameters();
  if (allowed_.size() != params.size())
    throw ConfigError("sub-space has " + std::to_string(allowed_.size()) + " parameters, expected " +
                      std::to_string(params.size()));
  for (size_t k = 0; k < params.size(); ++k) {
    const auto& a = allowed_[k];
    if (a.empty()) throw ConfigError("sub-space: parameter '" + params[k].name + "' has no allowed value");
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] < 0 || a[i] >= static_cast<int>(params[k].values.size()))
        throw ConfigError("sub-space: parameter '" + params[k].name + "': index " + std::to_string(a[i]) +
                          " is not on the grid");
      if (i > 0 && a[i] <= a[i - 1])
        throw ConfigError("sub-space: parameter '" + params[k].name +
                          "': indices must be ascending and distinct");
    }
  }
}

std::vector<int> SubSpace::cardinalities() const {
  std::vector<int> c;
  for (const auto& a : allowed_) c.push_back(static_cast<int>(a.size()));
  return c;
}

uint64_t SubSpace::size() const {
  uint64_t n = 1;
  for (const auto& a : allowed_) n *= a.size();
  return n;
}

std::vector<std::vector<int64_t>> SubSpace::allowed_values() const {
  const auto& params = space_parameters();
  std::vector<std::vector<int64_t>> out;
  for (size_t k = 0; k < allowed_.size(); ++k) {
    std::vector<int64_t> v;
    for (int i : allowed_[k]) v.push_back(params[k].values[static_cast<size_t>(i)]);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::string> SubSpace::varied_parameters() const {
  std::vector<std::string> out;
  for (size_t k = 0; k < allowed_.size(); ++k)
    if (allowed_[k].size() > 1) out.push_back(space_parameters()[k].name);
  return out;
}

DesignIndices SubSpace::to_full(const std::vector<int>& sub) const {
  if (sub.size() != allowed_.size())
    throw ConfigError("sub-space design has " + std::to_string(sub.size()) + " indices, expected " +
                      std::to_string(allowed_.size()));
  DesignIndices full(sub.size());
  for (size_t k = 0; k < sub.size(); ++k) {
    if (sub[k] < 0 || sub[k] >= static_cast<int>(allowed_[k].size()))
      throw ConfigError("sub-space: parameter '" + space_parameters()[k].name + "': sub-index " +
                        std::to_string(sub[k]) + " is out of range [0, " +
                        std::to_string(allowed_[k].size() - 1) + "]");
    full[k] = allowed_[k][static_cast<size_t>(sub[k])];
  }
  return full;
}

std::optional<std::vector<int>> SubSpace::from_full(const DesignIndices& full) const {
  if (full.size() != allowed_.size()) return std::nullopt;
  std::vector<int> sub(full.size());
  for (size_t k = 0; k < full.size(); ++k) {
    const auto& a = allowed_[k];
    const auto it = std::lower_bound(a.begin(), a.end(), full[k]);
    if (it == a.end() || *it != full[k]) return std::nullopt;
    sub[k] = static_cast<int>(it - a.begin());
  }
  return sub;
}

bool SubSpace::includes(const SubSpace& other) const {
  for (size_t k = 0; k < allowed_.size(); ++k)
    if (!std::includes(allowed_[k].begin(), allowed_[k].end(), other.allowed_[k].begin(), other.allowed_[k].end()))
      return false;
  return true;
}

ArchConfig SubSpace::decode(const std::vector<int>& sub, const TemplateConstants& constants) const {
  return models::decode(to_full(sub), constants);
}

uint64_t SubSpace::flat_index(const std::vector<int>& sub) const {
  to_full(sub);  // range check
  uint64_t flat = 0;
  for (size_t k = 0; k < sub.size(); ++k) flat = flat * allowed_[k].size() + static_cast<uint64_t>(sub[k]);
  return flat;
}

std::vector<int> SubSpace::at(uint64_t flat) const {
  if (flat >= size())
    throw ConfigError("sub-space design number " + std::to_string(flat) + " is out of range [0, " +
                      std::to_string(size() - 1) + "]");
  std::vector<int> sub(allowed_.size());
  for (size_t k = allowed_.size(); k-- > 0;) {
    sub[k] = static_cast<int>(flat % allowed_[k].size());
    flat /= allowed_[k].size();
  }
  return sub;
}

nlohmann::json SubSpace::to_json() const {
  nlohmann::json params = nlohmann::json::object();
  const auto values = allowed_values();
  for (size_t k = 0; k < values.size(); ++k) params[space_parameters()[k].name] = values[k];
  return {{"source", source_}, {"parameters", params}};
}

SubSpace SubSpace::from_json(const nlohmann::json& j) {
  const auto& params = space_parameters();
  std::vector<std::vector<int>> allowed(params.size());
  try {
    const auto& p = j.at("parameters");
    for (size_t k = 0; k < params.size(); ++k) {
      for (const auto v : p.at(params[k].name).get<std::vector<int64_t>>()) {
        const auto& grid = params[k].values;
        const auto it = std::find(grid.begin(), grid.end(), v);
        if (it == grid.end())
          throw ConfigError("stored sub-space: parameter '" + params[k].name + "' value " + std::to_string(v) +
                            " is not on the grid");
        allowed[k].push_back(static_cast<int>(it - grid.begin()));
      }
      std::sort(allowed[k].begin(), allowed[k].end());
    }
    return SubSpace(std::move(allowed), j.value("source", ""));
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("stored sub-space is malformed: ") + e.what());
  }
}

SubSpace parse_subspace(const std::string& yaml_text, const std::string& source, const ArchConfig& baseline) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source + ": malformed YAML: " + e.what());
  }
  const std::string usage = "expected a mapping with the key 'parameters' (parameter: [values, ...])";
  if (!root.IsMap()) throw ConfigError(source + ": " + usage);
  YAML::Node listed;
  bool found = false;
  for (const auto& kv : root) {
    const std::string key = yaml_fields::key_text(kv.first, source);
    if (key != "parameters")
      throw ConfigError(where(source, kv.first) + ": unknown key '" + key + "' (allowed: parameters)");
    listed = kv.second;
    found = true;
  }
  if (!found) throw ConfigError(source + ": missing key 'parameters'");
  if (!listed.IsMap())
    throw ConfigError(where(source, listed) + ": key 'parameters': " + usage + " (parameters: " + list_names() + ")");

  const auto& params = space_parameters();
  const auto& fields = arch_parameters();
  std::vector<std::vector<int>> allowed(params.size());
  std::vector<bool> given(params.size(), false);
  for (const auto& kv : listed) {
    const std::string name = yaml_fields::key_text(kv.first, source);
    const int k = parameter_position(name);
    if (k < 0)
      throw ConfigError(where(source, kv.first) + ": unknown parameter 'parameters." + name +
                        "' (parameters: " + list_names() + ")");
    const auto& grid = params[static_cast<size_t>(k)].values;
    const std::string key = "key 'parameters." + name + "'";
    const std::string expected = "expected a non-empty list of distinct values from: " + list_values(grid);
    if (given[static_cast<size_t>(k)]) throw ConfigError(where(source, kv.first) + ": " + key + " given twice");
    given[static_cast<size_t>(k)] = true;
    const YAML::Node& list = kv.second;
    if (!list.IsSequence() || list.size() == 0) throw ConfigError(where(source, list) + ": " + key + ": " + expected);
    for (const auto& item : list) {
      double v = 0;
      if (!item.IsScalar() || !YAML::convert<double>::decode(item, v))
        throw ConfigError(where(source, item) + ": " + key + ": value is not a number: " + expected);
      const auto it = std::find_if(grid.begin(), grid.end(), [&](int64_t g) { return static_cast<double>(g) == v; });
      if (it == grid.end())
        throw ConfigError(where(source, item) + ": " + key + ": value '" + item.Scalar() +
                          "' is not on the design-space grid (allowed: " + list_values(grid) + ")");
      const int idx = static_cast<int>(it - grid.begin());
      auto& a = allowed[static_cast<size_t>(k)];
      if (std::find(a.begin(), a.end(), idx) != a.end())
        throw ConfigError(where(source, item) + ": " + key + ": value '" + item.Scalar() + "' is listed twice");
      a.push_back(idx);
    }
    std::sort(allowed[static_cast<size_t>(k)].begin(), allowed[static_cast<size_t>(k)].end());
  }
  // Parameters not listed stay at the baseline's value.
  for (size_t k = 0; k < params.size(); ++k) {
    if (given[k]) continue;
    const double value = fields[k].get(baseline);
    const auto& grid = params[k].values;
    const auto it = std::find_if(grid.begin(), grid.end(), [&](int64_t g) { return static_cast<double>(g) == value; });
    if (it == grid.end())
      throw ConfigError(source + ": parameter '" + params[k].name + "' is not listed, so it takes the baseline's value " +
                        format_number(value) + ", which is not on the design-space grid (allowed: " +
                        list_values(grid) + "); list its values in the sub-space file");
    allowed[k].push_back(static_cast<int>(it - grid.begin()));
  }
  return SubSpace(std::move(allowed), source);
}

SubSpace load_subspace(const std::string& path, const ArchConfig& baseline) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open the sub-space file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_subspace(text.str(), path, baseline);
}

}  // namespace apollo::models
