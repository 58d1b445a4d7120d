// Internal to models/: the YAML reading shared by the architecture, template
// and technology files (one error format for all of them:
// "<file>:<line>: key '<key>': value '<text>' is not allowed: <what is>").
// Not part of the public API; includes yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <string>
#include <type_traits>

#include "models/arch_io.hpp"

namespace apollo::models::yaml_fields {

// Integer fields travel through FieldInfo as doubles: below 2^53 every
// integer survives that exactly.
inline constexpr double kInt64Max = 9007199254740992.0;
inline constexpr double kIntMax = static_cast<double>(INT_MAX);
inline constexpr double kRealMax = 1e300;

// A FieldInfo for `Member` of `Struct`, whatever its arithmetic type.
template <typename Struct, auto Member>
FieldInfo<Struct> field(const char* name, bool integral, double max) {
  using T = std::remove_cvref_t<decltype(std::declval<Struct&>().*Member)>;
  return {name, integral, max, [](const Struct& s) { return static_cast<double>(s.*Member); },
          [](Struct& s, double v) { s.*Member = static_cast<T>(v); }};
}

// A true / false FieldInfo for a bool `Member` of `Struct`.
template <typename Struct, auto Member>
FieldInfo<Struct> flag(const char* name) {
  return {name, true, 1, [](const Struct& s) { return s.*Member ? 1.0 : 0.0; },
          [](Struct& s, double v) { s.*Member = v != 0; }, true};
}

// Shortest text that reads back as the same double (12.5, 16, 0.1).
inline std::string format_number(double v) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

// "file:line" when the node carries a position, else "file".
inline std::string where(const std::string& source, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1);
}

// Map keys must be plain text; a list or map used as a key is a malformed file.
inline std::string key_text(const YAML::Node& key, const std::string& source) {
  if (!key.IsScalar()) throw ConfigError(where(source, key) + ": a key must be a plain name");
  return key.Scalar();
}

inline std::string allowed_text(bool integral, double max) {
  if (integral) {
    return max > kIntMax ? "expected a positive integer (at most 2^53)"
                         : "expected a positive integer (at most " + format_number(max) + ")";
  }
  return max < kRealMax ? "expected a number in (0, " + format_number(max) + "]"
                        : "expected a positive finite number";
}

// Reads one scalar as a positive number of the field's kind.
template <typename Struct>
double read_field(const FieldInfo<Struct>& field, const YAML::Node& value, const std::string& source,
                  const std::string& key_path) {
  if (field.boolean) {
    bool b = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, b)) {
      throw ConfigError(where(source, value) + ": key '" + key_path + "': value '" +
                        (value.IsScalar() ? value.Scalar() : std::string("(not a scalar)")) +
                        "' is not allowed: expected true or false");
    }
    return b ? 1 : 0;
  }
  const std::string allowed = allowed_text(field.integral, field.max);
  if (!value.IsScalar()) {
    throw ConfigError(where(source, value) + ": key '" + key_path + "': value is not a scalar: " +
                      allowed);
  }
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
    throw ConfigError(where(source, value) + ": key '" + key_path + "': value '" + value.Scalar() +
                      "' is not allowed: " + allowed);
  }
  return v;
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

// YAML text -> node; syntax errors become ConfigErrors with the line.
inline YAML::Node parse(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
}

// Whole file as text; a missing or unreadable file is a ConfigError naming it.
std::string read_text(const std::string& path);

}  // namespace apollo::models::yaml_fields
