// RaftCore: one Raft peer as a deterministic state machine (the design of
// etcd-io/raft). Inputs are step(message), tick(), propose() and friends;
// outputs are collected in a Ready that the driver persists, sends and
// applies before calling advance(). The core does no I/O, keeps no clock and
// draws randomness only from the seed in RaftConfig, so the same inputs give
// the same outputs.
//
// Not thread-safe: one owner (the node's strand, or the simulator) calls it.
// The Storage passed in must outlive the core and is only written by the
// driver while it handles a Ready.
#pragma once

#include <vector>

#include "common/status.h"
#include "consensus/config.h"
#include "consensus/log_receiver.h"
#include "consensus/message.h"
#include "consensus/outbox.h"
#include "consensus/prng.h"
#include "consensus/progress_tracker.h"
#include "consensus/raft_log.h"
#include "consensus/read_index.h"
#include "consensus/ready.h"
#include "consensus/replicator.h"
#include "consensus/storage.h"

namespace suanli::consensus {

// Error codes returned by RaftCore.
inline constexpr const char* kErrNotLeader = "not_leader";
inline constexpr const char* kErrProposalDropped = "proposal_dropped";
inline constexpr const char* kErrConfChangePending = "conf_change_pending";
inline constexpr const char* kErrInvalidConfChange = "invalid_conf_change";

class RaftCore {
 public:
  // Restores term, vote, commit and membership from storage; config must
  // pass validate(). The node starts as a follower.
  RaftCore(const RaftConfig& config, const Storage& storage);
  RaftCore(const RaftCore&) = delete;
  RaftCore& operator=(const RaftCore&) = delete;

  // Advances logical time by one tick (elections, heartbeats, check-quorum).
  void tick();
  // Feeds a message from a peer. Messages for other nodes are ignored.
  Status step(const Message& m);
  // Leader only: appends data to the log. Errors: not_leader, proposal_dropped
  // (leadership transfer in progress, or max_uncommitted_bytes reached).
  Status propose(Bytes data);
  // Leader only, one change at a time: proposes a membership change entry.
  Status propose_conf_change(const ConfChange& cc);
  // Called by the driver when it applies a committed kConfChange entry.
  ConfState apply_conf_change(const ConfChange& cc);
  // Leader only: hands leadership to a voter (aborted after an election timeout).
  Status transfer_leader(NodeId target);
  // Requests a linearizable read point; the answer comes as a ReadState.
  // A new leader defers requests until it has committed an entry of its term.
  Status read_index(Bytes context);
  // Starts an election now, as if the election timeout had elapsed.
  void campaign();

  bool has_ready() const;
  // Collects pending work; call advance() with it once it is handled, before
  // the next ready(). step(), tick() and propose() may be called in between.
  Ready ready();
  void advance(const Ready& rd);

  NodeId id() const { return config_.id; }
  Term term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId leader() const { return lead_; }
  StateRole role() const { return role_; }
  NodeId lead_transferee() const { return lead_transferee_; }
  HardState hard_state() const { return HardState{term_, vote_, log_.committed()}; }
  ConfState conf_state() const { return tracker_.conf_state(); }
  const RaftLog& log() const { return log_; }
  // Test hooks.
  const Progress* TEST_progress(NodeId id) { return tracker_.progress(id); }
  uint64_t TEST_uncommitted_bytes() const { return uncommitted_bytes_; }
  uint32_t TEST_randomized_election_timeout() const { return randomized_election_timeout_; }

 private:
  void become_follower(Term term, NodeId lead);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void reset(Term term);
  void reset_randomized_election_timeout();
  bool promotable() const;
  bool has_unapplied_conf_change() const;
  void hup(bool transfer);
  void start_campaign(bool pre_vote, bool transfer);
  VoteResult poll(NodeId id, bool granted);

  void tick_election();
  void tick_heartbeat();
  bool step_term(const Message& m);
  void handle_vote_request(const Message& m);
  void step_leader(const Message& m);
  void step_candidate(const Message& m);
  void step_follower(const Message& m);

  void handle_app_resp(const Message& m, Progress& pr);

  void send(Message m);
  void bcast_append();
  void bcast_heartbeat();
  bool append_entries(std::vector<Entry> entries);
  bool maybe_commit();
  void on_commit_advanced();
  void abort_leader_transfer() { lead_transferee_ = kNoNode; }

  LeaderCommit leader_commit() const;

  RaftConfig config_;
  Prng prng_;
  RaftLog log_;
  ProgressTracker tracker_;
  Outbox outbox_;
  Replicator replicator_;
  LogReceiver log_receiver_;
  Term term_ = 0;
  NodeId vote_ = kNoNode;
  NodeId lead_ = kNoNode;
  StateRole role_ = StateRole::kFollower;
  uint32_t election_elapsed_ = 0;
  uint32_t heartbeat_elapsed_ = 0;
  uint32_t randomized_election_timeout_ = 0;
  NodeId lead_transferee_ = kNoNode;
  // Index of the latest conf change the leader proposed; no new one until applied.
  Index pending_conf_index_ = 0;
  uint64_t uncommitted_bytes_ = 0;
  ReadIndex read_index_;
  HardState prev_hard_state_;
  bool awaiting_advance_ = false;
};

}  // namespace suanli::consensus
