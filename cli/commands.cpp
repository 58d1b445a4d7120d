// The command table: one line per command, in the order `apollo --help` lists them.
#include "cli/command.hpp"

namespace apollo::cli {

int run_workloads(const std::vector<std::string>& args);
int run_space(const std::vector<std::string>& args);
int run_area(const std::vector<std::string>& args);
int run_estimate(const std::vector<std::string>& args);
int run_simulate(const std::vector<std::string>& args);
int run_search(const std::vector<std::string>& args);
int run_study(const std::vector<std::string>& args);
int run_bench(const std::vector<std::string>& args);

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"workloads", "list the built-in networks, show one, import ONNX / SCALE-Sim files", run_workloads},
      {"space", "the design space: parameters, values, size; sample how much of it is feasible", run_space},
      {"area", "silicon area of an architecture, by component", run_area},
      {"estimate", "compile a workload for an architecture: mapping, data homes, analytical bounds", run_estimate},
      {"simulate", "simulate a workload on an architecture (SystemC/TLM-2.0): cycles, limiters, traces", run_simulate},
      {"search", "search the design space under an area budget; results go to a study database", run_search},
      {"study", "list, show, export, plot stored studies; write a study's best design", run_study},
      {"bench", "benchmark Apollo itself: evaluation time per network, search trials/s, worker memory, scaling", run_bench},
  };
  return table;
}

}  // namespace apollo::cli
