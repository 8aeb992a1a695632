// Transaction encoding: typed fields to JSON, signing and verification.
// Decoding is in ledger/tx_decode.cc, strict parsing in ledger/json_strict.cc.
#include "ledger/codec.h"

#include "common/assert.h"
#include "ledger/crypto.h"

namespace suanli::ledger {
namespace {

using nlohmann::json;

json resource_json(const Resource& r) {
  return json{{"class", resource_class_name(r.cls)},
              {"model", r.model},
              {"unit", resource_unit_name(r.unit)}};
}

// One overload per payload struct: the members API.md lists for its types.
struct PayloadWriter {
  json operator()(const ParticipantRegister& p) const {
    return json{{"pubkey", to_hex(p.pubkey)},   {"role", role_name(p.role)},
                {"province", p.province},       {"name", p.name},
                {"credit_code", p.credit_code}, {"group", p.group}};
  }
  json operator()(const ParticipantFreeze& p) const {
    return json{{"pubkey", to_hex(p.pubkey)}, {"frozen", p.frozen}};
  }
  json operator()(const Deposit& p) const {
    return json{{"to", to_hex(p.to)}, {"amount", p.amount}, {"reference", p.reference}};
  }
  json operator()(const Withdraw& p) const {
    return json{{"amount", p.amount}, {"reference", p.reference}};
  }
  json operator()(const Transfer& p) const {
    return json{{"to", to_hex(p.to)}, {"amount", p.amount}, {"memo", p.memo}};
  }
  json operator()(const ContractCreate& p) const {
    json out{{"contract_id", to_hex(p.contract_id)},
             {"provider", to_hex(p.provider)},
             {"resource", resource_json(p.resource)},
             {"quantity", p.quantity},
             {"unit_price", p.unit_price},
             {"deadline", p.deadline}};
    if (!p.vouchers.empty()) {
      json vouchers = json::array();
      for (const auto& v : p.vouchers) {
        vouchers.push_back(json{{"voucher_id", to_hex(v.voucher_id)}, {"amount", v.amount}});
      }
      out["vouchers"] = std::move(vouchers);
    }
    return out;
  }
  json operator()(const ContractRef& p) const {
    return json{{"contract_id", to_hex(p.contract_id)}};
  }
  json operator()(const ContractReason& p) const {
    return json{{"contract_id", to_hex(p.contract_id)}, {"reason", p.reason}};
  }
  json operator()(const DeliveryReport& p) const {
    return json{{"contract_id", to_hex(p.contract_id)},
                {"quantity", p.quantity},
                {"evidence", to_hex(p.evidence)}};
  }
  json operator()(const DeliveryRef& p) const {
    return json{{"contract_id", to_hex(p.contract_id)}, {"seq", p.seq}};
  }
  json operator()(const DeliveryDispute& p) const {
    return json{{"contract_id", to_hex(p.contract_id)}, {"seq", p.seq}, {"reason", p.reason}};
  }
  json operator()(const DisputeResolve& p) const {
    return json{{"contract_id", to_hex(p.contract_id)},
                {"seq", p.seq},
                {"accepted_quantity", p.accepted_quantity}};
  }
  json operator()(const VoucherApply& p) const {
    return json{{"contract_id", to_hex(p.contract_id)}, {"program", p.program}};
  }
  json operator()(const VoucherRedeem& p) const {
    return json{{"voucher_id", to_hex(p.voucher_id)}, {"amount", p.amount}};
  }
  json operator()(const VoucherRevoke& p) const {
    return json{{"voucher_id", to_hex(p.voucher_id)}, {"reason", p.reason}};
  }
  json operator()(const ProgramParams& p) const {
    return json{{"province", p.province},
                {"basis", basis_name(p.basis)},
                {"rate_bps", p.rate_bps},
                {"max_per_voucher", p.max_per_voucher},
                {"max_per_buyer_per_year", p.max_per_buyer_per_year},
                {"max_term_ms", p.max_term_ms},
                {"validity_ms", p.validity_ms},
                {"budget", p.budget}};
  }
  json operator()(const SettlementClose&) const { return json::object(); }
  json operator()(const SettlementSign& p) const { return json{{"period", p.period}}; }
  json operator()(const NodePropose& p) const {
    return json{{"action", node_action_name(p.action)},
                {"node_id", p.node_id},
                {"pubkey", to_hex(p.pubkey)},
                {"address", p.address}};
  }
  json operator()(const RegulatorPropose& p) const {
    return json{{"pubkey", to_hex(p.pubkey)},
                {"province", p.province},
                {"name", p.name},
                {"credit_code", p.credit_code}};
  }
  json operator()(const ProposalApprove& p) const { return json{{"proposal", to_hex(p.proposal)}}; }
};

}  // namespace

nlohmann::json tx_to_json(const Tx& tx, bool with_signature) {
  json out{{"chain_id", tx.chain_id},     {"type", tx_type_name(tx.type)},
           {"signer", to_hex(tx.signer)}, {"nonce", to_hex(tx.nonce)},
           {"expires_at", tx.expires_at}, {"payload", std::visit(PayloadWriter{}, tx.payload)}};
  if (with_signature) out["signature"] = to_hex(tx.signature);
  return out;
}

// A signer left all-zero is filled from the seed; a different signer is kept
// so that tests can build transactions whose signature does not match.
void sign_tx(Tx& tx, const std::array<uint8_t, 32>& seed) {
  KeyPair key = keypair_from_seed(seed);
  if (tx.signer == PubKey{}) tx.signer = key.pubkey;
  encode_tx(tx, nullptr, &tx.signing_message);
  tx.hash = blake2b256(tx.signing_message);
  tx.signature = ed25519_sign(key, tx.signing_message);
  encode_tx(tx, &tx.canonical, nullptr);
}

bool verify_tx(const Tx& tx) {
  if (tx.signing_message.size() <= kTxSigningPrefix.size()) return false;
  return ed25519_verify(tx.signer, tx.signature, tx.signing_message);
}

}  // namespace suanli::ledger
