// A transfer as it travels: a TLM-2.0 generic payload with the route the
// DMA built for it (one hop per shared channel it crosses). The payloads are
// timing-only (no data pointer), as usual in performance models;
// data_length carries the bytes of the current hop.
#pragma once

#include <cstdint>
#include <tlm>
#include <vector>

#include "sim/events.hpp"

namespace apollo::sim {

struct Hop {
  Channel channel = Channel::Network;
  int64_t bytes = 0;
};

struct TransferExt : tlm::tlm_extension<TransferExt> {
  TransferKind kind = TransferKind::Load;
  int32_t pe = -1;            // requesting PE = its socket index; -1 = the controller; a multicast's first member
  int32_t group = -1;         // a multicast's group
  int64_t input_bytes = 0;    // load
  int64_t input_dram_bytes = 0;  // load: of input_bytes, those whose home is DRAM
  // Over the DRAM link in whole bursts (models::TileStep): load, load, store.
  int64_t input_link_bytes = 0, weight_link_bytes = 0, output_link_bytes = 0;
  int64_t weight_bytes = 0;   // load
  int64_t output_bytes = 0;   // store
  std::vector<Hop> route;     // built by the DMA from where the data lives
  size_t next_hop = 0;
  // Cycles of the hops done so far spent on the transfer itself (service
  // and fixed latency; waiting behind other transfers excluded): a function
  // of the route alone, so queueing history is not part of the state.
  int64_t own_cycles = 0;

  // The TLM API requires clone() to return an owning raw pointer.
  tlm::tlm_extension_base* clone() const override { return new TransferExt(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const TransferExt&>(other);
  }
};

// A payload with its extension, owned by the initiator and reused for every
// transfer (one load and one store in flight per PE at most). Every payload
// of the model is a Transaction, so a module reaches the extension with a
// cast instead of the payload's extension lookup (a library call, several
// per hop); the extension is also set on the payload, as TLM tools expect.
struct Transaction : tlm::tlm_generic_payload {
  TransferExt ext;
  Transaction() { set_extension(&ext); }
  ~Transaction() override { clear_extension(&ext); }  // ext is a member, not heap-owned
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
};

inline TransferExt& extension(tlm::tlm_generic_payload& gp) { return static_cast<Transaction&>(gp).ext; }

// The model's modules implement the TLM-2.0 transport interfaces themselves
// and bind them to plain tlm sockets (the tlm_utils simple sockets add a
// callback layer on every hop). Only the non-blocking base protocol is
// modelled: these answer the rest of the interfaces.
struct NonBlockingTarget : tlm::tlm_fw_transport_if<> {
  void b_transport(tlm::tlm_generic_payload&, sc_core::sc_time&) override;  // throws: not modelled
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
};
struct NonBlockingInitiator : tlm::tlm_bw_transport_if<> {
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
};

}  // namespace apollo::sim
