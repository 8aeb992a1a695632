// Peer transport (see transport.h): a listener, one dialler per peer with
// backoff, and the bounded per-peer send queues.
//
// Locking: a Transport has one mutex, TransportCore::mu_, guarding the peer
// table (membership, send queues and counters) that send() and status() read
// from any thread. Everything else (links, dialers, timers, the acceptor) is
// touched only on the transport's strand. mu_ is never held while calling
// into a link or into on_frame.
#include "node/transport.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <random>

#include "common/assert.h"
#include "node/peer_link.h"

namespace suanli::node {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

inline constexpr size_t kPeersMax = 256;
inline constexpr size_t kInboundLinksMax = 2 * kPeersMax;  // established + handshaking
inline constexpr std::chrono::milliseconds kRedialDelayMin{50};
inline constexpr std::chrono::milliseconds kRedialDelayMax{2000};
inline constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// Queue accounting charges each frame its wire overhead, so empty payloads
// cannot fill memory either.
inline constexpr size_t kFrameOverheadBytes = kFrameHeaderBytes + kFrameTagBytes;
static_assert(kRedialDelayMin <= kRedialDelayMax);
static_assert(kFrameBytesMax + kFrameOverheadBytes <= kPeerSendQueueBytesMax);

class TransportCore final : public LinkOwner, public std::enable_shared_from_this<TransportCore> {
 public:
  TransportCore(asio::io_context& io, Transport::Options options, Transport::OnFrame on_frame);

  Status start();
  void stop();
  void set_peers(std::vector<PeerInfo> peers);
  bool send(const std::string& node_id, std::string payload);
  std::vector<PeerStatus> status() const;
  uint16_t listen_port() const { return port_.load(); }

  Status admit(const Hello& hello) override;
  void link_up(const std::shared_ptr<PeerLink>& link) override;
  void link_frame(PeerLink& link, std::string payload) override;
  void link_down(PeerLink& link, const Status& why) override;
  bool take_batch(PeerLink& link, std::vector<std::string>* batch, uint64_t* bytes) override;
  void batch_written(PeerLink& link, uint64_t bytes) override;

 private:
  struct Peer {  // guarded by mu_
    PeerInfo info;
    std::shared_ptr<PeerLink> link;  // the established outbound link, or null
    std::deque<std::string> queue;
    uint64_t queued_bytes = 0;  // queue plus the batch being written, with overhead
    uint64_t dropped_frames = 0;
    bool flush_posted = false;  // a flush is pending or the link is draining the queue
  };
  struct Dialer {  // strand only
    Dialer(PeerInfo peer, const Strand& strand) : info(std::move(peer)), retry(strand) {}
    PeerInfo info;
    std::shared_ptr<PeerLink> link;  // connecting, handshaking or up
    asio::steady_timer retry;
    std::chrono::milliseconds backoff = kRedialDelayMin;
  };

  Status bind(const std::string& address);
  void accept_next();
  void on_accept(const error_code& ec, std::shared_ptr<tcp::socket> socket);
  void reconcile();
  void dial(const std::shared_ptr<Dialer>& dialer);
  void redial_later(const std::shared_ptr<Dialer>& dialer);
  void close_all();
  bool pinned(const std::string& node_id, const PubKey& key) const;  // requires mu_
  static void drop_queue(Peer& peer);                                // requires mu_

  asio::io_context& io_;
  Strand strand_;
  const std::shared_ptr<const LocalIdentity> me_;
  const std::string listen_;
  const Transport::OnFrame on_frame_;
  std::atomic<uint16_t> port_{0};

  // Strand only (start() binds the acceptor before any handler can run).
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  std::map<std::string, std::shared_ptr<Dialer>> dialers_;
  std::map<uint64_t, std::shared_ptr<PeerLink>> inbound_;  // by serial
  std::mt19937_64 jitter_;

  mutable std::mutex mu_;
  std::map<std::string, Peer> peers_;  // guarded by mu_
  bool started_ = false;               // guarded by mu_
  bool stopped_ = false;               // guarded by mu_
};

std::shared_ptr<const LocalIdentity> make_identity(Transport::Options& options) {
  auto me = std::make_shared<LocalIdentity>();
  me->node_id = std::move(options.node_id);
  me->key = options.key;
  me->genesis_hash = options.genesis_hash;
  return me;
}

TransportCore::TransportCore(asio::io_context& io, Transport::Options options,
                             Transport::OnFrame on_frame)
    : io_(io),
      strand_(asio::make_strand(io)),
      me_(make_identity(options)),
      listen_(std::move(options.listen)),
      on_frame_(std::move(on_frame)),
      acceptor_(strand_),
      accept_retry_(strand_),
      jitter_(std::random_device{}()) {
  ledger::crypto_init();
}

Status TransportCore::start() {
  if (!valid_node_id(me_->node_id)) {
    return Status::error("invalid_config", "node_id must be 1..64 printable ASCII characters");
  }
  {
    std::lock_guard lock(mu_);
    if (started_ || stopped_) return Status::error("bind_failed", "already started or stopped");
    started_ = true;
  }
  Status st = bind(listen_);
  if (!st) return st;
  asio::post(strand_, [self = shared_from_this()] { self->accept_next(); });
  return Status::ok();
}

Status TransportCore::bind(const std::string& address) {
  std::string host;
  uint16_t port = 0;
  if (!split_host_port(address, &host, &port)) {
    return Status::error("bind_failed", "listen address is not host:port: " + address);
  }
  error_code ec;
  tcp::resolver resolver(io_);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return Status::error("bind_failed", "cannot resolve " + host + ": " + ec.message());
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  tcp::endpoint bound;
  if (!ec) bound = acceptor_.local_endpoint(ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return Status::error("bind_failed", address + ": " + ec.message());
  }
  port_.store(bound.port());
  spdlog::info("transport: {} listening on {}:{}", me_->node_id, host, bound.port());
  return Status::ok();
}

void TransportCore::accept_next() {
  if (!acceptor_.is_open()) return;
  auto socket = std::make_shared<tcp::socket>(strand_);
  acceptor_.async_accept(*socket, [self = shared_from_this(), socket](const error_code& ec) {
    self->on_accept(ec, socket);
  });
}

void TransportCore::on_accept(const error_code& ec, std::shared_ptr<tcp::socket> socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // For example EMFILE: back off instead of spinning on the error.
    spdlog::warn("transport: accept failed: {}", ec.message());
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([self = shared_from_this()](const error_code& wec) {
      if (!wec) self->accept_next();
    });
    return;
  }
  if (inbound_.size() >= kInboundLinksMax) {
    spdlog::warn("transport: too many inbound links ({}), refusing one", inbound_.size());
    error_code ignored;
    socket->close(ignored);
  } else {
    auto link = std::make_shared<PeerLink>(strand_, std::move(*socket), weak_from_this(), me_);
    inbound_.emplace(link->serial(), link);
    link->accept();
  }
  accept_next();
}

void TransportCore::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [id, peer] : peers_) drop_queue(peer);
  }
  asio::post(strand_, [self = shared_from_this()] { self->close_all(); });
}

void TransportCore::close_all() {
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  auto dialers = std::move(dialers_);
  dialers_.clear();
  for (auto& [id, dialer] : dialers) {
    dialer->retry.cancel();
    if (dialer->link) dialer->link->close(Status::error("stopped", "transport stopped"));
  }
  std::vector<std::shared_ptr<PeerLink>> inbound;
  for (auto& [serial, link] : inbound_) inbound.push_back(link);
  for (auto& link : inbound) link->close(Status::error("stopped", "transport stopped"));
  inbound_.clear();
}

void TransportCore::set_peers(std::vector<PeerInfo> peers) {
  std::map<std::string, Peer> next;
  for (PeerInfo& info : peers) {
    if (info.node_id == me_->node_id || info.pubkey == me_->key.pubkey) continue;
    if (!valid_node_id(info.node_id) || next.size() >= kPeersMax) {
      spdlog::error("transport: ignoring peer '{}' (bad node_id or over {} peers)",
                    info.node_id.substr(0, kNodeIdBytesMax), kPeersMax);
      continue;
    }
    next[info.node_id].info = std::move(info);
  }
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    for (auto& [id, peer] : next) {
      auto old = peers_.find(id);
      if (old != peers_.end() && old->second.info.pubkey == peer.info.pubkey &&
          old->second.info.address == peer.info.address) {
        peer = std::move(old->second);  // same peer: keep its link and queue
      }
    }
    peers_.swap(next);
  }
  asio::post(strand_, [self = shared_from_this()] { self->reconcile(); });
}

bool TransportCore::pinned(const std::string& node_id, const PubKey& key) const {
  auto it = peers_.find(node_id);
  return it != peers_.end() && it->second.info.pubkey == key;
}

// Makes the dialers and inbound links follow peers_ (after set_peers).
void TransportCore::reconcile() {
  std::map<std::string, PeerInfo> want;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    for (const auto& [id, peer] : peers_) want.emplace(id, peer.info);
  }
  std::vector<std::shared_ptr<PeerLink>> to_close;
  for (auto it = dialers_.begin(); it != dialers_.end();) {
    auto w = want.find(it->first);
    const PeerInfo& have = it->second->info;
    if (w != want.end() && w->second.pubkey == have.pubkey && w->second.address == have.address) {
      ++it;
      continue;
    }
    it->second->retry.cancel();
    if (it->second->link) to_close.push_back(it->second->link);
    it = dialers_.erase(it);  // before closing, so link_down does not redial
  }
  for (const auto& [serial, link] : inbound_) {
    auto w = want.find(link->peer_id());
    if (link->established() && (w == want.end() || w->second.pubkey != link->peer_key())) {
      to_close.push_back(link);
    }
  }
  for (auto& link : to_close) link->close(Status::error("removed", "peer left the peer set"));
  for (auto& [id, info] : want) {
    if (dialers_.count(id) != 0) continue;
    auto dialer = std::make_shared<Dialer>(info, strand_);
    dialers_.emplace(id, dialer);
    dial(dialer);
  }
}

void TransportCore::dial(const std::shared_ptr<Dialer>& dialer) {
  SUANLI_ASSERT(!dialer->link);
  auto link = std::make_shared<PeerLink>(strand_, weak_from_this(), me_, dialer->info);
  dialer->link = link;
  link->dial();
}

void TransportCore::redial_later(const std::shared_ptr<Dialer>& dialer) {
  const auto half = dialer->backoff / 2;
  std::uniform_int_distribution<int64_t> dist(0, half.count());
  const auto delay = half + std::chrono::milliseconds(dist(jitter_));
  dialer->backoff = std::min(dialer->backoff * 2, kRedialDelayMax);
  dialer->retry.expires_after(delay);
  dialer->retry.async_wait([self = shared_from_this(), dialer](const error_code& ec) {
    if (ec) return;
    auto it = self->dialers_.find(dialer->info.node_id);
    // A replaced or removed dialer, or one already dialling, stays quiet.
    if (it == self->dialers_.end() || it->second != dialer || dialer->link) return;
    self->dial(dialer);
  });
}

Status TransportCore::admit(const Hello& hello) {
  std::lock_guard lock(mu_);
  if (stopped_) return Status::error("stopped", "transport stopped");
  if (!pinned(hello.node_id, hello.node_key)) {
    return Status::error("unknown_key", "node_id and key are not in the peer set");
  }
  return Status::ok();
}

void TransportCore::link_up(const std::shared_ptr<PeerLink>& link) {
  if (link->role() == PeerLink::Role::kListener) {
    // One inbound link per peer: a reconnecting peer replaces its old one.
    std::vector<std::shared_ptr<PeerLink>> older;
    for (const auto& [serial, other] : inbound_) {
      if (other != link && other->peer_id() == link->peer_id()) older.push_back(other);
    }
    for (auto& other : older) other->close(Status::error("replaced", "peer reconnected"));
    bool still_pinned = false;
    {
      std::lock_guard lock(mu_);
      still_pinned = !stopped_ && pinned(link->peer_id(), link->peer_key());
    }
    if (!still_pinned) link->close(Status::error("removed", "peer left the peer set"));
    return;
  }
  auto it = dialers_.find(link->peer_id());
  if (it == dialers_.end() || it->second->link != link) {
    link->close(Status::error("removed", "peer left the peer set"));
    return;
  }
  it->second->backoff = kRedialDelayMin;
  std::lock_guard lock(mu_);
  auto peer = peers_.find(link->peer_id());
  if (!stopped_ && peer != peers_.end() && peer->second.info.pubkey == link->peer_key()) {
    SUANLI_ASSERT(peer->second.queue.empty());
    peer->second.link = link;
  }
}

void TransportCore::link_frame(PeerLink& link, std::string payload) {
  {
    std::lock_guard lock(mu_);
    // Frames from a peer that just left the set are dropped before reconcile runs.
    if (stopped_ || !pinned(link.peer_id(), link.peer_key())) return;
  }
  on_frame_(link.peer_id(), std::move(payload));
}

void TransportCore::link_down(PeerLink& link, const Status& why) {
  if (link.role() == PeerLink::Role::kListener) {
    inbound_.erase(link.serial());
    return;
  }
  {
    std::lock_guard lock(mu_);
    auto peer = peers_.find(link.peer_id());
    if (peer != peers_.end() && peer->second.link.get() == &link) drop_queue(peer->second);
  }
  auto it = dialers_.find(link.peer_id());
  if (it == dialers_.end() || it->second->link.get() != &link) return;
  auto dialer = it->second;
  dialer->link.reset();
  spdlog::debug("transport: link to {} down ({}), redialling", link.peer_id(), why.to_string());
  redial_later(dialer);
}

void TransportCore::drop_queue(Peer& peer) {
  // Raft retransmits, so frames queued for a dead link are dropped, not kept.
  peer.dropped_frames += peer.queue.size();
  peer.queue.clear();
  peer.queued_bytes = 0;
  peer.flush_posted = false;
  peer.link.reset();
}

bool TransportCore::send(const std::string& node_id, std::string payload) {
  std::shared_ptr<PeerLink> to_flush;
  {
    std::lock_guard lock(mu_);
    auto it = peers_.find(node_id);
    if (stopped_ || it == peers_.end()) return false;
    Peer& peer = it->second;
    const uint64_t cost = payload.size() + kFrameOverheadBytes;
    if (!peer.link || payload.size() > kFrameBytesMax ||
        peer.queued_bytes + cost > kPeerSendQueueBytesMax) {
      ++peer.dropped_frames;
      return false;
    }
    peer.queue.push_back(std::move(payload));
    peer.queued_bytes += cost;
    if (!peer.flush_posted) {
      peer.flush_posted = true;
      to_flush = peer.link;
    }
  }
  if (to_flush) asio::post(strand_, [link = std::move(to_flush)] { link->flush(); });
  return true;
}

bool TransportCore::take_batch(PeerLink& link, std::vector<std::string>* batch, uint64_t* bytes) {
  std::lock_guard lock(mu_);
  auto it = peers_.find(link.peer_id());
  if (it == peers_.end() || it->second.link.get() != &link) return false;
  Peer& peer = it->second;
  if (peer.queue.empty()) {
    peer.flush_posted = false;
    return false;
  }
  uint64_t total = 0;
  while (!peer.queue.empty()) {
    const uint64_t cost = peer.queue.front().size() + kFrameOverheadBytes;
    if (!batch->empty() && total + cost > kWriteBatchBytesMax) break;
    total += cost;
    batch->push_back(std::move(peer.queue.front()));
    peer.queue.pop_front();
  }
  *bytes = total;
  return true;
}

void TransportCore::batch_written(PeerLink& link, uint64_t bytes) {
  std::lock_guard lock(mu_);
  auto it = peers_.find(link.peer_id());
  if (it == peers_.end() || it->second.link.get() != &link) return;
  SUANLI_ASSERT(it->second.queued_bytes >= bytes);
  it->second.queued_bytes -= bytes;
}

std::vector<PeerStatus> TransportCore::status() const {
  std::lock_guard lock(mu_);
  std::vector<PeerStatus> out;
  out.reserve(peers_.size());
  for (const auto& [id, peer] : peers_) {
    out.push_back(PeerStatus{id, peer.info.address, peer.link != nullptr, peer.queued_bytes,
                             peer.dropped_frames});
  }
  return out;
}

// The public object: stops the core when destroyed; pending handlers keep
// the core alive until they have run.
class TransportImpl final : public Transport {
 public:
  explicit TransportImpl(std::shared_ptr<TransportCore> core) : core_(std::move(core)) {}
  ~TransportImpl() override { core_->stop(); }

  Status start() override { return core_->start(); }
  void stop() override { core_->stop(); }
  void set_peers(std::vector<PeerInfo> peers) override { core_->set_peers(std::move(peers)); }
  bool send(const std::string& node_id, std::string payload) override {
    return core_->send(node_id, std::move(payload));
  }
  std::vector<PeerStatus> status() const override { return core_->status(); }
  uint16_t listen_port() const override { return core_->listen_port(); }

 private:
  std::shared_ptr<TransportCore> core_;
};

}  // namespace

std::unique_ptr<Transport> Transport::create(asio::io_context& io, Options options,
                                             OnFrame on_frame) {
  auto core = std::make_shared<TransportCore>(io, std::move(options), std::move(on_frame));
  return std::make_unique<TransportImpl>(std::move(core));
}

}  // namespace suanli::node
