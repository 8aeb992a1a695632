// Genesis state, participants, deposits, withdrawals, transfers, and the
// money helpers every handler uses.
#include "common/money.h"
#include "ledger/apply_internal.h"

namespace suanli::ledger {

TxStatus credit(Ctx& c, Participant& p, uint64_t amount) {
  auto balance = checked_add(p.balance, amount);
  auto total = checked_add(c.totals.balances, amount);
  if (!balance || !total) return fail("amount_out_of_range", "the balance would exceed 2^53-1");
  p.balance = *balance;
  c.totals.balances = *total;
  return std::nullopt;
}

TxStatus debit(Ctx& c, Participant& p, uint64_t amount) {
  if (p.balance < amount) {
    return fail("insufficient_funds", "balance " + std::to_string(p.balance) +
                                          " fen is less than " + std::to_string(amount));
  }
  p.balance -= amount;
  c.totals.balances -= amount;
  return std::nullopt;
}

bool affiliated(const Participant& a, const Participant& b) {
  if (a.credit_code == b.credit_code) return true;
  if (!a.group.empty() && a.group == b.group) return true;
  return a.credit_code == b.group || b.credit_code == a.group;
}

bool eligible(const Program& program, const Participant& buyer, const Participant& provider,
              uint64_t term_ms) {
  const Participant& basis_party = program.params.basis == Basis::kProvider ? provider : buyer;
  if (basis_party.province != program.params.province) return false;
  if (term_ms > program.params.max_term_ms) return false;
  return !affiliated(buyer, provider);
}

uint64_t program_available(const Program& p) {
  // budget - issued + returned, never negative: issue never takes more than this.
  uint64_t plus = p.params.budget + p.returned;
  return plus > p.issued ? plus - p.issued : 0;
}

WriteSet genesis_writes(const Genesis& g) {
  struct Empty final : KvRead {
    std::optional<std::string> get(std::string_view) const override { return std::nullopt; }
    void scan(std::string_view, std::string_view,
              const std::function<bool(std::string_view, std::string_view)>&) const override {}
  } empty;
  Overlay kv(empty);
  StateStore st(kv);
  kv.put(keys::meta("chain_id"), g.chain_id);
  st.put(g.policy);
  Totals totals;
  for (const auto& gp : g.participants) {
    Participant p;
    p.pubkey = gp.pubkey;
    p.role = gp.role;
    p.province = gp.province;
    p.name = gp.name;
    p.credit_code = gp.credit_code;
    p.group = gp.group;
    p.balance = gp.balance;
    st.put(p);
    totals.genesis_balances += gp.balance;
    totals.balances += gp.balance;
    if (p.role == Role::kRegulator) st.set_regulators(p.province, st.regulators(p.province) + 1);
  }
  st.put(totals);
  for (const auto& params : g.programs) st.put(Program{params, 0, 0, 0});
  for (const auto& n : g.nodes) st.put(NodeMember{n.node_id, n.pubkey, n.address, n.role});
  st.set_meta_u64("period", 1);
  Statement first;
  first.period = 1;
  first.from_height = 1;
  st.put(first);
  st.set_meta_u64("height", 0);
  return kv.take();
}

TxStatus apply_participant_register(Ctx& c, const ParticipantRegister& p) {
  if (p.role == Role::kRegulator && p.province != c.signer.province) {
    return fail("not_authorized", "a regulator of " + p.province +
                                      " can only be registered by a regulator of " + p.province);
  }
  if (c.st.participant(p.pubkey)) return fail("already_registered", "pubkey already registered");
  Participant n;
  n.pubkey = p.pubkey;
  n.role = p.role;
  n.province = p.province;
  n.name = p.name;
  n.credit_code = p.credit_code;
  n.group = p.group;
  n.registered_height = c.height;
  n.registered_by = c.signer.pubkey;
  c.st.put(n);
  if (n.role == Role::kRegulator) c.st.set_regulators(n.province, c.st.regulators(n.province) + 1);
  return std::nullopt;
}

TxStatus apply_participant_freeze(Ctx& c, const ParticipantFreeze& p) {
  auto target = c.st.participant(p.pubkey);
  if (!target) return fail("unknown_participant", "no participant with this pubkey");
  bool same_province = target->province == c.signer.province;
  bool registrar = target->registered_by && *target->registered_by == c.signer.pubkey;
  if (!same_province && !registrar) {
    return fail("not_authorized",
                "only a regulator of " + target->province + " or its registrar may freeze it");
  }
  if (target->frozen == p.frozen) {
    return fail("invalid_state", p.frozen ? "already frozen" : "not frozen");
  }
  target->frozen = p.frozen;
  c.st.put(*target);
  return std::nullopt;
}

namespace {
// A provider or buyer that can receive money.
std::optional<Participant> recipient(Ctx& c, const PubKey& pk, TxFail& why) {
  auto p = c.st.participant(pk);
  if (!p || p->role == Role::kRegulator) {
    why = fail("unknown_participant", p ? "the recipient is a regulator, not a provider or buyer"
                                        : "no participant with this pubkey");
    return std::nullopt;
  }
  return p;
}
}  // namespace

TxStatus apply_deposit(Ctx& c, const Deposit& p) {
  TxFail why;
  auto to = recipient(c, p.to, why);
  if (!to) return why;
  if (c.st.reference_used(p.reference)) {
    return fail("duplicate_reference", "reference already used: " + p.reference);
  }
  auto deposits = checked_add(c.totals.deposits, p.amount);
  if (!deposits) return fail("amount_out_of_range", "total deposits would exceed 2^53-1");
  if (auto s = credit(c, *to, p.amount)) return s;
  c.totals.deposits = *deposits;
  c.st.use_reference(p.reference);
  c.st.put(*to);
  return std::nullopt;
}

TxStatus apply_withdraw(Ctx& c, const Withdraw& p) {
  if (c.st.reference_used(p.reference)) {
    return fail("duplicate_reference", "reference already used: " + p.reference);
  }
  if (auto s = debit(c, c.signer, p.amount)) return s;
  auto withdrawals = checked_add(c.totals.withdrawals, p.amount);
  if (!withdrawals) return fail("amount_out_of_range", "total withdrawals would exceed 2^53-1");
  c.totals.withdrawals = *withdrawals;
  c.st.use_reference(p.reference);
  c.st.put(c.signer);
  return std::nullopt;
}

TxStatus apply_transfer(Ctx& c, const Transfer& p) {
  TxFail why;
  auto to = recipient(c, p.to, why);
  if (!to) return why;
  if (auto s = debit(c, c.signer, p.amount)) return s;
  if (auto s = credit(c, *to, p.amount)) return s;
  if (auto s = add_flow(c, c.signer.province, to->province, p.amount)) return s;
  c.st.put(c.signer);
  c.st.put(*to);
  return std::nullopt;
}

}  // namespace suanli::ledger
