#include "tests/consensus/raft_test_util.h"

#include <deque>

#include <gtest/gtest.h>

#include "consensus/codec.h"

namespace suanli::consensus::test {

RaftConfig test_config(NodeId id) {
  RaftConfig c;
  c.id = id;
  c.seed = id;
  c.election_ticks = 10;
  c.heartbeat_ticks = 1;
  c.pre_vote = false;
  c.check_quorum = false;
  return c;
}

TestNode make_node(NodeId id, const std::vector<NodeId>& voters,
                   const std::function<void(RaftConfig&)>& tweak) {
  TestNode n;
  n.storage = std::make_unique<MemoryStorage>();
  if (!voters.empty()) n.storage->bootstrap(voters);
  RaftConfig c = test_config(id);
  if (tweak) tweak(c);
  n.core = std::make_unique<RaftCore>(c, *n.storage);
  return n;
}

void fill_log(MemoryStorage& storage, const std::vector<Term>& terms) {
  std::vector<Entry> entries;
  for (size_t i = 0; i < terms.size(); ++i) {
    entries.push_back(Entry{terms[i], storage.last_index() + 1 + i, EntryType::kNormal, "x"});
  }
  storage.append(entries);
}

std::vector<Message> handle_ready(TestNode& node) {
  if (!node.core->has_ready()) return {};
  Ready rd = node.core->ready();
  if (rd.snapshot) {
    EXPECT_TRUE(node.storage->apply_snapshot(*rd.snapshot).is_ok());
  }
  node.storage->append(rd.entries);
  if (rd.hard_state) node.storage->set_hard_state(*rd.hard_state);
  for (const Entry& e : rd.committed_entries) {
    if (e.type == EntryType::kConfChange) {
      Result<ConfChange> cc = decode_conf_change(e.data);
      EXPECT_TRUE(cc.is_ok());
      if (cc.is_ok()) node.core->apply_conf_change(*cc);
    } else if (!e.data.empty()) {
      node.applied.push_back(e);
    }
  }
  for (const ReadState& rs : rd.read_states) node.reads.push_back(rs);
  std::vector<Message> out = std::move(rd.messages);
  node.core->advance(rd);
  return out;
}

TestNetwork::TestNetwork(const std::vector<NodeId>& voters,
                         std::function<void(RaftConfig&)> tweak)
    : tweak_(std::move(tweak)), voters_(voters) {
  for (NodeId id : voters) nodes_.emplace(id, make_node(id, voters, tweak_));
  stabilize();  // apply the bootstrap entries
}

void TestNetwork::add_empty_node(NodeId id) { nodes_.emplace(id, make_node(id, {}, tweak_)); }

void TestNetwork::restart(NodeId id) {
  TestNode& n = nodes_.at(id);
  RaftConfig c = test_config(id);
  if (tweak_) tweak_(c);
  n.core = std::make_unique<RaftCore>(c, *n.storage);
  n.applied.clear();
}

void TestNetwork::deliver(const std::vector<Message>& msgs) {
  for (const Message& m : msgs) {
    if (blocked_.count({m.from, m.to}) > 0) continue;
    if (drop && drop(m)) continue;
    auto it = nodes_.find(m.to);
    if (it == nodes_.end()) continue;
    delivered.push_back(m);
    (void)it->second.core->step(m);
  }
}

void TestNetwork::stabilize() {
  for (int round = 0; round < 10000; ++round) {
    std::vector<Message> pending;
    for (auto& [id, n] : nodes_) {
      std::vector<Message> out = handle_ready(n);
      pending.insert(pending.end(), out.begin(), out.end());
    }
    if (pending.empty()) return;
    deliver(pending);
  }
  ADD_FAILURE() << "network did not stabilize";
}

void TestNetwork::tick(NodeId id, int n) {
  for (int i = 0; i < n; ++i) core(id).tick();
}

void TestNetwork::elect(NodeId id) {
  core(id).campaign();
  stabilize();
}

void TestNetwork::cut(NodeId a, NodeId b) {
  blocked_.insert({a, b});
  blocked_.insert({b, a});
}

void TestNetwork::isolate(NodeId id) {
  for (auto& [other, n] : nodes_) {
    if (other != id) cut(id, other);
  }
}

}  // namespace suanli::consensus::test
