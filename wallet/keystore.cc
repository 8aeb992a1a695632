#include "wallet/keystore.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "wallet/secure_file.h"

namespace suanli::wallet {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr size_t kKeystoreBytesMax = 4096;
constexpr size_t kSeedBytes = 32;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kCipherBytes = kSeedBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::string_view kAdPrefix = "suanli-keystore-v1\n";
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);

std::string associated_data(const PubKey& pubkey) {
  return std::string(kAdPrefix) + to_hex(pubkey);
}

// A file's KDF cost must be within libsodium's bounds, and no more than
// SENSITIVE: a crafted file must not make the wallet allocate gigabytes.
bool kdf_cost_ok(uint64_t ops, uint64_t mem) {
  return ops >= crypto_pwhash_OPSLIMIT_MIN && ops <= crypto_pwhash_OPSLIMIT_SENSITIVE &&
         mem >= crypto_pwhash_MEMLIMIT_MIN && mem <= crypto_pwhash_MEMLIMIT_SENSITIVE;
}

Status derive_key(const std::string& password,
                  const std::array<uint8_t, crypto_pwhash_SALTBYTES>& salt, uint64_t ops,
                  uint64_t mem, std::array<uint8_t, 32>& key) {
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), salt.data(), ops,
                    static_cast<size_t>(mem), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::error("io_error", "Argon2id ran out of memory");
  }
  return Status::ok();
}

struct Parsed {
  KeyInfo info;
  std::array<uint8_t, crypto_pwhash_SALTBYTES> salt{};
  std::array<uint8_t, kNonceBytes> nonce{};
  std::array<uint8_t, kCipherBytes> cipher{};
};

Result<Parsed> parse_text(std::string_view text, const std::string& path) {
  auto bad = [&](const std::string& what) {
    return Status::error("invalid_keystore", path + ": " + what);
  };
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  Parsed p;
  p.info.path = path;
  try {
    // Numbers are read only once known to be unsigned integers: converting a
    // float out of range (1e300) is undefined behaviour, and 2.5 is no cost.
    const json& version = j.at("version");
    if (!version.is_number_unsigned() || version.get<uint64_t>() != 1) {
      return bad("unsupported version");
    }
    auto pk = from_hex_array<32>(j.at("pubkey").get<std::string>());
    const json& kdf = j.at("kdf");
    const json& cipher = j.at("cipher");
    if (kdf.at("name") != "argon2id13") return bad("kdf.name must be argon2id13");
    if (cipher.at("name") != "xchacha20poly1305-ietf") {
      return bad("cipher.name must be xchacha20poly1305-ietf");
    }
    const json& ops = kdf.at("opslimit");
    const json& mem = kdf.at("memlimit");
    if (!ops.is_number_unsigned() || !mem.is_number_unsigned()) {
      return bad("kdf.opslimit and kdf.memlimit must be non-negative integers");
    }
    p.info.opslimit = ops.get<uint64_t>();
    p.info.memlimit = mem.get<uint64_t>();
    auto salt = from_hex_array<crypto_pwhash_SALTBYTES>(kdf.at("salt").get<std::string>());
    auto nonce = from_hex_array<kNonceBytes>(cipher.at("nonce").get<std::string>());
    auto ct = from_hex_array<kCipherBytes>(cipher.at("ciphertext").get<std::string>());
    if (!pk) return bad("pubkey must be 64 hex characters");
    if (!salt || !nonce || !ct) return bad("salt, nonce or ciphertext has the wrong length");
    if (!kdf_cost_ok(p.info.opslimit, p.info.memlimit)) return bad("kdf cost out of range");
    p.info.pubkey = *pk;
    p.salt = *salt;
    p.nonce = *nonce;
    p.cipher = *ct;
  } catch (const json::exception& e) {
    return bad(std::string("missing or mistyped member (") + e.what() + ")");
  }
  return p;
}

Result<std::string> read_keystore(const std::string& path, bool private_only) {
  auto text = read_small_file(path, kKeystoreBytesMax, private_only);
  if (!text && text.status().code() == "insecure_file") {
    return Status::error("insecure_keystore", text.status().message());
  }
  return text;
}

}  // namespace

KdfCost kdf_cost_from_env() {
  const char* v = std::getenv("SUANLI_WALLET_TEST_KDF");
  return v != nullptr && std::string(v) == "1" ? KdfCost::kTestOnly : KdfCost::kInteractive;
}

bool is_key_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string Keystore::path_of(const std::string& name) const {
  return (fs::path(dir_) / (name + ".json")).string();
}

Status Keystore::create(const std::string& name, const ledger::KeyPair& key,
                        const std::string& password, KdfCost cost) const {
  if (!is_key_name(name)) {
    return Status::error("invalid_name", "key name '" + name +
                                             "' must be 1..64 of A-Z a-z 0-9 . _ - "
                                             "and not start with '.'");
  }
  std::error_code ec;
  if (!fs::exists(dir_, ec)) {
    fs::create_directories(dir_, ec);
    if (ec) return Status::error("io_error", "create " + dir_ + ": " + ec.message());
    fs::permissions(dir_, fs::perms::owner_all, ec);
  }
  uint64_t ops =
      cost == KdfCost::kTestOnly ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  uint64_t mem =
      cost == KdfCost::kTestOnly ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  std::array<uint8_t, crypto_pwhash_SALTBYTES> salt{};
  std::array<uint8_t, kNonceBytes> nonce{};
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  std::array<uint8_t, 32> k{};
  if (Status s = derive_key(password, salt, ops, mem, k); !s) return s;
  std::array<uint8_t, kCipherBytes> ct{};
  std::string ad = associated_data(key.pubkey);
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(ct.data(), &ct_len, key.seed.data(), key.seed.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()),
                                             ad.size(), nullptr, nonce.data(), k.data());
  sodium_memzero(k.data(), k.size());
  SUANLI_ASSERT(ct_len == ct.size());
  json j = {
      {"version", 1},
      {"pubkey", to_hex(key.pubkey)},
      {"kdf",
       {{"name", "argon2id13"}, {"opslimit", ops}, {"memlimit", mem}, {"salt", to_hex(salt)}}},
      {"cipher",
       {{"name", "xchacha20poly1305-ietf"}, {"nonce", to_hex(nonce)}, {"ciphertext", to_hex(ct)}}}};
  return write_new_file(path_of(name), j.dump(2) + "\n", 0600);
}

Result<KeyInfo> Keystore::info(const std::string& name) const {
  if (!is_key_name(name)) {
    return Status::error("not_found", "'" + name + "' is not a key name");
  }
  auto text = read_keystore(path_of(name), false);
  if (!text) {
    if (text.status().code() == "not_found") {
      return Status::error("not_found", "no key named '" + name + "' in " + dir_);
    }
    return text.status();
  }
  auto i = parse_keystore(*text, path_of(name));
  if (i) i->name = name;
  return i;
}

Result<std::vector<KeyInfo>> Keystore::list() const {
  std::vector<KeyInfo> out;
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const fs::path& p = entry.path();
    if (p.extension() != ".json" || !entry.is_regular_file()) continue;
    std::string name = p.stem().string();
    if (!is_key_name(name)) continue;
    auto i = info(name);
    if (i) out.push_back(*i);
  }
  if (ec) return Status::error("io_error", "list " + dir_ + ": " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  return out;
}

Result<ledger::KeyPair> Keystore::unlock(const std::string& name,
                                         const std::string& password) const {
  auto i = info(name);  // names the key in "not found" errors
  if (!i) return i.status();
  auto text = read_keystore(i->path, true);
  if (!text) return text.status();
  return decrypt_keystore(*text, password, name, i->path);
}

Result<KeyInfo> parse_keystore(std::string_view text, const std::string& path) {
  auto p = parse_text(text, path);
  if (!p) return p.status();
  return p->info;
}

Result<ledger::KeyPair> decrypt_keystore(std::string_view text, const std::string& password,
                                         const std::string& name, const std::string& path) {
  auto p = parse_text(text, path);
  if (!p) return p.status();
  std::array<uint8_t, 32> k{};
  if (Status s = derive_key(password, p->salt, p->info.opslimit, p->info.memlimit, k); !s) {
    return s;
  }
  std::array<uint8_t, 32> seed{};
  unsigned long long seed_len = 0;
  std::string ad = associated_data(p->info.pubkey);
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      seed.data(), &seed_len, nullptr, p->cipher.data(), p->cipher.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), p->nonce.data(), k.data());
  sodium_memzero(k.data(), k.size());
  if (rc != 0 || seed_len != seed.size()) {
    return Status::error("wrong_password",
                         "wrong password for key '" + name + "' (or " + path + " was altered)");
  }
  ledger::KeyPair key = ledger::keypair_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  if (key.pubkey != p->info.pubkey) {
    return Status::error("invalid_keystore", path + ": the seed does not match the pubkey");
  }
  return key;
}

}  // namespace suanli::wallet
