// The I/O thread: Raft ticks, peer frames, Ready handling, membership.
// Block building is in block_builder.cc, forwarding in forwarding.cc.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <set>

#include "common/thread_name.h"
#include "consensus/codec.h"
#include "ledger/block.h"
#include "node/node_impl.h"

namespace suanli::node {

Status NodeImpl::start() {
  if (started_.exchange(true)) return Status::error("invalid_state", "already started");
  Transport::Options topts{node_id_, opts_.key, opts_.config.listen, opts_.genesis.hash};
  transport_ = Transport::create(io_, topts, [this](const std::string& from, std::string payload) {
    on_frame(from, std::move(payload));
  });
  if (Status s = transport_->start(); !s) return s;
  refresh_peers();
  tick_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  block_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  schedule_tick();
  apply_thread_ = std::thread([this] {
    set_thread_name("apply");
    apply_loop();
  });
  io_thread_ = std::thread([this] {
    set_thread_name("io");
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::critical("I/O thread stopped: {}", e.what());
      std::abort();
    }
  });
  boost::asio::post(io_, [this] {
    publish_raft_status();
    handle_ready();
  });
  return Status::ok();
}

void NodeImpl::stop() {
  if (!started_.load() || stopped_.exchange(true)) return;
  if (io_thread_.joinable()) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      if (tick_timer_) tick_timer_->cancel();
      if (block_timer_) block_timer_->cancel();
      if (transport_) transport_->stop();
      done.set_value();
    });
    done.get_future().wait();
  } else if (transport_) {
    // start() failed before the I/O thread ran (a port in use): nothing
    // would run a posted stop, and waiting for one would hang forever.
    transport_->stop();
  }
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
  {
    std::lock_guard lock(apply_mu_);
    stopping_ = true;
  }
  apply_cv_.notify_all();
  if (apply_thread_.joinable()) apply_thread_.join();
  // Its jobs use the mempool and other members destroyed before the pool.
  pool_.stop();
  fire_timeouts();
  spdlog::info("node {} stopped at height {}", node_id_, applied_height_.load());
}

void NodeImpl::schedule_tick() {
  tick_timer_->expires_after(std::chrono::milliseconds(opts_.tick_ms));
  tick_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    uint64_t now = now_ms();
    if (stalled_ready_) {
      if (now - last_storage_retry_ms_ >= kStorageRetryMs) retry_stalled_ready();
    } else {
      core_->tick();
      handle_ready();
    }
    if (now - last_expire_ms_ >= 1000) {  // once a second is plenty
      mempool_.expire(now);
      check_fetch_stall();
      reconcile_membership();
      check_restored_identity();
      forward_pending();
      last_expire_ms_ = now;
    }
    maybe_propose_block();
    handle_ready();
    fire_timeouts();
    schedule_tick();
  });
}

void NodeImpl::refresh_peers() {
  // A node the ledger removed stays a peer until Raft has carried the removal
  // out: the conf change still has to reach the others through it.
  std::set<consensus::NodeId> in_raft;
  if (core_) {
    const consensus::ConfState conf = core_->conf_state();
    in_raft.insert(conf.voters.begin(), conf.voters.end());
    in_raft.insert(conf.learners.begin(), conf.learners.end());
  }
  auto members = load_members();
  for (auto it = peer_members_.begin(); it != peer_members_.end();) {
    bool keep = members.count(it->first) > 0 || in_raft.count(raft_id_of(it->first)) > 0;
    it = keep ? std::next(it) : peer_members_.erase(it);
  }
  for (const auto& [id, m] : members) peer_members_[id] = m;
  std::vector<PeerInfo> peers;
  raft_to_node_.clear();
  node_to_raft_.clear();
  for (const auto& [id, m] : peer_members_) {
    raft_to_node_[raft_id_of(id)] = id;
    node_to_raft_[id] = raft_id_of(id);
    if (id != node_id_) peers.push_back(PeerInfo{id, m.pubkey, m.address});
  }
  if (transport_) transport_->set_peers(std::move(peers));
}

void NodeImpl::on_frame(const std::string& from, std::string payload) {
  if (payload.empty()) return;
  auto kind = static_cast<FrameKind>(payload[0]);
  std::string_view body(payload.data() + 1, payload.size() - 1);
  // A node that cannot write its log takes no part in Raft until it can.
  if (stalled_ready_ && (kind == FrameKind::kRaft || kind == FrameKind::kSnapChunk)) return;
  if (kind == FrameKind::kRaft) {
    auto m = consensus::decode_message(body);
    if (!m) {
      spdlog::warn("malformed raft message from {}: {}", from, m.status().to_string());
      return;
    }
    // The link authenticated `from`: a peer may not speak for another.
    if (m->from != raft_id_of(from)) {
      spdlog::warn("raft message from {} claims another sender; dropped", from);
      return;
    }
    if (intercept_snapshot(from, *m)) return;
    if (Status s = core_->step(*m); !s) spdlog::debug("step: {}", s.to_string());
    handle_ready();
  } else if (kind == FrameKind::kTxBatch || kind == FrameKind::kTx) {
    accept_forwarded(from, std::move(payload));
  } else if (kind == FrameKind::kSnapFetch) {
    on_snap_fetch(from, body);
  } else if (kind == FrameKind::kSnapChunk) {
    on_snap_chunk(from, body);
  } else {
    spdlog::warn("unknown frame kind {} from {}", static_cast<int>(kind), from);
  }
}

void NodeImpl::send_raft(consensus::Message m) {
  if (raft_silenced_.load()) return;
  if (restore_marker_) {
    using T = consensus::MessageType;
    // Until admitted, a restored node's vote could be a second vote in a term
    // its identity already voted in: it neither votes nor campaigns.
    if (m.type == T::kVote || m.type == T::kVoteResp || m.type == T::kPreVote ||
        m.type == T::kPreVoteResp) {
      return;
    }
    // A new member's leader backtracks after one or two refused appends. A
    // leader that keeps sending entries this node never had believes the
    // identity already acknowledged them: it belongs to an earlier member.
    if (m.type == T::kAppResp) {
      restored_rejects_ = m.reject ? restored_rejects_ + 1 : 0;
      if (restored_rejects_ >= kRestoredRejectsMax) {
        stop_for_identity(Status::error(
            "identity_in_use",
            "the leader holds node id " + node_id_ + " as a member with entries up to index " +
                std::to_string(m.index) +
                " that this restored node never had: the identity "
                "belongs to a member admitted before the restore; a restored node must come back "
                "as a new member (a new node id and key, then node_propose and proposal_approve)"));
        return;
      }
    }
  }
  auto it = raft_to_node_.find(m.to);
  if (it == raft_to_node_.end()) return;
  std::string frame(1, static_cast<char>(FrameKind::kRaft));
  frame += consensus::encode_message(m);
  transport_->send(it->second, std::move(frame));
}

void NodeImpl::prepare_entries(const std::vector<consensus::Entry>& entries) {
  for (const auto& e : entries) {
    if (e.type != consensus::EntryType::kNormal || e.data.empty()) continue;
    auto block = ledger::decode_block(e.data, opts_.genesis.policy.max_block_txs);
    if (!block) continue;
    prepare_async(*block);  // verification overlaps replication and fsync
  }
}

void NodeImpl::handle_ready() {
  while (!stalled_ready_ && core_->has_ready()) {
    consensus::Ready rd = core_->ready();
    if (!persist_ready(rd)) {
      // Nothing of it may be sent or counted until it is durable: keep it,
      // and retry once a second (retry_stalled_ready).
      stalled_ready_ = std::move(rd);
      last_storage_retry_ms_ = now_ms();
      break;
    }
    finish_ready(rd);
  }
  publish_raft_status();
}

bool NodeImpl::persist_ready(const consensus::Ready& rd) {
  if (rd.snapshot && !stalled_snapshot_saved_) {
    // The log restarts at the snapshot; the state database is replaced by
    // the apply thread, in order with the entries around it.
    Status s = raft_storage_->apply_snapshot(*rd.snapshot);
    if (!s) {
      storage_failed(Db::kRaft, s);
      return false;
    }
    stalled_snapshot_saved_ = true;  // a retry writes only the rest
  }
  prepare_entries(rd.entries);  // verification overlaps the fsync
  const consensus::HardState* hs = rd.hard_state ? &*rd.hard_state : nullptr;
  if (hs || !rd.entries.empty()) {
    const bool sync = consensus::must_sync(raft_storage_->hard_state(), rd);
    const auto start = std::chrono::steady_clock::now();
    Status s = raft_storage_->save(hs, rd.entries, sync);
    if (!s) {
      storage_failed(Db::kRaft, s);
      return false;
    }
    if (sync) observe_sync(std::chrono::steady_clock::now() - start);
  }
  stalled_snapshot_saved_ = false;
  if (raft_write_failing_.load()) storage_recovered(Db::kRaft);
  return true;
}

void NodeImpl::observe_sync(std::chrono::steady_clock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  size_t i = 0;
  while (i < rpc::kSyncBucketsS.size() && s > rpc::kSyncBucketsS[i]) ++i;
  syncs_[i].fetch_add(1, std::memory_order_relaxed);
  sync_ns_.fetch_add(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()),
      std::memory_order_relaxed);
}

rpc::SyncDurations NodeImpl::raft_log_syncs() const {
  rpc::SyncDurations out;
  for (size_t i = 0; i < syncs_.size(); ++i) {
    const uint64_t n = syncs_[i].load(std::memory_order_relaxed);
    if (i < out.buckets.size()) out.buckets[i] = n;
    out.count += n;
  }
  out.sum_s = static_cast<double>(sync_ns_.load(std::memory_order_relaxed)) / 1e9;
  return out;
}

void NodeImpl::retry_stalled_ready() {
  last_storage_retry_ms_ = now_ms();
  if (Status s = raft_storage_->resume(); !s) {
    storage_failed(Db::kRaft, s);
    return;
  }
  if (!persist_ready(*stalled_ready_)) return;
  consensus::Ready rd = std::move(*stalled_ready_);
  stalled_ready_.reset();
  finish_ready(rd);
  handle_ready();
}

void NodeImpl::finish_ready(consensus::Ready& rd) {
  if (rd.snapshot) {
    push_apply(ApplyItem{{}, std::make_shared<const consensus::Snapshot>(*rd.snapshot)});
  }
  bool conf_changed = false;
  for (auto& m : rd.messages) send_raft(std::move(m));
  for (const auto& e : rd.committed_entries) {
    if (e.type == consensus::EntryType::kConfChange) {
      auto cc = consensus::decode_conf_change(e.data);
      if (cc) core_->apply_conf_change(*cc);
      last_conf_change_index_ = e.index;
      conf_changed = true;
      continue;
    }
    push_apply(ApplyItem{e, nullptr});
  }
  core_->advance(rd);
  if (conf_changed) {
    refresh_peers();
    reconcile_membership();  // the next step, now that this one is applied
  }
}

void NodeImpl::publish_raft_status() {
  bool leader = core_->role() == consensus::StateRole::kLeader;
  if (leader && !was_leader_) on_became_leader();
  was_leader_ = leader;
  static const char* kRoles[] = {"follower", "candidate", "candidate", "leader"};
  nlohmann::json st;
  auto role = static_cast<size_t>(core_->role());
  st["role"] = role < 4 ? kRoles[role] : "follower";
  const consensus::ConfState conf = core_->conf_state();
  if (std::find(conf.learners.begin(), conf.learners.end(), raft_id_) != conf.learners.end()) {
    st["role"] = "learner";
  }
  st["term"] = core_->term();
  auto lead = raft_to_node_.find(core_->leader());
  std::string leader_id = lead == raft_to_node_.end() ? "" : lead->second;
  st["leader_id"] = leader_id;
  st["commit_index"] = core_->log().committed();
  // Where this node's log starts: entries before it live only in snapshots.
  st["log_first_index"] = raft_storage_->first_index();
  st["log_segments"] = raft_storage_->log_segments();
  st["log_bytes"] = raft_storage_->log_bytes();
  nlohmann::json peers = nlohmann::json::array();
  if (transport_) {
    for (const auto& p : transport_->status()) {
      const consensus::Progress* pr = core_->TEST_progress(raft_id_of(p.node_id));
      peers.push_back({{"node_id", p.node_id},
                       {"address", p.address},
                       {"connected", p.connected},
                       {"match_index", pr ? pr->match() : 0}});
    }
  }
  st["peers"] = std::move(peers);
  // A leader that cannot write its log builds no blocks and admits nothing.
  const bool leading = leader && !stalled_ready_;
  if (leading && !is_leader_.load()) mempool_.release_all();
  is_leader_ = leading;
  if (!leader && !leader_id.empty() && leader_id != known_leader_ && leader_id != node_id_) {
    forward_held_to(leader_id);
  }
  known_leader_ = leader_id;
  std::lock_guard lock(status_mu_);
  raft_status_ = std::move(st);
  leader_node_id_ = leader_id;
}

void NodeImpl::check_restored_identity() {
  if (!restore_marker_ || raft_silenced_.load()) return;
  auto admission = check_admission(*state_, *restore_marker_);
  if (admission && *admission == Admission::kWaiting) return;
  if (admission) {
    Status s = clear_restore_marker(opts_.config.data_dir);
    if (!s) spdlog::warn("admitted, but {}: retrying", s.to_string());
    if (!s) return;
    spdlog::info("restored node {} admitted as a new member: it votes from now on", node_id_);
    restore_marker_.reset();
    return;
  }
  stop_for_identity(admission.status());
}

void NodeImpl::stop_for_identity(const Status& why) {
  if (raft_silenced_.exchange(true)) return;
  spdlog::critical("{}. This node takes no further part in Raft and shuts down.", why.to_string());
  {
    std::lock_guard lock(fatal_mu_);
    fatal_ = why;
  }
  if (opts_.on_fatal) opts_.on_fatal();
}

void NodeImpl::apply_membership() {
  // Membership in the ledger changed: update the pinned peer keys now; the
  // leader carries the change out in Raft, one server at a time.
  refresh_peers();
  check_restored_identity();
  reconcile_membership();
  handle_ready();
}

// Leader: moves Raft's configuration one step towards the ledger's approved
// membership. Called after every change and once a second, so a change the
// ledger approved is carried out even if the leader that applied it died.
void NodeImpl::reconcile_membership() {
  if (core_->role() != consensus::StateRole::kLeader || stalled_ready_) return;
  const consensus::ConfState conf = core_->conf_state();
  auto has = [](const std::vector<consensus::NodeId>& v, consensus::NodeId id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  };
  std::optional<consensus::ConfChange> next;
  std::set<consensus::NodeId> wanted;
  std::string who;
  for (const auto& [id, m] : load_members()) {
    const consensus::NodeId rid = raft_id_of(id);
    wanted.insert(rid);
    if (next) continue;
    if (m.voter && !has(conf.voters, rid)) {
      next = consensus::ConfChange{consensus::ConfChangeType::kAddNode, rid};
    } else if (!m.voter && !has(conf.voters, rid) && !has(conf.learners, rid)) {
      next = consensus::ConfChange{consensus::ConfChangeType::kAddLearner, rid};
    }
    if (next) who = id;
  }
  for (const auto& list : {conf.voters, conf.learners}) {
    for (consensus::NodeId rid : list) {
      if (!next && !wanted.count(rid)) {
        next = consensus::ConfChange{consensus::ConfChangeType::kRemoveNode, rid};
        auto it = raft_to_node_.find(rid);
        who = it == raft_to_node_.end() ? fmt::format("{:x}", rid) : it->second;
      }
    }
  }
  if (!next) return;
  Status s = core_->propose_conf_change(*next);
  if (s) {
    spdlog::info("membership: proposing {} of {}",
                 next->type == consensus::ConfChangeType::kAddNode      ? "add_voter"
                 : next->type == consensus::ConfChangeType::kAddLearner ? "add_learner"
                                                                        : "remove",
                 who);
  } else {
    spdlog::debug("membership change for {} not proposed yet: {}", who, s.to_string());
  }
}

}  // namespace suanli::node
