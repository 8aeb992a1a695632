// SimChecker: the Raft safety properties, checked by the simulator after
// every step (in the spirit of LogCabin's RaftConsensusInvariants):
//   election safety, log matching, leader completeness, state machine safety,
//   monotonic terms and commit indexes, durability of votes and acks.
// The first violation is kept in failure(); later ones are ignored.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "consensus/raft_core.h"

namespace suanli::consensus::sim {

class SimChecker {
 public:
  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  void fail(const std::string& what);

  // A node is (still) up with this core; call after every step.
  void check_node(NodeId id, const RaftCore& core);
  // Pairwise log matching over all live cores (quadratic; call periodically).
  void check_log_matching(const std::vector<const RaftCore*>& cores);
  // The node applied entry e; chain is its state hash after applying.
  void on_apply(NodeId id, const Entry& e, uint64_t chain);
  // The node restored an application snapshot at index with this chain hash.
  void on_restore(NodeId id, Index index, uint64_t chain);
  // The node made hs durable.
  void on_persist(NodeId id, const HardState& hs);
  // A crash lost the hard state written since the last fsync: the disk holds
  // `hs` again (its term and vote are never written without one).
  void on_unsynced_lost(NodeId id, const HardState& hs);
  // The node sends m; disk is what it has persisted.
  void on_send(const Message& m, const HardState& disk_hs, Index disk_last, Index disk_snap);
  // The node (re)started: in-memory monotonicity restarts from disk.
  void on_restart(NodeId id);

  // ReadIndex: a read issued when the highest applied index anywhere was min.
  void on_read_issued(const Bytes& ctx, Index min_index) { reads_[ctx] = min_index; }
  void on_read_state(NodeId id, const ReadState& rs);

  uint64_t leaders_elected() const { return leader_of_term_.size(); }

 private:
  struct NodeSeen {
    Term term = 0;
    Index commit = 0;
    Index recorded = 0;  // committed entries up to here are in committed_
    Term leader_term = 0;     // the term in which it was last seen leading
    Index leader_checked = 0;  // committed_ checked against its log up to here
  };
  struct Committed {
    Term term;
    uint64_t digest;
    // Term of the node that first reported it committed: the entry was
    // committed in this term or earlier, so every leader of a later term
    // must hold it (leaders of earlier terms may legitimately lack it).
    Term observed_term;
  };
  void record_committed(NodeId id, const RaftCore& core, NodeSeen& seen);
  void check_leader_has(NodeId id, const RaftCore& core, Index i, const Committed& c);

  std::string failure_;
  std::map<Term, NodeId> leader_of_term_;
  std::map<NodeId, NodeSeen> seen_;
  std::map<Index, Committed> committed_;
  std::map<Index, uint64_t> chain_at_;
  std::map<NodeId, HardState> durable_;
  std::map<Bytes, Index> reads_;
};

uint64_t entry_digest(const Entry& e);

}  // namespace suanli::consensus::sim
