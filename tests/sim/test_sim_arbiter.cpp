// The model's arbitration rule (sim/arbiter.hpp), checked alone: oldest
// first; within a cycle the instruction fetch, then stores, then loads,
// each by PE index; grants back to back, never before the request arrived.
#include <gtest/gtest.h>

#include <vector>

#include "sim/arbiter.hpp"

namespace apollo::sim {
namespace {

std::vector<Arbiter::Grant> grant(Arbiter& a) {
  std::vector<Arbiter::Grant> out;
  a.grant(out);
  return out;
}

TEST(SimArbiter, SameCycleRequestsByFixedPriority) {
  Arbiter a;
  // Arrival order within the cycle is the reverse of the rule's order.
  a.request({10, TransferKind::Load, 3, -1, 4, nullptr});
  a.request({10, TransferKind::Load, 1, -1, 4, nullptr});
  a.request({10, TransferKind::Store, 2, -1, 2, nullptr});
  a.request({10, TransferKind::Instructions, -1, -1, 1, nullptr});
  const auto g = grant(a);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[0].request.kind, TransferKind::Instructions);
  EXPECT_EQ(g[1].request.kind, TransferKind::Store);
  EXPECT_EQ(g[2].request.pe, 1);
  EXPECT_EQ(g[3].request.pe, 3);
  // Back to back from the arrival cycle: 10-11, 11-13, 13-17, 17-21.
  EXPECT_EQ(g[0].start, 10);
  EXPECT_EQ(g[1].start, 11);
  EXPECT_EQ(g[2].start, 13);
  EXPECT_EQ(g[3].start, 17);
  EXPECT_EQ(g[3].end, 21);
  EXPECT_EQ(a.free_at(), 21);
}

TEST(SimArbiter, MulticastsAfterStoresBeforeLoadsByGroup) {
  Arbiter a;
  // Two multicasts led by the same PE (an input and a weight group of PE 0)
  // are told apart by their group numbers.
  a.request({0, TransferKind::Load, 0, -1, 1, nullptr});
  a.request({0, TransferKind::Multicast, 0, 5, 1, nullptr});
  a.request({0, TransferKind::Multicast, 0, 2, 1, nullptr});
  a.request({0, TransferKind::Store, 9, -1, 1, nullptr});
  const auto g = grant(a);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[0].request.kind, TransferKind::Store);
  EXPECT_EQ(g[1].request.group, 2);
  EXPECT_EQ(g[2].request.group, 5);
  EXPECT_EQ(g[3].request.kind, TransferKind::Load);
}

TEST(SimArbiter, OlderRequestsFirstWhateverTheirPriority) {
  Arbiter a;
  a.request({5, TransferKind::Load, 7, -1, 10, nullptr});
  EXPECT_EQ(grant(a)[0].start, 5);
  // A store of PE 0 a cycle later waits for the load of PE 7 already granted.
  a.request({6, TransferKind::Store, 0, -1, 1, nullptr});
  const auto g = grant(a);
  EXPECT_EQ(g[0].start, 15);
  EXPECT_EQ(g[0].end, 16);
}

TEST(SimArbiter, AnIdleChannelGrantsAtArrival) {
  Arbiter a;
  a.request({3, TransferKind::Load, 0, -1, 2, nullptr});
  grant(a);
  a.request({30, TransferKind::Load, 0, -1, 1, nullptr});
  const auto g = grant(a);
  EXPECT_EQ(g[0].start, 30);
  EXPECT_FALSE(a.pending());
}

TEST(SimArbiter, RefusesRequestsOfDifferentCyclesPendingTogether) {
  Arbiter a;
  a.request({3, TransferKind::Load, 0, -1, 2, nullptr});
  EXPECT_THROW(a.request({4, TransferKind::Load, 1, -1, 2, nullptr}), std::logic_error);
}

TEST(SimArbiter, ShiftMovesOnlyTheFuture) {
  Arbiter a;
  a.request({0, TransferKind::Load, 0, -1, 10, nullptr});
  grant(a);
  a.shift(4, 100);  // busy until 10 > 4: now busy until 110
  EXPECT_EQ(a.free_at(), 110);
  a.shift(200, 100);  // idle at 200: unchanged
  EXPECT_EQ(a.free_at(), 110);
}

}  // namespace
}  // namespace apollo::sim
