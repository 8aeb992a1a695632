// Snapshots: a consistent dump of the state database (every column family),
// taken on the apply thread right after a block commit, handed to Raft to
// send to followers whose log was compacted, and installed atomically.
//
// The dump is held in memory whole (Raft's Snapshot carries its data as
// bytes, sent in chunks): fine for state databases of a few hundred MiB;
// streaming from a RocksDB checkpoint is the path for larger ones.
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "ledger/encoding.h"
#include "ledger/store.h"
#include "node/meta.h"
#include "node/node_impl.h"

namespace suanli::node {
namespace {
constexpr uint8_t kSnapshotVersion = 1;

std::string dump_state(const ledger::KvRead& kv, uint64_t* count) {
  ledger::Writer w;
  w.u8(kSnapshotVersion);
  ledger::Writer items;
  *count = 0;
  kv.scan(std::string(1, '\0'), std::string(1, '\xff'), [&](std::string_view k, std::string_view v) {
    items.str(k);
    items.str(v);
    ++*count;
    return true;
  });
  w.u64(*count);
  return w.take() + items.take();
}

bool parse_dump(std::string_view data, std::vector<std::pair<std::string, std::string>>& out) {
  ledger::Reader r(data);
  uint8_t version = 0;
  uint64_t count = 0;
  if (!r.u8(version) || version != kSnapshotVersion || !r.u64(count)) return false;
  if (count > data.size() / 8) return false;  // each item costs at least 8 bytes
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string k, v;
    if (!r.str(k) || !r.str(v)) return false;
    out.emplace_back(std::move(k), std::move(v));
  }
  return r.done();
}
}  // namespace

void NodeImpl::maybe_snapshot(bool force) {
  uint64_t index = applied_index_.load();
  if (index == 0 || index <= last_snapshot_index_) return;
  if (!force && index - last_snapshot_index_ < opts_.snapshot_interval_entries) return;
  uint64_t count = 0;
  std::string data = dump_state(*state_, &count);
  last_snapshot_index_ = index;
  spdlog::info("snapshot at raft index {} (height {}): {} keys, {} bytes", index,
               applied_height_.load(), count, data.size());
  boost::asio::post(io_, [this, index, data = std::move(data)]() mutable {
    store_snapshot(index, std::move(data));
  });
}

void NodeImpl::store_snapshot(uint64_t index, std::string data) {
  // The snapshot carries the membership as the core has it now; that is
  // only right if no membership change was applied after `index`.
  if (last_conf_change_index_ > index) {
    spdlog::info("snapshot at {} skipped: a membership change follows it", index);
    return;
  }
  if (index < raft_storage_->first_index() || index > raft_storage_->last_index()) return;
  Status s = raft_storage_->create_snapshot(index, core_->conf_state(), data);
  if (!s) {
    spdlog::warn("snapshot at {} not stored: {}", index, s.to_string());
    return;
  }
  uint64_t keep = opts_.snapshot_keep_entries;
  if (index > keep && index - keep > raft_storage_->first_index()) {
    s = raft_storage_->compact(index - keep);
    if (!s) spdlog::warn("log compaction to {} failed: {}", index - keep, s.to_string());
  }
}

void NodeImpl::install_snapshot(const consensus::Snapshot& snap) {
  std::vector<std::pair<std::string, std::string>> items;
  if (!parse_dump(snap.data, items)) {
    // Every node produces dumps the same way: a bad one is a bug or corruption.
    spdlog::critical("snapshot at {} is malformed", snap.meta.index);
    std::abort();
  }
  Status s = state_->replace_all(items);
  if (!s) {
    spdlog::critical("cannot install the snapshot at {}: {}", snap.meta.index, s.to_string());
    std::abort();
  }
  meta::Applied applied = meta::load_applied(*state_);
  {
    std::lock_guard lock(applied_mu_);
    applied_tip_ = applied.tip;
    applied_state_hash_ = applied.state_hash;
  }
  applied_index_ = applied.index;
  applied_height_ = applied.tip.height;
  last_snapshot_index_ = applied.index;
  spdlog::info("installed snapshot at raft index {}: height {}, state hash {}", snap.meta.index,
               applied.tip.height, to_hex(applied.state_hash));
  // Transactions now committed through the snapshot: wake their waiters.
  std::vector<Hash32> committed;
  {
    std::lock_guard lock(waiters_mu_);
    for (const auto& [hash, w] : tx_waiters_) {
      if (state_->get(ledger::keys::tx_record(hash))) committed.push_back(hash);
    }
  }
  notify_applied(applied.tip.height, committed);
  boost::asio::post(io_, [this] { refresh_peers(); });
}

}  // namespace suanli::node
