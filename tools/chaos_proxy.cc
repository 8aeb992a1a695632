// suanli-chaos's fault-injecting TCP proxy (see chaos_proxy.h).
#include "tools/chaos_proxy.h"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <deque>
#include <future>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>

#include "node/handshake.h"

namespace suanli::chaos {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kChunkBytes = 16 << 10;
// Past this many bytes held in one direction the proxy stops reading it, so
// a black hole pushes back on the sender as a full route would.
constexpr size_t kHeldBytesMax = 4 << 20;
// A blocked direction looks again this often; simpler than waking it on heal.
constexpr std::chrono::milliseconds kBlockedPoll{20};

struct LinkState {
  bool blocked = false;
  bool cut = false;  // also refuse the dialer's connections
  SlowLink slow;
};

}  // namespace

class Conn;

class ProxyCore {
 public:
  ProxyCore(std::vector<std::string> names, uint64_t seed)
      : names_(std::move(names)),
        targets_(names_.size(), 0),
        links_(names_.size() * names_.size()),
        rng_(seed) {
    acceptors_.resize(names_.size());
  }

  // Runs f on the proxy's thread and waits; directly when it is not running.
  template <class F>
  void run(F f) {
    if (!thread_.joinable()) return f();
    std::promise<void> done;
    asio::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  LinkState& link(int from, int to) {
    return links_.at(static_cast<size_t>(from) * names_.size() + static_cast<size_t>(to));
  }
  int node_named(const std::string& id) const {
    auto it = std::find(names_.begin(), names_.end(), id);
    return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
  }
  uint16_t target(int node) const { return targets_.at(static_cast<size_t>(node)); }
  uint32_t draw_delay_ms(const SlowLink& s) {
    if (s.delay_ms_max == 0) return 0;
    return std::uniform_int_distribution<uint32_t>(s.delay_ms_min, s.delay_ms_max)(rng_);
  }
  void accept_next(int node);
  // Closes the connections dialled by `dialer` to `listener` (either, when -1).
  void reset(int dialer, int listener, bool both_ways);

  asio::io_context io_;
  std::thread thread_;
  std::vector<std::string> names_;
  std::vector<uint16_t> targets_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::vector<LinkState> links_;  // from * n + to
  std::vector<std::weak_ptr<Conn>> conns_;
  std::mt19937_64 rng_;
  ProxyStats stats_;
};

// One proxied connection: the dialer's socket (down) and ours to the
// listener (up), with a pump per direction.
class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(ProxyCore& proxy, tcp::socket down, int listener)
      : proxy_(proxy),
        down_(std::move(down)),
        up_(proxy.io_),
        listener_(listener),
        d2u_(&down_, &up_, proxy.io_),
        u2d_(&up_, &down_, proxy.io_) {}

  void start() { read_hello(); }
  int dialer() const { return dialer_; }
  int listener() const { return listener_; }

  void close(bool reset) {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    for (tcp::socket* s : {&down_, &up_}) {
      // A reset (RST) rather than a FIN: the node sees the link fail at once.
      if (reset && s->is_open()) s->set_option(asio::socket_base::linger(true, 0), ignored);
      s->close(ignored);
    }
    d2u_.timer.cancel();
    u2d_.timer.cancel();
  }

 private:
  struct Chunk {
    std::string bytes;
    Clock::time_point due;
  };
  // One direction: bytes read from `in`, held, then written to `out`.
  struct Dir {
    Dir(tcp::socket* i, tcp::socket* o, asio::io_context& io) : in(i), out(o), timer(io) {}
    tcp::socket* in;
    tcp::socket* out;
    int from = -1, to = -1;
    std::array<char, kChunkBytes> buf{};
    std::deque<Chunk> held;
    size_t held_bytes = 0;
    bool reading = false, writing = false, waiting = false;
    asio::steady_timer timer;
    Clock::time_point last_due{}, next_send{};
  };

  void read_hello() {
    auto self = shared_from_this();
    asio::async_read(down_, asio::buffer(header_), [self](const error_code& ec, size_t) {
      if (self->closed_) return;
      auto len = node::hello_bytes(self->header_.data());
      if (ec || !len) return self->refuse();
      self->hello_.resize(*len);
      asio::async_read(self->down_, asio::buffer(self->hello_),
                       [self](const error_code& bec, size_t) { self->on_hello(bec); });
    });
  }

  void on_hello(const error_code& ec) {
    if (closed_) return;
    auto hello = ec ? Result<node::Hello>(Status::error("io", "")) : node::decode_hello(hello_);
    dialer_ = hello ? proxy_.node_named(hello->node_id) : -1;
    if (dialer_ < 0 || dialer_ == listener_ || proxy_.link(dialer_, listener_).cut) {
      return refuse();
    }
    d2u_.from = u2d_.to = dialer_;
    d2u_.to = u2d_.from = listener_;
    auto self = shared_from_this();
    tcp::endpoint target(asio::ip::make_address("127.0.0.1"), proxy_.target(listener_));
    up_.async_connect(target, [self](const error_code& cec) {
      if (self->closed_) return;
      if (cec) return self->close(false);  // the listener is down: so is this dial
      // The hello goes on first, as any other bytes from the dialer.
      std::string record(self->header_.begin(), self->header_.end());
      self->hold(self->d2u_, record + self->hello_);
      self->read(self->d2u_);
      self->read(self->u2d_);
    });
  }

  void refuse() {
    ++proxy_.stats_.refused;
    close(true);
  }

  // Queues bytes read from d.from for d.to, due after the link's delay.
  void hold(Dir& d, std::string bytes) {
    const LinkState& l = proxy_.link(d.from, d.to);
    auto due = Clock::now() + std::chrono::milliseconds(proxy_.draw_delay_ms(l.slow));
    d.last_due = std::max(d.last_due, due);  // a later chunk never overtakes
    d.held_bytes += bytes.size();
    d.held.push_back(Chunk{std::move(bytes), d.last_due});
    write(d);
  }

  void read(Dir& d) {
    if (closed_ || d.reading || d.held_bytes >= kHeldBytesMax) return;
    d.reading = true;
    auto self = shared_from_this();
    d.in->async_read_some(asio::buffer(d.buf), [self, &d](const error_code& ec, size_t n) {
      d.reading = false;
      if (self->closed_) return;
      if (ec) return self->close(false);
      self->hold(d, std::string(d.buf.data(), n));
      self->read(d);
    });
  }

  void write(Dir& d) {
    if (closed_ || d.writing || d.waiting || d.held.empty()) return;
    const LinkState& l = proxy_.link(d.from, d.to);
    const auto now = Clock::now();
    if (l.blocked) return wait(d, now + kBlockedPoll);
    auto at = d.held.front().due;
    if (l.slow.bytes_per_s > 0) at = std::max(at, d.next_send);
    if (at > now) return wait(d, at);
    d.writing = true;
    auto self = shared_from_this();
    asio::async_write(*d.out, asio::buffer(d.held.front().bytes),
                      [self, &d](const error_code& ec, size_t n) { self->written(d, ec, n); });
  }

  void written(Dir& d, const error_code& ec, size_t n) {
    d.writing = false;
    if (closed_) return;
    if (ec) return close(false);
    proxy_.stats_.bytes += n;
    d.held_bytes -= n;
    d.held.pop_front();
    const uint64_t rate = proxy_.link(d.from, d.to).slow.bytes_per_s;
    if (rate > 0) {
      const auto cost = std::chrono::nanoseconds(n * 1000000000ull / rate);
      d.next_send = std::max(Clock::now(), d.next_send) + cost;
    }
    read(d);  // it may have stopped on kHeldBytesMax
    write(d);
  }

  void wait(Dir& d, Clock::time_point at) {
    d.waiting = true;
    d.timer.expires_at(at);
    auto self = shared_from_this();
    d.timer.async_wait([self, &d](const error_code& ec) {
      d.waiting = false;
      if (!ec) self->write(d);
    });
  }

  ProxyCore& proxy_;
  tcp::socket down_, up_;
  int listener_;
  int dialer_ = -1;
  std::array<uint8_t, node::kHelloHeaderBytes> header_{};
  std::string hello_;
  Dir d2u_, u2d_;
  bool closed_ = false;
};

void ProxyCore::accept_next(int node) {
  auto& acceptor = *acceptors_.at(static_cast<size_t>(node));
  acceptor.async_accept([this, node](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      ++stats_.accepted;
      std::erase_if(conns_, [](const std::weak_ptr<Conn>& c) { return c.expired(); });
      auto conn = std::make_shared<Conn>(*this, std::move(socket), node);
      conns_.push_back(conn);
      conn->start();
    }
    accept_next(node);
  });
}

void ProxyCore::reset(int dialer, int listener, bool both_ways) {
  for (auto& weak : conns_) {
    auto c = weak.lock();
    if (!c || c->dialer() < 0) continue;
    const bool match = (c->dialer() == dialer && c->listener() == listener) ||
                       (both_ways && c->dialer() == listener && c->listener() == dialer);
    if (!match) continue;
    ++stats_.resets;
    c->close(true);
  }
}

FaultProxy::FaultProxy(std::vector<std::string> node_ids, uint64_t seed)
    : core_(std::make_unique<ProxyCore>(std::move(node_ids), seed)) {}

FaultProxy::~FaultProxy() { stop(); }

std::string FaultProxy::add_node(int node, uint16_t listen_port) {
  auto acceptor = std::make_unique<tcp::acceptor>(
      core_->io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor->local_endpoint().port();
  core_->targets_.at(static_cast<size_t>(node)) = listen_port;
  core_->acceptors_.at(static_cast<size_t>(node)) = std::move(acceptor);
  return "127.0.0.1:" + std::to_string(port);
}

void FaultProxy::start() {
  for (size_t i = 0; i < core_->acceptors_.size(); ++i) {
    if (!core_->acceptors_[i]) throw std::logic_error("FaultProxy: a node has no port");
    core_->accept_next(static_cast<int>(i));
  }
  core_->thread_ = std::thread([core = core_.get()] {
    auto guard = asio::make_work_guard(core->io_);
    core->io_.run();
  });
}

void FaultProxy::stop() {
  if (!core_->thread_.joinable()) return;
  core_->run([core = core_.get()] {
    for (auto& a : core->acceptors_) a->close();
    for (auto& weak : core->conns_) {
      if (auto c = weak.lock()) c->close(false);
    }
  });
  core_->io_.stop();
  core_->thread_.join();
}

void FaultProxy::block(int from, int to) {
  core_->run([&] { core_->link(from, to).blocked = true; });
}

void FaultProxy::cut(int from, int to) {
  core_->run([&] {
    core_->link(from, to).blocked = true;
    core_->link(from, to).cut = true;
    core_->reset(from, to, false);
  });
}

void FaultProxy::slow(int from, int to, const SlowLink& slow) {
  core_->run([&] { core_->link(from, to).slow = slow; });
}

void FaultProxy::heal(int from, int to, bool reset) {
  core_->run([&] {
    core_->link(from, to) = LinkState{};
    if (reset) core_->reset(from, to, true);
  });
}

ProxyStats FaultProxy::stats() {
  ProxyStats out;
  core_->run([&] { out = core_->stats_; });
  return out;
}

}  // namespace suanli::chaos
