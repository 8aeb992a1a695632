#include "consensus/read_index.h"

#include <map>
#include <utility>

#include "consensus/limits.h"

namespace suanli::consensus {
namespace {

Status dropped(const char* why) { return Status::error("proposal_dropped", why); }

}  // namespace

Status ReadIndex::on_request(Bytes context, NodeId from, const LeaderCommit& commit,
                             const MajorityConfig& voters, bool* heartbeat) {
  *heartbeat = false;
  if (!commit.in_current_term) {
    if (!read_only_.defer(std::move(context), from)) return dropped("too many pending reads");
    return Status::ok();
  }
  if (voters.size() == 1) {
    respond(ReadRequest{std::move(context), commit.committed, from, {}});
    return Status::ok();
  }
  if (!read_only_.add_request(commit.committed, std::move(context), from, self_)) {
    return dropped("duplicate or too many read requests");
  }
  *heartbeat = true;
  return Status::ok();
}

void ReadIndex::on_ack(NodeId from, const Bytes& context, const MajorityConfig& voters) {
  const std::set<NodeId>* acks = read_only_.recv_ack(from, context);
  if (acks == nullptr) return;
  std::map<NodeId, bool> votes;
  for (NodeId acker : *acks) votes[acker] = true;
  if (voters.vote_result(votes) != VoteResult::kWon) return;
  for (const ReadRequest& req : read_only_.advance(context)) respond(req);
}

bool ReadIndex::release_deferred(const LeaderCommit& commit, const MajorityConfig& voters) {
  bool heartbeat = false;
  for (auto& [ctx, from] : read_only_.take_deferred()) {
    bool needed = false;
    (void)on_request(std::move(ctx), from, commit, voters, &needed);
    heartbeat = heartbeat || needed;
  }
  return heartbeat;
}

void ReadIndex::respond(const ReadRequest& req) {
  if (req.from == self_) {
    read_states_.push_back(ReadState{req.index, req.context, false});
    return;
  }
  Message m;
  m.type = MessageType::kReadIndexResp;
  m.to = req.from;
  m.index = req.index;
  m.context = req.context;
  outbox_.send(std::move(m));
}

Status ReadIndex::forward(const Bytes& context) {
  if (forwarded_.size() >= kPendingReadsMax) return dropped("too many pending reads");
  if (!forwarded_.emplace(context, ticks_).second) return dropped("duplicate read request");
  return Status::ok();
}

void ReadIndex::tick(uint64_t expire_ticks) {
  ++ticks_;
  for (auto it = forwarded_.begin(); it != forwarded_.end();) {
    if (ticks_ - it->second > expire_ticks) {
      read_states_.push_back(ReadState{0, it->first, true});
      it = forwarded_.erase(it);
    } else {
      ++it;
    }
  }
}

void ReadIndex::on_response(const Message& m) {
  if (forwarded_.erase(m.context) == 0) return;  // dropped already, or never asked
  read_states_.push_back(ReadState{m.index, m.context, false});
}

void ReadIndex::reset() {
  for (auto& [ctx, from] : read_only_.take_all()) {
    if (from == self_) read_states_.push_back(ReadState{0, std::move(ctx), true});
  }
  for (const auto& [ctx, sent] : forwarded_) read_states_.push_back(ReadState{0, ctx, true});
  forwarded_.clear();
}

std::vector<ReadState> ReadIndex::take_read_states() {
  std::vector<ReadState> out;
  out.swap(read_states_);
  return out;
}

}  // namespace suanli::consensus
