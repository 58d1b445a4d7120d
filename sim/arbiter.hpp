// The model's arbitration rule for a shared channel, in plain C++ so tests
// can check it directly (docs/architecture.md, "Arbitration"):
//  * oldest first: a request is served after every request that reached the
//    channel in an earlier cycle (first come, first served by cycle);
//  * requests that reach the channel in the same cycle are ordered by a
//    fixed priority, as a hardware arbiter would: the controller's
//    instruction fetch, then its preload of the network input, then stores,
//    then multicasts, then loads (TransferKind's order), and within a kind
//    the lower PE index first (multicasts: the lower group number).
// The channel module collects a cycle's requests and grants them together
// once every process of that cycle has run (sim/channel.hpp), so the order in which the
// simulation kernel runs processes never decides a grant.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/events.hpp"

namespace apollo::sim {

class Arbiter {
 public:
  struct Request {
    int64_t arrival = 0;   // cycle the request reached the channel
    TransferKind kind = TransferKind::Load;
    int32_t pe = -1;       // -1: the controller
    int32_t group = -1;    // a multicast's group
    int64_t duration = 0;  // cycles the transfer holds the channel
    void* tag = nullptr;   // the requester's handle, returned with the grant
  };
  struct Grant {
    int64_t start = 0;  // cycle the transfer gets the channel
    int64_t end = 0;    // cycle the channel is free again
    Request request;
  };

  // Arrivals must not go back in time: every pending request arrived in the
  // same cycle, and no earlier than any request already granted.
  void request(const Request& r);
  bool pending() const { return !pending_.empty(); }
  // Grants every pending request in the rule's order, appending to `out`.
  void grant(std::vector<Grant>& out);
  int64_t free_at() const { return free_at_; }
  // Fast-forward: everything after `now` happens `shift` cycles later.
  void shift(int64_t now, int64_t shift) {
    if (free_at_ > now) free_at_ += shift;
  }

 private:
  std::vector<Request> pending_;
  std::array<std::vector<Request>, kTransferKinds> by_kind_;  // scratch of grant()
  int64_t free_at_ = 0;
};

}  // namespace apollo::sim
