// Wallet keystore files (wallet/keystore.h): any file contents are refused or
// parsed, never a crash, and a file never gets a KDF cost outside the bounds
// (a crafted file must not make the wallet allocate gigabytes). Files that
// ask for a cheap cost are also decrypted with the seed corpus's password;
// a key that comes out is the one whose pubkey the file shows.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/assert.h"
#include "ledger/crypto.h"
#include "wallet/keystore.h"

namespace {

// What the seed corpus's keystores were written with.
constexpr const char* kPassword = "fuzz-keystore-password";
// Larger costs are valid but would make each run slow.
constexpr uint64_t kCheapMemBytes = 256 * 1024;
constexpr uint64_t kCheapOps = 2;
// Keystore::info and unlock read at most this much (kKeystoreBytesMax).
constexpr size_t kFileBytesMax = 4096;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace suanli;
  static bool init = (ledger::crypto_init(), true);
  (void)init;
  if (size > kFileBytesMax) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto info = wallet::parse_keystore(text, "fuzz.json");
  if (!info) return 0;
  SUANLI_ASSERT(info->opslimit >= crypto_pwhash_OPSLIMIT_MIN &&
                info->opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE);
  SUANLI_ASSERT(info->memlimit >= crypto_pwhash_MEMLIMIT_MIN &&
                info->memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE);
  if (info->opslimit > kCheapOps || info->memlimit > kCheapMemBytes) return 0;
  auto key = wallet::decrypt_keystore(text, kPassword, "fuzz", "fuzz.json");
  if (key) SUANLI_ASSERT(key->pubkey == info->pubkey);
  return 0;
}
