// Transaction and genesis types of the ledger (API.md "Transactions", "Genesis").
//
// These are the decoded, validated forms: a Tx exists only after the codec
// (ledger/codec.h) accepted its JSON, so every field is within API.md's ranges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"

namespace suanli::ledger {

enum class Role : uint8_t { kRegulator = 0, kProvider = 1, kBuyer = 2 };
std::string_view role_name(Role r);
std::optional<Role> role_from_name(std::string_view s);

enum class ResourceClass : uint8_t { kIntelligent = 0, kGeneral = 1, kSupercomputing = 2 };
enum class ResourceUnit : uint8_t { kCardHour = 0, kCoreHour = 1, kTbMonth = 2 };
std::string_view resource_class_name(ResourceClass c);
std::optional<ResourceClass> resource_class_from_name(std::string_view s);
std::string_view resource_unit_name(ResourceUnit u);
std::optional<ResourceUnit> resource_unit_from_name(std::string_view s);

enum class Basis : uint8_t { kProvider = 0, kBuyer = 1 };
std::string_view basis_name(Basis b);
std::optional<Basis> basis_from_name(std::string_view s);

enum class NodeAction : uint8_t { kAddVoter = 0, kAddLearner = 1, kRemove = 2 };
std::string_view node_action_name(NodeAction a);
std::optional<NodeAction> node_action_from_name(std::string_view s);

// The transaction types, in API.md's table order.
enum class TxType : uint8_t {
  kParticipantRegister,
  kParticipantFreeze,
  kDeposit,
  kWithdraw,
  kTransfer,
  kContractCreate,
  kContractAccept,
  kContractReject,
  kContractCancel,
  kDeliveryReport,
  kDeliveryAck,
  kDeliveryDispute,
  kDeliveryFinalize,
  kDisputeResolve,
  kContractClose,
  kVoucherApply,
  kVoucherIssue,
  kVoucherReject,
  kVoucherRedeem,
  kVoucherRevoke,
  kProgramSet,
  kSettlementClose,
  kSettlementSign,
  kNodePropose,
  kRegulatorPropose,
  kProposalApprove,
};
inline constexpr int kTxTypeCount = 26;
std::string_view tx_type_name(TxType t);
std::optional<TxType> tx_type_from_name(std::string_view s);

struct Resource {
  ResourceClass cls = ResourceClass::kIntelligent;
  std::string model;
  ResourceUnit unit = ResourceUnit::kCardHour;
};

struct VoucherUse {
  Hash32 voucher_id{};
  uint64_t amount = 0;
};

// A voucher programme: the payload of program_set and an entry of genesis.
struct ProgramParams {
  std::string province;
  Basis basis = Basis::kProvider;
  uint64_t rate_bps = 0;
  uint64_t max_per_voucher = 0;
  uint64_t max_per_buyer_per_year = 0;
  uint64_t max_term_ms = 0;
  uint64_t validity_ms = 0;
  uint64_t budget = 0;
};

struct ParticipantRegister {
  PubKey pubkey{};
  Role role = Role::kBuyer;
  std::string province, name, credit_code, group;
};
struct ParticipantFreeze {
  PubKey pubkey{};
  bool frozen = false;
};
struct Deposit {
  PubKey to{};
  uint64_t amount = 0;
  std::string reference;
};
struct Withdraw {
  uint64_t amount = 0;
  std::string reference;
};
struct Transfer {
  PubKey to{};
  uint64_t amount = 0;
  std::string memo;
};
struct ContractCreate {
  Id16 contract_id{};
  PubKey provider{};
  Resource resource;
  uint64_t quantity = 0;
  uint64_t unit_price = 0;
  uint64_t deadline = 0;
  std::vector<VoucherUse> vouchers;
};
// contract_accept, contract_cancel, contract_close, voucher_issue.
struct ContractRef {
  Id16 contract_id{};
};
// contract_reject, voucher_reject.
struct ContractReason {
  Id16 contract_id{};
  std::string reason;
};
struct DeliveryReport {
  Id16 contract_id{};
  uint64_t quantity = 0;
  Hash32 evidence{};
};
// delivery_ack, delivery_finalize.
struct DeliveryRef {
  Id16 contract_id{};
  uint64_t seq = 0;
};
struct DeliveryDispute {
  Id16 contract_id{};
  uint64_t seq = 0;
  std::string reason;
};
struct DisputeResolve {
  Id16 contract_id{};
  uint64_t seq = 0;
  uint64_t accepted_quantity = 0;
};
struct VoucherApply {
  Id16 contract_id{};
  std::string program;
};
struct VoucherRedeem {
  Hash32 voucher_id{};
  uint64_t amount = 0;
};
struct VoucherRevoke {
  Hash32 voucher_id{};
  std::string reason;
};
struct SettlementClose {};
struct SettlementSign {
  uint64_t period = 0;
};
struct NodePropose {
  NodeAction action = NodeAction::kAddVoter;
  std::string node_id;
  PubKey pubkey{};
  std::string address;
};
struct RegulatorPropose {
  PubKey pubkey{};
  std::string province, name, credit_code;
};
struct ProposalApprove {
  Hash32 proposal{};
};

using Payload = std::variant<ParticipantRegister, ParticipantFreeze, Deposit, Withdraw, Transfer,
                             ContractCreate, ContractRef, ContractReason, DeliveryReport,
                             DeliveryRef, DeliveryDispute, DisputeResolve, VoucherApply,
                             VoucherRedeem, VoucherRevoke, ProgramParams, SettlementClose,
                             SettlementSign, NodePropose, RegulatorPropose, ProposalApprove>;

// A decoded transaction. `canonical` is the JCS of the whole transaction
// (signature included): the form stored in blocks. `signing_message` is
// "suanli-tx-v1\n" + JCS without the signature; `hash` is its BLAKE2b-256.
struct Tx {
  std::string chain_id;
  TxType type = TxType::kDeposit;
  PubKey signer{};
  Id16 nonce{};
  uint64_t expires_at = 0;
  Payload payload;
  Sig64 signature{};

  std::string canonical;
  std::string signing_message;
  Hash32 hash{};

  template <typename T>
  const T& as() const {
    return std::get<T>(payload);
  }
};

struct Policy {
  uint64_t max_tx_validity_ms = 3600000;
  uint64_t ack_window_ms = 86400000;
  uint64_t max_block_txs = 8192;
  uint64_t max_block_bytes = 8388608;
  uint64_t membership_approvals = 2;
};

struct GenesisParticipant {
  PubKey pubkey{};
  Role role = Role::kBuyer;
  std::string province, name, credit_code, group;
  uint64_t balance = 0;
};

enum class NodeRole : uint8_t { kVoter = 0, kLearner = 1 };
std::string_view node_role_name(NodeRole r);
std::optional<NodeRole> node_role_from_name(std::string_view s);

struct GenesisNode {
  std::string node_id;
  PubKey pubkey{};
  std::string address;
  NodeRole role = NodeRole::kVoter;
};

struct Genesis {
  std::string chain_id;
  uint64_t genesis_time = 0;
  Policy policy;
  std::vector<ProgramParams> programs;
  std::vector<GenesisParticipant> participants;
  std::vector<GenesisNode> nodes;
  Hash32 hash{};  // BLAKE2b-256("suanli-genesis-v1\n" + JCS(document))
};

}  // namespace suanli::ledger
