// Test support for rpc/: a FakeService over the ledger test harness, a small
// blocking HTTP client (Beast lives only in rpc_client_util.cc), and a
// fixture that runs an RpcServer on 127.0.0.1 port 0.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ledger/mem_kv.h"
#include "rpc/server.h"
#include "rpc/service.h"
#include "tests/ledger/harness_util.h"

namespace suanli::rpc::testing {

using nlohmann::json;

// A node stand-in: state is the harness's MemKv plus block records written
// as node/applier writes them. Callbacks run on the fake's own thread.
class FakeService final : public Service {
 public:
  FakeService();
  ~FakeService() override;

  ledger::testing::Harness& harness() { return harness_; }
  // Applies `txs` in one block (harness) and writes its block records.
  std::vector<ledger::TxOutcome> apply(const std::vector<ledger::Tx>& txs);
  // One transaction in its own block; expects ok.
  ledger::Tx ok(const std::string& signer, ledger::TxType type, ledger::Payload payload);

  // Submitted transactions are committed in a block of their own right
  // after admission when true; otherwise they stay pending.
  void set_auto_commit(bool on);
  // Every submit fails with this error when set.
  void set_submit_error(std::optional<RpcError> e);
  // Marks a pending transaction expired.
  void expire(const Hash32& hash);
  size_t submitted() const;
  // Calls of wait_committed and wait_height not answered yet.
  size_t waiting() const;
  // A copy of the whole state (harness + blocks) for before/after comparisons.
  std::map<std::string, std::string, std::less<>> snapshot() const;
  std::vector<std::string> operator_calls() const;
  // node_status reports `diverged` (and /healthz answers 503) when set.
  void set_diverged(bool on);
  // node_status reports storage_ok false and this error (a full disk) when
  // non-empty.
  void set_storage_error(std::string error);
  // Peers node_status reports (for /metrics).
  void set_peers(json peers);
  // Signatures "verified" (reported by signature_verifications()).
  void add_verifications(uint64_t n) { verifications_ += n; }
  size_t applied_listeners() const;

  void submit(ledger::Tx tx, std::function<void(std::variant<Hash32, RpcError>)> done) override;
  void wait_committed(const Hash32& tx_hash, uint32_t timeout_ms,
                      std::function<void(bool)> done) override;
  void wait_height(uint64_t height, uint32_t timeout_ms, std::function<void(bool)> done) override;
  const ledger::KvRead& state() const override { return view_; }
  uint64_t applied_height() const override;
  LocalTxState local_tx(const Hash32& tx_hash, std::string* canonical_tx) const override;
  json node_status() const override;
  json chain_genesis() const override;
  Status transfer_leadership(const std::string& node_id) override;
  Status take_snapshot() override;
  Result<json> backup(const std::string& dir) override;
  Status set_log_level(const std::string& level) override;
  uint64_t add_applied_listener(AppliedListener listener) override;
  void remove_applied_listener(uint64_t id) override;
  uint64_t signature_verifications() const override { return verifications_.load(); }
  SyncDurations raft_log_syncs() const override {
    std::lock_guard lock(syncs_mu_);
    return syncs_;
  }
  // What raft_log_syncs() reports.
  void set_syncs(const SyncDurations& syncs) {
    std::lock_guard lock(syncs_mu_);
    syncs_ = syncs;
  }

 private:
  class View final : public ledger::KvRead {
   public:
    explicit View(const FakeService& s) : s_(s) {}
    std::optional<std::string> get(std::string_view key) const override;
    void scan(std::string_view start, std::string_view end,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override;

   private:
    const FakeService& s_;
  };
  struct Waiter {
    std::function<bool()> ready;  // called under mu_
    std::chrono::steady_clock::time_point deadline;
    std::function<void(bool)> done;
  };

  std::vector<ledger::TxOutcome> apply_locked(const std::vector<ledger::Tx>& txs);
  void run_later(std::function<void()> fn);
  void loop();

  mutable std::recursive_mutex mu_;
  ledger::testing::Harness harness_;
  ledger::MemKv blocks_;
  Hash32 last_block_hash_{};
  std::map<Hash32, ledger::Tx> pending_;
  std::map<Hash32, std::string> expired_;
  bool auto_commit_ = true;
  std::optional<RpcError> submit_error_;
  size_t submitted_ = 0;
  std::vector<std::string> operator_calls_;
  std::vector<Waiter> waiters_;
  bool diverged_ = false;
  std::string storage_error_;
  json peers_ = json::array();
  std::atomic<uint64_t> verifications_{0};
  mutable std::mutex syncs_mu_;
  SyncDurations syncs_;
  // Applied listeners, called under listeners_mu_ (so removal waits for them).
  mutable std::mutex listeners_mu_;
  uint64_t next_listener_ = 1;
  std::map<uint64_t, AppliedListener> listeners_;
  View view_{*this};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::function<void()>> queue_;
  bool quit_ = false;
  std::thread thread_;
};

struct HttpResult {
  unsigned status = 0;  // 0: no answer (connection closed)
  std::string content_type;
  std::string body;
  json json_body() const;  // discarded when not JSON
};

// A blocking HTTP/1.1 client on one kept-alive connection (reconnects when
// the server closed it).
class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  HttpResult request(const std::string& method, const std::string& target, std::string body,
                     const std::map<std::string, std::string>& headers = {},
                     std::string content_type = "application/json");
  // Sends raw bytes and reads one response.
  HttpResult raw(const std::string& bytes);
  // Sends raw bytes only; read() reads one response.
  void send(const std::string& bytes);
  HttpResult read();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class RpcFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  virtual Options options();

  // POSTs a body and returns the HTTP answer.
  HttpResult post(const std::string& body, const std::map<std::string, std::string>& headers = {});
  // One call with id 1: the whole response object.
  json call(const std::string& method, const json& params = json::object(),
            const std::map<std::string, std::string>& headers = {});
  // The result of a call that must succeed.
  json result(const std::string& method, const json& params = json::object());
  // The error code of a call that must fail.
  int error_code(const std::string& method, const json& params = json::object());

  std::unique_ptr<FakeService> service_;
  std::unique_ptr<RpcServer> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace suanli::rpc::testing
