// Codec: round trips, and malformed input (truncation, corruption, hostile
// lengths) yields an error without crashing or over-allocating.
#include <gtest/gtest.h>

#include "consensus/codec.h"
#include "consensus/limits.h"
#include "consensus/prng.h"

namespace suanli::consensus {
namespace {

Message full_message() {
  Message m;
  m.type = MessageType::kApp;
  m.from = 7;
  m.to = 9;
  m.term = 42;
  m.log_term = 41;
  m.index = 100;
  m.commit = 99;
  m.reject = true;
  m.reject_hint = 55;
  m.transfer = true;
  m.entries = {Entry{42, 101, EntryType::kNormal, "hello"},
               Entry{42, 102, EntryType::kConfChange, std::string("\0\1\2", 3)}};
  m.context = "ctx";
  return m;
}

Message heartbeat() {
  Message m;
  m.type = MessageType::kHeartbeat;
  m.from = 1;
  m.to = 2;
  m.term = 3;
  return m;
}

Message snap_message() {
  Message m;
  m.type = MessageType::kSnap;
  m.from = 1;
  m.to = 2;
  m.term = 3;
  m.snapshot = SnapshotMeta{50, 3, ConfState{{1, 2, 3}, {4}}};
  m.snap_offset = 10;
  m.snap_total = 30;
  m.snap_data = "0123456789";
  return m;
}

TEST(CodecTest, MessageRoundTrip) {
  for (const Message& m : {full_message(), snap_message(), heartbeat()}) {
    Result<Message> back = decode_message(encode_message(m));
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(*back, m);
  }
}

TEST(CodecTest, RecordRoundTrips) {
  const Entry e{5, 6, EntryType::kConfChange, "data"};
  EXPECT_EQ(*decode_entry(encode_entry(e)), e);
  const HardState hs{7, 3, 99};
  EXPECT_EQ(*decode_hard_state(encode_hard_state(hs)), hs);
  const ConfChange cc{ConfChangeType::kRemoveNode, 12};
  EXPECT_EQ(*decode_conf_change(encode_conf_change(cc)), cc);
  const SnapshotMeta meta{10, 2, ConfState{{1, 5}, {9}}};
  EXPECT_EQ(*decode_snapshot_meta(encode_snapshot_meta(meta)), meta);
}

TEST(CodecTest, EveryTruncationIsAnError) {
  const Bytes full = encode_message(full_message());
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(decode_message(full.substr(0, n)).is_ok()) << n;
  }
  EXPECT_FALSE(decode_message(full + "x").is_ok()) << "trailing bytes";
}

TEST(CodecTest, BadVersionAndTypeAreErrors) {
  Bytes b = encode_message(full_message());
  b[0] = 2;
  EXPECT_FALSE(decode_message(b).is_ok());
  b = encode_message(full_message());
  b[1] = 0;
  EXPECT_FALSE(decode_message(b).is_ok());
  b[1] = static_cast<char>(kMessageTypeMax + 1);
  EXPECT_FALSE(decode_message(b).is_ok());
  EXPECT_FALSE(decode_conf_change(Bytes("\x01\x07", 2) + Bytes(8, '\1')).is_ok());
}

TEST(CodecTest, HostileLengthsDoNotAllocate) {
  // An entry count of 2^32-1 with no bytes behind it.
  Bytes b = encode_message(heartbeat());
  const size_t count_at = 1 + 1 + 8 * 6 + 1 + 8;
  for (int i = 0; i < 4; ++i) b[count_at + i] = '\xff';
  EXPECT_FALSE(decode_message(b).is_ok());
  // A context claiming 4 GiB.
  Message m = heartbeat();
  m.context = "abc";
  b = encode_message(m);
  for (int i = 0; i < 4; ++i) b[b.size() - 7 + i] = '\xff';
  EXPECT_FALSE(decode_message(b).is_ok());
}

TEST(CodecTest, InconsistentFieldsAreErrors) {
  Message m = full_message();
  m.entries[1].index = 200;  // not contiguous with index
  EXPECT_FALSE(decode_message(encode_message(m)).is_ok());
  Message s = snap_message();
  s.snap_total = 5;  // chunk beyond the total
  EXPECT_FALSE(decode_message(encode_message(s)).is_ok());
  Message h = heartbeat();
  h.entries = {Entry{3, 1, EntryType::kNormal, "x"}};  // entries only in kApp
  EXPECT_FALSE(decode_message(encode_message(h)).is_ok());
  Message z = full_message();
  z.from = kNoNode;
  EXPECT_FALSE(decode_message(encode_message(z)).is_ok());
}

TEST(CodecTest, RandomCorruptionNeverCrashes) {
  Prng rng(7);
  const Bytes good[] = {encode_message(full_message()), encode_message(snap_message())};
  size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes b = good[i % 2];
    const int flips = 1 + static_cast<int>(rng.uniform(4));
    for (int f = 0; f < flips; ++f) b[rng.uniform(b.size())] = static_cast<char>(rng.next());
    Result<Message> m = decode_message(b);
    if (m.is_ok()) {
      ++decoded;
      // Whatever decodes must encode back to the same bytes.
      EXPECT_EQ(encode_message(*m), b);
    }
  }
  SUCCEED() << decoded << " corrupted inputs still decoded";
}

}  // namespace
}  // namespace suanli::consensus
