// suanli-chaos's fault-injecting TCP proxy between suanlid peers.
//
// Each node's membership address (where peers dial it) is a proxy port that
// forwards to the node's real listen address. Every dialer shares that port,
// so the proxy learns who dials from the dialer's handshake hello, the first
// bytes it sends (node/handshake.h: a length-prefixed record with its
// node_id); it reads that record whole before forwarding it, unchanged.
//
// Faults are per directed pair (from, to) and apply to every byte that flows
// from `from` to `to`, whichever side dialled. suanlid sends its messages to a
// peer only on the link it dialled itself (node/transport.h), so blocking
// A -> B stops A's messages to B while B's reach A; it also stalls the reply
// half of handshakes A answers for B, as a real one-way route would.
//   - block: bytes are held (a black hole); the TCP connections stay open.
//   - cut: block, and close the links A dialled to B, and every new one after
//     its hello, so A redials and fails until healed.
//   - slow: each chunk waits a random delay (order kept) and/or a bandwidth cap.
// heal() lifts a pair's faults; held bytes then flow on, or with `reset` the
// pair's connections are closed so both ends reconnect.
//
// Thread-safety: the public methods may be called from any thread (they run
// on the proxy's own thread and wait for it); the proxy's sockets and fault
// table are touched only on that thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace suanli::chaos {

struct SlowLink {
  uint32_t delay_ms_min = 0, delay_ms_max = 0;  // per chunk, uniform
  uint64_t bytes_per_s = 0;                     // 0: no cap
};

struct ProxyStats {
  uint64_t accepted = 0;  // connections from dialers
  uint64_t refused = 0;   // closed after the hello: cut, or not a known node
  uint64_t resets = 0;    // connections closed by cut or heal(reset)
  uint64_t bytes = 0;     // forwarded, both directions
};

class ProxyCore;  // chaos_proxy.cc

class FaultProxy {
 public:
  // node_ids[i] names node i, as in its hello.
  FaultProxy(std::vector<std::string> node_ids, uint64_t seed);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Binds a port on 127.0.0.1 for node i, forwarding to 127.0.0.1:listen_port;
  // returns "127.0.0.1:PORT", the address peers should dial. Before start().
  std::string add_node(int node, uint16_t listen_port);
  void start();
  void stop();

  void block(int from, int to);
  void cut(int from, int to);
  void slow(int from, int to, const SlowLink& slow);
  void heal(int from, int to, bool reset);
  ProxyStats stats();

 private:
  std::unique_ptr<ProxyCore> core_;
};

}  // namespace suanli::chaos
