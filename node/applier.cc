// The apply thread: committed blocks, in order, into the state database.
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "ledger/block.h"
#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "node/meta.h"
#include "node/node_impl.h"

namespace suanli::node {
namespace {
constexpr size_t kPreparedBlocksMax = 256;
}

std::shared_future<std::shared_ptr<PreparedBlock>> NodeImpl::prepare_async(
    const ledger::Block& b) {
  Hash32 hash = b.header.hash();
  std::lock_guard lock(prepared_mu_);
  auto it = prepared_.find(hash);
  if (it != prepared_.end()) return it->second;
  auto promise = std::make_shared<std::promise<std::shared_ptr<PreparedBlock>>>();
  auto future = promise->get_future().share();
  if (prepared_.size() >= kPreparedBlocksMax) prepared_.erase(prepared_.begin());
  prepared_[hash] = future;
  auto raw = std::make_shared<std::vector<std::string>>(b.txs);
  // Decode on the pool, then verify the batch across the pool's workers.
  bool posted = pool_.post([this, raw, promise, hash, proposer = b.header.proposer,
                            signature = b.signature] {
    auto prepared = std::make_shared<PreparedBlock>();
    // The proposer's key as of now; apply compares it with the key then.
    if (auto key = member_key(proposer);
        key && ledger::ed25519_verify(*key, signature, as_view(hash))) {
      prepared->proposer_checked.emplace(*key, signature);
    }
    auto txs = std::make_shared<std::vector<ledger::Tx>>();
    txs->reserve(raw->size());
    for (const auto& text : *raw) {
      auto d = ledger::decode_tx(text, ledger::DecodeCheck::kNone);
      if (!std::holds_alternative<ledger::Tx>(d)) {
        prepared->valid = false;
        promise->set_value(prepared);
        return;
      }
      txs->push_back(std::get<ledger::Tx>(std::move(d)));
    }
    pool_.verify_batch(txs, [prepared, txs, promise](std::vector<bool> ok) {
      prepared->txs = std::move(*txs);
      prepared->signature_ok = std::move(ok);
      promise->set_value(prepared);
    });
  }, VerifyPool::Priority::kBlock);
  if (!posted) {
    prepared_.erase(hash);
    std::promise<std::shared_ptr<PreparedBlock>> none;
    none.set_value(nullptr);
    return none.get_future().share();
  }
  return future;
}

std::shared_ptr<PreparedBlock> NodeImpl::prepared_for(const Hash32& block_hash,
                                                      const ledger::Block& b) {
  std::shared_future<std::shared_ptr<PreparedBlock>> f;
  {
    std::lock_guard lock(prepared_mu_);
    auto it = prepared_.find(block_hash);
    if (it != prepared_.end()) f = it->second;
  }
  if (!f.valid()) f = prepare_async(b);
  auto prepared = f.get();
  if (!prepared) {
    // The pool refused the job (queue full): prepare here, on this thread.
    prepared = std::make_shared<PreparedBlock>();
    for (const auto& text : b.txs) {
      auto d = ledger::decode_tx(text, ledger::DecodeCheck::kNone);
      if (!std::holds_alternative<ledger::Tx>(d)) {
        prepared->valid = false;
        break;
      }
      prepared->txs.push_back(std::get<ledger::Tx>(std::move(d)));
      prepared->signature_ok.push_back(pool_.verify(prepared->txs.back()));
    }
  }
  std::lock_guard lock(prepared_mu_);
  prepared_.erase(block_hash);
  return prepared;
}

void NodeImpl::push_apply(ApplyItem item) {
  std::unique_lock lock(apply_mu_);
  apply_cv_.wait(lock, [&] { return apply_queue_.size() < kApplyQueueEntriesMax || stopping_; });
  apply_queue_.push_back(std::move(item));
  apply_cv_.notify_all();
}

void NodeImpl::apply_loop() {
  while (true) {
    ApplyItem item;
    bool snapshot_now = false;
    {
      std::unique_lock lock(apply_mu_);
      apply_cv_.wait(lock, [&] {
        return stopping_ || !apply_queue_.empty() || snapshot_requested_;
      });
      if (stopping_) return;
      snapshot_now = std::exchange(snapshot_requested_, false);
      if (!apply_queue_.empty()) {
        item = std::move(apply_queue_.front());
        apply_queue_.pop_front();
      }
      apply_cv_.notify_all();
    }
    if (diverged_.load()) continue;
    if (item.snapshot) {
      install_snapshot(*item.snapshot);
    } else if (item.entry.index > 0) {
      apply_entry(item.entry);
      maybe_snapshot(false);
    }
    if (snapshot_now) maybe_snapshot(true);
  }
}

bool NodeImpl::write_with_retry(const std::string& what, const std::function<Status()>& write) {
  Status s = write();
  while (!s) {
    if (s.code() == "invalid_argument" || s.code() == "corruption" || s.code() == "not_found") {
      spdlog::critical("cannot {}: {}", what, s.to_string());
      std::abort();
    }
    // A refused write changed nothing: the same one is made again once the
    // disk takes writes, and nothing after it is applied before.
    storage_failed(Db::kState, s);
    {
      std::unique_lock lock(apply_mu_);
      if (apply_cv_.wait_for(lock, std::chrono::milliseconds(kStorageRetryMs),
                             [&] { return stopping_; })) {
        return false;
      }
    }
    s = state_->resume();
    if (s) s = write();
  }
  if (state_write_failing_.load()) storage_recovered(Db::kState);
  return true;
}

void NodeImpl::apply_entry(const consensus::Entry& e) {
  if (e.index <= applied_index_.load()) return;  // applied before a restart
  if (e.data.empty()) return;                     // a new leader's empty entry
  auto block = ledger::decode_block(e.data, opts_.genesis.policy.max_block_txs);
  if (!block) {
    spdlog::error("entry {} holds no valid block; skipped on every node", e.index);
    return;
  }
  apply_block_entry(e, *block);
}

bool NodeImpl::apply_block_entry(const consensus::Entry& e, const ledger::Block& block) {
  const ledger::BlockHeader& h = block.header;
  Hash32 hash = h.hash();
  Tip tip;
  Hash32 state_hash;
  {
    std::lock_guard lock(applied_mu_);
    tip = applied_tip_;
    state_hash = applied_state_hash_;
  }
  // Structural checks every node makes alike; a block failing them is skipped.
  auto skip = [&](const std::string& why) {
    spdlog::error("block {} at raft index {} by {} skipped: {}", h.height, e.index, h.proposer,
                  why);
    std::lock_guard lock(prepared_mu_);
    prepared_.erase(hash);
    return false;
  };
  if (h.height != tip.height + 1) return skip("height does not follow " + std::to_string(tip.height));
  if (h.prev_hash != tip.hash) return skip("prev_hash is not the last block's hash");
  if (h.time < tip.time) return skip("time earlier than the parent's");
  auto proposer_key = member_key(h.proposer);
  auto prepared = prepared_for(hash, block);
  const bool checked = proposer_key && prepared->proposer_checked &&
                       prepared->proposer_checked->first == *proposer_key &&
                       prepared->proposer_checked->second == block.signature;
  if (!proposer_key ||
      (!checked && !ledger::ed25519_verify(*proposer_key, block.signature, as_view(hash)))) {
    return skip("proposer signature does not verify");
  }
  if (!prepared->valid) return skip("a transaction does not decode");
  std::vector<Hash32> hashes;
  for (const auto& tx : prepared->txs) hashes.push_back(tx.hash);
  if (ledger::merkle_root(hashes) != h.tx_root) return skip("tx_root does not match");

  // The proposer's state checkpoint: every node checks it at that height.
  auto expected = h.state_height == 0 ? std::optional<Hash32>(opts_.genesis.hash)
                                      : meta::state_hash_at(*state_, h.state_height);
  if (!expected || *expected != h.state_hash) {
    diverged_ = true;
    spdlog::critical(
        "STATE DIVERGENCE: block {} by {} says the state hash at height {} is {}, this node has "
        "{}. This node stops applying; compare state hashes across nodes and restore it.",
        h.height, h.proposer, h.state_height, to_hex(h.state_hash),
        expected ? to_hex(*expected) : "nothing");
    return false;
  }
  uint64_t now = now_ms();
  if (h.time > now + opts_.clock_skew_warn_ms) {
    spdlog::warn("block {} time is {} ms ahead of this node's clock", h.height, h.time - now);
  }

  ledger::BlockInput input;
  input.height = h.height;
  input.time = h.time;
  for (const auto& tx : prepared->txs) input.txs.push_back(&tx);
  input.signature_ok = prepared->signature_ok;
  ledger::ApplyResult result = ledger::apply_block(*state_, state_hash, input);

  ledger::BlockRecord record{h, hash, hashes, {}, block.signature};
  for (size_t i = 0; i < result.outcomes.size(); ++i) {
    if (result.outcomes[i].disposition == ledger::TxDisposition::kBadSignature) {
      record.rejected.push_back(hashes[i]);
      spdlog::warn("block {} by {}: transaction {} has a bad signature (evidence against the "
                   "proposer)", h.height, h.proposer, to_hex(hashes[i]));
    }
  }
  ledger::WriteSet& w = result.writes;
  w[ledger::keys::block(h.height)] = ledger::encode_block_record(record);
  for (size_t i = 0; i < block.txs.size(); ++i) {
    w[ledger::keys::block_tx(h.height, static_cast<uint32_t>(i))] = block.txs[i];
  }
  Tip new_tip{h.height, hash, h.time};
  meta::put_applied(w, e.index, new_tip, result.state_hash);
  // No fsync: the Raft log is durable and replays what a power loss drops.
  if (!write_with_retry("commit block " + std::to_string(h.height),
                        [&] { return state_->commit(w, StateStore::Sync::kNo); })) {
    return false;
  }
  {
    std::lock_guard lock(applied_mu_);
    applied_tip_ = new_tip;
    applied_state_hash_ = result.state_hash;
  }
  applied_index_ = e.index;
  applied_height_ = h.height;
  mempool_.remove(hashes);
  mempool_.applied_through(h.height);  // what this height's block lacked comes back
  for (const auto& tx : prepared->txs) pool_.cache().erase(tx.hash, tx.signature);
  notify_applied(h.height, hashes);
  applied_listeners_.publish(h.height, result.outcomes);
  if (!result.membership_changes.empty()) {
    boost::asio::post(io_, [this] { apply_membership(); });
  }
  if (is_leader_.load()) schedule_propose();
  spdlog::debug("applied block {} ({} txs)", h.height, h.tx_count);
  return true;
}

}  // namespace suanli::node
