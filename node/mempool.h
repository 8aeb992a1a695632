// Mempool: admitted transactions waiting for a block. Bounded in count and
// bytes (a full pool answers `busy`), de-duplicated by hash, FIFO.
//
// Transactions taken stay here, marked taken, until a block with them is
// applied. Taken into the leader's own block, they are offered again only
// once this node has applied that height and they are still here (another
// block won the height after a change of leader), never by a timer: a leader
// that keeps leading does not lose its entries, however long the pipeline,
// and re-proposing them would only fill blocks with duplicates. Taken to be
// forwarded, they are offered again after the re-offer delay (the frame may
// have been lost). The ledger skips a hash that already has a result, so
// offering one twice is safe, only wasteful.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ledger/types.h"
#include "node/keyed_hash.h"

namespace suanli::node {

inline constexpr size_t kMempoolTxsMax = 200000;
inline constexpr size_t kMempoolBytesMax = 256 << 20;
inline constexpr size_t kExpiredRememberedMax = 100000;

class Mempool {
 public:
  enum class AddResult { kAdded, kDuplicate, kFull };

  explicit Mempool(uint64_t reoffer_after_ms = 5000, size_t txs_max = kMempoolTxsMax,
                   size_t bytes_max = kMempoolBytesMax)
      : reoffer_after_ms_(reoffer_after_ms), txs_max_(txs_max), bytes_max_(bytes_max) {}

  AddResult add(std::shared_ptr<const ledger::Tx> tx);
  bool contains(const Hash32& hash) const;
  std::shared_ptr<const ledger::Tx> get(const Hash32& hash) const;
  // Takes up to max_txs / max_bytes (canonical bytes) of available
  // transactions in arrival order, marking them taken at now_ms: into the
  // block at `block_height` (the leader), or, with 0, to forward them.
  std::vector<std::shared_ptr<const ledger::Tx>> take(size_t max_txs, size_t max_bytes,
                                                      uint64_t now_ms, uint64_t block_height = 0);
  // This node applied every block up to `height` and removed what they held:
  // what was taken into them and is still here becomes available again.
  void applied_through(uint64_t height);
  // Makes these taken transactions available again at once (a forward that
  // could not be sent).
  void release(const std::vector<Hash32>& hashes);
  // Makes every taken transaction available (a follower that becomes leader
  // proposes what it had only forwarded).
  void release_all();
  // Every transaction held, in arrival order (to re-forward to a new leader).
  std::vector<std::shared_ptr<const ledger::Tx>> all() const;
  // Drops transactions whose block was applied.
  void remove(const std::vector<Hash32>& hashes);
  // Drops transactions that expired by now_ms, remembering their hashes.
  void expire(uint64_t now_ms);
  bool was_expired(const Hash32& hash) const;
  // Number of transactions available to take now.
  size_t available(uint64_t now_ms) const;
  size_t size() const;
  uint64_t bytes() const;

 private:
  struct Entry {
    std::shared_ptr<const ledger::Tx> tx;
    uint64_t seq = 0;
    uint64_t proposed_at = 0;      // 0: available
    uint64_t proposed_height = 0;  // taken into the block at this height; 0: to forward
  };
  bool is_available(const Entry& e, uint64_t now_ms) const;

  const uint64_t reoffer_after_ms_;
  const size_t txs_max_, bytes_max_;
  mutable std::mutex mu_;
  // Hash tables, not trees: a full pool holds 200,000 entries, and every
  // admission, forward, block and apply looks hashes up (ordered maps of
  // 32-byte keys cost a node ~15% of its CPU at peak without signatures).
  using ByHash = std::unordered_map<Hash32, Entry, KeyedHash>;
  using Slot = ByHash::value_type;  // stable address until erased
  ByHash by_hash_;
  std::map<uint64_t, Slot*> by_seq_;  // arrival order, every entry
  // (expires_at, seq) of every entry: expire() visits only the expired ones
  // (each second, under the lock).
  std::set<std::pair<uint64_t, uint64_t>> by_expiry_;
  // Drops one entry from every index.
  void erase(ByHash::iterator it);
  // Entries available to take, by arrival: take() never walks past the ones
  // in flight (a full mempool has tens of thousands of those).
  std::map<uint64_t, Slot*> ready_;
  // Taken entries by the time they were taken: offered again once
  // reoffer_after_ms has passed and they are still here.
  std::deque<std::pair<uint64_t, Hash32>> taken_;
  // Taken into the leader's blocks: (height, taken at, hash), heights rising.
  struct BlockTake {
    uint64_t height;
    uint64_t at;
    Hash32 hash;
  };
  std::deque<BlockTake> block_taken_;
  void requeue(uint64_t now_ms);
  uint64_t next_seq_ = 1;
  uint64_t bytes_ = 0;
  std::unordered_set<Hash32, KeyedHash> expired_;
  std::deque<Hash32> expired_order_;
};

}  // namespace suanli::node
