#include "tests/ledger/harness_util.h"

#include <gtest/gtest.h>

#include "common/money.h"
#include "ledger/validate.h"

namespace suanli::ledger::testing {

std::string make_credit_code(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string first17 = "91520000" + std::string(9 - std::min<size_t>(9, digits.size()), '0') +
                        digits.substr(0, 9);
  return first17 + credit_code_check_char(first17);
}

std::vector<Actor> Harness::default_actors() {
  struct Spec {
    const char* name;
    Role role;
    const char* province;
  };
  const Spec specs[] = {
      {"gz-reg", Role::kRegulator, "CN-GZ"}, {"bj-reg", Role::kRegulator, "CN-BJ"},
      {"gz-prov", Role::kProvider, "CN-GZ"}, {"gz-prov2", Role::kProvider, "CN-GZ"},
      {"sc-prov", Role::kProvider, "CN-SC"}, {"bj-buyer", Role::kBuyer, "CN-BJ"},
      {"gd-buyer", Role::kBuyer, "CN-GD"},   {"sh-buyer", Role::kBuyer, "CN-SH"},
      {"gz-buyer", Role::kBuyer, "CN-GZ"},
  };
  std::vector<Actor> actors;
  uint64_t n = 1;
  for (const auto& s : specs) {
    std::array<uint8_t, 32> seed{};
    seed[0] = static_cast<uint8_t>(n);
    seed[1] = 0x5a;
    actors.push_back(Actor{s.name, keypair_from_seed(seed), s.role, s.province,
                           make_credit_code(1000 + n), ""});
    ++n;
  }
  return actors;
}

Genesis Harness::default_genesis(const std::vector<Actor>& actors) {
  Genesis g;
  g.chain_id = "suanli-test";
  g.genesis_time = kGenesisTime;
  g.programs.push_back(ProgramParams{"CN-GZ", Basis::kProvider, 300, 500000000, 1000000000,
                                     31622400000, 31536000000, 10000000000});
  g.programs.push_back(ProgramParams{"CN-BJ", Basis::kBuyer, 2000, 200000000, 200000000,
                                     31622400000, 31536000000, 5000000000});
  for (const auto& a : actors) {
    uint64_t balance = a.role == Role::kBuyer ? 5000000000 : 0;
    g.participants.push_back(
        GenesisParticipant{a.key.pubkey, a.role, a.province, a.name, a.credit_code, a.group,
                           balance});
  }
  GenesisNode node;
  node.node_id = "gz-1";
  node.pubkey = actors.front().key.pubkey;
  node.address = "127.0.0.1:7601";
  g.nodes.push_back(node);
  g.hash = blake2b256("test genesis");
  return g;
}

Harness::Harness() : Harness(default_genesis(default_actors()), default_actors()) {}

Harness::Harness(Genesis genesis, std::vector<Actor> actors) : genesis_(std::move(genesis)) {
  crypto_init();
  for (auto& a : actors) actors_[a.name] = a;
  kv_.commit(genesis_writes(genesis_));
  state_hash_ = genesis_.hash;
}

const Actor& Harness::actor(const std::string& name) const {
  auto it = actors_.find(name);
  if (it == actors_.end()) throw std::runtime_error("no actor " + name);
  return it->second;
}

Actor& Harness::add_actor(const std::string& name, Role role, const std::string& province,
                          const std::string& group) {
  std::array<uint8_t, 32> seed{};
  uint64_t n = 100 + actors_.size();
  seed[0] = static_cast<uint8_t>(n);
  seed[1] = 0xa5;
  seed[2] = static_cast<uint8_t>(n >> 8);
  actors_[name] = Actor{name, keypair_from_seed(seed), role, province, make_credit_code(5000 + n),
                        group};
  return actors_[name];
}

Tx Harness::make(const std::string& signer, TxType type, Payload payload) {
  Tx tx;
  tx.chain_id = genesis_.chain_id;
  tx.type = type;
  tx.signer = actor(signer).key.pubkey;
  ++nonce_;
  for (int i = 0; i < 8; ++i) tx.nonce[i] = static_cast<uint8_t>(nonce_ >> (8 * i));
  tx.expires_at = time_ + 3600000;
  tx.payload = std::move(payload);
  sign_tx(tx, actor(signer).key.seed);
  return tx;
}

std::vector<TxOutcome> Harness::block(const std::vector<Tx>& txs, std::vector<bool> sig_ok) {
  BlockInput in;
  in.height = height_ + 1;
  in.time = time_;
  for (const auto& tx : txs) in.txs.push_back(&tx);
  in.signature_ok = sig_ok.empty() ? std::vector<bool>(txs.size(), true) : std::move(sig_ok);
  ApplyResult r = apply_block(kv_, state_hash_, in);
  kv_.commit(r.writes);
  state_hash_ = r.state_hash;
  height_ = in.height;
  time_ += 1000;
  std::vector<TxOutcome> outcomes = r.outcomes;
  history_.push_back(std::move(r));
  return outcomes;
}

TxRecord Harness::submit(const std::string& signer, TxType type, Payload payload) {
  auto outcomes = block({make(signer, type, std::move(payload))});
  return outcomes.at(0).record;
}

void Harness::ok(const std::string& signer, TxType type, Payload payload) {
  TxRecord r = submit(signer, type, std::move(payload));
  EXPECT_TRUE(r.ok) << tx_type_name(type) << " by " << signer << " failed: " << r.error << ": "
                    << r.message;
}

namespace {
// The writes to the state column family, without the transaction index.
WriteSet state_writes(const WriteSet& w) {
  WriteSet out;
  for (const auto& [key, value] : w) {
    if (!key.empty() && key[0] == kCfState) out.emplace(key, value);
  }
  return out;
}
}  // namespace

void Harness::expect_error(const std::string& code, const std::string& signer, TxType type,
                           Payload payload) {
  // What a block with no transactions at this height and time would write
  // (the height, vouchers expiring): a failed transaction adds nothing to it
  // but its record and tx_list index.
  BlockInput empty;
  empty.height = height_ + 1;
  empty.time = time_;
  WriteSet expected = state_writes(apply_block(kv_, state_hash_, empty).writes);
  Tx tx = make(signer, type, std::move(payload));
  TxRecord r = block({tx}).at(0).record;
  EXPECT_FALSE(r.ok) << tx_type_name(type) << " by " << signer << " succeeded, expected "
                     << code;
  EXPECT_EQ(r.error, code) << tx_type_name(type) << " by " << signer << ": " << r.message;
  WriteSet actual = state_writes(history_.back().writes);
  if (actual != expected) {
    std::string changed;
    for (const auto& [key, value] : actual) {
      auto it = expected.find(key);
      if (it == expected.end() || it->second != value) changed += " " + to_hex(key);
    }
    for (const auto& [key, value] : expected) {
      if (!actual.count(key)) changed += " -" + to_hex(key);
    }
    ADD_FAILURE() << "failed " << tx_type_name(type) << " by " << signer
                  << " changed the state:" << changed;
  }
  EXPECT_TRUE(kv_.get(keys::tx_record(tx.hash))) << "the failed transaction is not recorded";
}

namespace {
template <typename F>
auto read_state(const MemKv& kv, F f) {
  Overlay view(kv);
  StateStore st(view);
  return f(st);
}
}  // namespace

Participant Harness::participant(const std::string& name) const {
  auto p = read_state(kv_, [&](StateStore& st) { return st.participant(actor(name).key.pubkey); });
  if (!p) throw std::runtime_error("participant not registered: " + name);
  return *p;
}
std::optional<Contract> Harness::contract(const Id16& id) const {
  return read_state(kv_, [&](StateStore& st) { return st.contract(id); });
}
std::optional<Voucher> Harness::voucher(const Hash32& id) const {
  return read_state(kv_, [&](StateStore& st) { return st.voucher(id); });
}
std::optional<Application> Harness::application(const Id16& id) const {
  return read_state(kv_, [&](StateStore& st) { return st.application(id); });
}
Program Harness::program(const std::string& province) const {
  return *read_state(kv_, [&](StateStore& st) { return st.program(province); });
}
Statement Harness::statement(uint64_t period) const {
  return *read_state(kv_, [&](StateStore& st) { return st.statement(period); });
}
std::optional<Proposal> Harness::proposal(const Hash32& id) const {
  return read_state(kv_, [&](StateStore& st) { return st.proposal(id); });
}
uint64_t Harness::current_period() const {
  return read_state(kv_, [&](StateStore& st) { return st.meta_u64("period"); });
}
Totals Harness::totals() const {
  return read_state(kv_, [&](StateStore& st) { return st.totals(); });
}

Id16 Harness::new_contract_id() {
  Id16 id{};
  ++contract_counter_;
  id[0] = 0xc0;
  for (int i = 0; i < 8; ++i) id[8 + i] = static_cast<uint8_t>(contract_counter_ >> (8 * i));
  return id;
}

::testing::AssertionResult Harness::check_supply() const {
  // Recompute every figure from the stored objects.
  U128 balances = 0, escrow = 0, voucher_remaining = 0, budgets = 0, available = 0;
  constexpr U128 kLimit = kAmountMax;
  for (const auto& [key, value] : kv_.data()) {
    if (key.size() < 2 || key[0] != kCfState) continue;
    char family = key[1];
    if (family == 'p') {
      Participant p;
      if (!decode(value, p)) return ::testing::AssertionFailure() << "corrupt participant";
      if (p.balance > kLimit) return ::testing::AssertionFailure() << "balance out of range";
      balances += p.balance;
    } else if (family == 'c') {
      Contract k;
      if (!decode(value, k)) return ::testing::AssertionFailure() << "corrupt contract";
      uint64_t unspent = 0;
      for (const auto& d : k.deductions) {
        if (d.spent + d.returned > d.amount) {
          return ::testing::AssertionFailure() << "deduction overspent";
        }
        unspent += d.amount - d.spent - d.returned;
      }
      if (unspent != k.escrow_voucher) {
        return ::testing::AssertionFailure() << "voucher escrow " << k.escrow_voucher
                                             << " != unspent deductions " << unspent;
      }
      if (k.escrow_buyer > kLimit || k.escrow_voucher > kLimit) {
        return ::testing::AssertionFailure() << "escrow out of range";
      }
      if (k.settled != k.delivered * k.unit_price) {
        return ::testing::AssertionFailure() << "settled != delivered x unit_price";
      }
      escrow += k.escrow_buyer + k.escrow_voucher;
    } else if (family == 'v') {
      Voucher v;
      if (!decode(value, v)) return ::testing::AssertionFailure() << "corrupt voucher";
      if (v.remaining > v.amount) return ::testing::AssertionFailure() << "voucher over amount";
      voucher_remaining += v.remaining;
    } else if (family == 'g') {
      Program g;
      if (!decode(value, g)) return ::testing::AssertionFailure() << "corrupt programme";
      if (g.params.budget + g.returned < g.issued) {
        return ::testing::AssertionFailure() << "programme issued more than available";
      }
      budgets += g.params.budget;
      available += g.params.budget + g.returned - g.issued;
    }
  }
  Totals t = totals();
  if (t.balances != balances || t.escrow != escrow || t.voucher_remaining != voucher_remaining) {
    return ::testing::AssertionFailure() << "running totals differ from the state";
  }
  U128 left = balances + escrow + voucher_remaining + available;
  U128 right =
      static_cast<U128>(t.genesis_balances) + budgets + t.deposits - t.withdrawals;
  if (left != right) {
    return ::testing::AssertionFailure()
           << "supply identity broken: " << static_cast<uint64_t>(left)
           << " != " << static_cast<uint64_t>(right);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace suanli::ledger::testing
