#include "sim/arbiter.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace apollo::sim {

void Arbiter::request(const Request& r) {
  if (!pending_.empty() && r.arrival != pending_.front().arrival) {
    throw std::logic_error("arbiter: requests of different cycles pending together");
  }
  pending_.push_back(r);
}

void Arbiter::grant(std::vector<Grant>& out) {
  // (kind, pe, group) is unique within a cycle: a PE has at most one load
  // and one store in flight, the controller one instruction fetch, a group
  // one multicast (a multicast's pe is its first member, not unique).
  if (pending_.size() > 1) {
    std::sort(pending_.begin(), pending_.end(), [](const Request& a, const Request& b) {
      return std::tie(a.kind, a.group, a.pe) < std::tie(b.kind, b.group, b.pe);
    });
  }
  for (const Request& r : pending_) {
    Grant g;
    g.start = std::max(r.arrival, free_at_);
    g.end = g.start + r.duration;
    g.request = r;
    free_at_ = g.end;
    out.push_back(g);
  }
  pending_.clear();
}

}  // namespace apollo::sim
