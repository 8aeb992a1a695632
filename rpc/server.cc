// The HTTP transport of the RPC server: Beast on one io_context, a strand per
// connection. WebSocket upgrades at /ws are handed to rpc/ws_session.cc.
#include "rpc/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/thread_name.h"
#include "rpc/http_handler.h"
#include "rpc/server_core.h"
#include "rpc/token_bucket.h"

namespace suanli::rpc {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kDrainTime{2000};
constexpr std::chrono::milliseconds kAcceptRetry{100};

class Session : public Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Core> core, tcp::socket socket)
      : core_(std::move(core)),
        stream_(std::move(socket)),
        ex_(stream_.get_executor()),
        tokens_(core_->limits.requests_per_second, core_->limits.requests_burst) {
    core_->handler.metrics().connection_opened();
  }
  ~Session() { core_->handler.metrics().connection_closed(); }

  void start() {
    net::dispatch(ex_, [self = shared_from_this()] { self->read(); });
  }

  void close() override {
    net::post(ex_, [self = shared_from_this()] {
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  void read() {
    if (core_->stopping.load()) return stream_.close();
    parser_.emplace();
    parser_->body_limit(core_->limits.body_bytes_max);
    parser_->header_limit(static_cast<uint32_t>(core_->limits.header_bytes_max));
    stream_.expires_after(std::chrono::milliseconds(core_->limits.idle_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // Clients such as curl send "Expect: 100-continue" before a large body and
  // wait for the go-ahead; a body over the limit was refused with the header.
  void on_header(beast::error_code ec, size_t bytes) {
    if (ec) return on_read(ec, bytes);
    auto& req = parser_->get();
    if (!parser_->is_done() && beast::iequals(req[http::field::expect], "100-continue")) {
      auto go = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                   req.version());
      http::async_write(stream_, *go,
                        [self = shared_from_this(), go](beast::error_code wec, size_t) {
                          if (wec) return self->stream_.close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t /*bytes*/) {
    if (ec == http::error::end_of_stream) return shutdown();
    if (ec == http::error::body_limit) {
      return write(
          HttpHandler::error_reply(
              413, errc::kTooLarge,
              "request body over " + std::to_string(core_->limits.body_bytes_max) + " bytes"),
          /*drain=*/true);
    }
    if (ec == http::error::header_limit) {
      return write(HttpHandler::error_reply(431, errc::kTooLarge, "request header too large"),
                   true);
    }
    if (ec && &ec.category() == &http::make_error_code(http::error::bad_target).category()) {
      return write(HttpHandler::error_reply(400, errc::kInvalidRequest, "malformed HTTP request"),
                   true);
    }
    if (ec) return stream_.close();  // timeout, reset
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    if (beast::websocket::is_upgrade(req)) return upgrade();
    if (!tokens_.take()) {
      HttpReply r = HttpHandler::error_reply(429, errc::kBusy, "too many requests");
      auto retry_ms =
          static_cast<uint64_t>(1000 / std::max<uint32_t>(1, core_->limits.requests_per_second)) +
          1;
      r.body = Dispatcher::dump(Dispatcher::error_response(
          nullptr, RpcError{errc::kBusy, "too many requests on this connection",
                            nlohmann::json{{"retry_after_ms", retry_ms}}}));
      return write(std::move(r), false);
    }
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.content_type = std::string(req[http::field::content_type]);
    request.authorization = std::string(req[http::field::authorization]);
    request.body = std::move(req.body());
    parser_.reset();
    auto self = shared_from_this();
    Post post = [self](std::function<void()> fn) { self->core_->post(self->ex_, std::move(fn)); };
    core_->handler.handle(std::move(request), std::move(post),
                          [self](HttpReply reply) { self->write(std::move(reply), false); });
  }

  // A WebSocket upgrade: only at /ws, and only under the connection limit.
  void upgrade() {
    auto& req = parser_->get();
    std::string_view target(req.target().data(), req.target().size());
    if (target.substr(0, target.find('?')) != "/ws") {
      return write(
          HttpHandler::error_reply(404, errc::kInvalidRequest, "WebSocket is served at /ws only"),
          false);
    }
    // A page of another site, open in an operator's browser, must not reach
    // the node through the browser: browsers send Origin, other clients may not.
    std::string_view origin(req[http::field::origin].data(), req[http::field::origin].size());
    std::string_view host(req[http::field::host].data(), req[http::field::host].size());
    if (!origin.empty() && !same_origin(origin, host)) {
      HttpReply r = HttpHandler::error_reply(403, errc::kUnauthorized,
                                             "WebSocket from another origin refused");
      r.close = true;
      return write(std::move(r), false);
    }
    Metrics& m = core_->handler.metrics();
    if (m.ws_open() >= core_->limits.ws_connections_max) {
      m.ws_refused();
      HttpReply r = HttpHandler::error_reply(503, errc::kBusy, "too many WebSocket connections");
      r.close = true;
      return write(std::move(r), false);
    }
    Auth auth = core_->handler.authorize(std::string(req[http::field::authorization]));
    stream_.expires_never();  // the WebSocket stream keeps its own timeouts
    start_websocket(core_, std::move(stream_), parser_->release(), auth);
  }

  void write(HttpReply reply, bool drain) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), version_);
    res->set(http::field::server, "suanli");
    res->set(http::field::content_type, reply.content_type);
    res->keep_alive(keep_alive_ && !reply.close && !drain);
    res->body() = std::move(reply.body);
    res->prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(core_->limits.write_timeout_ms));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, drain](beast::error_code ec, size_t) {
                        self->on_write(ec, res->need_eof(), drain);
                      });
  }

  void on_write(beast::error_code ec, bool close, bool drain) {
    if (ec) return stream_.close();
    if (drain) return linger();
    if (close) return shutdown();
    read();
  }

  // After refusing a request whose body was not read: stop sending and read
  // (and discard) for a while, so that the client gets the answer instead of
  // a reset for the unread data.
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kDrainTime);
    drain_left_ = 4 * core_->limits.body_bytes_max;
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec || n >= self->drain_left_) return self->stream_.close();
                              self->drain_left_ -= n;
                              self->drain();
                            });
  }

  void shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  std::shared_ptr<Core> core_;
  beast::tcp_stream stream_;
  net::any_io_executor ex_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  TokenBucket tokens_;
  std::array<char, 16 * 1024> drain_buf_{};
  size_t drain_left_ = 0;
};

void accept(const std::shared_ptr<Core>& core);

void on_accept(const std::shared_ptr<Core>& core, beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || core->stopping.load()) return;
  if (ec) {
    spdlog::warn("rpc accept: {}", ec.message());
    core->accept_retry.expires_after(kAcceptRetry);
    core->accept_retry.async_wait([core](beast::error_code wait_ec) {
      if (!wait_ec) accept(core);
    });
    return;
  }
  if (core->handler.metrics().connections_open() >= core->limits.connections_max) {
    core->handler.metrics().connection_refused();
    beast::error_code ignored;
    socket.close(ignored);
    return accept(core);
  }
  auto session = std::make_shared<Session>(core, std::move(socket));
  if (!core->track(session)) return;
  session->start();
  accept(core);
}

void accept(const std::shared_ptr<Core>& core) {
  core->acceptor.async_accept(
      net::make_strand(core->ioc),
      [core](beast::error_code ec, tcp::socket socket) { on_accept(core, ec, std::move(socket)); });
}

// "host:port" or "[v6]:port".
Result<tcp::endpoint> parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::error("invalid_listen", "no port in " + listen);
  std::string host = listen.substr(0, colon);
  std::string port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::error("invalid_listen", "bad port in " + listen);
  }
  unsigned long port = std::stoul(port_text);
  if (port > 65535) return Status::error("invalid_listen", "bad port in " + listen);
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return Status::error("invalid_listen", "bad address in " + listen + ": " + ec.message());
  return tcp::endpoint(address, static_cast<uint16_t>(port));
}

}  // namespace

bool Core::track(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu);
  if (stopped) return false;
  if (sessions.size() >= 2 * (limits.connections_max + limits.ws_connections_max)) {
    sessions.erase(
        std::remove_if(sessions.begin(), sessions.end(), [](const auto& w) { return w.expired(); }),
        sessions.end());
  }
  sessions.push_back(c);
  return true;
}

struct RpcServer::Impl {
  std::shared_ptr<Core> core;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::optional<uint64_t> metrics_listener;
  Service* service = nullptr;
};

RpcServer::RpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RpcServer::~RpcServer() { stop(); }

Result<std::unique_ptr<RpcServer>> RpcServer::start(Service& service, Options options) {
  if (options.threads < 1 || options.threads > 2) {
    return Status::error("invalid_option", "rpc threads must be 1 or 2");
  }
  auto endpoint = parse_listen(options.listen);
  if (!endpoint) return endpoint.status();
  int threads = options.threads;
  auto impl = std::make_unique<Impl>();
  impl->core = std::make_shared<Core>(service, std::move(options));
  Core& core = *impl->core;
  beast::error_code ec;
  core.acceptor.open(endpoint->protocol(), ec);
  if (!ec) core.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) core.acceptor.bind(*endpoint, ec);
  if (!ec) core.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::error("rpc_listen", "cannot listen on " + endpoint->address().to_string() + ":" +
                                           std::to_string(endpoint->port()) + ": " + ec.message());
  }
  impl->port = core.acceptor.local_endpoint().port();
  Metrics* metrics = &core.handler.metrics();
  impl->service = &service;
  impl->metrics_listener =
      service.add_applied_listener([metrics](const AppliedBlock& b) { metrics->on_applied(b); });
  core.hub.start();
  accept(impl->core);
  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([core = impl->core, i] {
      set_thread_name("rpc-" + std::to_string(i));
      for (;;) {
        try {
          core->ioc.run();
          return;
        } catch (const std::exception& ex) {
          spdlog::error("rpc: exception from a handler: {}", ex.what());
        }
      }
    });
  }
  spdlog::info("rpc: listening on {}:{}", endpoint->address().to_string(), impl->port);
  return std::unique_ptr<RpcServer>(new RpcServer(std::move(impl)));
}

void RpcServer::stop() {
  if (!impl_ || !impl_->core) return;
  std::shared_ptr<Core> core = impl_->core;
  core->hub.stop();
  if (auto id = std::exchange(impl_->metrics_listener, std::nullopt)) {
    impl_->service->remove_applied_listener(*id);
  }
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(core->mu);
    if (core->stopped) return;
    core->stopped = true;
    core->stopping.store(true);
    for (auto& w : core->sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
    core->sessions.clear();
  }
  net::post(core->ioc, [core] {
    beast::error_code ec;
    core->acceptor.close(ec);
    core->accept_retry.cancel();
  });
  for (auto& s : live) s->close();
  live.clear();
  net::post(core->ioc, [core] { core->work.reset(); });
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

uint16_t RpcServer::port() const { return impl_->port; }

}  // namespace suanli::rpc
