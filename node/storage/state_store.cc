#include "node/storage/state_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <exception>
#include <vector>

#include "common/bytes.h"
#include "node/storage/rocks.h"
#include "node/storage/space_probe.h"

namespace suanli::node {
namespace {

struct CfName {
  char prefix;
  const char* name;
};

// In prefix byte order, so that a scan across families visits keys in order.
constexpr std::array<CfName, 4> kCfNames = {{
    {ledger::kCfBlocks, "blocks"},
    {ledger::kCfMeta, "meta"},
    {ledger::kCfState, "state"},
    {ledger::kCfTxIndex, "txindex"},
}};
static_assert(ledger::kCfBlocks < ledger::kCfMeta && ledger::kCfMeta < ledger::kCfState &&
              ledger::kCfState < ledger::kCfTxIndex);

int cf_index(char prefix) {
  for (size_t i = 0; i < kCfNames.size(); ++i) {
    if (kCfNames[i].prefix == prefix) return static_cast<int>(i);
  }
  return -1;
}

[[noreturn]] void read_failed(const rocksdb::Status& s, const char* what) {
  std::string message = std::string(what) + ": " + s.ToString();
  assert_fail("state store read", __FILE__, __LINE__, message.c_str());
}

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Releases a snapshot however the scan ends (the visitor may throw).
class SnapshotGuard {
 public:
  explicit SnapshotGuard(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ~SnapshotGuard() { db_->ReleaseSnapshot(snapshot_); }
  SnapshotGuard(const SnapshotGuard&) = delete;
  SnapshotGuard& operator=(const SnapshotGuard&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

// Memtable inserts are the largest cost of a block's commit after the
// ledger itself: each searches a skip list of ~100,000 entries, a cache miss
// per level. Most writes land next to an earlier one of the same prefix: a
// participant's record is rewritten by every block it appears in, and a
// participant's transaction-index keys grow with height. RocksDB keeps the
// last insert position per prefix and starts the next insert there. Keys
// written once at random places (transaction records) take no hint: a hint
// costs ~250 bytes of memtable for each prefix.
class InsertHintPrefix : public rocksdb::SliceTransform {
 public:
  // Keys of family `kind` (the first byte, within the column family) that
  // are at least `length` bytes long share a hint by their first `length`.
  InsertHintPrefix(char kind, size_t length) : kind_(kind), length_(length) {}
  const char* Name() const override { return "suanli.InsertHintPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), length_);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= length_ && key[0] == kind_;
  }

 private:
  char kind_;
  size_t length_;
};

// Most reads are point lookups, and many miss (the de-duplication check of
// every new transaction): Bloom filters in the memtable and in every table
// answer those without a search; one block cache serves all families.
rocksdb::ColumnFamilyOptions family_options(char prefix, const std::string& path) {
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(256 << 20);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  table.whole_key_filtering = true;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  cf.memtable_whole_key_filtering = true;
  // The key within the family: 'p' and a public key is a participant; 'a',
  // a public key, height and position is one of a participant's transactions.
  if (prefix == ledger::kCfState) {
    cf.memtable_insert_with_hint_prefix_extractor =
        std::make_shared<InsertHintPrefix>('p', 1 + sizeof(PubKey));
  } else if (prefix == ledger::kCfTxIndex) {
    cf.memtable_insert_with_hint_prefix_extractor =
        std::make_shared<InsertHintPrefix>('a', 1 + sizeof(PubKey));
  }
  tune_family(cf);
  cf.write_buffer_size = memtable_bytes_for(path);
  return cf;
}

// The families whose point reads are cached: small values read again and
// again. Transaction records and blocks are read once, if ever.
bool cached_family(char prefix) { return prefix == ledger::kCfState || prefix == ledger::kCfMeta; }

}  // namespace

ReadCache::Shard& ReadCache::shard(std::string_view key) {
  // The high bits: the unordered_map in the shard buckets by the low ones.
  return shards_[(KeyHash{}(key) >> 56) % kShards];
}

std::optional<std::optional<std::string>> ReadCache::find(std::string_view key,
                                                          uint64_t* generation) {
  Shard& s = shard(key);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(key);
  if (it == s.entries.end()) {
    *generation = s.generation;
    return std::nullopt;
  }
  ++s.hits;
  return it->second;
}

void ReadCache::fill(std::string_view key, const std::optional<std::string>& value,
                     uint64_t generation) {
  Shard& s = shard(key);
  std::lock_guard lock(s.mu);
  if (s.generation != generation) return;  // a commit came in between
  // Full: start the shard again; hot keys come back at their next read.
  if (s.entries.size() >= kEntriesPerShardMax) s.entries.clear();
  s.entries.emplace(std::string(key), value);
}

void ReadCache::written(std::string_view key, const std::optional<std::string>& value) {
  Shard& s = shard(key);
  std::lock_guard lock(s.mu);
  ++s.generation;
  auto it = s.entries.find(key);
  if (it != s.entries.end()) it->second = value;
}

void ReadCache::clear() {
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    ++s.generation;
    s.entries.clear();
  }
}

size_t ReadCache::size() const {
  return sum([](const Shard& s) { return s.entries.size(); });
}

uint64_t ReadCache::hits() const {
  return sum([](const Shard& s) { return s.hits; });
}

struct StateStore::Impl {
  std::string path;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // default, then kCfNames order
  bool read_only = false;  // after a reopen for writing failed

  rocksdb::ColumnFamilyHandle* cf(int index) const {
    return handles[static_cast<size_t>(index) + 1];
  }

  ~Impl() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      // Failure only leaks the handle; the database still closes.
      (void)db->DestroyColumnFamilyHandle(h);
    }
    (void)db->Close();
    delete db;
  }
};

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateStore::~StateStore() = default;

std::string StateStore::path() const {
  std::shared_lock lock(mu_);
  return impl_->path;
}

Result<std::unique_ptr<StateStore>> StateStore::open(const std::string& path,
                                                     rocksdb::Env* env) {
  auto impl = open_impl(path, env, false);
  if (!impl) return impl.status();
  std::unique_ptr<StateStore> store(new StateStore(std::move(*impl)));
  store->env_ = env;
  return store;
}

Result<std::unique_ptr<StateStore::Impl>> StateStore::open_impl(const std::string& path,
                                                                rocksdb::Env* env,
                                                                bool read_only) {
  try {
    rocksdb::DBOptions options;
    if (env != nullptr) options.env = env;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    options.max_background_jobs = 2;
    tune_background(options);
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
    for (const CfName& cf : kCfNames)
      families.emplace_back(cf.name, family_options(cf.prefix, path));
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    rocksdb::Status s =
        read_only
            ? rocksdb::DB::OpenForReadOnly(options, path, families, &impl->handles, &impl->db)
            : rocksdb::DB::Open(options, path, families, &impl->handles, &impl->db);
    if (!s.ok()) {
      impl->db = nullptr;  // nothing to close
      return from_rocksdb(s, "open state database " + path);
    }
    SUANLI_ASSERT(impl->handles.size() == families.size());
    impl->read_only = read_only;
    return impl;
  } catch (const std::exception& e) {
    return Status::error("storage_error", "open state database " + path + ": " + e.what());
  }
}

std::optional<std::string> StateStore::get(std::string_view key) const {
  if (key.empty()) return std::nullopt;
  int index = cf_index(key[0]);
  if (index < 0) return std::nullopt;  // no family, so no such key
  std::shared_lock lock(mu_);  // held until the cache is filled: switch_to() empties it
  const bool cached = cached_family(key[0]);
  uint64_t generation = 0;
  if (cached) {
    if (auto hit = cache_.find(key, &generation)) return std::move(*hit);
  }
  std::optional<std::string> value(std::in_place);
  rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(index), slice(key.substr(1)), &*value);
  if (s.IsNotFound()) {
    value.reset();
  } else if (!s.ok()) {
    read_failed(s, "get");
  }
  if (cached) {
    if (before_fill_) before_fill_();
    cache_.fill(key, value, generation);
  }
  return value;
}

void StateStore::scan(
    std::string_view start, std::string_view end,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  if (!(start < end)) return;
  std::shared_lock lock(mu_);
  SnapshotGuard snapshot(impl_->db);
  std::string key;
  for (size_t i = 0; i < kCfNames.size(); ++i) {
    const char prefix = kCfNames[i].prefix;
    const auto p = static_cast<unsigned char>(prefix);
    // This family holds the keys in [prefix, prefix + 1); clip [start, end) to it.
    std::string_view lower;
    if (!start.empty() && static_cast<unsigned char>(start[0]) > p) continue;
    if (!start.empty() && start[0] == prefix) lower = start.substr(1);
    if (static_cast<unsigned char>(end[0]) < p) break;
    const bool bounded = end[0] == prefix;
    if (bounded && end.size() == 1) break;  // [.., prefix): nothing of this family
    const rocksdb::Slice upper = slice(bounded ? end.substr(1) : std::string_view());
    rocksdb::ReadOptions options;
    options.snapshot = snapshot.get();
    if (bounded) options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(options, impl_->cf(static_cast<int>(i))));
    for (it->Seek(slice(lower)); it->Valid(); it->Next()) {
      key.assign(1, prefix);
      key.append(it->key().data(), it->key().size());
      if (!visit(key, std::string_view(it->value().data(), it->value().size()))) return;
    }
    if (!it->status().ok()) read_failed(it->status(), "scan");
  }
}

Status StateStore::commit(const ledger::WriteSet& writes, Sync sync) {
  if (writes.empty()) return Status::ok();
  std::shared_lock lock(mu_);
  try {
    // Sized up front: the batch would otherwise grow (and copy itself) many
    // times for a block of thousands of writes. 16 bytes cover each record's
    // tag, family and two lengths.
    size_t bytes = 64;
    for (const auto& [key, value] : writes) bytes += 16 + key.size() + (value ? value->size() : 0);
    rocksdb::WriteBatch batch(bytes);
    for (const auto& [key, value] : writes) {
      int index = key.empty() ? -1 : cf_index(key[0]);
      if (index < 0) {
        return Status::error("invalid_argument",
                             "commit: key " + to_hex(key) + " names no column family");
      }
      rocksdb::Slice k = slice(std::string_view(key).substr(1));
      rocksdb::Status s =
          value ? batch.Put(impl_->cf(index), k, slice(*value)) : batch.Delete(impl_->cf(index), k);
      if (!s.ok()) return from_rocksdb(s, "commit: batch");
    }
    rocksdb::WriteOptions options;
    options.sync = sync == Sync::kYes;
    rocksdb::Status s = impl_->db->Write(options, &batch);
    if (!s.ok()) return from_rocksdb(s, "commit " + impl_->path);
    for (const auto& [key, value] : writes) {
      if (cached_family(key[0])) cache_.written(key, value);
    }
    return Status::ok();
  } catch (const std::exception& e) {
    return Status::error("storage_error", "commit " + impl_->path + ": " + e.what());
  }
}

Status StateStore::switch_to(const std::string& path) {
  auto next = open_impl(path, env_, false);
  if (!next) return next.status();
  std::unique_ptr<Impl> old;
  {
    std::unique_lock lock(mu_);
    old = std::exchange(impl_, std::move(*next));
    cache_.clear();
  }
  return Status::ok();  // `old` closes here, outside the lock
}

Status StateStore::resume() {
  // After a refused write the database is reopened, never resumed in place:
  // RocksDB's Resume() may clear the error yet keep a WAL writer that failed
  // (when the memtable is empty), and the next write then aborts on an
  // assertion in Debian's build. Readers wait meanwhile.
  std::unique_lock lock(mu_);
  cache_.clear();
  const std::string path = impl_->path;
  if (Status p = probe_write(env_, path); !p) return p;
  impl_.reset();
  auto next = open_impl(path, env_, false);
  if (next) {
    impl_ = std::move(*next);
    return Status::ok();
  }
  // Reads go on from a read-only view; writes fail until a reopen works.
  auto view = open_impl(path, env_, true);
  if (!view) {
    const std::string why = view.status().to_string();
    assert_fail("state store reopen", __FILE__, __LINE__, why.c_str());
  }
  impl_ = std::move(*view);
  return next.status();
}

Status StateStore::checkpoint(const std::string& dir) {
  std::shared_lock lock(mu_);
  try {
    rocksdb::Checkpoint* raw = nullptr;
    rocksdb::Status s = rocksdb::Checkpoint::Create(impl_->db, &raw);
    if (!s.ok()) return from_rocksdb(s, "checkpoint " + dir);
    std::unique_ptr<rocksdb::Checkpoint> cp(raw);
    s = cp->CreateCheckpoint(dir);
    if (!s.ok()) return from_rocksdb(s, "checkpoint " + dir);
    return Status::ok();
  } catch (const std::exception& e) {
    return Status::error("storage_error", "checkpoint " + dir + ": " + e.what());
  }
}

Status StateStore::flush_async() {
  std::shared_lock lock(mu_);
  try {
    if (impl_->read_only) return Status::ok();
    rocksdb::FlushOptions options;
    options.wait = false;
    options.allow_write_stall = true;
    rocksdb::Status s = impl_->db->Flush(options, impl_->handles);
    if (!s.ok()) return from_rocksdb(s, "flush");
    return Status::ok();
  } catch (const std::exception& e) {
    return Status::error("storage_error", std::string("flush: ") + e.what());
  }
}

}  // namespace suanli::node
