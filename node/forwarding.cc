// Transactions a follower admits travel to the leader in batch frames: the
// follower's side (forward_pending, on the I/O thread) and the leader's
// (accept_forwarded, on the verify pool).
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "ledger/codec.h"
#include "ledger/store.h"
#include "node/node_impl.h"

namespace suanli::node {

// Pool thread, on the leader: a follower's forwarded transactions (a kTxBatch
// frame, or the kTx frame of one that earlier versions send), decoded and
// checked as one job, their signatures across the pool's workers.
void NodeImpl::accept_forwarded(const std::string& from, std::string payload) {
  bool posted = pool_.post([this, from, payload = std::move(payload)] {
    const std::string_view body = std::string_view(payload).substr(1);
    auto texts = static_cast<FrameKind>(payload[0]) == FrameKind::kTx
                     ? std::optional<std::vector<std::string_view>>({body})
                     : decode_tx_batch(body);
    if (!texts) {
      spdlog::warn("malformed transaction batch from {}; dropped", from);
      return;
    }
    auto txs = std::make_shared<std::vector<ledger::Tx>>();
    txs->reserve(texts->size());
    const uint64_t now = now_ms();
    for (std::string_view text : *texts) {
      auto decoded = ledger::decode_tx(text);
      auto* tx = std::get_if<ledger::Tx>(&decoded);
      if (tx == nullptr || tx->chain_id != opts_.genesis.chain_id || tx->expires_at <= now)
        continue;
      // A forward repeated by a follower: known already, so no signature check.
      if (mempool_.contains(tx->hash) || state_->get(ledger::keys::tx_record(tx->hash))) continue;
      txs->push_back(std::move(*tx));
    }
    if (txs->empty()) return;
    pool_.verify_batch(
        txs,
        [this, txs](std::vector<bool> ok) {
          bool added = false;
          for (size_t i = 0; i < txs->size(); ++i) {
            if (!ok[i]) continue;
            auto tx = std::make_shared<const ledger::Tx>(std::move((*txs)[i]));
            added |= mempool_.add(std::move(tx)) == Mempool::AddResult::kAdded;
          }
          if (added && is_leader_.load()) schedule_propose();
        },
        VerifyPool::Priority::kAdmission);
  });
  // Refused (a full queue): the follower offers them again after its delay.
  if (!posted) spdlog::debug("transaction batch from {} not taken: verify queue full", from);
}

size_t NodeImpl::forward_txs(const std::string& leader,
                             const std::vector<std::shared_ptr<const ledger::Tx>>& txs) {
  size_t sent = 0;
  while (sent < txs.size()) {
    std::vector<std::string_view> batch;
    size_t bytes = 0;
    size_t next = sent;
    for (; next < txs.size() && batch.size() < kTxBatchTxsMax; ++next) {
      const std::string& c = txs[next]->canonical;
      if (!batch.empty() && bytes + c.size() > kForwardFrameBytes) break;
      batch.push_back(c);
      bytes += 4 + c.size();
    }
    std::string frame(1, static_cast<char>(FrameKind::kTxBatch));
    frame.reserve(1 + 4 + bytes);
    append_tx_batch(batch, &frame);
    if (!transport_->send(leader, std::move(frame))) break;
    sent = next;
  }
  return sent;
}

// I/O thread, on a follower: forwards to the leader what it has not forwarded
// yet, and again what it forwarded long ago (the mempool's re-offer delay)
// that is still not committed — a frame sent while the link was down, or lost
// with a link, is not lost for good.
void NodeImpl::forward_pending() {
  forward_scheduled_ = false;
  if (is_leader_.load() || !transport_) return;
  const std::string leader = leader_node_id();
  if (leader.empty() || leader == node_id_) return;
  auto txs = mempool_.take(kForwardBatchTxs, kForwardBatchBytes, now_ms());
  if (txs.empty()) return;
  const size_t sent = forward_txs(leader, txs);
  // Not sent (no link yet, or a full queue): offered again on the next try.
  if (sent < txs.size()) {
    std::vector<Hash32> unsent;
    for (size_t i = sent; i < txs.size(); ++i) unsent.push_back(txs[i]->hash);
    mempool_.release(unsent);
  }
}

void NodeImpl::schedule_forward() {
  if (forward_scheduled_.exchange(true)) return;
  boost::asio::post(io_, [this] { forward_pending(); });
}

void NodeImpl::forward_held_to(const std::string& leader) {
  auto held = mempool_.all();
  if (held.empty() || !transport_) return;
  const size_t sent = forward_txs(leader, held);
  spdlog::info("new leader {}: forwarded {} of {} held transactions", leader, sent, held.size());
}

}  // namespace suanli::node
