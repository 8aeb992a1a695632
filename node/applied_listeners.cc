#include "node/applied_listeners.h"

#include "common/assert.h"
#include "node/node_impl.h"

namespace suanli::node {
namespace {

std::string result_code(const ledger::TxOutcome& o) {
  switch (o.disposition) {
    case ledger::TxDisposition::kApplied:
      return o.record.ok ? "ok" : o.record.error;
    case ledger::TxDisposition::kBadSignature:
      return "bad_signature";
    case ledger::TxDisposition::kDuplicate:
      return "duplicate";
    case ledger::TxDisposition::kExpired:
      return "expired";
    case ledger::TxDisposition::kWrongChain:
      return "wrong_chain";
  }
  return "unknown";
}

}  // namespace

uint64_t AppliedListeners::add(rpc::AppliedListener listener) {
  SUANLI_ASSERT(listener != nullptr);
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void AppliedListeners::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  listeners_.erase(id);
}

void AppliedListeners::publish(uint64_t height, const std::vector<ledger::TxOutcome>& outcomes) {
  {
    std::lock_guard lock(mu_);
    if (listeners_.empty()) return;
  }
  rpc::AppliedBlock block;
  block.height = height;
  block.results.reserve(outcomes.size());
  for (const auto& o : outcomes) block.results.push_back(result_code(o));
  publish(block);
}

void AppliedListeners::publish_snapshot(uint64_t height) {
  rpc::AppliedBlock block;
  block.height = height;
  block.snapshot = true;
  publish(block);
}

void AppliedListeners::publish(const rpc::AppliedBlock& block) {
  std::lock_guard lock(mu_);
  for (const auto& [id, listener] : listeners_) listener(block);
}

// ---- NodeImpl's rpc::Service hooks for rpc/ subscriptions and metrics ----

uint64_t NodeImpl::add_applied_listener(rpc::AppliedListener listener) {
  return applied_listeners_.add(std::move(listener));
}

void NodeImpl::remove_applied_listener(uint64_t id) { applied_listeners_.remove(id); }

uint64_t NodeImpl::signature_verifications() const { return pool_.verifications(); }

}  // namespace suanli::node
