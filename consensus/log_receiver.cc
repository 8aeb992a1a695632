#include "consensus/log_receiver.h"

#include <algorithm>
#include <utility>

namespace suanli::consensus {

void LogReceiver::on_append(const Message& m) {
  Message resp;
  resp.type = MessageType::kAppResp;
  resp.to = m.from;
  if (m.index < log_.committed()) {
    resp.index = log_.committed();
    outbox_.send(std::move(resp));
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
  outbox_.send(std::move(resp));
}

void LogReceiver::on_heartbeat(const Message& m) {
  log_.commit_to(std::min(m.commit, log_.last_index()));
  Message resp;
  resp.type = MessageType::kHeartbeatResp;
  resp.to = m.from;
  resp.context = m.context;
  outbox_.send(std::move(resp));
}

void LogReceiver::on_snapshot_chunk(const Message& m) {
  Message resp;
  resp.to = m.from;
  if (m.snapshot.index <= log_.committed()) {
    // Nothing new in it: report our commit so the leader resumes with entries.
    snapshot_receiver_.reset();
    resp.type = MessageType::kAppResp;
    resp.index = log_.committed();
    outbox_.send(std::move(resp));
    return;
  }
  ChunkOutcome out = snapshot_receiver_.add_chunk(m);
  if (!out.snapshot) {
    resp.type = MessageType::kSnapResp;
    resp.snapshot = m.snapshot;
    resp.snap_offset = out.next_offset;
    outbox_.send(std::move(resp));
    return;
  }
  resp.type = MessageType::kAppResp;
  resp.index = restore(*out.snapshot) ? log_.last_index() : log_.committed();
  outbox_.send(std::move(resp));
}

bool LogReceiver::restore(const Snapshot& snapshot) {
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

}  // namespace suanli::consensus
