// JCS, crypto wrappers, signing and verification (API.md "Transactions").
#include "ledger/codec.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "ledger/crypto.h"

namespace suanli::ledger {
namespace {

using nlohmann::json;

std::array<uint8_t, 32> seed_of(uint8_t b) {
  std::array<uint8_t, 32> s{};
  s.fill(b);
  return s;
}

Tx deposit_tx() {
  Tx tx;
  tx.chain_id = "suanli-devnet";
  tx.type = TxType::kDeposit;
  tx.nonce.fill(0x11);
  tx.expires_at = 1767225600000;
  Deposit d;
  d.to.fill(0x22);
  d.amount = 107000000;
  d.reference = "银行流水 \"42\"\n";
  tx.payload = d;
  return tx;
}

TEST(JcsTest, SortsMembersAndDropsWhitespace) {
  json v = json::parse(R"({"b": [1, true, null, {}], "a": "x", "c": {"z": 0, "y": []}})");
  EXPECT_EQ(jcs(v), R"({"a":"x","b":[1,true,null,{}],"c":{"y":[],"z":0}})");
}

TEST(JcsTest, EscapesOnlyQuoteBackslashAndControls) {
  std::string s = "\"\\\b\f\n\r\t";
  s += std::string("\x01\x1f\x7f", 3);
  s += "\xe2\x80\xa8\xe4\xb8\xad/";  // U+2028, 中, slash
  EXPECT_EQ(jcs(json(s)), "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xe2\x80\xa8\xe4\xb8\xad/\"");
  EXPECT_EQ(jcs(json(std::string("\0", 1))), "\"\\u0000\"");
}

TEST(JcsTest, SortsKeysByUtf16CodeUnits) {
  // RFC 8785 §3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33.
  json v = json::parse(
      "{\"\\u20ac\":1,\"\\r\":2,\"\\ufb33\":3,\"1\":4,\"\\ud83d\\ude00\":5,"
      "\"\\u0080\":6,\"\\u00f6\":7}");
  EXPECT_EQ(jcs(v),
            "{\"\\r\":2,\"1\":4,\"\xc2\x80\":6,\"\xc3\xb6\":7,\"\xe2\x82\xac\":1,"
            "\"\xf0\x9f\x98\x80\":5,\"\xef\xac\xb3\":3}");
}

TEST(JcsTest, NumbersAsEcmaScript) {
  EXPECT_EQ(jcs(json(uint64_t{9007199254740991})), "9007199254740991");
  EXPECT_EQ(jcs(json(int64_t{-5})), "-5");
  EXPECT_EQ(jcs(json(0.0)), "0");
  EXPECT_EQ(jcs(json(-0.0)), "0");
  EXPECT_EQ(jcs(json(1e21)), "1e+21");
  EXPECT_EQ(jcs(json(1e30)), "1e+30");
  EXPECT_EQ(jcs(json(4.50)), "4.5");
  EXPECT_EQ(jcs(json(2e-3)), "0.002");
  EXPECT_EQ(jcs(json(1e-27)), "1e-27");
  EXPECT_EQ(jcs(json(333333333.33333329)), "333333333.3333333");
  EXPECT_EQ(jcs(json(1e20)), "100000000000000000000");
  EXPECT_EQ(jcs(json(-1.5e-7)), "-1.5e-7");
}

TEST(CryptoTest, Blake2b256KnownAnswers) {
  crypto_init();
  EXPECT_EQ(to_hex(blake2b256("")),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(to_hex(blake2b256("abc")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  Blake2b h;
  h.update("a");
  h.update("");
  h.update("bc");
  EXPECT_EQ(h.finish(), blake2b256("abc"));
}

TEST(CryptoTest, Ed25519Rfc8032Test1) {
  crypto_init();
  auto seed =
      from_hex_array<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  ASSERT_TRUE(seed);
  KeyPair key = keypair_from_seed(*seed);
  EXPECT_EQ(to_hex(key.pubkey), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Sig64 sig = ed25519_sign(key, "");
  EXPECT_EQ(to_hex(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
            "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(ed25519_verify(key.pubkey, sig, ""));
  EXPECT_FALSE(ed25519_verify(key.pubkey, sig, "x"));
}

TEST(CryptoTest, RandomKeysDiffer) {
  crypto_init();
  KeyPair a = keypair_from_seed(random_seed32());
  KeyPair b = keypair_from_seed(random_seed32());
  EXPECT_NE(a.pubkey, b.pubkey);
  EXPECT_EQ(keypair_from_seed(a.seed).pubkey, a.pubkey);
}

TEST(SignTest, FillsSigningMessageHashAndCanonical) {
  crypto_init();
  Tx tx = deposit_tx();
  sign_tx(tx, seed_of(7));
  EXPECT_EQ(tx.signer, keypair_from_seed(seed_of(7)).pubkey);
  std::string body = jcs(tx_to_json(tx, false));
  EXPECT_EQ(tx.signing_message, "suanli-tx-v1\n" + body);
  EXPECT_EQ(body.find("signature"), std::string::npos);
  EXPECT_EQ(tx.hash, blake2b256(tx.signing_message));
  EXPECT_EQ(tx.canonical, jcs(tx_to_json(tx, true)));
  EXPECT_NE(tx.canonical.find("\"signature\":\"" + to_hex(tx.signature) + "\""), std::string::npos);
  EXPECT_TRUE(verify_tx(tx));
}

TEST(SignTest, FlippedBitsFailVerification) {
  crypto_init();
  Tx tx = deposit_tx();
  sign_tx(tx, seed_of(7));
  for (size_t bit : {0u, 100u, 511u}) {
    Tx bad = tx;
    bad.signature[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(verify_tx(bad)) << bit;
  }
  for (size_t i : {size_t{0}, size_t{13}, tx.signing_message.size() - 1}) {
    Tx bad = tx;
    bad.signing_message[i] ^= 0x01;
    EXPECT_FALSE(verify_tx(bad)) << i;
  }
  Tx other = tx;
  other.signer = keypair_from_seed(seed_of(8)).pubkey;
  EXPECT_FALSE(verify_tx(other));
}

TEST(SignTest, DeterministicAndSignerKeptWhenSet) {
  crypto_init();
  Tx a = deposit_tx();
  Tx b = deposit_tx();
  sign_tx(a, seed_of(7));
  sign_tx(b, seed_of(7));
  EXPECT_EQ(a.signature, b.signature);
  Tx c = deposit_tx();
  c.signer = keypair_from_seed(seed_of(9)).pubkey;
  sign_tx(c, seed_of(7));
  EXPECT_EQ(c.signer, keypair_from_seed(seed_of(9)).pubkey);
  EXPECT_FALSE(verify_tx(c));
}

TEST(TxToJsonTest, ContractCreateWritesVouchersOnlyWhenPresent) {
  Tx tx = deposit_tx();
  ContractCreate c;
  c.resource.model = "H100";
  c.quantity = 10;
  c.unit_price = 2;
  c.deadline = 5;
  tx.type = TxType::kContractCreate;
  tx.payload = c;
  json j = tx_to_json(tx, false);
  EXPECT_FALSE(j["payload"].contains("vouchers"));
  EXPECT_FALSE(j.contains("signature"));
  c.vouchers.push_back(VoucherUse{Hash32{}, 3});
  tx.payload = c;
  j = tx_to_json(tx, true);
  ASSERT_TRUE(j["payload"].contains("vouchers"));
  EXPECT_EQ(j["payload"]["vouchers"][0]["amount"], 3);
  EXPECT_EQ(j["payload"]["resource"]["class"], "intelligent");
  EXPECT_EQ(j["payload"]["resource"]["unit"], "card_hour");
  EXPECT_TRUE(j.contains("signature"));
}

TEST(TxToJsonTest, SettlementCloseHasEmptyPayload) {
  Tx tx = deposit_tx();
  tx.type = TxType::kSettlementClose;
  tx.payload = SettlementClose{};
  EXPECT_EQ(jcs(tx_to_json(tx, false)["payload"]), "{}");
}

}  // namespace
}  // namespace suanli::ledger
