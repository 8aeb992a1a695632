#include "tests/node/cluster_util.h"

#include "genesis/devnet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <mutex>
#include <future>
#include <set>
#include <thread>

#include "genesis/genesis.h"
#include "ledger/store.h"
#include "ledger/validate.h"

namespace suanli::node::testing {

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("suanli-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = std::filesystem::temp_directory_path().string() + "/suanli-" + prefix +
                        "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::sub(const std::string& name) const { return path_ + "/" + name; }

// Ports below the kernel's ephemeral range, 16 at a time: a port picked among
// the ephemeral ones can be taken by an outgoing connection (of this or a
// concurrent test binary) before the node binds it.
uint16_t free_port() {
  static std::mutex mu;
  static uint16_t base = 0;
  static uint16_t used = 16;
  std::lock_guard lock(mu);
  if (used == 16) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto block = genesis::free_port_block(
        14000, 350, static_cast<uint32_t>(::getpid() * 7919 + static_cast<uint64_t>(now)));
    if (!block) throw std::runtime_error("no free port block in 14000..19600");
    base = *block;
    used = 0;
  }
  return static_cast<uint16_t>(base + used++);
}

bool eventually(const std::function<bool()>& condition, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

namespace {
ledger::KeyPair seeded(uint8_t a, uint8_t b) {
  std::array<uint8_t, 32> seed{};
  seed[0] = a;
  seed[1] = b;
  return ledger::keypair_from_seed(seed);
}
std::string credit(uint64_t n) {
  std::string first17 = "91520000" + std::string(9 - std::to_string(n).size(), '0') +
                        std::to_string(n);
  return first17 + ledger::credit_code_check_char(first17);
}
}  // namespace

Cluster::Cluster(size_t n, const std::string& dir) : dir_(dir) {
  ledger::crypto_init();
  ledger::Genesis g;
  g.chain_id = "suanli-test";
  g.genesis_time = 1767225600000;
  g.programs.push_back(ledger::ProgramParams{"CN-GZ", ledger::Basis::kProvider, 300, 500000000,
                                             1000000000, 31622400000, 31536000000,
                                             10000000000});
  struct Spec {
    const char* name;
    ledger::Role role;
    const char* province;
  };
  const Spec specs[] = {{"gz-reg", ledger::Role::kRegulator, "CN-GZ"},
                        {"bj-reg", ledger::Role::kRegulator, "CN-BJ"},
                        {"gz-prov", ledger::Role::kProvider, "CN-GZ"},
                        {"bj-buyer", ledger::Role::kBuyer, "CN-BJ"},
                        {"gd-buyer", ledger::Role::kBuyer, "CN-GD"}};
  uint8_t k = 1;
  for (const auto& s : specs) {
    actors_.push_back(ClusterActor{s.name, seeded(k, 0x11), s.role, s.province});
    g.participants.push_back(ledger::GenesisParticipant{
        actors_.back().key.pubkey, s.role, s.province, s.name, credit(100 + k), "",
        s.role == ledger::Role::kBuyer ? 1000000000u : 0u});
    ++k;
  }
  std::vector<ledger::KeyPair> node_keys;
  for (size_t i = 0; i < n; ++i) {
    node_keys.push_back(seeded(static_cast<uint8_t>(i + 1), 0x77));
    g.nodes.push_back(ledger::GenesisNode{"n" + std::to_string(i + 1), node_keys.back().pubkey,
                                          "127.0.0.1:" + std::to_string(free_port()),
                                          ledger::NodeRole::kVoter});
  }
  g.hash = genesis::genesis_hash(g);
  nlohmann::json doc = genesis::genesis_to_json(g);
  for (size_t i = 0; i < n; ++i) {
    NodeOptions o;
    o.config.node_id = g.nodes[i].node_id;
    o.config.data_dir = dir + "/" + o.config.node_id;
    o.config.listen = g.nodes[i].address;
    o.genesis = g;
    o.genesis_doc = doc;
    o.key = node_keys[i];
    o.tick_ms = 20;
    o.verify_threads = 2;
    options_.push_back(o);
    nodes_.emplace_back();
  }
}

size_t Cluster::add_joiner(const std::string& node_id) {
  NodeOptions o = options_.at(0);
  o.config.node_id = node_id;
  o.config.data_dir = std::filesystem::path(o.config.data_dir).parent_path().string() + "/" + node_id;
  o.config.listen = "127.0.0.1:" + std::to_string(free_port());
  o.key = seeded(static_cast<uint8_t>(options_.size() + 1), 0x99);
  options_.push_back(o);
  nodes_.emplace_back();
  return options_.size() - 1;
}

Cluster::~Cluster() {
  for (size_t i = 0; i < nodes_.size(); ++i) stop(i);
  // Only once every node (and RocksDB's background threads) has stopped.
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Status Cluster::start(size_t i) {
  auto node = Node::open(options_.at(i));
  if (!node) return node.status();
  nodes_[i] = std::move(*node);
  return nodes_[i]->start();
}

void Cluster::stop(size_t i) {
  if (nodes_.at(i)) nodes_[i]->stop();
  nodes_[i].reset();
}

const ClusterActor& Cluster::actor(const std::string& name) const {
  for (const auto& a : actors_) {
    if (a.name == name) return a;
  }
  throw std::runtime_error("no actor " + name);
}

ledger::Tx Cluster::make(const std::string& signer, ledger::TxType type,
                         ledger::Payload payload) {
  ledger::Tx tx;
  tx.chain_id = genesis().chain_id;
  tx.type = type;
  tx.signer = actor(signer).key.pubkey;
  ++nonce_;
  std::memcpy(tx.nonce.data(), &nonce_, sizeof(nonce_));
  tx.nonce[15] = static_cast<uint8_t>(std::rand());
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  tx.expires_at = static_cast<uint64_t>(now) + 600000;
  tx.payload = std::move(payload);
  ledger::sign_tx(tx, actor(signer).key.seed);
  return tx;
}

std::variant<Hash32, rpc::RpcError> Cluster::submit(size_t i, const ledger::Tx& tx) {
  std::promise<std::variant<Hash32, rpc::RpcError>> p;
  node(i).submit(tx, [&](std::variant<Hash32, rpc::RpcError> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

std::optional<std::string> Cluster::commit(size_t i, const ledger::Tx& tx, int timeout_ms) {
  auto r = submit(i, tx);
  if (!std::holds_alternative<Hash32>(r)) return std::get<rpc::RpcError>(r).message;
  std::promise<bool> p;
  node(i).wait_committed(tx.hash, static_cast<uint32_t>(timeout_ms),
                         [&](bool ok) { p.set_value(ok); });
  if (!p.get_future().get()) return "not committed";
  return std::nullopt;
}

int Cluster::start_all(int timeout_ms) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!start(i)) return -1;
  }
  return wait_leader(timeout_ms);
}

int Cluster::wait_leader(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // A leader, and every running node knows it (so followers can forward).
  while (std::chrono::steady_clock::now() < deadline) {
    int leader = -1;
    std::set<std::string> known;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (!nodes_[i]) continue;
      auto st = nodes_[i]->node_status();
      if (st["role"] == "leader") leader = static_cast<int>(i);
      known.insert(st.value("leader_id", ""));
    }
    if (leader >= 0 && known.size() == 1 && !known.begin()->empty()) return leader;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

bool Cluster::converged(int timeout_ms) {
  return eventually(
      [&] {
        const Node* first = nullptr;
        for (const auto& n : nodes_) {
          if (!n) continue;
          if (!first) first = n.get();
          if (n->applied_height() != first->applied_height() ||
              n->node_status()["state_hash"] != first->node_status()["state_hash"]) {
            return false;
          }
        }
        return true;
      },
      timeout_ms);
}

bool Cluster::has_tx(size_t i, const Hash32& tx_hash) {
  return node(i).state().get(ledger::keys::tx_record(tx_hash)).has_value();
}

bool Cluster::wait_height(size_t i, uint64_t height, int timeout_ms) {
  std::promise<bool> p;
  node(i).wait_height(height, static_cast<uint32_t>(timeout_ms),
                      [&](bool ok) { p.set_value(ok); });
  return p.get_future().get();
}

}  // namespace suanli::node::testing
