// What the server answers to one HTTP request, apart from the transport
// (rpc/server.cc reads and writes HTTP with Beast; this decides).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "rpc/dispatch.h"
#include "rpc/metrics.h"
#include "rpc/server.h"

namespace suanli::rpc {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/", "/healthz", ...
  std::string content_type;
  std::string authorization;
  std::string body;
};

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool close = false;  // close the connection after this reply
};

class HttpHandler {
 public:
  HttpHandler(Service& service, Options options);

  // `done` runs exactly once, inline or through `post`.
  void handle(HttpRequest request, Post post, std::function<void(HttpReply)> done);

  // A reply with a JSON-RPC error body (id null), for refusals at the HTTP level.
  static HttpReply error_reply(unsigned status, int code, std::string message);

  Metrics& metrics() { return metrics_; }
  const Options& options() const { return options_; }
  Dispatcher& dispatcher() { return dispatcher_; }
  // What an Authorization header proves.
  Auth authorize(const std::string& header) const;

 private:
  HttpReply healthz() const;

  Service& service_;
  Options options_;
  Metrics metrics_;
  Dispatcher dispatcher_;
};

// True when a browser's Origin ("http://host:port" or "https://host:port")
// names the same host and port as the request's Host header (compared
// without regard to case).
bool same_origin(std::string_view origin, std::string_view host);

}  // namespace suanli::rpc
