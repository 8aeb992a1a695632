// FaultFs: a RocksDB file system for tests that can run out of space and
// lose power (Debian ships no header for RocksDB's own FaultInjectionTestFS).
//
// - set_no_space(true): every write, append, sync, rename, link and new file
//   fails with IOStatus::NoSpace() until set_no_space(false), as on a full disk
//   (or only those under one directory).
// - freeze(): every change fails with an I/O error, as if power went: nothing
//   more reaches the disk. power_loss() then drops what the disk would lose:
//   every file written through this file system goes back to the length it
//   had at its last Sync/Fsync (RangeSync only starts write-back, so it does
//   not count), and a file created or renamed since its directory's last
//   fsync is removed. It then unfreezes. Call it with every database closed.
//
// Files not written through it (std::filesystem in the node) are not tracked.
// Thread-safe: RocksDB calls it from its background threads too.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace suanli::node::testing {

class FaultFs final : public rocksdb::FileSystemWrapper {
 public:
  // Over the default (POSIX) file system. Hold it in a shared_ptr.
  FaultFs();
  const char* Name() const override { return "FaultFs"; }
  // An Env over `fs`, for NodeOptions::env.
  static std::shared_ptr<rocksdb::Env> env(const std::shared_ptr<FaultFs>& fs);

  // `only_under` non-empty: only paths under it are refused (one database).
  void set_no_space(bool on, const std::string& only_under = "");
  bool no_space() const { return no_space_; }
  void freeze() { frozen_ = true; }
  // Drops unsynced data (see above); returns the number of files changed.
  size_t power_loss();
  // Writes refused since construction (full disk or frozen).
  uint64_t refused() const { return refused_; }
  // The refusal if writes to `path` are refused now (full disk or frozen).
  rocksdb::IOStatus check_write(const std::string& path);
  // An error if frozen, else OK: deleting works on a full disk.
  rocksdb::IOStatus check_frozen();
  void on_append(const std::string& path, uint64_t bytes);
  void on_truncate(const std::string& path, uint64_t size);
  void on_sync(const std::string& path);
  void on_dir_sync(const std::string& dir);

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& dst,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& f, size_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& d, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& d, const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& d, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;

 private:
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
    bool dir_synced = false;  // its name survives a power loss
  };
  // A new (or truncated) file at `path`, not yet synced or named durably.
  void track_new(const std::string& path, uint64_t size);

  std::atomic<bool> no_space_{false};
  std::atomic<bool> frozen_{false};
  std::string no_space_under_;  // guarded by mu_
  std::atomic<uint64_t> refused_{0};
  std::mutex mu_;
  std::map<std::string, FileState> files_;  // guarded by mu_
};

}  // namespace suanli::node::testing
