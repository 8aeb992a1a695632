// A ledger on an in-memory store with named actors, for ledger tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/mem_kv.h"
#include "ledger/store.h"

namespace suanli::ledger::testing {

struct Actor {
  std::string name;
  KeyPair key;
  Role role = Role::kBuyer;
  std::string province;
  std::string credit_code;
  std::string group;
};

// A valid unified social credit code derived from a number.
std::string make_credit_code(uint64_t n);

inline constexpr uint64_t kGenesisTime = 1767225600000;  // 2026-01-01T00:00:00Z
inline constexpr uint64_t kDayMs = 86400000;

class Harness {
 public:
  // Actors: gz-reg, bj-reg (regulators), gz-prov, gz-prov2 (providers, CN-GZ),
  // sc-prov (provider, CN-SC), bj-buyer, gd-buyer, sh-buyer, gz-buyer (buyers,
  // 5,000,000,000 fen each), programmes CN-GZ (provider basis, 300 bps) and
  // CN-BJ (buyer basis, 2000 bps) as in API.md's genesis example.
  Harness();
  explicit Harness(Genesis genesis, std::vector<Actor> actors);

  static Genesis default_genesis(const std::vector<Actor>& actors);
  static std::vector<Actor> default_actors();

  const Actor& actor(const std::string& name) const;
  Actor& add_actor(const std::string& name, Role role, const std::string& province,
                   const std::string& group = "");

  // A signed transaction from `signer` valid for an hour of block time.
  Tx make(const std::string& signer, TxType type, Payload payload);
  // Applies one block holding `txs` at the current time (then advances 1 s).
  std::vector<TxOutcome> block(const std::vector<Tx>& txs, std::vector<bool> sig_ok = {});
  // One transaction in its own block; returns its record.
  TxRecord submit(const std::string& signer, TxType type, Payload payload);
  // Asserting shorthands: the result must be ok / the given code. expect_error
  // also checks that the failed transaction changed nothing (its block writes
  // to the state exactly what an empty block would) and that it is recorded.
  void ok(const std::string& signer, TxType type, Payload payload);
  void expect_error(const std::string& code, const std::string& signer, TxType type,
                    Payload payload);

  void advance(uint64_t ms) { time_ += ms; }
  uint64_t time() const { return time_; }
  uint64_t height() const { return height_; }
  const Hash32& state_hash() const { return state_hash_; }
  const MemKv& kv() const { return kv_; }
  const Genesis& genesis() const { return genesis_; }
  std::vector<ApplyResult>& history() { return history_; }

  Participant participant(const std::string& name) const;
  uint64_t balance(const std::string& name) const { return participant(name).balance; }
  std::optional<Contract> contract(const Id16& id) const;
  std::optional<Voucher> voucher(const Hash32& id) const;
  std::optional<Application> application(const Id16& id) const;
  Program program(const std::string& province) const;
  Statement statement(uint64_t period) const;
  std::optional<Proposal> proposal(const Hash32& id) const;
  uint64_t current_period() const;
  Totals totals() const;
  // Recomputes every figure of the supply identity from the state itself and
  // checks it, the running totals and that nothing is negative (u64 wrap).
  ::testing::AssertionResult check_supply() const;

  Id16 new_contract_id();

 private:
  Genesis genesis_;
  std::map<std::string, Actor> actors_;
  MemKv kv_;
  Hash32 state_hash_{};
  uint64_t height_ = 0;
  uint64_t time_ = kGenesisTime + 1000;
  uint64_t nonce_ = 0;
  uint64_t contract_counter_ = 0;
  std::vector<ApplyResult> history_;
};

}  // namespace suanli::ledger::testing
