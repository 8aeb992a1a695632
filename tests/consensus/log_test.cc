// Unit tests of the log-side classes: MemoryStorage, RaftLog, Inflights,
// MajorityConfig.
#include <gtest/gtest.h>

#include "consensus/inflights.h"
#include "consensus/memory_storage.h"
#include "consensus/quorum.h"
#include "consensus/raft_log.h"
#include "tests/consensus/raft_test_util.h"

namespace suanli::consensus {
namespace {

std::vector<Entry> ents(Index first, const std::vector<Term>& terms) {
  std::vector<Entry> out;
  for (size_t i = 0; i < terms.size(); ++i) {
    out.push_back(Entry{terms[i], first + i, EntryType::kNormal, "e"});
  }
  return out;
}

TEST(MemoryStorageTest, AppendTruncatesConflictingSuffix) {
  MemoryStorage s;
  s.append(ents(1, {1, 1, 2, 2}));
  s.append(ents(3, {3}));
  EXPECT_EQ(s.last_index(), 3u);
  EXPECT_EQ(*s.term(3), 3u);
}

TEST(MemoryStorageTest, CompactAndSnapshot) {
  MemoryStorage s;
  s.append(ents(1, {1, 1, 2, 2, 3}));
  ASSERT_TRUE(s.create_snapshot(3, ConfState{{1}, {}}, "snap").is_ok());
  ASSERT_TRUE(s.compact(3).is_ok());
  EXPECT_EQ(s.first_index(), 4u);
  EXPECT_EQ(*s.term(3), 2u);
  EXPECT_EQ(s.term(2).status().code(), kErrCompacted);
  EXPECT_EQ(s.entries(3, 5, UINT64_MAX).status().code(), kErrCompacted);
  EXPECT_EQ(s.entries(4, 6, UINT64_MAX)->size(), 2u);
  EXPECT_EQ(s.entries(4, 6, 1)->size(), 1u);  // size limit keeps one entry
  EXPECT_FALSE(s.create_snapshot(2, ConfState{}, "old").is_ok());
  Snapshot newer{SnapshotMeta{10, 4, ConfState{{1}, {}}}, "n"};
  ASSERT_TRUE(s.apply_snapshot(newer).is_ok());
  EXPECT_EQ(s.first_index(), 11u);
  EXPECT_EQ(s.last_index(), 10u);
}

TEST(RaftLogTest, FindConflictByTermSkipsWholeTerms) {
  MemoryStorage s;
  s.append(ents(1, {1, 1, 2, 2, 2, 5, 5}));
  RaftLog log(s);
  EXPECT_EQ(log.find_conflict_by_term(7, 4), (std::pair<Index, Term>{5, 2}));
  EXPECT_EQ(log.find_conflict_by_term(7, 5), (std::pair<Index, Term>{7, 5}));
  EXPECT_EQ(log.find_conflict_by_term(4, 1), (std::pair<Index, Term>{2, 1}));
}

TEST(RaftLogTest, UnstableEntriesOverrideStorageSuffix) {
  MemoryStorage s;
  s.append(ents(1, {1, 1, 1}));
  RaftLog log(s);
  ASSERT_TRUE(log.maybe_append(1, 1, 0, ents(2, {2, 2, 2})).has_value());
  EXPECT_EQ(log.last_index(), 4u);
  EXPECT_EQ(log.term_or_zero(2), 2u);
  EXPECT_EQ(log.stable_last_index(), 1u);
  EXPECT_EQ(log.unstable_entries().size(), 3u);
  s.append(log.unstable_entries());
  log.stable_to(4, 2);
  EXPECT_TRUE(log.unstable_entries().empty());
  EXPECT_EQ(log.stable_last_index(), 4u);
}

TEST(RaftLogTest, MaybeCommitOnlyCurrentTerm) {
  MemoryStorage s;
  s.append(ents(1, {1, 2}));
  RaftLog log(s);
  EXPECT_FALSE(log.maybe_commit(2, 3));
  EXPECT_TRUE(log.maybe_commit(2, 2));
  EXPECT_EQ(log.committed(), 2u);
}

TEST(RaftLogTest, NextCommittedEntriesRespectsByteLimit) {
  MemoryStorage s;
  s.append(ents(1, {1, 1, 1, 1}));
  RaftLog log(s);
  log.commit_to(4);
  EXPECT_EQ(log.next_committed_entries(1).size(), 1u);
  EXPECT_EQ(log.next_committed_entries(UINT64_MAX).size(), 4u);
  log.applied_to(2);
  EXPECT_EQ(log.next_committed_entries(UINT64_MAX).front().index, 3u);
}

TEST(InflightsTest, BoundedByCountAndBytes) {
  Inflights by_count(2, 1000);
  by_count.add(1, 10);
  EXPECT_FALSE(by_count.full());
  by_count.add(2, 10);
  EXPECT_TRUE(by_count.full());
  by_count.free_le(1);
  EXPECT_FALSE(by_count.full());
  Inflights by_bytes(100, 50);
  by_bytes.add(5, 60);
  EXPECT_TRUE(by_bytes.full());
  by_bytes.free_first_one();
  EXPECT_EQ(by_bytes.count(), 0u);
  EXPECT_EQ(by_bytes.bytes(), 0u);
}

TEST(QuorumTest, CommittedIndexIsMajorityMatch) {
  MajorityConfig c({1, 2, 3, 4, 5});
  std::map<NodeId, Index> match = {{1, 10}, {2, 8}, {3, 8}, {4, 3}, {5, 1}};
  EXPECT_EQ(c.committed_index([&](NodeId id) { return match[id]; }), 8u);
  MajorityConfig even({1, 2, 3, 4});
  EXPECT_EQ(even.committed_index([&](NodeId id) { return match[id]; }), 8u);
  match[3] = 3;
  EXPECT_EQ(even.committed_index([&](NodeId id) { return match[id]; }), 3u);
}

TEST(QuorumTest, VoteResult) {
  MajorityConfig c({1, 2, 3});
  EXPECT_EQ(c.vote_result({{1, true}}), VoteResult::kPending);
  EXPECT_EQ(c.vote_result({{1, true}, {2, true}}), VoteResult::kWon);
  EXPECT_EQ(c.vote_result({{1, true}, {2, false}, {3, false}}), VoteResult::kLost);
}

TEST(ConfigTest, ValidateRejectsBadLimits) {
  RaftConfig c = test::test_config(1);
  EXPECT_TRUE(validate(c).is_ok());
  c.election_ticks = c.heartbeat_ticks;
  EXPECT_FALSE(validate(c).is_ok());
  c = test::test_config(1);
  c.max_inflight_msgs = 0;
  EXPECT_FALSE(validate(c).is_ok());
  c = test::test_config(0);
  EXPECT_FALSE(validate(c).is_ok());
}

}  // namespace
}  // namespace suanli::consensus
