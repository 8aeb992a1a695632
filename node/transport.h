// Peer transport: authenticated, encrypted TCP links between nodes
// (DESIGN.md "Networking and security").
//
// Each node dials every peer it knows and sends on its outbound link;
// inbound links only receive. A handshake authenticates both ends with their
// Ed25519 node keys, pinned in the membership (an unknown key is refused and
// logged), checks both run the same genesis, and derives session keys with
// libsodium crypto_kx; every frame is then sealed with an AEAD and carries a
// length prefix bounded by kFrameBytesMax. A malformed frame closes the link.
// Send queues are bounded per peer (messages are dropped, not queued without
// bound: Raft retransmits). Outbound links reconnect with backoff.
//
// Thread-safety: all methods may be called from any thread; work runs on the
// io_context given at construction. on_frame is called on that io_context.
// Lifetime: the io_context must outlive the Transport. Destroying it stops it;
// on_frame is not called after stop() returns, except a call already running.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "ledger/crypto.h"

namespace boost::asio {
class io_context;
}

namespace suanli::node {

inline constexpr size_t kFrameBytesMax = 32 << 20;      // one frame, plaintext
inline constexpr size_t kPeerSendQueueBytesMax = 64 << 20;

struct PeerInfo {
  std::string node_id;
  PubKey pubkey{};
  std::string address;  // host:port to dial
};

struct PeerStatus {
  std::string node_id;
  std::string address;
  bool connected = false;  // outbound link up
  uint64_t queued_bytes = 0;
  uint64_t dropped_frames = 0;
};

class Transport {
 public:
  using OnFrame = std::function<void(const std::string& from_node_id, std::string payload)>;

  struct Options {
    std::string node_id;
    ledger::KeyPair key;
    std::string listen;  // host:port to bind
    Hash32 genesis_hash{};
  };

  static std::unique_ptr<Transport> create(boost::asio::io_context& io, Options options,
                                           OnFrame on_frame);
  virtual ~Transport() = default;

  // Binds and starts accepting. Errors: "bind_failed", "invalid_config" (a
  // node_id that is not 1..64 printable ASCII characters).
  virtual Status start() = 0;
  // Closes every link and the listener.
  virtual void stop() = 0;
  // Replaces the set of peers: only these keys are accepted; links to
  // removed peers close, new ones are dialled. An entry for this node itself
  // is ignored; a peer whose key or address changed is redialled.
  virtual void set_peers(std::vector<PeerInfo> peers) = 0;
  // Queues a frame to a peer. Returns false (and drops it) when the peer is
  // unknown, not connected or its queue is full, or the payload is over
  // kFrameBytesMax. Frames to one peer arrive in order while its link stays up;
  // frames queued when a link drops are dropped (and counted), not resent.
  virtual bool send(const std::string& node_id, std::string payload) = 0;
  virtual std::vector<PeerStatus> status() const = 0;
  // The port the listener is bound to (so options.listen may use port 0);
  // 0 before start() succeeded.
  virtual uint16_t listen_port() const { return 0; }
};

}  // namespace suanli::node
