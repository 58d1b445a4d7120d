#include "cli/command.hpp"

#include <iostream>

namespace po = boost::program_options;

namespace apollo::cli {

bool parse_options(const std::vector<std::string>& args, const std::string& usage,
                   const po::options_description& options,
                   const po::positional_options_description& positional,
                   po::variables_map& vm) {
  po::options_description all(options);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: apollo " << usage << "\n\n" << all << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see --help)");
  }
  return true;
}

}  // namespace apollo::cli
