// State objects of the ledger, their binary encoding, and their keys.
//
// Values are stored in a compact binary form (ledger/encoding.h): the state
// hash is over these bytes, so the encoding is part of the protocol and must
// never depend on platform or map order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/types.h"

namespace suanli::ledger {

struct Participant {
  PubKey pubkey{};
  Role role = Role::kBuyer;
  std::string province, name, credit_code, group;
  uint64_t balance = 0;
  bool frozen = false;
  uint64_t registered_height = 0;
  std::optional<PubKey> registered_by;  // absent: genesis or an approved proposal
};

enum class ContractState : uint8_t { kProposed, kActive, kRejected, kCancelled, kCompleted };
std::string_view contract_state_name(ContractState s);
std::optional<ContractState> contract_state_from_name(std::string_view s);

enum class DeliveryState : uint8_t { kPending, kAcked, kDisputed, kResolved, kFinalized };
std::string_view delivery_state_name(DeliveryState s);

struct Deduction {
  Hash32 voucher_id{};
  uint64_t amount = 0;  // deducted at creation
  uint64_t spent = 0;   // paid out to the provider so far
  uint64_t returned = 0;  // given back on reject, cancel or close
};

struct Delivery {
  uint64_t seq = 0;
  uint64_t quantity = 0;
  Hash32 evidence{};
  DeliveryState state = DeliveryState::kPending;
  uint64_t reported_at = 0;
  uint64_t accepted_quantity = 0;  // meaningful when resolved
};

struct Contract {
  Id16 contract_id{};
  PubKey buyer{}, provider{};
  Resource resource;
  uint64_t quantity = 0, unit_price = 0, amount = 0;
  uint64_t created_at = 0, deadline = 0;
  ContractState state = ContractState::kProposed;
  uint64_t delivered = 0;             // quantity paid for
  uint64_t settled = 0;               // money paid to the provider
  uint64_t settled_buyer_funded = 0;  // of which buyer-funded
  uint64_t escrow_buyer = 0, escrow_voucher = 0;
  std::vector<Deduction> deductions;
  std::vector<Delivery> deliveries;
  bool cross_province = false;
};

enum class ApplicationState : uint8_t { kPending, kIssued, kRejected };
std::string_view application_state_name(ApplicationState s);
std::optional<ApplicationState> application_state_from_name(std::string_view s);

struct Application {
  Id16 contract_id{};
  PubKey buyer{};
  std::string program;  // the programme's province
  ApplicationState state = ApplicationState::kPending;
  std::optional<Hash32> voucher_id;
  std::string reason;
};

enum class VoucherState : uint8_t { kActive, kSpent, kExpired, kRevoked };
std::string_view voucher_state_name(VoucherState s);
std::optional<VoucherState> voucher_state_from_name(std::string_view s);

struct Voucher {
  Hash32 voucher_id{};
  Id16 contract_id{};
  PubKey buyer{};
  std::string province;  // the programme's
  PubKey issuer{};
  uint64_t amount = 0, remaining = 0;
  uint64_t issued_at = 0, expires_at = 0;
  VoucherState state = VoucherState::kActive;
};

struct Program {
  ProgramParams params;
  uint64_t issued = 0;    // sum of voucher amounts
  uint64_t redeemed = 0;  // voucher money paid out (cash back + deductions spent)
  uint64_t returned = 0;  // money returned to the budget (expiry, revoke, late refunds)
  // available = budget - issued + returned
};

enum class StatementStatus : uint8_t { kOpen, kClosed, kFinal };
std::string_view statement_status_name(StatementStatus s);

struct Flow {
  std::string from, to;
  uint64_t amount = 0, count = 0;
};
struct StatementSignature {
  std::string province;
  PubKey signer{};
  uint64_t height = 0;
};
struct Statement {
  uint64_t period = 0;
  StatementStatus status = StatementStatus::kOpen;
  uint64_t from_height = 0, to_height = 0;
  std::vector<Flow> flows;            // sorted by (from, to)
  std::vector<std::string> required;  // provinces that must sign (set at close)
  std::vector<std::string> unattested;
  std::vector<StatementSignature> signatures;
};

enum class ProposalKind : uint8_t { kNode = 0, kRegulator = 1 };
enum class ProposalState : uint8_t { kPending, kDone };

struct Proposal {
  Hash32 id{};
  ProposalKind kind = ProposalKind::kNode;
  NodePropose node;            // kind == kNode
  RegulatorPropose regulator;  // kind == kRegulator
  PubKey proposer{};
  std::vector<std::string> approvals;  // provinces, in approval order
  ProposalState state = ProposalState::kPending;
  uint64_t created_height = 0, done_height = 0;
};

struct NodeMember {
  std::string node_id;
  PubKey pubkey{};
  std::string address;
  NodeRole role = NodeRole::kVoter;
};

// Recorded per included transaction in the txindex.
struct TxRecord {
  uint64_t height = 0;
  uint32_t index = 0;
  bool ok = true;
  std::string error;    // result code when !ok
  std::string message;  // human text when !ok
};

}  // namespace suanli::ledger
