// consensus::must_sync: which Ready needs an fsync before its messages go.
#include "consensus/ready.h"

#include <gtest/gtest.h>

namespace suanli::consensus {
namespace {

TEST(MustSyncTest, EntriesTermVoteAndSnapshotsNeedAnFsync) {
  const HardState persisted{5, 2, 40};
  Ready entries;
  entries.entries.push_back(Entry{5, 41, EntryType::kNormal, {}});
  EXPECT_TRUE(must_sync(persisted, entries));

  Ready term;
  term.hard_state = HardState{6, kNoNode, 40};
  EXPECT_TRUE(must_sync(persisted, term));

  Ready vote;
  vote.hard_state = HardState{5, 3, 40};
  EXPECT_TRUE(must_sync(persisted, vote));

  Ready snapshot;
  snapshot.snapshot = Snapshot{};
  snapshot.hard_state = HardState{5, 2, 90};
  EXPECT_TRUE(must_sync(persisted, snapshot));
}

TEST(MustSyncTest, ACommitIndexAloneNeedsNone) {
  const HardState persisted{5, 2, 40};
  Ready commit;
  commit.hard_state = HardState{5, 2, 41};
  commit.committed_entries.push_back(Entry{5, 41, EntryType::kNormal, {}});
  commit.messages.push_back(Message{});
  EXPECT_FALSE(must_sync(persisted, commit));

  Ready nothing;
  nothing.messages.push_back(Message{});
  EXPECT_FALSE(must_sync(persisted, nothing));
}

}  // namespace
}  // namespace suanli::consensus
