#include "genesis/genesis.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "genesis/json_fields.h"
#include "genesis/limits.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "tests/genesis/genesis_util.h"

namespace suanli::genesis {
namespace {

using nlohmann::json;
using testing::test_pubkey;
using testing::valid_genesis_json;

std::string expected_hash_hex(const json& doc) {
  return to_hex(ledger::blake2b256("suanli-genesis-v1\n" + ledger::jcs(doc)));
}

TEST(GenesisTest, ValidGenesisParses) {
  json doc = valid_genesis_json();
  auto g = parse_genesis(doc.dump());
  ASSERT_TRUE(g) << g.status().to_string();
  EXPECT_EQ(g->chain_id, "suanli-devnet");
  EXPECT_EQ(g->genesis_time, 1767225600000u);
  EXPECT_EQ(g->policy.max_block_txs, 8192u);
  EXPECT_EQ(g->policy.membership_approvals, 2u);
  ASSERT_EQ(g->programs.size(), 2u);
  EXPECT_EQ(g->programs[0].province, "CN-GZ");
  EXPECT_EQ(g->programs[0].basis, ledger::Basis::kProvider);
  EXPECT_EQ(g->programs[0].rate_bps, 300u);
  EXPECT_EQ(g->programs[1].basis, ledger::Basis::kBuyer);
  EXPECT_EQ(g->programs[1].budget, 5000000000u);
  ASSERT_EQ(g->participants.size(), 4u);
  EXPECT_EQ(g->participants[0].pubkey, test_pubkey(1));
  EXPECT_EQ(g->participants[0].role, ledger::Role::kRegulator);
  EXPECT_EQ(g->participants[2].name, "贵州\"超算\"\\中心");
  EXPECT_EQ(g->participants[3].balance, 5000000000u);
  ASSERT_EQ(g->nodes.size(), 2u);
  EXPECT_EQ(g->nodes[1].node_id, "bj-1");
  EXPECT_EQ(g->nodes[1].role, ledger::NodeRole::kLearner);
  EXPECT_EQ(g->nodes[1].address, "node.example.com:7602");
  EXPECT_EQ(to_hex(g->hash), expected_hash_hex(doc));
  EXPECT_EQ(genesis_hash(*g), g->hash);
}

// Rebuilds `v` with every object's members in reverse order.
nlohmann::ordered_json reversed(const json& v) {
  if (v.is_object()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    std::vector<std::string> keys;
    for (const auto& item : v.items()) keys.push_back(item.key());
    for (auto it = keys.rbegin(); it != keys.rend(); ++it) out[*it] = reversed(v.at(*it));
    return out;
  }
  if (v.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& e : v) out.push_back(reversed(e));
    return out;
  }
  return nlohmann::ordered_json::parse(v.dump());
}

TEST(GenesisTest, HashIgnoresFormattingMemberOrderAndEscapes) {
  json doc = valid_genesis_json();
  auto base = parse_genesis(doc.dump());
  ASSERT_TRUE(base) << base.status().to_string();
  std::string escaped = doc.dump(1, '\t', /*ensure_ascii=*/true);  // \uXXXX for Chinese
  std::string chain = doc.dump(4);
  size_t at = chain.find("\"suanli-devnet\"");
  ASSERT_NE(at, std::string::npos);
  chain.replace(at, 15, "\"suanli\\u002ddevnet\"");  // an escaped '-'
  const std::vector<std::string> variants = {doc.dump(2),
                                             escaped,
                                             chain,
                                             reversed(doc).dump(),
                                             reversed(doc).dump(3),
                                             "\n\t  " + doc.dump() + "  \r\n"};
  for (const std::string& text : variants) {
    auto g = parse_genesis(text);
    ASSERT_TRUE(g) << g.status().to_string() << "\n" << text;
    EXPECT_EQ(g->hash, base->hash) << text;
  }
}

TEST(GenesisTest, HashCoversEveryValue) {
  json doc = valid_genesis_json();
  auto base = parse_genesis(doc.dump());
  ASSERT_TRUE(base);
  std::vector<std::function<void(json&)>> edits = {
      [](json& d) { d["genesis_time"] = 1767225600001; },
      [](json& d) { d["participants"][3]["balance"] = 5000000001; },
      [](json& d) { d["nodes"][0]["address"] = "127.0.0.1:7600"; },
      [](json& d) { d["voucher_programs"][0]["rate_bps"] = 301; },
      [](json& d) { d["policy"]["ack_window_ms"] = 86400001; },
      [](json& d) { std::swap(d["participants"][2], d["participants"][3]); },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    json changed = doc;
    edits[i](changed);
    auto g = parse_genesis(changed.dump());
    ASSERT_TRUE(g) << i << ": " << g.status().to_string();
    EXPECT_NE(g->hash, base->hash) << i;
  }
}

TEST(GenesisTest, ToJsonRoundTrips) {
  json doc = valid_genesis_json();
  auto g = parse_genesis(doc.dump());
  ASSERT_TRUE(g);
  json out = genesis_to_json(*g);
  EXPECT_EQ(ledger::jcs(out), ledger::jcs(doc));
  auto again = parse_genesis(out.dump());
  ASSERT_TRUE(again) << again.status().to_string();
  EXPECT_EQ(again->hash, g->hash);
  EXPECT_EQ(ledger::jcs(genesis_to_json(*again)), ledger::jcs(out));
}

TEST(GenesisTest, FieldRules) {
  EXPECT_TRUE(is_node_id("gz-1"));
  EXPECT_TRUE(is_node_id("Node_2.a"));
  EXPECT_FALSE(is_node_id(""));
  EXPECT_FALSE(is_node_id("gz 1"));
  EXPECT_FALSE(is_node_id(std::string(65, 'a')));
  EXPECT_TRUE(is_host_port("127.0.0.1:7601"));
  EXPECT_TRUE(is_host_port("[::1]:8645"));
  EXPECT_TRUE(is_host_port("node-1.example.com:1"));
  EXPECT_FALSE(is_host_port("127.0.0.1"));
  EXPECT_FALSE(is_host_port(":7601"));
  EXPECT_FALSE(is_host_port("host:0"));
  EXPECT_FALSE(is_host_port("host:65536"));
  EXPECT_FALSE(is_host_port("host:07601"));
  EXPECT_FALSE(is_host_port("::1:7601"));
  EXPECT_FALSE(is_host_port("ho st:7601"));
  EXPECT_TRUE(is_chain_id("suanli-devnet"));
  EXPECT_FALSE(is_chain_id("suanli devnet"));
  EXPECT_FALSE(is_chain_id(""));
  EXPECT_FALSE(is_chain_id(std::string(65, 'c')));
}

// One invalid document: `pointer` (RFC 6901) set to `value`, or removed when
// `value` is nullopt; the error message must start with "<field>:".
struct Edit {
  std::string pointer;
  std::optional<json> value;
  std::string field;
};

std::vector<Edit> invalid_edits(const json& doc) {
  std::string upper = doc["participants"][1]["pubkey"];
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string long_name;
  for (int i = 0; i < 129; ++i) long_name += "算";
  std::string bad_check = doc["participants"][2]["credit_code"];
  bad_check.back() = bad_check.back() == '0' ? '1' : '0';
  json deep = 1;
  for (int i = 0; i < 40; ++i) deep = json::array({deep});
  std::string deep_path = "extra";  // where nesting passes kJsonDepthMax
  for (size_t i = 1; i < kJsonDepthMax; ++i) deep_path += "[0]";
  const uint64_t k2p53 = uint64_t{1} << 53;
  return {
      {"", json::array(), "document"},
      {"/extra", 1, "extra"},
      {"/nodes", std::nullopt, "nodes"},
      {"/chain_id", "", "chain_id"},
      {"/chain_id", "a b", "chain_id"},
      {"/chain_id", std::string(65, 'c'), "chain_id"},
      {"/chain_id", 7, "chain_id"},
      {"/genesis_time", 0, "genesis_time"},
      {"/genesis_time", k2p53, "genesis_time"},
      {"/genesis_time", -5, "genesis_time"},
      {"/genesis_time", "1", "genesis_time"},
      {"/genesis_time", 1.5, "genesis_time"},
      {"/policy", json::array(), "policy"},
      {"/policy/ack_window_ms", std::nullopt, "policy.ack_window_ms"},
      {"/policy/block_ms", 1, "policy.block_ms"},
      {"/policy/max_tx_validity_ms", 604800001, "policy.max_tx_validity_ms"},
      {"/policy/max_tx_validity_ms", 0, "policy.max_tx_validity_ms"},
      {"/policy/ack_window_ms", 0, "policy.ack_window_ms"},
      {"/policy/max_block_txs", 0, "policy.max_block_txs"},
      {"/policy/max_block_txs", 65537, "policy.max_block_txs"},
      {"/policy/max_block_bytes", 1000, "policy.max_block_bytes"},
      {"/policy/max_block_bytes", 67108865, "policy.max_block_bytes"},
      {"/policy/membership_approvals", 0, "policy.membership_approvals"},
      // Only CN-GZ and CN-BJ have regulators: 3 approvals could never be reached.
      {"/policy/membership_approvals", 3, "policy.membership_approvals"},
      {"/voucher_programs", json::object(), "voucher_programs"},
      {"/voucher_programs/1/province", "CN-XX", "voucher_programs[1].province"},
      {"/voucher_programs/1/province", "CN-GZ", "voucher_programs[1].province"},
      {"/voucher_programs/1/province", "CN-SH", "voucher_programs[1].province"},
      {"/voucher_programs/0/basis", "seller", "voucher_programs[0].basis"},
      {"/voucher_programs/1/rate_bps", 0, "voucher_programs[1].rate_bps"},
      {"/voucher_programs/1/rate_bps", 10001, "voucher_programs[1].rate_bps"},
      {"/voucher_programs/0/max_per_voucher", 0, "voucher_programs[0].max_per_voucher"},
      {"/voucher_programs/0/max_per_buyer_per_year", k2p53,
       "voucher_programs[0].max_per_buyer_per_year"},
      {"/voucher_programs/0/max_term_ms", 0, "voucher_programs[0].max_term_ms"},
      {"/voucher_programs/0/validity_ms", 0, "voucher_programs[0].validity_ms"},
      {"/voucher_programs/0/budget", 0, "voucher_programs[0].budget"},
      {"/voucher_programs/0/budget", std::nullopt, "voucher_programs[0].budget"},
      {"/voucher_programs/0/issued", 0, "voucher_programs[0].issued"},
      {"/participants", json::array(), "participants"},
      {"/participants/0/role", "provider", "voucher_programs[0].province"},
      {"/participants/1/pubkey", upper, "participants[1].pubkey"},
      {"/participants/1/pubkey", std::string(62, 'a'), "participants[1].pubkey"},
      {"/participants/3/pubkey", doc["participants"][2]["pubkey"], "participants[3].pubkey"},
      {"/participants/2/role", "admin", "participants[2].role"},
      {"/participants/2/province", "cn-gz", "participants[2].province"},
      {"/participants/2/name", "", "participants[2].name"},
      {"/participants/2/name", long_name, "participants[2].name"},
      {"/participants/2/credit_code", bad_check, "participants[2].credit_code"},
      {"/participants/2/credit_code", "91520000MI6DQ2R81X", "participants[2].credit_code"},
      {"/participants/3/group", "x", "participants[3].group"},
      {"/participants/3/balance", k2p53, "participants[3].balance"},
      {"/participants/0/balance", 1, "participants[0].balance"},
      // Balances and budgets together must stay within 2^53-1.
      {"/participants/3/balance", k2p53 - 1, "voucher_programs[0].budget"},
      {"/participants/1/frozen", false, "participants[1].frozen"},
      {"/nodes", json::array(), "nodes"},
      {"/nodes/0/role", "learner", "nodes"},
      {"/nodes/0/role", "observer", "nodes[0].role"},
      {"/nodes/1/node_id", "bj 1", "nodes[1].node_id"},
      {"/nodes/1/node_id", std::string(65, 'n'), "nodes[1].node_id"},
      {"/nodes/1/node_id", "gz-1", "nodes[1].node_id"},
      {"/nodes/1/pubkey", doc["nodes"][0]["pubkey"], "nodes[1].pubkey"},
      {"/nodes/0/address", "127.0.0.1", "nodes[0].address"},
      {"/nodes/0/address", "h:0", "nodes[0].address"},
      {"/nodes/0/address", "h:65536", "nodes[0].address"},
      {"/nodes/0/rpc", "x", "nodes[0].rpc"},
      {"/extra", deep, deep_path},
  };
}

// Documents whose text, not just value, is wrong: what nlohmann would accept silently.
struct TextCase {
  std::string from, to;  // the first `from` in the compact dump becomes `to`
  std::string field;
};

const std::vector<TextCase>& invalid_texts() {
  static const std::vector<TextCase> cases = {
      {"{\"chain_id\"", "{\"chain_id\":\"x\",\"chain_id\"", "chain_id"},  // duplicate
      {"\"rate_bps\":300", "\"rate_bps\":300.0", "voucher_programs[0].rate_bps"},
      {"\"balance\":0", "\"balance\":-0", "participants[0].balance"},
      {"\"max_block_txs\":8192", "\"max_block_txs\":8.192e3", "policy.max_block_txs"},
      {"{\"chain_id\"", "[{\"chain_id\"", "not valid JSON"},
  };
  return cases;
}

void expect_refused(const std::string& text, const std::string& field, const std::string& what) {
  auto g = parse_genesis(text);
  ASSERT_FALSE(g) << what << " was accepted";
  EXPECT_EQ(g.status().code(), "invalid_genesis") << what;
  const std::string& message = g.status().message();
  EXPECT_EQ(message.rfind(field + ":", 0), 0u)
      << what << ": expected field " << field << ", got: " << message;
}

TEST(GenesisTest, InvalidDocumentsNameTheirField) {
  const json valid = valid_genesis_json();
  const std::vector<Edit> edits = invalid_edits(valid);
  ASSERT_GE(edits.size() + invalid_texts().size(), 25u);
  for (const Edit& e : edits) {
    json doc = valid;
    json::json_pointer pointer(e.pointer);
    if (e.value) {
      doc[pointer] = *e.value;
    } else {
      doc.at(pointer.parent_pointer()).erase(pointer.back());
    }
    expect_refused(doc.dump(), e.field, e.pointer + " = " + (e.value ? e.value->dump() : "-"));
  }
  for (const TextCase& c : invalid_texts()) {
    std::string text = valid.dump();
    size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    expect_refused(text, c.field, c.to);
  }
}

// A seeded stand-in for the fuzz target: damaged text is refused or, when it
// still parses, round-trips with the same hash; it never crashes.
TEST(GenesisTest, DamagedTextIsRefusedOrRoundTrips) {
  const std::string valid = valid_genesis_json().dump(1);
  std::mt19937_64 rng(7);  // fixed seed: failures replay
  static constexpr char kAlphabet[] = "{}[]:,\"\\-0123456789.eE abcfnrtu\x00\xff\xe7\xae";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);  // NUL included
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = valid;
    size_t at = rng() % text.size();
    switch (rng() % 4) {
      case 0:
        text.resize(at);
        break;
      case 1:
        text.erase(at, 1 + rng() % 8);
        break;
      case 2:
        text[at] = alphabet[rng() % alphabet.size()];
        break;
      default:
        text.insert(at, 1, alphabet[rng() % alphabet.size()]);
        break;
    }
    auto g = parse_genesis(text);
    if (!g) {
      EXPECT_EQ(g.status().code(), "invalid_genesis");
      continue;
    }
    ++accepted;
    auto again = parse_genesis(genesis_to_json(*g).dump());
    ASSERT_TRUE(again) << again.status().to_string() << "\n" << text;
    EXPECT_EQ(again->hash, g->hash);
  }
  EXPECT_GT(accepted, 0);  // whitespace and digit edits keep some documents valid
}

TEST(GenesisTest, LoadGenesisReadsFileAndNamesIt) {
  testing::TempDir dir;
  std::string path = (dir.path() / "genesis.json").string();
  auto missing = load_genesis(path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), "io_error");
  {
    std::ofstream out(path);
    out << valid_genesis_json().dump(2);
  }
  auto g = load_genesis(path);
  ASSERT_TRUE(g) << g.status().to_string();
  EXPECT_EQ(g->participants.size(), 4u);
  {
    std::ofstream out(path);
    out << "{}";
  }
  auto bad = load_genesis(path);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find(path), std::string::npos);
}

// BLAKE2b-256 of "suanli-genesis-v1\n" + JCS of genesis/samples/devnet-3.json,
// computed independently (Python: json.dumps(sort_keys=True, separators=(",", ":"),
// ensure_ascii=False) and hashlib.blake2b(digest_size=32)).
constexpr const char* kSampleHashHex =
    "6e99d763bc781792d69c1dd09352a0e483f930115deafd7904064849e2d5864a";

TEST(GenesisTest, SampleDevnetGenesisParses) {
  auto g = load_genesis(SUANLI_TEST_DATA_DIR "/../genesis/samples/devnet-3.json");
  ASSERT_TRUE(g) << g.status().to_string();
  EXPECT_EQ(g->chain_id, "suanli-devnet");
  EXPECT_EQ(g->genesis_time, 1767225600000u);
  ASSERT_EQ(g->nodes.size(), 3u);
  EXPECT_EQ(g->nodes[0].node_id, "gz-1");
  EXPECT_EQ(g->nodes[1].node_id, "gz-2");
  EXPECT_EQ(g->nodes[2].node_id, "bj-1");
  EXPECT_EQ(g->participants.size(), 7u);
  EXPECT_EQ(g->programs.size(), 2u);
  // Pinned: a change here means every existing devnet would be refused by new nodes.
  EXPECT_EQ(to_hex(g->hash), kSampleHashHex);
}

}  // namespace
}  // namespace suanli::genesis
