// The JSON-RPC 2.0 server of API.md on HTTP/1.1 (Boost.Beast), with
// GET /healthz, GET /metrics and the explorer placeholder at GET /.
//
// Threading: `threads` I/O threads run one io_context; every connection is
// served on its own strand. Service callbacks (which come from node threads)
// are posted back to the connection's strand, so no I/O thread ever blocks
// on a wait (tx_submit with wait committed, min_height).
//
// Everything a client sends is bounded (Limits): body size, batch size, JSON
// nesting, open connections, idle time, requests per second per connection
// and the number of state entries a list call scans. Bad input gets a JSON-RPC
// error (or an HTTP error status with a JSON-RPC error body), never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "rpc/service.h"

namespace suanli::rpc {

struct Limits {
  size_t body_bytes_max = 1 << 20;  // HTTP 413 and too_large above
  size_t header_bytes_max = 16 * 1024;
  size_t batch_max = 1000;            // a larger batch gets one too_large error (id null)
  size_t json_depth_max = 64;         // deeper nesting: invalid request (-32001 inside params.tx)
  size_t connections_max = 512;       // beyond: accepted and closed at once
  uint32_t idle_timeout_ms = 60000;   // to receive a whole request on a kept-alive connection
  uint32_t write_timeout_ms = 30000;  // to send a response
  // Token bucket per connection over HTTP requests: a steady rate and a burst.
  uint32_t requests_per_second = 1000;
  uint32_t requests_burst = 2000;
  // State entries a list call may visit before it answers with what it has
  // and a cursor to go on from (filters that match little stay bounded).
  uint32_t scan_max = 10000;
  // Calls waiting at once (min_height, tx_submit with wait committed) over
  // all connections; beyond, busy (-32006).
  size_t waits_max = 10000;
  // State entries stats_get may visit (its figures are a scan of the state,
  // cached per height); beyond, busy (-32006) until the ledger keeps counters.
  uint64_t stats_scan_max = 2000000;

  // WebSocket (/ws): open connections (beyond: HTTP 503 to the upgrade),
  // subscriptions per connection, and what may wait to be sent to one
  // connection (answers and notifications); a subscriber that lets more pile
  // up is closed (1008, "too slow") and its queue freed.
  size_t ws_connections_max = 64;
  size_t ws_subscriptions_max = 16;
  size_t ws_queue_bytes_max = 8 << 20;
  size_t ws_queue_messages_max = 20000;
  // Time for the closing handshake before the socket is closed regardless.
  uint32_t ws_close_timeout_ms = 2000;
  // SO_SNDBUF of WebSocket sockets; 0 leaves the system's (tests set it small).
  int ws_send_buffer_bytes = 0;
};

struct Options {
  std::string listen = "127.0.0.1:8645";  // host:port; port 0 picks a free port
  // Bearer token for the operator methods (admin_*). Empty: they are refused.
  std::string token;
  int threads = 1;  // 1 or 2
  Limits limits;
};

class RpcServer {
 public:
  // Binds `options.listen` and starts serving. `service` must outlive the server.
  static Result<std::unique_ptr<RpcServer>> start(Service& service, Options options);

  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;
  ~RpcServer();  // stop()

  // Stops accepting, closes every connection and joins the I/O threads.
  // Answers of service callbacks that arrive later are dropped. Idempotent.
  void stop();

  // The bound port (useful with port 0).
  uint16_t port() const;

  struct Impl;

 private:
  explicit RpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace suanli::rpc
