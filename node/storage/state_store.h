// The state database of a node: one RocksDB database with the column families
// state, txindex, blocks and meta (DESIGN.md "Storage").
//
// A key's first byte names its column family (ledger/kv.h: kCfState, ...); the
// rest is the RocksDB key within it. commit() writes a whole WriteSet as one
// atomic WriteBatch, so applying a block together with its applied index
// survives a crash all or nothing. Blocks are committed without fsync: the
// write reaches the OS (it survives kill -9), and after a power loss RocksDB
// recovers a prefix of its log from which the node replays the Raft log,
// which is fsynced and is what makes a transaction durable. Checkpoints
// flush, so the state is durable up to the snapshot the log was compacted to.
//
// Thread-safety: get/scan/commit/checkpoint may be called from any thread
// (RocksDB is internally synchronised). A reader sees each commit as a whole
// for one key, and a scan reads one consistent snapshot. switch_to() waits
// for running reads and then moves every later one to the new database.
//
// Point reads of the state and meta families go through a bounded read cache
// (participants and contracts are read by every transaction that names
// them): a commit updates the entries it writes after RocksDB took the
// batch, switch_to() and resume() empty it, and a read that raced a commit
// does not fill it (ReadCache).
//
// Reads have no error channel (ledger::KvRead): a failing read is a storage
// fault the ledger cannot interpret deterministically, so it aborts the node
// (SUANLI_ASSERT) rather than risk divergence. Writes report Status.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "ledger/kv.h"

namespace rocksdb {
class Env;
}

namespace suanli::node {

// The read cache of StateStore: bounded, sharded by key hash. Each shard
// counts the commits that touched it, so that a reader that missed, read the
// database and comes back after a commit to the shard leaves no old value.
class ReadCache {
 public:
  static constexpr size_t kShards = 16;
  static constexpr size_t kEntriesPerShardMax = 4096;  // 64K entries in all

  // The cached value (nullopt inside: known absent), or nullopt on a miss
  // with `*generation` set for fill().
  std::optional<std::optional<std::string>> find(std::string_view key, uint64_t* generation);
  // Caches what the database returned, unless a commit touched the shard
  // since find() set `generation`.
  void fill(std::string_view key, const std::optional<std::string>& value, uint64_t generation);
  // A committed write: updates the entry when cached.
  void written(std::string_view key, const std::optional<std::string>& value);
  void clear();
  size_t size() const;
  uint64_t hits() const;

 private:
  struct KeyHash {
    using is_transparent = void;  // find() by string_view, without a copy
    size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::optional<std::string>, KeyHash, std::equal_to<>>
        entries;
    uint64_t generation = 0;
    uint64_t hits = 0;
  };
  Shard& shard(std::string_view key);
  // The sum of `of(shard)` over the shards, each read under its lock.
  template <typename F>
  uint64_t sum(F of) const {
    uint64_t n = 0;
    for (const Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      n += of(s);
    }
    return n;
  }
  std::array<Shard, kShards> shards_;
};

class StateStore final : public ledger::KvRead {
 public:
  // Opens the database at `path`, creating it and its column families if missing.
  // Errors: "io_error", "no_space", "corruption", "busy" (another process holds
  // it), "storage_error". `env` (tests only) replaces RocksDB's default file
  // system, here and in switch_to(); it must outlive the store.
  static Result<std::unique_ptr<StateStore>> open(const std::string& path,
                                                  rocksdb::Env* env = nullptr);

  // Closes the database.
  ~StateStore() override;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  std::optional<std::string> get(std::string_view key) const override;
  // Visits [start, end) in key order; the range may span column families.
  void scan(std::string_view start, std::string_view end,
            const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;

  // Applies every put and delete of `writes` atomically, synced to disk.
  // A key whose first byte names no column family fails with
  // "invalid_argument" before anything is written.
  enum class Sync { kYes, kNo };
  Status commit(const ledger::WriteSet& writes, Sync sync = Sync::kYes);

  // Closes this database and serves from the one at `path` (a checkpoint
  // received from the leader) from now on. On failure nothing changes.
  Status switch_to(const std::string& path);

  // Writes a consistent RocksDB checkpoint to `dir`, which must not exist yet;
  // StateStore::open(dir) opens it.
  Status checkpoint(const std::string& dir);

  // Starts flushing every column family's memtable in the background and
  // returns at once, so that a checkpoint taken soon after has little left to
  // flush on the caller's thread.
  Status flush_async();

  std::string path() const;

  // The read cache's figures (tests and metrics).
  const ReadCache& cache() const { return cache_; }
  // Tests only: runs between a cache miss's database read and its fill. Set
  // it before any reader runs.
  void TEST_set_before_fill(std::function<void()> hook) { before_fill_ = std::move(hook); }

  // After a failed write RocksDB refuses every write until this reopens the
  // database (once there is space again). A failed commit wrote nothing, so
  // the caller commits the same writes again after this.
  Status resume();

 private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<Impl>> open_impl(const std::string& path, rocksdb::Env* env,
                                                 bool read_only);
  rocksdb::Env* env_ = nullptr;
  mutable std::shared_mutex mu_;  // exclusive only while switching databases
  std::unique_ptr<Impl> impl_;
  mutable ReadCache cache_;
  std::function<void()> before_fill_;
};

}  // namespace suanli::node
