// SnapshotReceiver and ReadIndex unit tests.
#include <gtest/gtest.h>

#include "consensus/read_index.h"
#include "consensus/snapshot_receiver.h"
#include "tests/consensus/raft_test_util.h"

namespace suanli::consensus {
namespace {

Message chunk(uint64_t offset, const Bytes& data, uint64_t total, Index index = 10) {
  Message m;
  m.type = MessageType::kSnap;
  m.from = 1;
  m.to = 2;
  m.term = 3;
  m.snapshot = SnapshotMeta{index, 3, ConfState{{1, 2, 3}, {}}};
  m.snap_offset = offset;
  m.snap_total = total;
  m.snap_data = data;
  return m;
}

TEST(SnapshotReceiverTest, AssemblesInOrderChunks) {
  SnapshotReceiver r;
  EXPECT_EQ(r.add_chunk(chunk(0, "abc", 7)).next_offset, 3u);
  EXPECT_EQ(r.add_chunk(chunk(3, "de", 7)).next_offset, 5u);
  ChunkOutcome last = r.add_chunk(chunk(5, "fg", 7));
  ASSERT_TRUE(last.snapshot.has_value());
  EXPECT_EQ(last.snapshot->data, "abcdefg");
  EXPECT_EQ(last.snapshot->meta.index, 10u);
  EXPECT_FALSE(r.active());
}

TEST(SnapshotReceiverTest, GapsDuplicatesAndOtherSnapshotsAskForTheRightOffset) {
  SnapshotReceiver r;
  EXPECT_EQ(r.add_chunk(chunk(3, "de", 7)).next_offset, 0u);  // nothing started
  r.add_chunk(chunk(0, "abc", 7));
  EXPECT_EQ(r.add_chunk(chunk(5, "fg", 7)).next_offset, 3u);   // gap
  EXPECT_EQ(r.add_chunk(chunk(0, "abc", 7)).next_offset, 3u);  // restart is accepted
  EXPECT_EQ(r.add_chunk(chunk(3, "de", 7, 11)).next_offset, 0u);  // another snapshot
  r.add_chunk(chunk(0, "abc", 7));
  r.add_chunk(chunk(3, "de", 7));
  EXPECT_TRUE(r.add_chunk(chunk(5, "fg", 7)).snapshot.has_value());
}

TEST(SnapshotReceiverTest, EmptySnapshotCompletesAtOnce) {
  SnapshotReceiver r;
  EXPECT_TRUE(r.add_chunk(chunk(0, "", 0)).snapshot.has_value());
}

TEST(ReadIndexTest, DeferredReadsShareOneHeartbeatRound) {
  Outbox outbox(1);
  outbox.set_term(2);
  ReadIndex ri(1, outbox);
  MajorityConfig voters({1, 2, 3});
  bool heartbeat = true;
  for (const char* ctx : {"a", "b", "c"}) {
    ASSERT_TRUE(ri.on_request(ctx, 1, LeaderCommit{5, false}, voters, &heartbeat).is_ok());
    EXPECT_FALSE(heartbeat);  // deferred: the leader has not committed in its term
  }
  EXPECT_TRUE(ri.release_deferred(LeaderCommit{7, true}, voters));
  ASSERT_NE(ri.last_pending_context(), nullptr);
  EXPECT_EQ(*ri.last_pending_context(), "c");
  ri.on_ack(2, "c", voters);  // one ack for the last context answers all three
  std::vector<ReadState> states = ri.take_read_states();
  ASSERT_EQ(states.size(), 3u);
  for (const ReadState& rs : states) EXPECT_EQ(rs.index, 7u);
}

TEST(ReadIndexTest, DuplicateContextRefused) {
  Outbox outbox(1);
  outbox.set_term(2);
  ReadIndex ri(1, outbox);
  MajorityConfig voters({1, 2, 3});
  bool heartbeat = false;
  ASSERT_TRUE(ri.on_request("x", 1, LeaderCommit{5, true}, voters, &heartbeat).is_ok());
  EXPECT_TRUE(heartbeat);
  EXPECT_FALSE(ri.on_request("x", 1, LeaderCommit{5, true}, voters, &heartbeat).is_ok());
}

// Check-quorum lease: while a follower hears from its leader it ignores vote
// requests, so a node with a flaky link cannot depose a healthy leader.
TEST(CheckQuorumTest, VotesIgnoredWithinLeaderLease) {
  test::TestNetwork net({1, 2, 3}, [](RaftConfig& c) { c.check_quorum = true; });
  net.elect(1);
  const Term term = net.core(1).term();
  Message vote;
  vote.type = MessageType::kVote;
  vote.from = 3;
  vote.to = 2;
  vote.term = term + 5;
  vote.index = net.core(3).log().last_index();
  vote.log_term = net.core(3).log().last_term();
  net.deliver({vote});
  EXPECT_EQ(net.core(2).term(), term);
  EXPECT_EQ(net.core(2).leader(), 1u);
  vote.transfer = true;  // a leadership transfer overrides the lease
  net.deliver({vote});
  EXPECT_EQ(net.core(2).term(), term + 5);
}

}  // namespace
}  // namespace suanli::consensus
