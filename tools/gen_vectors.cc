// suanli-gen-vectors: writes tests/vectors/signing.json (API.md "Test vectors").
//
// Usage: suanli-gen-vectors [OUT]   (standard output without OUT)
//
// Everything is fixed (seeds, nonces, payloads), so the output is the same on
// every run: Ed25519 signatures are deterministic.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ledger/codec.h"
#include "ledger/crypto.h"

namespace {

using nlohmann::json;
using namespace suanli;
using namespace suanli::ledger;

using Seed = std::array<uint8_t, 32>;

Seed seed_of(uint8_t b) {
  Seed s{};
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(b + i);
  return s;
}

const Seed kRegulator = seed_of(0x10);  // Guizhou regulator
const Seed kProvider = seed_of(0x40);
const Seed kBuyer = seed_of(0x70);

template <size_t N>
std::array<uint8_t, N> derived(std::string_view label) {
  Hash32 h = blake2b256(label);
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = h[i];
  return out;
}

PubKey pub(const Seed& s) { return keypair_from_seed(s).pubkey; }

const Id16 kContract = derived<16>("vector contract");
const Hash32 kVoucherA = derived<32>("vector voucher a");
const Hash32 kVoucherB = derived<32>("vector voucher b");

struct Vector {
  std::string name;
  Seed seed;
  TxType type;
  Payload payload;
};

ContractCreate contract_create(bool with_vouchers) {
  ContractCreate c;
  c.contract_id = kContract;
  c.provider = pub(kProvider);
  c.resource =
      Resource{ResourceClass::kIntelligent, "华为昇腾 910B \"Ascend\"", ResourceUnit::kCardHour};
  c.quantity = 1000;
  c.unit_price = 1070;
  c.deadline = 1769904000000;
  if (with_vouchers) {
    c.vouchers = {VoucherUse{kVoucherA, 500000}, VoucherUse{kVoucherB, 1}};
  }
  return c;
}

ProgramParams program() {
  ProgramParams p;
  p.province = "CN-GZ";
  p.basis = Basis::kProvider;
  p.rate_bps = 300;
  p.max_per_voucher = 500000000;
  p.max_per_buyer_per_year = 1000000000;
  p.max_term_ms = 31622400000;
  p.validity_ms = 31536000000;
  p.budget = 10000000000;
  return p;
}

std::vector<Vector> vectors() {
  const std::string gz_name = "贵州省大数据发展管理局";
  return {
      {"participant_register", kRegulator, TxType::kParticipantRegister,
       ParticipantRegister{pub(kProvider), Role::kProvider, "CN-GZ",
                           "贵州算力科技有限公司 \"黔算\" \\ 贵安", "91520000MA6DLWCC5C",
                           "91440300708461136T"}},
      {"participant_register_regulator", kRegulator, TxType::kParticipantRegister,
       ParticipantRegister{pub(seed_of(0x11)), Role::kRegulator, "CN-GZ", gz_name,
                           "11520000MB1C3XY016", ""}},
      {"participant_freeze", kRegulator, TxType::kParticipantFreeze,
       ParticipantFreeze{pub(kBuyer), true}},
      {"deposit", kRegulator, TxType::kDeposit,
       Deposit{pub(kBuyer), 107000000, "ICBC/2026/01/0001"}},
      {"withdraw", kProvider, TxType::kWithdraw, Withdraw{9007199254740991, "提现-\"1\"\\2"}},
      {"transfer", kBuyer, TxType::kTransfer,
       Transfer{pub(kProvider), 1, "line1\nline2\ttab \x01 \"quoted\" back\\slash 中文 \x7f"}},
      {"transfer_empty_memo", kBuyer, TxType::kTransfer, Transfer{pub(kProvider), 250, ""}},
      {"contract_create", kBuyer, TxType::kContractCreate, contract_create(false)},
      {"contract_create_vouchers", kBuyer, TxType::kContractCreate, contract_create(true)},
      {"contract_accept", kProvider, TxType::kContractAccept, ContractRef{kContract}},
      {"contract_reject", kProvider, TxType::kContractReject,
       ContractReason{kContract, "算力不足：\n请改期\t(\u2028)"}},
      {"contract_cancel", kBuyer, TxType::kContractCancel, ContractRef{kContract}},
      {"delivery_report", kProvider, TxType::kDeliveryReport,
       DeliveryReport{kContract, 250, derived<32>("usage records 1")}},
      {"delivery_ack", kBuyer, TxType::kDeliveryAck, DeliveryRef{kContract, 1}},
      {"delivery_dispute", kBuyer, TxType::kDeliveryDispute,
       DeliveryDispute{kContract, 2, "usage \"inflated\"\r\n\x1f"}},
      {"delivery_finalize", kProvider, TxType::kDeliveryFinalize, DeliveryRef{kContract, 3}},
      {"dispute_resolve", kRegulator, TxType::kDisputeResolve, DisputeResolve{kContract, 2, 0}},
      {"contract_close", kBuyer, TxType::kContractClose, ContractRef{kContract}},
      {"voucher_apply", kBuyer, TxType::kVoucherApply, VoucherApply{kContract, "CN-GZ"}},
      {"voucher_issue", kRegulator, TxType::kVoucherIssue, ContractRef{kContract}},
      {"voucher_reject", kRegulator, TxType::kVoucherReject,
       ContractReason{kContract, "关联交易 (affiliated)"}},
      {"voucher_redeem", kBuyer, TxType::kVoucherRedeem, VoucherRedeem{kVoucherA, 12345}},
      {"voucher_revoke", kRegulator, TxType::kVoucherRevoke,
       VoucherRevoke{kVoucherA, "\\\"revoked\\\"\b\f"}},
      {"program_set", kRegulator, TxType::kProgramSet, program()},
      {"settlement_close", kRegulator, TxType::kSettlementClose, SettlementClose{}},
      {"settlement_sign", kRegulator, TxType::kSettlementSign, SettlementSign{1}},
      {"node_propose", kRegulator, TxType::kNodePropose,
       NodePropose{NodeAction::kAddVoter, "gz-4", pub(seed_of(0x90)), "gz-4.example.cn:7601"}},
      {"regulator_propose", kRegulator, TxType::kRegulatorPropose,
       RegulatorPropose{pub(seed_of(0x12)), "CN-BJ", "北京市经济和信息化局", "91110000100000000R"}},
      {"proposal_approve", kRegulator, TxType::kProposalApprove,
       ProposalApprove{derived<32>("vector proposal")}},
  };
}

json entry(const Vector& v) {
  Tx tx;
  tx.chain_id = "suanli-devnet";
  tx.type = v.type;
  tx.nonce = derived<16>("vector nonce " + v.name);
  tx.expires_at = 1767225600000;
  tx.payload = v.payload;
  sign_tx(tx, v.seed);
  // The vectors are what the codec accepts: check before publishing.
  auto decoded = decode_tx(tx.canonical);
  if (!std::holds_alternative<Tx>(decoded) || !verify_tx(std::get<Tx>(decoded))) {
    std::cerr << "vector " << v.name << " does not decode or verify\n";
    std::exit(1);
  }
  return json{{"name", v.name},
              {"seed", to_hex(v.seed)},
              {"pubkey", to_hex(tx.signer)},
              {"tx", json::parse(tx.canonical)},
              {"signing_message", to_hex(tx.signing_message)},
              {"tx_hash", to_hex(tx.hash)}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) {
    std::cerr << "usage: suanli-gen-vectors [OUT]\n";
    return 2;
  }
  crypto_init();
  json out = json::array();
  for (const Vector& v : vectors()) out.push_back(entry(v));
  std::string text = out.dump(2, ' ', /*ensure_ascii=*/false) + "\n";
  if (argc == 1) {
    std::cout << text;
    return 0;
  }
  std::ofstream file(argv[1], std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    std::cerr << "cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
