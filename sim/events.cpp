#include "sim/events.hpp"

namespace apollo::sim {

const char* to_string(Channel c) {
  switch (c) {
    case Channel::Link: return "link";
    case Channel::Network: return "network";
  }
  return "?";
}

const char* description(Channel c) {
  switch (c) {
    case Channel::Link: return "DRAM link (I/O)";
    case Channel::Network: return "distribution network";
  }
  return "?";
}

const char* to_string(TransferKind k) {
  switch (k) {
    case TransferKind::Instructions: return "instructions";
    case TransferKind::Preload: return "preload";
    case TransferKind::Store: return "store";
    case TransferKind::Multicast: return "multicast";
    case TransferKind::Load: return "load";
  }
  return "?";
}

}  // namespace apollo::sim
