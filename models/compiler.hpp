// Compiler / mapper: layer graph x architecture -> Program (see program.hpp),
// or the precise reason it cannot run. Plain C++, no SystemC.
#pragma once

#include <optional>

#include "models/arch.hpp"
#include "models/program.hpp"
#include "workloads/graph.hpp"

namespace apollo::models {

struct CompileResult {
  Program program;                     // valid when ok()
  std::optional<Infeasible> infeasible;
  bool ok() const { return !infeasible.has_value(); }
};

// The network must have had infer_shapes() called (the loaders do this).
CompileResult compile(const workloads::Network& network, const ArchConfig& arch);

}  // namespace apollo::models
