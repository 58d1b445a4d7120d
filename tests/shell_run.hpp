// Runs a command line through the shell and captures what it prints: the one
// helper the CLI tests use to drive the built `apollo` binary (APOLLO_BINARY)
// and, for MPI, mpirun.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace apollo::testing {

enum class Stderr {
  Discard,  // 2>/dev/null: `out` is stdout only (what --json promises to keep clean)
  Merge,    // 2>&1: `out` holds both, as a person sees them
  Capture,  // stdout in `out`, stderr in `err`
};

struct ShellResult {
  int code = -1;    // exit code; -1 when the command could not start or died by a signal
  std::string out;  // stdout (plus stderr with Stderr::Merge)
  std::string err;  // stderr, only with Stderr::Capture
};

inline ShellResult run_shell(const std::string& command, Stderr stderr_mode = Stderr::Discard) {
  static std::atomic<int> counter{0};
  std::filesystem::path err_file;
  std::string redirect = " 2>/dev/null";
  if (stderr_mode == Stderr::Merge) redirect = " 2>&1";
  if (stderr_mode == Stderr::Capture) {
    err_file = std::filesystem::temp_directory_path() /
               ("apollo_test_stderr_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    redirect = " 2>" + err_file.string();
  }
  ShellResult r;
  FILE* pipe = popen((command + redirect).c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!err_file.empty()) {
    std::ifstream in(err_file);
    r.err.assign(std::istreambuf_iterator<char>(in), {});
    std::error_code ignored;
    std::filesystem::remove(err_file, ignored);
  }
  return r;
}

// `apollo <args>` of this build.
inline ShellResult run_apollo(const std::string& args, Stderr stderr_mode = Stderr::Discard) {
  return run_shell(std::string(APOLLO_BINARY) + " " + args, stderr_mode);
}

}  // namespace apollo::testing
