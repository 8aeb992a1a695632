#include "tests/consensus/sim_checker_util.h"

#include <algorithm>

namespace suanli::consensus::sim {
namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h * 0x100000001b3ull;
}

std::string str(uint64_t v) { return std::to_string(v); }

}  // namespace

uint64_t entry_digest(const Entry& e) {
  uint64_t h = mix(mix(0xcbf29ce484222325ull, e.term), e.index);
  h = mix(h, static_cast<uint64_t>(e.type));
  for (char c : e.data) h = mix(h, static_cast<unsigned char>(c));
  return h;
}

void SimChecker::fail(const std::string& what) {
  if (failure_.empty()) failure_ = what;
}

void SimChecker::check_node(NodeId id, const RaftCore& core) {
  NodeSeen& seen = seen_[id];
  if (core.term() < seen.term) fail("term went backwards on node " + str(id));
  if (core.log().committed() < seen.commit) fail("commit went backwards on node " + str(id));
  if (core.log().applied() > core.log().committed()) fail("applied > committed " + str(id));
  seen.term = core.term();
  seen.commit = core.log().committed();
  if (core.role() == StateRole::kLeader) {
    auto [it, fresh] = leader_of_term_.emplace(core.term(), id);
    if (it->second != id) {
      fail("election safety: two leaders in term " + str(core.term()) + ": " +
           str(it->second) + " and " + str(id));
    }
    if (seen.leader_term != core.term()) {
      seen.leader_term = core.term();
      seen.leader_checked = 0;
    }
    (void)fresh;
  }
  record_committed(id, core, seen);
  if (core.role() == StateRole::kLeader) {
    // Leader completeness: a leader holds every committed entry, checked
    // when it is elected and, incrementally, for every entry committed since.
    for (auto it = committed_.upper_bound(seen.leader_checked); it != committed_.end(); ++it) {
      check_leader_has(id, core, it->first, it->second);
    }
    if (!committed_.empty()) seen.leader_checked = committed_.rbegin()->first;
  }
}

void SimChecker::check_leader_has(NodeId id, const RaftCore& core, Index i, const Committed& c) {
  if (c.observed_term >= core.term()) return;
  if (i < core.log().first_index()) return;  // in its snapshot
  if (i > core.log().last_index() || core.log().term_or_zero(i) != c.term) {
    fail("leader completeness: leader " + str(id) + " term " + str(core.term()) +
         " lacks committed entry " + str(i) + " of term " + str(c.term));
  }
}

void SimChecker::record_committed(NodeId id, const RaftCore& core, NodeSeen& seen) {
  const Index committed = core.log().committed();
  Index lo = std::max(seen.recorded + 1, core.log().first_index());
  if (lo > committed) {
    seen.recorded = std::max(seen.recorded, committed);
    return;
  }
  Result<std::vector<Entry>> ents = core.log().slice(lo, committed + 1, UINT64_MAX);
  if (!ents.is_ok()) {
    fail("committed entries unreadable on node " + str(id));
    return;
  }
  for (const Entry& e : *ents) {
    const Committed c{e.term, entry_digest(e), core.term()};
    auto [it, fresh] = committed_.emplace(e.index, c);
    if (!fresh && (it->second.term != c.term || it->second.digest != c.digest)) {
      fail("log matching: node " + str(id) + " committed a different entry at " + str(e.index));
      return;
    }
  }
  seen.recorded = committed;
}

void SimChecker::check_log_matching(const std::vector<const RaftCore*>& cores) {
  for (size_t a = 0; a < cores.size(); ++a) {
    for (size_t b = a + 1; b < cores.size(); ++b) {
      const RaftLog& x = cores[a]->log();
      const RaftLog& y = cores[b]->log();
      const Index lo = std::max(x.first_index(), y.first_index());
      const Index hi = std::min(x.last_index(), y.last_index());
      // Find the highest index where both logs agree on the term; below it,
      // the logs must be identical.
      Index top = 0;
      for (Index i = hi; i >= lo && i > 0; --i) {
        if (x.term_or_zero(i) == y.term_or_zero(i)) {
          top = i;
          break;
        }
      }
      if (top == 0) continue;
      Result<std::vector<Entry>> ex = x.slice(lo, top + 1, UINT64_MAX);
      Result<std::vector<Entry>> ey = y.slice(lo, top + 1, UINT64_MAX);
      if (!ex.is_ok() || !ey.is_ok() || *ex != *ey) {
        fail("log matching: nodes " + str(cores[a]->id()) + " and " + str(cores[b]->id()) +
             " agree on term at " + str(top) + " but differ below");
        return;
      }
    }
  }
}

void SimChecker::on_apply(NodeId id, const Entry& e, uint64_t chain) {
  auto [it, fresh] = chain_at_.emplace(e.index, chain);
  if (!fresh && it->second != chain) {
    fail("state machine safety: node " + str(id) + " applied a different entry at " +
         str(e.index));
  }
}

void SimChecker::on_restore(NodeId id, Index index, uint64_t chain) {
  auto [it, fresh] = chain_at_.emplace(index, chain);
  if (!fresh && it->second != chain) {
    fail("state machine safety: node " + str(id) + " restored a divergent snapshot at " +
         str(index));
  }
}

void SimChecker::on_persist(NodeId id, const HardState& hs) {
  auto [it, fresh] = durable_.emplace(id, hs);
  if (fresh) return;
  const HardState& prev = it->second;
  if (hs.term < prev.term) fail("durable term went backwards on node " + str(id));
  if (hs.term == prev.term && prev.vote != kNoNode && hs.vote != prev.vote) {
    fail("vote changed within term " + str(hs.term) + " on node " + str(id));
  }
  if (hs.commit < prev.commit) fail("durable commit went backwards on node " + str(id));
  it->second = hs;
}

void SimChecker::on_unsynced_lost(NodeId id, const HardState& hs) {
  auto it = durable_.find(id);
  if (it == durable_.end()) return;
  if (hs.term != it->second.term || hs.vote != it->second.vote) {
    fail("a crash lost the term or vote of node " + str(id) + ", written without fsync");
  }
  it->second = hs;
}

void SimChecker::on_send(const Message& m, const HardState& disk_hs, Index disk_last,
                         Index disk_snap) {
  const bool future_term = m.type == MessageType::kPreVote || m.type == MessageType::kPreVoteResp;
  if (!future_term && m.term > disk_hs.term) {
    fail("node " + str(m.from) + " sent term " + str(m.term) + " before persisting it");
  }
  if (m.type == MessageType::kVoteResp && !m.reject &&
      (disk_hs.term != m.term || disk_hs.vote != m.to)) {
    fail("node " + str(m.from) + " granted a vote before persisting it");
  }
  if (m.type == MessageType::kAppResp && !m.reject && m.index > disk_last &&
      m.index > disk_snap) {
    fail("node " + str(m.from) + " acknowledged index " + str(m.index) +
         " before persisting it");
  }
}

void SimChecker::on_restart(NodeId id) {
  NodeSeen& seen = seen_[id];
  seen.term = 0;
  seen.commit = 0;
}

void SimChecker::on_read_state(NodeId id, const ReadState& rs) {
  auto it = reads_.find(rs.context);
  if (it == reads_.end()) return;
  if (rs.dropped) {
    if (rs.index != 0) fail("a dropped read on node " + str(id) + " carries an index");
    return;
  }
  if (rs.index < it->second) {
    fail("ReadIndex on node " + str(id) + " returned " + str(rs.index) +
         " below an index applied before the read: " + str(it->second));
  }
}

}  // namespace suanli::consensus::sim
