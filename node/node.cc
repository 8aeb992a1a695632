// Node: opening the databases, genesis initialisation and rpc::Service.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <filesystem>

#include "common/money.h"
#include "genesis/genesis.h"
#include "ledger/block.h"
#include "ledger/codec.h"
#include "ledger/encoding.h"
#include "ledger/ledger.h"
#include "ledger/store.h"
#include "node/backup.h"
#include "node/meta.h"
#include "node/node_impl.h"

namespace suanli::node {

uint64_t raft_id_of(const std::string& node_id) {
  Hash32 h = ledger::blake2b256("suanli-node:" + node_id);
  uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id = (id << 8) | h[i];
  return id == 0 ? 1 : id;
}

Result<std::unique_ptr<Node>> Node::open(NodeOptions options) {
  if (options.bench_no_signatures && options.genesis.chain_id != kBenchChainId) {
    return Status::error("invalid_argument",
                         "signature checks can only be turned off on the benchmark chain (" +
                             std::string(kBenchChainId) + "), not on " + options.genesis.chain_id);
  }
  auto node = std::make_unique<NodeImpl>(std::move(options));
  Status s = node->init();
  if (!s) return s;
  return std::unique_ptr<Node>(std::move(node));
}

NodeImpl::NodeImpl(NodeOptions options)
    : opts_(std::move(options)),
      node_id_(opts_.config.node_id),
      raft_id_(raft_id_of(opts_.config.node_id)),
      pool_(opts_.verify_threads ? opts_.verify_threads
                                 : std::max(1u, std::thread::hardware_concurrency())) {}

NodeImpl::~NodeImpl() { stop(); }

uint64_t NodeImpl::now_ms() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Status NodeImpl::init() {
  namespace fs = std::filesystem;
  if (opts_.bench_no_signatures) {
    spdlog::warn("BENCHMARK MODE: signatures are not checked on this node");
    pool_.accept_all_for_benchmark();
  }
  std::error_code ec;
  fs::create_directories(opts_.config.data_dir, ec);
  if (ec)
    return Status::error("io_error",
                         "cannot create " + opts_.config.data_dir + ": " + ec.message());
  auto state = StateStore::open(live_state_dir(), opts_.env.get());
  if (!state) return state.status();
  state_ = std::move(*state);
  auto marker = read_restore_marker(opts_.config.data_dir);
  if (!marker) return marker.status();
  restore_marker_ = *marker;
  if (restore_marker_) {
    // Caught up before a restart: decide now, before any Raft message.
    auto admission = check_admission(*state_, *restore_marker_);
    if (!admission) return admission.status();
    if (*admission == Admission::kAdmitted) {
      if (Status s = clear_restore_marker(opts_.config.data_dir); !s) return s;
      restore_marker_.reset();
    } else {
      spdlog::info(
          "restored from a backup at height {}: no vote or campaign until admitted as a "
          "new member",
          restore_marker_->height);
    }
  }
  auto raft = RaftStorage::open(opts_.config.data_dir + "/raft", opts_.env.get());
  if (!raft) return raft.status();
  raft_storage_ = std::move(*raft);

  const ledger::Genesis& g = opts_.genesis;
  auto stored_genesis = state_->get(meta::key("genesis_hash"));
  if (!stored_genesis) {
    ledger::WriteSet w = ledger::genesis_writes(g);
    meta::put_applied(w, 0, Tip{0, g.hash, g.genesis_time}, g.hash);
    w[meta::key("genesis_hash")] = std::string(as_view(g.hash));
    if (Status s = state_->commit(w); !s) return s;
    spdlog::info("initialised {} from genesis {}", opts_.config.data_dir, to_hex(g.hash));
  } else if (*stored_genesis != std::string(as_view(g.hash))) {
    return Status::error("genesis_mismatch", "data directory " + opts_.config.data_dir +
                                                 " belongs to genesis " + to_hex(*stored_genesis) +
                                                 ", not " + to_hex(g.hash));
  }
  if (Status s = meta::check_schema(*state_); !s) return s;
  if (Status s = recover_snapshot_install(); !s) return s;
  meta::Applied applied = meta::load_applied(*state_);
  applied_index_ = applied.index;
  applied_height_ = applied.tip.height;
  applied_tip_ = applied.tip;
  applied_state_hash_ = applied.state_hash;

  bool member = false;
  std::vector<consensus::NodeId> voters;
  for (const auto& n : g.nodes) {
    if (n.role == ledger::NodeRole::kVoter) voters.push_back(raft_id_of(n.node_id));
    if (n.node_id == node_id_) member = true;
  }
  if (raft_storage_->last_index() == 0 && raft_storage_->hard_state().term == 0 && member) {
    if (Status s = raft_storage_->bootstrap(voters); !s) return s;
  }
  // A commit index is written without fsync (consensus::must_sync), so a
  // power loss can leave it below what the state database applied. Those
  // entries were committed (nothing is applied before) and their log is
  // durable (entries are synced before they count): raise it again, so that
  // applied <= commit holds as before.
  if (consensus::HardState hs = raft_storage_->hard_state();
      applied.index > hs.commit && applied.index <= raft_storage_->last_index()) {
    spdlog::info("raft commit index {} raised to the applied index {} after a power loss",
                 hs.commit, applied.index);
    hs.commit = applied.index;
    if (Status s = raft_storage_->save(&hs, {}); !s) return s;
  }
  consensus::RaftConfig rc;
  rc.id = raft_id_;
  rc.election_ticks = opts_.election_ticks;
  rc.heartbeat_ticks = 1;
  rc.seed = opts_.raft_seed ? opts_.raft_seed : raft_id_ ^ 0x5eed5eed5eedull;
  // Re-deliver everything after the snapshot: conf changes must be re-applied
  // to the core; blocks already in the state database are skipped by index.
  rc.applied = raft_storage_->first_index() - 1;
  rc.max_msg_bytes = 4 << 20;
  if (Status s = consensus::validate(rc); !s) return s;
  core_ = std::make_unique<consensus::RaftCore>(rc, *raft_storage_);
  spdlog::info("node {} (raft id {:x}) at height {}, raft index {} of {}", node_id_, raft_id_,
               applied.tip.height, applied.index, raft_storage_->last_index());
  return Status::ok();
}

// A crash may come after Raft stored a received snapshot and before the
// state database switched to it: finish the switch now. Leftovers of an
// interrupted transfer go.
Status NodeImpl::recover_snapshot_install() {
  std::error_code ec;
  std::filesystem::remove_all(staging_dir(), ec);
  const uint64_t snap_index = raft_storage_->snapshot_index();
  if (snap_index == 0) return Status::ok();
  if (meta::load_applied(*state_).index < snap_index) {
    auto snap = raft_storage_->snapshot();
    auto d = snap ? decode_descriptor(snap->data) : std::nullopt;
    if (!d) return Status::error("corruption", "the Raft log's snapshot has no valid descriptor");
    if (Status s = switch_state(*d); !s) return s;
    spdlog::info("finished installing the snapshot at raft index {}", snap_index);
  }
  // Keep a checkpoint that matches what Raft will offer to others.
  if (!std::filesystem::exists(checkpoint_dir(snap_index), ec) &&
      meta::load_applied(*state_).index == snap_index) {
    if (Status s = make_checkpoint(snap_index); !s) return s;
  }
  return Status::ok();
}

std::map<std::string, Member> NodeImpl::load_members() const {
  std::map<std::string, Member> out;
  std::string start = ledger::keys::node("");
  state_->scan(start, ledger::keys::family_end(start), [&](std::string_view, std::string_view v) {
    ledger::NodeMember m;
    if (ledger::decode(v, m)) {
      out[m.node_id] = Member{m.node_id, m.pubkey, m.address, m.role == ledger::NodeRole::kVoter};
    }
    return true;
  });
  return out;
}

std::optional<PubKey> NodeImpl::member_key(const std::string& node_id) const {
  auto raw = state_->get(ledger::keys::node(node_id));
  if (!raw) return std::nullopt;
  ledger::NodeMember m;
  if (!ledger::decode(*raw, m)) return std::nullopt;
  return m.pubkey;
}

// ---- rpc::Service ----

void NodeImpl::submit(ledger::Tx tx,
                      std::function<void(std::variant<Hash32, rpc::RpcError>)> done_fn) {
  using rpc::RpcError;
  auto done =
      std::make_shared<std::function<void(std::variant<Hash32, RpcError>)>>(std::move(done_fn));
  if (storage_failing()) {
    // API.md has no storage error: busy (retry later) is the closest.
    return (*done)(RpcError{rpc::errc::kBusy,
                            "busy: storage write failed (disk full?) on this node; it accepts no "
                            "transactions until it can write again: " +
                                storage_error(),
                            {{"retry_after_ms", kStorageRetryMs}, {"reason", "storage"}}});
  }
  if (tx.chain_id != opts_.genesis.chain_id) {
    return (*done)(RpcError{rpc::errc::kWrongChain,
                            "wrong_chain: this node serves " + opts_.genesis.chain_id, nullptr});
  }
  uint64_t now = now_ms();
  if (tx.expires_at <= now) {
    return (*done)(
        RpcError{rpc::errc::kExpired, "expired: expires_at is not in the future", nullptr});
  }
  if (tx.expires_at > now + opts_.genesis.policy.max_tx_validity_ms) {
    return (*done)(RpcError{rpc::errc::kExpired,
                            "expired: expires_at is more than max_tx_validity_ms ahead", nullptr});
  }
  if (state_->get(ledger::keys::tx_record(tx.hash))) {
    return (*done)(RpcError{rpc::errc::kDuplicate,
                            "duplicate",
                            {{"tx_hash", to_hex(tx.hash)}, {"status", "committed"}}});
  }
  if (mempool_.contains(tx.hash)) {
    return (*done)(RpcError{
        rpc::errc::kDuplicate, "duplicate", {{"tx_hash", to_hex(tx.hash)}, {"status", "pending"}}});
  }
  if (!state_->get(ledger::keys::participant(tx.signer))) {
    return (*done)(RpcError{rpc::errc::kUnknownSigner,
                            "unknown_signer: the signer is not registered", nullptr});
  }
  auto shared = std::make_shared<const ledger::Tx>(std::move(tx));
  bool queued = pool_.post([this, shared, done] { admit_verified(shared, *done); });
  if (!queued) {
    (*done)(RpcError{
        rpc::errc::kBusy, "busy: signature verification is saturated", {{"retry_after_ms", 100}}});
  }
}

void NodeImpl::admit_verified(
    const std::shared_ptr<const ledger::Tx>& tx,
    const std::function<void(std::variant<Hash32, rpc::RpcError>)>& done) {
  using rpc::RpcError;
  if (!opts_.fault_admit_unverified && !pool_.verify(*tx))
    return done(RpcError{rpc::errc::kInvalidSignature, "invalid_signature", nullptr});
  bool leader = is_leader_.load();
  std::string leader_id = leader_node_id();
  if (!leader && leader_id.empty()) {
    return done(RpcError{rpc::errc::kNoLeader, "no_leader: no leader now; retry", nullptr});
  }
  switch (mempool_.add(tx)) {
    case Mempool::AddResult::kFull:
      return done(
          RpcError{rpc::errc::kBusy, "busy: the mempool is full", {{"retry_after_ms", 200}}});
    case Mempool::AddResult::kDuplicate:
      return done(RpcError{rpc::errc::kDuplicate,
                           "duplicate",
                           {{"tx_hash", to_hex(tx->hash)}, {"status", "pending"}}});
    case Mempool::AddResult::kAdded:
      break;
  }
  if (leader) {
    schedule_propose();
  } else {
    // Kept here too: if the leader fails, the next leader (maybe this node)
    // includes it; if the forward is lost, it is forwarded again.
    schedule_forward();
  }
  done(tx->hash);
}

std::string NodeImpl::leader_node_id() const {
  std::lock_guard lock(status_mu_);
  return leader_node_id_;
}

void NodeImpl::schedule_propose() {
  if (propose_scheduled_.exchange(true)) return;
  boost::asio::post(io_, [this] {
    propose_scheduled_ = false;
    maybe_propose_block();
    handle_ready();
  });
}

void NodeImpl::wait_committed(const Hash32& tx_hash, uint32_t timeout_ms,
                              std::function<void(bool)> done) {
  {
    std::lock_guard lock(waiters_mu_);
    if (!state_->get(ledger::keys::tx_record(tx_hash))) {
      tx_waiters_.emplace(tx_hash, Waiter{now_ms() + timeout_ms, std::move(done)});
      return;
    }
  }
  done(true);
}

void NodeImpl::wait_height(uint64_t height, uint32_t timeout_ms, std::function<void(bool)> done) {
  {
    std::lock_guard lock(waiters_mu_);
    if (applied_height_.load() < height) {
      height_waiters_.emplace(height, Waiter{now_ms() + timeout_ms, std::move(done)});
      return;
    }
  }
  done(true);
}

void NodeImpl::notify_applied(uint64_t height, const std::vector<Hash32>& tx_hashes) {
  std::vector<std::function<void(bool)>> ready;
  {
    std::lock_guard lock(waiters_mu_);
    for (const auto& h : tx_hashes) {
      auto range = tx_waiters_.equal_range(h);
      for (auto it = range.first; it != range.second; ++it)
        ready.push_back(std::move(it->second.done));
      tx_waiters_.erase(range.first, range.second);
    }
    while (!height_waiters_.empty() && height_waiters_.begin()->first <= height) {
      ready.push_back(std::move(height_waiters_.begin()->second.done));
      height_waiters_.erase(height_waiters_.begin());
    }
  }
  for (auto& f : ready) f(true);
}

void NodeImpl::fire_timeouts() {
  uint64_t now = now_ms();
  std::vector<std::function<void(bool)>> expired;
  {
    std::lock_guard lock(waiters_mu_);
    for (auto* waiters : {&tx_waiters_}) {
      for (auto it = waiters->begin(); it != waiters->end();) {
        if (it->second.deadline_ms <= now) {
          expired.push_back(std::move(it->second.done));
          it = waiters->erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto it = height_waiters_.begin(); it != height_waiters_.end();) {
      if (it->second.deadline_ms <= now) {
        expired.push_back(std::move(it->second.done));
        it = height_waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& f : expired) f(false);
}

rpc::LocalTxState NodeImpl::local_tx(const Hash32& tx_hash, std::string* canonical) const {
  if (auto tx = mempool_.get(tx_hash)) {
    if (canonical) *canonical = tx->canonical;
    return rpc::LocalTxState::kPending;
  }
  if (mempool_.was_expired(tx_hash)) return rpc::LocalTxState::kExpired;
  return rpc::LocalTxState::kUnknown;
}

nlohmann::json NodeImpl::node_status() const {
  nlohmann::json out;
  {
    std::lock_guard lock(status_mu_);
    out = raft_status_;
  }
  out["node_id"] = node_id_;
  out["applied_index"] = applied_index_.load();
  out["height"] = applied_height_.load();
  {
    std::lock_guard lock(applied_mu_);
    out["state_hash"] = to_hex(applied_state_hash_);
  }
  out["mempool"] = mempool_.size();
  out["version"] = SUANLI_VERSION;
  out["diverged"] = diverged_.load();
  out["storage_ok"] = !storage_failing();
  out["storage_write_errors"] = storage_write_errors_.load();
  if (!out["storage_ok"].get<bool>()) out["storage_error"] = storage_error();
  if (!out.contains("role")) out["role"] = "follower";
  return out;
}

nlohmann::json NodeImpl::chain_genesis() const {
  return {{"genesis", opts_.genesis_doc}, {"hash", to_hex(opts_.genesis.hash)}};
}

Status NodeImpl::transfer_leadership(const std::string& node_id) {
  std::promise<Status> p;
  boost::asio::post(io_, [&] {
    auto it = node_to_raft_.find(node_id);
    if (it == node_to_raft_.end()) {
      p.set_value(Status::error("not_found", "no member " + node_id));
      return;
    }
    Status s = core_->transfer_leader(it->second);
    handle_ready();
    p.set_value(s);
  });
  return p.get_future().get();
}

Status NodeImpl::take_snapshot() {
  {
    std::lock_guard lock(apply_mu_);
    snapshot_requested_ = true;
  }
  apply_cv_.notify_all();
  return Status::ok();
}

Result<nlohmann::json> NodeImpl::backup(const std::string& dir) {
  auto info = write_backup(*state_, dir, opts_.genesis, node_id_, now_ms());
  if (!info) return info.status();
  return info->to_json();
}

Status NodeImpl::set_log_level(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return Status::error("invalid_argument", "unknown log level " + level);
  }
  spdlog::set_level(lvl);
  return Status::ok();
}

}  // namespace suanli::node
