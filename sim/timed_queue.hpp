// Fast-forward's access to the SystemC kernel's queue of timed event
// notifications (class FastForward in simulate.cpp). Events due at the same
// time fire in the order this binary heap yields them, which depends on its
// layout, not only on its contents: so the layout is part of the state that
// decides the future, and skipping periods must move every entry later in
// place, keeping the layout, instead of cancelling and re-notifying.
//
// The kernel keeps the queue private; these functions reach it through the
// one access path C++ leaves to explicit template instantiations (see the
// .cpp). They are written against SystemC 2.3.x (Debian's libsystemc-dev);
// a kernel without these members fails to compile here, not at run time.
#pragma once

#include <systemc>

#include <cstdint>
#include <vector>

namespace apollo::sim {

struct QueuedNotification {
  const sc_core::sc_event* event = nullptr;  // nullptr: a cancelled notification still queued
  sc_core::sc_time time;
};

// The current kernel's pending timed notifications in heap-array order.
void timed_queue_layout(std::vector<QueuedNotification>& out);

// Every pending timed notification `shift` later, in place (the heap stays
// valid and keeps its layout, as all keys grow by the same amount).
void delay_timed_queue(const sc_core::sc_time& shift);

}  // namespace apollo::sim
