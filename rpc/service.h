// The interface rpc/ calls to reach a node (DESIGN.md: rpc/ "declares the
// interface it calls and knows no node internals"). node/ implements it.
//
// Read methods are served by rpc/ itself from state() (the node's applied
// ledger state, through ledger::StateStore and the block/txindex keys), so
// the service only offers what needs the node: admission, waiting, status.
//
// Thread-safety: every method may be called from any thread. Callbacks run on
// a node thread: the RPC server must post back to its own executor and must
// not block in them. Each callback is called exactly once.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "ledger/kv.h"
#include "ledger/types.h"

namespace suanli::rpc {

// Upper bounds (seconds) of the disk-sync histogram buckets; +Inf is implied.
inline constexpr std::array<double, 12> kSyncBucketsS = {0.001, 0.002, 0.004, 0.008, 0.016, 0.032,
                                                         0.064, 0.128, 0.256, 0.512, 1.024, 2.048};
struct SyncDurations {
  std::array<uint64_t, kSyncBucketsS.size()> buckets{};  // non-cumulative
  uint64_t count = 0;  // every sync, those over the last bound included
  double sum_s = 0;
};

// JSON-RPC error codes of API.md.
namespace errc {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kInvalidTransaction = -32001;
inline constexpr int kInvalidSignature = -32002;
inline constexpr int kWrongChain = -32003;
inline constexpr int kExpired = -32004;
inline constexpr int kDuplicate = -32005;
inline constexpr int kBusy = -32006;
inline constexpr int kNotFound = -32007;
inline constexpr int kTimeout = -32008;
inline constexpr int kUnauthorized = -32009;
inline constexpr int kNoLeader = -32010;
inline constexpr int kTooLarge = -32011;
inline constexpr int kUnknownSigner = -32012;
}  // namespace errc

struct RpcError {
  int code = errc::kInternalError;
  std::string message;
  nlohmann::json data;  // null when absent
};

// Where a transaction this node knows of stands, apart from committed ones
// (which rpc/ reads from the txindex).
enum class LocalTxState { kUnknown, kPending, kExpired };

// What the node tells applied-block listeners, in height order.
struct AppliedBlock {
  uint64_t height = 0;
  // Per transaction, in block order: "ok", the ledger's error code, or
  // why it was skipped ("bad_signature", "duplicate", "expired",
  // "wrong_chain"). Empty when `snapshot`.
  std::vector<std::string> results;
  // True when the node reached `height` by installing a snapshot: the blocks
  // up to it are in state() but were not applied here one by one.
  bool snapshot = false;
};

// Called on the node's apply thread after a block is committed to state()
// (state() and applied_height() already show it). It must return quickly
// and must not call add/remove_applied_listener.
using AppliedListener = std::function<void(const AppliedBlock&)>;

class Service {
 public:
  virtual ~Service() = default;

  // Admits a decoded transaction (rpc/ has done the stateless checks of
  // ledger::decode_tx): chain, expiry against this node's clock, duplicate,
  // signer registered, signature (verified on the node's pool), mempool room;
  // forwards to the leader when this node is a follower. On success `done`
  // gets the transaction hash; otherwise the JSON-RPC error of API.md
  // (wrong_chain, expired, duplicate with data {tx_hash, status}, unknown_signer,
  // invalid_signature, busy with data {retry_after_ms}, no_leader).
  virtual void submit(ledger::Tx tx, std::function<void(std::variant<Hash32, RpcError>)> done) = 0;

  // done(true) once the transaction is in an applied block on this node,
  // done(false) after timeout_ms.
  virtual void wait_committed(const Hash32& tx_hash, uint32_t timeout_ms,
                              std::function<void(bool committed)> done) = 0;

  // done(true) once this node's applied height >= height, done(false) after timeout_ms.
  virtual void wait_height(uint64_t height, uint32_t timeout_ms,
                           std::function<void(bool reached)> done) = 0;

  // The applied ledger state (ledger/kv.h column families, including blocks
  // and txindex). Reads are thread-safe.
  virtual const ledger::KvRead& state() const = 0;
  virtual uint64_t applied_height() const = 0;

  // A transaction this node holds but has not committed: its canonical JSON.
  virtual LocalTxState local_tx(const Hash32& tx_hash, std::string* canonical_tx) const = 0;

  // Registers a listener for every block applied from now on; returns its id.
  virtual uint64_t add_applied_listener(AppliedListener listener) = 0;
  // After this returns the listener is not running and is never called again.
  virtual void remove_applied_listener(uint64_t id) = 0;

  // Signatures this node has actually checked (cache misses), since start.
  virtual uint64_t signature_verifications() const = 0;
  // Durations of the synced writes to the Raft log (entries and hard state,
  // write and fdatasync) since start: a commit waits for one on a quorum.
  virtual SyncDurations raft_log_syncs() const { return {}; }

  // node_status result of API.md.
  virtual nlohmann::json node_status() const = 0;
  // {"genesis": document, "hash": hex}.
  virtual nlohmann::json chain_genesis() const = 0;

  // Operator methods (the RPC server checks the bearer token first).
  virtual Status transfer_leadership(const std::string& node_id) = 0;
  virtual Status take_snapshot() = 0;
  virtual Status set_log_level(const std::string& level) = 0;
  // Writes a consistent backup of the state database to `dir` (an absolute
  // path on the node's machine that does not exist yet); its backup.json.
  virtual Result<nlohmann::json> backup(const std::string& dir) = 0;
};

}  // namespace suanli::rpc
