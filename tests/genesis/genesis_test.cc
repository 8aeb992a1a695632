#include "genesis/genesis.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "genesis/json_fields.h"
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
  const std::vector<std::string> variants = {
      doc.dump(2), escaped, chain, reversed(doc).dump(), reversed(doc).dump(3),
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

struct InvalidCase {
  const char* what;
  std::function<std::string(json&)> edit;  // returns the text to parse ("" = dump the doc)
  const char* field;                       // the message must start with "<field>:"
};

std::string none(json&) { return ""; }

const std::vector<InvalidCase>& invalid_cases() {
  static const std::vector<InvalidCase> cases = {
      {"not json", [](json&) { return std::string("{\"chain_id\": "); }, "not valid JSON"},
      {"unknown member", [](json& d) { d["extra"] = 1; return std::string(); }, "extra"},
      {"missing nodes", [](json& d) { d.erase("nodes"); return std::string(); }, "nodes"},
      {"not an object", [](json&) { return std::string("[]"); }, "document"},
      {"duplicate key",
       [](json& d) {
         std::string t = d.dump();
         return "{\"chain_id\":\"x\"," + t.substr(1);
       },
       "chain_id"},
      {"float", [](json& d) {
         std::string t = d.dump();
         size_t at = t.find("\"rate_bps\":300");
         return t.replace(at, 14, "\"rate_bps\":300.0");
       }, "voucher_programs[0].rate_bps"},
      {"minus zero", [](json& d) {
         std::string t = d.dump();
         size_t at = t.rfind("\"balance\":0");
         return t.replace(at, 11, "\"balance\":-0");
       }, "participants[2].balance"},
      {"exponent", [](json& d) {
         std::string t = d.dump();
         size_t at = t.find("\"max_block_txs\":8192");
         return t.replace(at, 20, "\"max_block_txs\":8.192e3");
       }, "policy.max_block_txs"},
      {"chain_id empty", [](json& d) { d["chain_id"] = ""; return none(d); }, "chain_id"},
      {"chain_id space", [](json& d) { d["chain_id"] = "a b"; return none(d); }, "chain_id"},
      {"chain_id long", [](json& d) { d["chain_id"] = std::string(65, 'c'); return none(d); },
       "chain_id"},
      {"chain_id type", [](json& d) { d["chain_id"] = 7; return none(d); }, "chain_id"},
      {"genesis_time 0", [](json& d) { d["genesis_time"] = 0; return none(d); },
       "genesis_time"},
      {"genesis_time 2^53", [](json& d) { d["genesis_time"] = 1ull << 53; return none(d); },
       "genesis_time"},
      {"genesis_time negative", [](json& d) { d["genesis_time"] = -5; return none(d); },
       "genesis_time"},
      {"genesis_time string", [](json& d) { d["genesis_time"] = "1"; return none(d); },
       "genesis_time"},
      {"policy array", [](json& d) { d["policy"] = json::array(); return none(d); }, "policy"},
      {"policy missing", [](json& d) { d["policy"].erase("ack_window_ms"); return none(d); },
       "policy.ack_window_ms"},
      {"policy unknown", [](json& d) { d["policy"]["block_ms"] = 1; return none(d); },
       "policy.block_ms"},
      {"validity > 7 days",
       [](json& d) { d["policy"]["max_tx_validity_ms"] = 604800001; return none(d); },
       "policy.max_tx_validity_ms"},
      {"validity 0", [](json& d) { d["policy"]["max_tx_validity_ms"] = 0; return none(d); },
       "policy.max_tx_validity_ms"},
      {"ack window 0", [](json& d) { d["policy"]["ack_window_ms"] = 0; return none(d); },
       "policy.ack_window_ms"},
      {"block txs 0", [](json& d) { d["policy"]["max_block_txs"] = 0; return none(d); },
       "policy.max_block_txs"},
      {"block txs 65537", [](json& d) { d["policy"]["max_block_txs"] = 65537; return none(d); },
       "policy.max_block_txs"},
      {"block bytes small", [](json& d) { d["policy"]["max_block_bytes"] = 1000; return none(d); },
       "policy.max_block_bytes"},
      {"block bytes large",
       [](json& d) { d["policy"]["max_block_bytes"] = 67108865; return none(d); },
       "policy.max_block_bytes"},
      {"approvals 0", [](json& d) { d["policy"]["membership_approvals"] = 0; return none(d); },
       "policy.membership_approvals"},
      {"approvals above regulated provinces",
       [](json& d) { d["policy"]["membership_approvals"] = 3; return none(d); },
       "policy.membership_approvals"},
      {"programs not array", [](json& d) { d["voucher_programs"] = json::object(); return none(d); },
       "voucher_programs"},
      {"program province", [](json& d) {
         d["voucher_programs"][1]["province"] = "CN-XX"; return none(d); },
       "voucher_programs[1].province"},
      {"program province twice", [](json& d) {
         d["voucher_programs"][1]["province"] = "CN-GZ"; return none(d); },
       "voucher_programs[1].province"},
      {"program without regulator", [](json& d) {
         d["voucher_programs"][1]["province"] = "CN-SH"; return none(d); },
       "voucher_programs[1].province"},
      {"program basis", [](json& d) {
         d["voucher_programs"][0]["basis"] = "seller"; return none(d); },
       "voucher_programs[0].basis"},
      {"rate 0", [](json& d) { d["voucher_programs"][1]["rate_bps"] = 0; return none(d); },
       "voucher_programs[1].rate_bps"},
      {"rate 10001", [](json& d) {
         d["voucher_programs"][1]["rate_bps"] = 10001; return none(d); },
       "voucher_programs[1].rate_bps"},
      {"max_per_voucher 0", [](json& d) {
         d["voucher_programs"][0]["max_per_voucher"] = 0; return none(d); },
       "voucher_programs[0].max_per_voucher"},
      {"per year 2^53", [](json& d) {
         d["voucher_programs"][0]["max_per_buyer_per_year"] = 1ull << 53; return none(d); },
       "voucher_programs[0].max_per_buyer_per_year"},
      {"term 0", [](json& d) { d["voucher_programs"][0]["max_term_ms"] = 0; return none(d); },
       "voucher_programs[0].max_term_ms"},
      {"validity_ms 0", [](json& d) {
         d["voucher_programs"][0]["validity_ms"] = 0; return none(d); },
       "voucher_programs[0].validity_ms"},
      {"budget 0", [](json& d) { d["voucher_programs"][0]["budget"] = 0; return none(d); },
       "voucher_programs[0].budget"},
      {"program unknown member", [](json& d) {
         d["voucher_programs"][0]["issued"] = 0; return none(d); },
       "voucher_programs[0].issued"},
      {"program missing member", [](json& d) {
         d["voucher_programs"][0].erase("budget"); return none(d); },
       "voucher_programs[0].budget"},
      {"participants empty", [](json& d) { d["participants"] = json::array(); return none(d); },
       "participants"},
      {"no regulator", [](json& d) {
         d["participants"].erase(0); d["participants"].erase(0);
         d["voucher_programs"] = json::array(); return none(d); },
       "participants"},
      {"pubkey uppercase", [](json& d) {
         std::string k = d["participants"][1]["pubkey"];
         for (char& c : k) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         d["participants"][1]["pubkey"] = k; return none(d); },
       "participants[1].pubkey"},
      {"pubkey short", [](json& d) {
         d["participants"][1]["pubkey"] = std::string(62, 'a'); return none(d); },
       "participants[1].pubkey"},
      {"pubkey twice", [](json& d) {
         d["participants"][3]["pubkey"] = d["participants"][2]["pubkey"]; return none(d); },
       "participants[3].pubkey"},
      {"role", [](json& d) { d["participants"][2]["role"] = "admin"; return none(d); },
       "participants[2].role"},
      {"participant province", [](json& d) {
         d["participants"][2]["province"] = "cn-gz"; return none(d); },
       "participants[2].province"},
      {"name empty", [](json& d) { d["participants"][2]["name"] = ""; return none(d); },
       "participants[2].name"},
      {"name 129 code points", [](json& d) {
         std::string name;
         for (int i = 0; i < 129; ++i) name += "算";
         d["participants"][2]["name"] = name; return none(d); },
       "participants[2].name"},
      {"credit code check", [](json& d) {
         std::string code = d["participants"][2]["credit_code"];
         code.back() = code.back() == '0' ? '1' : '0';
         d["participants"][2]["credit_code"] = code; return none(d); },
       "participants[2].credit_code"},
      {"credit code letter I", [](json& d) {
         d["participants"][2]["credit_code"] = "91520000MI6DQ2R81X"; return none(d); },
       "participants[2].credit_code"},
      {"group", [](json& d) { d["participants"][3]["group"] = "x"; return none(d); },
       "participants[3].group"},
      {"balance 2^53", [](json& d) {
         d["participants"][3]["balance"] = 1ull << 53; return none(d); },
       "participants[3].balance"},
      {"regulator balance", [](json& d) {
         d["participants"][0]["balance"] = 1; return none(d); },
       "participants[0].balance"},
      {"supply overflow", [](json& d) {
         d["participants"][3]["balance"] = (1ull << 53) - 1; return none(d); },
       "voucher_programs[0].budget"},
      {"participant unknown member", [](json& d) {
         d["participants"][1]["frozen"] = false; return none(d); },
       "participants[1].frozen"},
      {"nodes empty", [](json& d) { d["nodes"] = json::array(); return none(d); }, "nodes"},
      {"only learners", [](json& d) { d["nodes"][0]["role"] = "learner"; return none(d); },
       "nodes"},
      {"node role", [](json& d) { d["nodes"][0]["role"] = "observer"; return none(d); },
       "nodes[0].role"},
      {"node_id space", [](json& d) { d["nodes"][1]["node_id"] = "bj 1"; return none(d); },
       "nodes[1].node_id"},
      {"node_id long", [](json& d) {
         d["nodes"][1]["node_id"] = std::string(65, 'n'); return none(d); },
       "nodes[1].node_id"},
      {"node_id twice", [](json& d) { d["nodes"][1]["node_id"] = "gz-1"; return none(d); },
       "nodes[1].node_id"},
      {"node pubkey twice", [](json& d) {
         d["nodes"][1]["pubkey"] = d["nodes"][0]["pubkey"]; return none(d); },
       "nodes[1].pubkey"},
      {"address without port", [](json& d) {
         d["nodes"][0]["address"] = "127.0.0.1"; return none(d); },
       "nodes[0].address"},
      {"address port 0", [](json& d) { d["nodes"][0]["address"] = "h:0"; return none(d); },
       "nodes[0].address"},
      {"address port 65536", [](json& d) {
         d["nodes"][0]["address"] = "h:65536"; return none(d); },
       "nodes[0].address"},
      {"node unknown member", [](json& d) { d["nodes"][0]["rpc"] = "x"; return none(d); },
       "nodes[0].rpc"},
  };
  return cases;
}

TEST(GenesisTest, InvalidDocumentsNameTheirField) {
  ASSERT_GE(invalid_cases().size(), 25u);
  for (const InvalidCase& c : invalid_cases()) {
    json doc = valid_genesis_json();
    std::string text = c.edit(doc);
    if (text.empty()) text = doc.dump();
    auto g = parse_genesis(text);
    ASSERT_FALSE(g) << c.what << " was accepted";
    EXPECT_EQ(g.status().code(), "invalid_genesis") << c.what;
    const std::string& message = g.status().message();
    EXPECT_EQ(message.rfind(std::string(c.field) + ":", 0), 0u)
        << c.what << ": expected field " << c.field << ", got: " << message;
  }
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
