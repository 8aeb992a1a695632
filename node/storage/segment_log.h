// SegmentLog: the Raft log's entries in append-only segment files, like
// etcd's WAL. A block is written once (one write, one fdatasync) and deleted
// with its whole segment after log compaction: no memtable, no flush and no
// compaction rewrites it, as they did when the entries lived in RocksDB.
//
// Files: <dir>/<generation>-<sequence>-<first index>.seg (16 hex digits
// each). A record is [u32 length][u32 CRC-32C of the payload][payload =
// consensus::encode_entry], little-endian; record n of a segment holds entry
// <first index> + n.
//
// Rules that make a crash at any moment recoverable, and a failed append
// harmless, without extra syncs:
// - Segments are numbered in the order they are created, and only a segment
//   created by this process, since its last failed append, is appended to.
// - A segment supersedes the entries of every earlier one from its first
//   index on. A conflicting suffix is replaced by writing a new segment; the
//   old files go only once it is durable.
// - Reading stops at a segment's first bad record (a torn write); it is data
//   loss only if the next segment does not start at or before that point.
// - A new segment's name is made durable (directory fsync) with the first
//   sync of its records.
// - The generation changes when a snapshot replaces the whole log; segments
//   of other generations are ignored and deleted.
//
// Thread-safety: none; RaftStorage's owner serialises every call.
#pragma once

#include <rocksdb/file_system.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "consensus/types.h"

namespace suanli::node {

class SegmentLog {
 public:
  struct Options {
    uint64_t segment_bytes = 64ull << 20;  // a segment is closed past this size
    // Unlink dead segments on a thread of the log's own ("raft-log-gc"):
    // removing a 64 MiB file took ~60 ms, which the thread that writes the
    // log (and runs Raft) must not wait for. A file whose delete fails stays
    // dead and goes at the next open.
    bool background_delete = false;
  };
  // Opens the log under `dir` (created if missing) for `generation`, keeping
  // entries after `after` (the compaction point); older generations' files are
  // deleted. Errors: "corruption" (a record lost in the middle of the log, a
  // gap), or an I/O error from `fs`.
  static Result<std::unique_ptr<SegmentLog>> open(std::shared_ptr<rocksdb::FileSystem> fs,
                                                  const std::string& dir, uint64_t generation,
                                                  consensus::Index after, Options options);
  static Result<std::unique_ptr<SegmentLog>> open(std::shared_ptr<rocksdb::FileSystem> fs,
                                                  const std::string& dir, uint64_t generation,
                                                  consensus::Index after) {
    return open(std::move(fs), dir, generation, after, Options{});
  }
  ~SegmentLog();
  SegmentLog(const SegmentLog&) = delete;
  SegmentLog& operator=(const SegmentLog&) = delete;

  // Entries held: [first_index(), last_index()]; empty when last < first.
  consensus::Index first_index() const { return base_; }
  consensus::Index last_index() const { return base_ + locs_.size() - 1; }
  bool empty() const { return locs_.empty(); }
  uint64_t generation() const { return generation_; }
  // Term of entry i, first_index() <= i <= last_index().
  consensus::Term term(consensus::Index i) const;
  // Entries [lo, hi) within the log, stopping before max_bytes
  // (consensus::entry_bytes) once at least one is read. A read error or a
  // bad checksum is an error ("corruption" or I/O).
  Result<std::vector<consensus::Entry>> read(consensus::Index lo, consensus::Index hi,
                                             uint64_t max_bytes) const;
  // Appends contiguous entries, first one at most last_index() + 1 and after
  // first_index() - 1; entries from there on are replaced. Synced (data and
  // any new segment's name) before it returns. A failed append changes
  // nothing here; after a crash its leftovers are superseded or, at worst,
  // cut the log back to where it started (never below the entries before).
  Status append(std::span<const consensus::Entry> entries);
  // Forgets entries up to `index` (> first_index() - 1) and deletes the
  // segments that hold nothing after it. The caller records `index` durably
  // first (it is `after` on the next open).
  Status drop_through(consensus::Index index);
  // Starts generation `generation` with no entries, after index `after`.
  // The old generation's files are deleted as far as possible (a later open
  // deletes the rest).
  void reset(uint64_t generation, consensus::Index after);
  // Bytes past the last good record, left by a torn write, found by open().
  uint64_t torn_bytes() const { return torn_bytes_; }
  size_t segment_count() const { return segments_.size(); }
  // Bytes in the live segment files (a dead one awaiting deletion not counted).
  uint64_t bytes() const;

 private:
  struct Segment {
    uint64_t seq = 0;
    consensus::Index first = 0;
    std::string path;
    uint64_t size = 0;
  };
  struct Loc {
    uint64_t offset;
    uint32_t length;  // the whole record, header included
    consensus::Term term;
  };
  SegmentLog(std::shared_ptr<rocksdb::FileSystem> fs, std::string dir, uint64_t generation,
             consensus::Index after, Options options);
  Status load();
  void close_tail();
  // The segment holding entry i.
  const Segment& segment_of(consensus::Index i) const;
  Result<rocksdb::FSRandomAccessFile*> reader(const Segment& seg) const;
  // A new segment for entries from `first`, appended to `into`.
  Status start_segment(consensus::Index first, std::vector<Segment>& into);
  // Deletes the files of segments_ that hold no entry of the log any more
  // (superseded, or up to after_), but the last one.
  void delete_dead_segments();
  // Deletes the files of dead_ now, or hands them to the gc thread
  // (Options::background_delete); dead_ keeps those whose delete failed.
  void delete_dead_files();

  std::shared_ptr<rocksdb::FileSystem> fs_;
  std::string dir_;
  uint64_t generation_;
  consensus::Index after_;
  Options options_;
  std::unique_ptr<rocksdb::FSDirectory> dir_handle_;
  // Live segments, in creation order; their first indexes increase too.
  std::vector<Segment> segments_;
  std::vector<Segment> dead_;  // superseded or compacted, to delete
  uint64_t next_seq_ = 0;
  std::unique_ptr<rocksdb::FSWritableFile> tail_;  // writer of segments_.back(), if ours
  std::string tail_path_;
  bool dir_dirty_ = false;     // a segment was created since the last directory fsync
  consensus::Index base_ = 1;  // index of locs_[0]
  std::deque<Loc> locs_;
  uint64_t torn_bytes_ = 0;
  mutable std::map<std::string, std::unique_ptr<rocksdb::FSRandomAccessFile>> readers_;

  // Background deletes (Options::background_delete).
  void delete_later(std::vector<std::string> paths);
  void run_deletes();
  std::mutex gc_mu_;
  std::condition_variable gc_cv_;
  std::vector<std::string> gc_queue_;  // guarded by gc_mu_
  bool gc_stop_ = false;               // guarded by gc_mu_
  std::thread gc_thread_;
};

}  // namespace suanli::node
