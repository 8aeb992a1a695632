#include "node/storage/segment_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>

#include "common/assert.h"
#include "common/crc32c.h"
#include "common/thread_name.h"
#include "consensus/codec.h"
#include "node/storage/rocks.h"

namespace suanli::node {
namespace {

using consensus::Entry;
using consensus::Index;
using consensus::Term;

constexpr size_t kHeaderBytes = 8;
// No entry comes near this (blocks are capped far below); a larger length
// read back is a torn or garbage header.
constexpr uint32_t kMaxPayload = 256u << 20;
// One read of the log covers at most this many bytes past max_bytes.
constexpr uint64_t kReadSlack = 64u << 10;

void put_u32_le(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint32_t get_u32_le(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string segment_name(uint64_t generation, uint64_t seq, Index first) {
  char name[64];
  std::snprintf(name, sizeof name, "%016" PRIx64 "-%016" PRIx64 "-%016" PRIx64 ".seg", generation,
                seq, first);
  return name;
}

// The parts of a segment's file name; false if it is not one.
bool parse_name(const std::string& name, uint64_t& generation, uint64_t& seq, Index& first) {
  if (name.size() != 54 || name[16] != '-' || name[33] != '-' || name.compare(50, 4, ".seg") != 0) {
    return false;
  }
  auto hex = [](std::string_view s, uint64_t& v) {
    v = 0;
    for (char c : s) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = (v << 4) | static_cast<uint64_t>(d);
    }
    return true;
  };
  const std::string_view n(name);
  return hex(n.substr(0, 16), generation) && hex(n.substr(17, 16), seq) &&
         hex(n.substr(34, 16), first);
}

void append_record(std::string& out, const Entry& e) {
  const Bytes payload = consensus::encode_entry(e);
  SUANLI_ASSERT(payload.size() <= kMaxPayload);
  put_u32_le(out, static_cast<uint32_t>(payload.size()));
  put_u32_le(out, crc32c(payload));
  out += payload;
}

// The record at `at` in `data` if it is whole, checksummed and entry `want`.
std::optional<Entry> parse_record(std::string_view data, size_t at, Index want, size_t& length) {
  if (data.size() - at < kHeaderBytes) return std::nullopt;
  const uint32_t n = get_u32_le(data.data() + at);
  const uint32_t crc = get_u32_le(data.data() + at + 4);
  if (n == 0 || n > kMaxPayload || data.size() - at - kHeaderBytes < n) return std::nullopt;
  const std::string_view payload = data.substr(at + kHeaderBytes, n);
  if (crc32c(payload) != crc) return std::nullopt;
  Result<Entry> e = consensus::decode_entry(payload);
  if (!e.is_ok() || e->index != want) return std::nullopt;
  length = kHeaderBytes + n;
  return std::move(*e);
}

Status io(const rocksdb::IOStatus& s, const std::string& what) { return from_rocksdb(s, what); }

}  // namespace

SegmentLog::SegmentLog(std::shared_ptr<rocksdb::FileSystem> fs, std::string dir,
                       uint64_t generation, Index after, Options options)
    : fs_(std::move(fs)),
      dir_(std::move(dir)),
      generation_(generation),
      after_(after),
      options_(options),
      base_(after + 1) {}

SegmentLog::~SegmentLog() {
  close_tail();
  if (gc_thread_.joinable()) {
    {
      std::lock_guard lock(gc_mu_);
      gc_stop_ = true;
    }
    gc_cv_.notify_one();
    gc_thread_.join();  // after the queued deletes: nothing is left half done
  }
}

void SegmentLog::delete_later(std::vector<std::string> paths) {
  {
    std::lock_guard lock(gc_mu_);
    for (auto& p : paths) gc_queue_.push_back(std::move(p));
  }
  if (!gc_thread_.joinable()) gc_thread_ = std::thread([this] { run_deletes(); });
  gc_cv_.notify_one();
}

void SegmentLog::run_deletes() {
  set_thread_name("raft-log-gc");
  std::unique_lock lock(gc_mu_);
  while (true) {
    gc_cv_.wait(lock, [&] { return gc_stop_ || !gc_queue_.empty(); });
    if (gc_queue_.empty()) return;  // stopping, nothing left
    std::vector<std::string> batch = std::move(gc_queue_);
    gc_queue_.clear();
    lock.unlock();
    for (const std::string& path : batch) {
      auto s = fs_->DeleteFile(path, rocksdb::IOOptions(), nullptr);
      if (!s.ok() && !s.IsPathNotFound()) {
        spdlog::warn("raft log: delete {}: {} (deleted at the next start)", path, s.ToString());
      }
    }
    lock.lock();
  }
}

Result<std::unique_ptr<SegmentLog>> SegmentLog::open(std::shared_ptr<rocksdb::FileSystem> fs,
                                                     const std::string& dir, uint64_t generation,
                                                     Index after, Options options) {
  std::unique_ptr<SegmentLog> log(new SegmentLog(std::move(fs), dir, generation, after, options));
  const rocksdb::IOOptions o;
  if (auto s = log->fs_->CreateDirIfMissing(dir, o, nullptr); !s.ok()) {
    return io(s, "create raft log directory " + dir);
  }
  if (auto s = log->fs_->NewDirectory(dir, o, &log->dir_handle_, nullptr); !s.ok()) {
    return io(s, "open raft log directory " + dir);
  }
  if (Status s = log->load(); !s) return s;
  return log;
}

void SegmentLog::close_tail() {
  if (!tail_) return;
  // Everything in it that counts was synced; a failed close loses nothing.
  if (auto s = tail_->Close(rocksdb::IOOptions(), nullptr); !s.ok()) {
    spdlog::warn("raft log: close {}: {}", tail_path_, s.ToString());
  }
  tail_.reset();
  tail_path_.clear();
}

Status SegmentLog::load() {
  const auto started = std::chrono::steady_clock::now();
  uint64_t read_bytes = 0;
  const rocksdb::IOOptions o;
  std::vector<std::string> names;
  if (auto s = fs_->GetChildren(dir_, o, &names, nullptr); !s.ok()) {
    return io(s, "list raft log " + dir_);
  }
  std::vector<Segment> found;
  for (const std::string& name : names) {
    uint64_t gen = 0;
    uint64_t seq = 0;
    Index first = 0;
    if (!parse_name(name, gen, seq, first)) continue;
    if (gen != generation_) {
      // A log replaced by a snapshot: nothing in it counts any more.
      (void)fs_->DeleteFile(dir_ + "/" + name, o, nullptr);
      continue;
    }
    found.push_back(Segment{seq, first, dir_ + "/" + name, 0});
  }
  std::sort(found.begin(), found.end(),
            [](const Segment& a, const Segment& b) { return a.seq < b.seq; });
  Index next = 0;  // the index after the last good entry; 0 before the first segment
  for (Segment& seg : found) {
    next_seq_ = std::max(next_seq_, seg.seq + 1);
    // Entries missing before this segment are lost data, unless compacted.
    if (seg.first == 0 || seg.first > std::max(next, after_ + 1)) {
      return Status::error("corruption", "raft log: entries missing before segment " + seg.path);
    }
    std::unique_ptr<rocksdb::FSRandomAccessFile> file;
    uint64_t size = 0;
    if (auto s = fs_->GetFileSize(seg.path, o, &size, nullptr); !s.ok()) {
      return io(s, "raft log segment " + seg.path);
    }
    if (auto s = fs_->NewRandomAccessFile(seg.path, rocksdb::FileOptions(), &file, nullptr);
        !s.ok()) {
      return io(s, "open raft log segment " + seg.path);
    }
    std::string buf(size, '\0');
    rocksdb::Slice got;
    if (auto s = file->Read(0, size, o, &got, buf.data(), nullptr); !s.ok()) {
      return io(s, "read raft log segment " + seg.path);
    }
    const std::string_view data(got.data(), got.size());
    read_bytes += data.size();
    // Entries from this segment's first index on are its own (see the header).
    if (next == 0 || seg.first > next) {
      locs_.clear();
      base_ = seg.first;
    } else {
      while (!locs_.empty() && base_ + locs_.size() > seg.first) locs_.pop_back();
    }
    size_t at = 0;
    Index want = seg.first;
    size_t length = 0;
    while (auto e = parse_record(data, at, want, length)) {
      locs_.push_back(Loc{at, static_cast<uint32_t>(length), e->term});
      at += length;
      ++want;
    }
    if (at < data.size()) {
      torn_bytes_ += data.size() - at;
      spdlog::warn("raft log: {} bytes after the last whole record of {} (a write cut short)",
                   data.size() - at, seg.path);
    }
    seg.size = data.size();
    next = want;
    // Earlier segments wholly superseded by this one are dead.
    while (!segments_.empty() && segments_.back().first >= seg.first) {
      dead_.push_back(std::move(segments_.back()));
      segments_.pop_back();
    }
    segments_.push_back(std::move(seg));
  }
  // Entries up to the compaction point are no longer part of the log.
  while (!locs_.empty() && base_ <= after_) {
    locs_.pop_front();
    ++base_;
  }
  if (locs_.empty()) base_ = std::max(base_, after_ + 1);
  // What was found is what the log is from now on: make the names durable
  // before any file that they supersede is deleted.
  if (!dead_.empty()) {
    if (auto s = dir_handle_->Fsync(o, nullptr); !s.ok()) return io(s, "sync raft log directory");
  }
  delete_dead_segments();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  // Every record is read and checked at start: say what that cost.
  spdlog::info("raft log: {} entries in {} segment files ({:.1f} MiB) read in {} ms", locs_.size(),
               segments_.size(), static_cast<double>(read_bytes) / (1 << 20), ms);
  return Status::ok();
}

void SegmentLog::delete_dead_segments() {
  // A segment before the last that ends by after_ + 1 holds nothing after it.
  size_t keep = 0;
  while (keep + 1 < segments_.size() && segments_[keep + 1].first <= after_ + 1) ++keep;
  for (size_t k = 0; k < keep; ++k) dead_.push_back(std::move(segments_[k]));
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(keep));
  delete_dead_files();
}

void SegmentLog::delete_dead_files() {
  for (const Segment& seg : dead_) readers_.erase(seg.path);
  if (options_.background_delete) {
    std::vector<std::string> paths;
    for (Segment& seg : dead_) paths.push_back(std::move(seg.path));
    dead_.clear();
    if (!paths.empty()) delete_later(std::move(paths));
    return;
  }
  std::vector<Segment> failed;
  for (Segment& seg : dead_) {
    if (auto s = fs_->DeleteFile(seg.path, rocksdb::IOOptions(), nullptr);
        !s.ok() && !s.IsPathNotFound()) {
      spdlog::warn("raft log: delete {}: {} (tried again later)", seg.path, s.ToString());
      failed.push_back(std::move(seg));
    }
  }
  dead_ = std::move(failed);
}

uint64_t SegmentLog::bytes() const {
  uint64_t sum = 0;
  for (const Segment& seg : segments_) sum += seg.size;
  return sum;
}

Term SegmentLog::term(Index i) const {
  SUANLI_ASSERT(i >= base_ && i - base_ < locs_.size());
  return locs_[i - base_].term;
}

const SegmentLog::Segment& SegmentLog::segment_of(Index i) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), i,
                             [](Index v, const Segment& s) { return v < s.first; });
  SUANLI_ASSERT(it != segments_.begin());
  return *(it - 1);
}

Result<rocksdb::FSRandomAccessFile*> SegmentLog::reader(const Segment& seg) const {
  auto it = readers_.find(seg.path);
  if (it != readers_.end()) return it->second.get();
  std::unique_ptr<rocksdb::FSRandomAccessFile> file;
  if (auto s = fs_->NewRandomAccessFile(seg.path, rocksdb::FileOptions(), &file, nullptr);
      !s.ok()) {
    return io(s, "open raft log segment " + seg.path);
  }
  return readers_.emplace(seg.path, std::move(file)).first->second.get();
}

Result<std::vector<Entry>> SegmentLog::read(Index lo, Index hi, uint64_t max_bytes) const {
  SUANLI_ASSERT(lo >= base_ && lo <= hi && hi <= base_ + locs_.size());
  std::vector<Entry> out;
  uint64_t bytes = 0;
  std::string buf;
  Index i = lo;
  while (i < hi) {
    // One read: the run of records in i's segment, about max_bytes long.
    const Segment& seg = segment_of(i);
    const Index seg_end = &seg == &segments_.back() ? hi : std::min(hi, (&seg + 1)->first);
    const uint64_t start = locs_[i - base_].offset;
    uint64_t span = 0;
    Index j = i;
    while (j < seg_end && (j == i || bytes + span <= max_bytes + kReadSlack)) {
      span += locs_[j - base_].length;
      ++j;
    }
    Result<rocksdb::FSRandomAccessFile*> file = reader(seg);
    if (!file.is_ok()) return file.status();
    buf.resize(span);
    rocksdb::Slice got;
    if (auto s = (*file)->Read(start, span, rocksdb::IOOptions(), &got, buf.data(), nullptr);
        !s.ok()) {
      return io(s, "read raft log segment " + seg.path);
    }
    const std::string_view data(got.data(), got.size());
    size_t at = 0;
    for (; i < j; ++i) {
      size_t length = 0;
      std::optional<Entry> e = parse_record(data, at, i, length);
      if (!e) {
        return Status::error("corruption", "raft log: bad record for entry " + std::to_string(i) +
                                               " in " + seg.path);
      }
      at += length;
      bytes += consensus::entry_bytes(*e);
      if (!out.empty() && bytes > max_bytes) return out;
      out.push_back(std::move(*e));
    }
  }
  return out;
}

Status SegmentLog::start_segment(Index first, std::vector<Segment>& into) {
  SUANLI_ASSERT(!tail_);
  const uint64_t seq = next_seq_++;
  const std::string path = dir_ + "/" + segment_name(generation_, seq, first);
  rocksdb::FileOptions fo;
  fo.use_mmap_writes = false;  // plain write() and fdatasync()
  fo.allow_fallocate = false;  // the file's length is where its records end
  if (auto s = fs_->NewWritableFile(path, fo, &tail_, nullptr); !s.ok()) {
    tail_.reset();
    return io(s, "create raft log segment " + path);
  }
  tail_path_ = path;
  into.push_back(Segment{seq, first, path, 0});
  dir_dirty_ = true;
  return Status::ok();
}

Status SegmentLog::append(std::span<const Entry> entries) {
  if (entries.empty()) return Status::ok();
  const Index first = entries.front().index;
  SUANLI_ASSERT_MSG(first >= base_ && first <= base_ + locs_.size(), "append leaves a gap");
  const bool conflict = first < base_ + locs_.size();
  // A conflicting suffix goes to a new segment, which supersedes it.
  if (conflict) close_tail();
  std::vector<Segment> created;  // segments this append creates
  // The segment being written, and its size.
  auto current = [&]() -> Segment& { return created.empty() ? segments_.back() : created.back(); };
  uint64_t size = tail_ ? segments_.back().size : 0;
  std::vector<Loc> added;
  added.reserve(entries.size());
  const rocksdb::IOOptions o;
  std::string buf;
  auto fail = [&](Status s) {
    // What reached the files is superseded by the next append's new segment.
    close_tail();
    for (const Segment& seg : created) (void)fs_->DeleteFile(seg.path, o, nullptr);
    return s;
  };
  auto write = [&]() -> Status {
    if (buf.empty()) return Status::ok();
    if (auto s = tail_->Append(buf, o, nullptr); !s.ok()) {
      return io(s, "write raft log segment " + tail_path_);
    }
    size += buf.size();
    buf.clear();
    return Status::ok();
  };
  if (!tail_) {
    if (Status s = start_segment(first, created); !s) return fail(s);
  }
  for (size_t k = 0; k < entries.size(); ++k) {
    const Entry& e = entries[k];
    SUANLI_ASSERT(e.index == first + k);
    if (size + buf.size() >= options_.segment_bytes && current().first < e.index) {
      // Roll over: this segment is complete and synced before the next begins.
      if (Status s = write(); !s) return fail(s);
      if (auto s = tail_->Sync(o, nullptr); !s.ok()) return fail(io(s, "sync " + tail_path_));
      current().size = size;  // synced: what the file holds, whatever follows
      close_tail();
      if (Status s = start_segment(e.index, created); !s) return fail(s);
      size = 0;
    }
    const size_t at = buf.size();
    append_record(buf, e);
    added.push_back(Loc{size + at, static_cast<uint32_t>(buf.size() - at), e.term});
  }
  if (Status s = write(); !s) return fail(s);
  if (auto s = tail_->Sync(o, nullptr); !s.ok()) return fail(io(s, "sync " + tail_path_));
  if (dir_dirty_) {
    if (auto s = dir_handle_->Fsync(o, nullptr); !s.ok()) {
      return fail(io(s, "sync raft log directory"));
    }
    dir_dirty_ = false;
  }
  // Durable: now the log is what was written.
  current().size = size;
  if (!created.empty()) {
    // Earlier segments holding nothing before `first` are superseded whole
    // (a conflict, or an empty segment a reopened log ended with).
    while (!segments_.empty() && segments_.back().first >= first) {
      dead_.push_back(std::move(segments_.back()));
      segments_.pop_back();
    }
    for (Segment& seg : created) segments_.push_back(std::move(seg));
  }
  locs_.resize(first - base_);
  locs_.insert(locs_.end(), added.begin(), added.end());
  if (!dead_.empty()) delete_dead_segments();
  return Status::ok();
}

Status SegmentLog::drop_through(Index index) {
  SUANLI_ASSERT(index + 1 >= base_);
  while (!locs_.empty() && base_ <= index) {
    locs_.pop_front();
    ++base_;
  }
  if (locs_.empty()) base_ = std::max(base_, index + 1);
  after_ = index;
  delete_dead_segments();
  return dead_.empty() ? Status::ok()
                       : Status::error("io_error", "raft log: some compacted segments remain");
}

void SegmentLog::reset(uint64_t generation, Index after) {
  close_tail();
  readers_.clear();
  for (Segment& seg : segments_) dead_.push_back(std::move(seg));
  segments_.clear();
  delete_dead_files();
  dead_.clear();  // failures are harmless: an open deletes other generations
  locs_.clear();
  generation_ = generation;
  after_ = after;
  base_ = after + 1;
}

}  // namespace suanli::node
