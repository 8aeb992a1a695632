// Internals shared by the apply_*.cc files: the per-transaction context and
// the helpers that move money (keeping totals and settlement flows).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/assert.h"
#include "ledger/ledger.h"
#include "ledger/store.h"

namespace suanli::ledger {

struct TxFail {
  std::string code;
  std::string message;
};
// nullopt: the transaction succeeded.
using TxStatus = std::optional<TxFail>;

inline TxFail fail(std::string code, std::string message) {
  return TxFail{std::move(code), std::move(message)};
}

struct Ctx {
  StateStore& st;
  const Tx& tx;
  Participant signer;
  uint64_t height = 0;
  uint64_t time = 0;
  uint32_t index = 0;
  Policy policy;
  Totals totals;
  std::vector<NodePropose> membership;  // carried out by this transaction
};

// Money helpers: each updates the totals; failures leave the caller's
// objects in an unspecified state, which is fine because a failed
// transaction's overlay is dropped.
TxStatus credit(Ctx& c, Participant& p, uint64_t amount);
TxStatus debit(Ctx& c, Participant& p, uint64_t amount);
// Adds a payment to the open settlement period when the provinces differ.
TxStatus add_flow(Ctx& c, const std::string& from, const std::string& to, uint64_t amount);
// Returns unspent voucher money from a contract's escrow: to the voucher, or
// to its programme's budget if the voucher expired or was revoked.
void return_voucher_money(Ctx& c, const Hash32& voucher_id, uint64_t amount);
// Is the contract (buyer, provider, term) eligible for the programme?
bool eligible(const Program& program, const Participant& buyer, const Participant& provider,
              uint64_t term_ms);
bool affiliated(const Participant& a, const Participant& b);


TxStatus apply_participant_register(Ctx& c, const ParticipantRegister& p);
TxStatus apply_participant_freeze(Ctx& c, const ParticipantFreeze& p);
TxStatus apply_deposit(Ctx& c, const Deposit& p);
TxStatus apply_withdraw(Ctx& c, const Withdraw& p);
TxStatus apply_transfer(Ctx& c, const Transfer& p);

TxStatus apply_contract_create(Ctx& c, const ContractCreate& p);
TxStatus apply_contract_accept(Ctx& c, const ContractRef& p);
TxStatus apply_contract_reject(Ctx& c, const ContractReason& p);
TxStatus apply_contract_cancel(Ctx& c, const ContractRef& p);
TxStatus apply_contract_close(Ctx& c, const ContractRef& p);
TxStatus apply_delivery_report(Ctx& c, const DeliveryReport& p);
TxStatus apply_delivery_ack(Ctx& c, const DeliveryRef& p);
TxStatus apply_delivery_dispute(Ctx& c, const DeliveryDispute& p);
TxStatus apply_delivery_finalize(Ctx& c, const DeliveryRef& p);
TxStatus apply_dispute_resolve(Ctx& c, const DisputeResolve& p);

TxStatus apply_voucher_apply(Ctx& c, const VoucherApply& p);
TxStatus apply_voucher_issue(Ctx& c, const ContractRef& p);
TxStatus apply_voucher_reject(Ctx& c, const ContractReason& p);
TxStatus apply_voucher_redeem(Ctx& c, const VoucherRedeem& p);
TxStatus apply_voucher_revoke(Ctx& c, const VoucherRevoke& p);
TxStatus apply_program_set(Ctx& c, const ProgramParams& p);
// Expires vouchers whose expires_at < block time (run before the block's txs).
void expire_vouchers(StateStore& st, uint64_t time);

TxStatus apply_settlement_close(Ctx& c);
TxStatus apply_settlement_sign(Ctx& c, const SettlementSign& p);
TxStatus apply_node_propose(Ctx& c, const NodePropose& p);
TxStatus apply_regulator_propose(Ctx& c, const RegulatorPropose& p);
TxStatus apply_proposal_approve(Ctx& c, const ProposalApprove& p);

}  // namespace suanli::ledger
