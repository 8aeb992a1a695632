// Regression tests for bugs the simulator found, named after the seed that
// found each one. Each has a focused unit test and reruns its seed.
#include <gtest/gtest.h>

#include "tests/consensus/raft_test_util.h"
#include "tests/consensus/sim_util.h"

namespace suanli::consensus::test {
namespace {

const std::vector<NodeId> kThree = {1, 2, 3};

Message app(NodeId from, Term term, Index prev, Term prev_term, const std::vector<Term>& terms) {
  Message m;
  m.type = MessageType::kApp;
  m.from = from;
  m.to = 1;
  m.term = term;
  m.index = prev;
  m.log_term = prev_term;
  for (size_t i = 0; i < terms.size(); ++i) {
    m.entries.push_back(Entry{terms[i], prev + 1 + i, EntryType::kNormal, "e"});
  }
  return m;
}

// Seed 34: a follower accepted entries 4..6 from the term-2 leader and, before
// its Ready was handled, a term-3 leader overwrote them. The ack for index 6
// (term 2) was still sent after persisting a log without it, so the old
// leader could count an entry the follower no longer had.
TEST(RegressionTest, Seed34StaleAckAfterTruncationIsNotSent) {
  TestNode n = make_node(1, kThree);
  handle_ready(n);
  ASSERT_TRUE(n.core->step(app(2, 2, 3, 1, {2, 2, 2})).is_ok());
  ASSERT_TRUE(n.core->step(app(3, 3, 3, 1, {3})).is_ok());
  for (const Message& m : handle_ready(n)) {
    if (m.type == MessageType::kAppResp && !m.reject) {
      EXPECT_LE(m.index, n.storage->last_index());
      EXPECT_EQ(m.term, 3u);
    }
  }
  EXPECT_EQ(n.storage->last_index(), 4u);
}

// Seed 270: a node granted its vote in term 2, then moved to term 3 before
// the Ready; the grant for term 2 was sent although the durable hard state
// said term 3 with no record of that vote.
TEST(RegressionTest, Seed270VoteGrantOfOlderTermIsNotSent) {
  TestNode n = make_node(1, kThree);
  handle_ready(n);
  Message vote;
  vote.type = MessageType::kVote;
  vote.from = 2;
  vote.to = 1;
  vote.term = 2;
  vote.index = 3;
  vote.log_term = 1;
  ASSERT_TRUE(n.core->step(vote).is_ok());
  vote.from = 3;
  vote.term = 3;
  ASSERT_TRUE(n.core->step(vote).is_ok());
  for (const Message& m : handle_ready(n)) {
    if (m.type == MessageType::kVoteResp && !m.reject) {
      EXPECT_EQ(m.term, n.storage->hard_state().term);
      EXPECT_EQ(m.to, n.storage->hard_state().vote);
    }
  }
}

// Seed 136: in replicate state with the inflight window full, every kApp to
// a follower was lost; heartbeat responses did not free the window, so the
// leader never sent again and the follower stayed behind forever.
TEST(RegressionTest, Seed136FullInflightWindowRecoversAfterLoss) {
  TestNetwork net(kThree, [](RaftConfig& c) {
    c.max_inflight_msgs = 2;
    c.max_msg_bytes = 1;
  });
  net.elect(1);
  net.drop = [](const Message& m) { return m.type == MessageType::kApp && m.to == 3; };
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(net.core(1).propose("x").is_ok());
  net.stabilize();
  ASSERT_TRUE(net.core(1).TEST_progress(3)->is_paused());
  net.drop = nullptr;
  for (int i = 0; i < 10; ++i) {
    net.tick(1);
    net.stabilize();
  }
  EXPECT_EQ(net.core(3).log().last_index(), net.core(1).log().last_index());
  EXPECT_EQ(net.node(3).applied.size(), 6u);
}

TEST(SimRegressionTest, Seeds) {
  for (uint64_t seed : {34u, 136u, 270u}) {
    sim::SimOptions opts;
    opts.seed = seed;
    const sim::SimResult r = sim::run_simulation(opts);
    EXPECT_TRUE(r.ok) << "seed " << seed << ": " << r.failure;
  }
}

}  // namespace
}  // namespace suanli::consensus::test
