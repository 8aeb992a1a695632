// Snapshots: RocksDB checkpoints of the state database (hard links, taken on
// the apply thread right after a block commit), a small descriptor handed to
// Raft, and the chunked transfer of a checkpoint's files to a follower whose
// log was compacted (snapshot_transfer.h).
//
// Layout in the data directory:
//   snapshots/<index>/      checkpoints this node can serve (the newest two)
//   snapshot-incoming/      a checkpoint being received
//   state-<index>/          a received checkpoint, verified, ready to install
//   STATE                   names the live state directory ("state" if absent)
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "consensus/codec.h"
#include "ledger/store.h"
#include "node/backup.h"
#include "node/meta.h"
#include "node/node_impl.h"
#include "node/snapshot_schedule.h"

namespace suanli::node {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kFetchStallMs = 15000;
constexpr size_t kCheckpointsKept = 2;

std::vector<uint64_t> checkpoint_indexes(const std::string& dir) {
  std::vector<uint64_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    out.push_back(std::stoull(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string NodeImpl::snapshots_dir() const { return opts_.config.data_dir + "/snapshots"; }
std::string NodeImpl::checkpoint_dir(uint64_t index) const {
  return snapshots_dir() + "/" + std::to_string(index);
}
std::string NodeImpl::staging_dir() const { return opts_.config.data_dir + "/snapshot-incoming"; }
std::string NodeImpl::received_state_dir(uint64_t index) const {
  return opts_.config.data_dir + "/state-" + std::to_string(index);
}

std::string live_state_dir_of(const std::string& data_dir) {
  std::ifstream in(data_dir + "/STATE");
  std::string name;
  if (in && std::getline(in, name) && name.rfind("state", 0) == 0 &&
      name.find('/') == std::string::npos) {
    return data_dir + "/" + name;
  }
  return data_dir + "/state";
}

std::string NodeImpl::live_state_dir() const { return live_state_dir_of(opts_.config.data_dir); }

Status NodeImpl::set_live_state_dir(const std::string& path) {
  const std::string& dir = opts_.config.data_dir;
  const std::string tmp = dir + "/STATE.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << fs::path(path).filename().string() << "\n";
    out.flush();
    if (!out) return Status::error("io_error", "cannot write " + tmp);
  }
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return Status::error("io_error", "cannot sync " + tmp);
  }
  ::close(fd);
  std::error_code ec;
  fs::rename(tmp, dir + "/STATE", ec);
  if (ec) return Status::error("io_error", "cannot replace " + dir + "/STATE: " + ec.message());
  return sync_dir(dir);
}

// Apply thread: a checkpoint of the state at the applied index, then (on the
// I/O thread) the descriptor in the Raft storage and log compaction.
void NodeImpl::maybe_snapshot(bool force) {
  uint64_t index = applied_index_.load();
  std::error_code ec;
  if (force && index != 0 && index == last_snapshot_index_ &&
      !fs::exists(checkpoint_dir(index), ec)) {
    // The state is still the snapshot's: its lost checkpoint can be made again.
    if (Status s = make_checkpoint(index); !s) {
      spdlog::warn("checkpoint at raft index {} not made again: {}", index, s.to_string());
    }
    return;
  }
  if (index == 0 || index <= last_snapshot_index_) return;
  const uint64_t interval = opts_.snapshot_interval_entries;
  const uint64_t due =
      next_snapshot_index(last_snapshot_index_, interval, snapshot_phase(raft_id_, interval));
  if (!force && index < due) {
    // Flushing the memtables shortly before the checkpoint keeps the
    // checkpoint's own flush, which holds up applying, small.
    const uint64_t lead = std::max<uint64_t>(1, interval / 50);
    if (index + lead == due) {
      if (Status s = state_->flush_async(); !s) {
        spdlog::debug("flush before the snapshot not started: {}", s.to_string());
      }
    }
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  if (Status s = make_checkpoint(index); !s) {
    spdlog::warn("snapshot at raft index {} not taken: {}", index, s.to_string());
    return;
  }
  last_snapshot_index_ = index;
  SnapshotDescriptor d;
  {
    std::lock_guard lock(applied_mu_);
    d = SnapshotDescriptor{index, applied_tip_.height, applied_state_hash_};
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  spdlog::info("snapshot at raft index {} (height {}), checkpoint took {} ms", index, d.height,
               ms);
  boost::asio::post(io_, [this, index, data = encode_descriptor(d)]() mutable {
    store_snapshot(index, std::move(data));
  });
}

// Apply thread. The checkpoint appears under its final name only when complete.
Status NodeImpl::make_checkpoint(uint64_t index) {
  std::error_code ec;
  fs::create_directories(snapshots_dir(), ec);
  const std::string final_dir = checkpoint_dir(index);
  if (fs::exists(final_dir, ec)) return Status::ok();
  const std::string tmp = final_dir + ".tmp";
  fs::remove_all(tmp, ec);
  if (Status s = state_->checkpoint(tmp); !s) return s;
  fs::rename(tmp, final_dir, ec);
  if (ec) return Status::error("io_error", "rename " + tmp + ": " + ec.message());
  return sync_dir(snapshots_dir());
}

void NodeImpl::store_snapshot(uint64_t index, std::string data) {
  // The snapshot carries the membership as the core has it now; that is
  // only right if no membership change was applied after `index`.
  if (last_conf_change_index_ > index) {
    spdlog::info("snapshot at {} skipped: a membership change follows it", index);
    return;
  }
  if (index < raft_storage_->first_index() || index > raft_storage_->last_index()) return;
  if (index > raft_storage_->snapshot_index()) {
    Status s = raft_storage_->create_snapshot(index, core_->conf_state(), data);
    if (!s) {
      spdlog::warn("snapshot at {} not stored: {}", index, s.to_string());
      return;
    }
  }
  prune_checkpoints();
  uint64_t keep = opts_.snapshot_keep_entries;
  if (index > keep && index - keep > raft_storage_->first_index()) {
    Status s = raft_storage_->compact(index - keep);
    if (!s) spdlog::warn("log compaction to {} failed: {}", index - keep, s.to_string());
  }
}

// I/O thread: keeps the newest checkpoints, and always the one Raft names.
void NodeImpl::prune_checkpoints() {
  const uint64_t named = raft_storage_->snapshot_index();
  auto indexes = checkpoint_indexes(snapshots_dir());
  for (size_t i = 0; i + kCheckpointsKept < indexes.size(); ++i) {
    if (indexes[i] == named) continue;
    std::error_code ec;
    fs::remove_all(checkpoint_dir(indexes[i]), ec);
  }
}

// ---- transfer (I/O thread) ----

bool NodeImpl::intercept_snapshot(const std::string& from, const consensus::Message& m) {
  if (m.type != consensus::MessageType::kSnap) return false;
  if (m.term < core_->term() || m.snapshot.index <= core_->log().committed()) return false;
  auto d = decode_descriptor(m.snap_data);
  if (!d || m.snap_offset != 0 || m.snap_total != m.snap_data.size() ||
      d->index != m.snapshot.index) {
    spdlog::error("snapshot message from {} holds no valid descriptor; dropped", from);
    return true;
  }
  if (staged_index_ == d->index) return false;  // fetched: Raft may install it
  if (fetch_.active() && fetch_.from() == from && fetch_.descriptor() == *d) {
    fetch_msg_ = m;  // the newest retransmission is the one to step
    return true;
  }
  auto first = fetch_.start(staging_dir(), *d, from);
  if (!first) {
    spdlog::error("cannot receive the snapshot at {}: {}", d->index, first.status().to_string());
    return true;
  }
  fetch_msg_ = m;
  fetch_last_ms_ = now_ms();
  spdlog::info("fetching the snapshot at raft index {} (height {}) from {}", d->index, d->height,
               from);
  send_snap_frame(from, FrameKind::kSnapFetch, encode_fetch(*first));
  return true;
}

void NodeImpl::send_snap_frame(const std::string& to, FrameKind kind, std::string body) {
  std::string frame(1, static_cast<char>(kind));
  frame += body;
  if (transport_) transport_->send(to, std::move(frame));
}

void NodeImpl::on_snap_fetch(const std::string& from, std::string_view body) {
  auto f = decode_fetch(body);
  if (!f) {
    spdlog::warn("malformed snapshot request from {}", from);
    return;
  }
  SnapChunk chunk = serve_fetch(checkpoint_dir(f->index), *f);
  if (chunk.status == SnapStatus::kGone && f->index == raft_storage_->snapshot_index()) {
    // The checkpoint Raft offers is missing (removed by hand, or never
    // made): make one now rather than leave followers waiting for the next.
    spdlog::warn("the checkpoint of the snapshot at raft index {} is missing; taking one now",
                 f->index);
    (void)take_snapshot();
  }
  send_snap_frame(from, FrameKind::kSnapChunk, encode_chunk(chunk));
}

void NodeImpl::on_snap_chunk(const std::string& from, std::string_view body) {
  auto c = decode_chunk(body);
  if (!c) {
    spdlog::warn("malformed snapshot chunk from {}", from);
    return;
  }
  if (!fetch_.active() || fetch_.from() != from) return;
  fetch_last_ms_ = now_ms();
  auto step = fetch_.on_chunk(*c);
  if (step.kind == SnapshotFetcher::Step::kFailed) {
    spdlog::warn("snapshot transfer from {} failed: {}", from, step.error);
    fetch_msg_.reset();
    return;
  }
  if (step.kind == SnapshotFetcher::Step::kNext) {
    if (step.next.offset == 0 || step.next.offset % (64 * kSnapChunkBytes) == 0) {
      spdlog::debug("snapshot: {} of {} bytes", fetch_.bytes_received(), fetch_.bytes_total());
    }
    send_snap_frame(from, FrameKind::kSnapFetch, encode_fetch(step.next));
    return;
  }
  finish_fetch();
}

void NodeImpl::finish_fetch() {
  const SnapshotDescriptor d = fetch_.descriptor();
  // It must be the state the descriptor names, of this chain.
  {
    auto staged = StateStore::open(staging_dir(), opts_.env.get());
    if (!staged) {
      spdlog::error("received snapshot at {} does not open: {}", d.index,
                    staged.status().to_string());
      return;
    }
    meta::Applied a = meta::load_applied(**staged);
    auto genesis = (*staged)->get(meta::key("genesis_hash"));
    if (a.index != d.index || a.tip.height != d.height || a.state_hash != d.state_hash ||
        !genesis || *genesis != std::string(as_view(opts_.genesis.hash))) {
      spdlog::error("received snapshot at {} is not the state its descriptor names", d.index);
      return;
    }
  }
  std::error_code ec;
  const std::string target = received_state_dir(d.index);
  fs::remove_all(target, ec);
  fs::rename(staging_dir(), target, ec);
  if (ec || !sync_dir(opts_.config.data_dir)) {
    spdlog::error("cannot keep the received snapshot: {}", ec.message());
    return;
  }
  staged_index_ = d.index;
  spdlog::info("received the snapshot at raft index {}: {} bytes", d.index,
               fetch_.bytes_received());
  if (fetch_msg_) {
    consensus::Message m = std::move(*fetch_msg_);
    fetch_msg_.reset();
    if (Status s = core_->step(m); !s) spdlog::debug("step: {}", s.to_string());
    handle_ready();
  }
}

void NodeImpl::check_fetch_stall() {
  if (fetch_.active() && now_ms() - fetch_last_ms_ > kFetchStallMs) {
    spdlog::warn("snapshot transfer from {} stalled; waiting for the leader to offer one again",
                 fetch_.from());
    fetch_.reset();
    fetch_msg_.reset();
  }
}

// ---- install (apply thread) ----

void NodeImpl::crash_point(std::string_view point) const {
  if (opts_.crash_at != point) return;
  spdlog::critical("crash point {}: exiting as a crash here would", point);
  spdlog::default_logger()->flush();
  ::_exit(kCrashPointExit);  // no destructors, no further writes
}

void NodeImpl::install_snapshot(const consensus::Snapshot& snap) {
  auto d = decode_descriptor(snap.data);
  if (!d) {
    // Every node produces descriptors the same way: a bad one is a bug or corruption.
    spdlog::critical("snapshot at {} holds no valid descriptor", snap.meta.index);
    std::abort();
  }
  crash_point(kCrashPointSnapshotStored);
  // Opening the received state writes to it: a full disk is retried.
  if (!write_with_retry("install the snapshot at " + std::to_string(snap.meta.index),
                        [&] { return switch_state(*d); })) {
    return;
  }
  crash_point(kCrashPointStateSwitched);
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
  // This node can now serve the same snapshot to others.
  if (Status s = make_checkpoint(applied.index); !s) {
    spdlog::warn("no checkpoint of the installed snapshot: {}", s.to_string());
  }
  // Transactions now committed through the snapshot: wake their waiters.
  std::vector<Hash32> committed;
  {
    std::lock_guard lock(waiters_mu_);
    for (const auto& [hash, w] : tx_waiters_) {
      if (state_->get(ledger::keys::tx_record(hash))) committed.push_back(hash);
    }
  }
  notify_applied(applied.tip.height, committed);
  applied_listeners_.publish_snapshot(applied.tip.height);
  boost::asio::post(io_, [this] {
    prune_checkpoints();
    refresh_peers();
  });
}

// Serves from the received checkpoint for `d` from now on (also at start-up,
// when a crash came between storing a snapshot in Raft and installing it).
Status NodeImpl::switch_state(const SnapshotDescriptor& d) {
  const std::string target = received_state_dir(d.index);
  const std::string old = state_->path();
  // Switched already (a retry after STATE could not be written, or a restart).
  if (old == target) return set_live_state_dir(target);
  std::error_code ec;
  if (!fs::is_directory(target, ec)) {
    return Status::error("not_found", "the received state for raft index " +
                                          std::to_string(d.index) + " is missing (" + target +
                                          "): restore from a backup or re-join");
  }
  if (Status s = state_->switch_to(target); !s) return s;
  if (Status s = set_live_state_dir(target); !s) return s;
  fs::remove_all(old, ec);
  // Checkpoints of the old state no longer match the Raft log.
  for (uint64_t i : checkpoint_indexes(snapshots_dir())) {
    if (i < d.index) fs::remove_all(checkpoint_dir(i), ec);
  }
  return Status::ok();
}

}  // namespace suanli::node
