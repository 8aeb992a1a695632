#include <chrono>

#include "ledger/block.h"
#include "ledger/codec.h"
#include "tests/rpc/rpc_test_util.h"

namespace suanli::rpc::testing {

using ledger::testing::Harness;

FakeService::FakeService() : thread_([this] { loop(); }) {
  last_block_hash_ = harness_.genesis().hash;
}

FakeService::~FakeService() {
  {
    std::lock_guard lock(queue_mu_);
    quit_ = true;
  }
  queue_cv_.notify_all();
  thread_.join();
}

void FakeService::run_later(std::function<void()> fn) {
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(std::move(fn));
  }
  queue_cv_.notify_all();
}

// Runs queued callbacks; checks waiters every few milliseconds.
void FakeService::loop() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait_for(lock, std::chrono::milliseconds(5),
                         [&] { return quit_ || !queue_.empty(); });
      if (quit_) return;
      if (!queue_.empty()) {
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    if (fn) fn();
    std::vector<std::function<void()>> fire;
    {
      std::lock_guard lock(mu_);
      auto now = std::chrono::steady_clock::now();
      for (auto it = waiters_.begin(); it != waiters_.end();) {
        if (it->ready()) {
          fire.push_back([d = std::move(it->done)] { d(true); });
        } else if (now >= it->deadline) {
          fire.push_back([d = std::move(it->done)] { d(false); });
        } else {
          ++it;
          continue;
        }
        it = waiters_.erase(it);
      }
    }
    for (auto& f : fire) f();
  }
}

std::vector<ledger::TxOutcome> FakeService::apply(const std::vector<ledger::Tx>& txs) {
  std::lock_guard lock(mu_);
  return apply_locked(txs);
}

std::vector<ledger::TxOutcome> FakeService::apply_locked(const std::vector<ledger::Tx>& txs) {
  uint64_t time = harness_.time();
  auto outcomes = harness_.block(txs);
  ledger::BlockRecord rec;
  rec.header.height = harness_.height();
  rec.header.prev_hash = last_block_hash_;
  rec.header.time = time;
  rec.header.proposer = "gz-1";
  for (const auto& tx : txs) rec.tx_hashes.push_back(tx.hash);
  rec.header.tx_root = ledger::merkle_root(rec.tx_hashes);
  rec.header.state_height = harness_.height();
  rec.header.state_hash = harness_.state_hash();
  rec.header.tx_count = txs.size();
  rec.hash = rec.header.hash();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].disposition == ledger::TxDisposition::kBadSignature) {
      rec.rejected.push_back(outcomes[i].hash);
    }
  }
  rec.signature.fill(0x11);
  ledger::WriteSet w;
  w[ledger::keys::block(rec.header.height)] = ledger::encode_block_record(rec);
  for (size_t i = 0; i < txs.size(); ++i) {
    w[ledger::keys::block_tx(rec.header.height, static_cast<uint32_t>(i))] = txs[i].canonical;
    pending_.erase(txs[i].hash);
  }
  blocks_.commit(w);
  last_block_hash_ = rec.hash;
  AppliedBlock applied;
  applied.height = rec.header.height;
  for (const auto& o : outcomes) {
    bool applied_ok = o.disposition == ledger::TxDisposition::kApplied;
    applied.results.push_back(!applied_ok ? "skipped" : o.record.ok ? "ok" : o.record.error);
  }
  {
    std::lock_guard listeners(listeners_mu_);
    for (const auto& [id, listener] : listeners_) listener(applied);
  }
  return outcomes;
}

ledger::Tx FakeService::ok(const std::string& signer, ledger::TxType type,
                           ledger::Payload payload) {
  std::lock_guard lock(mu_);
  ledger::Tx tx = harness_.make(signer, type, std::move(payload));
  auto outcomes = apply_locked({tx});
  EXPECT_TRUE(outcomes.at(0).record.ok)
      << ledger::tx_type_name(type) << " by " << signer << ": " << outcomes.at(0).record.error
      << ": " << outcomes.at(0).record.message;
  return tx;
}

void FakeService::set_auto_commit(bool on) {
  std::lock_guard lock(mu_);
  auto_commit_ = on;
}

void FakeService::set_submit_error(std::optional<RpcError> e) {
  std::lock_guard lock(mu_);
  submit_error_ = std::move(e);
}

void FakeService::expire(const Hash32& hash) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(hash);
  if (it == pending_.end()) return;
  expired_[hash] = it->second.canonical;
  pending_.erase(it);
}

size_t FakeService::submitted() const {
  std::lock_guard lock(mu_);
  return submitted_;
}

size_t FakeService::waiting() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

std::map<std::string, std::string, std::less<>> FakeService::snapshot() const {
  std::lock_guard lock(mu_);
  auto all = harness_.kv().data();
  for (const auto& [k, v] : blocks_.data()) all[k] = v;
  return all;
}

std::vector<std::string> FakeService::operator_calls() const {
  std::lock_guard lock(mu_);
  return operator_calls_;
}

void FakeService::submit(ledger::Tx tx, std::function<void(std::variant<Hash32, RpcError>)> done) {
  std::lock_guard lock(mu_);
  ++submitted_;
  if (submit_error_) {
    run_later([done, e = *submit_error_] { done(e); });
    return;
  }
  Hash32 hash = tx.hash;
  pending_[hash] = tx;
  run_later([done, hash] { done(hash); });
  if (auto_commit_) {
    run_later([this, tx = std::move(tx)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::lock_guard inner(mu_);
      apply_locked({tx});
    });
  }
}

void FakeService::wait_committed(const Hash32& tx_hash, uint32_t timeout_ms,
                                 std::function<void(bool)> done) {
  std::lock_guard lock(mu_);
  waiters_.push_back(Waiter{
      [this, tx_hash] {
        ledger::Overlay kv(view_);
        return ledger::StateStore(kv).tx_record(tx_hash).has_value();
      },
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms), std::move(done)});
}

void FakeService::wait_height(uint64_t height, uint32_t timeout_ms,
                              std::function<void(bool)> done) {
  std::lock_guard lock(mu_);
  waiters_.push_back(Waiter{
      [this, height] { return harness_.height() >= height; },
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms), std::move(done)});
}

uint64_t FakeService::applied_height() const {
  std::lock_guard lock(mu_);
  return harness_.height();
}

LocalTxState FakeService::local_tx(const Hash32& tx_hash, std::string* canonical_tx) const {
  std::lock_guard lock(mu_);
  if (auto it = pending_.find(tx_hash); it != pending_.end()) {
    *canonical_tx = it->second.canonical;
    return LocalTxState::kPending;
  }
  if (auto it = expired_.find(tx_hash); it != expired_.end()) {
    *canonical_tx = it->second;
    return LocalTxState::kExpired;
  }
  return LocalTxState::kUnknown;
}

json FakeService::node_status() const {
  std::lock_guard lock(mu_);
  return json{{"node_id", "gz-1"},
              {"role", "leader"},
              {"term", 3},
              {"leader_id", "gz-1"},
              {"commit_index", harness_.height() + 1},
              {"applied_index", harness_.height() + 1},
              {"height", harness_.height()},
              {"state_hash", to_hex(harness_.state_hash())},
              {"peers", peers_},
              {"mempool", pending_.size()},
              {"version", "test"},
              {"log_segments", 2},
              {"log_bytes", 123456},
              {"diverged", diverged_},
              {"storage_ok", storage_error_.empty()},
              {"storage_error", storage_error_}};
}

void FakeService::set_storage_error(std::string error) {
  std::lock_guard lock(mu_);
  storage_error_ = std::move(error);
}

void FakeService::set_diverged(bool on) {
  std::lock_guard lock(mu_);
  diverged_ = on;
}

void FakeService::set_peers(json peers) {
  std::lock_guard lock(mu_);
  peers_ = std::move(peers);
}

uint64_t FakeService::add_applied_listener(AppliedListener listener) {
  std::lock_guard lock(listeners_mu_);
  uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void FakeService::remove_applied_listener(uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(id);
}

size_t FakeService::applied_listeners() const {
  std::lock_guard lock(listeners_mu_);
  return listeners_.size();
}

json FakeService::chain_genesis() const {
  return json{{"genesis", json{{"chain_id", harness_.genesis().chain_id}}},
              {"hash", to_hex(harness_.genesis().hash)}};
}

Status FakeService::transfer_leadership(const std::string& node_id) {
  std::lock_guard lock(mu_);
  operator_calls_.push_back("transfer_leadership " + node_id);
  return Status::ok();
}

Status FakeService::take_snapshot() {
  std::lock_guard lock(mu_);
  operator_calls_.push_back("snapshot");
  return Status::ok();
}

Result<json> FakeService::backup(const std::string& dir) {
  std::lock_guard lock(mu_);
  operator_calls_.push_back("backup " + dir);
  return json{{"format", "suanli-backup-1"}, {"height", 0}};
}

Status FakeService::set_log_level(const std::string& level) {
  std::lock_guard lock(mu_);
  operator_calls_.push_back("log_level " + level);
  return Status::ok();
}

std::optional<std::string> FakeService::View::get(std::string_view key) const {
  std::lock_guard lock(s_.mu_);
  if (!key.empty() && key[0] == ledger::kCfBlocks) return s_.blocks_.get(key);
  return s_.harness_.kv().get(key);
}

void FakeService::View::scan(
    std::string_view start, std::string_view end,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::lock_guard lock(s_.mu_);
  if (!start.empty() && start[0] == ledger::kCfBlocks) return s_.blocks_.scan(start, end, visit);
  s_.harness_.kv().scan(start, end, visit);
}

}  // namespace suanli::rpc::testing
