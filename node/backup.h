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
// Restore cannot see members admitted after the backup was taken, so it also
// leaves restored.json in the data directory. Until the node sees itself
// admitted by a proposal made after the restore, it casts no vote and never
// campaigns; if its node id or key turns out to belong to a member admitted
// before the restore (a node that joined after the backup), it stops with
// identity_in_use instead of taking part in Raft under that identity.
//
// Functions here do file I/O and keep no state; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

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

// What restore leaves in the data directory (restored.json).
struct RestoreMarker {
  uint64_t height = 0;       // the backup's applied height
  uint64_t restored_ms = 0;  // when restore ran (Unix ms)
  std::string node_id;
  PubKey pubkey{};
};
inline constexpr char kRestoreMarkerFile[] = "restored.json";

// Errors: "invalid_backup" (an unreadable or malformed restored.json).
Result<std::optional<RestoreMarker>> read_restore_marker(const std::string& data_dir);
Status clear_restore_marker(const std::string& data_dir);

enum class Admission { kWaiting, kAdmitted };
// Where a restored node stands in `state`: not a member yet (kWaiting);
// admitted by a node proposal whose block came after the restore
// (kAdmitted); or "identity_in_use": its node id or key belongs to a member
// admitted before the restore.
Result<Admission> check_admission(const StateStore& state, const RestoreMarker& marker);

// Restores the backup at `from` into the empty (or missing) `data_dir` for
// a node `node_id` with key `node_pubkey` of chain `genesis`, at `now_ms`.
// Errors: "invalid_backup"; "genesis_mismatch"; "identity_in_use" (the node id
// or key is a member, or listed in the genesis); "invalid_argument" (data_dir
// not empty); "io_error". On error nothing is left in data_dir.
Result<BackupInfo> restore_backup(const std::string& from, const std::string& data_dir,
                                  const ledger::Genesis& genesis, const std::string& node_id,
                                  const PubKey& node_pubkey, uint64_t now_ms);

}  // namespace suanli::node
