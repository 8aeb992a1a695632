// The test WebSocket client (Beast).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// clang-format off
#include <utility>  // before Asio/Beast on g++ 12
// clang-format on
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>

#include "tests/rpc/ws_client.h"

namespace suanli::rpc::testing {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;

struct WsClient::Impl {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  std::deque<std::string> inbox;
  bool reading = false;
  bool connected = false;
  bool closed = false;
  int close_code = 0;
  std::string close_reason;
};

WsClient::WsClient(uint16_t port, Options options) : impl_(std::make_unique<Impl>()) {
  auto& lowest = beast::get_lowest_layer(impl_->ws);
  beast::error_code ec;
  lowest.socket().open(tcp::v4(), ec);
  if (options.receive_buffer_bytes > 0) {
    lowest.socket().set_option(net::socket_base::receive_buffer_size(options.receive_buffer_bytes),
                               ec);
  }
  lowest.expires_after(std::chrono::seconds(10));
  lowest.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return;
  impl_->ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    for (const auto& [k, v] : options.headers) req.set(k, v);
  }));
  impl_->ws.handshake("127.0.0.1:" + std::to_string(port), options.path, ec);
  lowest.expires_never();
  if (ec) {
    impl_->closed = true;
    return;
  }
  impl_->ws.read_message_max(64 << 20);
  impl_->connected = true;
}

WsClient::~WsClient() {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

bool WsClient::connected() const { return impl_->connected; }
bool WsClient::closed() const { return impl_->closed; }
int WsClient::close_code() const { return impl_->close_code; }
std::string WsClient::close_reason() const { return impl_->close_reason; }

void WsClient::send_text(const std::string& text) {
  beast::error_code ec;
  impl_->ws.text(true);
  impl_->ws.write(net::buffer(text), ec);
}

void WsClient::send_binary(const std::string& bytes) {
  beast::error_code ec;
  impl_->ws.binary(true);
  impl_->ws.write(net::buffer(bytes), ec);
}

void WsClient::send_raw(const std::string& bytes) {
  beast::error_code ec;
  net::write(beast::get_lowest_layer(impl_->ws).socket(), net::buffer(bytes), ec);
}

// One read is kept pending across calls, so a timeout never cancels a
// WebSocket read half way; nothing is read while the test is not in read().
std::optional<std::string> WsClient::read(int timeout_ms) {
  Impl& m = *impl_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (m.inbox.empty() && !m.closed) {
    if (!m.reading) {
      m.reading = true;
      m.ws.async_read(m.buffer, [&m](beast::error_code ec, size_t) {
        m.reading = false;
        if (ec) {
          m.closed = true;
          m.close_code = m.ws.reason().code;
          m.close_reason = std::string(m.ws.reason().reason.c_str());
          return;
        }
        m.inbox.push_back(beast::buffers_to_string(m.buffer.data()));
        m.buffer.consume(m.buffer.size());
      });
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    m.ioc.restart();
    m.ioc.run_one_for(deadline - now);
  }
  if (m.inbox.empty()) return std::nullopt;
  std::string out = std::move(m.inbox.front());
  m.inbox.pop_front();
  return out;
}

json WsClient::call(const std::string& method, const json& params, int timeout_ms) {
  uint64_t id = next_id_++;
  send_text(json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto text = read(static_cast<int>(std::max<int64_t>(1, left.count())));
    if (!text) break;
    json msg = json::parse(*text, nullptr, false);
    if (msg.is_object() && msg.contains("id") && msg["id"] == id) return msg;
    kept_.push_back(std::move(msg));
  }
  return nullptr;
}

std::optional<json> WsClient::next_notification(int timeout_ms) {
  if (!kept_.empty()) {
    json first = std::move(kept_.front());
    kept_.erase(kept_.begin());
    return first;
  }
  auto text = read(timeout_ms);
  if (!text) return std::nullopt;
  return json::parse(*text, nullptr, false);
}

GetResult http_get(uint16_t port, const std::string& target) {
  namespace http = beast::http;
  GetResult out;
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return out;
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req, ec);
  if (ec) return out;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser, ec);
  if (ec) return out;
  out.status = parser.get().result_int();
  out.content_type = std::string(parser.get()[http::field::content_type]);
  out.body = parser.get().body();
  return out;
}

}  // namespace suanli::rpc::testing
