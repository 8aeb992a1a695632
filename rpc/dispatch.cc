#include "rpc/dispatch.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "ledger/codec.h"
#include "ledger/json_lite.h"
#include "rpc/params.h"
#include "rpc/methods.h"

namespace suanli::rpc {

using nlohmann::json;

struct Dispatcher::Doc {
  ledger::StrictJsonAll parsed;
};

namespace {

// The messages ledger/json_strict.cc records for these anomalies.
constexpr std::string_view kDuplicateMember = "duplicate member";
constexpr std::string_view kNestedTooDeeply = "nested too deeply";

json result_response(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

RpcError invalid_request(std::string message) {
  return RpcError{errc::kInvalidRequest, std::move(message), nullptr};
}

// `path` relative to `prefix` ("" for the root), or nullopt when not under it.
std::optional<std::string_view> under(std::string_view path, std::string_view prefix) {
  if (prefix.empty()) return path;
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  if (rest.empty()) return rest;
  if (rest.front() == '.') return rest.substr(1);
  if (rest.front() == '[') return rest;
  return std::nullopt;
}

// A duplicate member or too deep nesting in a request outside params.tx
// (which decode_tx reports with the field): -32602 inside params, else -32600.
std::optional<RpcError> envelope_anomaly(const std::vector<ledger::JsonAnomaly>& anomalies,
                                         const std::string& prefix) {
  for (const auto& a : anomalies) {
    auto rel = under(a.path, prefix);
    if (!rel) continue;
    if (a.message != kDuplicateMember && a.message != kNestedTooDeeply) continue;
    if (under(*rel, "params.tx")) continue;
    if (auto in_params = under(*rel, "params")) {
      if (!in_params->empty()) return invalid_params(std::string(*in_params), a.message);
      return invalid_params("", "params: " + a.message);
    }
    std::string where = rel->empty() ? "" : std::string(*rel) + " ";
    return invalid_request("request " + where + a.message);
  }
  return std::nullopt;
}

RpcError tx_error(const ledger::TxError& e) {
  switch (e.kind) {
    case ledger::TxErrorKind::kParse:
      return RpcError{errc::kParseError, "parse error: " + e.message, nullptr};
    case ledger::TxErrorKind::kTooLarge:
      return RpcError{errc::kTooLarge, "transaction too large: " + e.message, nullptr};
    case ledger::TxErrorKind::kInvalid:
      break;
  }
  json data = json::object();
  data["field"] = e.field;
  std::string message = "invalid transaction: ";
  if (!e.field.empty()) message += e.field + ": ";
  return RpcError{errc::kInvalidTransaction, message + e.message, std::move(data)};
}

}  // namespace

Dispatcher::Dispatcher(Service& service, const Limits& limits, Metrics& metrics)
    : service_(service),
      limits_(limits),
      metrics_(metrics),
      stats_cache_(std::make_unique<StatsCache>()) {}

Dispatcher::~Dispatcher() = default;

json Dispatcher::error_response(const json& id, const RpcError& error) {
  json e{{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) e["data"] = error.data;
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(e)}};
}

std::string Dispatcher::dump(const json& response) {
  return response.dump(-1, ' ', false, json::error_handler_t::replace);
}

void Dispatcher::handle(std::string_view body, Auth auth, Post post,
                        std::function<void(std::string)> done, SessionMethods* session) {
  const CallCtx ctx{auth, std::move(post), session};
  if (handle_submits(body, ctx, done)) return;
  std::string error;
  auto parsed = ledger::parse_strict_all(body, &error, limits_.json_depth_max);
  if (!parsed) {
    metrics_.count_error(errc::kParseError);
    done(dump(
        error_response(nullptr, RpcError{errc::kParseError, "parse error: " + error, nullptr})));
    return;
  }
  auto doc = std::make_shared<Doc>(Doc{std::move(*parsed)});
  const json& root = doc->parsed.value;
  if (!root.is_array()) {
    call(doc, root, "", ctx, single_reply(std::move(done)));
    return;
  }
  if (root.empty()) {
    metrics_.count_error(errc::kInvalidRequest);
    done(dump(error_response(nullptr, invalid_request("empty batch"))));
    return;
  }
  if (root.size() > limits_.batch_max) {
    metrics_.count_error(errc::kTooLarge);
    done(dump(
        error_response(nullptr, RpcError{errc::kTooLarge,
                                         "batch of " + std::to_string(root.size()) +
                                             " requests, over " + std::to_string(limits_.batch_max),
                                         nullptr})));
    return;
  }
  auto replies = batch_replies(root.size(), std::move(done));
  for (size_t i = 0; i < root.size(); ++i) {
    call(doc, root[i], "[" + std::to_string(i) + "]", ctx, replies[i]);
  }
}

std::vector<Dispatcher::Reply> Dispatcher::batch_replies(size_t n,
                                                         std::function<void(std::string)> done) {
  struct Batch {
    std::vector<std::optional<json>> answers;
    size_t remaining = 0;
    std::function<void(std::string)> done;
  };
  auto batch = std::make_shared<Batch>();
  batch->answers.resize(n);
  batch->remaining = n;
  batch->done = std::move(done);
  std::vector<Reply> replies;
  replies.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    replies.push_back([batch, i](std::optional<json> response) {
      batch->answers[i] = std::move(response);
      if (--batch->remaining > 0) return;
      json out = json::array();
      for (auto& a : batch->answers) {
        if (a) out.push_back(std::move(*a));
      }
      batch->done(out.empty() ? std::string() : dump(out));
    });
  }
  return replies;
}

namespace {

using ledger::LiteJson;

// The members of `object` named in `names`, at most once each; false when it
// has any other member or one twice.
template <size_t N>
bool lite_members(const LiteJson& doc, const LiteJson::Value& object,
                  const std::array<std::string_view, N>& names,
                  std::array<std::optional<LiteJson::Ref>, N>& out) {
  if (object.kind != LiteJson::Kind::kObject) return false;
  for (uint32_t m = 0; m < object.count; ++m) {
    const LiteJson::Member& member = doc.member(object, m);
    auto at = std::find(names.begin(), names.end(), member.key);
    if (at == names.end()) return false;
    auto& slot = out[static_cast<size_t>(at - names.begin())];
    if (slot) return false;
    slot = LiteJson::Ref{&doc, member.value};
  }
  return true;
}

bool is_text(const LiteJson::Ref& v, std::string_view want) {
  return v.get().kind == LiteJson::Kind::kString && v.get().text == want;
}

struct FastSubmit {
  json id;
  bool wait = false;
  uint32_t timeout_ms = kDefaultWaitMs;
  ledger::Tx tx;
};

// A tx_submit request that passes every check of the strict path, or nullopt.
std::optional<FastSubmit> read_fast_submit(const LiteJson& doc, LiteJson::Ref request) {
  // Exactly these four (a notification has no id: the strict path's).
  std::array<std::optional<LiteJson::Ref>, 4> envelope;
  if (!lite_members<4>(doc, request.get(), {"jsonrpc", "id", "method", "params"}, envelope) ||
      request.get().count != 4) {
    return std::nullopt;
  }
  const auto& [jsonrpc, id, method, params] = envelope;
  if (!is_text(*jsonrpc, "2.0") || !is_text(*method, "tx_submit")) return std::nullopt;
  FastSubmit s;
  if (id->get().kind == LiteJson::Kind::kUint) {
    s.id = id->get().number;
  } else if (id->get().kind == LiteJson::Kind::kString) {
    s.id = std::string(id->get().text);
  } else {
    return std::nullopt;
  }
  std::array<std::optional<LiteJson::Ref>, 3> members;
  if (!lite_members<3>(doc, params->get(), {"tx", "wait", "timeout_ms"}, members)) {
    return std::nullopt;
  }
  const auto& [tx, wait, timeout] = members;
  if (!tx) return std::nullopt;
  if (wait && !is_text(*wait, "none")) {
    if (!is_text(*wait, "committed")) return std::nullopt;
    s.wait = true;
  }
  if (timeout) {
    if (timeout->get().kind != LiteJson::Kind::kUint || timeout->get().number > kTimeoutMsMax) {
      return std::nullopt;
    }
    s.timeout_ms = static_cast<uint32_t>(timeout->get().number);
  }
  auto decoded = ledger::decode_tx_lite(*tx);
  if (!decoded) return std::nullopt;
  s.tx = std::move(*decoded);
  return s;
}

}  // namespace

Dispatcher::Reply Dispatcher::single_reply(std::function<void(std::string)> done) {
  return [done = std::move(done)](std::optional<json> response) {
    done(response ? dump(*response) : std::string());
  };
}

bool Dispatcher::handle_submits(std::string_view body, const CallCtx& ctx,
                                const std::function<void(std::string)>& done) {
  // Deeper bodies are the strict parser's (it applies the configured limit).
  if (limits_.json_depth_max < ledger::kLiteDepthMax) return false;
  thread_local LiteJson doc;
  if (!doc.parse(body)) return false;
  const LiteJson::Value& root = doc.root().get();
  const bool is_batch = root.kind == LiteJson::Kind::kArray;
  const size_t n = is_batch ? root.count : 1;
  if (n == 0 || n > limits_.batch_max) return false;
  std::vector<FastSubmit> submits;
  submits.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto s = read_fast_submit(doc, is_batch ? doc.element(root, static_cast<uint32_t>(i))
                                            : doc.root());
    if (!s) return false;
    submits.push_back(std::move(*s));
  }
  // Every request passes: answered as call() and run_submit() would.
  std::vector<Reply> replies =
      is_batch ? batch_replies(n, done) : std::vector<Reply>{single_reply(done)};
  for (size_t i = 0; i < n; ++i) {
    FastSubmit& s = submits[i];
    metrics_.count_request("tx_submit");
    Answer answer = make_answer(s.id, false, timed("tx_submit", std::move(replies[i])));
    submit_decoded(std::move(s.tx), s.wait, s.timeout_ms, ctx.post, std::move(answer));
  }
  return true;
}

void Dispatcher::call(const std::shared_ptr<Doc>& doc, const json& request,
                      const std::string& prefix, const CallCtx& ctx, Reply reply) {
  json id = nullptr;
  bool notification = false;
  auto fail = [&](const RpcError& e) {
    metrics_.count_error(e.code);
    reply(error_response(id, e));
  };
  if (!request.is_object()) return fail(invalid_request("a request must be a JSON object"));
  if (auto it = request.find("id"); it != request.end()) {
    if (!it->is_string() && !it->is_number() && !it->is_null()) {
      return fail(invalid_request("id must be a string, a number or null"));
    }
    id = *it;
  } else {
    notification = true;
  }
  for (const auto& [key, value] : request.items()) {
    if (key != "jsonrpc" && key != "method" && key != "params" && key != "id") {
      return fail(invalid_request("unknown request member " + key));
    }
  }
  auto version = request.find("jsonrpc");
  if (version == request.end() || !version->is_string() || *version != "2.0") {
    return fail(invalid_request("jsonrpc must be \"2.0\""));
  }
  auto method_it = request.find("method");
  if (method_it == request.end() || !method_it->is_string()) {
    return fail(invalid_request("method must be a string"));
  }
  // Checked after the method is known: wrong types are -32602. A reference
  // into the parsed document, which outlives this call; copied only by a read
  // that waits.
  static const json kNoParams = nullptr;
  auto params_it = request.find("params");
  const json& params = params_it != request.end() ? *params_it : kNoParams;
  if (auto e = envelope_anomaly(doc->parsed.anomalies, prefix)) return fail(*e);
  // A valid notification is never answered, not even with an error.
  auto fail_call = [&](const RpcError& e) {
    if (!notification) return fail(e);
    metrics_.count_error(e.code);
    reply(std::nullopt);
  };
  const std::string& name = method_it->get_ref<const std::string&>();
  metrics_.count_request(name);
  const Method* method = find_method(name);
  reply = timed(method ? std::string(method->name) : "unknown", std::move(reply));
  if (method == nullptr) {
    return fail_call(
        RpcError{errc::kMethodNotFound, "method not found: " + name.substr(0, 64), nullptr});
  }
  if (!params.is_null() && !params.is_object()) {
    return fail_call(invalid_params("", "params must be an object"));
  }
  if (method->kind == MethodKind::kSession && ctx.session == nullptr) {
    return fail_call(RpcError{errc::kMethodNotFound,
                              name + " is served on the WebSocket at /ws, not over HTTP POST",
                              nullptr});
  }
  if (method->kind == MethodKind::kOperator && ctx.auth != Auth::kOk) {
    const char* why = ctx.auth == Auth::kNoTokenConfigured
                          ? "operator methods are disabled (no token)"
                      : ctx.auth == Auth::kMissing ? "missing bearer token"
                                                   : "wrong bearer token";
    return fail_call(RpcError{errc::kUnauthorized, why, nullptr});
  }
  if (auto e = check_params(params, method->params)) return fail_call(*e);

  Answer answer = make_answer(id, notification, std::move(reply));
  switch (method->kind) {
    case MethodKind::kRead:
      return run_read(*method, params, ctx.post, std::move(answer));
    case MethodKind::kSubmit:
      return run_submit(doc, params, prefix, ctx.post, std::move(answer));
    case MethodKind::kSession:
      return answer(ctx.session->session_call(name, params));
    case MethodKind::kOperator:
      try {
        return answer(method->op(service_, params));
      } catch (const std::exception& ex) {
        return answer(
            RpcError{errc::kInternalError, std::string("internal error: ") + ex.what(), nullptr});
      }
  }
}

std::shared_ptr<Dispatcher::WaitSlot> Dispatcher::take_wait_slot() {
  if (waits_->fetch_add(1) >= limits_.waits_max) {
    waits_->fetch_sub(1);
    return nullptr;
  }
  return std::make_shared<WaitSlot>(waits_);
}

namespace {
RpcError too_many_waits() {
  return RpcError{errc::kBusy, "too many calls waiting on this node",
                  json{{"retry_after_ms", 1000}}};
}
}  // namespace

void Dispatcher::run_read(const Method& method, json params, const Post& post,
                          std::function<void(const std::variant<json, RpcError>&)> answer) {
  auto run = [this, &method, params, answer]() {
    try {
      ReadCtx ctx(service_, limits_, stats_cache_.get());
      answer(method.read(ctx, params));
    } catch (const std::exception& ex) {
      answer(RpcError{errc::kInternalError,
                      std::string(method.name) + ": internal error: " + ex.what(), nullptr});
    }
  };
  uint64_t min_height = u64_param(params, "min_height", 0);
  if (min_height == 0 || service_.applied_height() >= min_height) return run();
  auto timeout_ms = static_cast<uint32_t>(u64_param(params, "timeout_ms", kDefaultWaitMs));
  auto slot = take_wait_slot();
  if (!slot) return answer(too_many_waits());
  service_.wait_height(min_height, timeout_ms, [post, run, answer, min_height, slot](bool reached) {
    post([run, answer, reached, min_height, slot]() {
      slot->release();
      if (reached) return run();
      answer(RpcError{errc::kTimeout,
                      "height " + std::to_string(min_height) + " not reached in time", nullptr});
    });
  });
}

Dispatcher::Reply Dispatcher::timed(std::string label, Reply reply) {
  // Latency by method from here to the answer (waits included).
  return [this, reply = std::move(reply), label = std::move(label),
          started = std::chrono::steady_clock::now()](std::optional<json> response) {
    metrics_.observe_latency(label, std::chrono::steady_clock::now() - started);
    reply(std::move(response));
  };
}

Dispatcher::Answer Dispatcher::make_answer(const json& id, bool notification, Reply reply) {
  return [this, id, notification, reply = std::move(reply)](const std::variant<json, RpcError>& r) {
    if (const auto* e = std::get_if<RpcError>(&r)) {
      metrics_.count_error(e->code);
      if (e->code == errc::kInternalError) spdlog::error("rpc internal error: {}", e->message);
      if (!notification) return reply(error_response(id, *e));
      return reply(std::nullopt);
    }
    if (notification) return reply(std::nullopt);
    reply(result_response(id, std::get<json>(r)));
  };
}

void Dispatcher::run_submit(const std::shared_ptr<Doc>& doc, const json& params,
                            const std::string& prefix, const Post& post, Answer answer) {
  bool wait = str_param(params, "wait") == "committed";
  auto timeout_ms = static_cast<uint32_t>(u64_param(params, "timeout_ms", kDefaultWaitMs));
  const json& value = params.find("tx").value();
  std::string path = prefix.empty() ? "params.tx" : prefix + ".params.tx";
  auto decoded = ledger::decode_tx(value, ledger::anomaly_within(doc->parsed.anomalies, path));
  if (const auto* e = std::get_if<ledger::TxError>(&decoded)) return answer(tx_error(*e));
  submit_decoded(std::get<ledger::Tx>(std::move(decoded)), wait, timeout_ms, post,
                 std::move(answer));
}

void Dispatcher::submit_decoded(ledger::Tx tx, bool wait, uint32_t timeout_ms, const Post& post,
                                Answer answer) {
  Hash32 hash = tx.hash;
  std::shared_ptr<WaitSlot> slot;
  if (wait) {
    slot = take_wait_slot();
    if (!slot) return answer(too_many_waits());
  }
  service_.submit(std::move(tx), [this, post, answer, wait, timeout_ms, hash,
                                  slot](std::variant<Hash32, RpcError> r) {
    if (std::holds_alternative<RpcError>(r) || !wait) {
      return post([answer, slot, r = std::move(r)]() {
        if (const auto* e = std::get_if<RpcError>(&r)) {
          if (slot) slot->release();
          return answer(*e);
        }
        answer(json{{"tx_hash", to_hex(std::get<Hash32>(r))}, {"status", "pending"}});
      });
    }
    // Admitted: the wait is registered from here (Service methods are
    // thread-safe); only the answer goes back to the connection's strand, so a
    // waited submit crosses threads once on its way back, not twice.
    service_.wait_committed(hash, timeout_ms,
                            [this, post, answer, hash, timeout_ms, slot](bool committed) {
                              post([this, answer, hash, committed, timeout_ms, slot]() {
                                slot->release();
                                answer_waited(hash, committed, timeout_ms, answer);
                              });
                            });
  });
}

void Dispatcher::answer_waited(const Hash32& hash, bool committed, uint32_t timeout_ms,
                               const Answer& answer) {
  std::string hex = to_hex(hash);
  if (!committed) {
    return answer(
        RpcError{errc::kTimeout,
                 "not committed within " + std::to_string(timeout_ms) + " ms; it may still commit",
                 json{{"tx_hash", hex}}});
  }
  ReadCtx ctx(service_, limits_, stats_cache_.get());
  auto fields = committed_fields(ctx, hash);
  if (!fields) {
    return answer(RpcError{errc::kInternalError,
                           "transaction " + hex + " reported committed but not indexed", nullptr});
  }
  json out{{"tx_hash", hex}, {"status", "committed"}};
  out.update(*fields);
  answer(out);
}

}  // namespace suanli::rpc
