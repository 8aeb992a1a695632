#include "genesis/devnet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/money.h"
#include "common/random.h"
#include "genesis/genesis.h"
#include "genesis/node_config.h"
#include "ledger/crypto.h"
#include "ledger/validate.h"
#include "wallet/keystore.h"
#include "wallet/secure_file.h"

namespace suanli::genesis {
namespace {

namespace fs = std::filesystem;
using ledger::Role;

struct DemoEntity {
  std::string_view key_name;
  Role role;
  std::string_view province;
  std::string_view name;
  std::string_view first17;  // credit code without its check character
  uint64_t balance;
};

constexpr uint64_t kBuyerBalanceFen = 5000000000;  // ¥50,000,000.00

// Regulators of the two programmes, Guizhou providers and buyers in Beijing,
// Guangdong and Shanghai (API.md "Command line"). Names are fictional except
// the two regulators; credit codes use the real region codes.
constexpr std::array<DemoEntity, 7> kDemoEntities = {{
    {"gz-regulator", Role::kRegulator, "CN-GZ", "贵州省大数据发展管理局", "11520000MB1742085", 0},
    {"bj-regulator", Role::kRegulator, "CN-BJ", "北京市经济和信息化局", "11110000MB0187652", 0},
    {"gz-supercomputing", Role::kProvider, "CN-GZ", "贵州黔云超级计算中心有限公司",
     "91520000MA6DQ2R81", 0},
    {"gz-intelligent", Role::kProvider, "CN-GZ", "贵安新区智算科技有限公司", "91520000MA7K4TW53",
     0},
    {"bj-ai", Role::kBuyer, "CN-BJ", "北京星河智能科技有限公司", "91110108MA01XY2E7",
     kBuyerBalanceFen},
    {"gd-robotics", Role::kBuyer, "CN-GD", "深圳灵犀机器人有限公司", "91440300MA5GL8N3P",
     kBuyerBalanceFen},
    {"sh-biotech", Role::kBuyer, "CN-SH", "上海启元生物科技有限公司", "91310115MA1HB7C4K",
     kBuyerBalanceFen},
}};

// API.md's example policy and programmes.
ledger::Policy demo_policy() {
  ledger::Policy p;
  p.max_tx_validity_ms = 3600000;
  p.ack_window_ms = 86400000;
  p.max_block_txs = 8192;
  p.max_block_bytes = 8388608;
  p.membership_approvals = 2;
  return p;
}

std::vector<ledger::ProgramParams> demo_programs() {
  ledger::ProgramParams gz;
  gz.province = "CN-GZ";
  gz.basis = ledger::Basis::kProvider;
  gz.rate_bps = 300;
  gz.max_per_voucher = 500000000;
  gz.max_per_buyer_per_year = 1000000000;
  gz.max_term_ms = 31622400000;
  gz.validity_ms = 31536000000;
  gz.budget = 10000000000;
  ledger::ProgramParams bj;
  bj.province = "CN-BJ";
  bj.basis = ledger::Basis::kBuyer;
  bj.rate_bps = 2000;
  bj.max_per_voucher = 200000000;
  bj.max_per_buyer_per_year = 200000000;
  bj.max_term_ms = 31622400000;
  bj.validity_ms = 31536000000;
  bj.budget = 5000000000;
  return {gz, bj};
}

std::string node_id_for(int index) {  // 0-based: gz-1, gz-2, bj-1, gz-3, gz-4, bj-2, ...
  int round = index / 3;
  if (index % 3 == 2) return "bj-" + std::to_string(round + 1);
  return "gz-" + std::to_string(2 * round + index % 3 + 1);
}

uint64_t now_ms() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

Status check_options(const DevnetOptions& o) {
  if (o.nodes < 1 || o.nodes > kDevnetNodesMax) {
    return Status::error("invalid_argument",
                         "--nodes must be 1.." + std::to_string(kDevnetNodesMax));
  }
  if (!is_chain_id(o.chain_id)) {
    return Status::error("invalid_argument",
                         "--chain-id must be 1..64 printable ASCII characters without spaces");
  }
  if (o.genesis_time > kAmountMax) {
    return Status::error("invalid_argument", "--genesis-time must be 0..2^53-1");
  }
  if (o.out_dir.empty()) return Status::error("invalid_argument", "--out is required");
  if (o.base_port == 0 || o.base_port + o.nodes > 65535 || o.rpc_base_port == 0 ||
      o.rpc_base_port + o.nodes > 65535) {
    return Status::error("invalid_argument", "ports out of range");
  }
  int peer_lo = o.base_port + 1, peer_hi = o.base_port + o.nodes;
  int rpc_lo = o.rpc_base_port + 1, rpc_hi = o.rpc_base_port + o.nodes;
  if (peer_lo <= rpc_hi && rpc_lo <= peer_hi) {
    return Status::error("invalid_argument", "peer and RPC port ranges overlap");
  }
  return Status::ok();
}

Status prepare_out_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return Status::error("already_exists", dir.string() + " exists and is not a directory");
    }
    if (!fs::is_empty(dir, ec) || ec) {
      return Status::error("already_exists", dir.string() + " is not empty; refusing to overwrite");
    }
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::error("io_error", "create " + dir.string() + ": " + ec.message());
  return Status::ok();
}

std::string random_token() {
  std::array<uint8_t, 16> raw{};
  randombytes_buf(raw.data(), raw.size());
  return to_hex(raw);
}

// Where a participant's key goes: a wallet keystore (or, for tests, a clear key file).
class ParticipantKeyWriter {
 public:
  ParticipantKeyWriter(const DevnetOptions& o, const fs::path& dir)
      : clear_(o.clear_participant_keys),
        dir_(dir),
        keystore_((dir / kDevnetKeystoreDir).string()) {}

  Status init() {
    if (clear_) {
      std::error_code ec;
      fs::create_directories(dir_ / "keys", ec);
      if (ec) return Status::error("io_error", "create " + (dir_ / "keys").string());
      return Status::ok();
    }
    password_ = "devnet-" + random_token();
    return wallet::write_new_file((dir_ / kDevnetPasswordFile).string(), password_ + "\n", 0600);
  }
  Status write(const std::string& name, const ledger::KeyPair& key) {
    if (clear_) return write_node_key((dir_ / "keys" / (name + ".key.json")).string(), key);
    return keystore_.create(name, key, password_, wallet::kdf_cost_from_env());
  }
  ~ParticipantKeyWriter() { wallet::wipe(password_); }

 private:
  bool clear_;
  fs::path dir_;
  wallet::Keystore keystore_;
  std::string password_;
};

// Builds the genesis document; writes participant keys as it makes them.
Result<ledger::Genesis> build_genesis(const DevnetOptions& o, const fs::path& dir,
                                      DevnetResult& out, std::vector<ledger::KeyPair>& node_keys) {
  ParticipantKeyWriter keys(o, dir);
  if (Status s = keys.init(); !s) return s;
  ledger::Genesis g;
  g.chain_id = o.chain_id;
  g.genesis_time = o.genesis_time != 0 ? o.genesis_time : now_ms();
  g.policy = demo_policy();
  g.programs = demo_programs();
  for (const DemoEntity& e : kDemoEntities) {
    ledger::KeyPair key = ledger::keypair_from_seed(random_seed32());
    Status s = keys.write(std::string(e.key_name), key);
    sodium_memzero(key.seed.data(), key.seed.size());
    sodium_memzero(key.secret.data(), key.secret.size());
    if (!s) return s;
    ledger::GenesisParticipant p;
    p.pubkey = key.pubkey;
    p.role = e.role;
    p.province = e.province;
    p.name = e.name;
    p.credit_code = make_credit_code(e.first17);
    p.balance = e.balance;
    g.participants.push_back(p);
    out.participants.push_back({std::string(e.key_name), p});
  }
  for (int i = 0; i < o.nodes; ++i) {
    ledger::KeyPair key = ledger::keypair_from_seed(random_seed32());
    ledger::GenesisNode n;
    n.node_id = node_id_for(i);
    n.pubkey = key.pubkey;
    n.address = "127.0.0.1:" + std::to_string(o.base_port + i + 1);
    n.role = ledger::NodeRole::kVoter;
    g.nodes.push_back(n);
    node_keys.push_back(key);
  }
  return g;
}

Status write_nodes(const DevnetOptions& o, const fs::path& dir, const ledger::Genesis& g,
                   const std::vector<ledger::KeyPair>& node_keys, DevnetResult& out) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ledger::GenesisNode& n = g.nodes[i];
    Status s = write_node_key((dir / (n.node_id + ".key.json")).string(), node_keys[i]);
    if (!s) return s;
    DevnetNode node;
    node.node_id = n.node_id;
    node.listen = n.address;
    node.rpc = "127.0.0.1:" + std::to_string(o.rpc_base_port + static_cast<int>(i) + 1);
    node.config_path = (dir / (n.node_id + ".json")).string();
    nlohmann::json config = {{"node_id", n.node_id},        {"data_dir", "data/" + n.node_id},
                             {"genesis", "genesis.json"},   {"key_file", n.node_id + ".key.json"},
                             {"listen", node.listen},       {"rpc", node.rpc},
                             {"rpc_token", random_token()}, {"log_level", "info"}};
    s = wallet::write_new_file(node.config_path, config.dump(2) + "\n", 0600);
    if (!s) return s;
    out.nodes.push_back(std::move(node));
  }
  return Status::ok();
}

}  // namespace

std::optional<uint16_t> free_port_block(uint16_t lo, uint16_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto base = static_cast<uint16_t>(lo + (rng() % blocks) * 16);
    bool ok = true;
    for (int p = 1; p <= 16 && ok; ++p) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(base + p));
      ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
      if (fd >= 0) ::close(fd);
    }
    if (ok) return base;
  }
  return std::nullopt;
}

std::string make_credit_code(std::string_view first17) {
  SUANLI_ASSERT(first17.size() == 17);
  return std::string(first17) + ledger::credit_code_check_char(first17);
}

Result<DevnetResult> write_devnet(const DevnetOptions& options) {
  Status s = check_options(options);
  if (!s) return s;
  fs::path dir = fs::path(options.out_dir);
  if (s = prepare_out_dir(dir); !s) return s;
  DevnetResult out;
  std::vector<ledger::KeyPair> node_keys;
  auto g = build_genesis(options, dir, out, node_keys);
  if (!g) return g.status();
  // Round-trip through the parser: what we write is what every node will accept.
  std::string text = genesis_to_json(*g).dump(2) + "\n";
  auto parsed = parse_genesis(text);
  if (!parsed) return parsed.status();
  out.genesis = std::move(*parsed);
  out.genesis_path = (dir / "genesis.json").string();
  if (s = wallet::write_new_file(out.genesis_path, text, 0644); !s) return s;
  if (s = write_nodes(options, dir, out.genesis, node_keys, out); !s) return s;
  for (auto& k : node_keys) {
    sodium_memzero(k.seed.data(), k.seed.size());
    sodium_memzero(k.secret.data(), k.secret.size());
  }
  return out;
}

}  // namespace suanli::genesis
