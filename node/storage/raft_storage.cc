#include "node/storage/raft_storage.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <exception>

#include "common/bytes.h"
#include "consensus/codec.h"
#include "consensus/memory_storage.h"
#include "node/storage/rocks.h"
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

std::string entry_key(Index i) {
  std::string k = "e";
  put_u64_be(k, i);
  return k;
}

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
  bool read_only = false;  // after a reopen for writing failed
  ~Impl() { close(); }
  void close() {
    if (db == nullptr) return;
    (void)db->Close();
    delete db;
    db = nullptr;
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

Result<std::unique_ptr<RaftStorage>> RaftStorage::open(const std::string& path,
                                                       rocksdb::Env* env) {
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
    std::unique_ptr<RaftStorage> storage(new RaftStorage(std::move(impl)));
    Status loaded = storage->load();
    if (!loaded.is_ok()) return loaded;
    return storage;
  } catch (const std::exception& e) {
    return Status::error("storage_error", "open raft database " + path + ": " + e.what());
  }
}

Status RaftStorage::load() {
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
  last_index_ = compact_index_;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(slice(entry_key(UINT64_MAX)));
  if (it->Valid() && it->key().size() == 9 && it->key()[0] == 'e') {
    last_index_ = get_u64_be(std::string_view(it->key().data() + 1, 8));
  }
  if (!it->status().ok()) return from_rocksdb(it->status(), "scan raft log");
  if (last_index_ < compact_index_) return Status::error("corruption", "log below compaction");
  if (hard_state_.commit > last_index_) return Status::error("corruption", "commit beyond log");
  return Status::ok();
}

Result<std::vector<Entry>> RaftStorage::entries(Index lo, Index hi, uint64_t max_bytes) const {
  if (lo <= compact_index_) return Status::error(consensus::kErrCompacted, "entries compacted");
  SUANLI_ASSERT(lo <= hi);
  SUANLI_ASSERT_MSG(hi <= last_index_ + 1, "entries out of bound");
  std::vector<Entry> out;
  uint64_t bytes = 0;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions()));
  it->Seek(slice(entry_key(lo)));
  for (Index i = lo; i < hi; ++i, it->Next()) {
    if (!it->Valid() || it->key() != slice(entry_key(i))) read_failed("missing log entry");
    const std::string_view value(it->value().data(), it->value().size());
    Result<Entry> e = consensus::decode_entry(value);
    if (!e.is_ok() || e->index != i) read_failed("corrupt log entry");
    bytes += consensus::entry_bytes(*e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(std::move(*e));
  }
  if (!it->status().ok()) read_failed("scan: " + it->status().ToString());
  return out;
}

Result<Term> RaftStorage::term(Index i) const {
  if (i == compact_index_) return compact_term_;
  if (i < compact_index_) return Status::error(consensus::kErrCompacted, "term compacted");
  if (i > last_index_) return Status::error(consensus::kErrUnavailable, "term unavailable");
  std::optional<std::string> v = impl_->get(entry_key(i));
  if (!v) read_failed("missing log entry");
  Result<Entry> e = consensus::decode_entry(*v);
  if (!e.is_ok() || e->index != i) read_failed("corrupt log entry");
  return e->term;
}

Result<consensus::Snapshot> RaftStorage::snapshot() const {
  consensus::Snapshot snap;
  snap.meta = snapshot_meta_;
  if (auto d = impl_->get(kKeySnapData)) snap.data = std::move(*d);
  return snap;
}

Status RaftStorage::save(const consensus::HardState* hs, const std::vector<Entry>& entries,
                         bool sync) {
  rocksdb::WriteBatch batch;
  Index new_last = last_index_;
  size_t skip = 0;
  while (skip < entries.size() && entries[skip].index <= compact_index_) ++skip;
  if (skip < entries.size()) {
    const Index first = entries[skip].index;
    SUANLI_ASSERT_MSG(first <= last_index_ + 1, "append leaves a gap in the log");
    // A conflicting suffix is replaced: delete everything from first on.
    if (first <= last_index_) {
      batch.DeleteRange(slice(entry_key(first)), slice(entry_key(last_index_ + 1)));
    }
    for (size_t i = skip; i < entries.size(); ++i) {
      SUANLI_ASSERT(entries[i].index == first + (i - skip));
      batch.Put(slice(entry_key(entries[i].index)), slice(consensus::encode_entry(entries[i])));
    }
    new_last = entries.back().index;
  }
  if (hs != nullptr) batch.Put(kKeyHardState, slice(consensus::encode_hard_state(*hs)));
  rocksdb::Status s = impl_->db->Write(synced(sync), &batch);
  if (!s.ok()) return from_rocksdb(s, "save raft log");
  last_index_ = new_last;
  if (hs != nullptr) hard_state_ = *hs;
  return Status::ok();
}

Status RaftStorage::apply_snapshot(const consensus::Snapshot& snap) {
  if (snap.meta.index <= snapshot_meta_.index) {
    return Status::error(consensus::kErrSnapshotOutOfDate, "snapshot older than the stored one");
  }
  rocksdb::WriteBatch batch;
  batch.DeleteRange(slice(entry_key(0)), slice(entry_key(UINT64_MAX)));
  std::string compact;
  put_u64_be(compact, snap.meta.index);
  put_u64_be(compact, snap.meta.term);
  batch.Put(kKeyCompact, slice(compact));
  batch.Put(kKeySnapMeta, slice(consensus::encode_snapshot_meta(snap.meta)));
  batch.Put(kKeySnapData, slice(snap.data));
  rocksdb::Status s = impl_->db->Write(synced(), &batch);
  if (!s.ok()) return from_rocksdb(s, "apply snapshot");
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
  rocksdb::Status s = impl_->db->Write(synced(), &batch);
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
  batch.DeleteRange(slice(entry_key(0)), slice(entry_key(index + 1)));
  std::string compact;
  put_u64_be(compact, index);
  put_u64_be(compact, *t);
  batch.Put(kKeyCompact, slice(compact));
  rocksdb::Status s = impl_->db->Write(synced(), &batch);
  if (!s.ok()) return from_rocksdb(s, "compact raft log");
  compact_index_ = index;
  compact_term_ = *t;
  return Status::ok();
}

Status RaftStorage::resume() {
  rocksdb::Status s = impl_->read_only ? rocksdb::Status::NotSupported() : impl_->db->Resume();
  // Busy: RocksDB's own recovery (after "no space") is under way; the next
  // write tells whether it is done.
  if (s.ok() || s.IsBusy()) return Status::ok();
  // RocksDB retries by itself at once and turns the error fatal when the
  // disk is still full; only reopening clears that. Reopening replays the
  // WAL, which may hold a write that was refused after its append (a failed
  // sync), so the log is loaded again.
  if (Status p = probe_write(impl_->options.env, impl_->path); !p) return p;
  impl_->close();
  s = rocksdb::DB::Open(impl_->options, impl_->path, &impl_->db);
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
  rocksdb::Status s = impl_->db->Write(synced(), &batch);
  if (!s.ok()) return from_rocksdb(s, "bootstrap");
  snapshot_meta_ = meta;
  const consensus::HardState hs = mem.hard_state();
  return save(&hs, *ents);
}

}  // namespace suanli::node
