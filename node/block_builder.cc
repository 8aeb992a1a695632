// The leader's block building (I/O thread): where a new leader builds on,
// when the next block goes out, and the block itself.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

#include "ledger/block.h"
#include "ledger/codec.h"
#include "node/node_impl.h"

namespace suanli::node {

std::optional<Tip> NodeImpl::last_block_in_log() const {
  consensus::Index lo = std::max(raft_storage_->first_index(), applied_index_.load() + 1);
  for (consensus::Index i = raft_storage_->last_index(); i >= lo && i > 0; --i) {
    auto es = raft_storage_->entries(i, i + 1, 64 << 20);
    if (!es || es->empty()) break;
    const consensus::Entry& e = es->front();
    if (e.type != consensus::EntryType::kNormal || e.data.empty()) continue;
    auto b = ledger::decode_block(e.data, opts_.genesis.policy.max_block_txs);
    if (b) return Tip{b->header.height, b->header.hash(), b->header.time};
  }
  return std::nullopt;
}

void NodeImpl::on_became_leader() {
  auto tip = last_block_in_log();
  if (tip) {
    proposed_tip_ = *tip;
  } else {
    std::lock_guard lock(applied_mu_);
    proposed_tip_ = applied_tip_;
  }
  spdlog::info("node {} is leader in term {} building on height {}", node_id_, core_->term(),
               proposed_tip_.height);
}

bool NodeImpl::block_interval_passed() {
  if (std::chrono::steady_clock::now() >= next_block_at_) return true;
  if (!block_timer_armed_) {
    block_timer_armed_ = true;
    block_timer_->expires_at(next_block_at_);
    block_timer_->async_wait([this](const boost::system::error_code& ec) {
      block_timer_armed_ = false;
      if (ec) return;
      maybe_propose_block();
      handle_ready();
    });
  }
  return false;
}

void NodeImpl::maybe_propose_block() {
  if (core_->role() != consensus::StateRole::kLeader || diverged_.load() || stalled_ready_) return;
  const ledger::Policy& policy = opts_.genesis.policy;
  while (proposed_tip_.height < applied_height_.load() + kBlocksInFlightMax) {
    if (proposed_tip_.height < applied_height_.load()) {
      std::lock_guard lock(applied_mu_);
      proposed_tip_ = applied_tip_;
    }
    // Few waiting: no block while one is in flight (the applier calls back),
    // nor before the block interval has passed (its timer calls back).
    const bool in_flight = proposed_tip_.height > applied_height_.load();
    if (mempool_.size() < kPipelineMinTxs && (in_flight || !block_interval_passed())) return;
    uint64_t now = now_ms();
    auto txs = mempool_.take(policy.max_block_txs, policy.max_block_bytes - 4096, now,
                             proposed_tip_.height + 1);
    if (txs.empty()) return;
    ledger::Block block;
    ledger::BlockHeader& h = block.header;
    h.height = proposed_tip_.height + 1;
    h.prev_hash = proposed_tip_.hash;
    h.time = std::max(now, proposed_tip_.time);
    h.proposer = node_id_;
    std::vector<Hash32> hashes;
    auto prepared = std::make_shared<PreparedBlock>();
    for (const auto& tx : txs) {
      hashes.push_back(tx->hash);
      block.txs.push_back(tx->canonical);
      prepared->txs.push_back(*tx);
      // Verified at admission (a cache hit), unless a test made this node faulty.
      prepared->signature_ok.push_back(!opts_.fault_admit_unverified || pool_.verify(*tx));
    }
    h.tx_root = ledger::merkle_root(hashes);
    h.tx_count = txs.size();
    {
      std::lock_guard lock(applied_mu_);
      h.state_height = applied_tip_.height;
      h.state_hash = applied_state_hash_;
    }
    Hash32 hash = h.hash();
    block.signature = ledger::ed25519_sign(opts_.key, as_view(hash));
    prepared->proposer_checked.emplace(opts_.key.pubkey, block.signature);  // made just now
    if (opts_.fault_bad_block_signature) block.signature[0] ^= 1;
    {
      std::promise<std::shared_ptr<PreparedBlock>> p;
      p.set_value(prepared);
      std::lock_guard lock(prepared_mu_);
      prepared_[hash] = p.get_future().share();
    }
    Status s = core_->propose(ledger::encode_block(block));
    if (!s) {
      spdlog::debug("block {} not proposed: {}", h.height, s.to_string());
      mempool_.release(hashes);  // offered again at once
      {
        std::lock_guard lock(prepared_mu_);
        prepared_.erase(hash);
      }
      return;
    }
    proposed_tip_ = Tip{h.height, hash, h.time};
    next_block_at_ =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(opts_.block_interval_ms);
  }
}

}  // namespace suanli::node
