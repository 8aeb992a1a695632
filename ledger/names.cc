// Names of the ledger's enumerations as API.md spells them.
#include <array>

#include "ledger/state.h"
#include "ledger/types.h"

namespace suanli::ledger {
namespace {

template <typename E, size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kRoles = {"regulator", "provider", "buyer"};
constexpr std::array<std::string_view, 3> kClasses = {"intelligent", "general", "supercomputing"};
constexpr std::array<std::string_view, 3> kUnits = {"card_hour", "core_hour", "tb_month"};
constexpr std::array<std::string_view, 2> kBases = {"provider", "buyer"};
constexpr std::array<std::string_view, 3> kActions = {"add_voter", "add_learner", "remove"};
constexpr std::array<std::string_view, 2> kNodeRoles = {"voter", "learner"};
constexpr std::array<std::string_view, kTxTypeCount> kTxTypes = {
    "participant_register", "participant_freeze", "deposit",          "withdraw",
    "transfer",             "contract_create",    "contract_accept",  "contract_reject",
    "contract_cancel",      "delivery_report",    "delivery_ack",     "delivery_dispute",
    "delivery_finalize",    "dispute_resolve",    "contract_close",   "voucher_apply",
    "voucher_issue",        "voucher_reject",     "voucher_redeem",   "voucher_revoke",
    "program_set",          "settlement_close",   "settlement_sign",  "node_propose",
    "regulator_propose",    "proposal_approve"};
constexpr std::array<std::string_view, 5> kContractStates = {"proposed", "active", "rejected",
                                                             "cancelled", "completed"};
constexpr std::array<std::string_view, 5> kDeliveryStates = {"pending", "acked", "disputed",
                                                             "resolved", "finalized"};
constexpr std::array<std::string_view, 3> kApplicationStates = {"pending", "issued", "rejected"};
constexpr std::array<std::string_view, 4> kVoucherStates = {"active", "spent", "expired",
                                                            "revoked"};
constexpr std::array<std::string_view, 3> kStatementStatuses = {"open", "closed", "final"};

}  // namespace

std::string_view role_name(Role r) { return kRoles[static_cast<size_t>(r)]; }
std::optional<Role> role_from_name(std::string_view s) { return lookup<Role>(kRoles, s); }
std::string_view resource_class_name(ResourceClass c) { return kClasses[static_cast<size_t>(c)]; }
std::optional<ResourceClass> resource_class_from_name(std::string_view s) {
  return lookup<ResourceClass>(kClasses, s);
}
std::string_view resource_unit_name(ResourceUnit u) { return kUnits[static_cast<size_t>(u)]; }
std::optional<ResourceUnit> resource_unit_from_name(std::string_view s) {
  return lookup<ResourceUnit>(kUnits, s);
}
std::string_view basis_name(Basis b) { return kBases[static_cast<size_t>(b)]; }
std::optional<Basis> basis_from_name(std::string_view s) { return lookup<Basis>(kBases, s); }
std::string_view node_action_name(NodeAction a) { return kActions[static_cast<size_t>(a)]; }
std::optional<NodeAction> node_action_from_name(std::string_view s) {
  return lookup<NodeAction>(kActions, s);
}
std::string_view node_role_name(NodeRole r) { return kNodeRoles[static_cast<size_t>(r)]; }
std::optional<NodeRole> node_role_from_name(std::string_view s) {
  return lookup<NodeRole>(kNodeRoles, s);
}
std::string_view tx_type_name(TxType t) { return kTxTypes[static_cast<size_t>(t)]; }
std::optional<TxType> tx_type_from_name(std::string_view s) { return lookup<TxType>(kTxTypes, s); }
std::string_view contract_state_name(ContractState s) {
  return kContractStates[static_cast<size_t>(s)];
}
std::optional<ContractState> contract_state_from_name(std::string_view s) {
  return lookup<ContractState>(kContractStates, s);
}
std::string_view delivery_state_name(DeliveryState s) {
  return kDeliveryStates[static_cast<size_t>(s)];
}
std::string_view application_state_name(ApplicationState s) {
  return kApplicationStates[static_cast<size_t>(s)];
}
std::optional<ApplicationState> application_state_from_name(std::string_view s) {
  return lookup<ApplicationState>(kApplicationStates, s);
}
std::string_view voucher_state_name(VoucherState s) {
  return kVoucherStates[static_cast<size_t>(s)];
}
std::optional<VoucherState> voucher_state_from_name(std::string_view s) {
  return lookup<VoucherState>(kVoucherStates, s);
}
std::string_view statement_status_name(StatementStatus s) {
  return kStatementStatuses[static_cast<size_t>(s)];
}

}  // namespace suanli::ledger
