// The SystemC/TLM-2.0 model behind apollo::sim::simulate() (DESIGN.md section
// 3, execution semantics in models/program.hpp).
//
// Modules and sockets:
//   Pe[i].socket ──► Controller.pe_side (multi socket; the controller's DMA
//   serves loads and stores) ──► Controller.link_port ──► DramLink.socket
//                              └► Controller.network_port ──► Network.socket
//
// Why this protocol mix: a PE's load or store crosses up to two shared
// first-come-first-served channels, and each channel must see the request at
// the cycle it really arrives, or the FIFO order between PEs would be wrong.
// So PE <-> controller is approximately-timed (nb_transport: BEGIN_REQ, then
// BEGIN_RESP when the last hop is done; a single-hop transfer completes in the
// return path with its delay annotated), and the controller's DMA moves a
// transaction to its next hop through a payload event queue at the cycle the
// previous hop ends. The link and the network themselves are called with
// b_transport (loosely-timed style, no temporal decoupling): they never wait,
// they reserve the channel for the transfer at the current cycle and annotate
// when it ends. Exact FIFO contention therefore costs one function call per
// hop, with no per-cycle events and no full 4-phase handshake per hop.
//
// Scale (32 x 32 PEs x 32 cores): no SC_THREAD anywhere, so no coroutine
// stacks. Each PE is one module with one SC_METHOD state machine (load /
// compute / store of at most two tiles in flight) woken only when something
// completes. The cores of a PE compute a tile in lock step (program.hpp), so
// they are a compact array inside the PE: per core 16 bytes (busy cycles and
// bytes received), updated individually per tile, and no SystemC object of
// their own (32,768 modules would dominate elaboration time).
//
// Re-elaboration: SystemC cannot elaborate twice in one kernel, so every
// simulate() call installs a fresh sc_simcontext for its duration and
// restores the previous one afterwards. Measured: heap use stays flat over
// hundreds of calls, and a whole one-PE simulation takes ~0.03 ms, while a
// fork + pipe + wait per call costs ~8 ms from a caller with 64 MB touched
// (page tables are copied); the search already forks its workers anyway.
#include "sim/simulate.hpp"

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "sim/timed_queue.hpp"
#include "sim/timing.hpp"
#include "sim/trace.hpp"

// libsystemc.so carries main() and so needs an sc_main symbol to link.
// Apollo has its own main() (cli/main.cpp) and drives the kernel through
// sc_start() inside simulate(); this definition is never called. It lives in
// this translation unit because simulate() always pulls it into the link.
// Should libsystemc's main() ever win the link (a library order mistake),
// say so and fail instead of silently doing nothing.
int sc_main(int /*argc*/, char* /*argv*/[]) {
  std::fputs("apollo: libsystemc's main() was linked instead of the program's own main()\n", stderr);
  return 1;
}

namespace apollo::sim {
namespace {

using sc_core::sc_time;
using tlm::tlm_generic_payload;

// Simulated time is counted in clock cycles; one cycle is one nanosecond of
// SystemC time whatever the clock (latency_ms converts with clock_ghz).
struct Clock {
  uint64_t ticks = sc_time(1, sc_core::SC_NS).value();
  int64_t now() const { return static_cast<int64_t>(sc_core::sc_time_stamp().value() / ticks); }
  sc_time after(int64_t cycles) const { return sc_time::from_value(static_cast<uint64_t>(cycles) * ticks); }
  int64_t cycles(const sc_time& t) const { return static_cast<int64_t>(t.value() / ticks); }
};

constexpr int64_t kNone = -1;                                    // nothing pending
constexpr int64_t kAwaiting = std::numeric_limits<int64_t>::max();  // completion time not known yet

// What a transfer is, attached to each generic payload. data_length carries
// the bytes of the current hop; the payloads are timing-only (no data
// pointer), as usual in performance models.
struct TransferExt : tlm::tlm_extension<TransferExt> {
  struct Hop {
    Channel channel = Channel::Network;
    int64_t bytes = 0;
  };
  TransferKind kind = TransferKind::Load;
  int32_t pe = -1;               // requesting PE = its socket index; -1 = controller
  int64_t input_bytes = 0;       // load request
  int64_t weight_bytes = 0;      // load request
  int64_t output_bytes = 0;      // store request
  std::array<Hop, 2> hops{};     // filled by the DMA from where the data lives
  int hop_count = 0;
  int next_hop = 0;
  int64_t queued_cycles = 0;     // waited behind other transfers (all hops)

  // The TLM API requires clone() to return an owning raw pointer.
  tlm::tlm_extension_base* clone() const override { return new TransferExt(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const TransferExt&>(other);
  }
};

// A payload with its extension, owned by the initiator and reused for every
// transfer (one load and one store in flight per PE at most).
struct Transaction {
  tlm_generic_payload payload;
  TransferExt ext;
  Transaction() { payload.set_extension(&ext); }
  ~Transaction() { payload.clear_extension(&ext); }  // ext is a member, not heap-owned
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
};

// Counters of one run. Modules report into it through the hooks below; the
// per-layer part is reset at every barrier.
struct RunStats {
  explicit RunStats(const models::ArchConfig& arch)
      : pe_compute(arch.num_pes()),
        pe_layer_compute(arch.num_pes()),
        pe_layer_exposed(arch.num_pes()),
        pe_peak_memory(arch.num_pes()),
        pe_layer_peak(arch.num_pes()),
        core_busy(arch.total_cores()),
        core_bytes(arch.total_cores()) {}

  std::vector<int64_t> pe_compute;        // whole run
  std::vector<int64_t> pe_layer_compute;  // current layer
  std::vector<int64_t> pe_layer_exposed;  // current layer: own transfer time, queueing excluded
  std::vector<int64_t> pe_peak_memory;
  std::vector<int64_t> pe_layer_peak;     // current layer (merged into pe_peak_memory at its end)
  std::vector<int64_t> core_busy;
  std::vector<int64_t> core_bytes;
  LayerStats layer;                       // accumulating for the running layer
  std::vector<LayerStats> layers;
  TraceRecorder* trace = nullptr;         // only when a trace was requested
  int64_t events = 0;

  void on_transfer(const TransferInterval& t) {
    const int64_t busy = t.end - t.start;
    if (t.channel == Channel::Link) {
      layer.link_busy_cycles += busy;
      layer.link_bytes += t.bytes;
    } else {
      layer.network_busy_cycles += busy;
      layer.network_bytes += t.bytes;
    }
    if (trace) trace->transfers.push_back(t);
  }
};

// A shared first-come-first-served channel: the DRAM link (with its fixed
// access latency) or the distribution network (latency 0).
class ChannelModel : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ChannelModel> socket;

  ChannelModel(const sc_core::sc_module_name& name, Channel channel, double bytes_per_cycle,
               int64_t latency, const Clock& clock, RunStats& stats)
      : sc_module(name), socket("socket"), channel_(channel), bytes_per_cycle_(bytes_per_cycle),
        latency_(latency), clock_(clock), stats_(stats) {
    socket.register_b_transport(this, &ChannelModel::b_transport);
  }

 private:
  // Never waits: reserves the channel from the cycle of the call and
  // annotates the delay until the data has arrived.
  void b_transport(tlm_generic_payload& gp, sc_time& delay) {
    auto* ext = gp.get_extension<TransferExt>();
    const int64_t arrival = clock_.now() + clock_.cycles(delay);
    const auto bytes = static_cast<int64_t>(gp.get_data_length());
    const FifoChannel::Grant grant = fifo_.reserve(arrival, transfer_cycles(bytes, bytes_per_cycle_));
    ext->queued_cycles += grant.start - arrival;
    stats_.on_transfer({grant.start, grant.end, bytes, ext->pe, channel_, ext->kind});
    delay += clock_.after(grant.end + latency_ - arrival);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

 public:
  FifoChannel& fifo() { return fifo_; }

 private:
  Channel channel_;
  double bytes_per_cycle_;
  int64_t latency_;
  const Clock& clock_;
  RunStats& stats_;
  FifoChannel fifo_;
};

// The DMA's queue of transactions waiting for their next hop: the same
// behaviour as tlm_utils::peq_with_get (same event notifications, same order
// of transactions due at one time), plus the access fast-forward needs to
// move the pending ones later.
class HopQueue {
 public:
  explicit HopQueue(const char* name) : event_(name) {}
  void notify(tlm_generic_payload& gp, const sc_time& delay) {
    entries_.emplace(sc_core::sc_time_stamp() + delay, &gp);
    event_.notify(delay);
  }
  // Call until it returns nullptr (then the event is set for the next one).
  tlm_generic_payload* get_next_transaction() {
    if (entries_.empty()) return nullptr;
    const sc_time now = sc_core::sc_time_stamp();
    if (entries_.begin()->first <= now) {
      tlm_generic_payload* gp = entries_.begin()->second;
      entries_.erase(entries_.begin());
      return gp;
    }
    event_.notify(entries_.begin()->first - now);
    return nullptr;
  }
  sc_core::sc_event& get_event() { return event_; }
  const std::multimap<sc_time, tlm_generic_payload*>& entries() const { return entries_; }
  // Every pending transaction `shift` later, in the same order. The event's
  // own notification is moved with the kernel's whole queue (FastForward).
  void skip(const sc_time& shift) {
    std::multimap<sc_time, tlm_generic_payload*> moved;
    for (const auto& [at, gp] : entries_) moved.emplace_hint(moved.end(), at + shift, gp);
    entries_.swap(moved);
  }

 private:
  std::multimap<sc_time, tlm_generic_payload*> entries_;
  sc_core::sc_event event_;
};

class Pe;

// Exact fast-forward of steady states. The model is deterministic, and
// within a layer its future depends only on its state relative to now: per
// PE the FSM (cursor steps, tiles loaded / computed / in flight, staged
// bytes), completion times and in-flight transfers relative to now, the
// channels' free times, the DMA queue. The repetition counters of the
// cursors matter only when a step runs out. So when that state at one
// snapshot equals the one a period P earlier (same steps), the next periods
// repeat the last one exactly until some cursor would cross into its next
// step: K of them are skipped at once, every pending time moves K*P later
// and every counter grows by K times its increase over the period.
//
// One more piece of state decides the future: SystemC runs processes that
// wake at the same time in the order its timed-event heap yields them, and
// that order decides who gets the link, the network or the DMA first when
// PEs ask in the same cycle. The order follows from the heap's layout, so
// the layout (which event sits in which slot, at which time relative to
// now) is part of the state compared (sim/timed_queue.hpp), and a skip
// moves every queued notification later in place, keeping the layout, as
// the event-by-event run would have it K periods on. This replaces an
// earlier rule that refused periods with same-cycle ties and re-simulated
// a layer when a tie followed a skip. The layout repeats less often than
// the model's own state (measured on a 12x8-PE design: 12 of 156 repeats
// of the model state had the same layout), so contended layers still run
// event by event: a defined arbitration rule would make them skippable,
// at the price of different cycle counts (README, Performance).
//
// Snapshots are taken at the end (update phase) of a delta cycle in which
// one PE (the anchor) started a tile, when nothing is left to run at that
// time, once per 2 * members process activations, doubling (up to 64x)
// while none leads to a skip, so their O(PEs) cost stays small; a layer
// too short to ever skip does no bookkeeping. Off when a trace is recorded
// (traces list every transfer and tile).
class FastForward;

// Calls FastForward::settled() in the update phase of the delta cycle in
// which it was requested: after every process due at that time has run.
class SettlePoint : public sc_core::sc_prim_channel {
 public:
  explicit SettlePoint(FastForward& ff) : sc_prim_channel("fast_forward"), ff_(ff) {}
  void request() { request_update(); }

 private:
  void update() override;
  FastForward& ff_;
};

class FastForward {
 public:
  FastForward(const std::vector<bool>& allowed, const Clock& clock, RunStats& stats, FifoChannel& link,
              FifoChannel& network, HopQueue& hops)
      : allowed_(allowed), clock_(clock), stats_(stats), link_(link), network_(network), hops_(hops),
        history_(kHistory) {}
  // Every event the model notifies, numbered for snapshots (Model's constructor).
  void attach(std::vector<std::unique_ptr<Pe>>& pes, const std::vector<const sc_core::sc_event*>& events) {
    pes_ = &pes;
    for (const sc_core::sc_event* e : events) event_ids_.emplace(e, static_cast<int64_t>(event_ids_.size()));
  }

  void start_layer(size_t position) {
    enabled_ = allowed_[position];
    members_.clear();
    layer_tiles_ = 0;
    forget();
    anchor_ = -1;
  }
  void join(int32_t pe, int64_t tiles) {
    members_.push_back(pe);
    layer_tiles_ += tiles;
  }
  void activation() { ++since_snapshot_; }  // every process activation
  void finished(int32_t pe) {
    if (pe == anchor_) {
      anchor_ = -1;
      forget();
    }
  }
  // Nothing in flight and nothing queued in the kernel: a layer started now
  // runs as it would from an empty simulator (class LayerMemo).
  bool quiescent(int64_t now) const {
    if (link_.free_at() > now || network_.free_at() > now || !hops_.entries().empty()) return false;
    timed_queue_layout(queued_);
    return queued_.empty();
  }
  // `pe` started a load in its activation (called at its end): asks for a
  // snapshot at the end of this delta cycle, when everything due now has run.
  void loaded(int32_t pe);
  void settled();  // the end of the delta cycle (class SettlePoint)

 private:
  struct Snapshot {
    int64_t time = 0;
    uint64_t hash = 0;
    std::vector<int64_t> state;     // compared
    std::vector<int64_t> counters;  // per member: 3 cursor reps, exposed; then channel counters
  };
  static constexpr size_t kHistory = 16;
  void forget() {
    stored_ = 0;
    since_snapshot_ = 0;
    backoff_ = 0;
  }
  bool capture(int64_t now, Snapshot& s) const;
  int64_t periods(const Snapshot& then, const Snapshot& now) const;
  void skip(const Snapshot& then, const Snapshot& now, int64_t k);

  const std::vector<bool>& allowed_;  // per layer position
  bool enabled_ = false;
  const Clock& clock_;
  RunStats& stats_;
  FifoChannel& link_;
  FifoChannel& network_;
  HopQueue& hops_;
  std::vector<std::unique_ptr<Pe>>* pes_ = nullptr;
  SettlePoint settle_{*this};
  std::unordered_map<const sc_core::sc_event*, int64_t> event_ids_;
  mutable std::vector<QueuedNotification> queued_;  // capture()'s scratch
  std::vector<int32_t> members_;  // PEs taking part in the running layer
  int64_t layer_tiles_ = 0;       // their tiles
  int32_t anchor_ = -1;
  std::vector<Snapshot> history_;  // ring, the newest at (next_ - 1)
  size_t next_ = 0, stored_ = 0;
  size_t since_snapshot_ = 0;  // process activations since the last snapshot
  int backoff_ = 0;            // snapshot interval is 2 * members << backoff_ activations
  static constexpr int kMaxBackoff = 6;
  // A layer expected to take fewer activations per PE (about 3 per tile)
  // is too short for snapshots to pay off.
  static constexpr int64_t kMinActivationsPerPe = 128;
};

// One PE: PE memory staging at most two tiles (double buffering) or one, and
// its cores as a compact array. State machine over load / compute / store.
class Pe : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Pe> socket;

  Pe(const sc_core::sc_module_name& name, int32_t index, const models::ArchConfig& arch,
     const Clock& clock, RunStats& stats, FastForward& ff, std::function<void(int32_t)> on_done)
      : sc_module(name), socket("socket"), index_(index), arch_(arch), clock_(clock), stats_(stats), ff_(ff),
        on_done_(std::move(on_done)),
        // Named events: SystemC otherwise generates a unique name for each
        // (sc_gen_unique_name), ~11% of a 32x32-PE simulation's instructions.
        start_("start"), loaded_event_("loaded"), computed_event_("computed"), stored_event_("stored") {
    socket.register_nb_transport_bw(this, &Pe::nb_transport_bw);
    load_.ext.kind = TransferKind::Load;
    store_.ext.kind = TransferKind::Store;
    load_.ext.pe = store_.ext.pe = index;
    load_.payload.set_command(tlm::TLM_READ_COMMAND);
    store_.payload.set_command(tlm::TLM_WRITE_COMMAND);
    SC_METHOD(run);
    sensitive << start_ << loaded_event_ << computed_event_ << stored_event_;
    dont_initialize();
  }
  SC_HAS_PROCESS(Pe);

  // Starts this PE's share of a layer; false when it has no tile to run.
  bool start(int32_t layer, const models::PeWork& work, bool double_buffered) {
    layer_ = layer;
    work_ = &work;
    buffers_ = double_buffered ? 2 : 1;
    load_at_ = compute_at_ = Cursor{};
    skip_empty(load_at_);
    skip_empty(compute_at_);
    store_at_ = load_at_;
    if (!valid(load_at_)) return false;
    loaded_ = computed_ = in_flight_ = 0;
    load_done_ = compute_done_ = store_done_ = kNone;
    memory_in_use_ = 0;
    finished_ = false;
    start_.notify(sc_core::SC_ZERO_TIME);
    return true;
  }

 private:
  struct Cursor {
    size_t step = 0;
    int64_t rep = 0;
  };
  bool valid(const Cursor& c) const { return c.step < work_->steps.size(); }
  void skip_empty(Cursor& c) const {
    while (valid(c) && work_->steps[c.step].count <= 0) ++c.step;
  }
  void advance(Cursor& c) const {
    if (++c.rep >= work_->steps[c.step].count) {
      c.rep = 0;
      ++c.step;
      skip_empty(c);
    }
  }
  static bool ready(int64_t done, int64_t now) { return done != kNone && done != kAwaiting && done <= now; }

 public:
  // Fast-forward support (class FastForward). Appends this PE's state
  // relative to `now` and its counters; false when something of this PE is
  // due at `now` but has not run yet.
  bool capture(int64_t now, std::vector<int64_t>& state, std::vector<int64_t>& counters) const {
    state.insert(state.end(), {finished_ ? 1 : 0, static_cast<int64_t>(load_at_.step),
                               static_cast<int64_t>(compute_at_.step), static_cast<int64_t>(store_at_.step), loaded_,
                               computed_, in_flight_, memory_in_use_, computing_operands_});
    counters.insert(counters.end(), {load_at_.rep, compute_at_.rep, store_at_.rep,
                                     stats_.pe_layer_exposed[static_cast<size_t>(index_)]});
    bool clean = true;
    auto transfer = [&](int64_t done, int64_t issued, const Transaction& t) {
      if (done == kNone) {
        state.push_back(-1);
      } else if (done == kAwaiting) {  // somewhere in the DMA: its progress so far matters
        const TransferExt& e = t.ext;
        state.insert(state.end(), {-2, now - issued, e.input_bytes, e.weight_bytes, e.output_bytes, e.next_hop,
                                   e.hops[0].bytes, e.hops[1].bytes, e.queued_cycles});
      } else {
        clean = clean && done > now;
        state.push_back(done - now);
      }
    };
    transfer(load_done_, load_issued_, load_);
    transfer(store_done_, store_issued_, store_);
    if (compute_done_ == kNone) {
      state.push_back(-1);
    } else {
      clean = clean && compute_done_ > now;
      state.push_back(compute_done_ - now);
    }
    return clean;
  }
  // Tiles a cursor can still advance without leaving its step (-1: done).
  int64_t room(int which) const {
    const Cursor& c = which == 0 ? load_at_ : which == 1 ? compute_at_ : store_at_;
    return valid(c) ? work_->steps[c.step].count - 1 - c.rep : -1;
  }
  // Skips whole periods: cursors advance by d_*, the computes started meanwhile
  // are accounted, and everything pending happens `shift` cycles later (the
  // events' notifications move with the kernel's whole queue).
  void skip(int64_t shift, int64_t d_load, int64_t d_compute, int64_t d_store) {
    load_at_.rep += d_load;
    store_at_.rep += d_store;
    if (d_compute > 0) account_compute(work_->steps[compute_at_.step], d_compute);
    compute_at_.rep += d_compute;
    for (int64_t* done : {&load_done_, &compute_done_, &store_done_}) {
      if (*done != kNone && *done != kAwaiting) *done += shift;
    }
    load_issued_ += shift;
    store_issued_ += shift;
  }
  std::array<const sc_core::sc_event*, 4> events() const {
    return {&start_, &loaded_event_, &computed_event_, &stored_event_};
  }

 private:
  void run() {
    ++stats_.events;
    const int64_t now = clock_.now();
    ff_.activation();
    bool loaded_any = false;
    for (bool progress = true; progress;) {
      progress = false;
      if (ready(load_done_, now)) {
        load_done_ = kNone;
        ++loaded_;
        progress = true;
      }
      if (ready(compute_done_, now)) {
        compute_done_ = kNone;
        ++computed_;
        memory_in_use_ -= computing_operands_;  // operands consumed; outputs sit in core memories
        progress = true;
      }
      if (ready(store_done_, now)) {
        store_done_ = kNone;
        --in_flight_;
        progress = true;
      }
      // Store first: it frees a buffer, then compute, then the next load.
      if (store_done_ == kNone && computed_ > 0) {
        --computed_;
        start_store(now);
        progress = true;
      }
      if (compute_done_ == kNone && loaded_ > 0) {
        --loaded_;
        start_compute(now);
        progress = true;
      }
      if (load_done_ == kNone && valid(load_at_) && in_flight_ < buffers_) {
        ++in_flight_;
        start_load(now);
        progress = true;
        loaded_any = true;
      }
    }
    if (!finished_ && !valid(store_at_) && in_flight_ == 0) {
      finished_ = true;
      ff_.finished(index_);
      on_done_(index_);
    } else if (loaded_any) {
      ff_.loaded(index_);
    }
  }

  void start_load(int64_t now) {
    const models::TileStep& s = work_->steps[load_at_.step];
    advance(load_at_);
    memory_in_use_ += s.input_bytes + s.weight_bytes;  // staged in PE memory until computed
    auto& peak = stats_.pe_layer_peak[static_cast<size_t>(index_)];
    peak = std::max(peak, memory_in_use_);
    load_done_ = issue(load_, s.input_bytes + s.weight_bytes, now, [&](TransferExt& e) {
      e.input_bytes = s.input_bytes;
      e.weight_bytes = s.weight_bytes;
    });
  }

  void start_compute(int64_t now) {
    const models::TileStep& s = work_->steps[compute_at_.step];
    advance(compute_at_);
    const int64_t cycles = pe_compute_cycles(s, arch_);       // dispatch + cores
    computing_operands_ = s.input_bytes + s.weight_bytes;
    const int64_t core_cycles = tile_compute_cycles(s, arch_);
    compute_done_ = now + cycles;
    if (cycles > 0) computed_event_.notify(clock_.after(cycles));
    account_compute(s, 1);
    const int64_t cores = cycles > 0 ? s.active_cores : 0;
    if (stats_.trace && cycles > 0) {
      stats_.trace->compute.push_back(
          {now, now + cycles, now + cycles - core_cycles, index_, static_cast<int32_t>(cores), layer_});
    }
  }

 public:
  // A replayed layer (class LayerMemo): every tile of `work` computed here.
  void account_all(const models::PeWork& work) {
    for (const models::TileStep& s : work.steps) account_compute(s, s.count);
  }

 private:
  // Statistics of `n` tiles of step s starting their compute on this PE.
  void account_compute(const models::TileStep& s, int64_t n) {
    const int64_t cycles = pe_compute_cycles(s, arch_);
    const int64_t core_cycles = tile_compute_cycles(s, arch_);
    stats_.layer.tiles += n;
    stats_.pe_compute[static_cast<size_t>(index_)] += n * cycles;
    stats_.pe_layer_compute[static_cast<size_t>(index_)] += n * cycles;
    // Operands go from PE memory into the active cores' memories, split evenly.
    const int64_t cores = cycles > 0 ? s.active_cores : 0;
    const int64_t operands = s.input_bytes + s.weight_bytes;
    const size_t first = static_cast<size_t>(index_ * arch_.cores_per_pe);
    const int64_t share = cores > 0 ? operands / cores : 0, remainder = cores > 0 ? operands % cores : 0;
    for (int64_t c = 0; c < cores; ++c) {
      stats_.core_busy[first + static_cast<size_t>(c)] += n * core_cycles;
      stats_.core_bytes[first + static_cast<size_t>(c)] += n * (share + (c < remainder ? 1 : 0));
    }
    if (cores > 0) stats_.layer.core_bytes += n * operands;
  }

  void start_store(int64_t now) {
    const models::TileStep& s = work_->steps[store_at_.step];
    advance(store_at_);
    store_done_ = issue(store_, s.output_bytes, now, [&](TransferExt& e) { e.output_bytes = s.output_bytes; });
  }

  // Sends a load or store to the controller. Returns its completion cycle,
  // kAwaiting when the controller will answer later, or `now` for no bytes.
  template <typename Fill>
  int64_t issue(Transaction& t, int64_t bytes, int64_t now, Fill fill) {
    if (bytes <= 0) return now;
    t.ext.input_bytes = t.ext.weight_bytes = t.ext.output_bytes = 0;
    fill(t.ext);
    t.ext.queued_cycles = 0;
    t.payload.set_data_length(static_cast<unsigned int>(bytes));
    t.payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    (&t == &load_ ? load_issued_ : store_issued_) = now;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_time delay = sc_core::SC_ZERO_TIME;
    if (socket->nb_transport_fw(t.payload, phase, delay) == tlm::TLM_COMPLETED) {
      (&t == &load_ ? loaded_event_ : stored_event_).notify(delay);
      return finish(t, now + clock_.cycles(delay));
    }
    return kAwaiting;
  }

  // Completion time of a transfer is known: account the PE's own exposed
  // transfer time (for the memory-stall limiter) and return it.
  int64_t finish(Transaction& t, int64_t done) {
    const int64_t issued = &t == &load_ ? load_issued_ : store_issued_;
    stats_.pe_layer_exposed[static_cast<size_t>(index_)] += done - issued - t.ext.queued_cycles;
    return done;
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_time& delay) {
    if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    const int64_t done = clock_.now() + clock_.cycles(delay);
    if (&gp == &load_.payload) {
      load_done_ = finish(load_, done);
      loaded_event_.notify(delay);
    } else {
      store_done_ = finish(store_, done);
      stored_event_.notify(delay);
    }
    return tlm::TLM_COMPLETED;
  }

  int32_t index_;
  const models::ArchConfig& arch_;
  const Clock& clock_;
  RunStats& stats_;
  FastForward& ff_;
  std::function<void(int32_t)> on_done_;
  // One event per kind of completion: each has at most one notification
  // pending, so none is ever overridden (overrides leave dead entries in the
  // kernel's timed queue).
  sc_core::sc_event start_, loaded_event_, computed_event_, stored_event_;
  Transaction load_, store_;

  int32_t layer_ = 0;
  const models::PeWork* work_ = nullptr;
  int buffers_ = 1;  // tiles allowed in flight: 2 with double buffering
  Cursor load_at_, compute_at_, store_at_;
  int loaded_ = 0, computed_ = 0, in_flight_ = 0;
  int64_t load_done_ = kNone, compute_done_ = kNone, store_done_ = kNone;
  int64_t load_issued_ = 0, store_issued_ = 0;
  int64_t memory_in_use_ = 0, computing_operands_ = 0;
  bool finished_ = true;
};

// Layers that repeat: networks repeat blocks, so a program often holds the
// same layer program (work, placement, where tensors live) several times.
// A layer started from a quiescent simulator (FastForward::quiescent: no
// transfer in flight, nothing in the kernel's timed queue) runs as from an
// empty one, so the model's determinism makes its statistics a function of
// its program: the second time, the sequencer waits the recorded cycles
// instead of simulating it. Recorded only if the layer also ends quiescent,
// so the next layer sees the state an event-by-event run would leave.
// Per-PE and per-core counters are sums of per-tile constants and are
// accounted from the program (Pe::account_all); the per-PE peak memory,
// which depends on timing, is recorded. Off when tracing.
class LayerMemo {
 public:
  struct Entry {
    LayerStats stats;
    std::vector<int64_t> pe_peak;
  };
  static std::vector<int64_t> key(const models::LayerProgram& l) {
    std::vector<int64_t> k = {l.double_buffered,  l.weights_in_dram, l.input_in_dram, l.output_in_dram,
                              l.instruction_reload_bytes, l.ops, static_cast<int64_t>(l.work_classes.size())};
    for (const models::PeWork& w : l.work_classes) {
      k.push_back(static_cast<int64_t>(w.steps.size()));
      for (const models::TileStep& t : w.steps) {
        k.insert(k.end(), {t.count, t.input_bytes, t.weight_bytes, t.output_bytes, t.ops_per_core, t.active_cores});
      }
    }
    k.insert(k.end(), l.pe_class.begin(), l.pe_class.end());
    return k;
  }
  const Entry* find(const std::vector<int64_t>& key) const {
    const auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  void store(std::vector<int64_t> key, Entry entry) { entries_.emplace(std::move(key), std::move(entry)); }

 private:
  std::map<std::vector<int64_t>, Entry> entries_;
};

// The controller: instruction, parameter and activation memories (it knows
// where each tensor of the running layer lives), the DMA that routes PE
// loads and stores over the link and the network, and the layer sequencer
// (instruction reload, start of PEs, barrier).
class Controller : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Controller> pe_side;
  tlm_utils::simple_initiator_socket<Controller> link_port;
  tlm_utils::simple_initiator_socket<Controller> network_port;

  Controller(const sc_core::sc_module_name& name, const models::Program& program, const models::ArchConfig& arch,
             const Clock& clock, RunStats& stats, bool memoize)
      : sc_module(name), pe_side("pe_side"), link_port("link_port"), network_port("network_port"),
        program_(program), memoize_(memoize), peak_lanes_(static_cast<double>(arch.peak_macs_per_cycle())), clock_(clock),
        stats_(stats), next_hop_("next_hop") {
    pe_side.register_nb_transport_fw(this, &Controller::nb_transport_fw);
    instructions_.ext.kind = TransferKind::Instructions;
    instructions_.payload.set_command(tlm::TLM_READ_COMMAND);
    SC_METHOD(dma_step);
    sensitive << next_hop_.get_event();
    dont_initialize();
    SC_METHOD(sequence);  // runs once at time 0 to start the first layer
    sensitive << layer_event_;
  }
  SC_HAS_PROCESS(Controller);

  void attach(std::vector<std::unique_ptr<Pe>>& pes, FastForward& ff) {
    pes_ = &pes;
    ff_ = &ff;
  }
  HopQueue& hops() { return next_hop_; }
  const sc_core::sc_event& layer_event() const { return layer_event_; }
  void pe_done(int32_t /*pe*/) {
    if (--running_ == 0) {
      end_layer();
      layer_event_.notify(sc_core::SC_ZERO_TIME);  // the sequencer starts the next layer
    }
  }
  bool finished() const { return next_layer_ == program_.layers.size() && state_ == State::Between; }

 private:
  enum class State { Between, Reloading, Running, Replaying };

  const models::LayerProgram& layer() const { return program_.layers[next_layer_ - 1]; }

  tlm::tlm_sync_enum nb_transport_fw(int /*id*/, tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_time& delay) {
    if (phase != tlm::BEGIN_REQ) return tlm::TLM_ACCEPTED;
    auto* ext = gp.get_extension<TransferExt>();
    const models::LayerProgram& l = layer();
    // Route by where the bytes live: weights in parameter memory unless they
    // stream from DRAM; feature maps in activation memory unless spilled.
    if (ext->kind == TransferKind::Load) {
      const int64_t dram = (l.input_in_dram ? ext->input_bytes : 0) + (l.weights_in_dram ? ext->weight_bytes : 0);
      ext->hops = {{{Channel::Link, dram}, {Channel::Network, ext->input_bytes + ext->weight_bytes}}};
    } else {
      ext->hops = {{{Channel::Network, ext->output_bytes}, {Channel::Link, l.output_in_dram ? ext->output_bytes : 0}}};
    }
    ext->hop_count = 2;
    ext->next_hop = 0;
    sc_time d = delay;
    if (forward(gp, d)) {  // done after this hop: complete in the return path
      delay = d;
      return tlm::TLM_COMPLETED;
    }
    phase = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }

  // Sends gp over its next non-empty hop. Returns true when that was the
  // last one (delay = when the data has arrived); otherwise the transaction
  // is queued to continue when the hop ends.
  bool forward(tlm_generic_payload& gp, sc_time& delay) {
    auto* ext = gp.get_extension<TransferExt>();
    while (ext->next_hop < ext->hop_count && ext->hops[static_cast<size_t>(ext->next_hop)].bytes == 0) ++ext->next_hop;
    if (ext->next_hop == ext->hop_count) return true;
    const TransferExt::Hop hop = ext->hops[static_cast<size_t>(ext->next_hop++)];
    gp.set_data_length(static_cast<unsigned int>(hop.bytes));
    (hop.channel == Channel::Link ? link_port : network_port)->b_transport(gp, delay);
    while (ext->next_hop < ext->hop_count && ext->hops[static_cast<size_t>(ext->next_hop)].bytes == 0) ++ext->next_hop;
    if (ext->next_hop == ext->hop_count) return true;
    next_hop_.notify(gp, delay);
    return false;
  }

  void dma_step() {
    ++stats_.events;
    ff_->activation();
    while (tlm_generic_payload* gp = next_hop_.get_next_transaction()) {
      sc_time delay = sc_core::SC_ZERO_TIME;
      if (!forward(*gp, delay)) continue;
      auto* ext = gp->get_extension<TransferExt>();
      tlm::tlm_phase phase = tlm::BEGIN_RESP;
      pe_side[static_cast<size_t>(ext->pe)]->nb_transport_bw(*gp, phase, delay);
    }
  }

  void sequence() {
    ++stats_.events;
    ff_->activation();
    if (state_ == State::Reloading) start_pes();  // may end an empty layer at once
    if (state_ == State::Replaying) end_replay();
    while (state_ == State::Between && next_layer_ < program_.layers.size()) {
      ++next_layer_;
      const models::LayerProgram& l = layer();
      stats_.layer = LayerStats{};
      stats_.layer.layer_index = l.layer_index;
      stats_.layer.name = l.layer_name;
      stats_.layer.start_cycle = clock_.now();
      stats_.layer.bound = l.bound;
      std::fill(stats_.pe_layer_compute.begin(), stats_.pe_layer_compute.end(), 0);
      std::fill(stats_.pe_layer_exposed.begin(), stats_.pe_layer_exposed.end(), 0);
      std::fill(stats_.pe_layer_peak.begin(), stats_.pe_layer_peak.end(), 0);
      recording_.clear();
      if (memoize_ && ff_->quiescent(clock_.now())) {
        std::vector<int64_t> key = LayerMemo::key(l);
        if ((replaying_ = memo_.find(key))) {
          state_ = State::Replaying;
          layer_event_.notify(clock_.after(replaying_->stats.cycles));
          return;
        }
        recording_ = std::move(key);
      }
      if (l.instruction_reload_bytes > 0) {
        // The program did not fit instruction memory: fetch this layer's chunk first.
        stats_.layer.instruction_bytes = l.instruction_reload_bytes;
        instructions_.ext.hops = {{{Channel::Link, l.instruction_reload_bytes}, {}}};
        instructions_.ext.hop_count = 1;
        instructions_.ext.next_hop = 0;
        sc_time delay = sc_core::SC_ZERO_TIME;
        forward(instructions_.payload, delay);
        state_ = State::Reloading;
        layer_event_.notify(delay);
        return;
      }
      start_pes();
    }
  }

  void start_pes() {
    const models::LayerProgram& l = layer();
    state_ = State::Running;
    running_ = 0;
    const auto position = static_cast<int32_t>(next_layer_ - 1);
    ff_->start_layer(static_cast<size_t>(position));
    for (size_t p = 0; p < l.pe_class.size(); ++p) {
      const int cls = l.pe_class[p];
      if (cls < 0) continue;
      const models::PeWork& work = l.work_classes[static_cast<size_t>(cls)];
      if ((*pes_)[p]->start(position, work, l.double_buffered)) {
        ++running_;
        int64_t tiles = 0;
        for (const auto& step : work.steps) tiles += step.count;
        ff_->join(static_cast<int32_t>(p), tiles);
      }
    }
    if (running_ == 0) end_layer();
  }

  // Barrier: every PE has stored its last tile.
  void end_layer() {
    const models::LayerProgram& l = layer();
    LayerStats& s = stats_.layer;
    s.cycles = clock_.now() - s.start_cycle;
    s.compute_busy_cycles = *std::max_element(stats_.pe_layer_compute.begin(), stats_.pe_layer_compute.end());
    if (!l.double_buffered) {
      s.memory_stall_cycles = *std::max_element(stats_.pe_layer_exposed.begin(), stats_.pe_layer_exposed.end());
    }
    const std::array<int64_t, 4> evidence = {s.compute_busy_cycles, s.link_busy_cycles, s.network_busy_cycles,
                                             s.memory_stall_cycles};
    s.limiter = static_cast<models::Limiter>(std::max_element(evidence.begin(), evidence.end()) - evidence.begin());
    s.utilization = s.cycles > 0 ? static_cast<double>(l.ops) / (static_cast<double>(s.cycles) * peak_lanes_) : 0;
    stats_.layers.push_back(s);
    for (size_t p = 0; p < stats_.pe_peak_memory.size(); ++p) {
      stats_.pe_peak_memory[p] = std::max(stats_.pe_peak_memory[p], stats_.pe_layer_peak[p]);
    }
    if (stats_.trace) stats_.trace->layers.push_back({s.start_cycle, clock_.now(), s.name});
    if (!recording_.empty() && ff_->quiescent(clock_.now())) {
      memo_.store(std::move(recording_), {s, stats_.pe_layer_peak});
    }
    recording_.clear();
    state_ = State::Between;
  }

  // The recorded layer's cycles have passed: its statistics, as recorded,
  // and its per-PE and per-core counters, from its program.
  void end_replay() {
    const models::LayerProgram& l = layer();
    LayerStats s = replaying_->stats;
    s.layer_index = l.layer_index;
    s.name = l.layer_name;
    s.start_cycle = stats_.layer.start_cycle;
    s.bound = l.bound;
    stats_.layers.push_back(s);
    for (size_t p = 0; p < l.pe_class.size(); ++p) {
      if (l.pe_class[p] >= 0) (*pes_)[p]->account_all(l.work_classes[static_cast<size_t>(l.pe_class[p])]);
      stats_.pe_peak_memory[p] = std::max(stats_.pe_peak_memory[p], replaying_->pe_peak[p]);
    }
    replaying_ = nullptr;
    state_ = State::Between;
  }

  const models::Program& program_;
  bool memoize_;
  LayerMemo memo_;
  std::vector<int64_t> recording_;              // key of the running layer, to be recorded at its end
  const LayerMemo::Entry* replaying_ = nullptr;  // the replayed layer's record
  double peak_lanes_;
  const Clock& clock_;
  RunStats& stats_;
  HopQueue next_hop_;
  FastForward* ff_ = nullptr;
  sc_core::sc_event layer_event_;
  Transaction instructions_;
  std::vector<std::unique_ptr<Pe>>* pes_ = nullptr;
  size_t next_layer_ = 0;  // layers started so far; the running one is next_layer_ - 1
  State state_ = State::Between;
  int64_t running_ = 0;
};

void SettlePoint::update() { ff_.settled(); }

void FastForward::loaded(int32_t pe) {
  if (!enabled_) return;
  if (3 * layer_tiles_ < kMinActivationsPerPe * static_cast<int64_t>(members_.size())) {
    enabled_ = false;
    return;
  }
  if (anchor_ < 0) anchor_ = pe;
  if (pe != anchor_ || since_snapshot_ < (2 * members_.size() << backoff_)) return;
  since_snapshot_ = 0;
  settle_.request();
}

void FastForward::settled() {
  if (!enabled_ || anchor_ < 0) return;
  const int64_t now = clock_.now();
  Snapshot& s = history_[next_];
  if (!capture(now, s)) return;
  // The most recent equal state gives the shortest period (older ones are multiples).
  for (size_t back = 1; back <= std::min(stored_, kHistory - 1); ++back) {  // slot next_ is being reused
    const Snapshot& then = history_[(next_ + kHistory - back) % kHistory];
    if (then.hash != s.hash || then.state != s.state) continue;
    const int64_t k = periods(then, s);
    if (k > 0) {
      skip(then, s, k);
      forget();
      return;
    }
    break;
  }
  next_ = (next_ + 1) % kHistory;
  stored_ = std::min(stored_ + 1, kHistory);
  backoff_ = std::min(backoff_ + 1, kMaxBackoff);  // no skip yet: snapshot less often
}

bool FastForward::capture(int64_t now, Snapshot& s) const {
  // Something else still to run at this time: not a point where the state is whole.
  if (sc_core::sc_pending_activity_at_current_time()) return false;
  s.time = now;
  s.state.clear();
  s.counters.clear();
  s.state.push_back(std::max<int64_t>(link_.free_at() - now, 0));  // an idle channel is idle however long ago
  s.state.push_back(std::max<int64_t>(network_.free_at() - now, 0));
  s.state.push_back(static_cast<int64_t>(hops_.entries().size()));
  for (const auto& [at, gp] : hops_.entries()) {
    const int64_t at_cycles = clock_.cycles(at);
    if (at_cycles <= now) return false;
    const auto* ext = gp->get_extension<TransferExt>();
    s.state.insert(s.state.end(), {at_cycles - now, ext->pe, static_cast<int64_t>(ext->kind)});
  }
  for (int32_t pe : members_) {
    if (!(*pes_)[static_cast<size_t>(pe)]->capture(now, s.state, s.counters)) return false;
  }
  timed_queue_layout(queued_);
  for (const QueuedNotification& q : queued_) {
    int64_t id = -1;  // a cancelled notification
    if (q.event) {
      const auto it = event_ids_.find(q.event);
      if (it == event_ids_.end()) return false;  // not the model's: nothing known of it
      id = it->second;
    }
    s.state.insert(s.state.end(), {id, clock_.cycles(q.time) - now});
  }
  const LayerStats& l = stats_.layer;
  s.counters.insert(s.counters.end(), {l.link_bytes, l.network_bytes, l.link_busy_cycles, l.network_busy_cycles,
                                       link_.busy_cycles(), network_.busy_cycles()});
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the values
  for (int64_t v : s.state) h = (h ^ static_cast<uint64_t>(v)) * 0x100000001b3ULL;
  s.hash = h;
  return true;
}

int64_t FastForward::periods(const Snapshot& then, const Snapshot& now) const {
  int64_t k = std::numeric_limits<int64_t>::max();
  for (size_t m = 0; m < members_.size(); ++m) {
    const Pe& pe = *(*pes_)[static_cast<size_t>(members_[m])];
    for (int which = 0; which < 3; ++which) {
      const int64_t delta = now.counters[4 * m + static_cast<size_t>(which)] - then.counters[4 * m + static_cast<size_t>(which)];
      if (delta > 0) k = std::min(k, pe.room(which) / delta);
    }
  }
  return k == std::numeric_limits<int64_t>::max() ? 0 : k;
}

void FastForward::skip(const Snapshot& then, const Snapshot& now, int64_t k) {
  const int64_t shift = k * (now.time - then.time);
  auto grown = [&](size_t i) { return k * (now.counters[i] - then.counters[i]); };
  for (size_t m = 0; m < members_.size(); ++m) {
    const auto pe = static_cast<size_t>(members_[m]);
    (*pes_)[pe]->skip(shift, grown(4 * m), grown(4 * m + 1), grown(4 * m + 2));
    stats_.pe_layer_exposed[pe] += grown(4 * m + 3);
  }
  const size_t c = 4 * members_.size();
  LayerStats& l = stats_.layer;
  l.link_bytes += grown(c);
  l.network_bytes += grown(c + 1);
  l.link_busy_cycles += grown(c + 2);
  l.network_busy_cycles += grown(c + 3);
  link_.skip(now.time, shift, grown(c + 4));
  network_.skip(now.time, shift, grown(c + 5));
  hops_.skip(clock_.after(shift));
  delay_timed_queue(clock_.after(shift));
}

// Installs a fresh SystemC kernel for the lifetime of this object and
// restores the previous one afterwards (see the top of this file).
class FreshKernel {
 public:
  FreshKernel()
      : previous_(sc_core::sc_curr_simcontext), previous_default_(sc_core::sc_default_global_context),
        context_(std::make_unique<sc_core::sc_simcontext>()) {
    sc_core::sc_curr_simcontext = context_.get();
    sc_core::sc_default_global_context = context_.get();
  }
  ~FreshKernel() {
    sc_core::sc_curr_simcontext = previous_;
    sc_core::sc_default_global_context = previous_default_;
  }
  void abandon() { (void)context_.release(); }  // SimOptions::teardown = false
  FreshKernel(const FreshKernel&) = delete;
  FreshKernel& operator=(const FreshKernel&) = delete;

 private:
  sc_core::sc_simcontext* previous_;
  sc_core::sc_simcontext* previous_default_;
  std::unique_ptr<sc_core::sc_simcontext> context_;
};

// The whole design, elaborated for one configuration.
struct Model {
  Model(const models::Program& program, const models::ArchConfig& arch, RunStats& stats,
        const std::vector<bool>& fast_forward)
      : link("dram_link", Channel::Link, arch.link_bytes_per_cycle(), arch.constants.dram_latency_cycles, clock,
             stats),
        network("network", Channel::Network, arch.constants.network_bytes_per_cycle, 0, clock, stats),
        controller("controller", program, arch, clock, stats, !stats.trace),
        ff(fast_forward, clock, stats, link.fifo(), network.fifo(), controller.hops()) {
    controller.link_port.bind(link.socket);
    controller.network_port.bind(network.socket);
    pes.reserve(static_cast<size_t>(arch.num_pes()));
    for (int64_t p = 0; p < arch.num_pes(); ++p) {
      const std::string name = "pe_" + std::to_string(p % arch.pe_x) + "_" + std::to_string(p / arch.pe_x);
      pes.push_back(std::make_unique<Pe>(name.c_str(), static_cast<int32_t>(p), arch, clock, stats, ff,
                                         [this](int32_t pe) { controller.pe_done(pe); }));
      pes.back()->socket.bind(controller.pe_side);
    }
    controller.attach(pes, ff);
    std::vector<const sc_core::sc_event*> events = {&controller.hops().get_event(), &controller.layer_event()};
    for (const auto& pe : pes) {
      for (const sc_core::sc_event* e : pe->events()) events.push_back(e);
    }
    ff.attach(pes, events);
  }
  Clock clock;
  ChannelModel link;
  ChannelModel network;
  Controller controller;
  FastForward ff;
  std::vector<std::unique_ptr<Pe>> pes;
};

void check_inputs(const workloads::Network& network, const models::Program& program,
                  const models::ArchConfig& arch) {
  auto bad_arch = [](const std::string& what) { throw models::ConfigError("simulate: architecture: " + what); };
  if (arch.pe_x < 1 || arch.pe_y < 1 || arch.cores_per_pe < 1 || arch.simd_lanes < 1) {
    bad_arch("pe_x, pe_y, cores_per_pe and simd_lanes must be >= 1");
  }
  if (!(arch.io_bandwidth_gbps > 0) || !(arch.constants.clock_ghz > 0)) bad_arch("io_bandwidth and clock must be > 0");
  if (arch.constants.network_bytes_per_cycle < 1) bad_arch("network_bytes_per_cycle must be >= 1");
  if (arch.constants.dram_latency_cycles < 0 || arch.constants.core_pipeline_cycles < 0) {
    bad_arch("dram_latency_cycles and core_pipeline_cycles must be >= 0");
  }
  for (const auto& l : program.layers) {
    auto bad = [&](const std::string& what) {
      throw std::invalid_argument("simulate: program layer '" + l.layer_name + "': " + what);
    };
    if (!network.layers.empty() &&
        (l.layer_index < 0 || static_cast<size_t>(l.layer_index) >= network.layers.size() ||
         network.layers[static_cast<size_t>(l.layer_index)].name != l.layer_name)) {
      bad("does not match layer " + std::to_string(l.layer_index) + " of network '" + network.name + "'");
    }
    if (!l.pe_class.empty() && static_cast<int64_t>(l.pe_class.size()) != arch.num_pes()) {
      bad("pe_class has " + std::to_string(l.pe_class.size()) + " entries, the array has " +
          std::to_string(arch.num_pes()) + " PEs");
    }
    for (int cls : l.pe_class) {
      if (cls < -1 || cls >= static_cast<int>(l.work_classes.size())) bad("work class " + std::to_string(cls) + " does not exist");
    }
    if (l.instruction_reload_bytes < 0) bad("negative instruction_reload_bytes");
    for (const auto& w : l.work_classes) {
      for (const auto& s : w.steps) {
        if (s.count < 0 || s.input_bytes < 0 || s.weight_bytes < 0 || s.output_bytes < 0 || s.ops_per_core < 0) {
          bad("negative tile count, bytes or ops");
        }
        if (s.active_cores > arch.cores_per_pe || (s.ops_per_core > 0 && s.active_cores < 1)) {
          bad("active_cores " + std::to_string(s.active_cores) + " outside 1.." + std::to_string(arch.cores_per_pe));
        }
        if (s.input_bytes + s.weight_bytes > std::numeric_limits<unsigned int>::max() ||
            s.output_bytes > std::numeric_limits<unsigned int>::max()) {
          bad("a tile moves more than 4 GiB");
        }
      }
    }
  }
}

}  // namespace

SimResult simulate(const workloads::Network& network, const models::Program& program,
                   const models::ArchConfig& arch, const SimOptions& options) {
  check_inputs(network, program, arch);
  TraceRecorder trace;
  const bool tracing = !options.vcd_path.empty() || !options.timeline_path.empty();
  // Fast-forward per layer position; off when tracing (traces list every tile and transfer).
  std::vector<bool> fast_forward(program.layers.size(), !tracing);
  RunStats stats(arch);
  if (tracing) stats.trace = &trace;
  {
    FreshKernel kernel;  // declared first: the model is destroyed while its kernel is current
    auto model = std::make_unique<Model>(program, arch, stats, fast_forward);
    sc_core::sc_start();
    if (!model->controller.finished()) {
      throw std::logic_error("simulate: the simulation stopped before the last layer finished");
    }
    if (!options.teardown) {
      (void)model.release();
      kernel.abandon();
    }
  }

  SimResult r;
  r.layers = std::move(stats.layers);
  for (const auto& l : r.layers) {
    r.link_bytes += l.link_bytes;
    r.network_bytes += l.network_bytes;
    r.link_busy_cycles += l.link_busy_cycles;
    r.network_busy_cycles += l.network_busy_cycles;
    r.core_bytes += l.core_bytes;
    r.instruction_bytes += l.instruction_bytes;
  }
  r.total_cycles = r.layers.empty() ? 0 : r.layers.back().start_cycle + r.layers.back().cycles;
  r.latency_ms = static_cast<double>(r.total_cycles) / (arch.constants.clock_ghz * 1e6);
  const double total = static_cast<double>(std::max<int64_t>(r.total_cycles, 1));
  for (int64_t busy : stats.pe_compute) r.pe_busy.push_back(static_cast<double>(busy) / total);
  for (int64_t busy : stats.core_busy) r.core_busy.push_back(static_cast<double>(busy) / total);
  r.pe_peak_memory_bytes = std::move(stats.pe_peak_memory);
  r.events = stats.events;

  const TraceGeometry geometry{arch.pe_x, arch.pe_y, arch.cores_per_pe, arch.constants.clock_ghz, r.total_cycles};
  if (!options.vcd_path.empty()) write_vcd(options.vcd_path, trace, geometry);
  if (!options.timeline_path.empty()) write_timeline(options.timeline_path, trace, geometry);
  return r;
}

}  // namespace apollo::sim
