#include "node/snapshot_transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "ledger/encoding.h"

namespace suanli::node {
namespace fs = std::filesystem;
namespace {

constexpr uint8_t kDescriptorVersion = 2;  // 1 was a logical dump held in memory
constexpr size_t kFileNameMax = 255;

bool safe_name(const std::string& n) {
  if (n.empty() || n.size() > kFileNameMax || n == "." || n == "..") return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

Status errno_status(const std::string& what) {
  return Status::error("io_error", what + ": " + std::strerror(errno));
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_status("write snapshot file");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

}  // namespace

std::string encode_descriptor(const SnapshotDescriptor& d) {
  ledger::Writer w;
  w.u8(kDescriptorVersion);
  w.u64(d.index);
  w.u64(d.height);
  w.fixed(d.state_hash);
  return w.take();
}

std::optional<SnapshotDescriptor> decode_descriptor(std::string_view data) {
  ledger::Reader r(data);
  SnapshotDescriptor d;
  uint8_t version = 0;
  if (!r.u8(version) || version != kDescriptorVersion || !r.u64(d.index) || !r.u64(d.height) ||
      !r.fixed(d.state_hash) || !r.done() || d.index == 0) {
    return std::nullopt;
  }
  return d;
}

Result<std::vector<SnapshotFile>> list_checkpoint(const std::string& dir) {
  std::vector<SnapshotFile> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    uint64_t size = e.file_size(ec);
    if (ec) break;
    out.push_back(SnapshotFile{e.path().filename().string(), size});
  }
  if (ec) return Status::error("io_error", "list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string encode_file_list(const std::vector<SnapshotFile>& files) {
  ledger::Writer w;
  w.u32(static_cast<uint32_t>(files.size()));
  for (const auto& f : files) {
    w.str(f.name);
    w.u64(f.size);
  }
  return w.take();
}

std::optional<std::vector<SnapshotFile>> decode_file_list(std::string_view data) {
  ledger::Reader r(data);
  uint32_t n = 0;
  if (!r.count(n, 12) || n == 0 || n > kSnapFilesMax) return std::nullopt;
  std::vector<SnapshotFile> out(n);
  std::set<std::string> seen;
  for (auto& f : out) {
    if (!r.str(f.name) || !r.u64(f.size)) return std::nullopt;
    if (!safe_name(f.name) || f.size > kSnapFileBytesMax || !seen.insert(f.name).second) {
      return std::nullopt;
    }
  }
  if (!r.done()) return std::nullopt;
  return out;
}

std::string encode_fetch(const SnapFetch& f) {
  ledger::Writer w;
  w.u64(f.index);
  w.u32(f.file);
  w.u64(f.offset);
  return w.take();
}

std::optional<SnapFetch> decode_fetch(std::string_view data) {
  ledger::Reader r(data);
  SnapFetch f;
  if (!r.u64(f.index) || !r.u32(f.file) || !r.u64(f.offset) || !r.done()) return std::nullopt;
  return f;
}

std::string encode_chunk(const SnapChunk& c) {
  ledger::Writer w;
  w.u64(c.index);
  w.u32(c.file);
  w.u64(c.offset);
  w.u8(static_cast<uint8_t>(c.status));
  w.str(c.data);
  return w.take();
}

std::optional<SnapChunk> decode_chunk(std::string_view data) {
  ledger::Reader r(data);
  SnapChunk c;
  uint8_t status = 0;
  if (!r.u64(c.index) || !r.u32(c.file) || !r.u64(c.offset) || !r.u8(status) ||
      status > static_cast<uint8_t>(SnapStatus::kError) || !r.str(c.data) || !r.done() ||
      c.data.size() > kSnapChunkBytes) {
    return std::nullopt;
  }
  c.status = static_cast<SnapStatus>(status);
  return c;
}

SnapChunk serve_fetch(const std::string& dir, const SnapFetch& f) {
  SnapChunk c{f.index, f.file, f.offset, SnapStatus::kOk, {}};
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    c.status = SnapStatus::kGone;
    return c;
  }
  auto files = list_checkpoint(dir);
  if (!files) {
    c.status = SnapStatus::kError;
    return c;
  }
  if (f.file == kSnapFileList) {
    c.data = encode_file_list(*files);
    if (c.data.size() > kSnapChunkBytes) c.status = SnapStatus::kError;
    return c;
  }
  if (f.file >= files->size() || f.offset > (*files)[f.file].size) {
    c.status = SnapStatus::kError;
    return c;
  }
  const SnapshotFile& file = (*files)[f.file];
  int fd = ::open((dir + "/" + file.name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    c.status = SnapStatus::kGone;
    return c;
  }
  c.data.resize(std::min<uint64_t>(kSnapChunkBytes, file.size - f.offset));
  size_t got = 0;
  while (got < c.data.size()) {
    ssize_t n =
        ::pread(fd, c.data.data() + got, c.data.size() - got, static_cast<off_t>(f.offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got != c.data.size()) {
    c.data.clear();
    c.status = SnapStatus::kError;
  }
  return c;
}

SnapshotFetcher::~SnapshotFetcher() { reset(); }

void SnapshotFetcher::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  active_ = false;
  have_list_ = false;
  files_.clear();
  received_ = total_ = 0;
}

Result<SnapFetch> SnapshotFetcher::start(const std::string& staging_dir,
                                         const SnapshotDescriptor& d, const std::string& from) {
  reset();
  std::error_code ec;
  fs::remove_all(staging_dir, ec);
  if (ec) return Status::error("io_error", "clear " + staging_dir + ": " + ec.message());
  fs::create_directories(staging_dir, ec);
  if (ec) return Status::error("io_error", "create " + staging_dir + ": " + ec.message());
  dir_ = staging_dir;
  desc_ = d;
  from_ = from;
  want_ = SnapFetch{d.index, kSnapFileList, 0};
  active_ = true;
  return want_;
}

SnapshotFetcher::Step SnapshotFetcher::fail(std::string why) {
  reset();
  return Step{Step::kFailed, {}, std::move(why)};
}

Status SnapshotFetcher::open_current() {
  const std::string path = dir_ + "/" + files_[want_.file].name;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) return errno_status("create " + path);
  return Status::ok();
}

// Moves want_ past finished (or empty) files; opens the next file to write.
SnapshotFetcher::Step SnapshotFetcher::advance() {
  while (want_.file < files_.size() && want_.offset == files_[want_.file].size) {
    if (fd_ >= 0) {
      if (::fsync(fd_) != 0) return fail(errno_status("sync snapshot file").to_string());
      ::close(fd_);
      fd_ = -1;
    } else if (Status s = open_current(); !s) {
      return fail(s.to_string());  // an empty file still has to exist
    } else {
      ::close(fd_);
      fd_ = -1;
    }
    ++want_.file;
    want_.offset = 0;
  }
  if (want_.file == files_.size()) {
    if (Status s = sync_dir(dir_); !s) return fail(s.to_string());
    active_ = false;
    return Step{Step::kDone, {}, {}};
  }
  if (fd_ < 0) {
    if (Status s = open_current(); !s) return fail(s.to_string());
  }
  return Step{Step::kNext, want_, {}};
}

SnapshotFetcher::Step SnapshotFetcher::on_chunk(const SnapChunk& c) {
  if (!active_) return Step{Step::kFailed, {}, "no snapshot is being fetched"};
  if (c.index != want_.index || c.file != want_.file || c.offset != want_.offset) {
    return Step{Step::kNext, want_, {}};  // not the answer we wait for
  }
  if (c.status == SnapStatus::kGone) return fail("the leader no longer has this snapshot");
  if (c.status != SnapStatus::kOk) return fail("the leader could not read the snapshot");
  if (!have_list_) {
    auto list = decode_file_list(c.data);
    if (!list) return fail("malformed snapshot file list");
    files_ = std::move(*list);
    for (const auto& f : files_) total_ += f.size;
    have_list_ = true;
    want_ = SnapFetch{desc_.index, 0, 0};
    return advance();
  }
  const uint64_t left = files_[want_.file].size - want_.offset;
  if (c.data.empty() || c.data.size() > left) return fail("snapshot chunk of the wrong size");
  if (Status s = write_all(fd_, c.data); !s) return fail(s.to_string());
  want_.offset += c.data.size();
  received_ += c.data.size();
  return advance();
}

Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return errno_status("sync " + dir);
  return Status::ok();
}

}  // namespace suanli::node
