// The fast path of transaction decoding (decode_canonical_tx over LiteJson)
// against the strict path (parse_strict + the DOM reader): on every input
// either the fast path declines, or both give the same transaction. And
// encode_tx against jcs(tx_to_json) for every type.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "ledger/json_lite.h"

namespace suanli::ledger {
namespace {

using nlohmann::json;

std::array<uint8_t, 32> seed_of(uint8_t b) {
  std::array<uint8_t, 32> s{};
  s.fill(b);
  return s;
}

// One signed transaction of every type, with text that needs escaping.
std::vector<Tx> every_type() {
  PubKey key{};
  key.fill(0x21);
  Id16 contract{};
  contract.fill(0x5a);
  Hash32 h{};
  h.fill(0xd4);
  Hash32 h2{};
  h2.fill(0xe5);
  const std::string code = "91520000MA6DLWCC5C";
  std::vector<Payload> payloads = {
      ParticipantRegister{key, Role::kProvider, "CN-GZ", "贵州算力 \"中心\"\\", code, ""},
      ParticipantFreeze{key, true},
      Deposit{key, 107000000, "ICBC\t1"},
      Withdraw{1, std::string("w\x01\x1f\x7f", 4)},
      Transfer{key, 9007199254740991, "备注 \xe2\x80\xa8 😀"},
      ContractCreate{contract, key, Resource{ResourceClass::kIntelligent, "A800 80GB",
                                             ResourceUnit::kCardHour},
                     3566667, 1000, 1798761600000, {}},
      ContractCreate{contract, key, Resource{ResourceClass::kSupercomputing, "x",
                                             ResourceUnit::kCoreHour},
                     1, 2, 3, {VoucherUse{h, 5000}, VoucherUse{h2, 1}}},
      ContractRef{contract},
      ContractReason{contract, "算力不足\n"},
      DeliveryReport{contract, 10, h},
      DeliveryRef{contract, 1},
      DeliveryDispute{contract, 2, "bad"},
      DisputeResolve{contract, 3, 0},
      VoucherApply{contract, "CN-BJ"},
      VoucherRedeem{h, 7},
      VoucherRevoke{h, "fraud"},
      ProgramParams{"CN-GZ", Basis::kProvider, 300, 500000000, 1000000000, 31622400000,
                    31536000000, 0},
      SettlementClose{},
      SettlementSign{4},
      NodePropose{NodeAction::kAddLearner, "gz-4", key, "10.0.0.4:7601"},
      RegulatorPropose{key, "CN-BJ", "北京市经济和信息化局", "91110000100000000R"},
      ProposalApprove{h},
  };
  // The payload struct shared by several types: each type once.
  const std::vector<TxType> types = {
      TxType::kParticipantRegister, TxType::kParticipantFreeze, TxType::kDeposit,
      TxType::kWithdraw,            TxType::kTransfer,          TxType::kContractCreate,
      TxType::kContractCreate,      TxType::kContractAccept,    TxType::kContractReject,
      TxType::kDeliveryReport,      TxType::kDeliveryAck,       TxType::kDeliveryDispute,
      TxType::kDisputeResolve,      TxType::kVoucherApply,      TxType::kVoucherRedeem,
      TxType::kVoucherRevoke,       TxType::kProgramSet,        TxType::kSettlementClose,
      TxType::kSettlementSign,      TxType::kNodePropose,       TxType::kRegulatorPropose,
      TxType::kProposalApprove,
  };
  std::vector<Tx> out;
  auto add = [&](TxType type, const Payload& p) {
    Tx tx;
    tx.chain_id = "suanli-devnet";
    tx.type = type;
    tx.nonce.fill(static_cast<uint8_t>(out.size()));
    tx.expires_at = 1767225600000 + out.size();
    tx.payload = p;
    sign_tx(tx, seed_of(0x42));
    out.push_back(std::move(tx));
  };
  for (size_t i = 0; i < payloads.size(); ++i) add(types[i], payloads[i]);
  // The types that share a payload struct with one above.
  add(TxType::kContractCancel, ContractRef{contract});
  add(TxType::kContractClose, ContractRef{contract});
  add(TxType::kVoucherIssue, ContractRef{contract});
  add(TxType::kVoucherReject, ContractReason{contract, "affiliated"});
  add(TxType::kDeliveryFinalize, DeliveryRef{contract, 0});
  return out;
}

// The strict path alone.
std::variant<Tx, TxError> strict_decode(std::string_view text) {
  std::string error;
  auto parsed = parse_strict(text, &error);
  if (!parsed) return TxError{TxErrorKind::kParse, "", error};
  return decode_tx(parsed->value, parsed->anomaly, DecodeCheck::kReencode);
}

// decode_tx (fast path first) agrees with the strict path on `text`.
void expect_same(const std::string& text) {
  auto fast = decode_canonical_tx(text);
  auto both = decode_tx(text);
  auto strict = strict_decode(text);
  ASSERT_EQ(both.index(), strict.index()) << text;
  if (const auto* e = std::get_if<TxError>(&strict)) {
    EXPECT_FALSE(fast) << "fast path accepted what the strict path refuses: " << text;
    const auto& b = std::get<TxError>(both);
    EXPECT_EQ(b.kind, e->kind) << text;
    EXPECT_EQ(b.field, e->field) << text;
    EXPECT_EQ(b.message, e->message) << text;
    return;
  }
  const Tx& s = std::get<Tx>(strict);
  for (const Tx* t : {&std::get<Tx>(both), fast ? &*fast : nullptr}) {
    if (t == nullptr) continue;
    EXPECT_EQ(t->canonical, s.canonical) << text;
    EXPECT_EQ(t->signing_message, s.signing_message) << text;
    EXPECT_EQ(t->hash, s.hash) << text;
    EXPECT_EQ(tx_to_json(*t, true), tx_to_json(s, true)) << text;
  }
  // Only the exact canonical form takes the fast path.
  EXPECT_EQ(fast.has_value(), text == s.canonical) << text;
}

TEST(EncodeTxTest, EqualsTheJcsOfTheJsonValueForEveryType) {
  crypto_init();
  std::vector<bool> seen(kTxTypeCount, false);
  for (const Tx& tx : every_type()) {
    seen[static_cast<size_t>(tx.type)] = true;
    std::string canonical, signing;
    encode_tx(tx, &canonical, &signing);
    EXPECT_EQ(canonical, jcs(tx_to_json(tx, true))) << tx_type_name(tx.type);
    EXPECT_EQ(signing, std::string(kTxSigningPrefix) + jcs(tx_to_json(tx, false)))
        << tx_type_name(tx.type);
    EXPECT_EQ(tx.canonical, canonical);
    EXPECT_TRUE(verify_tx(tx)) << tx_type_name(tx.type);
  }
  for (int t = 0; t < kTxTypeCount; ++t) EXPECT_TRUE(seen[t]) << t;
}

TEST(FastPathTest, CanonicalTextOfEveryTypeTakesIt) {
  crypto_init();
  for (const Tx& tx : every_type()) {
    auto fast = decode_canonical_tx(tx.canonical);
    ASSERT_TRUE(fast) << tx.canonical;
    EXPECT_EQ(fast->hash, tx.hash);
    EXPECT_TRUE(verify_tx(*fast));
    expect_same(tx.canonical);
  }
}

TEST(FastPathTest, OtherFormsOfTheSameTransactionTakeTheStrictPath) {
  crypto_init();
  const Tx tx = every_type()[2];  // a deposit, reference "ICBC\t1"
  const std::string& c = tx.canonical;
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string s = c;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  };
  for (const std::string& text : {
           " " + c,
           c + "\n",
           replaced("{\"amount\"", "{ \"amount\""),
           replaced("ICBC\\t1", "ICBC\\u00091"),  // another escape for the same tab
           replaced("ICBC", "\\u0049CBC"),
           replaced("\"ICBC", "\"\\/ICBC"),  // a '/' escaped: another reference
           replaced("\"chain_id\":\"suanli-devnet\",", ""),
       }) {
    EXPECT_FALSE(decode_canonical_tx(text)) << text;
    expect_same(text);
  }
  // Members in another order: the same transaction, by the strict path.
  const std::string type_member = ",\"type\":\"deposit\"}";
  ASSERT_EQ(c.substr(c.size() - type_member.size()), type_member);
  std::string reordered =
      "{\"type\":\"deposit\"," + c.substr(1, c.size() - 1 - type_member.size()) + "}";
  auto r = decode_tx(reordered);
  ASSERT_TRUE(std::holds_alternative<Tx>(r)) << reordered;
  EXPECT_EQ(std::get<Tx>(r).hash, tx.hash);
  EXPECT_FALSE(decode_canonical_tx(reordered));
}

// Every single-byte deletion, duplication and replacement (by bytes that
// matter to JSON and UTF-8) of the canonical text of every type: the fast
// path never disagrees with the strict one.
TEST(FastPathTest, MutationsNeverMakeThePathsDisagree) {
  crypto_init();
  const std::string replacements[] = {"\"", "\\", "0", "1", "-", ".", "e", "{", "}", "[",
                                      "]", ",", ":", " ", "\x01", "\x7f", "\xc3", "\xa9",
                                      "\xed\xa0\x80", "\xf4\x90\x80\x80", "\\u00", "null"};
  size_t inputs = 0;
  for (const Tx& tx : every_type()) {
    const std::string& c = tx.canonical;
    // Every position for the small transactions, every 3rd for the others.
    const size_t step = c.size() > 400 ? 3 : 1;
    for (size_t i = 0; i < c.size(); i += step) {
      std::string del = c;
      del.erase(i, 1);
      expect_same(del);
      std::string dup = c;
      dup.insert(i, 1, c[i]);
      expect_same(dup);
      inputs += 2;
      for (const std::string& r : replacements) {
        std::string rep = c;
        rep.replace(i, 1, r);
        expect_same(rep);
        ++inputs;
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(inputs, 100000u);
}

TEST(LiteJsonTest, ReadsTheSubsetItKnows) {
  LiteJson doc;
  ASSERT_TRUE(doc.parse(R"({"a":[1,true,null,{}],"b":"x\"\\\/\b\f\n\r\t\u00e9\u4e2d","c":{}})"));
  const LiteJson::Value& root = doc.root().get();
  ASSERT_EQ(root.kind, LiteJson::Kind::kObject);
  ASSERT_EQ(root.count, 3u);
  EXPECT_EQ(doc.member(root, 0).key, "a");
  LiteJson::Ref a{&doc, doc.member(root, 0).value};
  ASSERT_EQ(a.get().kind, LiteJson::Kind::kArray);
  ASSERT_EQ(a.get().count, 4u);
  EXPECT_EQ(doc.element(a.get(), 0).get().number, 1u);
  EXPECT_TRUE(doc.element(a.get(), 1).get().boolean);
  EXPECT_EQ(doc.element(a.get(), 2).get().kind, LiteJson::Kind::kNull);
  EXPECT_EQ(doc.element(a.get(), 3).get().kind, LiteJson::Kind::kObject);
  LiteJson::Ref b{&doc, doc.member(root, 1).value};
  EXPECT_EQ(b.get().text, "x\"\\/\b\f\n\r\t\xc3\xa9\xe4\xb8\xad");
  ASSERT_TRUE(doc.parse("18446744073709551615"));
  EXPECT_EQ(doc.root().get().number, 18446744073709551615ull);
}

TEST(LiteJsonTest, LeavesEverythingElseToTheStrictParser) {
  LiteJson doc;
  for (const char* text : {
           "", " 1", "1 ", "{ }", "[1,]", "{\"a\":1,}", "-1", "-0", "01", "1.0", "1e3", "1E3",
           "18446744073709551616", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\x\"", "\"\\u12\"",
           "\"a", "tru", "nul", "{\"a\"}", "{1:2}", "[1 2]", "\"\x01\"", "\"\xff\"",
           "\"\xc0\xaf\"", "\"\xc2\"", "\"\xe0\x80\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
           "\"\xf5\x80\x80\x80\"", "[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]",
       }) {
    EXPECT_FALSE(doc.parse(text)) << text;
  }
  // UTF-8 at the edges of RFC 3629, accepted as the strict parser does.
  for (const char* text : {"\"\xc2\x80\"", "\"\xdf\xbf\"", "\"\xe0\xa0\x80\"", "\"\xed\x9f\xbf\"",
                           "\"\xee\x80\x80\"", "\"\xf0\x90\x80\x80\"", "\"\xf4\x8f\xbf\xbf\"",
                           "\"\x7f\"", "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]"}) {
    EXPECT_TRUE(doc.parse(text)) << text;
    std::string error;
    EXPECT_TRUE(parse_strict(text, &error)) << text;
  }
}

// Every 2- and 3-byte sequence in a string: LiteJson accepts exactly what
// the strict parser accepts (4-byte sequences are sampled by lead byte).
TEST(LiteJsonTest, Utf8AgreesWithTheStrictParser) {
  LiteJson doc;
  std::string error;
  auto check = [&](const std::string& bytes) {
    std::string text = "\"" + bytes + "\"";
    bool strict = parse_strict(text, &error).has_value();
    bool lite = doc.parse(text);
    // LiteJson may decline valid text (it never does for UTF-8), never accept bad text.
    EXPECT_EQ(lite, strict) << testing::PrintToString(bytes);
  };
  for (int b0 = 0x80; b0 < 0x100; ++b0) {
    for (int b1 = 0x20; b1 < 0x100; b1 += 1) {
      if (b1 == '"' || b1 == '\\') continue;
      check(std::string{static_cast<char>(b0), static_cast<char>(b1)});
      if (b0 >= 0xe0) {
        for (int b2 : {0x7f, 0x80, 0xbf, 0xc0}) {
          check(std::string{static_cast<char>(b0), static_cast<char>(b1), static_cast<char>(b2)});
        }
      }
      if (b0 >= 0xf0) {
        check(std::string{static_cast<char>(b0), static_cast<char>(b1), '\x80', '\x80'});
        check(std::string{static_cast<char>(b0), static_cast<char>(b1), '\xbf', '\xbf'});
      }
    }
  }
}

}  // namespace
}  // namespace suanli::ledger
