// JSON views of ledger objects, with exactly API.md's field names (a few
// extra fields are marked as such where they are given).
#pragma once

#include <nlohmann/json.hpp>

#include "ledger/block.h"
#include "ledger/state.h"

namespace suanli::rpc {

nlohmann::json participant_json(const ledger::Participant& p);
nlohmann::json contract_json(const ledger::Contract& c);
nlohmann::json application_json(const ledger::Application& a);
nlohmann::json voucher_json(const ledger::Voucher& v);
nlohmann::json program_json(const ledger::Program& p);
// An open statement reports `to_height` as `applied_height` (the period so far).
nlohmann::json statement_json(const ledger::Statement& s, uint64_t applied_height);
nlohmann::json proposal_json(const ledger::Proposal& p);
nlohmann::json block_json(const ledger::BlockRecord& b);
// {"ok": true} or {"ok": false, "error", "message"}.
nlohmann::json result_json(const ledger::TxRecord& r);

}  // namespace suanli::rpc
