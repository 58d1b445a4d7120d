#include "sim/timed_queue.hpp"

namespace apollo::sim {
namespace {

// Access to private members through explicit instantiation: access checks
// do not apply to the template arguments of an explicit instantiation
// ([temp.spec.general]), and the friend function defined inside hands the
// member pointer out.
template <typename Tag, typename Tag::type Member>
struct Expose {
  friend typename Tag::type member(Tag) { return Member; }
};

struct TimedEvents {
  using type = sc_core::sc_ppq<sc_core::sc_event_timed*>* sc_core::sc_simcontext::*;
  friend type member(TimedEvents);
};
struct HeapArray {
  using type = void** sc_core::sc_ppq_base::*;
  friend type member(HeapArray);
};
struct HeapSize {
  using type = int sc_core::sc_ppq_base::*;
  friend type member(HeapSize);
};
struct NotifiedEvent {
  using type = sc_core::sc_event* sc_core::sc_event_timed::*;
  friend type member(NotifiedEvent);
};
struct NotifyTime {
  using type = sc_core::sc_time sc_core::sc_event_timed::*;
  friend type member(NotifyTime);
};

template struct Expose<TimedEvents, &sc_core::sc_simcontext::m_timed_events>;
template struct Expose<HeapArray, &sc_core::sc_ppq_base::m_heap>;
template struct Expose<HeapSize, &sc_core::sc_ppq_base::m_heap_size>;
template struct Expose<NotifiedEvent, &sc_core::sc_event_timed::m_event>;
template struct Expose<NotifyTime, &sc_core::sc_event_timed::m_notify_time>;

sc_core::sc_ppq_base& queue() { return *(sc_core::sc_get_curr_simcontext()->*member(TimedEvents{})); }

// sc_ppq keeps its heap 1-based: entries 1 .. size.
template <typename Visit>
void for_each_entry(Visit visit) {
  sc_core::sc_ppq_base& q = queue();
  void** heap = q.*member(HeapArray{});
  const int size = q.*member(HeapSize{});
  for (int i = 1; i <= size; ++i) visit(*static_cast<sc_core::sc_event_timed*>(heap[i]));
}

}  // namespace

void timed_queue_layout(std::vector<QueuedNotification>& out) {
  out.clear();
  for_each_entry([&](sc_core::sc_event_timed& e) { out.push_back({e.*member(NotifiedEvent{}), e.*member(NotifyTime{})}); });
}

void delay_timed_queue(const sc_core::sc_time& shift) {
  for_each_entry([&](sc_core::sc_event_timed& e) { e.*member(NotifyTime{}) += shift; });
}

}  // namespace apollo::sim
