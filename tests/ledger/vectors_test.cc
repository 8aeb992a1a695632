// tests/vectors/signing.json: the published signing vectors (API.md "Test
// vectors") decode, hash, verify and re-sign to exactly what the file says.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "ledger/codec.h"
#include "ledger/crypto.h"

namespace suanli::ledger {
namespace {

using nlohmann::json;

json load_vectors() {
  std::ifstream file(SUANLI_TEST_DATA_DIR "/vectors/signing.json", std::ios::binary);
  EXPECT_TRUE(file) << "cannot open " SUANLI_TEST_DATA_DIR "/vectors/signing.json";
  std::stringstream text;
  text << file.rdbuf();
  return json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

TEST(SigningVectorsTest, EveryVectorDecodesHashesAndVerifies) {
  crypto_init();
  json vectors = load_vectors();
  ASSERT_TRUE(vectors.is_array());
  ASSERT_GE(vectors.size(), static_cast<size_t>(kTxTypeCount));
  std::set<std::string> names;
  for (const json& v : vectors) {
    std::string name = v.at("name").get<std::string>();
    SCOPED_TRACE(name);
    EXPECT_TRUE(names.insert(name).second) << "duplicate name";
    auto decoded = decode_tx(v.at("tx").dump());
    ASSERT_TRUE(std::holds_alternative<Tx>(decoded)) << std::get<TxError>(decoded).field;
    const Tx& tx = std::get<Tx>(decoded);
    EXPECT_EQ(to_hex(tx.signing_message), v.at("signing_message").get<std::string>());
    EXPECT_EQ(to_hex(tx.hash), v.at("tx_hash").get<std::string>());
    EXPECT_EQ(tx.canonical, jcs(v.at("tx")));
    EXPECT_TRUE(verify_tx(tx));

    auto seed = from_hex_array<32>(v.at("seed").get<std::string>());
    ASSERT_TRUE(seed);
    EXPECT_EQ(to_hex(keypair_from_seed(*seed).pubkey), v.at("pubkey").get<std::string>());
    EXPECT_EQ(to_hex(tx.signer), v.at("pubkey").get<std::string>());

    Tx again = tx;
    again.signature = Sig64{};
    sign_tx(again, *seed);  // Ed25519 is deterministic
    EXPECT_EQ(again.signature, tx.signature);
    EXPECT_EQ(again.canonical, tx.canonical);
  }
}

TEST(SigningVectorsTest, CoverEveryTypeAndHardStrings) {
  json vectors = load_vectors();
  ASSERT_TRUE(vectors.is_array());
  std::set<std::string> types;
  std::string all_messages;
  for (const json& v : vectors) {
    types.insert(v.at("tx").at("type").get<std::string>());
    auto raw = from_hex(v.at("signing_message").get<std::string>());
    ASSERT_TRUE(raw);
    all_messages += *raw;
  }
  EXPECT_EQ(types.size(), static_cast<size_t>(kTxTypeCount));
  for (int t = 0; t < kTxTypeCount; ++t) {
    EXPECT_EQ(types.count(std::string(tx_type_name(static_cast<TxType>(t)))), 1u) << t;
  }
  for (std::string_view needle : {"贵州省大数据发展管理局", "\\\"", "\\\\", "\\n", "\\t", "\\u0001",
                                  "\\u001f", "\\b", "\\f", "\\r", "\x7f", "\xe2\x80\xa8"}) {
    EXPECT_NE(all_messages.find(needle), std::string::npos) << needle;
  }
}

TEST(SigningVectorsTest, TamperedVectorsFail) {
  crypto_init();
  json vectors = load_vectors();
  ASSERT_TRUE(vectors.is_array() && !vectors.empty());
  json tx = vectors[0].at("tx");
  tx["expires_at"] = tx["expires_at"].get<uint64_t>() + 1;
  auto decoded = decode_tx(tx.dump());
  ASSERT_TRUE(std::holds_alternative<Tx>(decoded));
  EXPECT_FALSE(verify_tx(std::get<Tx>(decoded)));
  EXPECT_NE(to_hex(std::get<Tx>(decoded).hash), vectors[0].at("tx_hash").get<std::string>());
}

}  // namespace
}  // namespace suanli::ledger
