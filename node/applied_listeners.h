// AppliedListeners: the node's registry of rpc::AppliedListener callbacks
// (WebSocket subscriptions and metrics in rpc/), published to by the apply
// thread after each block.
//
// Thread-safety: all methods are thread-safe. publish() runs the listeners
// under the registry's mutex, so remove() returns only once the listener is
// no longer running; a listener must therefore not call add() or remove().
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "ledger/ledger.h"
#include "rpc/service.h"

namespace suanli::node {

class AppliedListeners {
 public:
  uint64_t add(rpc::AppliedListener listener);
  void remove(uint64_t id);
  // The block at `height` with its outcomes (one per transaction, in order).
  void publish(uint64_t height, const std::vector<ledger::TxOutcome>& outcomes);
  // The node reached `height` by installing a snapshot.
  void publish_snapshot(uint64_t height);

 private:
  void publish(const rpc::AppliedBlock& block);

  std::mutex mu_;
  uint64_t next_id_ = 1;                                // guarded by mu_
  std::map<uint64_t, rpc::AppliedListener> listeners_;  // guarded by mu_
};

}  // namespace suanli::node
