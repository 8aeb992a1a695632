#include "node/verify_pool.h"

#include "common/thread_name.h"
#include "ledger/codec.h"

namespace suanli::node {

std::optional<bool> VerifyCache::lookup(const Hash32& hash, const Sig64& sig) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{hash, sig});
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void VerifyCache::insert(const Hash32& hash, const Sig64& sig, bool ok) {
  std::lock_guard lock(mu_);
  Key key{hash, sig};
  if (!entries_.emplace(key, ok).second) return;
  order_.push_back(key);
  while (entries_.size() > kVerifyCacheEntriesMax && !order_.empty()) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

void VerifyCache::erase(const Hash32& hash, const Sig64& sig) {
  std::lock_guard lock(mu_);
  entries_.erase(Key{hash, sig});
  // order_ keeps a stale key; it is skipped harmlessly when it reaches the front.
  if (order_.size() > 2 * kVerifyCacheEntriesMax) {
    std::deque<Key> live;
    for (const auto& k : order_) {
      if (entries_.count(k)) live.push_back(k);
    }
    order_.swap(live);
  }
}

size_t VerifyCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

VerifyPool::VerifyPool(size_t threads) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) {
    workers_.emplace_back([this, i] {
      set_thread_name("verify-" + std::to_string(i));
      run();
    });
  }
}

VerifyPool::~VerifyPool() { stop(); }

void VerifyPool::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void VerifyPool::run() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty() || !block_jobs_.empty(); });
      auto& queue = !block_jobs_.empty() ? block_jobs_ : jobs_;
      if (queue.empty()) return;  // stopping, queues drained
      job = std::move(queue.front());
      queue.pop_front();
    }
    job();
  }
}

void VerifyPool::push(std::function<void()> job, Priority priority) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      (priority == Priority::kBlock ? block_jobs_ : jobs_).push_back(std::move(job));
      job = nullptr;
    }
  }
  if (job) {
    job();  // stopped: no worker would run it, and its caller may wait on it
    return;
  }
  cv_.notify_one();
}

bool VerifyPool::post(std::function<void()> job, Priority priority) {
  {
    std::lock_guard lock(mu_);
    const auto& queue = priority == Priority::kBlock ? block_jobs_ : jobs_;
    if (stopping_ || queue.size() >= kVerifyQueueJobsMax) return false;
  }
  push(std::move(job), priority);
  return true;
}

bool VerifyPool::verify(const ledger::Tx& tx) {
  if (bench_accept_all_.load(std::memory_order_relaxed)) return true;  // benchmark only
  if (auto cached = cache_.lookup(tx.hash, tx.signature)) return *cached;
  bool ok = ledger::verify_tx(tx);
  verifications_.fetch_add(1, std::memory_order_relaxed);
  cache_.insert(tx.hash, tx.signature, ok);
  return ok;
}

void VerifyPool::verify_batch(std::shared_ptr<const std::vector<ledger::Tx>> txs,
                              std::function<void(std::vector<bool>)> done, Priority priority) {
  const size_t n = txs->size();
  if (n == 0 || bench_accept_all_.load(std::memory_order_relaxed)) {
    done(std::vector<bool>(n, true));  // nothing, or benchmark only
    return;
  }
  struct State {
    std::vector<uint8_t> results;
    std::atomic<size_t> remaining;
    std::function<void(std::vector<bool>)> done;
  };
  size_t chunks = std::min(n, workers_.size() * 2);
  auto state = std::make_shared<State>();
  state->results.assign(n, 0);
  state->remaining = chunks;
  state->done = std::move(done);
  size_t per = (n + chunks - 1) / chunks;
  for (size_t c = 0; c < chunks; ++c) {
    size_t lo = c * per, hi = std::min(n, lo + per);
    push([this, txs, state, lo, hi] {
      for (size_t i = lo; i < hi; ++i) state->results[i] = verify((*txs)[i]) ? 1 : 0;
      if (state->remaining.fetch_sub(1) == 1) {
        state->done(std::vector<bool>(state->results.begin(), state->results.end()));
      }
    }, priority);
  }
}

uint64_t VerifyPool::verifications() const {
  return verifications_.load(std::memory_order_relaxed);
}

}  // namespace suanli::node
