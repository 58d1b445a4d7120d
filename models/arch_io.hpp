// Architecture configuration files: YAML <-> ArchConfig, and validation.
//
// File format (configs/arch/*.yaml): the ten searched parameters under the
// same names as the ArchConfig fields, all required, plus an optional
// `constants:` map overriding TemplateConstants (defaults: configs/tech/
// template.yaml, which the in-code defaults of arch.hpp equal). Unknown keys
// are errors so that a typo never silently falls back to a default.
#pragma once

#include <array>
#include <string>

#include "models/arch.hpp"

namespace apollo::models {

// One field of ArchConfig or TemplateConstants, by its file key, with typed
// access so that parsing, saving, validation and the design space share one
// list instead of repeating the names.
template <typename Struct>
struct FieldInfo {
  const char* name;
  bool integral;  // integer-valued (int64 / int); false: any positive real
  double max;     // largest value the field's type holds (int fields: INT_MAX)
  double (*get)(const Struct&);
  void (*set)(Struct&, double);
  bool boolean = false;  // true / false in YAML, 1 / 0 through get and set
};

// The ten searched parameters in docs/architecture.md order.
const std::array<FieldInfo<ArchConfig>, 10>& arch_parameters();
// The template constants in arch.hpp order.
const std::array<FieldInfo<TemplateConstants>, 12>& template_constant_fields();

// The one check of an architecture (loading, the compiler and the simulator
// all call it). Throws ConfigError naming `source` (a file name), the key,
// the value and what is allowed when any parameter or constant is not
// positive, or when the array is larger than the simulator accepts
// (ArchConfig::kMaxPes, kMaxCores).
void validate(const ArchConfig& arch, const std::string& source = "<arch>");

// Parses YAML text; `source` names the text in error messages (a path).
// Constants absent from the text take their values from `defaults`.
ArchConfig parse_arch(const std::string& yaml_text, const std::string& source,
                      const TemplateConstants& defaults = {});
// Reads and parses a file; errors name the path (and the line when known).
ArchConfig load_arch(const std::string& path, const TemplateConstants& defaults = {});

// Serializes every parameter and every constant (so a saved file is complete
// and does not depend on the defaults of the build that reads it back).
std::string to_yaml(const ArchConfig& arch);
// Writes to_yaml(arch) to path; throws ConfigError when the file cannot be written.
void save_arch(const ArchConfig& arch, const std::string& path);

// Template constants file (configs/tech/template.yaml): a flat map of the
// TemplateConstants fields; absent keys keep the in-code default.
TemplateConstants load_template_constants(const std::string& path);

// Where the configs are: $APOLLO_DATA_DIR when set, <prefix>/share/apollo
// for an installed program or Python module (found relative to the binary
// itself), else the source tree (APOLLO_SOURCE_DIR, the build tree's case).
std::string data_dir();
// Absolute path of a file given relative to data_dir() (e.g. "configs/...").
std::string repo_path(const std::string& relative);
// configs/arch/edge_baseline.yaml and configs/tech/template.yaml, absolute.
std::string baseline_arch_path();
std::string template_constants_path();
// The Edge-TPU-like baseline preset: the reference design of the speedup
// objective and the default architecture of the CLI.
ArchConfig load_baseline_arch();

}  // namespace apollo::models
