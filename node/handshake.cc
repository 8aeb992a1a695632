// Peer handshake (see handshake.h for the protocol).
#include "node/handshake.h"

#include <sodium.h>

#include <cstring>

#include "common/assert.h"

namespace suanli::node {
namespace {

static_assert(crypto_kx_PUBLICKEYBYTES == 32 && crypto_kx_SECRETKEYBYTES == 32);
static_assert(crypto_kx_SESSIONKEYBYTES == std::tuple_size_v<SessionKey>);
static_assert(kHelloBytesMax < 256, "hello stays small");

constexpr std::string_view kSigLabel = "suanli-p2p-v1/sig/";
constexpr std::string_view kTranscriptLabel = "suanli-p2p-v1/transcript";

void put_u32(std::string* out, size_t v) {
  SUANLI_ASSERT(v <= UINT32_MAX);
  put_u32_be(*out, static_cast<uint32_t>(v));
}

template <size_t N>
void take(std::string_view* in, std::array<uint8_t, N>* out) {
  std::memcpy(out->data(), in->data(), N);
  in->remove_prefix(N);
}

}  // namespace

bool valid_node_id(std::string_view node_id) {
  if (node_id.empty() || node_id.size() > kNodeIdBytesMax) return false;
  for (char c : node_id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string encode_hello(const Hello& hello) {
  SUANLI_ASSERT(valid_node_id(hello.node_id));
  std::string out(kHandshakeMagic, kHandshakeMagicBytes);
  out += as_view(hello.genesis_hash);
  out += as_view(hello.node_key);
  out += as_view(hello.kx_key);
  out.push_back(static_cast<char>(hello.node_id.size()));
  out += hello.node_id;
  SUANLI_ASSERT(out.size() <= kHelloBytesMax);
  return out;
}

Result<Hello> decode_hello(std::string_view in) {
  constexpr size_t kFixed = kHandshakeMagicBytes + 3 * 32 + 1;
  if (in.size() < kFixed || in.size() > kHelloBytesMax) {
    return Status::error("bad_hello", "hello has a bad size");
  }
  if (in.substr(0, kHandshakeMagicBytes) != std::string_view(kHandshakeMagic)) {
    return Status::error("bad_hello", "bad magic or protocol version");
  }
  in.remove_prefix(kHandshakeMagicBytes);
  Hello hello;
  take(&in, &hello.genesis_hash);
  take(&in, &hello.node_key);
  take(&in, &hello.kx_key);
  const size_t id_len = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (in.size() != id_len || !valid_node_id(in)) {
    return Status::error("bad_hello", "bad node_id");
  }
  hello.node_id = std::string(in);
  return hello;
}

std::optional<size_t> hello_bytes(const uint8_t* header) {
  const size_t len = (size_t{header[0]} << 24) | (size_t{header[1]} << 16) |
                     (size_t{header[2]} << 8) | size_t{header[3]};
  if (len == 0 || len > kHelloBytesMax) return std::nullopt;
  return len;
}

Handshake::Handshake(Role role, const ledger::KeyPair& key, std::string node_id,
                     const Hash32& genesis)
    : role_(role), key_(key) {
  ledger::crypto_init();
  mine_.node_id = std::move(node_id);
  mine_.genesis_hash = genesis;
  mine_.node_key = key.pubkey;
  int rc = crypto_kx_keypair(mine_.kx_key.data(), kx_secret_.data());
  SUANLI_ASSERT(rc == 0);
  hello_ = encode_hello(mine_);
  put_u32(&hello_record_, hello_.size());
  hello_record_ += hello_;
}

Handshake::~Handshake() {
  sodium_memzero(kx_secret_.data(), kx_secret_.size());
  sodium_memzero(key_.seed.data(), key_.seed.size());
  sodium_memzero(key_.secret.data(), key_.secret.size());
  sodium_memzero(keys_.rx.data(), keys_.rx.size());
  sodium_memzero(keys_.tx.data(), keys_.tx.size());
}

Status Handshake::read_peer_hello(std::string_view hello) {
  SUANLI_ASSERT(!have_peer_);
  auto decoded = decode_hello(hello);
  if (!decoded) return decoded.status();
  if (decoded->genesis_hash != mine_.genesis_hash) {
    return Status::error("genesis_mismatch", "peer runs another genesis");
  }
  if (decoded->node_key == mine_.node_key || decoded->kx_key == mine_.kx_key) {
    return Status::error("self_connection", "peer presented our own key");
  }
  peer_ = std::move(*decoded);
  peer_hello_ = std::string(hello);
  const std::string& dialer = role_ == Role::kDialer ? hello_ : peer_hello_;
  const std::string& listener = role_ == Role::kDialer ? peer_hello_ : hello_;
  ledger::Blake2b h;
  h.update(kTranscriptLabel);
  std::string len;
  put_u32(&len, dialer.size());
  h.update(len);
  h.update(dialer);
  len.clear();
  put_u32(&len, listener.size());
  h.update(len);
  h.update(listener);
  transcript_ = h.finish();
  have_peer_ = true;
  return Status::ok();
}

std::string Handshake::signed_message(Role signer) const {
  std::string msg(kSigLabel);
  msg += signer == Role::kDialer ? "dialer/" : "listener/";
  msg += as_view(transcript_);
  return msg;
}

Sig64 Handshake::signature() const {
  SUANLI_ASSERT(have_peer_);
  return ledger::ed25519_sign(key_, signed_message(role_));
}

Status Handshake::read_peer_signature(const Sig64& signature) {
  SUANLI_ASSERT(have_peer_);
  const Role peer_role = role_ == Role::kDialer ? Role::kListener : Role::kDialer;
  if (!ledger::ed25519_verify(peer_.node_key, signature, signed_message(peer_role))) {
    return Status::error("bad_signature", "handshake signature does not verify");
  }
  int rc =
      role_ == Role::kDialer
          ? crypto_kx_client_session_keys(keys_.rx.data(), keys_.tx.data(), mine_.kx_key.data(),
                                          kx_secret_.data(), peer_.kx_key.data())
          : crypto_kx_server_session_keys(keys_.rx.data(), keys_.tx.data(), mine_.kx_key.data(),
                                          kx_secret_.data(), peer_.kx_key.data());
  if (rc != 0) return Status::error("bad_kx_key", "peer's ephemeral key is unusable");
  return Status::ok();
}

}  // namespace suanli::node
