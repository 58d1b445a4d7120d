#include "sim/transfer.hpp"

#include <stdexcept>

namespace apollo::sim {

void NonBlockingTarget::b_transport(tlm::tlm_generic_payload&, sc_core::sc_time&) {
  throw std::logic_error("the model's transports are non-blocking (nb_transport_fw); b_transport is not modelled");
}

}  // namespace apollo::sim
