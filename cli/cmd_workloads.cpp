#include "cli/command.hpp"
namespace apollo::cli {
int run_workloads(const std::vector<std::string>&) { throw UsageError("not implemented yet"); }
}  // namespace apollo::cli
