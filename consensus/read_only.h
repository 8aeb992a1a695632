// ReadOnly: ReadIndex requests a leader has accepted and is confirming with a
// heartbeat round. A request is answered once a majority acknowledged a
// heartbeat carrying its context (or a later one).
#pragma once

#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "consensus/types.h"

namespace suanli::consensus {

struct ReadRequest {
  Bytes context;
  Index index = 0;          // the leader's commit index when it was accepted
  NodeId from = kNoNode;    // who asked (the leader itself or a follower)
  std::set<NodeId> acks;
};

class ReadOnly {
 public:
  // Returns false for a duplicate context or when kPendingReadsMax is reached.
  bool add_request(Index index, Bytes context, NodeId from, NodeId self);
  // Records an acknowledgement; returns the ackers of context (nullptr if unknown).
  const std::set<NodeId>* recv_ack(NodeId id, const Bytes& context);
  // Removes and returns every request up to and including context.
  std::vector<ReadRequest> advance(const Bytes& context);
  const Bytes* last_pending_context() const;
  size_t size() const { return queue_.size(); }
  // Removes every request, pending or deferred: (context, who asked).
  std::vector<std::pair<Bytes, NodeId>> take_all();

  // A new leader defers requests until it has committed an entry of its
  // term. Returns false when kPendingReadsMax requests are deferred.
  bool defer(Bytes context, NodeId from);
  std::vector<std::pair<Bytes, NodeId>> take_deferred();

 private:
  std::deque<ReadRequest> queue_;  // at most kPendingReadsMax
  std::vector<std::pair<Bytes, NodeId>> deferred_;  // at most kPendingReadsMax
};

}  // namespace suanli::consensus
