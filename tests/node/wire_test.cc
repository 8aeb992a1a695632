// The peer wire without sockets: the frame codec (sealing, opening,
// transaction batches) and the handshake.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/frame.h"
#include "node/handshake.h"
#include "tests/node/peer_keys.h"

namespace suanli::node {
namespace {

using testing::genesis_of;
using testing::key_of;
using Role = Handshake::Role;

// ---- Frame codec ---------------------------------------------------------

SessionKey session_key(uint8_t n) {
  SessionKey k{};
  k.fill(n);
  return k;
}

TEST(FrameTest, SealOpenRoundTripAdvancesNonces) {
  FrameSealer sealer(session_key(1));
  FrameOpener opener(session_key(1));
  std::string wire;
  sealer.seal("first", &wire);
  sealer.seal("", &wire);
  sealer.seal("third", &wire);
  EXPECT_EQ(sealer.next_nonce(), 3u);
  std::string_view in = wire;
  for (std::string expect : {"first", "", "third"}) {
    auto len = FrameOpener::body_bytes(reinterpret_cast<const uint8_t*>(in.data()));
    ASSERT_TRUE(len.has_value());
    EXPECT_EQ(*len, expect.size() + kFrameTagBytes);
    std::string plain;
    ASSERT_TRUE(opener.open(reinterpret_cast<const uint8_t*>(in.data()),
                            in.substr(kFrameHeaderBytes, *len), &plain));
    EXPECT_EQ(plain, expect);
    in.remove_prefix(kFrameHeaderBytes + *len);
  }
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(opener.next_nonce(), 3u);
}

TEST(FrameTest, SameKeyAndPayloadGiveDifferentCiphertexts) {
  FrameSealer sealer(session_key(1));
  std::string a, b;
  sealer.seal("same", &a);
  sealer.seal("same", &b);
  EXPECT_NE(a, b);  // the counter nonce moved on
}

TEST(FrameTest, TamperingAnyByteFailsToOpen) {
  FrameSealer sealer(session_key(2));
  std::string wire;
  sealer.seal("payload", &wire);
  for (size_t i = 0; i < wire.size(); ++i) {
    std::string bad = wire;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    FrameOpener opener(session_key(2));
    std::string plain;
    EXPECT_FALSE(opener.open(reinterpret_cast<const uint8_t*>(bad.data()),
                             std::string_view(bad).substr(kFrameHeaderBytes), &plain))
        << "byte " << i;
    EXPECT_EQ(opener.next_nonce(), 0u);
  }
}

TEST(FrameTest, ReorderedReplayedOrWrongKeyFramesFail) {
  FrameSealer sealer(session_key(3));
  std::string f0, f1;
  sealer.seal("zero", &f0);
  sealer.seal("one", &f1);
  auto open = [](FrameOpener& o, const std::string& f) {
    std::string plain;
    return o.open(reinterpret_cast<const uint8_t*>(f.data()),
                  std::string_view(f).substr(kFrameHeaderBytes), &plain);
  };
  FrameOpener opener(session_key(3));
  EXPECT_FALSE(open(opener, f1));  // out of order
  EXPECT_TRUE(open(opener, f0));
  EXPECT_FALSE(open(opener, f0));  // replay
  EXPECT_TRUE(open(opener, f1));
  FrameOpener other(session_key(4));
  EXPECT_FALSE(open(other, f0));
}

TEST(FrameTest, LengthOutOfBoundsIsRejected) {
  auto header = [](uint32_t v) {
    std::string h;
    put_u32_be(h, v);
    return h;
  };
  auto len = [](const std::string& h) {
    return FrameOpener::body_bytes(reinterpret_cast<const uint8_t*>(h.data()));
  };
  EXPECT_FALSE(len(header(0)).has_value());
  EXPECT_FALSE(len(header(kFrameTagBytes - 1)).has_value());
  EXPECT_TRUE(len(header(kFrameTagBytes)).has_value());
  EXPECT_TRUE(len(header(kFrameCiphertextBytesMax)).has_value());
  EXPECT_FALSE(len(header(kFrameCiphertextBytesMax + 1)).has_value());
  EXPECT_FALSE(len(header(UINT32_MAX)).has_value());
}

TEST(FrameTest, TransactionBatchesRoundTripAndMalformedOnesAreRefused) {
  const std::string big(kTxBatchTxBytesMax, 'x');
  const std::vector<std::string_view> txs = {"{\"a\":1}", "", big, "中文"};
  std::string body;
  append_tx_batch(txs, &body);
  auto back = decode_tx_batch(body);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, txs);
  std::string one;
  append_tx_batch({"t"}, &one);
  EXPECT_EQ(one, std::string("\0\0\0\1\0\0\0\1t", 9));

  auto u32 = [](uint32_t v) {
    std::string h;
    put_u32_be(h, v);
    return h;
  };
  for (const std::string& bad : {
           std::string(),                                  // no count
           u32(0),                                         // no transactions
           u32(kTxBatchTxsMax + 1) + u32(1) + "t",         // too many
           u32(1),                                         // count, no entry
           u32(1) + u32(2) + "t",                          // shorter than its length
           u32(1) + u32(1) + "tt",                         // trailing bytes
           u32(2) + u32(1) + "t",                          // fewer than counted
           u32(1) + u32(kTxBatchTxBytesMax + 1) + std::string(kTxBatchTxBytesMax + 1, 'x'),
           u32(1) + std::string("\0\0\1"),              // a cut length
       }) {
    EXPECT_FALSE(decode_tx_batch(bad)) << ::testing::PrintToString(bad.substr(0, 16));
  }
  // The most a batch may hold still decodes.
  std::vector<std::string_view> many(kTxBatchTxsMax, "t");
  std::string full;
  append_tx_batch(many, &full);
  auto all = decode_tx_batch(full);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), kTxBatchTxsMax);
}

// ---- Handshake -----------------------------------------------------------

std::string_view body_of(const Handshake& h) {
  return std::string_view(h.hello_record()).substr(kHelloHeaderBytes);
}

TEST(HandshakeTest, BothSidesAgreeOnKeys) {
  const auto ka = key_of(1), kb = key_of(2);
  Handshake d(Role::kDialer, ka, "a", genesis_of(7));
  Handshake l(Role::kListener, kb, "b", genesis_of(7));
  ASSERT_TRUE(d.read_peer_hello(body_of(l)));
  ASSERT_TRUE(l.read_peer_hello(body_of(d)));
  EXPECT_EQ(d.peer_hello().node_id, "b");
  EXPECT_EQ(l.peer_hello().node_key, ka.pubkey);
  ASSERT_TRUE(d.read_peer_signature(l.signature()));
  ASSERT_TRUE(l.read_peer_signature(d.signature()));
  EXPECT_EQ(d.keys().tx, l.keys().rx);
  EXPECT_EQ(d.keys().rx, l.keys().tx);
  EXPECT_NE(d.keys().tx, d.keys().rx);
}

TEST(HandshakeTest, GenesisMismatchBadMagicAndSelfAreRefused) {
  const auto ka = key_of(1), kb = key_of(2);
  Handshake d(Role::kDialer, ka, "a", genesis_of(7));
  Handshake other(Role::kListener, kb, "b", genesis_of(8));
  EXPECT_EQ(d.read_peer_hello(body_of(other)).code(), "genesis_mismatch");
  std::string bad(body_of(other));
  bad[12] = '2';  // "suanli-p2p-v2"
  Handshake d2(Role::kDialer, ka, "a", genesis_of(8));
  EXPECT_EQ(d2.read_peer_hello(bad).code(), "bad_hello");
  Handshake mirror(Role::kListener, ka, "a2", genesis_of(7));
  Handshake d3(Role::kDialer, ka, "a", genesis_of(7));
  EXPECT_EQ(d3.read_peer_hello(body_of(mirror)).code(), "self_connection");
  EXPECT_FALSE(decode_hello(std::string(body_of(d)) + "x").is_ok());
  EXPECT_FALSE(decode_hello(std::string(body_of(d)).substr(0, 40)).is_ok());
}

TEST(HandshakeTest, ReplayedReflectedOrSplicedSignaturesFail) {
  const auto ka = key_of(1), kb = key_of(2);
  // A signature from an earlier session does not verify in a new one.
  Handshake d1(Role::kDialer, ka, "a", genesis_of(7));
  Handshake l1(Role::kListener, kb, "b", genesis_of(7));
  ASSERT_TRUE(d1.read_peer_hello(body_of(l1)));
  ASSERT_TRUE(l1.read_peer_hello(body_of(d1)));
  const Sig64 old_listener_sig = l1.signature();
  Handshake d2(Role::kDialer, ka, "a", genesis_of(7));
  ASSERT_TRUE(d2.read_peer_hello(body_of(l1)));  // attacker replays l1's hello
  EXPECT_EQ(d2.read_peer_signature(old_listener_sig).code(), "bad_signature");
  // Reflection: the dialer's own signature is not a listener signature.
  EXPECT_EQ(d1.read_peer_signature(d1.signature()).code(), "bad_signature");
  // Splicing: a hello carrying b's key with another ephemeral key fails.
  Handshake l3(Role::kListener, kb, "b", genesis_of(7));
  Handshake d3(Role::kDialer, ka, "a", genesis_of(7));
  auto spliced = decode_hello(body_of(l3));
  ASSERT_TRUE(spliced.is_ok());
  spliced->kx_key = decode_hello(body_of(l1))->kx_key;
  ASSERT_TRUE(d3.read_peer_hello(encode_hello(*spliced)));
  ASSERT_TRUE(l3.read_peer_hello(body_of(d3)));
  EXPECT_EQ(d3.read_peer_signature(l3.signature()).code(), "bad_signature");
}

}  // namespace
}  // namespace suanli::node
