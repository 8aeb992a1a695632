#include "consensus/read_only.h"

#include <utility>

#include "consensus/limits.h"

namespace suanli::consensus {

bool ReadOnly::add_request(Index index, Bytes context, NodeId from, NodeId self) {
  if (queue_.size() >= kPendingReadsMax) return false;
  for (const ReadRequest& r : queue_) {
    if (r.context == context) return false;
  }
  ReadRequest req{std::move(context), index, from, {}};
  req.acks.insert(self);
  queue_.push_back(std::move(req));
  return true;
}

const std::set<NodeId>* ReadOnly::recv_ack(NodeId id, const Bytes& context) {
  for (ReadRequest& r : queue_) {
    if (r.context == context) {
      r.acks.insert(id);
      return &r.acks;
    }
  }
  return nullptr;
}

std::vector<ReadRequest> ReadOnly::advance(const Bytes& context) {
  size_t n = 0;
  bool found = false;
  for (; n < queue_.size(); ++n) {
    if (queue_[n].context == context) {
      found = true;
      break;
    }
  }
  std::vector<ReadRequest> out;
  if (!found) return out;
  for (size_t i = 0; i <= n; ++i) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return out;
}

const Bytes* ReadOnly::last_pending_context() const {
  return queue_.empty() ? nullptr : &queue_.back().context;
}

bool ReadOnly::defer(Bytes context, NodeId from) {
  if (deferred_.size() >= kPendingReadsMax) return false;
  deferred_.emplace_back(std::move(context), from);
  return true;
}

std::vector<std::pair<Bytes, NodeId>> ReadOnly::take_all() {
  std::vector<std::pair<Bytes, NodeId>> out;
  for (ReadRequest& r : queue_) out.emplace_back(std::move(r.context), r.from);
  queue_.clear();
  for (auto& d : deferred_) out.push_back(std::move(d));
  deferred_.clear();
  return out;
}

std::vector<std::pair<Bytes, NodeId>> ReadOnly::take_deferred() {
  std::vector<std::pair<Bytes, NodeId>> out;
  out.swap(deferred_);
  return out;
}

}  // namespace suanli::consensus
