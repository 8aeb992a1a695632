#include "node/mempool.h"

namespace suanli::node {

Mempool::AddResult Mempool::add(std::shared_ptr<const ledger::Tx> tx) {
  std::lock_guard lock(mu_);
  if (by_hash_.count(tx->hash)) return AddResult::kDuplicate;
  if (by_hash_.size() >= txs_max_ || bytes_ + tx->canonical.size() > bytes_max_) {
    return AddResult::kFull;
  }
  uint64_t seq = next_seq_++;
  const Hash32 hash = tx->hash;
  bytes_ += tx->canonical.size();
  by_expiry_.emplace(tx->expires_at, seq);
  Slot* slot = &*by_hash_.emplace(hash, Entry{std::move(tx), seq, 0}).first;
  // Sequence numbers only grow: both go at the end.
  by_seq_.emplace_hint(by_seq_.end(), seq, slot);
  ready_.emplace_hint(ready_.end(), seq, slot);
  return AddResult::kAdded;
}

bool Mempool::contains(const Hash32& hash) const {
  std::lock_guard lock(mu_);
  return by_hash_.count(hash) > 0;
}

std::shared_ptr<const ledger::Tx> Mempool::get(const Hash32& hash) const {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : it->second.tx;
}

bool Mempool::is_available(const Entry& e, uint64_t now_ms) const {
  return e.proposed_at == 0 ||
         (e.proposed_height == 0 && now_ms >= e.proposed_at + reoffer_after_ms_);
}

std::vector<std::shared_ptr<const ledger::Tx>> Mempool::take(size_t max_txs, size_t max_bytes,
                                                             uint64_t now_ms,
                                                             uint64_t block_height) {
  std::lock_guard lock(mu_);
  requeue(now_ms);
  std::vector<std::shared_ptr<const ledger::Tx>> out;
  size_t taken_bytes = 0;
  const uint64_t at = now_ms == 0 ? 1 : now_ms;
  for (auto it = ready_.begin(); it != ready_.end() && out.size() < max_txs;) {
    Entry& e = it->second->second;
    const Hash32& hash = it->second->first;
    size_t size = e.tx->canonical.size();
    if (taken_bytes + size > max_bytes) break;
    taken_bytes += size;
    e.proposed_at = at;
    e.proposed_height = block_height;
    if (block_height == 0) {
      taken_.emplace_back(at, hash);
    } else {
      block_taken_.push_back(BlockTake{block_height, at, hash});
    }
    out.push_back(e.tx);
    it = ready_.erase(it);
  }
  return out;
}

void Mempool::requeue(uint64_t now_ms) {
  while (!taken_.empty() && now_ms >= taken_.front().first + reoffer_after_ms_) {
    auto [at, hash] = taken_.front();
    taken_.pop_front();
    auto it = by_hash_.find(hash);
    // Gone (applied or expired), or taken again since: nothing to do.
    if (it == by_hash_.end() || it->second.proposed_at != at ||
        it->second.proposed_height != 0) {
      continue;
    }
    it->second.proposed_at = 0;
    ready_.emplace(it->second.seq, &*it);
  }
}

void Mempool::applied_through(uint64_t height) {
  std::lock_guard lock(mu_);
  while (!block_taken_.empty() && block_taken_.front().height <= height) {
    const BlockTake t = block_taken_.front();
    block_taken_.pop_front();
    auto it = by_hash_.find(t.hash);
    if (it == by_hash_.end() || it->second.proposed_at != t.at ||
        it->second.proposed_height != t.height) {
      continue;  // applied, expired, or taken again since
    }
    it->second.proposed_at = 0;
    it->second.proposed_height = 0;
    ready_.emplace(it->second.seq, &*it);
  }
}

void Mempool::release(const std::vector<Hash32>& hashes) {
  std::lock_guard lock(mu_);
  for (const auto& h : hashes) {
    auto it = by_hash_.find(h);
    if (it == by_hash_.end() || it->second.proposed_at == 0) continue;
    it->second.proposed_at = 0;  // its taken record is now stale and skipped
    it->second.proposed_height = 0;
    ready_.emplace(it->second.seq, &*it);
  }
}

void Mempool::release_all() {
  std::lock_guard lock(mu_);
  for (Slot& slot : by_hash_) {
    Entry& e = slot.second;
    if (e.proposed_at == 0) continue;
    e.proposed_at = 0;
    e.proposed_height = 0;
    ready_.emplace(e.seq, &slot);
  }
  taken_.clear();
  block_taken_.clear();
}

std::vector<std::shared_ptr<const ledger::Tx>> Mempool::all() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const ledger::Tx>> out;
  out.reserve(by_seq_.size());
  for (const auto& [seq, slot] : by_seq_) out.push_back(slot->second.tx);
  return out;
}

void Mempool::erase(ByHash::iterator it) {
  const Entry& e = it->second;
  bytes_ -= e.tx->canonical.size();
  by_seq_.erase(e.seq);
  ready_.erase(e.seq);
  by_expiry_.erase({e.tx->expires_at, e.seq});
  by_hash_.erase(it);
}

void Mempool::remove(const std::vector<Hash32>& hashes) {
  std::lock_guard lock(mu_);
  for (const auto& h : hashes) {
    auto it = by_hash_.find(h);
    if (it != by_hash_.end()) erase(it);
  }
}

void Mempool::expire(uint64_t now_ms) {
  std::lock_guard lock(mu_);
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    const Hash32 hash = by_seq_.at(by_expiry_.begin()->second)->first;
    if (expired_.insert(hash).second) expired_order_.push_back(hash);
    erase(by_hash_.find(hash));
  }
  while (expired_order_.size() > kExpiredRememberedMax) {
    expired_.erase(expired_order_.front());
    expired_order_.pop_front();
  }
}

bool Mempool::was_expired(const Hash32& hash) const {
  std::lock_guard lock(mu_);
  return expired_.count(hash) > 0;
}

size_t Mempool::available(uint64_t now_ms) const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [h, e] : by_hash_) n += is_available(e, now_ms) ? 1 : 0;
  return n;
}

size_t Mempool::size() const {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

uint64_t Mempool::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace suanli::node
