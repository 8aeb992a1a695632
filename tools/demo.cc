// suanli-demo: the demo story on a running devnet, through JSON-RPC.
//
//   suanli-demo --devnet DIR [--node URL] [--json]
//
// A Beijing AI company buys GPU card-hours from a Guizhou supercomputing
// centre, receives a 3% Guizhou voucher, cashes part of it back, deducts the
// rest on a second contract (with a dispute the Guizhou regulator resolves),
// earns a 20% Beijing voucher on a third, and the period's cross-province
// settlement is closed and co-signed by both regulators.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "common/money.h"
#include "genesis/genesis.h"
#include "genesis/node_config.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "wallet/rpc_client.h"

using namespace suanli;
using namespace suanli::ledger;

namespace {

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

class Story {
 public:
  Story(std::string dir, const std::string& url) : dir_(std::move(dir)), rpc_(url) {}

  bool load() {
    auto g = genesis::load_genesis(dir_ + "/genesis.json");
    if (!g) return error("genesis: " + g.status().to_string());
    chain_id_ = g->chain_id;
    for (const char* name : {"gz-regulator", "bj-regulator", "gz-supercomputing", "gz-intelligent",
                             "bj-ai", "gd-robotics", "sh-biotech"}) {
      auto k = genesis::load_node_key(dir_ + "/keys/" + name + ".key.json");
      if (!k) return error(std::string(name) + ": " + k.status().to_string());
      keys_[name] = *k;
    }
    return true;
  }

  // Signs and submits; waits for commit; returns false (and explains) on failure.
  bool send(const std::string& signer, TxType type, Payload payload, const std::string& what) {
    Tx tx;
    tx.chain_id = chain_id_;
    tx.type = type;
    tx.signer = keys_.at(signer).pubkey;
    randombytes(tx.nonce);
    tx.expires_at = now_ms() + 600000;
    tx.payload = std::move(payload);
    sign_tx(tx, keys_.at(signer).seed);
    nlohmann::json params = {{"tx", nlohmann::json::parse(tx.canonical)},
                             {"wait", "committed"},
                             {"timeout_ms", 20000}};
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto r = rpc_.call("tx_submit", params);
      if (!r) return error(r.status().to_string());
      if (!r->ok && (r->error_code == -32010 || r->error_code == -32006)) {  // no leader, busy
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      if (!r->ok) return error(what + ": " + r->error_message);
      const auto& res = r->result;
      if (!res.contains("result") || !res["result"].value("ok", false)) {
        return error(what + ": rejected: " + res.dump());
      }
      std::printf("  ✓ %-58s block %llu\n", what.c_str(),
                  static_cast<unsigned long long>(res.value("height", 0)));
      return true;
    }
    return error(what + ": the cluster has no leader");
  }

  // Waits until the node answers and knows a leader.
  bool wait_ready(int timeout_s) {
    for (int i = 0; i < timeout_s * 10; ++i) {
      auto r = rpc_.call("node_status", nlohmann::json::object(), 2000);
      if (r && r->ok && !r->result.value("leader_id", "").empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return error("the node at " + rpc_.host() + ":" + rpc_.port() +
                 " did not become ready with a leader in " + std::to_string(timeout_s) + " s");
  }

  nlohmann::json get(const std::string& method, const nlohmann::json& params) {
    auto r = rpc_.call(method, params);
    if (!r || !r->ok) return nullptr;
    return r->result;
  }
  uint64_t balance(const std::string& name) {
    auto p = get("participant_get", {{"pubkey", to_hex(keys_.at(name).pubkey)}});
    return p.is_null() ? 0 : p["balance"].get<uint64_t>();
  }
  PubKey pk(const std::string& name) const { return keys_.at(name).pubkey; }
  bool error(const std::string& what) {
    std::fprintf(stderr, "demo: %s\n", what.c_str());
    return false;
  }

  template <size_t N>
  static void randombytes(std::array<uint8_t, N>& a) {
    std::random_device rd;
    for (auto& b : a) b = static_cast<uint8_t>(rd());
  }

 private:
  std::string dir_;
  wallet::RpcClient rpc_;
  std::string chain_id_;
  std::map<std::string, KeyPair> keys_;
};

std::string yuan(uint64_t fen) { return format_yuan(static_cast<int64_t>(fen)); }

bool run(Story& s) {
  const Resource gpu{ResourceClass::kIntelligent, "A800 80GB", ResourceUnit::kCardHour};
  Id16 k1{}, k2{}, k3{};
  Story::randombytes(k1);
  Story::randombytes(k2);
  Story::randombytes(k3);
  std::printf("\n1. A Beijing AI company buys 3,566,667 GPU card-hours at ¥10.00 from a Guizhou "
              "supercomputing centre\n");
  if (!s.send("bj-ai", TxType::kContractCreate,
              ContractCreate{k1, s.pk("gz-supercomputing"), gpu, 3566667, 1000,
                             now_ms() + 30LL * 86400000, {}},
              "contract created, ¥35,666,670.00 in escrow") ||
      !s.send("gz-supercomputing", TxType::kContractAccept, ContractRef{k1}, "provider accepts") ||
      !s.send("gz-supercomputing", TxType::kDeliveryReport,
              DeliveryReport{k1, 2000000, blake2b256("usage records, week 1")},
              "2,000,000 card-hours delivered") ||
      !s.send("bj-ai", TxType::kDeliveryAck, DeliveryRef{k1, 1}, "buyer acknowledges: ¥20,000,000.00 paid") ||
      !s.send("gz-supercomputing", TxType::kDeliveryReport,
              DeliveryReport{k1, 1566667, blake2b256("usage records, week 2")},
              "1,566,667 card-hours delivered") ||
      !s.send("bj-ai", TxType::kDeliveryAck, DeliveryRef{k1, 2}, "buyer acknowledges: ¥15,666,670.00 paid") ||
      !s.send("bj-ai", TxType::kContractClose, ContractRef{k1}, "contract completed")) {
    return false;
  }
  std::printf("\n2. The buyer applies for a Guizhou compute voucher (3%% of the contract)\n");
  Hash32 v1 = voucher_id_for(k1);
  if (!s.send("bj-ai", TxType::kVoucherApply, VoucherApply{k1, "CN-GZ"}, "voucher applied for") ||
      !s.send("gz-regulator", TxType::kVoucherIssue, ContractRef{k1},
              "Guizhou bureau issues the voucher")) {
    return false;
  }
  auto v = s.get("voucher_get", {{"voucher_id", to_hex(v1)}});
  if (v.is_null()) return s.error("voucher not found");
  std::printf("  voucher %s… worth %s\n", to_hex(v1).substr(0, 16).c_str(),
              yuan(v["amount"]).c_str());

  std::printf("\n3. Part cashed back, the rest deducted on a second contract\n");
  uint64_t cash_back = v["amount"].get<uint64_t>() - 100000000;
  if (!s.send("bj-ai", TxType::kVoucherRedeem, VoucherRedeem{v1, cash_back},
              "cash back " + yuan(cash_back)) ||
      !s.send("bj-ai", TxType::kContractCreate,
              ContractCreate{k2, s.pk("gz-supercomputing"), gpu, 200000, 1000, now_ms() + 20000,
                             {VoucherUse{v1, 100000000}}},
              "second contract: ¥2,000,000.00, ¥1,000,000.00 deducted") ||
      !s.send("gz-supercomputing", TxType::kContractAccept, ContractRef{k2}, "provider accepts") ||
      !s.send("gz-supercomputing", TxType::kDeliveryReport,
              DeliveryReport{k2, 40000, blake2b256("usage k2-1")}, "40,000 card-hours delivered") ||
      !s.send("bj-ai", TxType::kDeliveryAck, DeliveryRef{k2, 1},
              "acknowledged: paid from the voucher first") ||
      !s.send("gz-supercomputing", TxType::kDeliveryReport,
              DeliveryReport{k2, 40000, blake2b256("usage k2-2")}, "40,000 card-hours reported") ||
      !s.send("bj-ai", TxType::kDeliveryDispute, DeliveryDispute{k2, 2, "nodes were down 6 hours"},
              "buyer disputes the second delivery") ||
      !s.send("gz-regulator", TxType::kDisputeResolve, DisputeResolve{k2, 2, 30000},
              "Guizhou bureau resolves: 30,000 card-hours accepted")) {
    return false;
  }
  std::printf("  waiting for the second contract's deadline (20 s)…\n");
  std::this_thread::sleep_for(std::chrono::seconds(21));
  if (!s.send("bj-ai", TxType::kContractClose, ContractRef{k2},
              "closed after the deadline: unspent voucher money returns")) {
    return false;
  }
  v = s.get("voucher_get", {{"voucher_id", to_hex(v1)}});
  std::printf("  voucher now holds %s again\n", yuan(v["remaining"]).c_str());

  std::printf("\n4. A Beijing voucher (20%%, for Beijing buyers) on a third contract\n");
  if (!s.send("bj-ai", TxType::kContractCreate,
              ContractCreate{k3, s.pk("gz-intelligent"), gpu, 10000, 5000, now_ms() + 86400000, {}},
              "third contract: 10,000 card-hours at ¥50.00") ||
      !s.send("gz-intelligent", TxType::kContractAccept, ContractRef{k3}, "provider accepts") ||
      !s.send("gz-intelligent", TxType::kDeliveryReport,
              DeliveryReport{k3, 10000, blake2b256("usage k3")}, "all delivered") ||
      !s.send("bj-ai", TxType::kDeliveryAck, DeliveryRef{k3, 1}, "acknowledged") ||
      !s.send("bj-ai", TxType::kContractClose, ContractRef{k3}, "completed") ||
      !s.send("bj-ai", TxType::kVoucherApply, VoucherApply{k3, "CN-BJ"}, "applied to Beijing") ||
      !s.send("bj-regulator", TxType::kVoucherIssue, ContractRef{k3},
              "Beijing issues a 20% voucher")) {
    return false;
  }
  auto v3 = s.get("voucher_get", {{"voucher_id", to_hex(voucher_id_for(k3))}});
  std::printf("  Beijing voucher worth %s\n", yuan(v3["amount"]).c_str());

  std::printf("\n5. Cross-province settlement: the period is closed and co-signed\n");
  auto open = s.get("settlement_current", nlohmann::json::object());
  uint64_t period = open.is_null() ? 1 : open.value("period", 1);
  if (!s.send("gz-regulator", TxType::kSettlementClose, SettlementClose{},
              "settlement period " + std::to_string(period) + " closed") ||
      !s.send("gz-regulator", TxType::kSettlementSign, SettlementSign{period}, "Guizhou signs") ||
      !s.send("bj-regulator", TxType::kSettlementSign, SettlementSign{period}, "Beijing signs")) {
    return false;
  }
  auto st = s.get("settlement_get", {{"period", period}});
  if (!st.is_null()) {
    for (const auto& f : st["flows"]) {
      std::printf("  %s → %s  %s  (%llu payment(s))\n", f["from"].get<std::string>().c_str(),
                  f["to"].get<std::string>().c_str(), yuan(f["amount"]).c_str(),
                  static_cast<unsigned long long>(f["count"].get<uint64_t>()));
    }
    std::printf("  statement %s\n", st["status"].get<std::string>().c_str());
  }
  std::printf("\nBalances: Beijing AI %s, Guizhou supercomputing %s, Guizhou intelligent %s\n",
              yuan(s.balance("bj-ai")).c_str(), yuan(s.balance("gz-supercomputing")).c_str(),
              yuan(s.balance("gz-intelligent")).c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, url = "127.0.0.1:8645";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--devnet") == 0) {
      dir = argv[i + 1];
    } else if (std::strcmp(argv[i], "--node") == 0) {
      url = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: suanli-demo --devnet DIR [--node URL]\n");
      return 2;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: suanli-demo --devnet DIR [--node URL]\n");
    return 2;
  }
  crypto_init();
  Story story(dir, url);
  if (!story.load() || !story.wait_ready(30)) return 1;
  return run(story) ? 0 : 1;
}
