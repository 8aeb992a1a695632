#include "consensus/raft_core.h"

#include <algorithm>
#include <utility>

#include "common/assert.h"
#include "consensus/codec.h"
#include "consensus/limits.h"

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
      tracker_(config.max_inflight_msgs, config.max_inflight_bytes) {
  const Status valid = validate(config);
  SUANLI_ASSERT_MSG(valid.is_ok(), valid.message().c_str());
  const HardState hs = storage.hard_state();
  tracker_.reset_conf(storage.conf_state(), log_.last_index() + 1);
  SUANLI_ASSERT_MSG(hs.commit <= log_.last_index(), "hard state commit beyond the log");
  log_.commit_to(hs.commit);
  term_ = hs.term;
  vote_ = hs.vote;
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
    // Unsent messages of older terms may acknowledge entries or votes that the
    // new term is about to overwrite before anything is persisted (found by
    // the simulator, seeds 34 and 270): drop them, as if lost.
    std::erase_if(msgs_, [term](const Message& m) { return m.term < term; });
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
  read_only_.reset();
  pending_reads_.clear();
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
      (void)handle_read_request(m.context, m.from);
    }
    return;
  }
  Progress* pr = tracker_.progress(m.from);
  if (pr == nullptr) return;
  switch (m.type) {
    case MessageType::kAppResp: handle_app_resp(m, *pr); break;
    case MessageType::kHeartbeatResp: handle_heartbeat_resp(m, *pr); break;
    case MessageType::kSnapResp: handle_snap_resp(m, *pr); break;
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
      handle_append(m);
      break;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      handle_heartbeat(m);
      break;
    case MessageType::kSnap:
      election_elapsed_ = 0;
      lead_ = m.from;
      handle_snapshot_chunk(m);
      break;
    case MessageType::kTimeoutNow:
      // Leadership transfer: campaign at once, skipping pre-vote.
      hup(true);
      break;
    case MessageType::kReadIndexResp:
      read_states_.push_back(ReadState{m.index, m.context});
      break;
    default: break;
  }
}

// ---- follower replication ----

void RaftCore::handle_append(const Message& m) {
  Message resp;
  resp.type = MessageType::kAppResp;
  resp.to = m.from;
  if (m.index < log_.committed()) {
    resp.index = log_.committed();
    send(std::move(resp));
    return;
  }
  if (std::optional<Index> last = log_.maybe_append(m.index, m.log_term, m.commit, m.entries)) {
    resp.index = *last;
  } else {
    // Fast backtracking: hint the last index whose term is <= the leader's
    // term at m.index, so the leader skips a whole term per round trip.
    const Index hint = std::min(m.index, log_.last_index());
    const auto [hint_index, hint_term] = log_.find_conflict_by_term(hint, m.log_term);
    resp.index = m.index;
    resp.reject = true;
    resp.reject_hint = hint_index;
    resp.log_term = hint_term;
  }
  send(std::move(resp));
}

void RaftCore::handle_heartbeat(const Message& m) {
  log_.commit_to(std::min(m.commit, log_.last_index()));
  Message resp;
  resp.type = MessageType::kHeartbeatResp;
  resp.to = m.from;
  resp.context = m.context;
  send(std::move(resp));
}

void RaftCore::handle_snapshot_chunk(const Message& m) {
  Message resp;
  resp.to = m.from;
  if (m.snapshot.index <= log_.committed()) {
    // Nothing new in it: report our commit so the leader resumes with entries.
    snapshot_receiver_.reset();
    resp.type = MessageType::kAppResp;
    resp.index = log_.committed();
    send(std::move(resp));
    return;
  }
  ChunkOutcome out = snapshot_receiver_.add_chunk(m);
  if (!out.snapshot) {
    resp.type = MessageType::kSnapResp;
    resp.snapshot = m.snapshot;
    resp.snap_offset = out.next_offset;
    send(std::move(resp));
    return;
  }
  resp.type = MessageType::kAppResp;
  resp.index = restore(*out.snapshot) ? log_.last_index() : log_.committed();
  send(std::move(resp));
}

bool RaftCore::restore(const Snapshot& snapshot) {
  if (snapshot.meta.index <= log_.committed()) return false;
  if (log_.match_term(snapshot.meta.index, snapshot.meta.term)) {
    // Our log already has it: fast-forward the commit instead.
    log_.commit_to(snapshot.meta.index);
    return false;
  }
  log_.restore(snapshot);
  tracker_.reset_conf(snapshot.meta.conf_state, log_.last_index() + 1);
  return true;
}

// ---- leader replication ----

void RaftCore::handle_app_resp(const Message& m, Progress& pr) {
  pr.set_recent_active(true);
  if (m.reject) {
    handle_app_reject(m, pr);
    return;
  }
  const bool was_paused = pr.is_paused();
  if (!pr.maybe_update(m.index)) return;
  switch (pr.state()) {
    case ProgressState::kProbe: pr.become_replicate(); break;
    case ProgressState::kSnapshot:
      if (pr.match() + 1 >= log_.first_index()) {
        pr.become_probe();
        pr.become_replicate();
      }
      break;
    case ProgressState::kReplicate: pr.free_inflights_le(m.index); break;
  }
  if (maybe_commit()) {
    on_commit_advanced();
  } else if (was_paused) {
    send_append(m.from, true);
  }
  // Pipeline: fill the follower's window (bounded by the inflight limits).
  for (uint32_t i = 0; i <= config_.max_inflight_msgs && send_append(m.from, false); ++i) {
  }
  if (m.from == lead_transferee_ && pr.match() == log_.last_index()) send_timeout_now(m.from);
}

void RaftCore::handle_app_reject(const Message& m, Progress& pr) {
  Index next_probe = m.reject_hint;
  if (m.log_term > 0) {
    // Skip every leader entry whose term is above the follower's hint term.
    next_probe = log_.find_conflict_by_term(m.reject_hint, m.log_term).first;
  }
  if (pr.maybe_decr_to(m.index, next_probe)) {
    if (pr.state() == ProgressState::kReplicate) pr.become_probe();
    send_append(m.from, true);
  }
}

void RaftCore::handle_heartbeat_resp(const Message& m, Progress& pr) {
  pr.set_recent_active(true);
  pr.resume_probe();
  if (pr.state() == ProgressState::kSnapshot) {
    send_snapshot_chunk(m.from, pr);  // retransmit a chunk that may be lost
  } else if (pr.match() < log_.last_index()) {
    if (pr.state() == ProgressState::kReplicate && pr.inflights().full()) {
      // Messages may have been lost: free one slot so the follower can tell us.
      pr.free_first_inflight();
    }
    send_append(m.from, true);
  }
  if (!m.context.empty()) handle_read_ack(m);
}

void RaftCore::handle_snap_resp(const Message& m, Progress& pr) {
  pr.set_recent_active(true);
  if (pr.state() != ProgressState::kSnapshot || m.snapshot.index != pr.pending_snapshot()) return;
  pr.set_snapshot_offset(m.snap_offset);
  send_snapshot_chunk(m.from, pr);
}

void RaftCore::send(Message m) {
  SUANLI_ASSERT(m.to != kNoNode);
  SUANLI_ASSERT(m.to != id());
  m.from = id();
  const bool explicit_term = m.type == MessageType::kVote || m.type == MessageType::kPreVote ||
                             is_vote_response(m.type);
  if (explicit_term) {
    SUANLI_ASSERT_MSG(m.term != 0, "vote message without a term");
  } else {
    m.term = term_;
  }
  msgs_.push_back(std::move(m));
}

bool RaftCore::send_append(NodeId to, bool send_if_empty) {
  Progress* pr = tracker_.progress(to);
  if (pr == nullptr || to == id() || pr->is_paused()) return false;
  const Index prev = pr->next() - 1;
  Result<Term> prev_term = log_.term(prev);
  if (!prev_term.is_ok()) return start_snapshot(to, *pr);
  Result<std::vector<Entry>> ents = log_.entries_from(pr->next(), config_.max_msg_bytes);
  if (!ents.is_ok()) return start_snapshot(to, *pr);
  if (ents->empty() && !send_if_empty) return false;
  const Index last = ents->empty() ? prev : ents->back().index;
  pr->sent_entries(ents->size(), last, entries_bytes(*ents));
  Message m;
  m.type = MessageType::kApp;
  m.to = to;
  m.index = prev;
  m.log_term = *prev_term;
  m.entries = std::move(*ents);
  m.commit = log_.committed();
  send(std::move(m));
  return true;
}

bool RaftCore::start_snapshot(NodeId to, Progress& pr) {
  // Only a follower that answers gets a (possibly large) snapshot.
  if (!pr.recent_active()) return false;
  Result<Snapshot> snap = log_.snapshot();
  if (!snap.is_ok() || snap->empty()) return false;
  pr.become_snapshot(snap->meta.index);
  send_snapshot_chunk(to, pr);
  return true;
}

void RaftCore::send_snapshot_chunk(NodeId to, Progress& pr) {
  Result<Snapshot> snap = log_.snapshot();
  if (!snap.is_ok() || snap->empty()) return;
  if (snap->meta.index != pr.pending_snapshot()) {
    // Storage has a newer snapshot: send that one from the start.
    pr.become_snapshot(snap->meta.index);
  }
  const uint64_t total = snap->data.size();
  uint64_t offset = pr.snapshot_offset();
  if (offset > total) offset = 0;
  const uint64_t len = std::min<uint64_t>(config_.snapshot_chunk_bytes, total - offset);
  Message m;
  m.type = MessageType::kSnap;
  m.to = to;
  m.snapshot = snap->meta;
  m.snap_offset = offset;
  m.snap_total = total;
  m.snap_data = snap->data.substr(offset, len);
  send(std::move(m));
}

void RaftCore::bcast_append() {
  for (auto& [peer, pr] : tracker_.all()) {
    if (peer != id()) send_append(peer, true);
  }
}

void RaftCore::bcast_heartbeat() {
  const Bytes* ctx = read_only_.last_pending_context();
  for (auto& [peer, pr] : tracker_.all()) {
    if (peer == id()) continue;
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = peer;
    // Never ahead of what the follower has: it cannot commit what it lacks.
    m.commit = std::min(pr.match(), log_.committed());
    if (ctx != nullptr) m.context = *ctx;
    send(std::move(m));
  }
}

void RaftCore::send_timeout_now(NodeId to) {
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = to;
  send(std::move(m));
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
  if (committed_entry_in_current_term()) release_pending_reads();
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
  auto invalid = [](const char* why) { return Status::error(kErrInvalidConfChange, why); };
  const bool voter = tracker_.is_voter(cc.node_id);
  const bool learner = tracker_.is_learner(cc.node_id);
  switch (cc.type) {
    case ConfChangeType::kAddNode:
      if (voter) return invalid("already a voter");
      break;
    case ConfChangeType::kAddLearner:
      if (voter || learner) return invalid("already a member");
      break;
    case ConfChangeType::kRemoveNode:
      if (!voter && !learner) return invalid("not a member");
      if (voter && tracker_.voters().size() == 1) return invalid("cannot remove the last voter");
      break;
  }
  if (cc.node_id == kNoNode) return invalid("node id 0");
  if (tracker_.all().size() >= kConfNodesMax && cc.type != ConfChangeType::kRemoveNode) {
    return invalid("too many members");
  }
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
    send_timeout_now(target);
  } else {
    send_append(target, true);  // catch the target up first
  }
  return Status::ok();
}

// ---- ReadIndex ----

bool RaftCore::committed_entry_in_current_term() const {
  return log_.term_or_zero(log_.committed()) == term_;
}

Status RaftCore::read_index(Bytes context) {
  if (context.size() > kContextBytesMax) return Status::error("invalid_argument", "context");
  if (role_ == StateRole::kLeader) return handle_read_request(std::move(context), id());
  if (lead_ == kNoNode) return not_leader();
  Message m;
  m.type = MessageType::kReadIndex;
  m.to = lead_;
  m.context = std::move(context);
  send(std::move(m));
  return Status::ok();
}

Status RaftCore::handle_read_request(Bytes context, NodeId from) {
  if (!committed_entry_in_current_term()) {
    // A new leader does not yet know the latest commit index: its commit may
    // lag entries committed by its predecessor. Wait for its first commit.
    if (pending_reads_.size() >= kPendingReadsMax) return dropped("too many pending reads");
    pending_reads_.emplace_back(std::move(context), from);
    return Status::ok();
  }
  if (tracker_.voters().size() == 1) {
    respond_read(ReadRequest{std::move(context), log_.committed(), from, {}});
    return Status::ok();
  }
  if (!read_only_.add_request(log_.committed(), context, from, id())) {
    return dropped("duplicate or too many read requests");
  }
  bcast_heartbeat();
  return Status::ok();
}

void RaftCore::handle_read_ack(const Message& m) {
  const std::set<NodeId>* acks = read_only_.recv_ack(m.from, m.context);
  if (acks == nullptr) return;
  std::map<NodeId, bool> votes;
  for (NodeId acker : *acks) votes[acker] = true;
  if (tracker_.voters().vote_result(votes) != VoteResult::kWon) return;
  for (const ReadRequest& req : read_only_.advance(m.context)) respond_read(req);
}

void RaftCore::respond_read(const ReadRequest& req) {
  if (req.from == id()) {
    read_states_.push_back(ReadState{req.index, req.context});
    return;
  }
  Message m;
  m.type = MessageType::kReadIndexResp;
  m.to = req.from;
  m.index = req.index;
  m.context = req.context;
  send(std::move(m));
}

void RaftCore::release_pending_reads() {
  std::deque<std::pair<Bytes, NodeId>> pending;
  pending.swap(pending_reads_);
  for (auto& [ctx, from] : pending) (void)handle_read_request(std::move(ctx), from);
}

// ---- Ready ----

bool RaftCore::has_ready() const {
  return hard_state() != prev_hard_state_ || log_.unstable_snapshot().has_value() ||
         !log_.unstable_entries().empty() || !msgs_.empty() || !read_states_.empty() ||
         log_.has_next_committed_entries();
}

Ready RaftCore::ready() {
  Ready rd;
  const HardState hs = hard_state();
  if (hs != prev_hard_state_) rd.hard_state = hs;
  rd.entries = log_.unstable_entries();
  rd.snapshot = log_.unstable_snapshot();
  rd.committed_entries = log_.next_committed_entries(config_.max_committed_bytes_per_ready);
  rd.messages.swap(msgs_);
  rd.read_states.swap(read_states_);
  return rd;
}

void RaftCore::advance(const Ready& rd) {
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
