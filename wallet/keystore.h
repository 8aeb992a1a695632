// The wallet's keystore: one JSON file per key, DIR/<name>.json, mode 0600.
//
// The 32-byte Ed25519 seed is encrypted with XChaCha20-Poly1305 (libsodium
// crypto_aead_xchacha20poly1305_ietf) under a key derived from the password
// with Argon2id (crypto_pwhash, ALG_ARGON2ID13). The public key and the KDF
// parameters are stored in clear; the seed never is. The pubkey is the
// associated data, so a file whose pubkey was edited does not decrypt.
//
//   {"version": 1, "pubkey": "<64 hex>",
//    "kdf": {"name": "argon2id13", "opslimit": 2, "memlimit": 67108864,
//            "salt": "<32 hex>"},
//    "cipher": {"name": "xchacha20poly1305-ietf", "nonce": "<48 hex>",
//               "ciphertext": "<96 hex>"}}
//
// Not thread-safe with respect to one directory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ledger/crypto.h"

namespace suanli::wallet {

// Argon2id cost. kInteractive is libsodium's INTERACTIVE (64 MiB, 2 passes);
// kTestOnly is libsodium's minimum and exists only so tests run fast (set by
// the environment variable SUANLI_WALLET_TEST_KDF=1, never for real keys).
enum class KdfCost { kInteractive, kTestOnly };
KdfCost kdf_cost_from_env();

struct KeyInfo {
  std::string name;
  std::string path;
  PubKey pubkey{};
  uint64_t opslimit = 0;
  uint64_t memlimit = 0;
};

class Keystore {
 public:
  explicit Keystore(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  std::string path_of(const std::string& name) const;

  // Errors: "invalid_name" (names are 1..64 of [A-Za-z0-9._-], not starting
  // with '.'), "already_exists", "io_error".
  Status create(const std::string& name, const ledger::KeyPair& key, const std::string& password,
                KdfCost cost) const;
  // Public information only; no password needed. "not_found", "invalid_keystore".
  Result<KeyInfo> info(const std::string& name) const;
  // Every key in the directory, sorted by name; files that are not keystores
  // are skipped. An absent directory is an empty keystore.
  Result<std::vector<KeyInfo>> list() const;
  // Decrypts. "wrong_password" when authentication fails (a wrong password or
  // a tampered file), "not_found", "invalid_keystore", "insecure_keystore"
  // (the file is readable by group or others).
  Result<ledger::KeyPair> unlock(const std::string& name, const std::string& password) const;

 private:
  std::string dir_;
};

bool is_key_name(const std::string& name);

// A keystore file's contents, apart from the file system (Keystore::info and
// unlock read the file, then call these; `path` and `name` only label errors).
// parse_keystore checks the shape and the KDF cost bounds and gives the public
// information (name left empty); "invalid_keystore". decrypt_keystore also runs
// Argon2id at the file's (bounded) cost and decrypts; "invalid_keystore",
// "wrong_password".
Result<KeyInfo> parse_keystore(std::string_view text, const std::string& path);
Result<ledger::KeyPair> decrypt_keystore(std::string_view text, const std::string& password,
                                         const std::string& name, const std::string& path);

}  // namespace suanli::wallet
