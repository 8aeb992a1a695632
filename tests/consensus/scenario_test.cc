// Scenario tests: multi-node situations from the Raft paper, the dissertation
// and etcd's raft_test.go, run on TestNetwork.
#include <gtest/gtest.h>

#include "consensus/codec.h"
#include "tests/consensus/raft_test_util.h"

namespace suanli::consensus::test {
namespace {

const std::vector<NodeId> kThree = {1, 2, 3};

void with_pre_vote(RaftConfig& c) {
  c.pre_vote = true;
  c.check_quorum = true;
}

size_t leaders(TestNetwork& net, const std::vector<NodeId>& ids) {
  size_t n = 0;
  for (NodeId id : ids) n += net.core(id).role() == StateRole::kLeader ? 1 : 0;
  return n;
}

// Two candidates campaign at once: at most one wins the term; after the
// partition heals the cluster converges on one leader and one log.
TEST(ScenarioTest, DuelingCandidates) {
  TestNetwork net(kThree);
  net.cut(1, 3);
  net.core(1).campaign();
  net.core(3).campaign();
  net.stabilize();
  EXPECT_LE(leaders(net, kThree), 1u);
  // Node 2 voted for one of them in term 2; the other stays candidate.
  const bool one_leads = net.core(1).role() == StateRole::kLeader;
  const NodeId loser = one_leads ? 3 : 1;
  EXPECT_EQ(net.core(loser).role(), StateRole::kCandidate);
  net.heal();
  for (int i = 0; i < 40 && leaders(net, kThree) != 1; ++i) {
    for (NodeId id : kThree) net.tick(id);
    net.stabilize();
  }
  EXPECT_EQ(leaders(net, kThree), 1u);
  const NodeId leader = net.core(1).role() == StateRole::kLeader   ? 1
                        : net.core(2).role() == StateRole::kLeader ? 2
                                                                   : 3;
  net.tick(leader);  // a heartbeat resumes the probe of the former candidate
  net.stabilize();
  ASSERT_TRUE(net.core(leader).propose("x").is_ok());
  net.stabilize();
  for (NodeId id : kThree) EXPECT_EQ(net.node(id).applied.size(), 1u);
}

// Without pre-vote a follower that was partitioned comes back with a higher
// term and deposes the leader; with pre-vote it cannot.
TEST(ScenarioTest, DisruptiveRejoiningFollowerWithPreVote) {
  for (bool pre_vote : {false, true}) {
    TestNetwork net(kThree, [pre_vote](RaftConfig& c) { c.pre_vote = pre_vote; });
    net.elect(1);
    ASSERT_EQ(net.core(1).role(), StateRole::kLeader);
    const Term term = net.core(1).term();
    net.isolate(3);
    ASSERT_TRUE(net.core(1).propose("while-away").is_ok());
    net.stabilize();
    net.tick(3, 100);  // many election timeouts alone
    net.stabilize();
    net.heal();
    for (int i = 0; i < 25; ++i) {  // node 3 times out again
      net.tick(3, 1);
      net.stabilize();
    }
    if (pre_vote) {
      EXPECT_EQ(net.core(1).role(), StateRole::kLeader);
      EXPECT_EQ(net.core(1).term(), term);
      EXPECT_EQ(net.core(3).term(), term);
    } else {
      EXPECT_GT(net.core(1).term(), term) << "the rejoining node should disrupt without pre-vote";
    }
  }
}

// Check-quorum: a leader that hears from no majority for an election timeout
// steps down.
TEST(ScenarioTest, LeaderStepsDownOnLostQuorum) {
  TestNetwork net(kThree, with_pre_vote);
  net.elect(1);
  ASSERT_EQ(net.core(1).role(), StateRole::kLeader);
  net.isolate(1);
  for (int i = 0; i < 21; ++i) {
    net.tick(1);
    net.stabilize();
  }
  EXPECT_EQ(net.core(1).role(), StateRole::kFollower);
}

// Messages from an old leader, delivered late, change nothing; reordered
// acknowledgements never move a follower's match backwards.
TEST(ScenarioTest, OldAndReorderedMessagesIgnored) {
  TestNetwork net(kThree);
  net.elect(1);
  const Term old_term = net.core(1).term();
  net.elect(2);
  ASSERT_EQ(net.core(2).role(), StateRole::kLeader);
  ASSERT_TRUE(net.core(2).propose("new").is_ok());
  net.stabilize();
  const Index last = net.core(3).log().last_index();
  Message stale;
  stale.type = MessageType::kApp;
  stale.from = 1;
  stale.to = 3;
  stale.term = old_term;
  stale.index = last - 1;
  stale.log_term = net.core(3).log().term_or_zero(last - 1);
  stale.entries = {Entry{old_term, last, EntryType::kNormal, "old"}};
  net.deliver({stale});
  EXPECT_EQ(net.core(3).log().last_index(), last);
  EXPECT_EQ(net.core(3).log().term_or_zero(last), net.core(2).term());
  // Reordered responses: a late ack for an earlier index.
  const Index match = net.core(2).TEST_progress(3)->match();
  Message late;
  late.type = MessageType::kAppResp;
  late.from = 3;
  late.to = 2;
  late.term = net.core(2).term();
  late.index = match - 2;
  net.deliver({late});
  EXPECT_EQ(net.core(2).TEST_progress(3)->match(), match);
  late.reject = true;  // a stale rejection is ignored as well
  late.reject_hint = match - 3;
  net.deliver({late});
  EXPECT_EQ(net.core(2).TEST_progress(3)->match(), match);
}

// A follower that fell behind a compacted log is restored from a snapshot
// sent in chunks, then catches up with entries.
TEST(ScenarioTest, SlowFollowerRestoredFromSnapshot) {
  TestNetwork net(kThree, [](RaftConfig& c) { c.snapshot_chunk_bytes = 7; });
  net.elect(1);
  net.isolate(3);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(net.core(1).propose("e" + std::to_string(i)).is_ok());
  net.stabilize();
  const Index applied = net.core(1).log().applied();
  MemoryStorage& s1 = *net.node(1).storage;
  const Bytes data = "snapshot-data-40-bytes-long-abcdefghijkl";
  ASSERT_TRUE(s1.create_snapshot(applied, net.core(1).conf_state(), data).is_ok());
  ASSERT_TRUE(s1.compact(applied).is_ok());
  net.heal();
  net.delivered.clear();
  for (int i = 0; i < 10; ++i) {
    net.tick(1);
    net.stabilize();
  }
  size_t chunks = 0;
  for (const Message& m : net.delivered) chunks += m.type == MessageType::kSnap ? 1 : 0;
  EXPECT_GE(chunks, 6u);  // 40 bytes in chunks of 7
  EXPECT_EQ(net.node(3).storage->snapshot()->data, "snapshot-data-40-bytes-long-abcdefghijkl");
  EXPECT_EQ(net.core(3).log().committed(), net.core(1).log().committed());
  ASSERT_TRUE(net.core(1).propose("after").is_ok());
  net.stabilize();
  ASSERT_FALSE(net.node(3).applied.empty());
  EXPECT_EQ(net.node(3).applied.back().data, "after");
}

// A new leader treats conf changes in its log as pending: it refuses another
// one until it has applied everything up to its own first entry.
TEST(ScenarioTest, ConfChangePendingAtNewLeader) {
  TestNetwork net(kThree);
  net.elect(1);
  // One change at a time: a second proposal waits for the first to apply.
  net.drop = [](const Message& m) { return m.type == MessageType::kAppResp; };
  ASSERT_TRUE(net.core(1).propose_conf_change({ConfChangeType::kAddLearner, 4}).is_ok());
  EXPECT_EQ(net.core(1).propose_conf_change({ConfChangeType::kAddLearner, 5}).code(),
            kErrConfChangePending);
  net.stabilize();
  // Node 2 takes over with the change in its log, unapplied: still pending.
  net.elect(2);
  ASSERT_EQ(net.core(2).role(), StateRole::kLeader);
  EXPECT_EQ(net.core(2).propose_conf_change({ConfChangeType::kAddLearner, 5}).code(),
            kErrConfChangePending);
  net.drop = nullptr;
  net.tick(2);
  net.stabilize();
  EXPECT_EQ(net.core(2).conf_state().learners, std::vector<NodeId>{4});
  EXPECT_TRUE(net.core(2).propose_conf_change({ConfChangeType::kAddLearner, 5}).is_ok());
}

// A new leader must commit an entry of its own term before it may propose a
// membership change (the single-server change fix from the dissertation).
TEST(ScenarioTest, ConfChangeWaitsForNewLeaderCommitInItsTerm) {
  TestNetwork net(kThree);
  net.elect(1);
  net.drop = [](const Message& m) { return m.type == MessageType::kAppResp; };
  net.elect(2);
  ASSERT_EQ(net.core(2).role(), StateRole::kLeader);
  EXPECT_EQ(net.core(2).propose_conf_change({ConfChangeType::kAddLearner, 4}).code(),
            kErrConfChangePending);
  net.drop = nullptr;
  net.tick(2);
  net.stabilize();
  EXPECT_TRUE(net.core(2).propose_conf_change({ConfChangeType::kAddLearner, 4}).is_ok());
}

// Leadership transfer to an up-to-date follower happens at once.
TEST(ScenarioTest, LeadershipTransferToUpToDateFollower) {
  TestNetwork net(kThree, with_pre_vote);
  net.elect(1);
  ASSERT_EQ(net.core(1).role(), StateRole::kLeader);
  ASSERT_TRUE(net.core(1).transfer_leader(2).is_ok());
  net.stabilize();
  EXPECT_EQ(net.core(2).role(), StateRole::kLeader);
  EXPECT_EQ(net.core(1).role(), StateRole::kFollower);
  EXPECT_EQ(net.core(1).leader(), 2u);
}

// A lagging transferee is first caught up, then told to campaign.
TEST(ScenarioTest, LeadershipTransferToLaggingFollower) {
  TestNetwork net(kThree, with_pre_vote);
  net.elect(1);
  net.isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(net.core(1).propose("x").is_ok());
  net.stabilize();
  net.heal();
  ASSERT_LT(net.core(3).log().last_index(), net.core(1).log().last_index());
  ASSERT_TRUE(net.core(1).transfer_leader(3).is_ok());
  // Proposals are refused while the transfer is in progress.
  EXPECT_EQ(net.core(1).propose("y").code(), kErrProposalDropped);
  net.stabilize();
  EXPECT_EQ(net.core(3).role(), StateRole::kLeader);
  EXPECT_EQ(net.node(3).applied.size(), 5u);
}

// A transfer that cannot finish is aborted after an election timeout and the
// old leader accepts proposals again.
TEST(ScenarioTest, LeadershipTransferAbortedOnTimeout) {
  TestNetwork net(kThree, with_pre_vote);
  net.elect(1);
  net.isolate(3);
  ASSERT_TRUE(net.core(1).transfer_leader(3).is_ok());
  EXPECT_EQ(net.core(1).lead_transferee(), 3u);
  for (int i = 0; i < 10; ++i) {
    net.tick(1);
    net.stabilize();
  }
  EXPECT_EQ(net.core(1).lead_transferee(), kNoNode);
  EXPECT_EQ(net.core(1).role(), StateRole::kLeader);
  EXPECT_TRUE(net.core(1).propose("z").is_ok());
}

// A new leader does not answer ReadIndex before it has committed an entry
// of its own term: its commit index could lag its predecessor's.
TEST(ScenarioTest, ReadIndexRefusedBeforeNewLeaderCommitsInItsTerm) {
  TestNetwork net(kThree);
  net.drop = [](const Message& m) { return m.type == MessageType::kApp; };
  net.elect(1);
  ASSERT_EQ(net.core(1).role(), StateRole::kLeader);
  ASSERT_NE(net.core(1).log().term_or_zero(net.core(1).log().committed()), net.core(1).term());
  ASSERT_TRUE(net.core(1).read_index("r1").is_ok());
  net.tick(1);
  net.stabilize();
  EXPECT_TRUE(net.node(1).reads.empty()) << "answered a read before committing in its term";
  net.drop = nullptr;
  net.tick(1);
  net.stabilize();
  ASSERT_EQ(net.node(1).reads.size(), 1u);
  EXPECT_EQ(net.node(1).reads[0].context, "r1");
  EXPECT_EQ(net.node(1).reads[0].index, net.core(1).log().committed());
}

// A follower's ReadIndex is forwarded to the leader and confirmed by a quorum.
TEST(ScenarioTest, ReadIndexFromFollower) {
  TestNetwork net(kThree);
  net.elect(1);
  ASSERT_TRUE(net.core(1).propose("w").is_ok());
  net.stabilize();
  ASSERT_TRUE(net.core(2).read_index("r").is_ok());
  net.stabilize();
  ASSERT_EQ(net.node(2).reads.size(), 1u);
  EXPECT_EQ(net.node(2).reads[0].index, net.core(1).log().committed());
}

// Reads not confirmed when leadership changes come back as dropped, not
// silently lost: the leader's own (waiting for heartbeat acks that never
// come) and a follower's forwarded one (the leader it asked is gone); a late
// answer to a dropped read is ignored.
TEST(ScenarioTest, ReadIndexPendingAtALeadershipChangeIsReportedDropped) {
  TestNetwork net(kThree);
  net.elect(1);
  ASSERT_TRUE(net.core(1).propose("w").is_ok());
  net.stabilize();
  // Heartbeats and their acks lost: the leader cannot confirm its reads.
  net.drop = [](const Message& m) {
    return m.type == MessageType::kHeartbeat || m.type == MessageType::kHeartbeatResp;
  };
  ASSERT_TRUE(net.core(1).read_index("at-leader").is_ok());
  net.stabilize();
  EXPECT_TRUE(net.node(1).reads.empty());
  // Node 3's request reaches the leader; the answer never comes back.
  net.drop = [](const Message& m) {
    return m.type == MessageType::kHeartbeat || m.type == MessageType::kHeartbeatResp ||
           m.type == MessageType::kReadIndexResp;
  };
  ASSERT_TRUE(net.core(3).read_index("at-follower").is_ok());
  net.stabilize();
  EXPECT_TRUE(net.node(3).reads.empty());
  EXPECT_FALSE(net.core(3).read_index("at-follower").is_ok()) << "duplicate context";
  net.drop = nullptr;
  net.elect(2);
  ASSERT_EQ(net.core(2).role(), StateRole::kLeader);
  net.stabilize();
  ASSERT_EQ(net.node(1).reads.size(), 1u);
  EXPECT_EQ(net.node(1).reads[0], (ReadState{0, "at-leader", true}));
  ASSERT_EQ(net.node(3).reads.size(), 1u);
  EXPECT_EQ(net.node(3).reads[0], (ReadState{0, "at-follower", true}));
  // The same context may be asked again, now of the new leader.
  ASSERT_TRUE(net.core(3).read_index("at-follower").is_ok());
  net.stabilize();
  ASSERT_EQ(net.node(3).reads.size(), 2u);
  EXPECT_FALSE(net.node(3).reads[1].dropped);
  EXPECT_EQ(net.node(3).reads[1].index, net.core(2).log().committed());
}

// A forwarded read whose request or answer the network lost is reported
// dropped after two election timeouts, with no change of leader.
TEST(ScenarioTest, ForwardedReadIndexLostInTheNetworkExpires) {
  TestNetwork net(kThree);
  net.elect(1);
  net.drop = [](const Message& m) { return m.type == MessageType::kReadIndex; };
  ASSERT_TRUE(net.core(2).read_index("lost").is_ok());
  net.stabilize();
  auto tick_all = [&] {
    for (NodeId id : kThree) net.tick(id);
    net.stabilize();
  };
  const int timeout = static_cast<int>(test_config(2).election_ticks);
  for (int i = 0; i < 2 * timeout; ++i) tick_all();
  EXPECT_TRUE(net.node(2).reads.empty()) << "dropped before two election timeouts";
  tick_all();
  ASSERT_EQ(net.node(2).reads.size(), 1u);
  EXPECT_EQ(net.node(2).reads[0], (ReadState{0, "lost", true}));
  EXPECT_EQ(net.core(1).role(), StateRole::kLeader);
}

// A learner receives the log but does not vote or count for commit; once
// promoted it is a voter.
TEST(ScenarioTest, LearnerPromotion) {
  TestNetwork net(kThree);
  net.add_empty_node(4);
  net.elect(1);
  ASSERT_TRUE(net.core(1).propose_conf_change({ConfChangeType::kAddLearner, 4}).is_ok());
  net.stabilize();
  ASSERT_TRUE(net.core(1).propose("data").is_ok());
  net.stabilize();
  EXPECT_EQ(net.node(4).applied.size(), 1u);
  EXPECT_EQ(net.core(4).conf_state().learners, std::vector<NodeId>{4});
  net.core(4).campaign();  // a learner cannot campaign
  EXPECT_EQ(net.core(4).role(), StateRole::kFollower);
  ASSERT_TRUE(net.core(1).propose_conf_change({ConfChangeType::kAddNode, 4}).is_ok());
  net.stabilize();
  EXPECT_EQ(net.core(1).conf_state().voters, (std::vector<NodeId>{1, 2, 3, 4}));
  net.elect(4);
  EXPECT_EQ(net.core(4).role(), StateRole::kLeader);
}

// Removing the leader: it steps down once the change is applied and the
// rest elect a new leader that keeps committing.
TEST(ScenarioTest, RemoveLeader) {
  TestNetwork net(kThree);
  net.elect(1);
  ASSERT_TRUE(net.core(1).propose_conf_change({ConfChangeType::kRemoveNode, 1}).is_ok());
  net.stabilize();
  EXPECT_NE(net.core(1).role(), StateRole::kLeader);
  EXPECT_EQ(net.core(2).conf_state().voters, (std::vector<NodeId>{2, 3}));
  net.core(1).campaign();  // no longer a voter
  EXPECT_NE(net.core(1).role(), StateRole::kCandidate);
  net.elect(2);
  ASSERT_EQ(net.core(2).role(), StateRole::kLeader);
  ASSERT_TRUE(net.core(2).propose("after").is_ok());
  net.stabilize();
  EXPECT_EQ(net.node(3).applied.back().data, "after");
}

// Flow control: in replicate state at most max_inflight_msgs kApps are
// outstanding per follower.
TEST(ScenarioTest, InflightMessagesBounded) {
  TestNetwork net(kThree, [](RaftConfig& c) {
    c.max_inflight_msgs = 3;
    c.max_msg_bytes = 1;  // one entry per message
  });
  net.elect(1);
  ASSERT_EQ(net.core(1).TEST_progress(2)->state(), ProgressState::kReplicate);
  net.drop = [](const Message& m) { return m.to == 2; };
  net.delivered.clear();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(net.core(1).propose("p").is_ok());
  std::vector<Message> out = handle_ready(net.node(1));
  size_t to2 = 0;
  for (const Message& m : out) to2 += (m.type == MessageType::kApp && m.to == 2) ? 1 : 0;
  EXPECT_EQ(to2, 3u);
  EXPECT_TRUE(net.core(1).TEST_progress(2)->is_paused());
}

// The leader refuses proposals once max_uncommitted_bytes are pending.
TEST(ScenarioTest, UncommittedBytesBounded) {
  TestNetwork net(kThree, [](RaftConfig& c) { c.max_uncommitted_bytes = 100; });
  net.elect(1);
  net.isolate(1);
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += net.core(1).propose(std::string(30, 'u')).is_ok();
  EXPECT_EQ(accepted, 3);
  net.heal();
  net.tick(1);
  net.stabilize();
  EXPECT_EQ(net.core(1).TEST_uncommitted_bytes(), 0u);
  EXPECT_TRUE(net.core(1).propose(std::string(30, 'u')).is_ok());
}

// Fast backtracking: a follower with a long conflicting suffix is repaired in
// a few round trips, not one per entry.
TEST(ScenarioTest, FastBacktrackingSkipsConflictingTerms) {
  TestNetwork net(kThree);
  net.elect(1);
  net.isolate(1);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(net.core(1).propose("stale").is_ok());
  net.stabilize();
  net.elect(2);  // node 1 is still isolated: 2 and 3 elect 2 in term 3
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(net.core(2).propose("fresh").is_ok());
  net.stabilize();
  net.heal();
  net.delivered.clear();
  net.tick(2);
  net.stabilize();
  size_t rejects = 0;
  for (const Message& m : net.delivered) {
    rejects += (m.type == MessageType::kAppResp && m.reject) ? 1 : 0;
  }
  EXPECT_LE(rejects, 3u);
  EXPECT_EQ(net.core(1).log().last_index(), net.core(2).log().last_index());
  EXPECT_EQ(net.core(1).log().term_or_zero(net.core(1).log().last_index()), net.core(2).term());
}

}  // namespace
}  // namespace suanli::consensus::test
