#include "tests/node/fault_fs.h"

#include <filesystem>

namespace suanli::node::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::string norm(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

std::string parent_of(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> f, FaultFs* fs, std::string path)
      : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_write(path_); !s.ok()) return s;
    IOStatus s = target()->Append(data, o, dbg);
    if (s.ok()) fs_->on_append(path_, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo&,
                  IODebugContext* dbg) override {
    return Append(data, o, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_write(path_); !s.ok()) return s;
    IOStatus s = target()->PositionedAppend(data, offset, o, dbg);
    if (s.ok()) fs_->on_truncate(path_, offset + data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo&, IODebugContext* dbg) override {
    return PositionedAppend(data, offset, o, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_frozen(); !s.ok()) return s;
    IOStatus s = target()->Truncate(size, o, dbg);
    if (s.ok()) fs_->on_truncate(path_, size);
    return s;
  }
  IOStatus Flush(const IOOptions& o, IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_write(path_); !s.ok()) return s;
    return target()->Flush(o, dbg);
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_write(path_); !s.ok()) return s;
    IOStatus s = target()->Sync(o, dbg);
    if (s.ok()) fs_->on_sync(path_);
    return s;
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_write(path_); !s.ok()) return s;
    IOStatus s = target()->Fsync(o, dbg);
    if (s.ok()) fs_->on_sync(path_);
    return s;
  }
  // Starts write-back without waiting for it: nothing becomes durable.
  IOStatus RangeSync(uint64_t offset, uint64_t n, const IOOptions& o,
                     IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_write(path_); !s.ok()) return s;
    return target()->RangeSync(offset, n, o, dbg);
  }
  IOStatus Allocate(uint64_t offset, uint64_t len, const IOOptions& o,
                    IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_write(path_); !s.ok()) return s;
    return target()->Allocate(offset, len, o, dbg);
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultDirectory final : public rocksdb::FSDirectory {
 public:
  FaultDirectory(std::unique_ptr<rocksdb::FSDirectory> d, FaultFs* fs, std::string path)
      : target_(std::move(d)), fs_(fs), path_(std::move(path)) {}
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    if (IOStatus s = fs_->check_frozen(); !s.ok()) return s;
    IOStatus s = target_->Fsync(o, dbg);
    if (s.ok()) fs_->on_dir_sync(path_);
    return s;
  }
  IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& dir_options) override {
    if (IOStatus s = fs_->check_frozen(); !s.ok()) return s;
    IOStatus s = target_->FsyncWithDirOptions(o, dbg, dir_options);
    if (s.ok()) fs_->on_dir_sync(path_);
    return s;
  }
  IOStatus Close(const IOOptions& o, IODebugContext* dbg) override {
    return target_->Close(o, dbg);
  }
  size_t GetUniqueId(char* id, size_t max_size) const override {
    return target_->GetUniqueId(id, max_size);
  }

 private:
  std::unique_ptr<rocksdb::FSDirectory> target_;
  FaultFs* fs_;
  std::string path_;
};

}  // namespace

FaultFs::FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

std::shared_ptr<rocksdb::Env> FaultFs::env(const std::shared_ptr<FaultFs>& fs) {
  return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs).release());
}

void FaultFs::set_no_space(bool on, const std::string& only_under) {
  std::lock_guard lock(mu_);
  no_space_under_ = norm(only_under);
  no_space_ = on;
}

IOStatus FaultFs::check_write(const std::string& path) {
  if (frozen_) {
    ++refused_;
    return IOStatus::IOError("FaultFs: power lost");
  }
  bool full = no_space_;
  if (full) {
    std::lock_guard lock(mu_);
    full = no_space_under_.empty() || norm(path).rfind(no_space_under_, 0) == 0;
  }
  if (full) {
    ++refused_;
    return IOStatus::NoSpace("FaultFs: no space left on device");
  }
  return IOStatus::OK();
}

IOStatus FaultFs::check_frozen() {
  if (!frozen_) return IOStatus::OK();
  ++refused_;
  return IOStatus::IOError("FaultFs: power lost");
}

void FaultFs::track_new(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  files_[norm(path)] = FileState{size, 0, false};
}

// Only files written through this file system are tracked; others keep
// what they have.
void FaultFs::on_append(const std::string& path, uint64_t bytes) {
  std::lock_guard lock(mu_);
  if (auto it = files_.find(path); it != files_.end()) it->second.size += bytes;
}

void FaultFs::on_truncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  if (auto it = files_.find(path); it != files_.end()) {
    it->second.size = size;
    it->second.synced = std::min(it->second.synced, size);
  }
}

void FaultFs::on_sync(const std::string& path) {
  std::lock_guard lock(mu_);
  if (auto it = files_.find(path); it != files_.end()) it->second.synced = it->second.size;
}

void FaultFs::on_dir_sync(const std::string& dir) {
  std::lock_guard lock(mu_);
  for (auto& [path, f] : files_) {
    if (parent_of(path) == dir) f.dir_synced = true;
  }
}

size_t FaultFs::power_loss() {
  std::lock_guard lock(mu_);
  size_t changed = 0;
  for (const auto& [path, f] : files_) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;  // moved outside this file system
    if (!f.dir_synced) {
      std::filesystem::remove(path, ec);
      ++changed;
    } else if (std::filesystem::file_size(path, ec) > f.synced && !ec) {
      std::filesystem::resize_file(path, f.synced, ec);
      ++changed;
    }
  }
  files_.clear();
  frozen_ = false;
  no_space_ = false;
  return changed;
}

IOStatus FaultFs::NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                  std::unique_ptr<rocksdb::FSWritableFile>* r,
                                  IODebugContext* dbg) {
  if (IOStatus s = check_write(f); !s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
  if (!s.ok()) return s;
  track_new(f, 0);
  *r = std::make_unique<FaultWritableFile>(std::move(file), this, norm(f));
  return s;
}

IOStatus FaultFs::ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                     std::unique_ptr<rocksdb::FSWritableFile>* r,
                                     IODebugContext* dbg) {
  if (IOStatus s = check_write(f); !s.ok()) return s;
  std::error_code ec;
  const bool existed = std::filesystem::exists(f, ec);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->ReopenWritableFile(f, o, &file, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    if (files_.count(norm(f)) == 0) {
      // What was there before is durable; a file made here is not yet.
      const uint64_t size = existed ? std::filesystem::file_size(f, ec) : 0;
      files_[norm(f)] = FileState{size, size, existed};
    }
  }
  *r = std::make_unique<FaultWritableFile>(std::move(file), this, norm(f));
  return s;
}

IOStatus FaultFs::ReuseWritableFile(const std::string& f, const std::string& old,
                                    const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    IODebugContext* dbg) {
  if (IOStatus s = check_write(f); !s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->ReuseWritableFile(f, old, o, &file, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    files_.erase(norm(old));
  }
  track_new(f, 0);
  *r = std::make_unique<FaultWritableFile>(std::move(file), this, norm(f));
  return s;
}

IOStatus FaultFs::NewRandomRWFile(const std::string& f, const rocksdb::FileOptions& o,
                                  std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                  IODebugContext* dbg) {
  if (IOStatus s = check_write(f); !s.ok()) return s;
  return target()->NewRandomRWFile(f, o, r, dbg);
}

IOStatus FaultFs::NewDirectory(const std::string& name, const IOOptions& o,
                               std::unique_ptr<rocksdb::FSDirectory>* r, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  IOStatus s = target()->NewDirectory(name, o, &dir, dbg);
  if (!s.ok()) return s;
  *r = std::make_unique<FaultDirectory>(std::move(dir), this, norm(name));
  return s;
}

IOStatus FaultFs::RenameFile(const std::string& src, const std::string& dst, const IOOptions& o,
                             IODebugContext* dbg) {
  if (IOStatus s = check_write(src); !s.ok()) return s;
  std::error_code ec;
  const bool is_dir = std::filesystem::is_directory(src, ec);
  const uint64_t size = is_dir ? 0 : std::filesystem::file_size(src, ec);
  IOStatus s = target()->RenameFile(src, dst, o, dbg);
  if (!s.ok()) return s;
  std::lock_guard lock(mu_);
  if (is_dir) {
    // The files keep their state under the new name.
    const std::string from = norm(src) + "/";
    std::map<std::string, FileState> moved;
    for (auto it = files_.begin(); it != files_.end();) {
      if (it->first.rfind(from, 0) == 0) {
        moved[norm(dst) + "/" + it->first.substr(from.size())] = it->second;
        it = files_.erase(it);
      } else {
        ++it;
      }
    }
    files_.insert(moved.begin(), moved.end());
    return s;
  }
  auto it = files_.find(norm(src));
  FileState state = it == files_.end() ? FileState{size, size, false} : it->second;
  if (it != files_.end()) files_.erase(it);
  state.dir_synced = false;  // the new name is durable after the directory's fsync
  files_[norm(dst)] = state;
  return s;
}

IOStatus FaultFs::LinkFile(const std::string& src, const std::string& dst, const IOOptions& o,
                           IODebugContext* dbg) {
  if (IOStatus s = check_write(src); !s.ok()) return s;
  IOStatus s = target()->LinkFile(src, dst, o, dbg);
  if (!s.ok()) return s;
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(src, ec);
  std::lock_guard lock(mu_);
  auto it = files_.find(norm(src));
  FileState state = it == files_.end() ? FileState{size, size, false} : it->second;
  state.dir_synced = false;
  files_[norm(dst)] = state;
  return s;
}

IOStatus FaultFs::DeleteFile(const std::string& f, const IOOptions& o, IODebugContext* dbg) {
  if (IOStatus s = check_frozen(); !s.ok()) return s;
  IOStatus s = target()->DeleteFile(f, o, dbg);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    files_.erase(norm(f));
  }
  return s;
}

IOStatus FaultFs::Truncate(const std::string& f, size_t size, const IOOptions& o,
                           IODebugContext* dbg) {
  if (IOStatus s = check_frozen(); !s.ok()) return s;
  IOStatus s = target()->Truncate(f, size, o, dbg);
  if (s.ok()) on_truncate(norm(f), size);
  return s;
}

IOStatus FaultFs::CreateDir(const std::string& d, const IOOptions& o, IODebugContext* dbg) {
  if (IOStatus s = check_write(d); !s.ok()) return s;
  return target()->CreateDir(d, o, dbg);
}

IOStatus FaultFs::CreateDirIfMissing(const std::string& d, const IOOptions& o,
                                     IODebugContext* dbg) {
  if (IOStatus s = check_frozen(); !s.ok()) return s;
  return target()->CreateDirIfMissing(d, o, dbg);
}

IOStatus FaultFs::DeleteDir(const std::string& d, const IOOptions& o, IODebugContext* dbg) {
  if (IOStatus s = check_frozen(); !s.ok()) return s;
  return target()->DeleteDir(d, o, dbg);
}

}  // namespace suanli::node::testing
