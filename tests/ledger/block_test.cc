#include "ledger/block.h"

#include <gtest/gtest.h>

#include "ledger/crypto.h"

namespace suanli::ledger {
namespace {

Hash32 h(uint8_t b) {
  Hash32 x{};
  x.fill(b);
  return x;
}
Hash32 leaf(const Hash32& x) { return blake2b256(std::string(1, '\0') + std::string(as_view(x))); }
Hash32 inner(const Hash32& a, const Hash32& b) {
  return blake2b256(std::string(1, '\1') + std::string(as_view(a)) + std::string(as_view(b)));
}

TEST(BlockFormatTest, MerkleRootFollowsApiMd) {
  crypto_init();
  EXPECT_EQ(merkle_root({}), Hash32{});
  EXPECT_EQ(merkle_root({h(1)}), leaf(h(1)));
  EXPECT_EQ(merkle_root({h(1), h(2)}), inner(leaf(h(1)), leaf(h(2))));
  // An odd node is carried up unchanged.
  EXPECT_EQ(merkle_root({h(1), h(2), h(3)}), inner(inner(leaf(h(1)), leaf(h(2))), leaf(h(3))));
  EXPECT_NE(merkle_root({h(2), h(1)}), merkle_root({h(1), h(2)}));
}

TEST(BlockFormatTest, HashIsOverTheCanonicalHeader) {
  BlockHeader hd;
  hd.height = 7;
  hd.time = 1767225600000;
  hd.proposer = "gz-1";
  std::string expected =
      "suanli-block-v1\n{\"height\":7,\"prev_hash\":\"" + std::string(64, '0') +
      "\",\"proposer\":\"gz-1\",\"state_hash\":\"" + std::string(64, '0') +
      "\",\"state_height\":0,\"time\":1767225600000,\"tx_count\":0,\"tx_root\":\"" +
      std::string(64, '0') + "\"}";
  EXPECT_EQ(hd.hash(), blake2b256(expected));
}

TEST(BlockFormatTest, EncodingRoundTripsAndRejectsMalformedInput) {
  Block b;
  b.header.height = 3;
  b.header.proposer = "bj-1";
  b.header.tx_count = 2;
  b.txs = {"{\"a\":1}", "{\"b\":\"贵州\"}"};
  b.signature.fill(9);
  std::string enc = encode_block(b);
  auto back = decode_block(enc, 10);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->txs, b.txs);
  EXPECT_EQ(back->header.hash(), b.header.hash());
  EXPECT_EQ(back->signature, b.signature);
  EXPECT_FALSE(decode_block(enc, 1));  // over the transaction limit
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    EXPECT_FALSE(decode_block(enc.substr(0, cut), 10)) << cut;
  }
  EXPECT_FALSE(decode_block(enc + "x", 10));
  std::string bad_count = enc;
  bad_count[1 + 8 + 32 + 8 + 4 + 4 + 32 + 8 + 32 + 8] = 9;  // tx count != header.tx_count
  EXPECT_FALSE(decode_block(bad_count, 10));

  BlockRecord rec{b.header, b.header.hash(), {h(1), h(2)}, {h(3)}, b.signature};
  auto rec_back = decode_block_record(encode_block_record(rec));
  ASSERT_TRUE(rec_back);
  EXPECT_EQ(rec_back->tx_hashes, rec.tx_hashes);
  EXPECT_EQ(rec_back->rejected, rec.rejected);
  EXPECT_EQ(rec_back->hash, rec.hash);
}

}  // namespace
}  // namespace suanli::ledger
