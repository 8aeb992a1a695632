// One test per rule of the Raft paper (Ongaro & Ousterhout, "In Search of an
// Understandable Consensus Algorithm"), named after the rule, after etcd's
// raft_paper_test.go. Each test sets up one node, feeds it messages, and
// checks what it does and what it would send.
#include <set>

#include <gtest/gtest.h>

#include "consensus/raft_core.h"
#include "tests/consensus/raft_test_util.h"

namespace suanli::consensus::test {
namespace {

const std::vector<NodeId> kThree = {1, 2, 3};

Message msg(MessageType type, NodeId from, NodeId to, Term term) {
  Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

// A node whose log is the bootstrap entries (term 1) followed by `terms`.
TestNode node_with_log(NodeId id, const std::vector<Term>& terms, Term term) {
  TestNode n;
  n.storage = std::make_unique<MemoryStorage>();
  n.storage->bootstrap(kThree);
  fill_log(*n.storage, terms);
  n.storage->set_hard_state(HardState{term, kNoNode, 3});
  n.core = std::make_unique<RaftCore>(test_config(id), *n.storage);
  return n;
}

std::vector<Message> of_type(const std::vector<Message>& msgs, MessageType type) {
  std::vector<Message> out;
  for (const Message& m : msgs) {
    if (m.type == type) out.push_back(m);
  }
  return out;
}

void make_leader(TestNode& n) {
  handle_ready(n);  // apply the bootstrap conf entries first
  n.core->campaign();
  handle_ready(n);
  Message grant = msg(MessageType::kVoteResp, 2, n.core->id(), n.core->term());
  ASSERT_TRUE(n.core->step(grant).is_ok());
  ASSERT_EQ(n.core->role(), StateRole::kLeader);
}

// §5.1: a server that sees a larger term adopts it and becomes a follower,
// whatever its role.
TEST(PaperTest, TermUpdateMakesAnyRoleFollower) {
  for (StateRole role : {StateRole::kFollower, StateRole::kCandidate, StateRole::kLeader}) {
    TestNode n = make_node(1, kThree);
    handle_ready(n);
    if (role != StateRole::kFollower) n.core->campaign();
    if (role == StateRole::kLeader) make_leader(n);
    ASSERT_EQ(n.core->role(), role);
    Message hb = msg(MessageType::kHeartbeat, 2, 1, 9);
    ASSERT_TRUE(n.core->step(hb).is_ok());
    EXPECT_EQ(n.core->role(), StateRole::kFollower) << role_name(role);
    EXPECT_EQ(n.core->term(), 9u);
    EXPECT_EQ(n.core->leader(), 2u);
  }
}

// §5.1: a request with a stale term is rejected (ignored).
TEST(PaperTest, StaleTermMessageRejected) {
  TestNode n = node_with_log(1, {}, 5);
  Message app = msg(MessageType::kApp, 2, 1, 4);
  app.index = 3;
  app.log_term = 1;
  app.entries = {Entry{4, 4, EntryType::kNormal, "stale"}};
  ASSERT_TRUE(n.core->step(app).is_ok());
  EXPECT_EQ(n.core->log().last_index(), 3u);
  EXPECT_EQ(n.core->term(), 5u);
  EXPECT_TRUE(of_type(handle_ready(n), MessageType::kAppResp).empty());
}

// §5.2: each server votes for at most one candidate per term, first come
// first served, and the vote is durable before the reply is sent.
TEST(PaperTest, OneVotePerTerm) {
  TestNode n = make_node(1, kThree);
  handle_ready(n);
  auto vote = [&](NodeId from) {
    Message m = msg(MessageType::kVote, from, 1, 2);
    m.index = 3;
    m.log_term = 1;
    EXPECT_TRUE(n.core->step(m).is_ok());
    Ready rd = n.core->ready();
    std::vector<Message> resp = of_type(rd.messages, MessageType::kVoteResp);
    EXPECT_EQ(resp.size(), 1u);
    if (rd.hard_state) n.storage->set_hard_state(*rd.hard_state);
    if (!resp[0].reject) {
      // The vote is durable (persisted from this Ready) before the reply is sent.
      EXPECT_EQ(n.storage->hard_state().vote, from);
      EXPECT_EQ(n.storage->hard_state().term, 2u);
    }
    n.core->advance(rd);
    return !resp[0].reject;
  };
  EXPECT_TRUE(vote(2));
  EXPECT_FALSE(vote(3));
  EXPECT_TRUE(vote(2));  // a repeated request from the same candidate
  EXPECT_EQ(n.core->vote(), 2u);
}

// §5.4.1: a vote is granted only to a candidate whose log is at least as
// up-to-date (higher last term, or same last term and at least as long).
TEST(PaperTest, UpToDateVoteRule) {
  struct Case {
    Term last_term;
    Index last_index;
    bool granted;
  };
  // The voter's log: terms 1 1 1 2 2 (last index 5, last term 2).
  const Case cases[] = {{1, 9, false}, {2, 4, false}, {2, 5, true}, {2, 6, true}, {3, 1, true}};
  for (const Case& c : cases) {
    TestNode n = node_with_log(1, {2, 2}, 2);
    Message m = msg(MessageType::kVote, 2, 1, 3);
    m.index = c.last_index;
    m.log_term = c.last_term;
    ASSERT_TRUE(n.core->step(m).is_ok());
    std::vector<Message> resp = of_type(handle_ready(n), MessageType::kVoteResp);
    ASSERT_EQ(resp.size(), 1u);
    EXPECT_EQ(!resp[0].reject, c.granted) << c.last_term << "/" << c.last_index;
  }
}

// §5.3: a follower refuses AppendEntries unless it holds the entry at
// (prevLogIndex, prevLogTerm); otherwise it appends and acknowledges.
TEST(PaperTest, AppendConsistencyCheck) {
  struct Case {
    Index prev_index;
    Term prev_term;
    bool accepted;
  };
  const Case cases[] = {{5, 2, true}, {5, 3, false}, {6, 2, false}, {3, 1, true}, {0, 0, true}};
  for (const Case& c : cases) {
    TestNode n = node_with_log(1, {2, 2}, 2);
    Message app = msg(MessageType::kApp, 2, 1, 2);
    app.index = c.prev_index;
    app.log_term = c.prev_term;
    ASSERT_TRUE(n.core->step(app).is_ok());
    std::vector<Message> resp = of_type(handle_ready(n), MessageType::kAppResp);
    ASSERT_EQ(resp.size(), 1u);
    EXPECT_EQ(!resp[0].reject, c.accepted) << c.prev_index << "/" << c.prev_term;
  }
}

// §5.3: a conflicting suffix is deleted and replaced by the leader's entries.
TEST(PaperTest, ConflictingEntriesAreReplaced) {
  TestNode n = node_with_log(1, {2, 2, 2}, 3);
  Message app = msg(MessageType::kApp, 2, 1, 3);
  app.index = 4;
  app.log_term = 2;
  app.entries = {Entry{3, 5, EntryType::kNormal, "a"}};
  ASSERT_TRUE(n.core->step(app).is_ok());
  handle_ready(n);
  EXPECT_EQ(n.core->log().last_index(), 5u);
  EXPECT_EQ(n.core->log().term_or_zero(5), 3u);
  EXPECT_EQ(n.storage->last_index(), 5u);
}

// §5.3, Figure 7: a new leader brings every kind of follower log (missing,
// extra uncommitted, conflicting entries) to match its own.
TEST(PaperTest, Figure7LogRepair) {
  const std::vector<Term> leader_log = {4, 4, 5, 5, 6, 6, 6};
  const std::vector<std::vector<Term>> followers = {
      {4, 4, 5, 5, 6, 6},           // (a) missing one entry
      {4},                          // (b) missing many
      {4, 4, 5, 5, 6, 6, 6, 6},     // (c) one extra uncommitted entry
      {4, 4, 5, 5, 6, 6, 6, 7, 7},  // (d) extra entries of a later term
      {4, 4, 4, 4},                 // (e) missing and conflicting
      {2, 2, 2, 3, 3, 3, 3, 3},     // (f) conflicting from index 4
  };
  for (size_t i = 0; i < followers.size(); ++i) {
    TestNode leader = node_with_log(1, leader_log, 7);
    TestNode follower = node_with_log(2, followers[i], 7);
    make_leader(leader);
    ASSERT_EQ(leader.core->term(), 8u);
    std::vector<Message> out = handle_ready(leader);
    for (int round = 0; round < 100 && !out.empty(); ++round) {
      std::vector<Message> next;
      for (const Message& m : out) {
        if (m.to != 2) continue;
        ASSERT_TRUE(follower.core->step(m).is_ok());
        for (const Message& r : handle_ready(follower)) {
          ASSERT_TRUE(leader.core->step(r).is_ok());
        }
      }
      out = handle_ready(leader);
    }
    const RaftLog& a = leader.core->log();
    const RaftLog& b = follower.core->log();
    ASSERT_EQ(a.last_index(), b.last_index()) << "case " << i;
    EXPECT_EQ(*a.slice(1, a.last_index() + 1, UINT64_MAX),
              *b.slice(1, b.last_index() + 1, UINT64_MAX))
        << "case " << i;
  }
}

// §5.4.2, Figure 8: a leader never commits an entry of an earlier term by
// counting replicas; it commits once an entry of its own term is replicated.
TEST(PaperTest, CommitOnlyCurrentTermEntries) {
  TestNode n = node_with_log(1, {2}, 2);  // index 4 is from term 2, uncommitted
  make_leader(n);                          // term 3, appends an empty entry at 5
  handle_ready(n);
  Message ack4 = msg(MessageType::kAppResp, 2, 1, 3);
  ack4.index = 4;
  ASSERT_TRUE(n.core->step(ack4).is_ok());
  EXPECT_EQ(n.core->log().committed(), 3u) << "an old-term entry was committed by counting";
  Message ack5 = msg(MessageType::kAppResp, 2, 1, 3);
  ack5.index = 5;
  ASSERT_TRUE(n.core->step(ack5).is_ok());
  EXPECT_EQ(n.core->log().committed(), 5u);
}

// §5.2: a follower that hears nothing for an election timeout becomes a
// candidate of the next term and asks every other voter for its vote.
TEST(PaperTest, FollowerStartsElectionOnTimeout) {
  TestNode n = make_node(1, kThree);
  handle_ready(n);
  for (int i = 0; i < 20; ++i) n.core->tick();
  EXPECT_EQ(n.core->role(), StateRole::kCandidate);
  EXPECT_EQ(n.core->term(), 2u);
  std::set<NodeId> asked;
  for (const Message& m : of_type(handle_ready(n), MessageType::kVote)) asked.insert(m.to);
  EXPECT_EQ(asked, (std::set<NodeId>{2, 3}));
}

// §5.2: election timeouts are randomized so that split votes are rare.
TEST(PaperTest, ElectionTimeoutsAreRandomized) {
  std::set<uint32_t> timeouts;
  for (NodeId id = 1; id <= 20; ++id) {
    TestNode n = make_node(id, {id});
    const uint32_t t = n.core->TEST_randomized_election_timeout();
    EXPECT_GE(t, 10u);
    EXPECT_LT(t, 20u);
    timeouts.insert(t);
  }
  EXPECT_GT(timeouts.size(), 3u);
}

// §5.2: a candidate that receives AppendEntries from a leader of its term
// returns to follower.
TEST(PaperTest, CandidateConcedesToLeaderOfItsTerm) {
  TestNode n = make_node(1, kThree);
  handle_ready(n);
  n.core->campaign();
  ASSERT_EQ(n.core->role(), StateRole::kCandidate);
  Message hb = msg(MessageType::kHeartbeat, 2, 1, n.core->term());
  ASSERT_TRUE(n.core->step(hb).is_ok());
  EXPECT_EQ(n.core->role(), StateRole::kFollower);
  EXPECT_EQ(n.core->leader(), 2u);
}

// §5.3: an entry is committed once a majority stores it; earlier entries
// commit with it and followers learn the commit index from the leader.
TEST(PaperTest, LeaderCommitsOnMajorityAndFollowersApplyInOrder) {
  TestNetwork net(kThree);
  net.elect(1);
  net.isolate(3);
  ASSERT_TRUE(net.core(1).propose("a").is_ok());
  ASSERT_TRUE(net.core(1).propose("b").is_ok());
  net.stabilize();
  EXPECT_EQ(net.node(1).applied.size(), 2u);
  EXPECT_EQ(net.node(2).applied.size(), 2u);
  EXPECT_TRUE(net.node(3).applied.empty());
  net.heal();
  net.tick(1, 1);
  net.stabilize();
  ASSERT_EQ(net.node(3).applied.size(), 2u);
  EXPECT_EQ(net.node(3).applied[0].data, "a");
  EXPECT_EQ(net.node(3).applied[1].data, "b");
}

}  // namespace
}  // namespace suanli::consensus::test
