#include "consensus/raft_core.h"

#include <algorithm>
#include <utility>

#include "common/assert.h"
#include "consensus/codec.h"
#include "consensus/limits.h"
#include "consensus/membership.h"

namespace suanli::consensus {
namespace {

Status not_leader() { return Status::error(kErrNotLeader, "this node is not the leader"); }
Status dropped(const char* why) { return Status::error(kErrProposalDropped, why); }

MessageType vote_resp_type(MessageType t) {
  return t == MessageType::kPreVote ? MessageType::kPreVoteResp : MessageType::kVoteResp;
}

}  // namespace

RaftCore::RaftCore(const RaftConfig& config, const Storage& storage)
    : config_(config),
      prng_(config.seed),
      log_(storage),
      tracker_(config.max_inflight_msgs, config.max_inflight_bytes),
      outbox_(config.id),
      replicator_(config_, log_, tracker_, outbox_),
      log_receiver_(log_, tracker_, outbox_),
      read_index_(config.id, outbox_) {
  const Status valid = validate(config);
  SUANLI_ASSERT_MSG(valid.is_ok(), valid.message().c_str());
  const HardState hs = storage.hard_state();
  tracker_.reset_conf(storage.conf_state(), log_.last_index() + 1);
  SUANLI_ASSERT_MSG(hs.commit <= log_.last_index(), "hard state commit beyond the log");
  log_.commit_to(hs.commit);
  term_ = hs.term;
  vote_ = hs.vote;
  outbox_.set_term(term_);
  if (config.applied > log_.applied()) log_.applied_to(config.applied);
  prev_hard_state_ = hs;
  become_follower(term_, kNoNode);
}

// ---- roles ----

void RaftCore::reset(Term term) {
  if (term_ != term) {
    SUANLI_ASSERT_MSG(term > term_, "term went backwards");
    term_ = term;
    vote_ = kNoNode;
    outbox_.set_term(term);
  }
  lead_ = kNoNode;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  reset_randomized_election_timeout();
  abort_leader_transfer();
  tracker_.reset_votes();
  tracker_.reset_progress(log_.last_index() + 1);
  if (Progress* self = tracker_.progress(id())) self->maybe_update(log_.stable_last_index());
  pending_conf_index_ = 0;
  uncommitted_bytes_ = 0;
  read_index_.reset();
  log_receiver_.reset();
}

void RaftCore::become_follower(Term term, NodeId lead) {
  reset(term);
  lead_ = lead;
  role_ = StateRole::kFollower;
}

void RaftCore::become_pre_candidate() {
  SUANLI_ASSERT(role_ != StateRole::kLeader);
  // Pre-vote changes neither term nor vote: a partitioned node cannot inflate terms.
  tracker_.reset_votes();
  lead_ = kNoNode;
  role_ = StateRole::kPreCandidate;
}

void RaftCore::become_candidate() {
  SUANLI_ASSERT(role_ != StateRole::kLeader);
  reset(term_ + 1);
  vote_ = id();
  role_ = StateRole::kCandidate;
}

void RaftCore::become_leader() {
  SUANLI_ASSERT(role_ == StateRole::kCandidate);
  reset(term_);
  lead_ = id();
  role_ = StateRole::kLeader;
  Progress* self = tracker_.progress(id());
  SUANLI_ASSERT(self != nullptr);
  self->become_replicate();
  self->set_recent_active(true);
  // An empty entry of this term commits everything before it (Figure 8).
  const bool appended = append_entries({Entry{}});
  SUANLI_ASSERT(appended);
  // Conf changes already in the log may be unapplied, and a leader must
  // commit an entry of its term before changing membership (the fix for the
  // single-server change bug): no change until this entry is applied.
  pending_conf_index_ = log_.last_index();
}

void RaftCore::reset_randomized_election_timeout() {
  randomized_election_timeout_ =
      config_.election_ticks + static_cast<uint32_t>(prng_.uniform(config_.election_ticks));
}

bool RaftCore::promotable() const { return tracker_.is_voter(id()); }

bool RaftCore::has_unapplied_conf_change() const {
  if (log_.committed() <= log_.applied()) return false;
  const Index lo = std::max(log_.applied() + 1, log_.first_index());
  if (lo > log_.committed()) return false;
  Result<std::vector<Entry>> ents = log_.slice(lo, log_.committed() + 1, UINT64_MAX);
  if (!ents.is_ok()) return true;  // cannot tell: be conservative
  for (const Entry& e : *ents) {
    if (e.type == EntryType::kConfChange) return true;
  }
  return false;
}

void RaftCore::campaign() { hup(false); }

void RaftCore::hup(bool transfer) {
  if (role_ == StateRole::kLeader || !promotable()) return;
  // Campaigning with an out-of-date membership could elect a wrong quorum.
  if (has_unapplied_conf_change()) return;
  start_campaign(config_.pre_vote && !transfer, transfer);
}

void RaftCore::start_campaign(bool pre_vote, bool transfer) {
  MessageType type;
  Term term;
  if (pre_vote) {
    become_pre_candidate();
    type = MessageType::kPreVote;
    term = term_ + 1;
  } else {
    become_candidate();
    type = MessageType::kVote;
    term = term_;
  }
  if (poll(id(), true) == VoteResult::kWon) {
    // Single voter: won at once.
    if (pre_vote) {
      start_campaign(false, transfer);
    } else {
      become_leader();
    }
    return;
  }
  for (NodeId voter : tracker_.voters().voters()) {
    if (voter == id()) continue;
    Message m;
    m.type = type;
    m.to = voter;
    m.term = term;
    m.index = log_.last_index();
    m.log_term = log_.last_term();
    m.transfer = transfer;
    send(std::move(m));
  }
}

VoteResult RaftCore::poll(NodeId voter, bool granted) {
  tracker_.record_vote(voter, granted);
  return tracker_.tally_votes();
}

// ---- ticks ----

void RaftCore::tick() {
  // Forwarded reads wait two election timeouts for the leader's answer.
  read_index_.tick(2 * static_cast<uint64_t>(config_.election_ticks));
  if (role_ == StateRole::kLeader) {
    tick_heartbeat();
  } else {
    tick_election();
  }
}

void RaftCore::tick_election() {
  ++election_elapsed_;
  if (promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    hup(false);
  }
}

void RaftCore::tick_heartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= config_.election_ticks) {
    election_elapsed_ = 0;
    if (config_.check_quorum) {
      if (!tracker_.quorum_active(id())) {
        become_follower(term_, kNoNode);  // lost contact with a majority
        return;
      }
      tracker_.clear_recent_active();
      if (Progress* self = tracker_.progress(id())) self->set_recent_active(true);
    }
    // A transfer that did not finish within an election timeout is abandoned.
    abort_leader_transfer();
  }
  if (heartbeat_elapsed_ >= config_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    bcast_heartbeat();
  }
}

// ---- step ----

Status RaftCore::step(const Message& m) {
  if (m.to != id() || m.from == kNoNode || m.from == id() || m.term == 0) {
    return Status::error("bad_message", "message not addressed to this node");
  }
  if (!step_term(m)) return Status::ok();
  if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
    handle_vote_request(m);
    return Status::ok();
  }
  switch (role_) {
    case StateRole::kLeader: step_leader(m); break;
    case StateRole::kCandidate:
    case StateRole::kPreCandidate: step_candidate(m); break;
    case StateRole::kFollower: step_follower(m); break;
  }
  return Status::ok();
}

// Applies the term rules common to all roles; false means drop the message.
bool RaftCore::step_term(const Message& m) {
  const bool vote_req = m.type == MessageType::kVote || m.type == MessageType::kPreVote;
  if (m.term > term_) {
    if (vote_req) {
      // While a leader is known to be alive, ignore vote requests: a node with
      // a flaky link must not disrupt a healthy leader (check-quorum lease).
      const bool in_lease = config_.check_quorum && lead_ != kNoNode &&
                            election_elapsed_ < config_.election_ticks;
      if (!m.transfer && in_lease) return false;
    }
    if (m.type == MessageType::kPreVote) {
      // A pre-vote never changes our term.
    } else if (m.type == MessageType::kPreVoteResp && !m.reject) {
      // Granted pre-vote at the future term: we become candidate soon.
    } else if (m.type == MessageType::kApp || m.type == MessageType::kHeartbeat ||
               m.type == MessageType::kSnap) {
      become_follower(m.term, m.from);
    } else {
      become_follower(m.term, kNoNode);
    }
    return true;
  }
  if (m.term < term_) {
    if ((config_.check_quorum || config_.pre_vote) &&
        (m.type == MessageType::kHeartbeat || m.type == MessageType::kApp)) {
      // Tell a stale leader about the newer term so it steps down; without
      // this a node whose pre-votes keep failing could stall it forever.
      Message resp;
      resp.type = MessageType::kAppResp;
      resp.to = m.from;
      send(std::move(resp));
    } else if (m.type == MessageType::kPreVote) {
      Message resp;
      resp.type = MessageType::kPreVoteResp;
      resp.to = m.from;
      resp.term = term_;
      resp.reject = true;
      send(std::move(resp));
    }
    return false;
  }
  return true;
}

void RaftCore::handle_vote_request(const Message& m) {
  // One vote per term (first come, first served); pre-votes for a future
  // term are free because they change nothing.
  const bool can_vote = vote_ == m.from || (vote_ == kNoNode && lead_ == kNoNode) ||
                        (m.type == MessageType::kPreVote && m.term > term_);
  Message resp;
  resp.type = vote_resp_type(m.type);
  resp.to = m.from;
  if (can_vote && log_.is_up_to_date(m.index, m.log_term)) {
    resp.term = m.term;
    if (m.type == MessageType::kVote) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    resp.term = term_;
    resp.reject = true;
  }
  send(std::move(resp));
}

void RaftCore::step_leader(const Message& m) {
  if (m.type == MessageType::kReadIndex) {
    if (tracker_.contains(m.from) && m.context.size() <= kContextBytesMax) {
      bool heartbeat = false;
      (void)read_index_.on_request(m.context, m.from, leader_commit(), tracker_.voters(),
                                   &heartbeat);
      if (heartbeat) bcast_heartbeat();
    }
    return;
  }
  Progress* pr = tracker_.progress(m.from);
  if (pr == nullptr) return;
  switch (m.type) {
    case MessageType::kAppResp: handle_app_resp(m, *pr); break;
    case MessageType::kHeartbeatResp:
      replicator_.on_heartbeat_resp(m, *pr);
      if (!m.context.empty()) read_index_.on_ack(m.from, m.context, tracker_.voters());
      break;
    case MessageType::kSnapResp: replicator_.on_snap_resp(m, *pr); break;
    default: break;
  }
}

void RaftCore::step_candidate(const Message& m) {
  const MessageType my_resp = role_ == StateRole::kPreCandidate ? MessageType::kPreVoteResp
                                                                : MessageType::kVoteResp;
  switch (m.type) {
    case MessageType::kApp:
    case MessageType::kHeartbeat:
    case MessageType::kSnap:
      // A leader exists for this term: concede.
      become_follower(m.term, m.from);
      step_follower(m);
      return;
    default: break;
  }
  if (m.type != my_resp) return;
  const VoteResult result = poll(m.from, !m.reject);
  if (result == VoteResult::kWon) {
    if (role_ == StateRole::kPreCandidate) {
      start_campaign(false, false);
    } else {
      become_leader();
      bcast_append();
    }
  } else if (result == VoteResult::kLost) {
    become_follower(term_, kNoNode);
  }
}

void RaftCore::step_follower(const Message& m) {
  switch (m.type) {
    case MessageType::kApp:
      election_elapsed_ = 0;
      lead_ = m.from;
      log_receiver_.on_append(m);
      break;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      log_receiver_.on_heartbeat(m);
      break;
    case MessageType::kSnap:
      election_elapsed_ = 0;
      lead_ = m.from;
      log_receiver_.on_snapshot_chunk(m);
      break;
    case MessageType::kTimeoutNow:
      // Leadership transfer: campaign at once, skipping pre-vote.
      hup(true);
      break;
    case MessageType::kReadIndexResp:
      read_index_.on_response(m);
      break;
    default: break;
  }
}

// ---- leader replication ----

void RaftCore::handle_app_resp(const Message& m, Progress& pr) {
  const AckOutcome ack = replicator_.on_app_resp(m, pr);
  if (!ack.match_advanced) return;
  if (maybe_commit()) {
    on_commit_advanced();
  } else if (ack.was_paused) {
    replicator_.send_append(m.from, true);
  }
  replicator_.fill_window(m.from);
  if (m.from == lead_transferee_ && pr.match() == log_.last_index()) {
    replicator_.send_timeout_now(m.from);
  }
}

void RaftCore::send(Message m) { outbox_.send(std::move(m)); }

void RaftCore::bcast_append() { replicator_.bcast_append(id()); }

void RaftCore::bcast_heartbeat() {
  replicator_.bcast_heartbeat(id(), read_index_.last_pending_context());
}

bool RaftCore::append_entries(std::vector<Entry> entries) {
  const uint64_t size = payload_bytes(entries);
  if (uncommitted_bytes_ > 0 && size > 0 &&
      uncommitted_bytes_ + size > config_.max_uncommitted_bytes) {
    return false;  // a single oversized entry is allowed when nothing is pending
  }
  uncommitted_bytes_ += size;
  const Index last = log_.last_index();
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].term = term_;
    entries[i].index = last + 1 + i;
  }
  log_.append(entries);
  // The leader counts itself only once the driver has persisted (advance()).
  return true;
}

bool RaftCore::maybe_commit() { return log_.maybe_commit(tracker_.committed(), term_); }

void RaftCore::on_commit_advanced() {
  const LeaderCommit commit = leader_commit();
  if (commit.in_current_term && read_index_.release_deferred(commit, tracker_.voters())) {
    bcast_heartbeat();
  }
  bcast_append();
}

// ---- proposals, membership, transfer ----

Status RaftCore::propose(Bytes data) {
  if (role_ != StateRole::kLeader) return not_leader();
  if (lead_transferee_ != kNoNode) return dropped("leadership transfer in progress");
  if (data.size() > kEntryBytesMax) return dropped("entry too large");
  if (!append_entries({Entry{0, 0, EntryType::kNormal, std::move(data)}})) {
    return dropped("too many uncommitted bytes");
  }
  bcast_append();
  return Status::ok();
}

Status RaftCore::propose_conf_change(const ConfChange& cc) {
  if (role_ != StateRole::kLeader) return not_leader();
  if (lead_transferee_ != kNoNode) return dropped("leadership transfer in progress");
  if (pending_conf_index_ > log_.applied()) {
    return Status::error(kErrConfChangePending, "a membership change is not yet applied");
  }
  const Status valid = check_conf_change(tracker_, cc);
  if (!valid.is_ok()) return valid;
  if (!append_entries({Entry{0, 0, EntryType::kConfChange, encode_conf_change(cc)}})) {
    return dropped("too many uncommitted bytes");
  }
  pending_conf_index_ = log_.last_index();
  bcast_append();
  return Status::ok();
}

ConfState RaftCore::apply_conf_change(const ConfChange& cc) {
  const Index next = log_.last_index() + 1;
  switch (cc.type) {
    case ConfChangeType::kAddNode: tracker_.add_voter(cc.node_id, next); break;
    case ConfChangeType::kAddLearner: tracker_.add_learner(cc.node_id, next); break;
    case ConfChangeType::kRemoveNode: tracker_.remove(cc.node_id); break;
  }
  if (role_ != StateRole::kLeader) return tracker_.conf_state();
  if (lead_transferee_ != kNoNode && !tracker_.is_voter(lead_transferee_)) {
    abort_leader_transfer();
  }
  // The quorum changed: entries may now be committed.
  if (maybe_commit()) on_commit_advanced();
  if (!tracker_.is_voter(id())) {
    // Removed (the leader): tell the others the commit index, then step down.
    bcast_append();
    become_follower(term_, kNoNode);
    return tracker_.conf_state();
  }
  bcast_append();
  return tracker_.conf_state();
}

Status RaftCore::transfer_leader(NodeId target) {
  if (role_ != StateRole::kLeader) return not_leader();
  if (target == id()) return Status::ok();
  if (!tracker_.is_voter(target)) {
    return Status::error(kErrInvalidConfChange, "transfer target is not a voter");
  }
  if (lead_transferee_ == target) return Status::ok();
  lead_transferee_ = target;
  // The transfer must finish within one election timeout.
  election_elapsed_ = 0;
  Progress* pr = tracker_.progress(target);
  if (pr->match() == log_.last_index()) {
    replicator_.send_timeout_now(target);
  } else {
    replicator_.send_append(target, true);  // catch the target up first
  }
  return Status::ok();
}

// ---- ReadIndex ----

LeaderCommit RaftCore::leader_commit() const {
  return LeaderCommit{log_.committed(), log_.term_or_zero(log_.committed()) == term_};
}

Status RaftCore::read_index(Bytes context) {
  if (context.size() > kContextBytesMax) return Status::error("invalid_argument", "context");
  if (role_ == StateRole::kLeader) {
    bool heartbeat = false;
    Status s = read_index_.on_request(std::move(context), id(), leader_commit(),
                                      tracker_.voters(), &heartbeat);
    if (heartbeat) bcast_heartbeat();
    return s;
  }
  if (lead_ == kNoNode) return not_leader();
  if (Status s = read_index_.forward(context); !s) return s;
  Message m;
  m.type = MessageType::kReadIndex;
  m.to = lead_;
  m.context = std::move(context);
  send(std::move(m));
  return Status::ok();
}

// ---- Ready ----

bool RaftCore::has_ready() const {
  return hard_state() != prev_hard_state_ || log_.unstable_snapshot().has_value() ||
         !log_.unstable_entries().empty() || !outbox_.empty() ||
         read_index_.has_read_states() || log_.has_next_committed_entries();
}

Ready RaftCore::ready() {
  // A second ready() before advance() would hand out the same entries twice.
  SUANLI_ASSERT_MSG(!awaiting_advance_, "ready() called again before advance()");
  awaiting_advance_ = true;
  Ready rd;
  const HardState hs = hard_state();
  if (hs != prev_hard_state_) rd.hard_state = hs;
  rd.entries = log_.unstable_entries();
  rd.snapshot = log_.unstable_snapshot();
  rd.committed_entries = log_.next_committed_entries(config_.max_committed_bytes_per_ready);
  rd.messages = outbox_.take();
  rd.read_states = read_index_.take_read_states();
  return rd;
}

void RaftCore::advance(const Ready& rd) {
  SUANLI_ASSERT_MSG(awaiting_advance_, "advance() without ready()");
  awaiting_advance_ = false;
  if (rd.hard_state) prev_hard_state_ = *rd.hard_state;
  if (rd.snapshot) {
    log_.stable_snap_to(rd.snapshot->meta.index);
    if (rd.snapshot->meta.index > log_.applied()) log_.applied_to(rd.snapshot->meta.index);
  }
  if (!rd.entries.empty()) log_.stable_to(rd.entries.back().index, rd.entries.back().term);
  if (!rd.committed_entries.empty()) {
    log_.applied_to(rd.committed_entries.back().index);
    const uint64_t done = payload_bytes(rd.committed_entries);
    uncommitted_bytes_ = done >= uncommitted_bytes_ ? 0 : uncommitted_bytes_ - done;
  }
  if (role_ != StateRole::kLeader) return;
  // The leader's own entries count toward the quorum only once durable.
  Progress* self = tracker_.progress(id());
  if (self != nullptr && self->maybe_update(log_.stable_last_index()) && maybe_commit()) {
    on_commit_advanced();
  }
}

}  // namespace suanli::consensus
