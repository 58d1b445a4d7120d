// libFuzzer target: architecture YAML (models::parse_arch, the loader behind
// load_arch). ConfigError is the loader's documented answer to bad input;
// anything else escaping (or a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/arch_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const apollo::models::ArchConfig arch = apollo::models::parse_arch(text, "fuzz.yaml");
    // A config the loader accepts must survive its own validation and a
    // save/load round trip (what `apollo study best` then `simulate` does).
    apollo::models::validate(arch, "fuzz.yaml");
    (void)apollo::models::parse_arch(apollo::models::to_yaml(arch), "roundtrip.yaml");
  } catch (const apollo::models::ConfigError&) {
  }
  return 0;
}
