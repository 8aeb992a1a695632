// Private to node/: the Node implementation's state. See node.h.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>  // before Asio on g++ 12

#include "consensus/raft_core.h"
#include "ledger/block.h"
#include "node/applied_listeners.h"
#include "node/backup.h"
#include "node/frame.h"
#include "node/mempool.h"
#include "node/node.h"
#include "node/snapshot_transfer.h"
#include "node/storage/raft_storage.h"
#include "node/storage/state_store.h"
#include "node/transport.h"
#include "node/verify_pool.h"

namespace suanli::node {

// Blocks in flight (proposed, not yet applied here) at most. While one is in
// flight, another is built only once this many transactions wait: light load
// makes one block per commit round (low latency), heavy load or long links
// fill the pipeline with large blocks.
inline constexpr size_t kBlocksInFlightMax = 8;
inline constexpr size_t kPipelineMinTxs = 512;
inline constexpr size_t kApplyQueueEntriesMax = 4096;
// A write that failed (a full disk) is retried this often.
inline constexpr uint64_t kStorageRetryMs = 1000;

struct Member {
  std::string node_id;
  PubKey pubkey{};
  std::string address;
  bool voter = true;
};

// The decoded transactions of a block and their signature results.
struct PreparedBlock {
  std::vector<ledger::Tx> txs;
  std::vector<bool> signature_ok;
  bool valid = true;  // false: a transaction did not decode
  // The proposer's key and block signature found valid while preparing (on
  // the pool, or by the leader that made it): apply then checks only that the
  // block carries that signature and the proposer still has that key, instead
  // of verifying on its own thread.
  std::optional<std::pair<PubKey, Sig64>> proposer_checked;
};

// What the apply thread works through, in order.
struct ApplyItem {
  consensus::Entry entry;
  std::shared_ptr<const consensus::Snapshot> snapshot;  // set: install it
};

struct Tip {
  uint64_t height = 0;
  Hash32 hash{};
  uint64_t time = 0;
};

class NodeImpl final : public Node {
 public:
  explicit NodeImpl(NodeOptions options);
  ~NodeImpl() override;
  Status init();

  // Node
  Status start() override;
  void stop() override;
  bool diverged() const override { return diverged_.load(); }
  std::optional<Status> fatal() const override {
    std::lock_guard lock(fatal_mu_);
    return fatal_;
  }

  // rpc::Service
  void submit(ledger::Tx tx,
              std::function<void(std::variant<Hash32, rpc::RpcError>)> done) override;
  void wait_committed(const Hash32& tx_hash, uint32_t timeout_ms,
                      std::function<void(bool)> done) override;
  void wait_height(uint64_t height, uint32_t timeout_ms, std::function<void(bool)> done) override;
  const ledger::KvRead& state() const override { return *state_; }
  uint64_t applied_height() const override { return applied_height_.load(); }
  rpc::LocalTxState local_tx(const Hash32& tx_hash, std::string* canonical) const override;
  nlohmann::json node_status() const override;
  nlohmann::json chain_genesis() const override;
  Status transfer_leadership(const std::string& node_id) override;
  Status take_snapshot() override;
  Result<nlohmann::json> backup(const std::string& dir) override;
  Status set_log_level(const std::string& level) override;
  uint64_t add_applied_listener(rpc::AppliedListener listener) override;  // applied_listeners.cc
  void remove_applied_listener(uint64_t id) override;
  uint64_t signature_verifications() const override;
  rpc::SyncDurations raft_log_syncs() const override;  // raft_loop.cc

 private:
  // --- I/O thread (raft_loop.cc): owns core_, transport_, timers ---
  void schedule_tick();
  void on_frame(const std::string& from, std::string payload);
  void handle_ready();
  // Writes a Ready's snapshot, entries and hard state; false (and the error
  // noted) when the disk refused them.
  bool persist_ready(const consensus::Ready& rd);
  // Everything after persisting: messages (moved out), committed entries, advance.
  void finish_ready(consensus::Ready& rd);
  void retry_stalled_ready();
  void maybe_propose_block();
  // Whether NodeOptions::block_interval_ms has passed since the last block
  // this leader proposed; if not, arms a timer that proposes once it has.
  bool block_interval_passed();
  void on_became_leader();
  void send_raft(consensus::Message m);
  void publish_raft_status();
  void accept_forwarded(const std::string& from, std::string payload);  // kTxBatch or kTx
  // Sends txs to `leader` in kTxBatch frames of at most kForwardFrameBytes;
  // returns how many, from the front, the link took (the rest: no link yet,
  // or a full queue).
  size_t forward_txs(const std::string& leader,
                     const std::vector<std::shared_ptr<const ledger::Tx>>& txs);
  static constexpr size_t kForwardFrameBytes = 1 << 20;
  // Sends every transaction this node holds to a new leader, so none waits
  // for this node to become leader itself.
  void forward_held_to(const std::string& leader);
  void forward_pending();
  // Posts forward_pending to the I/O thread, at most once at a time.
  void schedule_forward();
  std::atomic<bool> forward_scheduled_{false};
  static constexpr size_t kForwardBatchTxs = 4096;
  static constexpr size_t kForwardBatchBytes = 8 << 20;
  void apply_membership();  // the ledger's membership changed
  void reconcile_membership();
  void refresh_peers();
  std::optional<Tip> last_block_in_log() const;
  void prepare_entries(const std::vector<consensus::Entry>& entries);

  // --- apply thread (applier.cc) ---
  void apply_loop();
  void push_apply(ApplyItem item);
  // Snapshots (snapshot.cc): checkpoints of the state database.
  void maybe_snapshot(bool force);
  Status make_checkpoint(uint64_t index);
  void install_snapshot(const consensus::Snapshot& snap);
  Status switch_state(const SnapshotDescriptor& d);       // also at start-up
  void store_snapshot(uint64_t index, std::string data);  // I/O thread
  void prune_checkpoints();                               // I/O thread
  // Snapshot transfer, I/O thread. intercept_snapshot holds back a Raft
  // snapshot message until its checkpoint has been fetched and verified.
  bool intercept_snapshot(const std::string& from, const consensus::Message& m);
  void send_snap_frame(const std::string& to, FrameKind kind, std::string body);
  void on_snap_fetch(const std::string& from, std::string_view body);
  void on_snap_chunk(const std::string& from, std::string_view body);
  void finish_fetch();
  void check_fetch_stall();
  std::string snapshots_dir() const;
  std::string checkpoint_dir(uint64_t index) const;
  std::string staging_dir() const;
  std::string received_state_dir(uint64_t index) const;
  std::string live_state_dir() const;
  Status set_live_state_dir(const std::string& path);
  Status recover_snapshot_install();  // init
  // Exits the process with kCrashPointExit if opts_.crash_at names `point`.
  void crash_point(std::string_view point) const;
  void apply_entry(const consensus::Entry& e);
  // Apply thread: runs `write` until it succeeds, again every
  // kStorageRetryMs while the disk refuses it (after the state database's
  // resume()); false only when the node stops first.
  bool write_with_retry(const std::string& what, const std::function<Status()>& write);
  bool apply_block_entry(const consensus::Entry& e, const ledger::Block& block);
  std::shared_ptr<PreparedBlock> prepared_for(const Hash32& block_hash, const ledger::Block& b);
  std::shared_future<std::shared_ptr<PreparedBlock>> prepare_async(const ledger::Block& b);
  void notify_applied(uint64_t height, const std::vector<Hash32>& tx_hashes);

  // --- shared helpers (node.cc) ---
  void admit_verified(const std::shared_ptr<const ledger::Tx>& tx,
                      const std::function<void(std::variant<Hash32, rpc::RpcError>)>& done);
  uint64_t now_ms() const;
  std::map<std::string, Member> load_members() const;
  std::optional<PubKey> member_key(const std::string& node_id) const;
  void fire_timeouts();
  // Storage write failures (storage_health.cc).
  enum class Db { kRaft, kState };
  void storage_failed(Db db, const Status& s);
  void storage_recovered(Db db);
  bool storage_failing() const { return raft_write_failing_.load() || state_write_failing_.load(); }
  std::string storage_error() const;

  NodeOptions opts_;
  std::string node_id_;
  consensus::NodeId raft_id_ = 0;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<RaftStorage> raft_storage_;

  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::steady_timer> tick_timer_;
  // Paces the leader's small blocks (NodeOptions::block_interval_ms).
  std::unique_ptr<boost::asio::steady_timer> block_timer_;
  bool block_timer_armed_ = false;
  std::chrono::steady_clock::time_point next_block_at_{};
  std::thread io_thread_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<consensus::RaftCore> core_;  // I/O thread only
  Tip proposed_tip_;                           // I/O thread: leader's last proposed block
  bool was_leader_ = false;                    // I/O thread
  std::string known_leader_;                   // I/O thread: leader at the last status
  uint64_t last_expire_ms_ = 0;                // I/O thread
  std::map<consensus::NodeId, std::string> raft_to_node_;  // I/O thread
  std::map<std::string, consensus::NodeId> node_to_raft_;  // I/O thread
  std::map<std::string, Member> peer_members_;             // I/O thread: see refresh_peers
  SnapshotFetcher fetch_;                                  // I/O thread
  std::optional<consensus::Message> fetch_msg_;            // I/O thread
  uint64_t fetch_last_ms_ = 0;                             // I/O thread
  uint64_t staged_index_ = 0;                              // I/O thread
  // A Ready the Raft database refused: until it is written, the core is not
  // ticked, stepped or asked for another Ready, and nothing of it is sent
  // (a paused node to its peers).
  std::optional<consensus::Ready> stalled_ready_;  // I/O thread
  bool stalled_snapshot_saved_ = false;            // I/O thread
  uint64_t last_storage_retry_ms_ = 0;             // I/O thread
  // Synced Raft log writes by duration (rpc::kSyncBucketsS, then one for
  // longer ones): written by the I/O thread, read by /metrics.
  void observe_sync(std::chrono::steady_clock::duration d);
  std::array<std::atomic<uint64_t>, rpc::kSyncBucketsS.size() + 1> syncs_{};
  std::atomic<uint64_t> sync_ns_{0};

  VerifyPool pool_;
  AppliedListeners applied_listeners_;  // published to by the apply thread
  Mempool mempool_;

  // Prepared (decoded + verified) blocks by block hash.
  mutable std::mutex prepared_mu_;
  std::map<Hash32, std::shared_future<std::shared_ptr<PreparedBlock>>> prepared_;

  // Apply queue: committed normal entries and received snapshots, in order.
  std::mutex apply_mu_;
  std::condition_variable apply_cv_;
  std::deque<ApplyItem> apply_queue_;
  bool stopping_ = false;
  bool snapshot_requested_ = false;      // guarded by apply_mu_
  uint64_t last_snapshot_index_ = 0;     // apply thread
  uint64_t last_conf_change_index_ = 0;  // I/O thread
  std::thread apply_thread_;

  // Published by the apply thread.
  std::atomic<uint64_t> applied_height_{0};
  std::atomic<uint64_t> applied_index_{0};
  std::atomic<bool> diverged_{false};
  // A restored node not yet admitted as a new member (I/O thread): it casts
  // no vote and never campaigns (backup.h).
  std::optional<RestoreMarker> restore_marker_;
  void check_restored_identity();
  void stop_for_identity(const Status& why);
  static constexpr uint32_t kRestoredRejectsMax = 20;
  uint32_t restored_rejects_ = 0;  // refused appends in a row while restored
  mutable std::mutex fatal_mu_;
  std::optional<Status> fatal_;
  std::atomic<bool> raft_silenced_{false};

  // Set while writes to the Raft log or to the state database fail.
  std::atomic<bool> raft_write_failing_{false};
  std::atomic<bool> state_write_failing_{false};
  std::atomic<uint64_t> storage_write_errors_{0};
  mutable std::mutex storage_mu_;
  std::string storage_error_;  // guarded by storage_mu_: the latest failure
  mutable std::mutex applied_mu_;
  Tip applied_tip_;              // guarded by applied_mu_
  Hash32 applied_state_hash_{};  // guarded by applied_mu_

  // Waiters, guarded by waiters_mu_.
  struct Waiter {
    uint64_t deadline_ms;
    std::function<void(bool)> done;
  };
  std::mutex waiters_mu_;
  std::multimap<Hash32, Waiter> tx_waiters_;
  std::multimap<uint64_t, Waiter> height_waiters_;
  std::unique_ptr<boost::asio::steady_timer> waiter_timer_;

  // Raft status for node_status and admission, written by the I/O thread.
  mutable std::mutex status_mu_;
  nlohmann::json raft_status_;  // guarded by status_mu_
  std::string leader_node_id_;  // guarded by status_mu_
  std::atomic<bool> is_leader_{false};
  std::atomic<bool> propose_scheduled_{false};
  std::string leader_node_id() const;
  // Posts maybe_propose_block to the I/O thread, at most once at a time.
  void schedule_propose();
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace suanli::node
