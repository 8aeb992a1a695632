// Storage write failures (a full disk, a failing device): what the node
// reports while RocksDB refuses its writes, and the return to normal.
//
// A refused write changes nothing, so nothing is lost: the I/O thread keeps
// the Raft Ready it could not write and retries it (raft_loop.cc), the apply
// thread retries the block commit (applier.cc), both once a second after
// RocksDB's Resume(). Meanwhile tx_submit is refused, /healthz answers 503
// and the metric suanli_storage_write_failing is 1; reads go on.
#include <spdlog/spdlog.h>

#include "node/node_impl.h"

namespace suanli::node {
namespace {
// While the disk stays full, every retry fails: log one in this many.
constexpr uint64_t kRepeatLogEvery = 10;

const char* db_name(bool raft) { return raft ? "raft log" : "state database"; }
}  // namespace

void NodeImpl::storage_failed(Db db, const Status& s) {
  const bool raft = db == Db::kRaft;
  std::atomic<bool>& flag = raft ? raft_write_failing_ : state_write_failing_;
  const bool first = !flag.exchange(true);
  const uint64_t n = ++storage_write_errors_;
  {
    std::lock_guard lock(storage_mu_);
    storage_error_ = s.to_string();
  }
  if (first) {
    spdlog::error("STORAGE WRITE FAILED on node {} ({}): {}. {} This node accepts no "
                  "transactions and {} until the write succeeds; it retries every {} ms. Reads "
                  "still work.",
                  node_id_, db_name(raft), s.to_string(),
                  s.code() == "no_space" ? "The disk is full: free space." : "Check the disk.",
                  raft ? "takes no part in Raft" : "applies no blocks", kStorageRetryMs);
  } else if (n % kRepeatLogEvery == 0) {
    spdlog::warn("storage writes still failing on node {} ({}): {}", node_id_, db_name(raft),
                 s.to_string());
  }
}

void NodeImpl::storage_recovered(Db db) {
  const bool raft = db == Db::kRaft;
  std::atomic<bool>& flag = raft ? raft_write_failing_ : state_write_failing_;
  if (!flag.exchange(false)) return;
  spdlog::warn("storage writes succeed again on node {} ({}): resuming", node_id_, db_name(raft));
}

std::string NodeImpl::storage_error() const {
  if (!storage_failing()) return "";
  std::lock_guard lock(storage_mu_);
  return storage_error_;
}

}  // namespace suanli::node
