#include "node/storage/raft_storage.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "common/bytes.h"
#include "consensus/codec.h"
#include "consensus/memory_storage.h"
#include "node/storage/rocks.h"
#include "node/storage/segment_log.h"
#include "node/storage/space_probe.h"

namespace suanli::node {
namespace {

using consensus::Entry;
using consensus::Index;
using consensus::Term;

constexpr char kKeyHardState[] = "h";
constexpr char kKeyCompact[] = "c";
constexpr char kKeySnapMeta[] = "m";
constexpr char kKeySnapData[] = "d";
constexpr char kKeyGeneration[] = "g";
// Entries are no longer kept in the database; a database of an earlier
// version may hold some, and open() moves them to the segment log.
constexpr char kEntryPrefix = 'e';
constexpr uint64_t kMigrateChunkBytes = 64u << 20;

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

[[noreturn]] void read_failed(const std::string& what) {
  assert_fail("raft storage read", __FILE__, __LINE__, what.c_str());
}

rocksdb::WriteOptions synced(bool sync = true) {
  rocksdb::WriteOptions w;
  w.sync = sync;  // the core sends messages that depend on this write
  return w;
}

}  // namespace

struct RaftStorage::Impl {
  std::string path;
  rocksdb::Options options;
  rocksdb::DB* db = nullptr;
  bool read_only = false;     // after a reopen for writing failed
  bool write_failed = false;  // a write was refused: resume() reopens
  SegmentLog::Options log_options;
  std::unique_ptr<SegmentLog> log;
  ~Impl() { close(); }
  void close() {
    if (db == nullptr) return;
    (void)db->Close();
    delete db;
    db = nullptr;
  }
  rocksdb::Status write(const rocksdb::WriteOptions& wo, rocksdb::WriteBatch& batch) {
    if (read_only || db == nullptr)
      return rocksdb::Status::NotSupported("raft database is read-only");
    rocksdb::Status s = db->Write(wo, &batch);
    if (!s.ok()) write_failed = true;
    return s;
  }
  std::optional<std::string> get(const std::string& key) const {
    std::string value;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), slice(key), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) read_failed("get: " + s.ToString());
    return value;
  }
};

RaftStorage::RaftStorage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RaftStorage::~RaftStorage() = default;

Result<std::unique_ptr<RaftStorage>> RaftStorage::open(const std::string& path, rocksdb::Env* env,
                                                       uint64_t segment_bytes) {
  try {
    rocksdb::Options options;
    options.create_if_missing = true;
    if (env != nullptr) options.env = env;
    tune_background(options);
    tune_family(options);
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->options = options;
    rocksdb::Status s = rocksdb::DB::Open(options, path, &impl->db);
    if (!s.ok()) {
      impl->db = nullptr;
      return from_rocksdb(s, "open raft database " + path);
    }
    if (segment_bytes != 0) impl->log_options.segment_bytes = segment_bytes;
    impl->log_options.background_delete = true;
    std::unique_ptr<RaftStorage> storage(new RaftStorage(std::move(impl)));
    Status loaded = storage->load();
    if (!loaded.is_ok()) return loaded;
    return storage;
  } catch (const std::exception& e) {
    return Status::error("storage_error", "open raft database " + path + ": " + e.what());
  }
}

Status RaftStorage::load() {
  hard_state_ = {};
  snapshot_meta_ = {};
  compact_index_ = 0;
  compact_term_ = 0;
  if (auto v = impl_->get(kKeyHardState)) {
    Result<consensus::HardState> hs = consensus::decode_hard_state(*v);
    if (!hs.is_ok()) return Status::error("corruption", "hard state: " + hs.status().message());
    hard_state_ = *hs;
  }
  if (auto v = impl_->get(kKeySnapMeta)) {
    Result<consensus::SnapshotMeta> meta = consensus::decode_snapshot_meta(*v);
    if (!meta.is_ok()) return Status::error("corruption", "snapshot meta");
    snapshot_meta_ = *meta;
  }
  if (auto v = impl_->get(kKeyCompact)) {
    if (v->size() != 16) return Status::error("corruption", "compaction point");
    compact_index_ = get_u64_be(std::string_view(*v).substr(0, 8));
    compact_term_ = get_u64_be(std::string_view(*v).substr(8, 8));
  }
  uint64_t generation = 0;
  if (auto v = impl_->get(kKeyGeneration)) {
    if (v->size() != 8) return Status::error("corruption", "log generation");
    generation = get_u64_be(*v);
  }
  impl_->log.reset();  // closes its files before they are read again
  Result<std::unique_ptr<SegmentLog>> log =
      SegmentLog::open(impl_->options.env->GetFileSystem(), impl_->path + "/log", generation,
                       compact_index_, impl_->log_options);
  if (!log.is_ok()) return log.status();
  impl_->log = std::move(*log);
  if (Status s = migrate_entries(); !s) return s;
  last_index_ = std::max(compact_index_, impl_->log->last_index());
  if (hard_state_.commit > last_index_) return Status::error("corruption", "commit beyond log");
  return Status::ok();
}

Status RaftStorage::migrate_entries() {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions()));
  it->Seek(slice(std::string(1, kEntryPrefix)));
  uint64_t moved = 0;
  std::vector<Entry> chunk;
  uint64_t chunk_bytes = 0;
  auto flush = [&]() -> Status {
    if (chunk.empty()) return Status::ok();
    Status s = impl_->log->append(chunk);
    if (!s) return s;
    moved += chunk.size();
    chunk.clear();
    chunk_bytes = 0;
    return Status::ok();
  };
  for (; it->Valid() && !it->key().empty() && it->key()[0] == kEntryPrefix; it->Next()) {
    const std::string_view value(it->value().data(), it->value().size());
    Result<Entry> e = consensus::decode_entry(value);
    if (!e.is_ok() || it->key().size() != 9 ||
        get_u64_be(std::string_view(it->key().data() + 1, 8)) != e->index) {
      return Status::error("corruption", "raft database: bad log entry");
    }
    if (e->index <= compact_index_) continue;
    const Index next = chunk.empty() ? impl_->log->last_index() + 1 : chunk.back().index + 1;
    if (e->index > next) return Status::error("corruption", "raft database: gap in the log");
    chunk_bytes += consensus::entry_bytes(*e);
    chunk.push_back(std::move(*e));
    if (chunk_bytes >= kMigrateChunkBytes) {
      if (Status s = flush(); !s) return s;
    }
  }
  if (!it->status().ok()) return from_rocksdb(it->status(), "scan raft database");
  if (Status s = flush(); !s) return s;
  it.reset();
  if (moved == 0) return Status::ok();
  // The segments are synced; only now may the database's copies go.
  rocksdb::WriteBatch batch;
  batch.DeleteRange(slice(std::string(1, kEntryPrefix)),
                    slice(std::string(1, static_cast<char>(kEntryPrefix + 1))));
  rocksdb::Status s = impl_->write(synced(), batch);
  if (!s.ok()) return from_rocksdb(s, "remove moved log entries");
  spdlog::info("raft log: moved {} entries from the raft database into segment files", moved);
  return Status::ok();
}

Result<std::vector<Entry>> RaftStorage::entries(Index lo, Index hi, uint64_t max_bytes) const {
  if (lo <= compact_index_) return Status::error(consensus::kErrCompacted, "entries compacted");
  SUANLI_ASSERT(lo <= hi);
  SUANLI_ASSERT_MSG(hi <= last_index_ + 1, "entries out of bound");
  if (lo == hi) return std::vector<Entry>{};
  Result<std::vector<Entry>> out = impl_->log->read(lo, hi, max_bytes);
  if (!out.is_ok()) read_failed(out.status().to_string());
  return out;
}

Result<Term> RaftStorage::term(Index i) const {
  if (i == compact_index_) return compact_term_;
  if (i < compact_index_) return Status::error(consensus::kErrCompacted, "term compacted");
  if (i > last_index_) return Status::error(consensus::kErrUnavailable, "term unavailable");
  return impl_->log->term(i);
}

size_t RaftStorage::log_segments() const { return impl_->log->segment_count(); }
uint64_t RaftStorage::log_bytes() const { return impl_->log->bytes(); }

Result<consensus::Snapshot> RaftStorage::snapshot() const {
  consensus::Snapshot snap;
  snap.meta = snapshot_meta_;
  if (auto d = impl_->get(kKeySnapData)) snap.data = std::move(*d);
  return snap;
}

Status RaftStorage::save(const consensus::HardState* hs, const std::vector<Entry>& entries,
                         bool sync) {
  size_t skip = 0;
  while (skip < entries.size() && entries[skip].index <= compact_index_) ++skip;
  const bool appending = skip < entries.size();
  if (appending) {
    SUANLI_ASSERT_MSG(entries[skip].index <= last_index_ + 1, "append leaves a gap in the log");
  }
  auto write_hs = [&](const consensus::HardState& state, bool with_sync) -> Status {
    rocksdb::WriteBatch batch;
    batch.Put(kKeyHardState, slice(consensus::encode_hard_state(state)));
    rocksdb::Status s = impl_->write(synced(with_sync), batch);
    if (!s.ok()) return from_rocksdb(s, "save raft hard state");
    hard_state_ = state;
    return Status::ok();
  };
  // A new term or vote is durable before any entry of this save: entries of a
  // term must never outlive the vote cast in it. Its commit index stops at
  // the entries already durable; the rest follows the entries.
  bool hs_done = hs == nullptr;
  if (hs != nullptr && (hs->term != hard_state_.term || hs->vote != hard_state_.vote)) {
    consensus::HardState first = *hs;
    const Index durable = appending ? std::min(last_index_, entries[skip].index - 1) : last_index_;
    first.commit = std::min(hs->commit, std::max(durable, hard_state_.commit));
    if (Status s = write_hs(first, sync); !s) return s;
    hs_done = first.commit == hs->commit;
  }
  if (appending) {
    if (Status s = impl_->log->append(std::span(entries).subspan(skip)); !s) return s;
    last_index_ = entries.back().index;
  }
  // A commit index alone needs no sync (consensus::must_sync): it is written
  // after the entries it covers are durable, so it never runs ahead of them.
  if (!hs_done) return write_hs(*hs, sync && !appending);
  return Status::ok();
}

Status RaftStorage::apply_snapshot(const consensus::Snapshot& snap) {
  if (snap.meta.index <= snapshot_meta_.index) {
    return Status::error(consensus::kErrSnapshotOutOfDate, "snapshot older than the stored one");
  }
  // The whole log is replaced: a new generation of segments starts, and the
  // old one's files stop counting the moment this write is durable.
  rocksdb::WriteBatch batch;
  std::string compact;
  put_u64_be(compact, snap.meta.index);
  put_u64_be(compact, snap.meta.term);
  batch.Put(kKeyCompact, slice(compact));
  batch.Put(kKeySnapMeta, slice(consensus::encode_snapshot_meta(snap.meta)));
  batch.Put(kKeySnapData, slice(snap.data));
  const uint64_t generation = impl_->log->generation() + 1;
  std::string stored_generation;
  put_u64_be(stored_generation, generation);
  batch.Put(kKeyGeneration, slice(stored_generation));
  rocksdb::Status s = impl_->write(synced(), batch);
  if (!s.ok()) return from_rocksdb(s, "apply snapshot");
  impl_->log->reset(generation, snap.meta.index);
  snapshot_meta_ = snap.meta;
  compact_index_ = snap.meta.index;
  compact_term_ = snap.meta.term;
  last_index_ = snap.meta.index;
  return Status::ok();
}

Status RaftStorage::create_snapshot(Index index, const consensus::ConfState& conf_state,
                                    const Bytes& data) {
  if (index <= snapshot_meta_.index) {
    return Status::error(consensus::kErrSnapshotOutOfDate, "snapshot older than the stored one");
  }
  SUANLI_ASSERT(index <= last_index_);
  Result<Term> t = term(index);
  if (!t.is_ok()) return t.status();
  const consensus::SnapshotMeta meta{index, *t, conf_state};
  rocksdb::WriteBatch batch;
  batch.Put(kKeySnapMeta, slice(consensus::encode_snapshot_meta(meta)));
  batch.Put(kKeySnapData, slice(data));
  rocksdb::Status s = impl_->write(synced(), batch);
  if (!s.ok()) return from_rocksdb(s, "create snapshot");
  snapshot_meta_ = meta;
  return Status::ok();
}

Status RaftStorage::compact(Index index) {
  if (index <= compact_index_) return Status::error(consensus::kErrCompacted, "already compacted");
  SUANLI_ASSERT(index <= last_index_);
  Result<Term> t = term(index);
  if (!t.is_ok()) return t.status();
  rocksdb::WriteBatch batch;
  std::string compact;
  put_u64_be(compact, index);
  put_u64_be(compact, *t);
  batch.Put(kKeyCompact, slice(compact));
  rocksdb::Status s = impl_->write(synced(), batch);
  if (!s.ok()) return from_rocksdb(s, "compact raft log");
  compact_index_ = index;
  compact_term_ = *t;
  // Segments left behind by a failed delete are tried again at the next
  // compaction; entries up to the compaction point are never read again.
  if (Status d = impl_->log->drop_through(index); !d) {
    spdlog::warn("raft log: {}", d.to_string());
  }
  return Status::ok();
}

Status RaftStorage::resume() {
  // A refused segment append changes nothing: the next one starts afresh.
  if (!impl_->write_failed && !impl_->read_only) return Status::ok();
  // After a refused write RocksDB must be reopened: its Resume() may clear
  // the error yet keep a WAL writer that failed (when the memtable is
  // empty), and the next write then aborts on an assertion in Debian's
  // build. Reopening replays the WAL, which may hold a write that was refused
  // after its append (a failed sync), so the state is loaded again.
  if (Status p = probe_write(impl_->options.env, impl_->path); !p) return p;
  impl_->close();
  rocksdb::Status s = rocksdb::DB::Open(impl_->options, impl_->path, &impl_->db);
  if (!s.ok()) {
    const Status failed = from_rocksdb(s, "reopen raft database " + impl_->path);
    // Reads go on from a read-only view; writes fail until a reopen works.
    impl_->db = nullptr;
    s = rocksdb::DB::OpenForReadOnly(impl_->options, impl_->path, &impl_->db);
    if (!s.ok()) read_failed("reopen read-only: " + s.ToString());
    impl_->read_only = true;
    return failed;
  }
  impl_->read_only = false;
  impl_->write_failed = false;
  return load();
}

Status RaftStorage::bootstrap(const std::vector<consensus::NodeId>& voters) {
  SUANLI_ASSERT(last_index_ == 0);
  // Same log as MemoryStorage::bootstrap, so both start a cluster alike.
  consensus::MemoryStorage mem;
  mem.bootstrap(voters);
  Result<std::vector<Entry>> ents = mem.entries(1, mem.last_index() + 1, UINT64_MAX);
  SUANLI_ASSERT(ents.is_ok());
  const consensus::SnapshotMeta meta = mem.snapshot()->meta;
  rocksdb::WriteBatch batch;
  batch.Put(kKeySnapMeta, slice(consensus::encode_snapshot_meta(meta)));
  rocksdb::Status s = impl_->write(synced(), batch);
  if (!s.ok()) return from_rocksdb(s, "bootstrap");
  snapshot_meta_ = meta;
  const consensus::HardState hs = mem.hard_state();
  return save(&hs, *ents);
}

}  // namespace suanli::node
