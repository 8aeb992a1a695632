// Private to rpc/: the state the HTTP and WebSocket connections of an
// RpcServer share (rpc/server.cc, rpc/ws_session.cc). Includes Asio and Beast.
#pragma once

// clang-format off
#include <utility>  // before Asio/Beast on g++ 12
// clang-format on
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "rpc/http_handler.h"
#include "rpc/subscriptions.h"

namespace suanli::rpc {

// An open connection the server closes when it stops.
class Connection {
 public:
  virtual ~Connection() = default;
  // From any thread.
  virtual void close() = 0;
};

// Shared by the server and its connections. Connections hold it, so the
// io_context outlives every socket, even one whose session is kept by a
// service callback after the server stopped.
struct Core {
  Core(Service& service, Options options)
      : limits(options.limits),
        handler(service, std::move(options)),
        hub_strand(boost::asio::make_strand(ioc)),
        hub(service, limits,
            [this](std::function<void()> fn) { post(hub_strand, std::move(fn)); }) {}

  // Posts `fn` to `ex` unless the server has stopped (then drops it).
  void post(const boost::asio::any_io_executor& ex, std::function<void()> fn) {
    std::lock_guard lock(mu);
    if (stopped) return;
    boost::asio::post(ex, std::move(fn));
  }

  // Records a connection for stop(); false when the server has stopped.
  bool track(const std::shared_ptr<Connection>& c);

  boost::asio::io_context ioc;  // first member: destroyed last
  // Keeps run() going until stop() has posted every close: a connection that
  // waits on the service has no operation of its own pending.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      boost::asio::make_work_guard(ioc)};
  boost::asio::ip::tcp::acceptor acceptor{ioc};
  boost::asio::steady_timer accept_retry{ioc};
  const Limits limits;
  HttpHandler handler;
  boost::asio::any_io_executor hub_strand;
  SubscriptionHub hub;

  std::mutex mu;
  bool stopped = false;                             // guarded by mu
  std::vector<std::weak_ptr<Connection>> sessions;  // guarded by mu
  std::atomic<bool> stopping{false};
};

// Takes over an HTTP connection whose request asks for a WebSocket upgrade
// at /ws (checked by the caller, as is the connection limit).
void start_websocket(const std::shared_ptr<Core>& core, boost::beast::tcp_stream stream,
                     boost::beast::http::request<boost::beast::http::string_body> request,
                     Auth auth);

}  // namespace suanli::rpc
