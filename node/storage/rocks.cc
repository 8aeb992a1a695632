#include "node/storage/rocks.h"

#include <rocksdb/env.h>

#include "common/crc32c.h"

namespace suanli::node {

Status from_rocksdb(const rocksdb::Status& s, const std::string& what) {
  std::string message = what + ": " + s.ToString();
  if (s.IsCorruption()) return Status::error("corruption", message);
  if (s.IsBusy() || s.IsTimedOut() ||
      (s.IsIOError() && message.find("lock") != std::string::npos)) {
    return Status::error("busy", message);
  }
  if (s.IsNoSpace()) return Status::error("no_space", message);
  if (s.IsIOError()) return Status::error("io_error", message);
  if (s.IsInvalidArgument()) return Status::error("invalid_argument", message);
  if (s.IsNotFound()) return Status::error("not_found", message);
  return Status::error("storage_error", message);
}

void tune_background(rocksdb::DBOptions& options) {
  options.bytes_per_sync = 1 << 20;
  options.wal_bytes_per_sync = 1 << 20;
  // Compactions run only on otherwise idle CPU (SCHED_IDLE), so that they
  // never take a core from the threads that answer clients; flushes keep
  // their priority, since writes stop when memtables wait for them. Under
  // full load a compaction backlog slows writes down (RocksDB's own
  // triggers), which frees CPU for it.
  rocksdb::Env* env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  (void)env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kIdle);
}

size_t memtable_bytes_for(std::string_view path) {
  // CRC-32C: the same size for a path on every run and every build.
  return (size_t{12} << 20) + static_cast<size_t>(crc32c(path) % 65) * (size_t{128} << 10);
}

void tune_family(rocksdb::ColumnFamilyOptions& options) {
  options.write_buffer_size = 16 << 20;
  // Flushes and the first compaction write their tables uncompressed: most of
  // that data is rewritten soon (or, in the Raft log, deleted), and Snappy on
  // it took 1.5% of a node's CPU at peak load. Deeper levels, which hold the
  // bulk of a long-lived state, stay compressed.
  options.compression_per_level.assign(static_cast<size_t>(options.num_levels),
                                       rocksdb::kSnappyCompression);
  options.compression_per_level[0] = rocksdb::kNoCompression;
  options.compression_per_level[1] = rocksdb::kNoCompression;
}

}  // namespace suanli::node
