// Helpers for RaftCore tests: a node with its MemoryStorage, a Ready handler
// that persists and applies like a real driver, and a small in-memory network
// that delivers messages until the cluster is quiet.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "consensus/memory_storage.h"
#include "consensus/raft_core.h"

namespace suanli::consensus::test {

// election 10, heartbeat 1, pre-vote and check-quorum off (tests turn them on).
RaftConfig test_config(NodeId id);

struct TestNode {
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<RaftCore> core;
  std::vector<Entry> applied;  // normal entries with data
  std::vector<ReadState> reads;
};

// Builds a node whose storage is bootstrapped with voters (or empty).
TestNode make_node(NodeId id, const std::vector<NodeId>& voters,
                   const std::function<void(RaftConfig&)>& tweak = nullptr);
// Persists, applies (conf changes included) and advances one Ready; returns
// the messages to send.
std::vector<Message> handle_ready(TestNode& node);
// A storage whose log holds entries with the given terms at indexes 1..n.
void fill_log(MemoryStorage& storage, const std::vector<Term>& terms);

class TestNetwork {
 public:
  explicit TestNetwork(const std::vector<NodeId>& voters,
                       std::function<void(RaftConfig&)> tweak = nullptr);

  RaftCore& core(NodeId id) { return *nodes_.at(id).core; }
  TestNode& node(NodeId id) { return nodes_.at(id); }
  // Adds a node with empty storage (it joins through a conf change).
  void add_empty_node(NodeId id);
  // Replaces a node's core by a fresh one over the same storage.
  void restart(NodeId id);

  // Handles Readys and delivers messages until nothing is left.
  void stabilize();
  // Delivers these messages (subject to the filters), without stabilizing.
  void deliver(const std::vector<Message>& msgs);
  void tick(NodeId id, int n = 1);
  void elect(NodeId id);

  void cut(NodeId a, NodeId b);
  void isolate(NodeId id);
  void heal() { blocked_.clear(); }
  // Messages for which drop returns true are lost.
  std::function<bool(const Message&)> drop;
  // Every message delivered so far (for assertions).
  std::vector<Message> delivered;

 private:
  std::function<void(RaftConfig&)> tweak_;
  std::vector<NodeId> voters_;
  std::map<NodeId, TestNode> nodes_;
  std::set<std::pair<NodeId, NodeId>> blocked_;
};

}  // namespace suanli::consensus::test
