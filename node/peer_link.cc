// One peer TCP connection (see peer_link.h).
#include "node/peer_link.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "common/assert.h"

namespace suanli::node {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

std::atomic<uint64_t> next_serial{1};

Status io_error(const char* what, const error_code& ec) {
  if (ec == asio::error::eof) return Status::error("closed", std::string(what) + ": peer closed");
  return Status::error("io_error", std::string(what) + ": " + ec.message());
}

std::string endpoint_text(const tcp::socket& socket) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

std::string key_prefix(const PubKey& key) { return to_hex(key).substr(0, 16); }

}  // namespace

bool split_host_port(const std::string& address, std::string* host, uint16_t* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
  std::string h = address.substr(0, colon);
  if (h.front() == '[') {
    if (h.size() < 3 || h.back() != ']') return false;
    h = h.substr(1, h.size() - 2);
  }
  uint32_t p = 0;
  for (size_t i = colon + 1; i < address.size(); ++i) {
    const char c = address[i];
    if (c < '0' || c > '9' || i - colon > 5) return false;
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > UINT16_MAX) return false;
  *host = std::move(h);
  *port = static_cast<uint16_t>(p);
  return true;
}

PeerLink::PeerLink(const Strand& strand, std::weak_ptr<LinkOwner> owner,
                   std::shared_ptr<const LocalIdentity> me, PeerInfo peer)
    : socket_(strand),
      resolver_(strand),
      deadline_(strand),
      owner_(std::move(owner)),
      me_(std::move(me)),
      peer_(std::move(peer)),
      handshake_(Role::kDialer, me_->key, me_->node_id, me_->genesis_hash),
      serial_(next_serial.fetch_add(1)),
      remote_(peer_.address) {}

PeerLink::PeerLink(const Strand& strand, tcp::socket socket, std::weak_ptr<LinkOwner> owner,
                   std::shared_ptr<const LocalIdentity> me)
    : socket_(std::move(socket)),
      resolver_(strand),
      deadline_(strand),
      owner_(std::move(owner)),
      me_(std::move(me)),
      handshake_(Role::kListener, me_->key, me_->node_id, me_->genesis_hash),
      serial_(next_serial.fetch_add(1)),
      remote_(endpoint_text(socket_)) {}

std::string PeerLink::describe() const {
  std::string s = role() == Role::kDialer ? "outbound " : "inbound ";
  s += remote_;
  if (!peer_.node_id.empty()) s += " node_id=" + peer_.node_id;
  if (peer_.pubkey != PubKey{}) s += " key=" + key_prefix(peer_.pubkey) + "...";
  return s;
}

void PeerLink::dial() {
  SUANLI_ASSERT(role() == Role::kDialer);
  auto self = shared_from_this();
  deadline_.expires_after(kHandshakeTimeout);
  deadline_.async_wait([self](const error_code& ec) {
    if (!ec) self->close(Status::error("handshake_timeout", "connect or handshake too slow"));
  });
  std::string host;
  uint16_t port = 0;
  if (!split_host_port(peer_.address, &host, &port)) {
    refuse(Status::error("bad_address", "peer address is not host:port"));
    return;
  }
  error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (!ec) {
    connect(tcp::endpoint(ip, port));
    return;
  }
  resolver_.async_resolve(
      host, std::to_string(port),
      [self](const error_code& rec, const tcp::resolver::results_type& results) {
        if (self->closed_) return;
        if (rec || results.empty()) {
          self->close(io_error("resolve", rec ? rec : asio::error::host_not_found));
          return;
        }
        self->connect(results.begin()->endpoint());
      });
}

void PeerLink::connect(const tcp::endpoint& endpoint) {
  auto self = shared_from_this();
  socket_.async_connect(endpoint, [self](const error_code& ec) {
    if (self->closed_) return;
    if (ec) {
      self->close(io_error("connect", ec));
      return;
    }
    self->start_handshake();
  });
}

void PeerLink::accept() {
  SUANLI_ASSERT(role() == Role::kListener);
  auto self = shared_from_this();
  deadline_.expires_after(kHandshakeTimeout);
  deadline_.async_wait([self](const error_code& ec) {
    if (!ec) self->close(Status::error("handshake_timeout", "handshake too slow"));
  });
  start_handshake();
}

void PeerLink::start_handshake() {
  error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  if (ec) {
    close(io_error("nodelay", ec));
    return;
  }
#ifdef TCP_USER_TIMEOUT
  // A peer that vanishes without a reset would otherwise keep an outbound
  // link "up" (and its queue full) for the kernel's ~15 minute retry time.
  const auto user_timeout_ms = static_cast<unsigned int>(kLinkUnackedTimeout.count());
  // Best effort: the link still works without it.
  (void)::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms,
                     sizeof(user_timeout_ms));
#endif
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(handshake_.hello_record()),
                    [self](const error_code& wec, size_t) {
                      if (self->closed_) return;
                      if (wec) {
                        self->close(io_error("write hello", wec));
                        return;
                      }
                      self->read_hello();
                    });
}

void PeerLink::read_hello() {
  auto self = shared_from_this();
  asio::async_read(socket_, asio::buffer(header_), [self](const error_code& ec, size_t) {
    if (self->closed_) return;
    if (ec) {
      self->close(io_error("read hello", ec));
      return;
    }
    auto len = hello_bytes(self->header_.data());
    if (!len) {
      self->refuse(Status::error("bad_hello", "hello length out of bounds"));
      return;
    }
    self->read_buf_.resize(*len);
    asio::async_read(self->socket_, asio::buffer(self->read_buf_),
                     [self](const error_code& bec, size_t) { self->on_hello(bec); });
  });
}

void PeerLink::on_hello(const error_code& ec) {
  if (closed_) return;
  if (ec) {
    close(io_error("read hello", ec));
    return;
  }
  Status st = handshake_.read_peer_hello(read_buf_);
  if (!st) {
    auto decoded = decode_hello(read_buf_);
    if (decoded && role() == Role::kListener) {  // name the peer in the log
      peer_.node_id = decoded->node_id;
      peer_.pubkey = decoded->node_key;
    }
    refuse(st);
    return;
  }
  const Hello& hello = handshake_.peer_hello();
  if (role() == Role::kDialer) {
    // peer_ stays the dialled peer: the transport finds its dialer by it.
    if (hello.node_key != peer_.pubkey || hello.node_id != peer_.node_id) {
      refuse(Status::error("unexpected_peer", "answered by node_id=" + hello.node_id +
                                                  " key=" + key_prefix(hello.node_key) + "..."));
      return;
    }
  } else {
    peer_.node_id = hello.node_id;
    peer_.pubkey = hello.node_key;
    auto owner = owner_.lock();
    st = owner ? owner->admit(hello) : Status::error("stopped", "transport is gone");
    if (!st) {
      refuse(st);
      return;
    }
  }
  read_signature();
}

void PeerLink::read_signature() {
  auto self = shared_from_this();
  // The signature goes in write_buf_, idle until the link is established.
  const Sig64 sig = handshake_.signature();
  write_buf_.assign(reinterpret_cast<const char*>(sig.data()), sig.size());
  asio::async_write(socket_, asio::buffer(write_buf_), [self](const error_code& ec, size_t) {
    if (self->closed_) return;
    if (ec) {
      self->close(io_error("write signature", ec));
      return;
    }
    asio::async_read(self->socket_, asio::buffer(self->peer_sig_),
                     [self](const error_code& rec, size_t) { self->on_signature(rec); });
  });
}

void PeerLink::on_signature(const error_code& ec) {
  if (closed_) return;
  if (ec) {
    close(io_error("read signature", ec));
    return;
  }
  Status st = handshake_.read_peer_signature(peer_sig_);
  if (!st) {
    refuse(st);
    return;
  }
  deadline_.cancel();
  sealer_.emplace(handshake_.keys().tx);
  opener_.emplace(handshake_.keys().rx);
  write_buf_.clear();
  read_buf_.clear();
  established_ = true;
  spdlog::info("transport: {} link up (#{})", describe(), serial_);
  if (auto owner = owner_.lock()) owner->link_up(shared_from_this());
  if (closed_) return;  // the owner may have closed it (for example, a stale peer)
  read_frame();
}

void PeerLink::read_frame() {
  auto self = shared_from_this();
  asio::async_read(socket_, asio::buffer(header_),
                   [self](const error_code& ec, size_t) { self->on_frame_header(ec); });
}

void PeerLink::on_frame_header(const error_code& ec) {
  if (closed_) return;
  if (ec) {
    close(io_error("read frame", ec));
    return;
  }
  auto len = FrameOpener::body_bytes(header_.data());
  if (!len) {
    refuse(Status::error("bad_frame", "frame length out of bounds"));
    return;
  }
  if (read_buf_.capacity() > kLinkBufferKeepBytes && *len <= kLinkBufferKeepBytes) {
    std::string().swap(read_buf_);
  }
  read_buf_.resize(*len);
  auto self = shared_from_this();
  asio::async_read(socket_, asio::buffer(read_buf_),
                   [self](const error_code& bec, size_t) { self->on_frame_body(bec); });
}

void PeerLink::on_frame_body(const error_code& ec) {
  if (closed_) return;
  if (ec) {
    close(io_error("read frame", ec));
    return;
  }
  std::string payload;
  if (!opener_->open(header_.data(), read_buf_, &payload)) {
    refuse(Status::error("bad_frame", "frame does not authenticate"));
    return;
  }
  if (auto owner = owner_.lock()) owner->link_frame(*this, std::move(payload));
  if (closed_) return;
  read_frame();
}

void PeerLink::flush() {
  if (closed_ || !established_ || writing_ || role() != Role::kDialer) return;
  auto owner = owner_.lock();
  if (!owner) return;
  uint64_t bytes = 0;
  batch_.clear();
  if (!owner->take_batch(*this, &batch_, &bytes)) return;
  if (write_buf_.capacity() > kLinkBufferKeepBytes) std::string().swap(write_buf_);
  write_buf_.clear();
  for (const std::string& payload : batch_) sealer_->seal(payload, &write_buf_);
  batch_.clear();
  writing_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(write_buf_),
                    [self, bytes](const error_code& ec, size_t) { self->on_written(ec, bytes); });
}

void PeerLink::on_written(const error_code& ec, uint64_t bytes) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    close(io_error("write frame", ec));
    return;
  }
  if (auto owner = owner_.lock()) owner->batch_written(*this, bytes);
  flush();
}

void PeerLink::refuse(const Status& why) {
  spdlog::warn("transport: refused {}: {}", describe(), why.to_string());
  close(why);
}

void PeerLink::close(const Status& why) {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  deadline_.cancel();
  resolver_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (established_) spdlog::info("transport: {} link down: {}", describe(), why.to_string());
  if (auto owner = owner_.lock()) owner->link_down(*this, why);
}

}  // namespace suanli::node
