// Cost: simulate() can be called many times in one process (a fresh SystemC
// kernel each time), and the largest array (32 x 32 PEs x 32 cores)
// elaborates and runs quickly.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "sim/simulate.hpp"
#include "sim_fixtures.hpp"

namespace apollo::sim {
namespace {

using namespace apollo::sim::testing;

TEST(SimScale, ManyCallsInOneProcess) {
  const auto a = tiny_arch(2, 2, 4, 8);
  const auto program = one_layer_program(a, uniform_layer(a, {tile(3, 256, 40, 256, 576, 4)}, {0, 1, 2, 3}));
  const int64_t first = simulate({}, program).total_cycles;
  for (int i = 0; i < 300; ++i) ASSERT_EQ(simulate({}, program).total_cycles, first);
}

// SimOptions::teardown = false (forked evaluation workers): the same
// result, and the caller's kernel is current again afterwards. Run in a
// forked child that exits at once, as a worker does, so the memory left to
// the OS is not reported as a leak under the sanitizers.
TEST(SimScale, WithoutTeardownSameResultAndTheCallerCanGoOn) {
  const auto a = tiny_arch(4, 4, 2, 8);
  std::vector<int> all(16);
  for (int p = 0; p < 16; ++p) all[static_cast<size_t>(p)] = p;
  const auto program = one_layer_program(a, uniform_layer(a, {tile(5, 256, 40, 256, 576, 2)}, all));
  const int64_t expected = simulate({}, program).total_cycles;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SimOptions keep;
    keep.teardown = false;
    int64_t cycles[2] = {simulate({}, program, keep).total_cycles, simulate({}, program).total_cycles};
    const bool written = write(fds[1], cycles, sizeof cycles) == static_cast<ssize_t>(sizeof cycles);
    _exit(written ? 0 : 1);
  }
  close(fds[1]);
  int64_t cycles[2] = {-1, -1};
  const ssize_t n = read(fds[0], cycles, sizeof cycles);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof cycles));
  EXPECT_EQ(cycles[0], expected);
  EXPECT_EQ(cycles[1], expected);
}

// 1024 PEs x 32 cores, every PE running 4 double-buffered tiles on all cores.
// Loads of 1 KiB (16 network cycles) from 1024 PEs queue on the shared
// network, which therefore sets the time: at least 4 x 1024 x (16 + 4) cycles
// of load and store traffic.
TEST(SimScale, LargestArray) {
  const auto a = tiny_arch(32, 32, 32, 256);
  std::vector<int> all(1024);
  for (int p = 0; p < 1024; ++p) all[static_cast<size_t>(p)] = p;
  auto layer = uniform_layer(a, {tile(4, 768, 256, 256, 4096, 32)}, all);
  layer.double_buffered = true;
  const auto start = std::chrono::steady_clock::now();
  const SimResult r = simulate({}, one_layer_program(a, layer));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.channel(Channel::Network).busy_cycles, 4 * 1024 * (16 + 4));
  EXPECT_GE(r.total_cycles, r.channel(Channel::Network).busy_cycles);
  EXPECT_EQ(r.layers[0].limiter, models::Limiter::Network);
  EXPECT_EQ(r.core_busy.size(), 32768u);
  // 4 tiles x (ceil(4096 / 256) + 4) = 80 busy cycles for every core
  for (double b : r.core_busy) EXPECT_DOUBLE_EQ(b, 80.0 / static_cast<double>(r.total_cycles));
  EXPECT_LT(seconds, 2.0) << "elaborating and running 32,768 cores should be quick";
}

}  // namespace
}  // namespace apollo::sim
