#include "models/arch_io.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace apollo::models {

namespace {

// Integer fields travel through FieldInfo as doubles: 2^53 is the largest
// bound below which every integer survives that exactly.
constexpr double kInt64Max = 9007199254740992.0;
constexpr double kIntMax = static_cast<double>(INT_MAX);
constexpr double kRealMax = 1e300;

// Shortest text that reads back as the same double (12.5, 16, 0.1).
std::string format_number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, end);
}

// Integers as integers (never 1e+18), reals in shortest round-trip form.
template <typename Struct>
std::string field_text(const FieldInfo<Struct>& f, const Struct& s) {
  const double v = f.get(s);
  return f.integral ? std::to_string(static_cast<long long>(v)) : format_number(v);
}

std::string where(const std::string& source, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1);
}

// Map keys must be plain text; a list or map used as a key is a malformed file.
std::string key_text(const YAML::Node& key, const std::string& source) {
  if (!key.IsScalar()) throw ConfigError(where(source, key) + ": a key must be a plain name");
  return key.Scalar();
}

std::string allowed_text(bool integral, double max) {
  if (!integral) return "expected a positive finite number";
  if (max > kIntMax) return "expected a positive integer (at most 2^53)";
  return "expected a positive integer (at most " + format_number(max) + ")";
}

// Reads one scalar as a positive number of the field's kind; the error names
// the file, line, key, the text found and what is allowed.
template <typename Struct>
double read_field(const FieldInfo<Struct>& field, const YAML::Node& value, const std::string& source,
                  const std::string& key_path) {
  const std::string allowed = allowed_text(field.integral, field.max);
  if (!value.IsScalar()) {
    throw ConfigError(where(source, value) + ": key '" + key_path +
                      "': value is not a scalar: " + allowed);
  }
  const std::string text = value.Scalar();
  double v = 0;
  bool ok = false;
  if (field.integral) {
    long long parsed = 0;
    ok = YAML::convert<long long>::decode(value, parsed);
    v = static_cast<double>(parsed);
  } else {
    ok = YAML::convert<double>::decode(value, v);
  }
  if (!ok || !std::isfinite(v) || v <= 0 || v > field.max) {
    throw ConfigError(where(source, value) + ": key '" + key_path + "': value '" + text +
                      "' is not allowed: " + allowed);
  }
  return v;
}

template <typename Struct, std::size_t N>
void check_positive(const std::array<FieldInfo<Struct>, N>& fields, const Struct& s,
                    const std::string& source, const std::string& prefix) {
  for (const auto& f : fields) {
    const double v = f.get(s);
    if (!std::isfinite(v) || v <= 0 || v > f.max || (f.integral && v != std::floor(v))) {
      throw ConfigError(source + ": key '" + prefix + f.name + "': value " + format_number(v) +
                        " is not allowed: " + allowed_text(f.integral, f.max));
    }
  }
}

template <typename Struct, std::size_t N>
std::string known_keys(const std::array<FieldInfo<Struct>, N>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

template <typename Struct, std::size_t N>
const FieldInfo<Struct>* find_field(const std::array<FieldInfo<Struct>, N>& fields,
                                    const std::string& key) {
  for (const auto& f : fields) {
    if (key == f.name) return &f;
  }
  return nullptr;
}

// Applies a map of constants onto `constants`; unknown and duplicate keys are errors.
void read_constants(const YAML::Node& map, const std::string& source, const std::string& prefix,
                    TemplateConstants& constants) {
  if (!map.IsMap()) {
    throw ConfigError(where(source, map) + ": '" + (prefix.empty() ? "<top level>" : prefix) +
                      "' must be a mapping of constant names to values (" +
                      known_keys(template_constant_fields()) + ")");
  }
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const std::string key = key_text(kv.first, source);
    const auto* field = find_field(template_constant_fields(), key);
    if (field == nullptr) {
      throw ConfigError(where(source, kv.first) + ": unknown key '" + prefix + key +
                        "' (allowed: " + known_keys(template_constant_fields()) + ")");
    }
    if (!seen.insert(key).second) {
      throw ConfigError(where(source, kv.first) + ": key '" + prefix + key + "' appears twice");
    }
    field->set(constants, read_field(*field, kv.second, source, prefix + key));
  }
}

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

const std::array<FieldInfo<ArchConfig>, 10>& arch_parameters() {
  using A = ArchConfig;
  static const std::array<FieldInfo<A>, 10> fields = {{
      {"pe_x", true, kInt64Max, [](const A& a) { return double(a.pe_x); },
       [](A& a, double v) { a.pe_x = int64_t(v); }},
      {"pe_y", true, kInt64Max, [](const A& a) { return double(a.pe_y); },
       [](A& a, double v) { a.pe_y = int64_t(v); }},
      {"simd_lanes", true, kInt64Max, [](const A& a) { return double(a.simd_lanes); },
       [](A& a, double v) { a.simd_lanes = int64_t(v); }},
      {"cores_per_pe", true, kInt64Max, [](const A& a) { return double(a.cores_per_pe); },
       [](A& a, double v) { a.cores_per_pe = int64_t(v); }},
      {"parameter_memory", true, kInt64Max, [](const A& a) { return double(a.parameter_memory); },
       [](A& a, double v) { a.parameter_memory = int64_t(v); }},
      {"activation_memory", true, kInt64Max, [](const A& a) { return double(a.activation_memory); },
       [](A& a, double v) { a.activation_memory = int64_t(v); }},
      {"core_memory", true, kInt64Max, [](const A& a) { return double(a.core_memory); },
       [](A& a, double v) { a.core_memory = int64_t(v); }},
      {"instruction_memory", true, kInt64Max,
       [](const A& a) { return double(a.instruction_memory); },
       [](A& a, double v) { a.instruction_memory = int64_t(v); }},
      {"pe_memory", true, kInt64Max, [](const A& a) { return double(a.pe_memory); },
       [](A& a, double v) { a.pe_memory = int64_t(v); }},
      {"io_bandwidth_gbps", false, kRealMax, [](const A& a) { return a.io_bandwidth_gbps; },
       [](A& a, double v) { a.io_bandwidth_gbps = v; }},
  }};
  return fields;
}

const std::array<FieldInfo<TemplateConstants>, 8>& template_constant_fields() {
  using T = TemplateConstants;
  static const std::array<FieldInfo<T>, 8> fields = {{
      {"clock_ghz", false, kRealMax, [](const T& t) { return t.clock_ghz; },
       [](T& t, double v) { t.clock_ghz = v; }},
      {"data_bytes", true, kIntMax, [](const T& t) { return double(t.data_bytes); },
       [](T& t, double v) { t.data_bytes = int(v); }},
      {"accumulator_bytes", true, kIntMax, [](const T& t) { return double(t.accumulator_bytes); },
       [](T& t, double v) { t.accumulator_bytes = int(v); }},
      {"network_bytes_per_cycle", true, kIntMax,
       [](const T& t) { return double(t.network_bytes_per_cycle); },
       [](T& t, double v) { t.network_bytes_per_cycle = int(v); }},
      {"dram_latency_cycles", true, kIntMax,
       [](const T& t) { return double(t.dram_latency_cycles); },
       [](T& t, double v) { t.dram_latency_cycles = int(v); }},
      {"instruction_bytes", true, kIntMax, [](const T& t) { return double(t.instruction_bytes); },
       [](T& t, double v) { t.instruction_bytes = int(v); }},
      {"core_pipeline_cycles", true, kIntMax,
       [](const T& t) { return double(t.core_pipeline_cycles); },
       [](T& t, double v) { t.core_pipeline_cycles = int(v); }},
      {"pe_dispatch_cycles", true, kIntMax,
       [](const T& t) { return double(t.pe_dispatch_cycles); },
       [](T& t, double v) { t.pe_dispatch_cycles = int(v); }},
  }};
  return fields;
}

void validate(const ArchConfig& arch, const std::string& source) {
  check_positive(arch_parameters(), arch, source, "");
  check_positive(template_constant_fields(), arch.constants, source, "constants.");
}

ArchConfig parse_arch(const std::string& yaml_text, const std::string& source,
                      const TemplateConstants& defaults) {
  const YAML::Node root = parse_yaml(yaml_text, source);
  if (!root.IsMap()) {
    throw ConfigError(source + ": expected a mapping with the keys " + known_keys(arch_parameters()) +
                      " (and optionally constants)");
  }
  ArchConfig arch;
  arch.constants = defaults;
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const std::string key = key_text(kv.first, source);
    if (!seen.insert(key).second) {
      throw ConfigError(where(source, kv.first) + ": key '" + key + "' appears twice");
    }
    if (key == "constants") {
      read_constants(kv.second, source, "constants.", arch.constants);
      continue;
    }
    const auto* field = find_field(arch_parameters(), key);
    if (field == nullptr) {
      throw ConfigError(where(source, kv.first) + ": unknown key '" + key +
                        "' (allowed: " + known_keys(arch_parameters()) + ", constants)");
    }
    field->set(arch, read_field(*field, kv.second, source, key));
  }
  for (const auto& f : arch_parameters()) {
    if (!seen.count(f.name)) {
      throw ConfigError(source + ": missing key '" + std::string(f.name) +
                        "' (all ten parameters are required: " + known_keys(arch_parameters()) + ")");
    }
  }
  validate(arch, source);
  return arch;
}

ArchConfig load_arch(const std::string& path, const TemplateConstants& defaults) {
  return parse_arch(read_text(path), path, defaults);
}

std::string to_yaml(const ArchConfig& arch) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const auto& f : arch_parameters()) {
    out << YAML::Key << f.name << YAML::Value << field_text(f, arch);
  }
  out << YAML::Key << "constants" << YAML::Value << YAML::BeginMap;
  for (const auto& f : template_constant_fields()) {
    out << YAML::Key << f.name << YAML::Value << field_text(f, arch.constants);
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void save_arch(const ArchConfig& arch, const std::string& path) {
  std::ofstream out(path);
  out << to_yaml(arch);
  if (!out) throw ConfigError(path + ": cannot write file");
}

TemplateConstants load_template_constants(const std::string& path) {
  const YAML::Node root = parse_yaml(read_text(path), path);
  TemplateConstants constants;
  read_constants(root, path, "", constants);
  return constants;
}

std::string repo_path(const std::string& relative) {
  return std::string(APOLLO_SOURCE_DIR) + "/" + relative;
}

std::string baseline_arch_path() { return repo_path("configs/arch/edge_baseline.yaml"); }

std::string template_constants_path() { return repo_path("configs/tech/template.yaml"); }

ArchConfig load_baseline_arch() { return load_arch(baseline_arch_path()); }

}  // namespace apollo::models
