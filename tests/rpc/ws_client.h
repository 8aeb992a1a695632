// A blocking WebSocket client for tests (Beast lives only in
// ws_client_util.cc): JSON-RPC over /ws and subscription notifications.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace suanli::rpc::testing {

class WsClient {
 public:
  struct Options {
    std::string path = "/ws";
    std::map<std::string, std::string> headers;
    int receive_buffer_bytes = 0;  // SO_RCVBUF before connecting; 0: the system's
  };
  // Connects and upgrades; connected() tells whether the server accepted.
  WsClient(uint16_t port, Options options);
  explicit WsClient(uint16_t port) : WsClient(port, Options{}) {}
  ~WsClient();

  bool connected() const;

  void send_text(const std::string& text);
  void send_binary(const std::string& bytes);
  // Raw bytes on the TCP socket under the WebSocket (malformed frames).
  void send_raw(const std::string& bytes);

  // The next message, or nullopt after `timeout_ms` or when the connection
  // ended (closed() then says so, with the close code and reason if any).
  std::optional<std::string> read(int timeout_ms);
  bool closed() const;
  int close_code() const;
  std::string close_reason() const;

  // Sends a JSON-RPC call and reads until its answer (notifications that
  // arrive first are kept for next_notification()).
  nlohmann::json call(const std::string& method, const nlohmann::json& params,
                      int timeout_ms = 10000);
  // The next notification (from the kept ones first), or nullopt after the timeout.
  std::optional<nlohmann::json> next_notification(int timeout_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<nlohmann::json> kept_;
  uint64_t next_id_ = 1;
};

}  // namespace suanli::rpc::testing

namespace suanli::rpc::testing {

// One HTTP/1.1 GET on a fresh connection: {status (0: no answer), body}.
struct GetResult {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};
GetResult http_get(uint16_t port, const std::string& target);

}  // namespace suanli::rpc::testing
