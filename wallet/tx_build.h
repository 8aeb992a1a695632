// Building transactions from command-line flags: one flag per payload field
// (API.md "Command line"), money in yuan (or fen with --fen), exactly.
#pragma once

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/types.h"

namespace suanli::wallet {

class Context;

enum class FieldKind {
  kText,          // a string, required
  kOptionalText,  // a string, "" when omitted (memo, group)
  kParty,         // a 64-hex public key or a keystore key name
  kHex,           // hex id (contract_id, voucher_id, evidence, proposal)
  kNewId,         // contract_id of contract_create: random when omitted
  kCount,         // a non-negative integer
  kMoney,         // yuan with at most two decimals, or fen with --fen
  kBool,          // true or false
  kTime,          // ms since the epoch, or +N[s|m|h|d] from now
  kResource,      // a member of payload.resource
  kVouchers,      // repeated --voucher ID:AMOUNT
};

struct FieldSpec {
  const char* name;  // the payload member ("unit_price"); the flag is --unit-price
  FieldKind kind;
  const char* help;
};

struct TxSpec {
  ledger::TxType type;
  std::vector<FieldSpec> fields;
};

const std::vector<TxSpec>& tx_specs();
std::string flag_of(const std::string& field);  // "unit_price" -> "--unit-price"

// Adds one option per field to `desc`.
void add_field_options(const TxSpec& spec, boost::program_options::options_description& desc);
// The payload JSON from parsed options; bad values are usage errors naming the flag.
nlohmann::json build_payload(const Context& ctx, const TxSpec& spec,
                             const boost::program_options::variables_map& vm, bool fen);

// Parses a money flag's value: yuan ("1070000.10") or, with `fen`, an integer.
uint64_t parse_money(const std::string& flag, const std::string& text, bool fen);
// Parses a non-negative integer flag (at most 2^53-1).
uint64_t parse_count(const std::string& flag, const std::string& text);

}  // namespace suanli::wallet
