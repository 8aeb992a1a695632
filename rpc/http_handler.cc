#include "rpc/http_handler.h"

#include <algorithm>
#include <cctype>

#include "rpc/explorer.h"

namespace suanli::rpc {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "application/json" with optional parameters ("; charset=utf-8").
bool is_json_type(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  return lower(trim(media)) == "application/json";
}

// Compares in time independent of where the strings differ.
bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

HttpHandler::HttpHandler(Service& service, Options options)
    : service_(service),
      options_(std::move(options)),
      dispatcher_(service_, options_.limits, metrics_) {}

HttpReply HttpHandler::error_reply(unsigned status, int code, std::string message) {
  HttpReply r;
  r.status = status;
  r.body = Dispatcher::dump(
      Dispatcher::error_response(nullptr, RpcError{code, std::move(message), nullptr}));
  return r;
}

// 200 while this node serves, has not diverged and can write to its disk;
// 503 otherwise.
HttpReply HttpHandler::healthz() const {
  nlohmann::json status = service_.node_status();
  bool diverged = status.is_object() && status.value("diverged", false);
  bool storage_ok = !status.is_object() || status.value("storage_ok", true);
  nlohmann::json body{{"status", diverged ? "diverged" : storage_ok ? "ok" : "storage_error"},
                      {"height", service_.applied_height()}};
  if (status.is_object()) {
    body["role"] = status.value("role", "");
    body["leader_id"] = status.value("leader_id", "");
    if (!storage_ok) body["storage_error"] = status.value("storage_error", "");
  }
  HttpReply r;
  r.status = diverged || !storage_ok ? 503 : 200;
  r.body = body.dump() + "\n";
  return r;
}

Auth HttpHandler::authorize(const std::string& header) const {
  if (options_.token.empty()) return Auth::kNoTokenConfigured;
  std::string_view h = trim(header);
  if (h.size() < 7 || lower(h.substr(0, 7)) != "bearer ") return Auth::kMissing;
  return equal_constant_time(trim(h.substr(7)), options_.token) ? Auth::kOk : Auth::kWrong;
}

void HttpHandler::handle(HttpRequest request, Post post, std::function<void(HttpReply)> done) {
  metrics_.count_http();
  std::string_view path = path_of(request.target);
  if (request.method == "GET") {
    HttpReply r;
    if (path == "/healthz") {
      r = healthz();
    } else if (path == "/metrics") {
      r.content_type = "text/plain; version=0.0.4";
      r.body = metrics_.render(service_);
    } else if (path == "/") {
      r.content_type = "text/html; charset=utf-8";
      r.body = std::string(explorer_page());
    } else {
      r = error_reply(404, errc::kMethodNotFound, "no such path");
    }
    return done(std::move(r));
  }
  if (request.method != "POST") {
    return done(error_reply(405, errc::kInvalidRequest, "only GET and POST are served"));
  }
  if (path != "/") return done(error_reply(404, errc::kInvalidRequest, "JSON-RPC is at POST /"));
  if (!is_json_type(request.content_type)) {
    return done(error_reply(415, errc::kInvalidRequest, "Content-Type must be application/json"));
  }
  Auth auth = authorize(request.authorization);
  dispatcher_.handle(request.body, auth, std::move(post), [done](std::string body) {
    HttpReply r;
    if (body.empty()) {
      r.status = 204;  // notifications only: nothing to answer
    } else {
      r.body = std::move(body);
    }
    done(std::move(r));
  });
}

bool same_origin(std::string_view origin, std::string_view host) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.substr(0, scheme.size()) != scheme) continue;
    std::string_view rest = origin.substr(scheme.size());
    return !rest.empty() && lower(rest) == lower(host);
  }
  return false;
}

}  // namespace suanli::rpc
