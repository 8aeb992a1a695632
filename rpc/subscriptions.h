// WebSocket subscriptions: the hub that turns the node's applied blocks into
// notification payloads, once per block, in height order.
//
// The node tells the hub that a block was applied (an AppliedListener); the
// hub then reads every block after the last one it delivered, up to the
// applied height, from the node's state, and hands each one to every
// subscriber. Reading from the state rather than from the event means a
// height reached through a snapshot install is still delivered block by
// block, and no block is delivered twice or out of order.
//
// Threading: the hub runs its work through `post` (a strand of the RPC
// server), so advance() never runs concurrently with itself. add/remove are
// thread-safe. Subscribers must not block in deliver().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/dispatch.h"
#include "rpc/server.h"
#include "rpc/service.h"

namespace suanli::rpc {

enum class Topic { kBlocks, kTxs };
std::optional<Topic> topic_from_name(std::string_view name);
std::string_view topic_name(Topic topic);

// Blocks the hub reads and delivers per turn before it yields the strand.
inline constexpr uint64_t kHubBlocksPerTurn = 64;

// One applied block as notification `result` texts (JSON).
struct RenderedBlock {
  uint64_t height = 0;
  std::string block;             // the block_get view
  std::vector<std::string> txs;  // each committed transaction, in block order
};

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // True when it has an active subscription to `topic`. Thread-safe.
  virtual bool wants(Topic topic) const = 0;
  // Called on the hub's strand, once per block, in height order.
  virtual void deliver(const std::shared_ptr<const RenderedBlock>& block) = 0;
};

class SubscriptionHub {
 public:
  // `service` and `limits` must outlive the hub. `post` runs a function on
  // the hub's strand (it may drop it once the server stops).
  SubscriptionHub(Service& service, const Limits& limits, Post post);
  ~SubscriptionHub();
  SubscriptionHub(const SubscriptionHub&) = delete;
  SubscriptionHub& operator=(const SubscriptionHub&) = delete;

  // Starts listening to the node (blocks after the current applied height
  // are delivered). stop() unregisters; both idempotent.
  void start();
  void stop();

  void add(const std::shared_ptr<Subscriber>& subscriber);
  void remove(const Subscriber* subscriber);
  size_t subscribers() const;

  // The result texts of block `height` (nullopt when it is not in the state).
  static std::optional<RenderedBlock> render(Service& service, const Limits& limits,
                                             uint64_t height, bool with_txs);

 private:
  void advance();  // on the strand

  Service& service_;
  const Limits& limits_;
  Post post_;
  std::optional<uint64_t> listener_;  // guarded by mu_
  uint64_t delivered_ = 0;            // the strand: last height handed out
  bool advance_posted_ = false;       // guarded by mu_

  mutable std::mutex mu_;
  std::vector<std::weak_ptr<Subscriber>> subscribers_;  // guarded by mu_
};

}  // namespace suanli::rpc
