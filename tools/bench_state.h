// suanli-bench's large state: participants and contracts written straight
// into each node's state database before its first start, identically on
// every node (BENCHMARK ONLY: a real chain gets them through transactions).
// They hold no money, so the ledger's totals stay balanced; they make the
// database as large as a long-running chain's.
#pragma once

#include "ledger/overlay.h"
#include "ledger/store.h"
#include "node/storage/state_store.h"
#include "tools/bench_cluster.h"

namespace suanli::bench {

inline PubKey filler_key(uint64_t i) {
  PubKey k{};
  std::array<uint8_t, 16> in{};
  std::memcpy(in.data(), &i, sizeof(i));
  in[15] = 0x5a;
  crypto_generichash(k.data(), k.size(), in.data(), in.size(), nullptr, 0);
  return k;
}

// Returns the seconds it took.
inline double prefill_state(const std::string& state_dir, size_t participants, size_t contracts) {
  auto start = Clock::now();
  fs::create_directories(state_dir);
  auto store = node::StateStore::open(state_dir);
  if (!store) die("prefill: " + store.status().to_string());
  static const char* kProvinces[] = {"CN-GZ", "CN-BJ", "CN-GD", "CN-SH", "CN-ZJ", "CN-SC"};
  constexpr size_t kBatch = 20000;
  auto flush = [&](ledger::Overlay& view) {
    Status s = (*store)->commit(view.take(), node::StateStore::Sync::kNo);
    if (!s) die("prefill: " + s.to_string());
  };
  for (size_t lo = 0; lo < participants; lo += kBatch) {
    ledger::Overlay view(**store);
    ledger::StateStore st(view);
    for (size_t i = lo; i < std::min(participants, lo + kBatch); ++i) {
      ledger::Participant p;
      p.pubkey = filler_key(i);
      p.role = i % 2 ? ledger::Role::kProvider : ledger::Role::kBuyer;
      p.province = kProvinces[i % 6];
      p.name = "算力用户 " + std::to_string(i);
      p.credit_code = credit_code_for(i);
      st.put(p);
    }
    flush(view);
  }
  for (size_t lo = 0; lo < contracts; lo += kBatch) {
    ledger::Overlay view(**store);
    ledger::StateStore st(view);
    for (size_t i = lo; i < std::min(contracts, lo + kBatch); ++i) {
      ledger::Contract c;
      std::memcpy(c.contract_id.data(), &i, sizeof(i));
      c.contract_id[15] = 0xc7;
      const uint64_t pair = participants > 1 ? (2 * i) % (participants - 1) : 0;
      c.buyer = filler_key(pair);
      c.provider = filler_key(pair + 1);
      c.resource = ledger::Resource{ledger::ResourceClass::kIntelligent, "A800-80G",
                                    ledger::ResourceUnit::kCardHour};
      c.quantity = 1000;
      c.unit_price = 1200;
      c.amount = 1200000;
      c.created_at = 1767225600000;
      c.deadline = 1798761600000;
      c.state = ledger::ContractState::kCompleted;
      c.delivered = 1000;
      c.settled = c.settled_buyer_funded = 1200000;
      c.deliveries.push_back(ledger::Delivery{});
      c.deliveries.back().seq = 1;
      c.deliveries.back().quantity = 1000;
      c.deliveries.back().state = ledger::DeliveryState::kAcked;
      st.put(c);
    }
    flush(view);
  }
  return secs_since(start);
}

}  // namespace suanli::bench
