// One peer TCP connection: handshake, then sealed frames (DESIGN.md
// "Networking and security"). Private to the node target.
//
// A PeerLink is either outbound (we dialled; we send on it) or inbound (the
// peer dialled; we only receive). It drives a Handshake under a deadline,
// then reads frames in a loop and hands each to its owner; an outbound link
// also pulls batches of payloads from its owner and writes them, one write in
// flight at a time. Any error closes the link and tells the owner once.
//
// Thread-safety: none. Every method must run on the strand the link was
// created with, and all its handlers run there. Lifetime: shared_ptr, kept
// alive by its pending handlers; the owner is held weakly, so the owner may
// go away first.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "node/frame.h"
#include "node/handshake.h"
#include "node/transport.h"

namespace suanli::node {

inline constexpr std::chrono::milliseconds kHandshakeTimeout{5000};  // connect included
// Sent data unacknowledged this long closes the link (TCP_USER_TIMEOUT).
inline constexpr std::chrono::milliseconds kLinkUnackedTimeout{20000};
inline constexpr size_t kWriteBatchBytesMax = 1 << 20;   // coalescing bound, one write
inline constexpr size_t kLinkBufferKeepBytes = 1 << 20;  // larger buffers are released
static_assert(kWriteBatchBytesMax <= kPeerSendQueueBytesMax);

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// Who we are, shared by every link of one transport.
struct LocalIdentity {
  std::string node_id;
  ledger::KeyPair key;
  Hash32 genesis_hash{};
};

class PeerLink;

// Callbacks from links to the transport, all on the strand.
class LinkOwner {
 public:
  virtual ~LinkOwner() = default;
  // Inbound only: may a peer with this hello connect? Errors refuse it.
  virtual Status admit(const Hello& hello) = 0;
  virtual void link_up(const std::shared_ptr<PeerLink>& link) = 0;
  virtual void link_frame(PeerLink& link, std::string payload) = 0;
  // Called exactly once per link that was started, whatever the reason.
  virtual void link_down(PeerLink& link, const Status& why) = 0;
  // Outbound only: moves the next payloads to write into *batch (their
  // plaintext bytes in *bytes); false when there is nothing to send.
  virtual bool take_batch(PeerLink& link, std::vector<std::string>* batch, uint64_t* bytes) = 0;
  // Outbound only: a batch taken earlier is now written.
  virtual void batch_written(PeerLink& link, uint64_t bytes) = 0;
};

// "host:port" (host may be "[v6]"); false when malformed.
bool split_host_port(const std::string& address, std::string* host, uint16_t* port);

class PeerLink : public std::enable_shared_from_this<PeerLink> {
 public:
  using Role = Handshake::Role;

  // An outbound link to `peer`; call dial() next.
  PeerLink(const Strand& strand, std::weak_ptr<LinkOwner> owner,
           std::shared_ptr<const LocalIdentity> me, PeerInfo peer);
  // An inbound link on an accepted socket (created on `strand`); call accept() next.
  PeerLink(const Strand& strand, boost::asio::ip::tcp::socket socket,
           std::weak_ptr<LinkOwner> owner, std::shared_ptr<const LocalIdentity> me);
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  void dial();
  void accept();
  // Writes whatever the owner has queued for this link (outbound, established).
  void flush();
  void close(const Status& why);

  Role role() const { return handshake_.role(); }
  bool established() const { return established_; }
  bool closed() const { return closed_; }
  // The authenticated peer (after the handshake) or, outbound, the one dialled.
  const std::string& peer_id() const { return peer_.node_id; }
  const PubKey& peer_key() const { return peer_.pubkey; }
  uint64_t serial() const { return serial_; }

 private:
  void connect(const boost::asio::ip::tcp::endpoint& endpoint);
  void start_handshake();
  void read_hello();
  void on_hello(const boost::system::error_code& ec);
  void read_signature();
  void on_signature(const boost::system::error_code& ec);
  void read_frame();
  void on_frame_header(const boost::system::error_code& ec);
  void on_frame_body(const boost::system::error_code& ec);
  void on_written(const boost::system::error_code& ec, uint64_t bytes);
  void refuse(const Status& why);
  std::string describe() const;

  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer deadline_;
  std::weak_ptr<LinkOwner> owner_;
  std::shared_ptr<const LocalIdentity> me_;
  PeerInfo peer_;  // outbound: expected; inbound: filled from the hello
  Handshake handshake_;
  uint64_t serial_;
  std::string remote_;  // "ip:port", for logs

  std::optional<FrameSealer> sealer_;
  std::optional<FrameOpener> opener_;
  std::array<uint8_t, kFrameHeaderBytes> header_{};
  std::string read_buf_;
  Sig64 peer_sig_{};
  std::string write_buf_;
  std::vector<std::string> batch_;
  bool writing_ = false;
  bool established_ = false;
  bool closed_ = false;
};

}  // namespace suanli::node
