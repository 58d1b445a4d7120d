#include "models/arch_io.hpp"

#include <dlfcn.h>
#include <errno.h>  // program_invocation_name (glibc)

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include "models/arch_io_yaml.hpp"

namespace apollo::models {

namespace yaml_fields {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace yaml_fields

namespace {

using namespace yaml_fields;

// Integers as integers (never 1e+18), reals in shortest round-trip form.
template <typename Struct>
std::string field_text(const FieldInfo<Struct>& f, const Struct& s) {
  const double v = f.get(s);
  if (f.boolean) return v != 0 ? "true" : "false";
  return f.integral ? std::to_string(static_cast<long long>(v)) : format_number(v);
}

template <typename Struct, std::size_t N>
void check_positive(const std::array<FieldInfo<Struct>, N>& fields, const Struct& s,
                    const std::string& source, const std::string& prefix) {
  for (const auto& f : fields) {
    const double v = f.get(s);
    if (f.boolean) continue;  // a bool holds only true or false
    if (!std::isfinite(v) || v <= 0 || v > f.max || (f.integral && v != std::floor(v))) {
      throw ConfigError(source + ": key '" + prefix + f.name + "': value " + format_number(v) +
                        " is not allowed: " + allowed_text(f.integral, f.max));
    }
  }
}

// Applies a map of constants onto `constants`; unknown and duplicate keys are errors.
void read_constants(const YAML::Node& map, const std::string& source, const std::string& prefix,
                    TemplateConstants& constants) {
  if (!map.IsMap()) {
    const std::string name = prefix.empty() ? "<top level>" : prefix.substr(0, prefix.size() - 1);
    throw ConfigError(where(source, map) + ": '" + name + "' must be a mapping of constant names to values (" +
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

}  // namespace

const std::array<FieldInfo<ArchConfig>, 10>& arch_parameters() {
  using A = ArchConfig;
  static const std::array<FieldInfo<A>, 10> fields = {
      field<A, &A::pe_x>("pe_x", true, kInt64Max),
      field<A, &A::pe_y>("pe_y", true, kInt64Max),
      field<A, &A::simd_lanes>("simd_lanes", true, kInt64Max),
      field<A, &A::cores_per_pe>("cores_per_pe", true, kInt64Max),
      field<A, &A::parameter_memory>("parameter_memory", true, kInt64Max),
      field<A, &A::activation_memory>("activation_memory", true, kInt64Max),
      field<A, &A::core_memory>("core_memory", true, kInt64Max),
      field<A, &A::instruction_memory>("instruction_memory", true, kInt64Max),
      field<A, &A::pe_memory>("pe_memory", true, kInt64Max),
      field<A, &A::io_bandwidth_gbps>("io_bandwidth_gbps", false, kRealMax),
  };
  return fields;
}

const std::array<FieldInfo<TemplateConstants>, 12>& template_constant_fields() {
  using T = TemplateConstants;
  static const std::array<FieldInfo<T>, 12> fields = {
      field<T, &T::clock_ghz>("clock_ghz", false, kRealMax),
      field<T, &T::data_bytes>("data_bytes", true, kIntMax),
      field<T, &T::accumulator_bytes>("accumulator_bytes", true, kIntMax),
      field<T, &T::network_bytes_per_cycle>("network_bytes_per_cycle", true, kIntMax),
      field<T, &T::dram_latency_cycles>("dram_latency_cycles", true, kIntMax),
      field<T, &T::dram_burst_bytes>("dram_burst_bytes", true, kIntMax),
      field<T, &T::dram_efficiency>("dram_efficiency", false, 1.0),  // a share of the peak: (0, 1]
      field<T, &T::instruction_bytes>("instruction_bytes", true, kIntMax),
      field<T, &T::core_pipeline_cycles>("core_pipeline_cycles", true, kIntMax),
      field<T, &T::pe_dispatch_cycles>("pe_dispatch_cycles", true, kIntMax),
      field<T, &T::pe_memory_bytes_per_cycle>("pe_memory_bytes_per_cycle", true, kIntMax),
      flag<T, &T::network_multicast>("network_multicast"),
  };
  return fields;
}

void validate(const ArchConfig& arch, const std::string& source) {
  check_positive(arch_parameters(), arch, source, "");
  check_positive(template_constant_fields(), arch.constants, source, "constants.");
  // Products checked without overflow: each factor is positive and finite here.
  const double pes = static_cast<double>(arch.pe_x) * static_cast<double>(arch.pe_y);
  if (pes > static_cast<double>(ArchConfig::kMaxPes)) {
    throw ConfigError(source + ": keys 'pe_x' x 'pe_y': " + std::to_string(arch.pe_x) + " x " +
                      std::to_string(arch.pe_y) + " PEs is more than the simulator accepts (" +
                      std::to_string(ArchConfig::kMaxPes) + " PEs; the search grid's largest array is 32 x 32)");
  }
  if (pes * static_cast<double>(arch.cores_per_pe) > static_cast<double>(ArchConfig::kMaxCores)) {
    throw ConfigError(source + ": key 'cores_per_pe': " + std::to_string(arch.cores_per_pe) + " cores on each of " +
                      std::to_string(arch.num_pes()) + " PEs is more than the simulator accepts (" +
                      std::to_string(ArchConfig::kMaxCores) + " cores in all)");
  }
}

ArchConfig parse_arch(const std::string& yaml_text, const std::string& source,
                      const TemplateConstants& defaults) {
  const YAML::Node root = parse(yaml_text, source);
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
  const YAML::Node root = parse(read_text(path), path);
  TemplateConstants constants;
  read_constants(root, path, "", constants);
  return constants;
}

namespace {

// APOLLO_DATA_DIR if set; else the installed layout: <prefix>/bin/apollo, <prefix>/lib/.../apollo/_apollo*.so
// (the Python module) and <prefix>/share/apollo/configs. The binary that
// holds this code (program or module) is found with dladdr, so a moved
// prefix still finds its own configs; the build tree has no share/apollo
// above it and falls back to the source tree.
std::string find_data_dir() {
  namespace fs = std::filesystem;
  // Explicit override, e.g. for programs of other projects that link the
  // installed libraries (they are not under <prefix>/bin).
  if (const char* env = std::getenv("APOLLO_DATA_DIR"); env && env[0] != '\0') return env;
  std::vector<fs::path> binaries;
  static const char anchor = 0;  // any object of this binary (a function pointer would need a cast)
  Dl_info info{};
  // dladdr names the main program by its argv[0] (maybe relative, or found
  // through PATH): the kernel's link is exact.
  if (dladdr(&anchor, &info) != 0 && info.dli_fname && info.dli_fname[0] != '\0' &&
      std::string_view(info.dli_fname) != program_invocation_name) {
    binaries.emplace_back(info.dli_fname);
  } else {
    binaries.emplace_back("/proc/self/exe");
  }
  for (const fs::path& binary : binaries) {
    std::error_code ec;
    const fs::path resolved = fs::canonical(binary, ec);
    if (ec) continue;
    for (fs::path dir = resolved.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      const fs::path candidate = dir / "share" / "apollo";
      if (fs::is_regular_file(candidate / "configs" / "arch" / "edge_baseline.yaml", ec)) return candidate.string();
      if (dir == dir.root_path()) break;
    }
  }
  return APOLLO_SOURCE_DIR;
}

}  // namespace

std::string data_dir() {
  static const std::string dir = find_data_dir();
  return dir;
}

std::string repo_path(const std::string& relative) { return data_dir() + "/" + relative; }

std::string baseline_arch_path() { return repo_path("configs/arch/edge_baseline.yaml"); }

std::string template_constants_path() { return repo_path("configs/tech/template.yaml"); }

ArchConfig load_baseline_arch() { return load_arch(baseline_arch_path()); }

}  // namespace apollo::models
