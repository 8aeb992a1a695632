// Node: one suanli ledger node — the composition root that joins the Raft
// core, the peer transport, the verify pool, the mempool, the block builder,
// the apply loop and both RocksDB databases, and serves rpc::Service.
//
// Threads: one I/O thread owns the RaftCore, the transport and the timers
// (no locks around the core); one apply thread applies committed blocks to
// the state database; the verify pool checks signatures. rpc::Service methods
// are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "genesis/node_config.h"
#include "ledger/crypto.h"
#include "ledger/types.h"
#include "rpc/service.h"

namespace rocksdb {
class Env;
}

namespace suanli::node {

struct NodeOptions {
  genesis::NodeConfig config;
  ledger::Genesis genesis;
  nlohmann::json genesis_doc;
  ledger::KeyPair key;
  uint32_t tick_ms = 50;
  uint32_t election_ticks = 10;  // election timeout: [10, 20) ticks
  size_t verify_threads = 0;     // 0: one per core
  // The leader proposes a block at most once per this many milliseconds
  // while fewer than kPipelineMinTxs transactions wait (more go out at once).
  // Each block costs every node an fsync, Raft messages and a state commit
  // whatever it holds, so at moderate load fewer, larger blocks leave the CPU
  // to the transactions. 0: the next block as soon as the last is applied.
  uint32_t block_interval_ms = 10;
  // Log a warning when a block's time runs ahead of this node's clock by more.
  uint64_t clock_skew_warn_ms = 2000;
  // Raft seed; 0 derives one from the node key (distinct per node).
  uint64_t raft_seed = 0;
  // A snapshot of the state database is taken every this many applied Raft
  // entries, and the log is compacted to keep `snapshot_keep_entries` behind
  // it (a follower further behind catches up from the snapshot).
  uint64_t snapshot_interval_entries = 10000;
  uint64_t snapshot_keep_entries = 1000;
  // Test-only fault, never set by suanlid: this node admits transactions
  // without checking their signatures and puts them in its blocks, as a
  // faulty leader would. Every node, this one included, still verifies each
  // block's transactions and skips those whose signature fails.
  bool fault_admit_unverified = false;
  // Test-only fault, never set by suanlid: this node signs the blocks it
  // proposes with a broken signature. Every node, this one included, must
  // skip them.
  bool fault_bad_block_signature = false;
  // BENCHMARK ONLY: no signature is checked. Refused unless the chain is
  // the benchmark's (chain_id "suanli-bench").
  bool bench_no_signatures = false;
  // Called once (from the I/O thread) when the node stops taking part in the
  // cluster for an error the operator must resolve (fatal() says which);
  // suanlid shuts down.
  std::function<void()> on_fatal;
  // Crash points for tests (SUANLI_CRASH_AT in suanlid's environment, empty
  // otherwise): the node exits at once with kCrashPointExit, writing nothing
  // more, when it reaches the named point:
  //   snapshot_stored   Raft holds a received snapshot, the state database
  //                     has not switched to it yet
  //   state_switched    the state database serves the snapshot, its
  //                     checkpoint is not made yet
  std::string crash_at;
  // Test-only, null in suanlid: the RocksDB environment of both databases
  // (a file system that can fill up or lose power).
  std::shared_ptr<rocksdb::Env> env;
};

inline constexpr const char* kBenchChainId = "suanli-bench";
inline constexpr int kCrashPointExit = 86;
// The names NodeOptions::crash_at may take.
inline constexpr std::string_view kCrashPointSnapshotStored = "snapshot_stored";
inline constexpr std::string_view kCrashPointStateSwitched = "state_switched";

class Node : public rpc::Service {
 public:
  // Opens (or initialises from the genesis) the data directory.
  static Result<std::unique_ptr<Node>> open(NodeOptions options);
  ~Node() override = default;

  // Starts the transport, the Raft loop and the apply loop.
  virtual Status start() = 0;
  // Stops everything and waits for the threads; idempotent.
  virtual void stop() = 0;
  // True once the node found its state diverging from the cluster's and
  // stopped applying.
  virtual bool diverged() const = 0;
  // The error that made the node stop taking part in Raft (identity_in_use:
  // a restored node whose identity belongs to an earlier member), if any.
  virtual std::optional<Status> fatal() const = 0;
};

// The consensus id of a node_id: the first 8 bytes of BLAKE2b-256("suanli-node:" + node_id).
uint64_t raft_id_of(const std::string& node_id);

}  // namespace suanli::node
