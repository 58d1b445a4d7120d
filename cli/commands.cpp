// The command table: one line per command, in the order `apollo --help` lists them.
#include "cli/command.hpp"

namespace apollo::cli {

int run_workloads(const std::vector<std::string>& args);

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"workloads", "list the built-in networks, show one, import ONNX / SCALE-Sim files", run_workloads},
  };
  return table;
}

}  // namespace apollo::cli
