// JSON-RPC request handling (rpc/http_handler.h, the server's code path apart
// from sockets): any POST body gets a JSON-RPC response (an object or a batch
// array, each answer with jsonrpc "2.0", an id and exactly one of result and
// error with an integer code and a message) or, for notifications only, no
// body at all; never a crash. Read methods answer from a ledger state holding
// participants, a settled and vouchered contract, a second contract, blocks
// and a proposal; tx_submit decodes and checks the transaction; operator
// methods run with the right token.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/assert.h"
#include "ledger/mem_kv.h"
#include "ledger/overlay.h"
#include "ledger/store.h"
#include "rpc/http_handler.h"
#include "tests/rpc/rpc_test_util.h"

namespace {

using namespace suanli;
using nlohmann::json;
using ledger::TxType;

constexpr const char* kToken = "fuzz-token";

// A node stand-in over a fixed state that answers at once: a wait is over
// (or timed out) when it is asked, so no input makes a run wait.
class StillService final : public rpc::Service {
 public:
  StillService(ledger::MemKv state, uint64_t height, json status, json genesis)
      : state_(std::move(state)),
        height_(height),
        status_(std::move(status)),
        genesis_(std::move(genesis)) {}

  void submit(ledger::Tx tx, std::function<void(std::variant<Hash32, rpc::RpcError>)> done) override {
    if (committed(tx.hash)) {
      return done(rpc::RpcError{rpc::errc::kDuplicate, "already committed", nullptr});
    }
    done(tx.hash);
  }
  void wait_committed(const Hash32& tx_hash, uint32_t, std::function<void(bool)> done) override {
    done(committed(tx_hash));
  }
  void wait_height(uint64_t height, uint32_t, std::function<void(bool)> done) override {
    done(height <= height_);
  }
  const ledger::KvRead& state() const override { return state_; }
  uint64_t applied_height() const override { return height_; }
  rpc::LocalTxState local_tx(const Hash32&, std::string*) const override {
    return rpc::LocalTxState::kUnknown;
  }
  uint64_t add_applied_listener(rpc::AppliedListener) override { return 1; }
  void remove_applied_listener(uint64_t) override {}
  uint64_t signature_verifications() const override { return 0; }
  json node_status() const override { return status_; }
  json chain_genesis() const override { return genesis_; }
  Status transfer_leadership(const std::string&) override { return Status::ok(); }
  Status take_snapshot() override { return Status::ok(); }
  Status set_log_level(const std::string&) override { return Status::ok(); }
  Result<nlohmann::json> backup(const std::string&) override {
    return Status::error("invalid_argument", "no backups here");
  }

 private:
  bool committed(const Hash32& hash) const {
    ledger::Overlay kv(state_);
    return ledger::StateStore(kv).tx_record(hash).has_value();
  }
  ledger::MemKv state_;
  uint64_t height_;
  json status_;
  json genesis_;
};

// The rpc tests' fake node runs the ledger harness through a small story;
// its final state (with block records) becomes the StillService's.
std::unique_ptr<StillService> make_service() {
  rpc::testing::FakeService fake;
  auto& h = fake.harness();
  PubKey prov = h.actor("gz-prov").key.pubkey;
  ledger::Resource res{ledger::ResourceClass::kIntelligent, "A800",
                       ledger::ResourceUnit::kCardHour};
  Id16 c = h.new_contract_id();
  uint64_t deadline = h.time() + 30 * ledger::testing::kDayMs;
  fake.ok("bj-buyer", TxType::kContractCreate,
          ledger::ContractCreate{c, prov, res, 50, 2000000, deadline, {}});
  fake.ok("gz-prov", TxType::kContractAccept, ledger::ContractRef{c});
  Hash32 evidence{};
  evidence.fill(0x5e);
  fake.ok("gz-prov", TxType::kDeliveryReport, ledger::DeliveryReport{c, 50, evidence});
  fake.ok("bj-buyer", TxType::kDeliveryAck, ledger::DeliveryRef{c, 1});
  fake.ok("bj-buyer", TxType::kContractClose, ledger::ContractRef{c});
  fake.ok("bj-buyer", TxType::kVoucherApply, ledger::VoucherApply{c, "CN-GZ"});
  fake.ok("gz-reg", TxType::kVoucherIssue, ledger::ContractRef{c});
  fake.ok("sh-buyer", TxType::kContractCreate,
          ledger::ContractCreate{h.new_contract_id(), prov, res, 7, 900, deadline, {}});
  fake.ok("gz-reg", TxType::kSettlementClose, ledger::SettlementClose{});
  fake.ok("gz-reg", TxType::kNodePropose,
          ledger::NodePropose{ledger::NodeAction::kAddLearner, "gz-9",
                              h.actor("gz-buyer").key.pubkey, "127.0.0.1:7609"});
  ledger::WriteSet all;
  for (const auto& [k, v] : fake.snapshot()) all[k] = v;
  ledger::MemKv state;
  state.commit(all);
  return std::make_unique<StillService>(std::move(state), fake.applied_height(),
                                        fake.node_status(), fake.chain_genesis());
}

bool is_answer(const json& r) {
  if (!r.is_object() || r.value("jsonrpc", "") != "2.0" || !r.contains("id")) return false;
  const json& id = r["id"];
  if (!id.is_null() && !id.is_string() && !id.is_number()) return false;
  if (r.contains("result") == r.contains("error")) return false;
  if (r.contains("error")) {
    const json& e = r["error"];
    if (!e.is_object() || !e.contains("code") || !e["code"].is_number_integer() ||
        !e.contains("message") || !e["message"].is_string()) {
      return false;
    }
  }
  return r.size() == 3;
}

// A body answered with nothing held only notifications: requests without an id.
bool only_notifications(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  auto notification = [](const json& r) { return r.is_object() && !r.contains("id"); };
  if (doc.is_object()) return notification(doc);
  if (!doc.is_array() || doc.empty()) return false;
  for (const json& r : doc) {
    if (!notification(r)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<StillService> service = make_service();
  static std::unique_ptr<rpc::HttpHandler> handler = [] {
    rpc::Options options;
    options.token = kToken;
    return std::make_unique<rpc::HttpHandler>(*service, options);
  }();
  rpc::HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.content_type = "application/json";
  request.authorization = std::string("Bearer ") + kToken;
  request.body.assign(reinterpret_cast<const char*>(data), size);
  const std::string body = request.body;

  // The server's strand, run to the end: every callback the service posted.
  std::deque<std::function<void()>> strand;
  rpc::Post post = [&strand](std::function<void()> fn) { strand.push_back(std::move(fn)); };
  int replies = 0;
  rpc::HttpReply reply;
  handler->handle(std::move(request), post, [&](rpc::HttpReply r) {
    ++replies;
    reply = std::move(r);
  });
  while (!strand.empty()) {
    auto fn = std::move(strand.front());
    strand.pop_front();
    fn();
  }
  SUANLI_ASSERT(replies == 1);
  if (reply.status == 204) {
    SUANLI_ASSERT(reply.body.empty() && only_notifications(body));
    return 0;
  }
  SUANLI_ASSERT(reply.status == 200);
  json response = json::parse(reply.body, nullptr, false);
  if (response.is_array()) {
    SUANLI_ASSERT(!response.empty());
    for (const json& r : response) SUANLI_ASSERT(is_answer(r));
  } else {
    SUANLI_ASSERT(is_answer(response));
  }
  return 0;
}
