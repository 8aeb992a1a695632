// The state database of a node: one RocksDB database with the column families
// state, txindex, blocks and meta (DESIGN.md "Storage").
//
// A key's first byte names its column family (ledger/kv.h: kCfState, ...); the
// rest is the RocksDB key within it. commit() writes a whole WriteSet as one
// atomic, synced WriteBatch, so applying a block together with its applied
// index survives a crash all or nothing.
//
// Thread-safety: get/scan/commit/checkpoint may be called from any thread
// (RocksDB is internally synchronised). A reader sees each commit as a whole
// for one key, and a scan reads one consistent snapshot.
//
// Reads have no error channel (ledger::KvRead): a failing read is a storage
// fault the ledger cannot interpret deterministically, so it aborts the node
// (SUANLI_ASSERT) rather than risk divergence. Writes report Status.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "ledger/kv.h"

namespace suanli::node {

class StateStore final : public ledger::KvRead {
 public:
  // Opens the database at `path`, creating it and its column families if missing.
  // Errors: "io_error", "corruption", "busy" (another process holds it), "storage_error".
  static Result<std::unique_ptr<StateStore>> open(const std::string& path);

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
  Status commit(const ledger::WriteSet& writes);

  // Replaces the whole content of every column family by `items` (keys with
  // their column-family byte, as in commit), atomically and synced: a
  // snapshot received from the leader. Readers see the old or the new state.
  Status replace_all(const std::vector<std::pair<std::string, std::string>>& items);

  // Writes a consistent RocksDB checkpoint to `dir`, which must not exist yet;
  // StateStore::open(dir) opens it.
  Status checkpoint(const std::string& dir);

  const std::string& path() const;

 private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace suanli::node
