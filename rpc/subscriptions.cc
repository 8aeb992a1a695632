#include "rpc/subscriptions.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/assert.h"
#include "ledger/block.h"
#include "ledger/encoding.h"
#include "rpc/methods.h"
#include "rpc/views.h"

namespace suanli::rpc {

using nlohmann::json;

std::optional<Topic> topic_from_name(std::string_view name) {
  if (name == "blocks") return Topic::kBlocks;
  if (name == "txs") return Topic::kTxs;
  return std::nullopt;
}

std::string_view topic_name(Topic topic) { return topic == Topic::kBlocks ? "blocks" : "txs"; }

SubscriptionHub::SubscriptionHub(Service& service, const Limits& limits, Post post)
    : service_(service), limits_(limits), post_(std::move(post)) {}

SubscriptionHub::~SubscriptionHub() { stop(); }

void SubscriptionHub::start() {
  const uint64_t height = service_.applied_height();  // the service's locks, not under mu_
  {
    std::lock_guard lock(mu_);
    if (listener_) return;
    delivered_ = height;
  }
  // Not under mu_: the node calls the listener under its own lock, and the
  // listener takes mu_ (ThreadSanitizer saw the lock-order inversion).
  uint64_t id = service_.add_applied_listener([this](const AppliedBlock&) {
    std::lock_guard inner(mu_);
    if (advance_posted_) return;
    advance_posted_ = true;
    post_([this] { advance(); });
  });
  std::lock_guard lock(mu_);
  listener_ = id;
}

void SubscriptionHub::stop() {
  std::optional<uint64_t> id;
  {
    std::lock_guard lock(mu_);
    id = std::exchange(listener_, std::nullopt);
    subscribers_.clear();
  }
  // Not under mu_: the listener takes mu_, and removal waits for it to return.
  if (id) service_.remove_applied_listener(*id);
}

void SubscriptionHub::add(const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(mu_);
  auto& s = subscribers_;
  s.erase(std::remove_if(s.begin(), s.end(), [](const auto& w) { return w.expired(); }), s.end());
  s.push_back(subscriber);
}

void SubscriptionHub::remove(const Subscriber* subscriber) {
  std::lock_guard lock(mu_);
  auto& s = subscribers_;
  s.erase(std::remove_if(s.begin(), s.end(),
                         [&](const auto& w) {
                           auto p = w.lock();
                           return !p || p.get() == subscriber;
                         }),
          s.end());
}

size_t SubscriptionHub::subscribers() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

std::optional<RenderedBlock> SubscriptionHub::render(Service& service, const Limits& limits,
                                                     uint64_t height, bool with_txs) {
  ReadCtx ctx(service, limits);
  auto raw = ctx.kv.get(ledger::keys::block(height));
  if (!raw) return std::nullopt;
  auto record = ledger::decode_block_record(*raw);
  SUANLI_ASSERT_MSG(record.has_value(), "corrupt block record");
  RenderedBlock out;
  out.height = height;
  out.block = block_json(*record).dump();
  if (!with_txs) return out;
  for (size_t i = 0; i < record->tx_hashes.size(); ++i) {
    const Hash32& hash = record->tx_hashes[i];
    auto fields = committed_fields(ctx, hash);
    // A transaction skipped in the block (bad signature) was not committed.
    if (!fields || (*fields)["height"] != height || (*fields)["index"] != i) continue;
    auto canonical = ctx.kv.get(ledger::keys::block_tx(height, static_cast<uint32_t>(i)));
    SUANLI_ASSERT_MSG(canonical.has_value(), "block without its transaction");
    json head{{"tx_hash", to_hex(hash)}, {"status", "committed"}};
    head.update(*fields);
    // The stored canonical JSON is spliced in as it is: no parse, no dump.
    std::string text = head.dump();
    text.pop_back();
    text += ",\"tx\":";
    text += *canonical;
    text += '}';
    out.txs.push_back(std::move(text));
  }
  return out;
}

void SubscriptionHub::advance() {
  std::vector<std::shared_ptr<Subscriber>> subs;
  {
    std::lock_guard lock(mu_);
    advance_posted_ = false;
    if (!listener_) return;
    for (const auto& w : subscribers_) {
      if (auto p = w.lock()) subs.push_back(std::move(p));
    }
  }
  uint64_t target = service_.applied_height();
  uint64_t end = std::min(target, delivered_ + kHubBlocksPerTurn);
  for (uint64_t h = delivered_ + 1; h <= end; ++h) {
    bool blocks = false, txs = false;
    for (const auto& s : subs) {
      blocks = blocks || s->wants(Topic::kBlocks);
      txs = txs || s->wants(Topic::kTxs);
    }
    if (blocks || txs) {
      auto rendered = render(service_, limits_, h, txs);
      if (!rendered) {
        spdlog::warn("subscriptions: block {} is not in the state yet; retrying later", h);
        return;
      }
      auto shared = std::make_shared<const RenderedBlock>(std::move(*rendered));
      for (const auto& s : subs) s->deliver(shared);
    }
    delivered_ = h;
  }
  if (delivered_ < target) {
    std::lock_guard lock(mu_);
    if (!advance_posted_ && listener_) {
      advance_posted_ = true;
      post_([this] { advance(); });
    }
  }
}

}  // namespace suanli::rpc
