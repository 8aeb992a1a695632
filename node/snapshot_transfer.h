// Snapshots as RocksDB checkpoints of the state database (DESIGN.md
// "Storage"), moved between nodes in chunks.
//
// Raft carries only a small descriptor (index, height, state hash) as the
// snapshot's data. A follower that receives one pulls the files of the
// leader's checkpoint for that index over the peer link, one chunk at a time
// (SnapFetch → SnapChunk), into a staging directory on disk, verifies that
// the result is the state the descriptor names, and only then lets Raft
// install the snapshot. Memory stays bounded by one chunk, whatever the size
// of the state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace suanli::node {

inline constexpr uint64_t kSnapChunkBytes = 1 << 20;
inline constexpr uint32_t kSnapFilesMax = 100000;
inline constexpr uint32_t kSnapFileList = 0xffffffff;  // SnapFetch.file: the list itself
inline constexpr uint64_t kSnapFileBytesMax = 1ull << 40;

struct SnapshotDescriptor {
  uint64_t index = 0;   // Raft index of the last applied block entry
  uint64_t height = 0;  // block height there
  Hash32 state_hash{};
  bool operator==(const SnapshotDescriptor&) const = default;
};
std::string encode_descriptor(const SnapshotDescriptor& d);
std::optional<SnapshotDescriptor> decode_descriptor(std::string_view data);

struct SnapshotFile {
  std::string name;  // a plain file name inside the checkpoint directory
  uint64_t size = 0;
  bool operator==(const SnapshotFile&) const = default;
};
// The regular files of a checkpoint directory, by name.
Result<std::vector<SnapshotFile>> list_checkpoint(const std::string& dir);
std::string encode_file_list(const std::vector<SnapshotFile>& files);
// Refuses names that could leave the directory, duplicates and absurd sizes.
std::optional<std::vector<SnapshotFile>> decode_file_list(std::string_view data);

// Follower → leader: send `file` (an index into the list, or kSnapFileList)
// of checkpoint `index` from `offset`.
struct SnapFetch {
  uint64_t index = 0;
  uint32_t file = kSnapFileList;
  uint64_t offset = 0;
  bool operator==(const SnapFetch&) const = default;
};
enum class SnapStatus : uint8_t { kOk = 0, kGone = 1, kError = 2 };
struct SnapChunk {
  uint64_t index = 0;
  uint32_t file = kSnapFileList;
  uint64_t offset = 0;
  SnapStatus status = SnapStatus::kOk;
  std::string data;  // at most kSnapChunkBytes
  bool operator==(const SnapChunk&) const = default;
};
std::string encode_fetch(const SnapFetch& f);
std::optional<SnapFetch> decode_fetch(std::string_view data);
std::string encode_chunk(const SnapChunk& c);
std::optional<SnapChunk> decode_chunk(std::string_view data);

// Leader side: the answer to `f` from the checkpoint in `dir` (the list when
// f.file is kSnapFileList, else up to kSnapChunkBytes of that file; kGone
// when the checkpoint no longer exists).
SnapChunk serve_fetch(const std::string& dir, const SnapFetch& f);

// Follower side: writes one checkpoint into `staging_dir` as chunks arrive.
class SnapshotFetcher {
 public:
  struct Step {
    enum Kind { kNext, kDone, kFailed } kind = kFailed;
    SnapFetch next;     // kNext: what to ask for
    std::string error;  // kFailed: why
  };

  ~SnapshotFetcher();
  // Wipes `staging_dir` and returns the first request (the file list).
  Result<SnapFetch> start(const std::string& staging_dir, const SnapshotDescriptor& d,
                          const std::string& from);
  // Feeds the answer to the last request. Chunks that answer something else
  // (a retransmission, another snapshot) are ignored: kNext with the same
  // request. kDone: every file is written and synced.
  Step on_chunk(const SnapChunk& c);
  void reset();

  bool active() const { return active_; }
  const std::string& from() const { return from_; }
  const SnapshotDescriptor& descriptor() const { return desc_; }
  uint64_t bytes_received() const { return received_; }
  uint64_t bytes_total() const { return total_; }

 private:
  Step fail(std::string why);
  Status open_current();
  Step advance();

  bool active_ = false;
  std::string dir_;
  std::string from_;
  SnapshotDescriptor desc_;
  std::vector<SnapshotFile> files_;
  bool have_list_ = false;
  SnapFetch want_;
  int fd_ = -1;
  uint64_t received_ = 0;
  uint64_t total_ = 0;
};

// fsyncs a directory, so that renames and new files in it are durable.
Status sync_dir(const std::string& dir);

}  // namespace suanli::node
