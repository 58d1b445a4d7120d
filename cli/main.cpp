// apollo <command> [options]: see `apollo --help`.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "models/arch.hpp"
#include "workloads/graph.hpp"

namespace {

void print_help() {
  std::cout << "Apollo: design-space exploration for edge AI accelerators\n\n"
               "Usage: apollo <command> [options]\n"
               "       apollo <command> --help    options of one command\n"
               "       apollo --version\n\nCommands:\n";
  for (const auto& c : apollo::cli::commands()) {
    std::cout << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ')
              << c.summary << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  // SystemC prints its banner at first use unless told not to.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help();
    return args.empty() ? apollo::cli::kBadInput : apollo::cli::kOk;
  }
  if (args[0] == "--version") {
    std::cout << "apollo " << APOLLO_VERSION << "\n";
    return apollo::cli::kOk;
  }
  for (const auto& c : apollo::cli::commands()) {
    if (c.name != args[0]) continue;
    try {
      return c.run(std::vector<std::string>(args.begin() + 1, args.end()));
    } catch (const apollo::cli::UsageError& e) {
      std::cerr << "apollo " << c.name << ": " << e.what() << "\n";
      return apollo::cli::kBadInput;
    } catch (const apollo::workloads::WorkloadError& e) {
      std::cerr << "apollo " << c.name << ": " << e.what() << "\n";
      return apollo::cli::kBadInput;
    } catch (const apollo::models::ConfigError& e) {
      std::cerr << "apollo " << c.name << ": " << e.what() << "\n";
      return apollo::cli::kBadInput;
    } catch (const std::exception& e) {
      std::cerr << "apollo " << c.name << ": internal error: " << e.what() << "\n";
      return apollo::cli::kInternalError;
    }
  }
  std::cerr << "apollo: unknown command '" << args[0] << "' (see apollo --help)\n";
  return apollo::cli::kBadInput;
}
