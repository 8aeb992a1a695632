#include "tests/consensus/sim_util.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "consensus/codec.h"
#include "tests/consensus/sim_simulator_util.h"

namespace suanli::consensus::sim {
namespace detail {

void Simulator::trace(const std::string& line) {
  if (opts_.trace != nullptr) *opts_.trace << "t=" << now_ << " " << line << "\n";
}

std::vector<NodeId> Simulator::up_ids() const {
  std::vector<NodeId> ids;
  for (const auto& [id, n] : nodes_) {
    if (n->up()) ids.push_back(id);
  }
  return ids;
}

void Simulator::setup() {
  const size_t n = 3 + rng_.uniform(5);
  base_.election_ticks = 10;
  base_.heartbeat_ticks = 2;
  base_.pre_vote = rng_.chance(750);
  base_.check_quorum = rng_.chance(750);
  base_.max_msg_bytes = 64 + rng_.uniform(512);
  base_.max_inflight_msgs = 1 + static_cast<uint32_t>(rng_.uniform(4));
  base_.max_inflight_bytes = 256 + rng_.uniform(4096);
  base_.max_uncommitted_bytes = 256 + rng_.uniform(2048);
  base_.max_committed_bytes_per_ready = 64 + rng_.uniform(1024);
  base_.snapshot_chunk_bytes = 16 + rng_.uniform(128);
  NetworkFaults faults;
  faults.drop_per_mille = static_cast<uint32_t>(rng_.uniform(150));
  faults.duplicate_per_mille = static_cast<uint32_t>(rng_.uniform(60));
  faults.max_delay_ticks = static_cast<uint32_t>(rng_.uniform(4));
  net_.set_faults(faults);
  if (rng_.chance(300)) {
    // Harsh run: frequent partitions, crashes, membership changes, snapshots.
    rates_.partition = 20 + static_cast<uint32_t>(rng_.uniform(60));
    rates_.crash = 5 + static_cast<uint32_t>(rng_.uniform(20));
    rates_.crash_after_fsync = 2 + static_cast<uint32_t>(rng_.uniform(10));
    rates_.conf_change = 25 + static_cast<uint32_t>(rng_.uniform(100));
    rates_.transfer = 8 + static_cast<uint32_t>(rng_.uniform(40));
    rates_.snapshot = 40 + static_cast<uint32_t>(rng_.uniform(200));
  }
  for (size_t i = 1; i <= n; ++i) initial_.push_back(i);
  for (NodeId id : initial_) add_node(id, true);
  stats_.nodes = static_cast<uint32_t>(n);
  std::ostringstream os;
  os << "setup nodes=" << n << " pre_vote=" << base_.pre_vote
     << " check_quorum=" << base_.check_quorum << " inflight=" << base_.max_inflight_msgs
     << " drop=" << faults.drop_per_mille << " dup=" << faults.duplicate_per_mille
     << " delay=" << faults.max_delay_ticks;
  trace(os.str());
}

SimNode& Simulator::add_node(NodeId id, bool bootstrap) {
  auto node = std::make_unique<SimNode>();
  node->id = id;
  if (bootstrap) {
    node->disk.bootstrap(initial_);
    node->synced_hard_state = node->disk.hard_state();
  }
  SimNode& ref = *node;
  nodes_.emplace(id, std::move(node));
  restart(ref);
  return ref;
}

void Simulator::restart(SimNode& n) {
  Snapshot snap = *n.disk.snapshot();
  n.app = snap.empty() ? AppState{} : decode_app_state(snap.data);
  RaftConfig cfg = base_;
  cfg.id = n.id;
  cfg.seed = opts_.seed * 1000003 + n.id * 101 + n.lives;
  cfg.applied = n.app.applied;
  n.core = std::make_unique<RaftCore>(cfg, n.disk);
  ++n.lives;
  checker_.on_restart(n.id);
  trace("restart n" + std::to_string(n.id) + " term=" + std::to_string(n.core->term()) +
        " applied=" + std::to_string(n.app.applied));
}

void Simulator::crash(SimNode& n) {
  // What was written without fsync is lost (the worst case every time).
  if (!(n.disk.hard_state() == n.synced_hard_state)) {
    ++stats_.unsynced_commits_lost;
    checker_.on_unsynced_lost(n.id, n.synced_hard_state);
  }
  n.disk.set_hard_state(n.synced_hard_state);
  n.core.reset();
  n.app = AppState{};
  ++stats_.crashes;
  trace("crash n" + std::to_string(n.id));
}

SimNode* Simulator::find_leader() {
  SimNode* best = nullptr;
  for (auto& [id, n] : nodes_) {
    if (!n->up() || n->core->role() != StateRole::kLeader) continue;
    if (best == nullptr || n->core->term() > best->core->term()) best = n.get();
  }
  return best;
}

void Simulator::deliver(const Message& m) {
  auto it = nodes_.find(m.to);
  if (it == nodes_.end() || !it->second->up()) return;
  ++stats_.messages;
  if (opts_.trace != nullptr) {
    std::ostringstream os;
    os << "n" << m.from << "->n" << m.to << " " << message_type_name(m.type)
       << " term=" << m.term << " idx=" << m.index << " lterm=" << m.log_term
       << " ents=" << m.entries.size() << " commit=" << m.commit << (m.reject ? " reject" : "");
    if (m.type == MessageType::kSnap) os << " snap=" << m.snapshot.index << "@" << m.snap_offset;
    trace(os.str());
  }
  SimNode& n = *it->second;
  const StateRole before = n.core->role();
  (void)n.core->step(m);
  if (n.core->role() != before) {
    trace("n" + std::to_string(n.id) + " becomes " + role_name(n.core->role()) + " term=" +
          std::to_string(n.core->term()));
  }
  checker_.check_node(n.id, *n.core);
}

void Simulator::apply_entry(SimNode& n, const Entry& e) {
  if (e.index != n.app.applied + 1) {
    checker_.fail("node " + std::to_string(n.id) + " applied out of order at " +
                  std::to_string(e.index));
    return;
  }
  n.app.chain = chain_next(n.app.chain, entry_digest(e));
  n.app.applied = e.index;
  stats_.applied = std::max(stats_.applied, e.index);
  if (!marker_.empty() && e.data == marker_) n.marker_applied = true;
  if (e.type == EntryType::kConfChange) {
    Result<ConfChange> cc = decode_conf_change(e.data);
    if (!cc.is_ok()) {
      checker_.fail("undecodable conf change at " + std::to_string(e.index));
      return;
    }
    n.core->apply_conf_change(*cc);
  }
  checker_.on_apply(n.id, e, n.app.chain);
}

void Simulator::restore_app(SimNode& n, const Snapshot& snap) {
  const Status s = n.disk.apply_snapshot(snap);
  if (!s.is_ok()) checker_.fail("apply_snapshot failed: " + s.to_string());
  n.app = decode_app_state(snap.data);
  checker_.on_restore(n.id, snap.meta.index, n.app.chain);
  ++stats_.snapshots_sent;
  trace("n" + std::to_string(n.id) + " restores snapshot " + std::to_string(snap.meta.index));
}

void Simulator::process_ready(SimNode& n, bool faults) {
  if (!n.core->has_ready()) return;
  Ready rd = n.core->ready();
  const bool sync = must_sync(n.disk.hard_state(), rd);
  if (rd.snapshot) restore_app(n, *rd.snapshot);
  n.disk.append(rd.entries);
  if (rd.hard_state) {
    n.disk.set_hard_state(*rd.hard_state);
    checker_.on_persist(n.id, *rd.hard_state);
  }
  if (sync) n.synced_hard_state = n.disk.hard_state();
  // Crash after the fsync, before anything was sent or applied.
  if (faults && rng_.chance(rates_.crash_after_fsync)) {
    ++stats_.crashes_after_fsync;
    crash(n);
    return;
  }
  const Index disk_snap = n.disk.first_index() - 1;
  for (Message& m : rd.messages) {
    checker_.on_send(m, n.disk.hard_state(), n.disk.last_index(), disk_snap);
    // An append carries at most max_msg_bytes of entries, or a single entry.
    if (m.type == MessageType::kApp && m.entries.size() > 1 &&
        entries_bytes(m.entries) > base_.max_msg_bytes) {
      checker_.fail("append of " + std::to_string(entries_bytes(m.entries)) +
                    " bytes over max_msg_bytes " + std::to_string(base_.max_msg_bytes));
    }
    Result<Message> decoded = decode_message(encode_message(m));
    if (!decoded.is_ok() || !(*decoded == m)) {
      checker_.fail(std::string("codec round trip failed: ") +
                    (decoded.is_ok() ? "differs" : decoded.status().to_string()));
    }
    net_.send(now_, std::move(m));
  }
  for (const Entry& e : rd.committed_entries) apply_entry(n, e);
  for (const ReadState& rs : rd.read_states) {
    checker_.on_read_state(n.id, rs);
    ++(rs.dropped ? stats_.reads_dropped : stats_.reads_answered);
  }
  n.core->advance(rd);
  maybe_snapshot(n);
}

void Simulator::maybe_snapshot(SimNode& n) {
  if (!n.up() || !rng_.chance(rates_.snapshot)) return;
  const Index applied = n.app.applied;
  if (applied < n.disk.first_index() || applied > n.disk.last_index()) return;
  Bytes data = encode_app_state(n.app, rng_.uniform(200));
  if (!n.disk.create_snapshot(applied, n.core->conf_state(), std::move(data)).is_ok()) return;
  n.synced_hard_state = n.disk.hard_state();  // the snapshot's write is synced
  ++stats_.snapshots_taken;
  const Index keep = rng_.uniform(6);
  if (applied > keep && applied - keep >= n.disk.first_index()) {
    (void)n.disk.compact(applied - keep);
  }
  trace("n" + std::to_string(n.id) + " snapshot at " + std::to_string(applied));
}

void Simulator::check_all() {
  std::vector<const RaftCore*> cores;
  for (auto& [id, n] : nodes_) {
    if (!n->up()) continue;
    checker_.check_node(id, *n->core);
    cores.push_back(n->core.get());
    if (n->core->role() == StateRole::kLeader) check_flow_control(*n);
  }
  checker_.check_log_matching(cores);
}

// A leader keeps at most max_inflight_msgs unacknowledged appends per
// follower, and stops adding once their bytes reach max_inflight_bytes (the
// last one may go past by at most one message).
void Simulator::check_flow_control(SimNode& leader) {
  const ConfState cs = leader.core->conf_state();
  std::vector<NodeId> peers = cs.voters;
  peers.insert(peers.end(), cs.learners.begin(), cs.learners.end());
  for (NodeId peer : peers) {
    if (peer == leader.id) continue;
    const Progress* pr = leader.core->TEST_progress(peer);
    if (pr == nullptr) continue;
    const Inflights& in = pr->inflights();
    if (in.count() > base_.max_inflight_msgs ||
        in.bytes() > base_.max_inflight_bytes + base_.max_msg_bytes + kEntryBytesMax) {
      checker_.fail("flow control: leader " + std::to_string(leader.id) + " has " +
                    std::to_string(in.count()) + " appends (" + std::to_string(in.bytes()) +
                    " bytes) in flight to " + std::to_string(peer));
    }
  }
}


void Simulator::run_tick(bool faults) {
  for (auto& [id, n] : nodes_) {
    if (!n->up() || (faults && rng_.chance(50))) continue;  // skipped: clock drift
    const StateRole before = n->core->role();
    n->core->tick();
    if (n->core->role() != before) {
      trace("n" + std::to_string(id) + " becomes " + role_name(n->core->role()) +
            " term=" + std::to_string(n->core->term()) + " (tick)");
    }
    checker_.check_node(id, *n->core);
  }
  for (uint32_t round = 0; round < kRoundsPerTick && !checker_.failed(); ++round) {
    for (const Message& m : net_.take_due(now_)) deliver(m);
    for (auto& [id, n] : nodes_) {
      if (n->up() && !(faults && rng_.chance(100))) process_ready(*n, faults);
    }
    check_all();
  }
}

void Simulator::dump_state() {
  if (opts_.trace == nullptr) return;
  for (auto& [id, n] : nodes_) {
    if (!n->up()) continue;
    RaftCore& c = *n->core;
    std::ostringstream os;
    os << "state n" << id << " " << role_name(c.role()) << " term=" << c.term()
       << " lead=" << c.leader() << " last=" << c.log().last_index()
       << " commit=" << c.log().committed() << " applied=" << c.log().applied()
       << " first=" << c.log().first_index() << " voters=" << c.conf_state().voters.size();
    if (c.role() == StateRole::kLeader) {
      for (NodeId peer : c.conf_state().voters) {
        const Progress* pr = c.TEST_progress(peer);
        if (pr == nullptr) continue;
        os << " [n" << peer << " " << progress_state_name(pr->state()) << " m=" << pr->match()
           << " n=" << pr->next() << " paused=" << pr->is_paused()
           << " active=" << pr->recent_active() << " infl=" << pr->inflights().count() << "]";
      }
    }
    trace(os.str());
  }
}

// Every proposal the final leader's term accepted after healing is applied
// on every voter (proposals of leaders deposed meanwhile may be lost: Raft
// promises nothing for uncommitted entries of an old term).
bool Simulator::heal_proposals_applied() {
  SimNode* leader = find_leader();
  if (leader == nullptr) return false;
  const ConfState cs = leader->core->conf_state();
  for (const HealProposal& p : heal_proposals_) {
    if (p.term != leader->core->term()) continue;
    for (NodeId id : cs.voters) {
      auto it = nodes_.find(id);
      if (it == nodes_.end() || !it->second->up() || it->second->app.applied < p.index) {
        return false;
      }
    }
  }
  return true;
}

bool Simulator::liveness_reached() {
  SimNode* leader = find_leader();
  if (leader == nullptr) return false;
  const ConfState cs = leader->core->conf_state();
  for (NodeId id : cs.voters) {
    auto it = nodes_.find(id);
    if (it == nodes_.end() || !it->second->up() || !it->second->marker_applied) return false;
  }
  return true;
}

SimResult Simulator::run() {
  setup();
  for (; now_ < opts_.fault_ticks && !checker_.failed() && !rng_.exhausted(); ++now_) {
    inject_faults();
    workload();
    run_tick(true);
  }
  net_.heal();
  net_.set_faults(NetworkFaults{});
  for (auto& [id, n] : nodes_) {
    if (!n->up()) restart(*n);
  }
  trace("faults healed");
  marker_ = "marker-" + std::to_string(opts_.seed);
  const uint64_t healed_at = now_;
  const uint64_t deadline = now_ + opts_.heal_ticks;
  uint64_t proposed_at = 0;
  bool live = false;
  for (; now_ < deadline && !checker_.failed(); ++now_) {
    SimNode* leader = find_leader();
    if (leader != nullptr && (proposed_at == 0 || now_ - proposed_at >= kMarkerRetryTicks)) {
      if (leader->core->propose(marker_).is_ok()) proposed_at = now_;
    }
    // The workload goes on while the marker is on its way: each proposal the
    // surviving leader accepts must be applied everywhere too.
    if (leader != nullptr && !liveness_reached() && rng_.chance(rates_.propose)) {
      const Index before = leader->core->log().last_index();
      propose(*leader);
      const Index last = leader->core->log().last_index();
      if (last > before) heal_proposals_.push_back({leader->core->term(), last});
    }
    run_tick(false);
    if (liveness_reached() && heal_proposals_applied()) {
      live = true;
      break;
    }
  }
  SimResult result;
  if (!live) dump_state();
  if (!checker_.failed() && !live) {
    checker_.fail(std::string("liveness: ") +
                  (liveness_reached() ? "a proposal accepted after healing is not applied"
                                      : "no leader with the marker applied") +
                  " on all voters within " + std::to_string(opts_.heal_ticks) +
                  " ticks of healing");
  }
  if (live) {
    stats_.heal_ticks = now_ - healed_at;
    SimNode* leader = find_leader();
    for (const HealProposal& p : heal_proposals_) {
      if (leader != nullptr && p.term == leader->core->term()) ++stats_.heal_proposals;
    }
  }
  stats_.ticks = now_;
  stats_.dropped = net_.dropped();
  stats_.duplicated = net_.duplicated();
  stats_.delayed = net_.delayed();
  stats_.leaders = checker_.leaders_elected();
  result.ok = !checker_.failed();
  result.failure = checker_.failure();
  result.stats = stats_;
  return result;
}


}  // namespace detail

SimResult run_simulation(const SimOptions& options) {
  detail::Simulator sim(options);
  return sim.run();
}

}  // namespace suanli::consensus::sim
