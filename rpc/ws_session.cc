// The WebSocket endpoint /ws: JSON-RPC 2.0 over text messages (every method,
// plus subscribe / unsubscribe), and subscription notifications.
//
// Everything sent to the client (answers and notifications) goes through one
// bounded queue. A subscriber that does not read fast enough to keep the
// queue under Limits::ws_queue_bytes_max / ws_queue_messages_max is closed
// with code 1008 and a reason; its queue is freed at once, and the socket is
// closed regardless after ws_close_timeout_ms.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>

#include "common/assert.h"
#include "common/bytes.h"
#include "rpc/server_core.h"  // first: <utility> before Asio on g++ 12
#include "rpc/token_bucket.h"

namespace suanli::rpc {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using nlohmann::json;

class WsSession : public Connection,
                  public Subscriber,
                  public SessionMethods,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<Core> core, beast::tcp_stream stream, Auth auth)
      : core_(std::move(core)),
        ws_(std::move(stream)),
        ex_(ws_.get_executor()),
        close_timer_(ex_),
        auth_(auth),
        tokens_(core_->limits.requests_per_second, core_->limits.requests_burst) {
    core_->handler.metrics().ws_opened();
  }
  ~WsSession() override {
    Metrics& m = core_->handler.metrics();
    for (const Sub& s : subs_) m.subscription_removed(s.topic == Topic::kTxs);
    m.ws_closed();
  }

  void run(beast::http::request<beast::http::string_body> request) {
    if (core_->limits.ws_send_buffer_bytes > 0) {
      beast::error_code ec;
      beast::get_lowest_layer(ws_).socket().set_option(
          net::socket_base::send_buffer_size(core_->limits.ws_send_buffer_bytes), ec);
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "suanli"); }));
    ws_.read_message_max(core_->limits.body_bytes_max);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->core_->hub.add(self);
      self->read();
    });
  }

  void close() override {
    net::post(ex_, [self = shared_from_this()] { self->close_now(); });
  }

  // ---- Subscriber (hub strand) ----
  bool wants(Topic topic) const override {
    std::lock_guard lock(mu_);
    for (const Sub& s : subs_) {
      if (s.active && s.topic == topic) return true;
    }
    return false;
  }

  void deliver(const std::shared_ptr<const RenderedBlock>& block) override {
    std::lock_guard lock(mu_);
    if (closing_) return;
    size_t sent = 0;
    for (const Sub& s : subs_) {
      if (!s.active) continue;
      if (s.topic == Topic::kBlocks) {
        enqueue_locked(notification(s, block->block));
        ++sent;
      } else {
        for (const std::string& tx : block->txs) enqueue_locked(notification(s, tx));
        sent += block->txs.size();
      }
      if (closing_) return;
    }
    core_->handler.metrics().notifications_sent(sent);
  }

  // ---- SessionMethods (this connection's strand, inline in handle()) ----
  std::variant<json, RpcError> session_call(std::string_view method, const json& params) override {
    std::lock_guard lock(mu_);
    if (method == "subscribe") {
      if (subs_.size() >= core_->limits.ws_subscriptions_max) {
        return RpcError{errc::kBusy,
                        "at most " + std::to_string(core_->limits.ws_subscriptions_max) +
                            " subscriptions per connection",
                        nullptr};
      }
      auto topic = topic_from_name(params.value("topic", ""));
      SUANLI_ASSERT(topic.has_value());  // checked by the method's params
      Sub s{new_id(), *topic, false, message_seq_};
      subs_.push_back(s);
      core_->handler.metrics().subscription_added(s.topic == Topic::kTxs);
      return json(s.id);
    }
    SUANLI_ASSERT(method == "unsubscribe");
    std::string id = params.value("subscription", "");
    auto it = std::find_if(subs_.begin(), subs_.end(), [&](const Sub& s) { return s.id == id; });
    if (it == subs_.end()) {
      return RpcError{errc::kNotFound, "no subscription " + id.substr(0, 64) + " here", nullptr};
    }
    core_->handler.metrics().subscription_removed(it->topic == Topic::kTxs);
    subs_.erase(it);
    return json(true);
  }

 private:
  struct Sub {
    std::string id;
    Topic topic;
    // A subscription is delivered to once its subscribe answer is queued,
    // so that no notification overtakes the answer that names it.
    bool active;
    uint64_t message;  // the message that created it
  };

  static std::string new_id() {
    static std::atomic<uint64_t> next{1};
    uint64_t n = next.fetch_add(1);
    std::array<uint8_t, 8> b{};
    for (int i = 7; i >= 0; --i, n >>= 8) b[static_cast<size_t>(i)] = static_cast<uint8_t>(n);
    return to_hex(b);
  }

  static std::string notification(const Sub& s, const std::string& result) {
    std::string out = R"({"jsonrpc":"2.0","method":"subscription","params":{"topic":")";
    out += topic_name(s.topic);
    out += R"(","subscription":")";
    out += s.id;
    out += R"(","result":)";
    out += result;
    out += "}}";
    return out;
  }

  void read() {
    ws_.async_read(
        in_, [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == websocket::error::message_too_big) {
      return close_with(websocket::close_code::too_big, "message over the size limit");
    }
    if (ec) return finish();
    std::string body = beast::buffers_to_string(in_.data());
    in_.consume(in_.size());
    if (!ws_.got_text()) {
      send(Dispatcher::dump(Dispatcher::error_response(
          nullptr, RpcError{errc::kInvalidRequest, "send JSON-RPC as text messages", nullptr})));
    } else if (!tokens_.take()) {
      send(Dispatcher::dump(Dispatcher::error_response(
          nullptr, RpcError{errc::kBusy, "too many requests on this connection",
                            json{{"retry_after_ms", 1000}}})));
    } else {
      uint64_t seq = ++message_seq_;
      auto self = shared_from_this();
      Post post = [self](std::function<void()> fn) { self->core_->post(self->ex_, std::move(fn)); };
      core_->handler.metrics().count_http();
      core_->handler.dispatcher().handle(
          body, auth_, std::move(post),
          [self, seq](std::string answer) {
            std::lock_guard lock(self->mu_);
            if (!answer.empty()) self->enqueue_locked(std::move(answer));
            for (Sub& s : self->subs_) {
              if (s.message == seq) s.active = true;
            }
          },
          this);
    }
    read();  // also while closing: the close handshake completes through it
  }

  void send(std::string message) {
    std::lock_guard lock(mu_);
    enqueue_locked(std::move(message));
  }

  // Any thread, under mu_.
  void enqueue_locked(std::string message) {
    if (closing_) return;
    const Limits& l = core_->limits;
    if (out_bytes_ + message.size() > l.ws_queue_bytes_max ||
        out_.size() >= l.ws_queue_messages_max) {
      core_->handler.metrics().ws_dropped_slow();
      spdlog::info("rpc ws: closing a subscriber that is too slow ({} messages, {} bytes queued)",
                   out_.size(), out_bytes_);
      drop_queue_locked();
      net::post(ex_, [self = shared_from_this()] {
        self->close_with(websocket::close_code::policy_error,
                         "too slow: notifications queued over the limit");
      });
      return;
    }
    out_bytes_ += message.size();
    out_.push_back(std::move(message));
    if (!writing_) {
      writing_ = true;
      net::post(ex_, [self = shared_from_this()] { self->write_next(); });
    }
  }

  void drop_queue_locked() {
    closing_ = true;
    out_.clear();
    out_bytes_ = 0;
  }

  // This connection's strand. The message being written is owned by the
  // write's handler, so dropping the queue never frees it under the write.
  void write_next() {
    std::shared_ptr<const std::string> message;
    {
      std::lock_guard lock(mu_);
      if (out_.empty() || closing_) {
        writing_ = false;
        return;
      }
      message = std::make_shared<const std::string>(std::move(out_.front()));
      out_.pop_front();
      out_bytes_ -= message->size();
    }
    ws_.text(true);
    ws_.async_write(net::buffer(*message),
                    [self = shared_from_this(), message](beast::error_code ec, size_t) {
                      if (ec) return self->finish();
                      self->write_next();
                    });
  }

  // This connection's strand.
  void close_with(websocket::close_code code, const char* reason) {
    {
      std::lock_guard lock(mu_);
      if (close_started_) return;
      close_started_ = true;
      drop_queue_locked();
    }
    close_timer_.expires_after(std::chrono::milliseconds(core_->limits.ws_close_timeout_ms));
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->close_now();
    });
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void close_now() {
    {
      std::lock_guard lock(mu_);
      drop_queue_locked();
      close_started_ = true;
    }
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
    finish();
  }

  // The connection is over: no more notifications.
  void finish() {
    close_timer_.cancel();
    {
      std::lock_guard lock(mu_);
      drop_queue_locked();
    }
    core_->hub.remove(this);
  }

  std::shared_ptr<Core> core_;
  websocket::stream<beast::tcp_stream> ws_;
  net::any_io_executor ex_;
  net::steady_timer close_timer_;
  const Auth auth_;
  beast::flat_buffer in_;
  TokenBucket tokens_;
  uint64_t message_seq_ = 0;  // the strand

  mutable std::mutex mu_;        // the hub's strand delivers while this strand reads and writes
  std::vector<Sub> subs_;        // guarded by mu_
  std::deque<std::string> out_;  // guarded by mu_
  size_t out_bytes_ = 0;         // guarded by mu_
  bool writing_ = false;         // guarded by mu_
  bool closing_ = false;         // guarded by mu_: nothing more is queued
  bool close_started_ = false;   // guarded by mu_
};

}  // namespace

void start_websocket(const std::shared_ptr<Core>& core, beast::tcp_stream stream,
                     beast::http::request<beast::http::string_body> request, Auth auth) {
  auto session = std::make_shared<WsSession>(core, std::move(stream), auth);
  if (!core->track(session)) return;
  session->run(std::move(request));
}

}  // namespace suanli::rpc
