// The peer wire (node/handshake.h, node/frame.h, node/snapshot_transfer.h):
// any bytes a peer sends are refused or decoded, never a crash. The first
// byte picks how the rest is read:
//   0: a hello record (u32 length, hello) read by a listener; a hello that
//      decodes re-encodes to its bytes, and a signature from the input after
//      it never verifies;
//   1: a stream of frames under a fixed session key, read as a link reads
//      them (bounded header, then a body that opens or closes the link);
//   2: one frame plaintext: sealed and opened unchanged, refused once a byte
//      is flipped, then dispatched on its kind byte as node/raft_loop.cc does.
//      Decoded snapshot fetches, chunks, file lists, descriptors and
//      forwarded transaction batches re-encode to their bytes; Raft messages
//      to bytes that decode to them again.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/assert.h"
#include "consensus/codec.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "node/frame.h"
#include "node/handshake.h"
#include "node/snapshot_transfer.h"

namespace {

using namespace suanli;
using namespace suanli::node;

constexpr uint8_t kKeyByte = 0x5a;      // the fixed session key's bytes
constexpr uint8_t kGenesisByte = 0x47;  // the listener's genesis hash's bytes

SessionKey session_key() {
  SessionKey k;
  k.fill(kKeyByte);
  return k;
}

void read_hello(std::string_view in) {
  if (in.size() < kHelloHeaderBytes) return;
  auto len = hello_bytes(reinterpret_cast<const uint8_t*>(in.data()));
  if (!len) return;
  in.remove_prefix(kHelloHeaderBytes);
  if (in.size() < *len) return;
  std::string_view hello = in.substr(0, *len);
  auto decoded = decode_hello(hello);
  if (decoded) SUANLI_ASSERT(encode_hello(*decoded) == hello);
  static const ledger::KeyPair key = ledger::keypair_from_seed(std::array<uint8_t, 32>{1});
  Hash32 genesis;
  genesis.fill(kGenesisByte);
  Handshake listener(Handshake::Role::kListener, key, "gz-1", genesis);
  Status st = listener.read_peer_hello(hello);
  SUANLI_ASSERT(!st || decoded);
  if (!st) return;
  SUANLI_ASSERT(listener.peer_hello().genesis_hash == genesis);
  in.remove_prefix(*len);
  if (in.size() < kHandshakeSignatureBytes) return;
  Sig64 sig;
  std::memcpy(sig.data(), in.data(), sig.size());
  // Our ephemeral key is new, so no signature prepared in advance can cover it.
  SUANLI_ASSERT(!listener.read_peer_signature(sig));
}

void dispatch(std::string_view payload) {
  if (payload.empty()) return;
  auto kind = static_cast<FrameKind>(payload[0]);
  std::string_view body = payload.substr(1);
  if (kind == FrameKind::kRaft) {
    auto m = consensus::decode_message(body);
    if (!m) return;
    auto again = consensus::decode_message(consensus::encode_message(*m));
    SUANLI_ASSERT(again && *again == *m);
    if (auto d = decode_descriptor(m->snap_data)) {
      SUANLI_ASSERT(encode_descriptor(*d) == m->snap_data);
    }
  } else if (kind == FrameKind::kTx) {
    (void)ledger::decode_tx(body);
  } else if (kind == FrameKind::kTxBatch) {
    auto txs = decode_tx_batch(body);
    if (!txs) return;
    std::string again;
    append_tx_batch(*txs, &again);
    SUANLI_ASSERT(again == body);
    for (std::string_view tx : *txs) (void)ledger::decode_tx(tx);
  } else if (kind == FrameKind::kSnapFetch) {
    if (auto f = decode_fetch(body)) SUANLI_ASSERT(encode_fetch(*f) == body);
  } else if (kind == FrameKind::kSnapChunk) {
    auto c = decode_chunk(body);
    if (!c) return;
    SUANLI_ASSERT(encode_chunk(*c) == body);
    if (auto files = decode_file_list(c->data)) SUANLI_ASSERT(encode_file_list(*files) == c->data);
  }
}

void read_stream(std::string_view in) {
  FrameOpener opener(session_key());
  while (in.size() >= kFrameHeaderBytes) {
    const auto* header = reinterpret_cast<const uint8_t*>(in.data());
    auto len = FrameOpener::body_bytes(header);
    if (!len) return;  // the link closes
    in.remove_prefix(kFrameHeaderBytes);
    if (in.size() < *len) return;
    std::string payload;
    if (!opener.open(header, in.substr(0, *len), &payload)) return;
    in.remove_prefix(*len);
    dispatch(payload);
  }
}

void seal_and_open(std::string_view plaintext) {
  std::string sealed;
  FrameSealer sealer(session_key());
  sealer.seal(plaintext, &sealed);
  SUANLI_ASSERT(sealed.size() == kFrameHeaderBytes + plaintext.size() + kFrameTagBytes);
  const auto* header = reinterpret_cast<const uint8_t*>(sealed.data());
  std::string_view body = std::string_view(sealed).substr(kFrameHeaderBytes);
  std::string opened;
  {
    FrameOpener opener(session_key());
    SUANLI_ASSERT(opener.open(header, body, &opened) && opened == plaintext);
  }
  // Any one flipped bit (the header is the AEAD's associated data) is refused.
  const size_t at = plaintext.empty() ? 0 : static_cast<uint8_t>(plaintext[0]) % sealed.size();
  sealed[at] = static_cast<char>(sealed[at] ^ 0x01);
  FrameOpener opener(session_key());
  std::string ignored;
  const bool opens = opener.open(header, std::string_view(sealed).substr(kFrameHeaderBytes),
                                 &ignored);
  SUANLI_ASSERT(!opens);
  dispatch(plaintext);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool init = (ledger::crypto_init(), true);
  (void)init;
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: read_hello(in); break;
    case 1: read_stream(in); break;
    default: seal_and_open(in); break;
  }
  return 0;
}
