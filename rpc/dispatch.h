// JSON-RPC 2.0 processing of a request body, apart from HTTP: parsing (strict,
// bounded nesting), single calls and batches, the envelope checks, method
// lookup, params, operator authorization, min_height waits and tx_submit.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ledger/types.h"
#include "rpc/metrics.h"
#include "rpc/server.h"
#include "rpc/service.h"

namespace suanli::rpc {

struct Method;
class StatsCache;

// Runs a function on the executor of the connection being answered. Service
// callbacks come from node threads; everything after them goes through this.
using Post = std::function<void(std::function<void()>)>;

// What the request's Authorization header proves.
enum class Auth { kNoTokenConfigured, kMissing, kWrong, kOk };

// The methods a connection serves itself (subscribe and unsubscribe on a
// WebSocket). Called on the connection's executor, inline in handle().
class SessionMethods {
 public:
  virtual ~SessionMethods() = default;
  virtual std::variant<nlohmann::json, RpcError> session_call(std::string_view method,
                                                              const nlohmann::json& params) = 0;
};

// Default wait when min_height or wait=committed come without timeout_ms.
inline constexpr uint32_t kDefaultWaitMs = 10000;

class Dispatcher {
 public:
  Dispatcher(Service& service, const Limits& limits, Metrics& metrics);
  ~Dispatcher();

  // Answers a JSON-RPC body: `done` gets the response body, or "" when the
  // body held only notifications. `done` runs exactly once, inline or through
  // `post`. `session` (may be null: HTTP) serves MethodKind::kSession methods.
  void handle(std::string_view body, Auth auth, Post post, std::function<void(std::string)> done,
              SessionMethods* session = nullptr);

  // A JSON-RPC error response.
  static nlohmann::json error_response(const nlohmann::json& id, const RpcError& error);
  static std::string dump(const nlohmann::json& response);

 private:
  struct Doc;
  using Reply = std::function<void(std::optional<nlohmann::json>)>;
  struct CallCtx {
    Auth auth;
    Post post;
    SessionMethods* session;
  };
  void call(const std::shared_ptr<Doc>& doc, const nlohmann::json& request,
            const std::string& prefix, const CallCtx& ctx, Reply reply);
  using Answer = std::function<void(const std::variant<nlohmann::json, RpcError>&)>;
  // The reply to a body of one request.
  static Reply single_reply(std::function<void(std::string)> done);
  // One reply per request of a batch of n; the last one answers the batch.
  static std::vector<Reply> batch_replies(size_t n, std::function<void(std::string)> done);
  // `reply`, recording the method's latency from now to the answer.
  Reply timed(std::string label, Reply reply);
  // The result or error response of a request with this id (none for a notification).
  Answer make_answer(const nlohmann::json& id, bool notification, Reply reply);
  void run_read(const Method& method, nlohmann::json params, const Post& post, Answer answer);
  void run_submit(const std::shared_ptr<Doc>& doc, const nlohmann::json& params,
                  const std::string& prefix, const Post& post, Answer answer);
  void submit_decoded(ledger::Tx tx, bool wait, uint32_t timeout_ms, const Post& post,
                      Answer answer);
  // The answer to a waited submit once its wait ends (on the connection's strand).
  void answer_waited(const Hash32& hash, bool committed, uint32_t timeout_ms, const Answer& answer);
  // The fast path of handle(): a body of tx_submit requests only, each of
  // which passes every check of the strict path, read with LiteJson (no
  // nlohmann value per member). False, with nothing done, for any other body.
  bool handle_submits(std::string_view body, const CallCtx& ctx,
                      const std::function<void(std::string)>& done);

  // One call's claim on Limits::waits_max, given back by release() before
  // the answer is sent (so a client that got its answer finds the slot free),
  // or at the latest when the last copy of the callbacks holding it is gone.
  struct WaitSlot {
    explicit WaitSlot(std::shared_ptr<std::atomic<size_t>> n) : count(std::move(n)) {}
    WaitSlot(const WaitSlot&) = delete;
    WaitSlot& operator=(const WaitSlot&) = delete;
    ~WaitSlot() { release(); }
    void release() {
      if (!released.exchange(true)) count->fetch_sub(1);
    }
    std::shared_ptr<std::atomic<size_t>> count;
    std::atomic<bool> released{false};
  };
  std::shared_ptr<WaitSlot> take_wait_slot();

  Service& service_;
  const Limits& limits_;
  Metrics& metrics_;
  std::shared_ptr<std::atomic<size_t>> waits_ = std::make_shared<std::atomic<size_t>>(0);
  std::unique_ptr<StatsCache> stats_cache_;
};

}  // namespace suanli::rpc
