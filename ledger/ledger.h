// The ledger state machine: genesis state and apply_block.
//
// Pure and deterministic: the same genesis and blocks give the same writes
// and state hashes on every node. No clocks, randomness, threads or I/O:
// time comes from the block, signature verification results from the caller.
#pragma once

#include <cstdint>
#include <vector>

#include "ledger/kv.h"
#include "ledger/state.h"
#include "ledger/types.h"

namespace suanli::ledger {

struct BlockInput {
  uint64_t height = 0;  // >= 1
  uint64_t time = 0;    // block time, ms since the epoch
  std::vector<const Tx*> txs;
  // Per transaction: did its signature verify (verification runs in node/).
  std::vector<bool> signature_ok;
};

enum class TxDisposition : uint8_t {
  kApplied,       // got a result (ok or a result code) and consumed its hash
  kBadSignature,  // skipped; listed in the block's `rejected`
  kDuplicate,     // skipped: its hash already has a result
  kExpired,       // skipped: expires_at <= block time
  kWrongChain,    // skipped: chain_id differs
};

struct TxOutcome {
  Hash32 hash{};
  TxDisposition disposition = TxDisposition::kApplied;
  TxRecord record;  // when kApplied
};

struct ApplyResult {
  WriteSet writes;   // everything to commit atomically for this block
  Hash32 state_hash{};
  std::vector<TxOutcome> outcomes;  // one per input transaction, in order
  // Membership changes carried out in this block, for Raft to apply.
  std::vector<NodePropose> membership_changes;
};

// The state written at height 0. state_hash(0) is genesis.hash.
WriteSet genesis_writes(const Genesis& genesis);

// Applies block `block.height` over `state` (which holds height - 1).
ApplyResult apply_block(const KvRead& state, const Hash32& prev_state_hash,
                        const BlockInput& block);

// state_hash(h) = BLAKE2b-256(state_hash(h-1) || writes to state and txindex in key order).
Hash32 hash_writes(const Hash32& prev_state_hash, const WriteSet& writes);

// Voucher id of a contract: BLAKE2b-256("voucher" || contract id bytes).
Hash32 voucher_id_for(const Id16& contract_id);

// Net position per province of a statement: received - paid, zeros omitted,
// sorted by province.
std::vector<std::pair<std::string, int64_t>> net_positions(const Statement& s);

// available = budget - issued + returned.
uint64_t program_available(const Program& p);

// Calendar year of a time in UTC+8 (the yearly voucher cap's year).
uint32_t year_utc8(uint64_t time_ms);

}  // namespace suanli::ledger
