// Voucher programmes, applications, issue, cash back, revoke and expiry.
#include <algorithm>
#include <cstring>

#include "common/money.h"
#include "ledger/apply_internal.h"

namespace suanli::ledger {
namespace {

std::optional<Application> load_application(Ctx& c, const Id16& id, TxFail& why) {
  auto a = c.st.application(id);
  if (!a) why = fail("unknown_application", "no voucher application for contract " + to_hex(id));
  return a;
}

TxFail not_programme_regulator(const std::string& province) {
  return fail("not_authorized", "only a regulator of " + province + " may do this");
}

// Takes a voucher's remaining money out of circulation into its programme's
// budget (expiry and revoke).
void retire(StateStore& st, Voucher& v, Totals& totals) {
  if (v.remaining > 0) {
    auto program = st.program(v.province);
    SUANLI_ASSERT(program.has_value());
    program->returned += v.remaining;
    st.put(*program);
    totals.voucher_remaining -= v.remaining;
    v.remaining = 0;
  }
  st.kv().del(keys::expiry(v.expires_at, v.voucher_id));
}

}  // namespace

TxStatus apply_voucher_apply(Ctx& c, const VoucherApply& p) {
  auto k = c.st.contract(p.contract_id);
  if (!k) return fail("unknown_contract", "no contract " + to_hex(p.contract_id));
  if (k->buyer != c.signer.pubkey) return fail("not_authorized", "not this contract's buyer");
  if (k->state != ContractState::kCompleted) {
    return fail("invalid_state",
                "the contract is " + std::string(contract_state_name(k->state)) +
                    ", not completed");
  }
  // API.md lists "completed and eligible" before "one application per
  // contract", so eligibility is checked before already_applied.
  auto program = c.st.program(p.program);
  if (!program) return fail("not_eligible", "no voucher programme in " + p.program);
  auto provider = c.st.participant(k->provider);
  SUANLI_ASSERT(provider.has_value());
  if (!eligible(*program, c.signer, *provider, k->deadline - k->created_at)) {
    return fail("not_eligible", "the contract is not eligible for the " + p.program + " programme");
  }
  if (c.st.application(p.contract_id)) {
    return fail("already_applied", "this contract already has a voucher application");
  }
  Application a;
  a.contract_id = p.contract_id;
  a.buyer = c.signer.pubkey;
  a.program = p.program;
  c.st.put(a);
  return std::nullopt;
}

TxStatus apply_voucher_issue(Ctx& c, const ContractRef& p) {
  TxFail why;
  auto a = load_application(c, p.contract_id, why);
  if (!a) return why;
  if (a->program != c.signer.province) return not_programme_regulator(a->program);
  if (a->state != ApplicationState::kPending) {
    return fail("invalid_state",
                "the application is " + std::string(application_state_name(a->state)));
  }
  auto program = c.st.program(a->program);
  if (!program) return fail("not_eligible", "no voucher programme in " + a->program);
  auto k = c.st.contract(p.contract_id);
  auto buyer = c.st.participant(a->buyer);
  SUANLI_ASSERT(k && buyer);
  const ProgramParams& params = program->params;
  uint32_t year = year_utc8(c.time);
  uint64_t used = c.st.year_use(a->program, buyer->credit_code, year);
  uint64_t cap_left = used >= params.max_per_buyer_per_year ? 0
                                                            : params.max_per_buyer_per_year - used;
  uint64_t available = program_available(*program);
  uint64_t amount = mul_div_floor(k->settled_buyer_funded, params.rate_bps, 10000);
  amount = std::min({amount, params.max_per_voucher, cap_left, available});
  if (amount == 0) {
    if (cap_left == 0) return fail("cap_reached", "the buyer's yearly cap is used up");
    if (available == 0) return fail("budget_exhausted", "the programme's budget is used up");
    return fail("not_eligible", "the voucher would be worth nothing");
  }
  auto voucher_total = checked_add(c.totals.voucher_remaining, amount);
  if (!voucher_total) return fail("amount_out_of_range", "voucher total would exceed 2^53-1");
  c.totals.voucher_remaining = *voucher_total;

  Voucher v;
  v.voucher_id = voucher_id_for(p.contract_id);
  v.contract_id = p.contract_id;
  v.buyer = a->buyer;
  v.province = a->program;
  v.issuer = c.signer.pubkey;
  v.amount = amount;
  v.remaining = amount;
  v.issued_at = c.time;
  v.expires_at = c.time + params.validity_ms;
  c.st.put(v);
  c.st.kv().put(keys::expiry(v.expires_at, v.voucher_id), "");
  program->issued += amount;
  c.st.put(*program);
  c.st.set_year_use(a->program, buyer->credit_code, year, used + amount);
  a->state = ApplicationState::kIssued;
  a->voucher_id = v.voucher_id;
  c.st.put(*a);
  return std::nullopt;
}

TxStatus apply_voucher_reject(Ctx& c, const ContractReason& p) {
  TxFail why;
  auto a = load_application(c, p.contract_id, why);
  if (!a) return why;
  if (a->program != c.signer.province) return not_programme_regulator(a->program);
  if (a->state != ApplicationState::kPending) {
    return fail("invalid_state",
                "the application is " + std::string(application_state_name(a->state)));
  }
  a->state = ApplicationState::kRejected;
  a->reason = p.reason;
  c.st.put(*a);
  return std::nullopt;
}

TxStatus apply_voucher_redeem(Ctx& c, const VoucherRedeem& p) {
  auto v = c.st.voucher(p.voucher_id);
  if (!v) return fail("unknown_voucher", "no voucher " + to_hex(p.voucher_id));
  if (v->buyer != c.signer.pubkey) return fail("not_authorized", "not this voucher's buyer");
  if (v->state == VoucherState::kRevoked) return fail("invalid_state", "the voucher is revoked");
  if (v->state == VoucherState::kExpired) return fail("voucher_expired", "the voucher expired");
  if (v->remaining < p.amount) {
    return fail("voucher_insufficient",
                "the voucher has " + std::to_string(v->remaining) + " fen left");
  }
  if (auto s = credit(c, c.signer, p.amount)) return s;
  v->remaining -= p.amount;
  if (v->remaining == 0) v->state = VoucherState::kSpent;
  c.totals.voucher_remaining -= p.amount;
  auto program = c.st.program(v->province);
  SUANLI_ASSERT(program.has_value());
  program->redeemed += p.amount;
  c.st.put(*program);
  c.st.put(*v);
  c.st.put(c.signer);
  return add_flow(c, v->province, c.signer.province, p.amount);
}

TxStatus apply_voucher_revoke(Ctx& c, const VoucherRevoke& p) {
  auto v = c.st.voucher(p.voucher_id);
  if (!v) return fail("unknown_voucher", "no voucher " + to_hex(p.voucher_id));
  if (v->province != c.signer.province) return not_programme_regulator(v->province);
  if (v->state == VoucherState::kRevoked || v->state == VoucherState::kExpired) {
    return fail("invalid_state", "the voucher is " + std::string(voucher_state_name(v->state)));
  }
  retire(c.st, *v, c.totals);
  v->state = VoucherState::kRevoked;
  c.st.put(*v);
  return std::nullopt;
}

TxStatus apply_program_set(Ctx& c, const ProgramParams& p) {
  if (p.province != c.signer.province) return not_programme_regulator(p.province);
  Program program;
  if (auto existing = c.st.program(p.province)) {
    program = *existing;
    if (p.budget < program.issued) {
      return fail("invalid_state", "budget " + std::to_string(p.budget) +
                                       " is below the amount already issued " +
                                       std::to_string(program.issued));
    }
  }
  program.params = p;
  c.st.put(program);
  return std::nullopt;
}

void expire_vouchers(StateStore& st, uint64_t time) {
  // Keys are ordered by expires_at, so those with expires_at < time come first.
  std::string start = keys::expiry_prefix();
  std::string end = start;
  put_u64_be(end, time);
  std::vector<Hash32> due;
  st.kv().scan(start, end, [&](std::string_view key, std::string_view) {
    Hash32 id{};
    SUANLI_ASSERT(key.size() == start.size() + 8 + 32);
    std::memcpy(id.data(), key.data() + start.size() + 8, 32);
    due.push_back(id);
    return true;
  });
  if (due.empty()) return;
  Totals totals = st.totals();
  for (const auto& id : due) {
    auto v = st.voucher(id);
    SUANLI_ASSERT(v.has_value());
    retire(st, *v, totals);
    v->state = VoucherState::kExpired;
    st.put(*v);
  }
  st.put(totals);
}

}  // namespace suanli::ledger
