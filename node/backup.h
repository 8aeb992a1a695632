// Online backup and restore of a node's state database (DESIGN.md "Storage":
// backups are checkpoints of the state database).
//
// A backup is a directory:
//   backup.json   {"format": "suanli-backup-1", "chain_id", "genesis_hash",
//                  "height", "state_hash", "raft_index", "source_node", "created_ms"}
//   state/        a RocksDB checkpoint of the state database
// It appears under its final name only when complete and synced.
//
// A restored node never reuses a Raft identity: restore refuses a node id or
// key that the genesis or the backup's membership already knows. The restored
// node starts as a joiner that serves reads of the backup's state, and
// becomes a member once a node_propose for it is approved; it then catches up
// from the leader (entries after the backup, or a snapshot).
//
// Functions here do file I/O and keep no state; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "ledger/types.h"

namespace suanli::node {

class StateStore;

inline constexpr const char* kBackupFormat = "suanli-backup-1";

struct BackupInfo {
  std::string chain_id;
  Hash32 genesis_hash{};
  uint64_t height = 0;
  Hash32 state_hash{};
  uint64_t raft_index = 0;
  std::string source_node;
  uint64_t created_ms = 0;

  nlohmann::json to_json() const;
};

// The state database in use under a data directory: "state", or the
// received snapshot that the STATE file names.
std::string live_state_dir_of(const std::string& data_dir);

// Errors: "invalid_argument" when `dir` is not an absolute path, already
// exists, or its parent is not a directory.
Status check_backup_target(const std::string& dir);

// Writes a backup of `state` (which may be serving writes meanwhile: the
// checkpoint is one consistent point between two blocks) to `dir`.
// Errors: those of check_backup_target, "io_error", "storage_error".
Result<BackupInfo> write_backup(StateStore& state, const std::string& dir,
                                const ledger::Genesis& genesis, const std::string& source_node,
                                uint64_t now_ms);

// Reads and checks `dir`/backup.json. Errors: "invalid_backup" naming what is wrong.
Result<BackupInfo> read_backup_manifest(const std::string& dir);

// Restores the backup at `from` into the empty (or missing) `data_dir` for
// a node `node_id` with key `node_pubkey` of chain `genesis`.
// Errors: "invalid_backup"; "genesis_mismatch"; "identity_in_use" (the node id
// or key is a member, or listed in the genesis); "invalid_argument" (data_dir
// not empty); "io_error". On error nothing is left in data_dir.
Result<BackupInfo> restore_backup(const std::string& from, const std::string& data_dir,
                                  const ledger::Genesis& genesis, const std::string& node_id,
                                  const PubKey& node_pubkey);

}  // namespace suanli::node
