// Contracts, escrow, deliveries and payments to providers.
#include <map>
#include <set>

#include "common/money.h"
#include "ledger/apply_internal.h"

namespace suanli::ledger {
namespace {

// A contract's delivery list is bounded so its stored value stays small.
constexpr size_t kDeliveriesPerContractMax = 1024;

struct Parties {
  Participant buyer, provider;
};

Parties load_parties(Ctx& c, const Contract& k) {
  auto buyer = c.st.participant(k.buyer);
  auto provider = c.st.participant(k.provider);
  SUANLI_ASSERT(buyer && provider);
  return {*buyer, *provider};
}

// Pays quantity x unit_price from escrow to the provider: voucher-funded money
// first (vouchers in the order listed), then buyer-funded. One settlement
// payment per payer: each programme, and the buyer.
TxStatus pay(Ctx& c, Contract& k, uint64_t quantity) {
  auto amount = checked_mul(quantity, k.unit_price);
  SUANLI_ASSERT(amount && *amount <= k.escrow_buyer + k.escrow_voucher);
  uint64_t rest = *amount;
  std::map<std::string, uint64_t> by_program;
  for (auto& d : k.deductions) {
    uint64_t take = std::min(d.amount - d.spent - d.returned, rest);
    if (take == 0) continue;
    d.spent += take;
    rest -= take;
    auto v = c.st.voucher(d.voucher_id);
    SUANLI_ASSERT(v.has_value());
    by_program[v->province] += take;
  }
  uint64_t voucher_part = *amount - rest;
  SUANLI_ASSERT(voucher_part <= k.escrow_voucher && rest <= k.escrow_buyer);
  k.escrow_voucher -= voucher_part;
  k.escrow_buyer -= rest;
  k.settled_buyer_funded += rest;
  k.settled += *amount;
  k.delivered += quantity;
  c.totals.escrow -= *amount;

  Parties parties = load_parties(c, k);
  if (auto s = credit(c, parties.provider, *amount)) return s;
  c.st.put(parties.provider);
  for (const auto& [province, paid] : by_program) {
    auto program = c.st.program(province);
    SUANLI_ASSERT(program.has_value());
    program->redeemed += paid;
    c.st.put(*program);
    if (auto s = add_flow(c, province, parties.provider.province, paid)) return s;
  }
  return add_flow(c, parties.buyer.province, parties.provider.province, rest);
}

// Returns what is left in escrow: unspent deductions to their vouchers, the
// buyer-funded rest to the buyer.
TxStatus refund(Ctx& c, Contract& k) {
  for (auto& d : k.deductions) {
    uint64_t unspent = d.amount - d.spent - d.returned;
    if (unspent > 0) return_voucher_money(c, d.voucher_id, unspent);
    d.returned += unspent;
  }
  c.totals.escrow -= k.escrow_buyer + k.escrow_voucher;
  uint64_t buyer_part = k.escrow_buyer;
  k.escrow_buyer = 0;
  k.escrow_voucher = 0;
  auto buyer = c.st.participant(k.buyer);
  SUANLI_ASSERT(buyer.has_value());
  // The buyer is the signer for cancel/close by the buyer: keep c.signer in step.
  Participant& target = buyer->pubkey == c.signer.pubkey ? c.signer : *buyer;
  if (auto s = credit(c, target, buyer_part)) return s;
  c.st.put(target);
  return std::nullopt;
}

// Loads the contract and checks the signer is its `party` (buyer or provider).
std::optional<Contract> load_contract(Ctx& c, const Id16& id, TxFail& why) {
  auto k = c.st.contract(id);
  if (!k) why = fail("unknown_contract", "no contract " + to_hex(id));
  return k;
}

bool is_buyer(const Ctx& c, const Contract& k) { return k.buyer == c.signer.pubkey; }
bool is_provider(const Ctx& c, const Contract& k) { return k.provider == c.signer.pubkey; }

TxFail not_party(const char* party) {
  return fail("not_authorized", std::string("the signer is not this contract's ") + party);
}

TxFail wrong_state(const Contract& k) {
  return fail("invalid_state",
              "the contract is " + std::string(contract_state_name(k.state)));
}

Delivery* find_delivery(Contract& k, uint64_t seq) {
  if (seq == 0 || seq > k.deliveries.size()) return nullptr;
  return &k.deliveries[seq - 1];
}

uint64_t reported_total(const Contract& k) {
  uint64_t total = 0;
  for (const auto& d : k.deliveries) {
    total += d.state == DeliveryState::kResolved ? d.accepted_quantity : d.quantity;
  }
  return total;
}

}  // namespace

void return_voucher_money(Ctx& c, const Hash32& voucher_id, uint64_t amount) {
  auto v = c.st.voucher(voucher_id);
  SUANLI_ASSERT(v.has_value());
  if (v->state == VoucherState::kExpired || v->state == VoucherState::kRevoked) {
    auto program = c.st.program(v->province);
    SUANLI_ASSERT(program.has_value());
    program->returned += amount;
    c.st.put(*program);
    return;
  }
  v->remaining += amount;
  v->state = VoucherState::kActive;
  c.totals.voucher_remaining += amount;
  c.st.put(*v);
}

TxStatus apply_contract_create(Ctx& c, const ContractCreate& p) {
  auto provider = c.st.participant(p.provider);
  if (!provider || provider->role != Role::kProvider) {
    return fail("unknown_participant", "the provider is not a registered provider");
  }
  std::vector<Voucher> vouchers;
  for (const auto& use : p.vouchers) {
    auto v = c.st.voucher(use.voucher_id);
    if (!v) return fail("unknown_voucher", "no voucher " + to_hex(use.voucher_id));
    vouchers.push_back(*v);
  }
  for (const auto& v : vouchers) {
    if (v.buyer != c.signer.pubkey) return fail("not_authorized", "voucher of another buyer");
  }
  std::set<Hash32> seen;
  for (const auto& v : vouchers) {
    if (v.state == VoucherState::kRevoked) return fail("invalid_state", "voucher revoked");
    if (!seen.insert(v.voucher_id).second) return fail("invalid_state", "voucher listed twice");
  }
  if (p.deadline <= c.time) return fail("invalid_state", "the deadline is not after block time");
  if (c.st.contract(p.contract_id)) return fail("contract_exists", "contract id already used");
  for (const auto& v : vouchers) {
    if (v.state == VoucherState::kExpired) return fail("voucher_expired", "voucher expired");
  }
  for (const auto& v : vouchers) {
    auto program = c.st.program(v.province);
    if (!program || !eligible(*program, c.signer, *provider, p.deadline - c.time)) {
      return fail("not_eligible", "the contract is not eligible for the " + v.province +
                                      " programme of a listed voucher");
    }
  }
  auto amount = checked_mul(p.quantity, p.unit_price);
  if (!amount) return fail("amount_out_of_range", "quantity x unit_price exceeds 2^53-1");
  uint64_t deducted = 0;
  for (size_t i = 0; i < vouchers.size(); ++i) {
    if (vouchers[i].remaining < p.vouchers[i].amount) {
      return fail("voucher_insufficient", "voucher " + to_hex(vouchers[i].voucher_id) + " has " +
                                              std::to_string(vouchers[i].remaining) + " fen left");
    }
    deducted += p.vouchers[i].amount;  // each <= remaining <= 2^53: no overflow in u64
  }
  if (deducted > *amount) return fail("amount_out_of_range", "deductions exceed the amount");
  uint64_t buyer_part = *amount - deducted;
  if (auto s = debit(c, c.signer, buyer_part)) return s;
  auto escrow = checked_add(c.totals.escrow, *amount);
  if (!escrow) return fail("amount_out_of_range", "total escrow would exceed 2^53-1");
  c.totals.escrow = *escrow;

  Contract k;
  k.contract_id = p.contract_id;
  k.buyer = c.signer.pubkey;
  k.provider = p.provider;
  k.resource = p.resource;
  k.quantity = p.quantity;
  k.unit_price = p.unit_price;
  k.amount = *amount;
  k.created_at = c.time;
  k.deadline = p.deadline;
  k.escrow_buyer = buyer_part;
  k.escrow_voucher = deducted;
  k.cross_province = c.signer.province != provider->province;
  for (size_t i = 0; i < vouchers.size(); ++i) {
    Voucher& v = vouchers[i];
    v.remaining -= p.vouchers[i].amount;
    if (v.remaining == 0) v.state = VoucherState::kSpent;
    c.totals.voucher_remaining -= p.vouchers[i].amount;
    c.st.put(v);
    k.deductions.push_back(Deduction{v.voucher_id, p.vouchers[i].amount, 0});
  }
  c.st.put(k);
  c.st.put(c.signer);
  return std::nullopt;
}

TxStatus apply_contract_accept(Ctx& c, const ContractRef& p) {
  TxFail why;
  auto k = load_contract(c, p.contract_id, why);
  if (!k) return why;
  if (!is_provider(c, *k)) return not_party("provider");
  if (k->state != ContractState::kProposed) return wrong_state(*k);
  if (c.time > k->deadline) return fail("invalid_state", "the deadline has passed");
  k->state = ContractState::kActive;
  c.st.put(*k);
  return std::nullopt;
}

TxStatus apply_contract_reject(Ctx& c, const ContractReason& p) {
  TxFail why;
  auto k = load_contract(c, p.contract_id, why);
  if (!k) return why;
  if (!is_provider(c, *k)) return not_party("provider");
  if (k->state != ContractState::kProposed) return wrong_state(*k);
  k->state = ContractState::kRejected;
  if (auto s = refund(c, *k)) return s;
  c.st.put(*k);
  return std::nullopt;
}

TxStatus apply_contract_cancel(Ctx& c, const ContractRef& p) {
  TxFail why;
  auto k = load_contract(c, p.contract_id, why);
  if (!k) return why;
  if (!is_buyer(c, *k)) return not_party("buyer");
  if (k->state != ContractState::kProposed) return wrong_state(*k);
  k->state = ContractState::kCancelled;
  if (auto s = refund(c, *k)) return s;
  c.st.put(*k);
  return std::nullopt;
}

TxStatus apply_contract_close(Ctx& c, const ContractRef& p) {
  TxFail why;
  auto k = load_contract(c, p.contract_id, why);
  if (!k) return why;
  if (!is_buyer(c, *k) && !is_provider(c, *k)) return not_party("buyer or provider");
  if (k->state != ContractState::kActive) return wrong_state(*k);
  for (const auto& d : k->deliveries) {
    if (d.state == DeliveryState::kPending || d.state == DeliveryState::kDisputed) {
      return fail("invalid_state", "delivery " + std::to_string(d.seq) + " is " +
                                       std::string(delivery_state_name(d.state)));
    }
  }
  if (k->delivered < k->quantity && c.time <= k->deadline) {
    return fail("invalid_state", "not all quantity delivered and the deadline has not passed");
  }
  k->state = ContractState::kCompleted;
  if (auto s = refund(c, *k)) return s;
  c.st.put(*k);
  return std::nullopt;
}

TxStatus apply_delivery_report(Ctx& c, const DeliveryReport& p) {
  TxFail why;
  auto k = load_contract(c, p.contract_id, why);
  if (!k) return why;
  if (!is_provider(c, *k)) return not_party("provider");
  if (k->state != ContractState::kActive) return wrong_state(*k);
  if (c.time > k->deadline) return fail("invalid_state", "the deadline has passed");
  if (k->deliveries.size() >= kDeliveriesPerContractMax) {
    return fail("invalid_state", "the contract has the maximum number of deliveries");
  }
  uint64_t reported = reported_total(*k);
  if (p.quantity > k->quantity - reported) {
    return fail("quantity_exceeded", "reported " + std::to_string(reported) + " of " +
                                         std::to_string(k->quantity) + "; " +
                                         std::to_string(p.quantity) + " more is too much");
  }
  Delivery d;
  d.seq = k->deliveries.size() + 1;
  d.quantity = p.quantity;
  d.evidence = p.evidence;
  d.reported_at = c.time;
  k->deliveries.push_back(d);
  c.st.put(*k);
  return std::nullopt;
}

namespace {
// Common front of ack/dispute/finalize/resolve: contract, delivery, party.
struct DeliveryCtx {
  Contract k;
  Delivery* d = nullptr;
};

std::optional<TxFail> load_delivery(Ctx& c, const Id16& id, uint64_t seq, DeliveryCtx& out) {
  TxFail why;
  auto k = load_contract(c, id, why);
  if (!k) return why;
  out.k = std::move(*k);
  out.d = find_delivery(out.k, seq);
  if (!out.d) return fail("unknown_delivery", "no delivery " + std::to_string(seq));
  return std::nullopt;
}

TxFail not_pending(const Delivery& d) {
  return fail("invalid_state",
              "delivery " + std::to_string(d.seq) + " is " +
                  std::string(delivery_state_name(d.state)));
}
}  // namespace

TxStatus apply_delivery_ack(Ctx& c, const DeliveryRef& p) {
  DeliveryCtx dc;
  if (auto s = load_delivery(c, p.contract_id, p.seq, dc)) return s;
  if (!is_buyer(c, dc.k)) return not_party("buyer");
  if (dc.d->state != DeliveryState::kPending) return not_pending(*dc.d);
  dc.d->state = DeliveryState::kAcked;
  if (auto s = pay(c, dc.k, dc.d->quantity)) return s;
  c.st.put(dc.k);
  return std::nullopt;
}

TxStatus apply_delivery_dispute(Ctx& c, const DeliveryDispute& p) {
  DeliveryCtx dc;
  if (auto s = load_delivery(c, p.contract_id, p.seq, dc)) return s;
  if (!is_buyer(c, dc.k)) return not_party("buyer");
  if (dc.d->state != DeliveryState::kPending) return not_pending(*dc.d);
  dc.d->state = DeliveryState::kDisputed;
  c.st.put(dc.k);
  return std::nullopt;
}

TxStatus apply_delivery_finalize(Ctx& c, const DeliveryRef& p) {
  DeliveryCtx dc;
  if (auto s = load_delivery(c, p.contract_id, p.seq, dc)) return s;
  if (!is_provider(c, dc.k)) return not_party("provider");
  if (dc.d->state != DeliveryState::kPending) return not_pending(*dc.d);
  if (c.time - dc.d->reported_at < c.policy.ack_window_ms) {
    return fail("ack_window_open", "the buyer's ack window is still open");
  }
  dc.d->state = DeliveryState::kFinalized;
  if (auto s = pay(c, dc.k, dc.d->quantity)) return s;
  c.st.put(dc.k);
  return std::nullopt;
}

TxStatus apply_dispute_resolve(Ctx& c, const DisputeResolve& p) {
  DeliveryCtx dc;
  if (auto s = load_delivery(c, p.contract_id, p.seq, dc)) return s;
  Parties parties = load_parties(c, dc.k);
  if (c.signer.province != parties.buyer.province &&
      c.signer.province != parties.provider.province) {
    return fail("not_authorized", "only a regulator of the buyer's or provider's province");
  }
  if (dc.d->state != DeliveryState::kDisputed) return not_pending(*dc.d);
  if (p.accepted_quantity > dc.d->quantity) {
    return fail("quantity_exceeded", "accepted_quantity exceeds the delivery's quantity");
  }
  dc.d->state = DeliveryState::kResolved;
  dc.d->accepted_quantity = p.accepted_quantity;
  if (p.accepted_quantity > 0) {
    if (auto s = pay(c, dc.k, p.accepted_quantity)) return s;
  }
  c.st.put(dc.k);
  return std::nullopt;
}

}  // namespace suanli::ledger
