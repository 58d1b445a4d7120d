#include "sim/pe.hpp"

#include <algorithm>

#include "sim/fast_forward.hpp"
#include "sim/pe_array.hpp"
#include "sim/timing.hpp"

namespace apollo::sim {

bool Pe::State::operator==(const State& o) const {
  auto same = [](const Pending& a, const Pending& b) { return a.is == b.is && a.at == b.at; };
  return finished == o.finished && load_step == o.load_step && compute_step == o.compute_step &&
         store_step == o.store_step && loaded == o.loaded && computed == o.computed && in_flight == o.in_flight &&
         memory_in_use == o.memory_in_use && computing_operands == o.computing_operands && same(load, o.load) &&
         same(compute, o.compute) && same(store, o.store);
}

Pe::Pe(int32_t index, PeArray& array, Context context) : index_(index), array_(array), ctx_(std::move(context)) {
  load_tx_.ext.kind = TransferKind::Load;
  store_tx_.ext.kind = TransferKind::Store;
  load_tx_.ext.pe = store_tx_.ext.pe = index;
  load_tx_.set_command(tlm::TLM_READ_COMMAND);
  store_tx_.set_command(tlm::TLM_WRITE_COMMAND);
}

bool Pe::start(const models::PeWork& work, bool double_buffered) {
  work_ = &work;
  buffers_ = double_buffered ? 2 : 1;
  load_at_ = compute_at_ = Cursor{};
  skip_empty(load_at_);
  skip_empty(compute_at_);
  store_at_ = load_at_;
  if (!valid(load_at_)) return false;
  loaded_ = computed_ = in_flight_ = 0;
  load_ = compute_ = store_ = Pending{};
  memory_in_use_ = computing_operands_ = 0;
  layer_exposed_ = layer_peak_ = 0;
  finished_ = false;
  wake(ctx_.clock.now());
  return true;
}

void Pe::skip_empty(Cursor& c) const {
  while (valid(c) && work_->steps[c.step].count <= 0) ++c.step;
}

void Pe::advance(Cursor& c) const {
  if (++c.rep >= work_->steps[c.step].count) {
    c.rep = 0;
    ++c.step;
    skip_empty(c);
  }
}

int64_t Pe::room(const Cursor& c) const { return valid(c) ? work_->steps[c.step].count - 1 - c.rep : -1; }

void Pe::run(int64_t now) {
  ++ctx_.activations;
  if (ctx_.fast_forward) ctx_.fast_forward->activation();
  auto ready = [now](const Pending& p) { return p.is == Pending::Is::Due && p.at <= now; };
  bool loaded_any = false;
  for (bool progress = true; progress;) {
    progress = false;
    if (ready(load_)) {
      load_ = {};
      ++loaded_;
      progress = true;
    }
    if (ready(compute_)) {
      compute_ = {};
      ++computed_;
      memory_in_use_ -= computing_operands_;  // operands consumed; outputs sit in core memories
      progress = true;
    }
    if (ready(store_)) {
      store_ = {};
      --in_flight_;
      progress = true;
    }
    // Store first: it frees a buffer, then compute, then the next load.
    if (store_.is == Pending::Is::None && computed_ > 0) {
      --computed_;
      start_store(now);
      progress = true;
    }
    if (compute_.is == Pending::Is::None && loaded_ > 0) {
      --loaded_;
      start_compute(now);
      progress = true;
    }
    if (load_.is == Pending::Is::None && valid(load_at_) && in_flight_ < buffers_) {
      ++in_flight_;
      start_load(now);
      progress = true;
      loaded_any = true;
    }
  }
  if (!finished_ && !valid(store_at_) && in_flight_ == 0) {
    finished_ = true;
    report_tiles();
    if (layer_exposed_ != 0) ctx_.observer.exposed(index_, layer_exposed_);
    if (layer_peak_ != 0) ctx_.observer.staged(index_, layer_peak_);
    if (ctx_.fast_forward) ctx_.fast_forward->finished(index_);
    ctx_.on_done(index_);
  } else if (loaded_any && ctx_.fast_forward) {
    ctx_.fast_forward->loaded(index_);
  }
  rearm(now);
}

void Pe::wake(int64_t at) {
  if (wake_at_ >= 0 && wake_at_ <= at) return;  // an earlier wake is due; that run re-arms
  wake_at_ = at;
  array_.wake(index_);
}

void Pe::rearm(int64_t now) {
  int64_t next = -1;
  for (const Pending* p : {&load_, &compute_, &store_}) {
    if (p->is == Pending::Is::Due && p->at > now && (next < 0 || p->at < next)) next = p->at;
  }
  if (next >= 0) wake(next);
}

void Pe::start_load(int64_t now) {
  const models::TileStep& s = work_->steps[load_at_.step];
  advance(load_at_);
  memory_in_use_ += s.input_bytes + s.weight_bytes;  // staged in PE memory until computed
  layer_peak_ = std::max(layer_peak_, memory_in_use_);
  load_tx_.ext.input_bytes = s.input_bytes;
  load_tx_.ext.input_dram_bytes = s.input_dram_bytes;
  load_tx_.ext.weight_bytes = s.weight_bytes;
  load_tx_.ext.input_link_bytes = s.input_link_bytes;
  load_tx_.ext.weight_link_bytes = s.weight_link_bytes;
  issue(load_tx_, load_, s.input_bytes + s.weight_bytes, now);
}

void Pe::start_compute(int64_t now) {
  const models::TileStep& s = work_->steps[compute_at_.step];
  advance(compute_at_);
  if (&s != timed_step_) {  // tiles of one step come in runs
    timed_step_ = &s;
    step_cycles_ = pe_compute_cycles(s, ctx_.arch);  // dispatch + cores
  }
  const int64_t cycles = step_cycles_;
  computing_operands_ = s.input_bytes + s.weight_bytes;
  compute_ = {Pending::Is::Due, now + cycles};
  if (!ctx_.fast_forward) {
    ctx_.observer.tiles(index_, s, 1, now);
    return;
  }
  if (&s != unreported_step_) report_tiles();
  unreported_step_ = &s;
  ++unreported_tiles_;
}

void Pe::report_tiles() {
  if (unreported_tiles_ > 0) ctx_.observer.tiles(index_, *unreported_step_, unreported_tiles_, -1);
  unreported_step_ = nullptr;
  unreported_tiles_ = 0;
}

void Pe::start_store(int64_t now) {
  const models::TileStep& s = work_->steps[store_at_.step];
  advance(store_at_);
  store_tx_.ext.output_bytes = s.output_bytes;
  store_tx_.ext.output_link_bytes = s.output_link_bytes;
  issue(store_tx_, store_, s.output_bytes, now);
}

// Sends a load or store to the controller's DMA, which answers on the
// backward path (possibly within this call) with the cycle the data has
// arrived. No bytes: done at once.
void Pe::issue(Transaction& t, Pending& p, int64_t bytes, int64_t now) {
  if (bytes <= 0) {
    p = {Pending::Is::Due, now};
    return;
  }
  p = {Pending::Is::InDma, 0};
  t.ext.own_cycles = 0;
  t.set_data_length(static_cast<unsigned int>(bytes));
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  array_.send(t);
}

// The transfer's data has arrived at `done`: account the PE's own exposed
// transfer time (for the memory-stall limiter) and wake the PE then.
void Pe::complete(Transaction& t, Pending& p, int64_t done) {
  const int64_t own = t.ext.own_cycles;
  exposed_ += own;
  layer_exposed_ += own;
  p = {Pending::Is::Due, done};
  wake(done);
}

void Pe::respond(const tlm::tlm_generic_payload& gp, int64_t done) {
  if (&gp == &load_tx_) {
    complete(load_tx_, load_, done);
  } else {
    complete(store_tx_, store_, done);
  }
}

// ---- fast-forward ----------------------------------------------------------

bool Pe::capture(size_t slot, int64_t now, StateHash& hash) {
  State s;
  s.finished = finished_;
  s.load_step = load_at_.step;
  s.compute_step = compute_at_.step;
  s.store_step = store_at_.step;
  s.loaded = loaded_;
  s.computed = computed_;
  s.in_flight = in_flight_;
  s.memory_in_use = memory_in_use_;
  s.computing_operands = computing_operands_;
  bool whole = true;
  auto relative = [&](const Pending& p) {
    if (p.is == Pending::Is::Due) whole = whole && p.at > now;
    return Pending{p.is, p.is == Pending::Is::Due ? p.at - now : 0};
  };
  s.load = relative(load_);
  s.compute = relative(compute_);
  s.store = relative(store_);
  if (!whole) return false;
  snapshots_.reserve();
  snapshots_.state[slot] = s;
  snapshots_.counters[slot] = {load_at_.rep, compute_at_.rep, store_at_.rep, exposed_};
  hash.add(s.finished).add(static_cast<int64_t>(s.load_step)).add(static_cast<int64_t>(s.compute_step))
      .add(s.loaded).add(s.computed).add(s.in_flight).add(s.memory_in_use);
  for (const Pending* p : {&s.load, &s.compute, &s.store}) hash.add(static_cast<int64_t>(p->is)).add(p->at);
  return true;
}

bool Pe::same_state(size_t a, size_t b) const { return snapshots_.state[a] == snapshots_.state[b]; }

int64_t Pe::periods_left(size_t then, size_t now) const {
  const Counters& t = snapshots_.counters[then];
  const Counters& n = snapshots_.counters[now];
  int64_t k = kUnlimited;
  auto limit = [&](const Cursor& c, int64_t delta) {
    if (delta > 0) k = std::min(k, room(c) / delta);
  };
  limit(load_at_, n.load_rep - t.load_rep);
  limit(compute_at_, n.compute_rep - t.compute_rep);
  limit(store_at_, n.store_rep - t.store_rep);
  return k;
}

void Pe::skip(size_t then_slot, size_t now_slot, int64_t k, int64_t period, int64_t now) {
  const Counters& t = snapshots_.counters[then_slot];
  const Counters& n = snapshots_.counters[now_slot];
  const int64_t shift = k * period;
  load_at_.rep += k * (n.load_rep - t.load_rep);
  store_at_.rep += k * (n.store_rep - t.store_rep);
  const int64_t computes = k * (n.compute_rep - t.compute_rep);
  if (computes > 0) ctx_.observer.tiles(index_, work_->steps[compute_at_.step], computes, -1);
  compute_at_.rep += computes;
  const int64_t exposed = k * (n.exposed - t.exposed);
  exposed_ += exposed;
  layer_exposed_ += exposed;  // (the staged peak needs nothing: it repeats with the period)
  // Everything pending happens `shift` later, and so does the wake-up.
  for (Pending* p : {&load_, &compute_, &store_}) {
    if (p->is == Pending::Is::Due) p->at += shift;
  }
  wake_at_ = -1;  // the array drops the wake-up queued for the old time
  rearm(now);
}

}  // namespace apollo::sim
