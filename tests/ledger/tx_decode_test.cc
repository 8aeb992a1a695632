// decode_tx and parse_strict: round trips of every type and the ingress
// checks of API.md "Transactions", each with the field it must name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/codec.h"
#include "ledger/crypto.h"

namespace suanli::ledger {
namespace {

using nlohmann::json;

const std::string kSigner(64, 'a');
const std::string kNonce(32, 'b');
const std::string kSig(128, 'c');
const std::string kKey = std::string(62, '1') + "2f";
const std::string kContract = "0123456789abcdef0123456789abcdef";
const std::string kVoucher(64, 'd');
const std::string kVoucher2(64, 'e');
const std::string kCode = "91520000MA6DLWCC5C";

std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string tx_text(std::string_view type, std::string_view payload) {
  return R"({"chain_id":"suanli-devnet","type":)" + q(type) + R"(,"signer":)" + q(kSigner) +
         R"(,"nonce":)" + q(kNonce) + R"(,"expires_at":1767225600000,"payload":)" +
         std::string(payload) + R"(,"signature":)" + q(kSig) + "}";
}

// Replaces the first `from` of `s`; the test fails when it is not there.
std::string sub(std::string s, std::string_view from, std::string_view to) {
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

std::string repeat(std::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += unit;
  return out;
}

struct Sample {
  const char* type;
  std::string payload;
};

std::vector<Sample> samples() {
  std::string contract = q("contract_id") + ":" + q(kContract);
  std::string create = "{" + contract + R"(,"provider":)" + q(kKey) +
                       R"(,"resource":{"class":"intelligent","model":"H100","unit":"card_hour"},)"
                       R"("quantity":100,"unit_price":2500,"deadline":1767312000000)";
  return {
      {"participant_register", R"({"pubkey":)" + q(kKey) +
                                   R"(,"role":"provider","province":"CN-GZ","name":"贵州算力",)"
                                   R"("credit_code":)" +
                                   q(kCode) + R"(,"group":""})"},
      {"participant_freeze", R"({"pubkey":)" + q(kKey) + R"(,"frozen":true})"},
      {"deposit", R"({"to":)" + q(kKey) + R"(,"amount":107000000,"reference":"ICBC-1"})"},
      {"withdraw", R"({"amount":1,"reference":"w\"1\\"})"},
      {"transfer", R"({"to":)" + q(kKey) + R"(,"amount":9007199254740991,"memo":""})"},
      {"contract_create", create + "}"},
      {"contract_create", create + R"(,"vouchers":[{"voucher_id":)" + q(kVoucher) +
                              R"(,"amount":5000},{"voucher_id":)" + q(kVoucher2) +
                              R"(,"amount":1}]})"},
      {"contract_accept", "{" + contract + "}"},
      {"contract_reject", "{" + contract + R"(,"reason":"算力不足\n"})"},
      {"contract_cancel", "{" + contract + "}"},
      {"delivery_report", "{" + contract + R"(,"quantity":10,"evidence":)" + q(kVoucher) + "}"},
      {"delivery_ack", "{" + contract + R"(,"seq":1})"},
      {"delivery_dispute", "{" + contract + R"(,"seq":1,"reason":"\u0001"})"},
      {"delivery_finalize", "{" + contract + R"(,"seq":0})"},
      {"dispute_resolve", "{" + contract + R"(,"seq":1,"accepted_quantity":0})"},
      {"contract_close", "{" + contract + "}"},
      {"voucher_apply", "{" + contract + R"(,"program":"CN-GZ"})"},
      {"voucher_issue", "{" + contract + "}"},
      {"voucher_reject", "{" + contract + R"(,"reason":"affiliated"})"},
      {"voucher_redeem", R"({"voucher_id":)" + q(kVoucher) + R"(,"amount":1})"},
      {"voucher_revoke", R"({"voucher_id":)" + q(kVoucher) + R"(,"reason":"fraud"})"},
      {"program_set", R"({"province":"CN-GZ","basis":"provider","rate_bps":300,)"
                      R"("max_per_voucher":500000000,"max_per_buyer_per_year":1000000000,)"
                      R"("max_term_ms":31622400000,"validity_ms":31536000000,"budget":0})"},
      {"settlement_close", "{}"},
      {"settlement_sign", R"({"period":0})"},
      {"node_propose", R"({"action":"add_learner","node_id":"gz-4","pubkey":)" + q(kKey) +
                           R"(,"address":"10.0.0.4:7601"})"},
      {"regulator_propose", R"({"pubkey":)" + q(kKey) +
                                R"(,"province":"CN-BJ","name":"北京市经济和信息化局",)"
                                R"("credit_code":"91110000100000000R"})"},
      {"proposal_approve", R"({"proposal":)" + q(kVoucher) + "}"},
  };
}

const Sample& sample(const char* type) {
  static const std::vector<Sample> all = samples();
  for (const Sample& s : all) {
    if (std::string_view(s.type) == type) return s;
  }
  ADD_FAILURE() << type;
  return all.front();
}

std::string valid(const char* type) { return tx_text(type, sample(type).payload); }

TEST(DecodeTxTest, RoundTripsEveryType) {
  crypto_init();
  std::array<uint8_t, 32> seed{};
  seed.fill(0x42);
  std::vector<bool> seen(kTxTypeCount, false);
  for (const Sample& s : samples()) {
    std::string text = tx_text(s.type, s.payload);
    auto decoded = decode_tx(text);
    ASSERT_TRUE(std::holds_alternative<Tx>(decoded))
        << s.type << ": " << std::get<TxError>(decoded).field << " "
        << std::get<TxError>(decoded).message;
    Tx tx = std::get<Tx>(decoded);
    seen[static_cast<size_t>(tx.type)] = true;
    EXPECT_EQ(tx_type_name(tx.type), s.type);
    EXPECT_EQ(tx.canonical, jcs(json::parse(text)));
    EXPECT_EQ(tx_to_json(tx, true), json::parse(text));
    EXPECT_EQ(tx.hash, blake2b256(tx.signing_message));
    EXPECT_FALSE(verify_tx(tx));  // the signature is a placeholder

    tx.signer = PubKey{};
    sign_tx(tx, seed);
    auto again = decode_tx(tx.canonical);
    ASSERT_TRUE(std::holds_alternative<Tx>(again)) << s.type;
    const Tx& back = std::get<Tx>(again);
    EXPECT_EQ(back.canonical, tx.canonical);
    EXPECT_EQ(back.signing_message, tx.signing_message);
    EXPECT_EQ(back.hash, tx.hash);
    EXPECT_TRUE(verify_tx(back)) << s.type;
    EXPECT_EQ(tx_to_json(back, true), tx_to_json(tx, true));
    // Block transactions skip the re-encode check: the same transaction.
    auto fast = decode_tx(tx.canonical, DecodeCheck::kNone);
    ASSERT_TRUE(std::holds_alternative<Tx>(fast)) << s.type;
    EXPECT_EQ(std::get<Tx>(fast).signing_message, tx.signing_message) << s.type;
    EXPECT_EQ(std::get<Tx>(fast).canonical, tx.canonical) << s.type;
    EXPECT_EQ(tx_to_json(std::get<Tx>(fast), true), tx_to_json(tx, true)) << s.type;
  }
  for (int t = 0; t < kTxTypeCount; ++t) EXPECT_TRUE(seen[t]) << t;
}

TEST(DecodeTxTest, WhitespaceAndOrderDoNotChangeTheHash) {
  std::string text = valid("deposit");
  auto a = decode_tx(text);
  std::string spaced = " {\n \"signature\" : " + q(kSig) + " , " + text.substr(1) + " \t";
  spaced = sub(spaced, R"(,"signature":)" + q(kSig), "");
  auto b = decode_tx(spaced);
  ASSERT_TRUE(std::holds_alternative<Tx>(a));
  ASSERT_TRUE(std::holds_alternative<Tx>(b));
  EXPECT_EQ(std::get<Tx>(a).hash, std::get<Tx>(b).hash);
  EXPECT_EQ(std::get<Tx>(a).canonical, std::get<Tx>(b).canonical);
}

TEST(DecodeTxTest, BoundaryValuesPass) {
  std::string reg = valid("participant_register");
  std::string name128 = repeat("贵", 128);
  for (const std::string& text : {
           sub(reg, "贵州算力", name128),
           sub(reg, R"("group":"")", R"("group":"91440300708461136T")"),
           sub(valid("transfer"), R"("memo":"")", q(repeat("a", 128)).insert(0, "\"memo\":")),
           sub(valid("deposit"), "ICBC-1", repeat("r", 64)),
           sub(valid("contract_reject"), R"(算力不足\n)", repeat("x", 256)),
           sub(valid("program_set"), R"("rate_bps":300)", R"("rate_bps":10000)"),
           sub(valid("node_propose"), "gz-4", repeat("N", 64)),
           sub(valid("node_propose"), "10.0.0.4:7601", repeat("h", 255)),
           sub(valid("deposit"), "suanli-devnet", repeat("c", 64)),
           sub(valid("deposit"), "1767225600000", "0"),
           sub(valid("deposit"), "1767225600000", "9007199254740991"),
           sub(valid("transfer"), R"("memo":"")", R"("memo":"\ud83d\ude00\u0000")"),
           sub(valid("transfer"), R"("memo":"")", R"("memo":")" + repeat("中", 128) + "\""),
       }) {
    auto r = decode_tx(text);
    EXPECT_TRUE(std::holds_alternative<Tx>(r))
        << text << "\n"
        << std::get<TxError>(r).field << ": " << std::get<TxError>(r).message;
  }
}

struct Bad {
  std::string text;
  TxErrorKind kind;
  std::string field;
};

// The valid transactions the cases below break.
struct Bases {
  std::string dep = valid("deposit");
  std::string reg = valid("participant_register");
  std::string cc = valid("contract_create");  // without vouchers
  std::string with_v = tx_text("contract_create", samples()[6].payload);
  std::string amount = R"("amount":107000000)";
  std::string nonce = R"("nonce":)" + q(kNonce);
};
constexpr auto kI = TxErrorKind::kInvalid;
constexpr auto kP = TxErrorKind::kParse;

// Envelope, numbers, hex and participant fields.
std::vector<Bad> bad_cases_first(const Bases& b) {
  const auto& [dep, reg, cc, with_v, amount, nonce] = b;
  return {
      {sub(dep, "{", R"({"extra":1,)"), kI, "extra"},
      {sub(dep, amount, amount + R"(,"foo":1)"), kI, "payload.foo"},
      {sub(dep, nonce, nonce + "," + nonce), kI, "nonce"},
      {sub(dep, amount, amount + R"(,"amount":2)"), kI, "payload.amount"},
      {sub(dep, R"(,"signature":)" + q(kSig), ""), kI, "signature"},
      {sub(dep, R"(,"reference":"ICBC-1")", ""), kI, "payload.reference"},
      {sub(dep, R"("expires_at":1767225600000,)", ""), kI, "expires_at"},
      {sub(dep, amount, R"("amount":"107000000")"), kI, "payload.amount"},
      {sub(dep, "1767225600000", "\"1767225600000\""), kI, "expires_at"},
      {sub(dep, amount, R"("amount":1.0)"), kI, "payload.amount"},
      {sub(dep, amount, R"("amount":1e3)"), kI, "payload.amount"},
      {sub(dep, amount, R"("amount":-0)"), kI, "payload.amount"},
      {sub(dep, amount, R"("amount":-1)"), kI, "payload.amount"},
      {sub(dep, amount, R"("amount":9007199254740992)"), kI, "payload.amount"},
      {sub(dep, amount, R"("amount":18446744073709551616)"), kI, "payload.amount"},
      {sub(dep, amount, R"("amount":0)"), kI, "payload.amount"},
      {sub(dep, amount, R"("amount":null)"), kI, "payload.amount"},
      {sub(dep, "1767225600000", "1.5"), kI, "expires_at"},
      {sub(dep, "1767225600000", "9007199254740992"), kI, "expires_at"},
      {sub(dep, kSigner, "A" + kSigner.substr(1)), kI, "signer"},
      {sub(dep, kNonce, kNonce.substr(2)), kI, "nonce"},
      {sub(dep, kKey, kKey + "00"), kI, "payload.to"},
      {sub(dep, kSig, "zz" + kSig.substr(2)), kI, "signature"},
      {sub(dep, R"("to":)" + q(kKey), R"("to":7)"), kI, "payload.to"},
      {sub(reg, "CN-GZ", "CN-XX"), kI, "payload.province"},
      {sub(reg, kCode, "91520000MA6DLWCC5X"), kI, "payload.credit_code"},
      {sub(reg, R"("group":"")", R"("group":"x")"), kI, "payload.group"},
      {sub(reg, "贵州算力", repeat("贵", 129)), kI, "payload.name"},
      {sub(reg, "贵州算力", ""), kI, "payload.name"},
      {sub(reg, R"("role":"provider")", R"("role":"admin")"), kI, "payload.role"},
  };
}

// Other payload fields, parse errors and size.
std::vector<Bad> bad_cases_second(const Bases& b) {
  const auto& [dep, reg, cc, with_v, amount, nonce] = b;
  return {
      {sub(valid("transfer"), R"("memo":"")", R"("memo":")" + repeat("m", 129) + "\""), kI,
       "payload.memo"},
      {sub(valid("transfer"), kKey, kSigner), kI, "payload.to"},
      {sub(dep, "ICBC-1", repeat("r", 65)), kI, "payload.reference"},
      {sub(valid("contract_reject"), R"(算力不足\n)", ""), kI, "payload.reason"},
      {sub(valid("voucher_revoke"), "fraud", repeat("x", 257)), kI, "payload.reason"},
      {sub(cc, "H100", repeat("h", 65)), kI, "payload.resource.model"},
      {sub(cc, R"(,"model":"H100")", ""), kI, "payload.resource.model"},
      {sub(cc, "intelligent", "gpu"), kI, "payload.resource.class"},
      {sub(cc, "card_hour", "hour"), kI, "payload.resource.unit"},
      {sub(cc, R"("unit":"card_hour")", R"("unit":"card_hour","x":0)"), kI, "payload.resource.x"},
      {sub(cc, R"("quantity":100)", R"("quantity":0)"), kI, "payload.quantity"},
      {sub(with_v, kVoucher2, kVoucher), kI, "payload.vouchers[1].voucher_id"},
      {sub(with_v, R"("amount":1})", R"("amount":1.5})"), kI, "payload.vouchers[1].amount"},
      {sub(with_v, R"("amount":1})", R"("amount":1,"amount":1})"), kI,
       "payload.vouchers[1].amount"},
      {sub(with_v, R"("amount":5000)", R"("amount":0)"), kI, "payload.vouchers[0].amount"},
      {sub(with_v, q(kVoucher2), q(kVoucher2.substr(2))), kI, "payload.vouchers[1].voucher_id"},
      {sub(cc, "1767312000000", R"(1767312000000,"vouchers":[])"), kI, "payload.vouchers"},
      {sub(cc, "1767312000000", R"(1767312000000,"vouchers":[7])"), kI, "payload.vouchers[0]"},
      {sub(cc, "1767312000000", R"(1767312000000,"vouchers":{})"), kI, "payload.vouchers"},
      {sub(valid("program_set"), R"("basis":"provider")", R"("basis":"seller")"), kI,
       "payload.basis"},
      {sub(valid("program_set"), R"("rate_bps":300)", R"("rate_bps":10001)"), kI,
       "payload.rate_bps"},
      {sub(valid("program_set"), R"("rate_bps":300)", R"("rate_bps":0)"), kI, "payload.rate_bps"},
      {sub(valid("node_propose"), "add_learner", "add"), kI, "payload.action"},
      {sub(valid("node_propose"), "gz-4", "gz 4"), kI, "payload.node_id"},
      {sub(valid("node_propose"), "gz-4", repeat("n", 65)), kI, "payload.node_id"},
      {sub(valid("node_propose"), "10.0.0.4:7601", repeat("h", 256)), kI, "payload.address"},
      {sub(valid("voucher_apply"), R"("program":"CN-GZ")", R"("program":"GZ")"), kI,
       "payload.program"},
      {sub(valid("delivery_ack"), R"("seq":1)", R"("seq":-1)"), kI, "payload.seq"},
      {sub(valid("delivery_ack"), R"("seq":1)", R"("seq":-0)"), kI, "payload.seq"},
      {sub(valid("delivery_ack"), R"("seq":1)", R"("seq":0.0)"), kI, "payload.seq"},
      {sub(valid("settlement_sign"), R"("period":0)", R"("period":0e0)"), kI, "payload.period"},
      {sub(valid("participant_freeze"), "true", "1"), kI, "payload.frozen"},
      {sub(valid("settlement_close"), "{}", R"({"x":1})"), kI, "payload.x"},
      {sub(dep, "suanli-devnet", ""), kI, "chain_id"},
      {sub(dep, "suanli-devnet", "suanli\\ndevnet"), kI, "chain_id"},
      {sub(dep, R"("type":"deposit")", R"("type":"mint")"), kI, "type"},
      {sub(dep, R"("type":"deposit")", R"("type":5)"), kI, "type"},
      {sub(dep, R"("type":"deposit")", R"("type":"withdraw")"), kI, "payload.to"},
      {tx_text("deposit", "[]"), kI, "payload"},
      {"[1]", kI, ""},
      {sub(valid("transfer"), R"("memo":"")", R"("memo":"\ud800")"), kP, ""},
      {sub(valid("transfer"), R"("memo":"")", R"("memo":"\udc00x")"), kP, ""},
      {sub(valid("transfer"), R"("memo":"")", "\"memo\":\"\xff\""), kP, ""},
      {sub(valid("transfer"), R"("memo":"")", "\"memo\":\"\xc0\xaf\""), kP, ""},
      {sub(valid("transfer"), R"("memo":"")", "\"memo\":\"\x01\""), kP, ""},
      {dep + "x", kP, ""},
      {"", kP, ""},
      {sub(dep, "{", R"({"junk":")" + repeat("j", 17000) + "\","), TxErrorKind::kTooLarge, ""},
  };
}

TEST(DecodeTxTest, RefusesMalformedTransactionsNamingTheField) {
  Bases bases;
  auto cases = bad_cases_first(bases);
  auto more = bad_cases_second(bases);
  cases.insert(cases.end(), more.begin(), more.end());
  EXPECT_GE(cases.size(), 40u);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Bad& c = cases[i];
    auto r = decode_tx(c.text);
    ASSERT_TRUE(std::holds_alternative<TxError>(r)) << i << ": " << c.text;
    const TxError& e = std::get<TxError>(r);
    EXPECT_EQ(static_cast<int>(e.kind), static_cast<int>(c.kind)) << i << ": " << c.text;
    if (c.kind == TxErrorKind::kInvalid) {
      EXPECT_EQ(e.field, c.field) << i << ": " << c.text;
    }
    EXPECT_FALSE(e.message.empty()) << i;
  }
}

TEST(DecodeTxTest, DeepNestingIsInvalidNotACrash) {
  std::string deep = repeat("[", 100000) + repeat("]", 100000);
  auto r = decode_tx(sub(valid("deposit"), "{", "{\"junk\":" + deep + ","));
  ASSERT_TRUE(std::holds_alternative<TxError>(r));
  EXPECT_EQ(std::get<TxError>(r).kind, TxErrorKind::kInvalid);
  EXPECT_EQ(std::get<TxError>(r).field.substr(0, 8), "junk[0][");
}

TEST(DecodeTxTest, ValueOverloadRefusesDeepValuesFromLaxParsers) {
  json v = json::parse(valid("deposit"));
  v["junk"] = json::parse(repeat("[", 50000) + repeat("]", 50000));
  auto r = decode_tx(v, std::nullopt);
  ASSERT_TRUE(std::holds_alternative<TxError>(r));
  EXPECT_EQ(std::get<TxError>(r).kind, TxErrorKind::kInvalid);
  json ok = json::parse(valid("contract_create"));
  EXPECT_TRUE(std::holds_alternative<Tx>(decode_tx(ok, std::nullopt)));
}

TEST(DecodeTxTest, TooLargeCountsTheCanonicalEncoding) {
  // Whitespace does not count: 20 KiB of spaces around a small transaction is fine.
  std::string padded = repeat(" ", 20000) + valid("deposit") + repeat("\n", 20000);
  EXPECT_TRUE(std::holds_alternative<Tx>(decode_tx(padded)));
}

TEST(DecodeTxTest, ValueOverloadTakesTheAnomaly) {
  json v = json::parse(valid("deposit"));
  EXPECT_TRUE(std::holds_alternative<Tx>(decode_tx(v, std::nullopt)));
  auto r = decode_tx(v, JsonAnomaly{"payload.amount", "must be an integer"});
  ASSERT_TRUE(std::holds_alternative<TxError>(r));
  EXPECT_EQ(std::get<TxError>(r).field, "payload.amount");
}

TEST(ParseStrictTest, RecordsFirstAnomalyWithPath) {
  std::string error;
  auto a = parse_strict(R"({"a":[1,{"b":2,"b":3}],"c":-1})", &error);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->anomaly);
  EXPECT_EQ(a->anomaly->path, "a[1].b");
  auto b = parse_strict(R"({"a":[0,[1,2.5]]})", &error);
  ASSERT_TRUE(b && b->anomaly);
  EXPECT_EQ(b->anomaly->path, "a[1][1]");
  auto c = parse_strict(R"([[[1]]])", &error, 2);
  ASSERT_TRUE(c && c->anomaly);
  EXPECT_EQ(c->anomaly->path, "[0][0]");
  auto d = parse_strict(R"({"x":{"y":[true,null,"s",7]}})", &error);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->anomaly);
  EXPECT_EQ(d->value, json::parse(R"({"x":{"y":[true,null,"s",7]}})"));
  EXPECT_FALSE(parse_strict("{\"a\":1", &error));
  EXPECT_FALSE(error.empty());
}

TEST(ParseStrictTest, MinusZeroAndNegativesAreAnomalies) {
  std::string error;
  for (const char* text : {"-0", "[-0]", "{\"a\":-7}", "-0.0", "1E2", "0.5"}) {
    auto r = parse_strict(text, &error);
    ASSERT_TRUE(r) << text;
    EXPECT_TRUE(r->anomaly) << text;
  }
  auto ok = parse_strict("[0, 9007199254740992, 18446744073709551615]", &error);
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->anomaly);
}

TEST(ParseStrictTest, AnomalyWithinFindsTheTransactionsOwn) {
  std::string error;
  auto all = parse_strict_all(R"({"id":-1,"params":{"tx":{"nonce":"a","nonce":"b"},"txs":[1.5]}})",
                              &error);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->anomalies.size(), 3u);
  EXPECT_EQ(all->anomalies[0].path, "id");
  auto in_tx = anomaly_within(all->anomalies, "params.tx");
  ASSERT_TRUE(in_tx);
  EXPECT_EQ(in_tx->path, "nonce");
  auto in_txs = anomaly_within(all->anomalies, "params.txs");
  ASSERT_TRUE(in_txs);
  EXPECT_EQ(in_txs->path, "[0]");
  EXPECT_FALSE(anomaly_within(all->anomalies, "params.t"));
  EXPECT_FALSE(anomaly_within(all->anomalies, "result"));
  auto dup = parse_strict_all(R"({"tx":{},"tx":{}})", &error);
  ASSERT_TRUE(dup);
  auto whole = anomaly_within(dup->anomalies, "tx");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->path, "");
}

}  // namespace
}  // namespace suanli::ledger
