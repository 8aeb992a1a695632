// An in-process cluster of Nodes on 127.0.0.1 with real RocksDB and
// transport, for node tests. Each node has its own data directory.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "node/node.h"

namespace suanli::node::testing {

// A fresh directory under the system temp dir, unique to this process.
std::string temp_dir(const std::string& name);

// A fresh, uniquely named directory, removed with everything in it when this goes.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // The path of `name` inside it.
  std::string sub(const std::string& name) const;

 private:
  std::string path_;
};

// Picks a free TCP port on 127.0.0.1 (bind to 0, read, close).
uint16_t free_port();

// Polls `condition` every 10 ms until it holds (true) or timeout_ms pass.
bool eventually(const std::function<bool()>& condition, int timeout_ms);

struct ClusterActor {
  std::string name;
  ledger::KeyPair key;
  ledger::Role role;
  std::string province;
};

class Cluster {
 public:
  // `nodes` voters, with data under `dir` (removed when the cluster is
  // destroyed); actors gz-reg, bj-reg, gz-prov, bj-buyer, gd-buyer
  // (buyers with 1,000,000,000 fen each).
  explicit Cluster(size_t nodes, const std::string& dir);
  ~Cluster();

  // Adds a node whose key is not in the genesis (a joiner); returns its index.
  size_t add_joiner(const std::string& node_id);
  // Options of node i, to adjust before start(i).
  NodeOptions& options(size_t i) { return options_.at(i); }
  Status start(size_t i);
  void stop(size_t i);
  Node& node(size_t i) { return *nodes_.at(i); }
  size_t size() const { return nodes_.size(); }
  const ledger::Genesis& genesis() const { return options_.at(0).genesis; }
  const ClusterActor& actor(const std::string& name) const;

  ledger::Tx make(const std::string& signer, ledger::TxType type, ledger::Payload payload);
  // Submits through node i; returns the hash or the error message.
  std::variant<Hash32, rpc::RpcError> submit(size_t i, const ledger::Tx& tx);
  // Submits through node i and waits until node i has applied it; the error
  // (or "not committed") otherwise.
  std::optional<std::string> commit(size_t i, const ledger::Tx& tx, int timeout_ms = 10000);
  // Starts every node and waits for a leader; its index, or -1.
  int start_all(int timeout_ms = 5000);
  // Waits until some node is leader; returns its index or -1.
  int wait_leader(int timeout_ms);
  bool wait_height(size_t i, uint64_t height, int timeout_ms);
  std::string state_hash(size_t i) { return node(i).node_status()["state_hash"]; }
  // Waits until every running node has the same height and state hash.
  bool converged(int timeout_ms);
  // True when node i has applied the transaction.
  bool has_tx(size_t i, const Hash32& tx_hash);

 private:
  std::string dir_;
  std::vector<NodeOptions> options_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<ClusterActor> actors_;
  uint64_t nonce_ = 0;
};

}  // namespace suanli::node::testing
