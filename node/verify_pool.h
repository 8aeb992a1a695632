// VerifyPool: Ed25519 verification (and transaction decoding) on worker
// threads, off the I/O and Raft threads, with a verify-once cache.
//
// The cache is keyed by (tx hash, signature), never by hash alone: the hash
// does not cover the signature, so a forged signature on a known hash must
// still be checked. Entries are dropped once their block is applied, and the
// cache is bounded (oldest first).
//
// Thread-safety: all methods are thread-safe. Jobs run on the pool's threads;
// their callbacks too.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/bytes.h"
#include "ledger/types.h"
#include "node/keyed_hash.h"

namespace suanli::node {

inline constexpr size_t kVerifyCacheEntriesMax = 1 << 20;
inline constexpr size_t kVerifyQueueJobsMax = 1 << 16;

class VerifyCache {
 public:
  // nullopt when not verified yet.
  std::optional<bool> lookup(const Hash32& hash, const Sig64& sig) const;
  void insert(const Hash32& hash, const Sig64& sig, bool ok);
  void erase(const Hash32& hash, const Sig64& sig);
  size_t size() const;

 private:
  using Key = std::pair<Hash32, Sig64>;
  mutable std::mutex mu_;
  std::unordered_map<Key, bool, KeyedHash> entries_;
  std::deque<Key> order_;  // insertion order, for the bound
};

class VerifyPool {
 public:
  explicit VerifyPool(size_t threads);
  ~VerifyPool();
  VerifyPool(const VerifyPool&) = delete;
  VerifyPool& operator=(const VerifyPool&) = delete;

  // Runs the queued jobs and joins the workers; idempotent. Later post()s
  // are refused and verify_batch() runs on the caller's thread.
  void stop();
  // Work for blocks (already ordered by Raft: every client waits on them)
  // runs before the admission of new transactions.
  enum class Priority { kAdmission, kBlock };
  // Runs `job` on a worker. Returns false when its queue is full or the pool stopped.
  bool post(std::function<void()> job, Priority priority = Priority::kAdmission);
  // Verifies (through the cache) and records the result. Callable from any thread.
  bool verify(const ledger::Tx& tx);
  // Verifies a batch on the pool, splitting it across workers, then calls
  // done(results) on a worker thread. Always accepted (block verification
  // must not be refused; it is bounded by block size upstream, forwarded
  // batches by their frame).
  void verify_batch(std::shared_ptr<const std::vector<ledger::Tx>> txs,
                    std::function<void(std::vector<bool>)> done,
                    Priority priority = Priority::kBlock);

  // BENCHMARK ONLY (suanlid --bench-no-signatures, on a benchmark chain):
  // every signature passes unchecked, to measure everything but Ed25519.
  void accept_all_for_benchmark() { bench_accept_all_ = true; }

  VerifyCache& cache() { return cache_; }
  size_t threads() const { return workers_.size(); }
  uint64_t verifications() const;  // signatures actually checked (cache misses)

 private:
  void run();
  void push(std::function<void()> job, Priority priority);

  VerifyCache cache_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;        // admission
  std::deque<std::function<void()>> block_jobs_;  // taken first
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> verifications_{0};
  std::atomic<bool> bench_accept_all_{false};
};

}  // namespace suanli::node
