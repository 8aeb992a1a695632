// ReadIndex: linearizable reads (Raft dissertation §6.4, etcd's safe
// ReadIndex). The leader records its commit index for a request, confirms
// it is still leader with a heartbeat round acknowledged by a majority, and
// then answers with that index (as a ReadState locally, or a kReadIndexResp
// to the follower that asked). A new leader defers requests until it has
// committed an entry of its own term, because before that its commit index
// may lag entries its predecessor committed.
#pragma once

#include <map>
#include <vector>

#include "common/status.h"
#include "consensus/outbox.h"
#include "consensus/quorum.h"
#include "consensus/read_only.h"

namespace suanli::consensus {

// What the leader knows when it accepts a read.
struct LeaderCommit {
  Index committed = 0;
  bool in_current_term = false;  // the leader has committed an entry of its term
};

class ReadIndex {
 public:
  ReadIndex(NodeId self, Outbox& outbox) : self_(self), outbox_(outbox) {}

  // Leader: a read asked by `from` (self or a follower). Sets *heartbeat when
  // a heartbeat round must confirm leadership. Error: proposal_dropped.
  Status on_request(Bytes context, NodeId from, const LeaderCommit& commit,
                    const MajorityConfig& voters, bool* heartbeat);
  // Leader: a heartbeat response echoing a read context.
  void on_ack(NodeId from, const Bytes& context, const MajorityConfig& voters);
  // Leader: its first commit in its term; accepts the deferred requests.
  // Returns true when a heartbeat round must confirm leadership.
  bool release_deferred(const LeaderCommit& commit, const MajorityConfig& voters);
  // Follower: a request is sent to the leader (see on_response). Error:
  // proposal_dropped for a duplicate context or kPendingReadsMax pending.
  Status forward(const Bytes& context);
  // Follower: the leader's answer to a forwarded request (others are ignored).
  void on_response(const Message& m);
  // A tick: forwarded requests unanswered for more than expire_ticks (the
  // request or its answer was lost) come back as dropped ReadStates.
  void tick(uint64_t expire_ticks);

  const Bytes* last_pending_context() const { return read_only_.last_pending_context(); }
  bool has_read_states() const { return !read_states_.empty(); }
  std::vector<ReadState> take_read_states();
  // Leadership changed: every request of this node not answered yet, its
  // own at the leader and those it forwarded, comes back as a dropped
  // ReadState (callers ask again); followers' requests at the leader are
  // dropped by the followers themselves when they see the new term.
  void reset();

 private:
  void respond(const ReadRequest& req);

  NodeId self_;
  Outbox& outbox_;
  ReadOnly read_only_;
  std::vector<ReadState> read_states_;
  uint64_t ticks_ = 0;
  std::map<Bytes, uint64_t> forwarded_;  // context -> tick sent; at most kPendingReadsMax
};

}  // namespace suanli::consensus
