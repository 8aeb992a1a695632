#include "tests/consensus/sim_network_util.h"

#include <algorithm>

namespace suanli::consensus::sim {

void SimNetwork::send(uint64_t now, Message m) {
  if (faults_.drop_per_mille > 0 && rng_.chance(faults_.drop_per_mille)) {
    ++dropped_;
    return;
  }
  const uint32_t copies =
      faults_.duplicate_per_mille > 0 && rng_.chance(faults_.duplicate_per_mille) ? 2 : 1;
  if (copies > 1) ++duplicated_;
  for (uint32_t i = 0; i < copies; ++i) {
    const uint64_t delay =
        faults_.max_delay_ticks == 0 ? 0 : rng_.uniform(faults_.max_delay_ticks + 1);
    if (delay > 0) ++delayed_;
    queue_.push_back(Envelope{now + delay, rng_.next(), m});
  }
}

std::vector<Message> SimNetwork::take_due(uint64_t now) {
  std::vector<Envelope> due;
  std::vector<Envelope> later;
  for (Envelope& e : queue_) {
    if (e.deliver_at <= now) {
      due.push_back(std::move(e));
    } else {
      later.push_back(std::move(e));
    }
  }
  queue_.swap(later);
  std::sort(due.begin(), due.end(), [](const Envelope& x, const Envelope& y) {
    return x.deliver_at != y.deliver_at ? x.deliver_at < y.deliver_at : x.order < y.order;
  });
  std::vector<Message> out;
  for (Envelope& e : due) {
    if (blocked(e.msg.from, e.msg.to)) {
      ++dropped_;
    } else {
      out.push_back(std::move(e.msg));
    }
  }
  return out;
}

void SimNetwork::split(const std::vector<NodeId>& a, const std::vector<NodeId>& b) {
  for (NodeId x : a) {
    for (NodeId y : b) {
      block(x, y);
      block(y, x);
    }
  }
}

}  // namespace suanli::consensus::sim
