#include "tests/ledger/property_util.h"

namespace suanli::ledger::testing {
namespace {
const std::vector<std::string> kBuyers = {"bj-buyer", "gd-buyer", "sh-buyer", "gz-buyer"};
const std::vector<std::string> kProviders = {"gz-prov", "gz-prov2", "sc-prov"};
const std::vector<std::string> kRegulators = {"gz-reg", "bj-reg"};
const std::vector<std::string> kPrograms = {"CN-GZ", "CN-BJ", "CN-SH"};
}  // namespace

RandomDriver::RandomDriver(Harness& h, uint64_t seed) : h_(h), rng_(seed) {}

const std::string& RandomDriver::pick(const std::vector<std::string>& v) {
  return v[rng_() % v.size()];
}

uint64_t RandomDriver::amount() {
  switch (rng_() % 6) {
    case 0:
      return 1;
    case 1:
      return 1 + rng_() % 100;
    case 2:
      return 1 + rng_() % 100000;
    case 3:
      return 1 + rng_() % 10000000000;
    case 4:
      return (uint64_t{1} << 53) - 1 - rng_() % 3;
    default:
      return 1 + rng_() % 5000;
  }
}

Id16 RandomDriver::some_contract() {
  if (contracts_.empty() || rng_() % 20 == 0) return Id16{0x77};
  // Prefer recent contracts: they are the ones in motion.
  size_t n = contracts_.size();
  size_t back = rng_() % std::min<size_t>(n, 6);
  return contracts_[n - 1 - back];
}

Hash32 RandomDriver::some_voucher() { return voucher_id_for(some_contract()); }

Tx RandomDriver::random_tx() {
  Hash32 evidence{static_cast<uint8_t>(rng_())};
  switch (rng_() % 25) {
    case 0:
      return h_.make(pick(kRegulators), TxType::kDeposit,
                     Deposit{h_.actor(pick(rng_() % 2 ? kBuyers : kProviders)).key.pubkey,
                             amount(), "ref-" + std::to_string(rng_() % 1000)});
    case 1:
      return h_.make(pick(rng_() % 2 ? kBuyers : kProviders), TxType::kWithdraw,
                     Withdraw{amount(), "ref-" + std::to_string(rng_() % 1000)});
    case 2: {
      const std::string& from = pick(kBuyers);
      std::string to = pick(rng_() % 2 ? kBuyers : kProviders);
      if (to == from) to = "gz-prov";
      return h_.make(from, TxType::kTransfer, Transfer{h_.actor(to).key.pubkey, amount(), ""});
    }
    case 3:
    case 4: {
      Id16 id = h_.new_contract_id();
      contracts_.push_back(id);
      ContractCreate c{id, h_.actor(pick(kProviders)).key.pubkey, {}, 1 + rng_() % 1000,
                       1 + rng_() % 2000000, h_.time() + 1 + rng_() % (20 * kDayMs), {}};
      if (rng_() % 3 == 0) c.vouchers.push_back(VoucherUse{some_voucher(), 1 + rng_() % 50000});
      return h_.make(pick(kBuyers), TxType::kContractCreate, c);
    }
    case 5:
      return h_.make(pick(kProviders), TxType::kContractAccept, ContractRef{some_contract()});
    case 6:
      return h_.make(pick(kProviders), TxType::kContractReject,
                     ContractReason{some_contract(), "busy"});
    case 7:
      return h_.make(pick(kBuyers), TxType::kContractCancel, ContractRef{some_contract()});
    case 8:
      return h_.make(pick(kProviders), TxType::kDeliveryReport,
                     DeliveryReport{some_contract(), 1 + rng_() % 600, evidence});
    case 9:
      return h_.make(pick(kBuyers), TxType::kDeliveryAck,
                     DeliveryRef{some_contract(), 1 + rng_() % 3});
    case 10:
      return h_.make(pick(kBuyers), TxType::kDeliveryDispute,
                     DeliveryDispute{some_contract(), 1 + rng_() % 3, "late"});
    case 11:
      return h_.make(pick(kProviders), TxType::kDeliveryFinalize,
                     DeliveryRef{some_contract(), 1 + rng_() % 3});
    case 12:
      return h_.make(pick(kRegulators), TxType::kDisputeResolve,
                     DisputeResolve{some_contract(), 1 + rng_() % 3, rng_() % 300});
    case 13:
      return h_.make(rng_() % 2 ? pick(kBuyers) : pick(kProviders), TxType::kContractClose,
                     ContractRef{some_contract()});
    case 14:
      return h_.make(pick(kBuyers), TxType::kVoucherApply,
                     VoucherApply{some_contract(), pick(kPrograms)});
    case 15:
      if (rng_() % 5 == 0) {
        return h_.make(pick(kRegulators), TxType::kVoucherReject,
                       ContractReason{some_contract(), "no"});
      }
      return h_.make(pick(kRegulators), TxType::kVoucherIssue, ContractRef{some_contract()});
    case 16:
      return h_.make(pick(kBuyers), TxType::kVoucherRedeem,
                     VoucherRedeem{some_voucher(), 1 + rng_() % 20000});
    case 17:
      if (rng_() % 4 == 0) {
        return h_.make(pick(kRegulators), TxType::kVoucherRevoke,
                       VoucherRevoke{some_voucher(), "audit"});
      }
      return h_.make(pick(kRegulators), TxType::kSettlementClose, SettlementClose{});
    case 19: {
      // A new buyer or provider, sometimes registered by a regulator of
      // another province (not_authorized).
      static const std::vector<std::string> kProvinces = {"CN-GZ", "CN-BJ", "CN-SH", "CN-SC"};
      std::string name = "new-" + std::to_string(++fresh_actors_);
      Role role = rng_() % 2 ? Role::kBuyer : Role::kProvider;
      Actor& a = h_.add_actor(name, role, pick(kProvinces));
      return h_.make(pick(kRegulators), TxType::kParticipantRegister,
                     ParticipantRegister{a.key.pubkey, role, a.province, name, a.credit_code, ""});
    }
    case 20: {
      // Unfreezing more often than freezing keeps most actors usable.
      const std::string& who = pick(rng_() % 2 ? kBuyers : kProviders);
      return h_.make(pick(kRegulators), TxType::kParticipantFreeze,
                     ParticipantFreeze{h_.actor(who).key.pubkey, rng_() % 3 == 0});
    }
    case 21:
      return h_.make(pick(kRegulators), TxType::kSettlementSign,
                     SettlementSign{1 + rng_() % (h_.current_period() + 1)});
    case 22: {
      std::string id = "node-" + std::to_string(rng_() % 6);
      NodeAction action = rng_() % 3 == 0   ? NodeAction::kAddVoter
                          : rng_() % 4 == 0 ? NodeAction::kRemove
                                            : NodeAction::kAddLearner;
      Actor& key = h_.add_actor("key-" + std::to_string(++fresh_actors_), Role::kBuyer, "CN-BJ");
      Tx tx = h_.make(pick(kRegulators), TxType::kNodePropose,
                      NodePropose{action, id, key.key.pubkey, "10.0.0.1:7600"});
      proposals_.push_back(tx.hash);
      return tx;
    }
    case 23: {
      static const std::vector<std::string> kNewProvinces = {"CN-SH", "CN-ZJ", "CN-SC"};
      const std::string& province = pick(kNewProvinces);
      Actor& reg = h_.add_actor("reg-" + std::to_string(++fresh_actors_), Role::kRegulator,
                                province);
      Tx tx = h_.make(pick(kRegulators), TxType::kRegulatorPropose,
                      RegulatorPropose{reg.key.pubkey, province, "新监管方", reg.credit_code});
      proposals_.push_back(tx.hash);
      return tx;
    }
    case 24: {
      Hash32 id{0x42};
      if (!proposals_.empty() && rng_() % 10 != 0) {
        id = proposals_[proposals_.size() - 1 - rng_() % std::min<size_t>(proposals_.size(), 4)];
      }
      return h_.make(pick(kRegulators), TxType::kProposalApprove, ProposalApprove{id});
    }
    default: {
      bool gz = rng_() % 2;
      ProgramParams p{gz ? "CN-GZ" : "CN-BJ", gz ? Basis::kProvider : Basis::kBuyer,
                      1 + rng_() % 3000, 1 + rng_() % 100000, 1 + rng_() % 200000,
                      rng_() % (40 * kDayMs), 1 + rng_() % (10 * kDayMs), rng_() % 2000000};
      return h_.make(gz ? "gz-reg" : "bj-reg", TxType::kProgramSet, p);
    }
  }
}

std::optional<Tx> RandomDriver::guided_tx() {
  if (contracts_.empty()) return std::nullopt;
  Id16 id = some_contract();
  auto k = h_.contract(id);
  if (!k) return std::nullopt;
  auto name_of = [&](const PubKey& pk) -> std::string {
    for (const auto* list : {&kBuyers, &kProviders}) {
      for (const auto& n : *list) {
        if (h_.actor(n).key.pubkey == pk) return n;
      }
    }
    return "bj-buyer";
  };
  std::string buyer = name_of(k->buyer), provider = name_of(k->provider);
  if (k->state == ContractState::kProposed) {
    return h_.make(provider, TxType::kContractAccept, ContractRef{id});
  }
  if (k->state == ContractState::kActive) {
    for (const auto& d : k->deliveries) {
      if (d.state == DeliveryState::kPending) {
        switch (rng_() % 4) {
          case 0:
            return h_.make(buyer, TxType::kDeliveryDispute, DeliveryDispute{id, d.seq, "x"});
          case 1:
            return h_.make(provider, TxType::kDeliveryFinalize, DeliveryRef{id, d.seq});
          default:
            return h_.make(buyer, TxType::kDeliveryAck, DeliveryRef{id, d.seq});
        }
      }
      if (d.state == DeliveryState::kDisputed) {
        return h_.make(pick(kRegulators), TxType::kDisputeResolve,
                       DisputeResolve{id, d.seq, rng_() % (d.quantity + 1)});
      }
    }
    uint64_t reported = 0;
    for (const auto& d : k->deliveries) {
      reported += d.state == DeliveryState::kResolved ? d.accepted_quantity : d.quantity;
    }
    if (reported < k->quantity && rng_() % 4 != 0) {
      uint64_t left = k->quantity - reported;
      return h_.make(provider, TxType::kDeliveryReport,
                     DeliveryReport{id, rng_() % 2 ? left : 1 + rng_() % left, Hash32{}});
    }
    return h_.make(rng_() % 2 ? buyer : provider, TxType::kContractClose, ContractRef{id});
  }
  if (k->state != ContractState::kCompleted) return std::nullopt;
  auto app = h_.application(id);
  if (!app) return h_.make(buyer, TxType::kVoucherApply, VoucherApply{id, pick(kPrograms)});
  if (app->state == ApplicationState::kPending) {
    const char* reg = app->program == "CN-GZ" ? "gz-reg" : "bj-reg";
    // Now and then the programme's regulator rejects instead, so that
    // voucher_reject succeeds in every run, not only in long ones.
    if (rng_() % 6 == 0) {
      return h_.make(reg, TxType::kVoucherReject, ContractReason{id, "not eligible"});
    }
    return h_.make(reg, TxType::kVoucherIssue, ContractRef{id});
  }
  if (!app->voucher_id) return std::nullopt;
  auto v = h_.voucher(*app->voucher_id);
  if (!v || v->remaining == 0) return std::nullopt;
  if (rng_() % 10 == 0) {
    return h_.make(v->province == "CN-GZ" ? "gz-reg" : "bj-reg", TxType::kVoucherRevoke,
                   VoucherRevoke{v->voucher_id, "audit"});
  }
  if (rng_() % 2) {
    return h_.make(buyer, TxType::kVoucherRedeem,
                   VoucherRedeem{v->voucher_id, 1 + rng_() % v->remaining});
  }
  Id16 next = h_.new_contract_id();
  contracts_.push_back(next);
  return h_.make(buyer, TxType::kContractCreate,
                 ContractCreate{next, h_.actor(pick(kProviders)).key.pubkey, {}, 1 + rng_() % 100,
                                1 + rng_() % 100000, h_.time() + 1 + rng_() % (5 * kDayMs),
                                {VoucherUse{v->voucher_id, 1 + rng_() % v->remaining}}});
}

void RandomDriver::step(size_t max_txs) {
  // Time moves by a second to a few days, so deadlines, ack windows and
  // voucher expiry all happen.
  uint64_t r = rng_() % 10;
  h_.advance(r < 6 ? 1000 : r < 9 ? rng_() % kDayMs : rng_() % (4 * kDayMs));
  RecordedBlock b;
  size_t n = 1 + rng_() % max_txs;
  for (size_t i = 0; i < n; ++i) {
    // Sometimes the same transaction twice in a block.
    if (!b.txs.empty() && rng_() % 25 == 0) {
      b.txs.push_back(b.txs.back());
    } else {
      std::optional<Tx> guided = rng_() % 3 != 0 ? guided_tx() : std::nullopt;
      b.txs.push_back(guided ? std::move(*guided) : random_tx());
    }
    b.signature_ok.push_back(rng_() % 50 != 0);
  }
  b.time = h_.time();
  b.height = h_.height() + 1;
  h_.block(b.txs, b.signature_ok);
  b.state_hash = h_.state_hash();
  blocks_.push_back(std::move(b));
}

}  // namespace suanli::ledger::testing
