#include "consensus/replicator.h"

#include <algorithm>
#include <utility>

#include "common/assert.h"

namespace suanli::consensus {

bool Replicator::send_append(NodeId to, bool send_if_empty) {
  Progress* pr = tracker_.progress(to);
  if (pr == nullptr || pr->is_paused()) return false;
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
  outbox_.send(std::move(m));
  return true;
}

void Replicator::fill_window(NodeId to) {
  // Each send either fills an inflight slot or pauses a probe, so this ends.
  for (uint32_t i = 0; i <= config_.max_inflight_msgs && send_append(to, false); ++i) {
  }
}

void Replicator::bcast_append(NodeId self) {
  for (auto& [peer, pr] : tracker_.all()) {
    if (peer != self) send_append(peer, true);
  }
}

void Replicator::bcast_heartbeat(NodeId self, const Bytes* context) {
  for (auto& [peer, pr] : tracker_.all()) {
    if (peer == self) continue;
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = peer;
    // Never ahead of what the follower has: it cannot commit what it lacks.
    m.commit = std::min(pr.match(), log_.committed());
    if (context != nullptr) m.context = *context;
    outbox_.send(std::move(m));
  }
}

void Replicator::send_timeout_now(NodeId to) {
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = to;
  outbox_.send(std::move(m));
}

AckOutcome Replicator::on_app_resp(const Message& m, Progress& pr) {
  pr.set_recent_active(true);
  if (m.reject) {
    on_app_reject(m, pr);
    return {};
  }
  AckOutcome out;
  out.was_paused = pr.is_paused();
  if (!pr.maybe_update(m.index)) return out;
  out.match_advanced = true;
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
  return out;
}

void Replicator::on_app_reject(const Message& m, Progress& pr) {
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

void Replicator::on_heartbeat_resp(const Message& m, Progress& pr) {
  pr.set_recent_active(true);
  pr.resume_probe();
  if (pr.state() == ProgressState::kSnapshot) {
    send_snapshot_chunk(m.from, pr);  // retransmit a chunk that may be lost
  } else if (pr.match() < log_.last_index()) {
    if (pr.state() == ProgressState::kReplicate && pr.inflights().full()) {
      // kApps may have been lost: free a slot so the follower can tell us
      // (simulator seed 136: without this the window stayed full forever).
      pr.free_first_inflight();
    }
    send_append(m.from, true);
  }
}

void Replicator::on_snap_resp(const Message& m, Progress& pr) {
  pr.set_recent_active(true);
  if (pr.state() != ProgressState::kSnapshot || m.snapshot.index != pr.pending_snapshot()) return;
  pr.set_snapshot_offset(m.snap_offset);
  send_snapshot_chunk(m.from, pr);
}

bool Replicator::start_snapshot(NodeId to, Progress& pr) {
  // Only a follower that answers gets a (possibly large) snapshot.
  if (!pr.recent_active()) return false;
  Result<Snapshot> snap = log_.snapshot();
  if (!snap.is_ok() || snap->empty()) return false;
  pr.become_snapshot(snap->meta.index);
  send_snapshot_chunk(to, pr);
  return true;
}

void Replicator::send_snapshot_chunk(NodeId to, Progress& pr) {
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
  outbox_.send(std::move(m));
}

}  // namespace suanli::consensus
