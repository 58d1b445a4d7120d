// The `apollo` program's subcommands. Each command is one file cmd_<name>.cpp
// that defines a run function; commands.cpp lists them (one line each).
#pragma once

#include <boost/program_options.hpp>

#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "search/request.hpp"

namespace apollo::cli {

// Exit codes shared by every command.
enum ExitCode : int {
  kOk = 0,
  kInternalError = 1,
  kBadInput = 2,    // unknown option, malformed file, invalid value
  kInfeasible = 3,  // the design cannot run the workload (compiler's reason printed)
};

// Thrown by commands for bad input; main prints "apollo <cmd>: <message>"
// and exits with kBadInput.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The demo study `apollo search` runs without arguments (the README's first
// command): mobilenet_v2 under 6.8 mm^2, regularized evolution, seed 1.
// `apollo bench` measures search throughput on the same study. The values
// live with the study request (search/request.hpp).
inline constexpr int kDemoTrials = search::kDemoTrials;
inline constexpr double kDemoAreaBudgetMm2 = search::kDefaultAreaBudgetMm2;

struct Command {
  std::string name;     // e.g. "workloads"
  std::string summary;  // one line for `apollo --help`
  // Receives the arguments after the command name.
  std::function<int(const std::vector<std::string>& args)> run;
};

const std::vector<Command>& commands();

// Parses args against options (and positional), handling --help: prints
// "Usage: apollo <usage>" plus the options and returns false when help was
// shown. Unknown options throw UsageError.
bool parse_options(const std::vector<std::string>& args, const std::string& usage,
                   const boost::program_options::options_description& options,
                   const boost::program_options::positional_options_description& positional,
                   boost::program_options::variables_map& vm);

}  // namespace apollo::cli
