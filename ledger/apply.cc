// apply_block: the block loop, role checks and dispatch to the type handlers.
#include <algorithm>

#include "common/assert.h"
#include "ledger/apply_internal.h"
#include "ledger/crypto.h"

namespace suanli::ledger {
namespace {

enum RoleMask : uint8_t { kR = 1, kP = 2, kB = 4 };

uint8_t allowed_roles(TxType t) {
  switch (t) {
    case TxType::kWithdraw:
    case TxType::kTransfer:
    case TxType::kContractClose:
      return kP | kB;
    case TxType::kContractCreate:
    case TxType::kContractCancel:
    case TxType::kDeliveryAck:
    case TxType::kDeliveryDispute:
    case TxType::kVoucherApply:
    case TxType::kVoucherRedeem:
      return kB;
    case TxType::kContractAccept:
    case TxType::kContractReject:
    case TxType::kDeliveryReport:
    case TxType::kDeliveryFinalize:
      return kP;
    default:
      return kR;
  }
}

uint8_t role_bit(Role r) {
  switch (r) {
    case Role::kRegulator:
      return kR;
    case Role::kProvider:
      return kP;
    case Role::kBuyer:
      return kB;
  }
  return 0;
}

TxStatus dispatch(Ctx& c) {
  const Tx& tx = c.tx;
  switch (tx.type) {
    case TxType::kParticipantRegister:
      return apply_participant_register(c, tx.as<ParticipantRegister>());
    case TxType::kParticipantFreeze:
      return apply_participant_freeze(c, tx.as<ParticipantFreeze>());
    case TxType::kDeposit:
      return apply_deposit(c, tx.as<Deposit>());
    case TxType::kWithdraw:
      return apply_withdraw(c, tx.as<Withdraw>());
    case TxType::kTransfer:
      return apply_transfer(c, tx.as<Transfer>());
    case TxType::kContractCreate:
      return apply_contract_create(c, tx.as<ContractCreate>());
    case TxType::kContractAccept:
      return apply_contract_accept(c, tx.as<ContractRef>());
    case TxType::kContractReject:
      return apply_contract_reject(c, tx.as<ContractReason>());
    case TxType::kContractCancel:
      return apply_contract_cancel(c, tx.as<ContractRef>());
    case TxType::kDeliveryReport:
      return apply_delivery_report(c, tx.as<DeliveryReport>());
    case TxType::kDeliveryAck:
      return apply_delivery_ack(c, tx.as<DeliveryRef>());
    case TxType::kDeliveryDispute:
      return apply_delivery_dispute(c, tx.as<DeliveryDispute>());
    case TxType::kDeliveryFinalize:
      return apply_delivery_finalize(c, tx.as<DeliveryRef>());
    case TxType::kDisputeResolve:
      return apply_dispute_resolve(c, tx.as<DisputeResolve>());
    case TxType::kContractClose:
      return apply_contract_close(c, tx.as<ContractRef>());
    case TxType::kVoucherApply:
      return apply_voucher_apply(c, tx.as<VoucherApply>());
    case TxType::kVoucherIssue:
      return apply_voucher_issue(c, tx.as<ContractRef>());
    case TxType::kVoucherReject:
      return apply_voucher_reject(c, tx.as<ContractReason>());
    case TxType::kVoucherRedeem:
      return apply_voucher_redeem(c, tx.as<VoucherRedeem>());
    case TxType::kVoucherRevoke:
      return apply_voucher_revoke(c, tx.as<VoucherRevoke>());
    case TxType::kProgramSet:
      return apply_program_set(c, tx.as<ProgramParams>());
    case TxType::kSettlementClose:
      return apply_settlement_close(c);
    case TxType::kSettlementSign:
      return apply_settlement_sign(c, tx.as<SettlementSign>());
    case TxType::kNodePropose:
      return apply_node_propose(c, tx.as<NodePropose>());
    case TxType::kRegulatorPropose:
      return apply_regulator_propose(c, tx.as<RegulatorPropose>());
    case TxType::kProposalApprove:
      return apply_proposal_approve(c, tx.as<ProposalApprove>());
  }
  SUANLI_ASSERT_MSG(false, "unhandled transaction type");
  return std::nullopt;
}

// Pubkeys a transaction concerns besides its signer (for tx_list).
std::vector<PubKey> counterparties(const Tx& tx) {
  switch (tx.type) {
    case TxType::kParticipantRegister:
      return {tx.as<ParticipantRegister>().pubkey};
    case TxType::kParticipantFreeze:
      return {tx.as<ParticipantFreeze>().pubkey};
    case TxType::kDeposit:
      return {tx.as<Deposit>().to};
    case TxType::kTransfer:
      return {tx.as<Transfer>().to};
    case TxType::kContractCreate:
      return {tx.as<ContractCreate>().provider};
    default:
      return {};
  }
}

TxStatus run_tx(Ctx& c) {
  auto signer = c.st.participant(c.tx.signer);
  if (!signer) return fail("unknown_signer", "the signer is not registered");
  c.signer = *signer;
  if (c.signer.frozen) return fail("frozen", "the signer is frozen");
  if ((allowed_roles(c.tx.type) & role_bit(c.signer.role)) == 0) {
    return fail("wrong_role", std::string(tx_type_name(c.tx.type)) + " cannot be signed by a " +
                                  std::string(role_name(c.signer.role)));
  }
  c.totals = c.st.totals();
  TxStatus status = dispatch(c);
  if (!status) c.st.put(c.totals);
  return status;
}

void index_tx(StateStore& st, const Tx& tx, uint64_t height, uint32_t index) {
  std::vector<PubKey> parties = counterparties(tx);
  parties.push_back(tx.signer);
  std::sort(parties.begin(), parties.end());
  parties.erase(std::unique(parties.begin(), parties.end()), parties.end());
  std::string hash(as_view(tx.hash));
  for (const auto& pk : parties) st.kv().put(keys::participant_tx(pk, height, index), hash);
}

}  // namespace

ApplyResult apply_block(const KvRead& state, const Hash32& prev_state_hash,
                        const BlockInput& block) {
  SUANLI_ASSERT(block.height >= 1);
  SUANLI_ASSERT(block.txs.size() == block.signature_ok.size());
  Overlay block_kv(state);
  StateStore st(block_kv);
  const Policy policy = st.policy();
  auto chain = block_kv.get(keys::meta("chain_id"));
  SUANLI_ASSERT(chain.has_value());

  expire_vouchers(st, block.time);
  st.set_meta_u64("height", block.height);

  ApplyResult result;
  result.outcomes.reserve(block.txs.size());
  for (size_t i = 0; i < block.txs.size(); ++i) {
    const Tx& tx = *block.txs[i];
    TxOutcome out;
    out.hash = tx.hash;
    if (!block.signature_ok[i]) {
      out.disposition = TxDisposition::kBadSignature;
    } else if (tx.chain_id != *chain) {
      out.disposition = TxDisposition::kWrongChain;
    } else if (tx.expires_at <= block.time) {
      out.disposition = TxDisposition::kExpired;
    } else if (st.tx_record(tx.hash)) {
      out.disposition = TxDisposition::kDuplicate;
    } else {
      Overlay tx_kv(static_cast<const KvRead&>(block_kv));
      StateStore tx_st(tx_kv);
      Ctx c{tx_st, tx, {}, block.height, block.time, static_cast<uint32_t>(i), policy, {}, {}};
      TxStatus status = run_tx(c);
      if (!status) {
        tx_kv.merge_into(block_kv);
        for (auto& m : c.membership) result.membership_changes.push_back(std::move(m));
      }
      out.record.height = block.height;
      out.record.index = static_cast<uint32_t>(i);
      out.record.ok = !status.has_value();
      if (status) {
        out.record.error = status->code;
        out.record.message = status->message;
      }
      st.put_tx_record(tx.hash, out.record);
      index_tx(st, tx, block.height, static_cast<uint32_t>(i));
    }
    result.outcomes.push_back(std::move(out));
  }
  result.writes = block_kv.take();
  result.state_hash = hash_writes(prev_state_hash, result.writes);
  return result;
}

Hash32 hash_writes(const Hash32& prev_state_hash, const WriteSet& writes) {
  Blake2b h;
  h.update(as_view(prev_state_hash));
  std::string frame;  // one buffer for every write: no allocation per key
  for (const auto& [key, value] : writes) {
    if (key.empty() || (key[0] != kCfState && key[0] != kCfTxIndex)) continue;
    frame.clear();
    put_u32_be(frame, static_cast<uint32_t>(key.size()));
    frame.append(key);
    frame.push_back(value ? '\1' : '\0');
    if (value) {
      put_u32_be(frame, static_cast<uint32_t>(value->size()));
      frame.append(*value);
    }
    h.update(frame);
  }
  return h.finish();
}

Hash32 voucher_id_for(const Id16& contract_id) {
  std::string msg = "voucher";
  msg.append(as_view(contract_id));
  return blake2b256(msg);
}

uint32_t year_utc8(uint64_t time_ms) {
  // Days since 1970-01-01 in UTC+8, then the civil year (H. Hinnant's algorithm).
  int64_t days = static_cast<int64_t>((time_ms / 1000 + 8 * 3600) / 86400);
  days += 719468;
  int64_t era = days / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<uint32_t>(m <= 2 ? y + 1 : y);
}

}  // namespace suanli::ledger
