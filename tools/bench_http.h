// HTTP/1.1 keep-alive clients for suanli-bench (tools/bench.cc).
//
// KeepAliveClient: one synchronous connection, reconnecting on failure; one
// per thread (not thread-safe).
// OpenLoopClient: an open-loop generator of single requests on one Asio
// thread: request i is due at start + i / rate, sent on an idle connection
// (opening more as needed, up to a cap), and its latency is measured from the
// moment it was due, so a slow server cannot hide queueing by slowing the
// client down (no coordinated omission).
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>  // before Asio on g++ 12
#include <vector>

namespace suanli::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct HttpResult {
  int status = 0;
  std::string body;
};

class KeepAliveClient {
 public:
  KeepAliveClient(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}

  // POSTs `body` to "/", reusing the connection; one reconnect-and-retry on a
  // transport failure. nullopt when the node cannot be reached.
  std::optional<HttpResult> post(const std::string& body, int timeout_ms,
                                 const char* target = "/") {
    return request(http::verb::post, target, body, timeout_ms);
  }
  // GETs `target` (/metrics, /healthz), like post().
  std::optional<HttpResult> get(const char* target, int timeout_ms) {
    return request(http::verb::get, target, "", timeout_ms);
  }

  std::optional<HttpResult> request(http::verb verb, const char* target, const std::string& body,
                                    int timeout_ms) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_) connect(timeout_ms);
        stream_->expires_after(std::chrono::milliseconds(timeout_ms));
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, host_);
        if (verb == http::verb::post) {
          req.set(http::field::content_type, "application/json");
          req.body() = body;
        }
        req.keep_alive(true);
        req.prepare_payload();
        http::write(*stream_, req);
        http::response_parser<http::string_body> parser;
        parser.body_limit(256 << 20);
        http::read(*stream_, buffer_, parser);
        auto res = parser.release();
        HttpResult out{static_cast<int>(res.result_int()), std::move(res.body())};
        if (!res.keep_alive()) reset();
        return out;
      } catch (const std::exception&) {
        reset();
      }
    }
    return std::nullopt;
  }

  // A JSON-RPC call: the response object, or nullopt (transport failure or
  // a body that is not a JSON object).
  std::optional<nlohmann::json> call(const std::string& method, const nlohmann::json& params,
                                     int timeout_ms = 10000) {
    nlohmann::json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
    auto res = post(req.dump(), timeout_ms);
    if (!res) return std::nullopt;
    auto j = nlohmann::json::parse(res->body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
  }

 private:
  void connect(int timeout_ms) {
    stream_ = std::make_unique<beast::tcp_stream>(io_);
    stream_->expires_after(std::chrono::milliseconds(timeout_ms));
    stream_->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    stream_->socket().set_option(tcp::no_delay(true));
    buffer_.clear();
  }
  void reset() {
    if (stream_) {
      beast::error_code ec;
      stream_->socket().close(ec);
    }
    stream_.reset();
    buffer_.clear();
  }

  std::string host_;
  uint16_t port_;
  asio::io_context io_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

// Open-loop load of single JSON-RPC requests at a fixed rate.
class OpenLoopClient {
 public:
  struct Outcome {
    double latency_from_due_ms = 0;   // due time to response
    double latency_from_send_ms = 0;  // send to response
    double done_at_ms = 0;            // response time, from the start of the run
    std::string body;                 // the response body ("" on transport failure)
  };

  // bodies[i] is sent at start + i / rate to ports[i % ports.size()].
  OpenLoopClient(std::vector<uint16_t> ports, const std::vector<std::string>& bodies, double rate,
                 size_t connections_max)
      : ports_(std::move(ports)),
        bodies_(bodies),
        rate_(rate),
        conns_max_(connections_max),
        timer_(io_),
        outcomes_(bodies.size()) {}

  // Runs until every request has its response; returns them in order.
  std::vector<Outcome> run(size_t preopen_per_port) {
    for (size_t p = 0; p < ports_.size(); ++p) {
      for (size_t k = 0; k < preopen_per_port; ++k) open(p, nullptr);
    }
    io_.run_for(std::chrono::seconds(5));  // finish connecting
    io_.restart();
    start_ = Clock::now();
    schedule();
    io_.run();
    return std::move(outcomes_);
  }

  size_t connections_opened() const { return opened_; }
  size_t retries() const { return retries_; }

 private:
  struct Conn {
    explicit Conn(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    size_t port_index = 0;
    bool idle = false;
    bool dead = false;
    size_t uses = 0;
  };

  Clock::time_point due(size_t i) const {
    return start_ +
           std::chrono::nanoseconds(static_cast<int64_t>(1e9 * static_cast<double>(i) / rate_));
  }

  void open(size_t port_index, std::function<void(Conn*)> then) {
    auto c = std::make_shared<Conn>(io_);
    c->port_index = port_index;
    conns_.push_back(c);
    ++opened_;
    ++live_;
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), ports_[port_index]);
    c->stream.async_connect(ep, [this, c, then](beast::error_code ec) {
      if (ec) {
        c->dead = true;
        --live_;
        if (then) then(nullptr);
        return;
      }
      c->stream.socket().set_option(tcp::no_delay(true));
      if (then) {
        then(c.get());
      } else {
        c->idle = true;
      }
    });
  }

  void schedule() {
    auto now = Clock::now();
    while (next_ < bodies_.size() && due(next_) <= now) {
      size_t i = next_++;
      size_t p = i % ports_.size();
      Conn* idle = nullptr;
      for (auto& c : conns_) {
        if (c->idle && c->port_index == p) {
          idle = c.get();
          break;
        }
      }
      if (idle) {
        send(idle, i);
      } else if (live_ < conns_max_) {
        open(p, [this, i](Conn* c) {
          if (c) {
            send(c, i);
          } else {
            fail(i);
          }
        });
      } else {
        backlog_.push_back(i);
      }
    }
    if (next_ < bodies_.size()) {
      timer_.expires_at(due(next_));
      timer_.async_wait([this](beast::error_code) { schedule(); });
    }
  }

  void send(Conn* c, size_t i) {
    c->idle = false;
    c->req = {http::verb::post, "/", 11};
    c->req.set(http::field::host, "127.0.0.1");
    c->req.set(http::field::content_type, "application/json");
    c->req.keep_alive(true);
    c->req.body() = bodies_[i];
    c->req.prepare_payload();
    auto sent = Clock::now();
    c->stream.expires_after(std::chrono::seconds(40));
    http::async_write(c->stream, c->req, [this, c, i, sent](beast::error_code ec, size_t) {
      if (ec) return broken(c, i);
      c->res = {};
      http::async_read(
          c->stream, c->buffer, c->res, [this, c, i, sent](beast::error_code ec2, size_t) {
            if (ec2) return broken(c, i);
            auto now = Clock::now();
            Outcome& o = outcomes_[i];
            o.latency_from_due_ms = std::chrono::duration<double, std::milli>(now - due(i)).count();
            o.latency_from_send_ms = std::chrono::duration<double, std::milli>(now - sent).count();
            o.done_at_ms = std::chrono::duration<double, std::milli>(now - start_).count();
            ++c->uses;
            o.body = std::move(c->res.body());
            ++done_;
            if (!c->res.keep_alive()) return retire(c);
            release(c);
          });
    });
  }

  // A connection is free again: it takes a waiting request of its node, if any.
  void release(Conn* c) {
    for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
      if (*it % ports_.size() == c->port_index) {
        size_t i = *it;
        backlog_.erase(it);
        return send(c, i);
      }
    }
    c->idle = true;
    finish_if_done();
  }

  // A failed exchange on a connection that served before may be a kept-alive
  // connection the server closed meanwhile: the request is sent once more on a
  // fresh connection (its latency still counts from the time it was due).
  void broken(Conn* c, size_t i) {
    bool stale = c->uses > 0 && retried_once_.insert(i).second;
    if (!stale) fail(i);
    retire(c);
    if (stale) {
      ++retries_;
      open(c->port_index, [this, i](Conn* fresh) {
        if (fresh) {
          send(fresh, i);
        } else {
          fail(i);
        }
      });
    }
  }
  // Drops a closed connection; a waiting request of its node gets a new one.
  void retire(Conn* c) {
    beast::error_code ignored;
    c->stream.socket().close(ignored);
    size_t p = c->port_index;
    c->idle = false;
    c->dead = true;
    --live_;
    for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
      if (*it % ports_.size() == p) {
        size_t i = *it;
        backlog_.erase(it);
        open(p, [this, i](Conn* fresh) {
          if (fresh) {
            send(fresh, i);
          } else {
            fail(i);
          }
        });
        break;
      }
    }
    finish_if_done();
  }
  void fail(size_t i) {
    outcomes_[i].latency_from_due_ms = -1;
    ++done_;
    finish_if_done();
  }
  void finish_if_done() {
    if (done_ == bodies_.size()) {
      timer_.cancel();
      for (auto& c : conns_) {
        beast::error_code ignored;
        c->stream.socket().close(ignored);
      }
    }
  }

  asio::io_context io_;
  std::vector<uint16_t> ports_;
  const std::vector<std::string>& bodies_;
  double rate_;
  size_t conns_max_;
  asio::steady_timer timer_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::vector<size_t> backlog_;
  std::vector<Outcome> outcomes_;
  Clock::time_point start_;
  size_t next_ = 0, done_ = 0, opened_ = 0, live_ = 0, retries_ = 0;
  std::set<size_t> retried_once_;
};

}  // namespace suanli::bench
