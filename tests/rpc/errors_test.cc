// Malformed and hostile requests over real HTTP: each gets its exact JSON-RPC
// error, the server keeps serving and nothing reaches the ledger.
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/codec.h"
#include "tests/rpc/rpc_test_util.h"

namespace suanli::rpc::testing {
namespace {

using ledger::TxType;

struct Case {
  Case(std::string n, std::string b, unsigned s, int c, std::optional<std::string> f = std::nullopt,
       std::map<std::string, std::string> h = {}, std::string ct = "application/json")
      : name(std::move(n)),
        body(std::move(b)),
        http_status(s),
        code(c),
        field(std::move(f)),
        headers(std::move(h)),
        content_type(std::move(ct)) {}
  std::string name;
  std::string body;
  unsigned http_status = 200;
  int code = 0;
  std::optional<std::string> field;  // expected data.field
  std::map<std::string, std::string> headers;
  std::string content_type;
};

std::string request(const std::string& method, const std::string& params_text) {
  return R"({"jsonrpc":"2.0","id":7,"method":")" + method + R"(","params":)" + params_text + "}";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from << " not in " << s;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

class RpcErrorsTest : public RpcFixture {
 protected:
  // A valid signed deposit's JSON text (keys sorted, compact).
  std::string deposit_text() {
    auto& h = service_->harness();
    ledger::Deposit d{h.actor("bj-buyer").key.pubkey, 1000, "ref-1"};
    ledger::Tx tx = h.make("gz-reg", TxType::kDeposit, d);
    return ledger::tx_to_json(tx, true).dump();
  }
  std::string transfer_to_self_text() {
    auto& h = service_->harness();
    ledger::Transfer t{h.actor("bj-buyer").key.pubkey, 10, ""};
    ledger::Tx tx = h.make("bj-buyer", TxType::kTransfer, t);
    return ledger::tx_to_json(tx, true).dump();
  }
  std::string submit(const std::string& tx_text) {
    return request("tx_submit", R"({"tx":)" + tx_text + "}");
  }

  std::vector<Case> cases() {
    const std::string tx = deposit_text();
    const std::string amount = R"("amount":1000)";
    std::string batch1001 = "[";
    for (int i = 0; i < 1001; ++i) {
      batch1001 += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","id":1,"method":"node_status"})";
    }
    batch1001 += "]";
    std::string deep_params =
        request("tx_get", R"({"tx_hash":)" + std::string(100, '[') + std::string(100, ']') + "}");
    std::string deep_tx = submit(
        replace(tx, amount, R"("amount":1000,"x":)" + std::string(80, '[') + std::string(80, ']')));
    std::string big_tx =
        submit(replace(tx, amount, amount + R"(,"zz":")" + std::string(17000, 'a') + "\""));
    std::string oversized =
        request("node_status", R"({"pad":")" + std::string(1 << 20, 'x') + "\"}");
    const std::string hash64(64, 'a');
    const std::map<std::string, std::string> wrong_token{{"Authorization", "Bearer nope"}};
    const std::map<std::string, std::string> token{{"Authorization", "Bearer s3cret-token"}};
    std::string nul_body = request("node_status", "{}");
    nul_body.insert(5, std::string(1, '\0'));

    std::vector<Case> t = {
        {"not JSON", "hello", 200, errc::kParseError},
        {"empty body", "", 200, errc::kParseError},
        {"truncated JSON", R"({"jsonrpc":"2.0","id":1,"method":"node_status")", 200,
         errc::kParseError},
        {"trailing garbage", request("node_status", "{}") + "}", 200, errc::kParseError},
        {"invalid UTF-8", request("tx_get", "{\"tx_hash\":\"\xff\xfe\"}"), 200, errc::kParseError},
        {"NUL byte", nul_body, 200, errc::kParseError},
        {"lone surrogate in tx", submit(replace(tx, "ref-1", "ref\\ud800")), 200,
         errc::kParseError},
        {"empty batch", "[]", 200, errc::kInvalidRequest},
        {"batch of 1001", batch1001, 200, errc::kTooLarge},
        {"request is a number", "42", 200, errc::kInvalidRequest},
        {"request is a string", R"("node_status")", 200, errc::kInvalidRequest},
        {"batch of a number", "[1]", 200, errc::kInvalidRequest},
        {"deep nesting of the body", std::string(5000, '[') + std::string(5000, ']'), 200,
         errc::kInvalidRequest},
        {"jsonrpc 1.0", R"({"jsonrpc":"1.0","id":1,"method":"node_status"})", 200,
         errc::kInvalidRequest},
        {"jsonrpc missing", R"({"id":1,"method":"node_status"})", 200, errc::kInvalidRequest},
        {"jsonrpc a number", R"({"jsonrpc":2.0,"id":1,"method":"node_status"})", 200,
         errc::kInvalidRequest},
        {"method missing", R"({"jsonrpc":"2.0","id":1})", 200, errc::kInvalidRequest},
        {"method a number", R"({"jsonrpc":"2.0","id":1,"method":5})", 200, errc::kInvalidRequest},
        {"id an object", R"({"jsonrpc":"2.0","id":{},"method":"node_status"})", 200,
         errc::kInvalidRequest},
        {"id an array", R"({"jsonrpc":"2.0","id":[1],"method":"node_status"})", 200,
         errc::kInvalidRequest},
        {"unknown envelope member", R"({"jsonrpc":"2.0","id":1,"method":"node_status","x":1})", 200,
         errc::kInvalidRequest},
        {"duplicate method", R"({"jsonrpc":"2.0","id":1,"method":"x","method":"node_status"})", 200,
         errc::kInvalidRequest},
        {"unknown method", request("mint_money", "{}"), 200, errc::kMethodNotFound},
        {"empty method name", request("", "{}"), 200, errc::kMethodNotFound},
        {"params a string", request("node_status", R"("x")"), 200, errc::kInvalidParams},
        {"params an array", request("tx_get", R"(["aa"])"), 200, errc::kInvalidParams},
        {"params a number", request("node_status", "3"), 200, errc::kInvalidParams},
        {"unknown param", request("node_status", R"({"verbose":true})"), 200, errc::kInvalidParams,
         "verbose"},
        {"tx_get without tx_hash", request("tx_get", "{}"), 200, errc::kInvalidParams, "tx_hash"},
        {"tx_get uppercase hash",
         request("tx_get", R"({"tx_hash":")" + std::string(64, 'A') + "\"}"), 200,
         errc::kInvalidParams, "tx_hash"},
        {"tx_get short hash", request("tx_get", R"({"tx_hash":"abcd"})"), 200, errc::kInvalidParams,
         "tx_hash"},
        {"duplicate param",
         request("tx_get", R"({"tx_hash":")" + hash64 + R"(","tx_hash":")" + hash64 + "\"}"), 200,
         errc::kInvalidParams, "tx_hash"},
        {"deep nesting in params", deep_params, 200, errc::kInvalidParams},
        {"block_get height a string", request("block_get", R"({"height":"1"})"), 200,
         errc::kInvalidParams, "height"},
        {"block_get height negative", request("block_get", R"({"height":-1})"), 200,
         errc::kInvalidParams, "height"},
        {"block_get height 1.5", request("block_get", R"({"height":1.5})"), 200,
         errc::kInvalidParams, "height"},
        {"block_get height 2^53", request("block_get", R"({"height":9007199254740992})"), 200,
         errc::kInvalidParams, "height"},
        {"limit 0", request("participant_list", R"({"limit":0})"), 200, errc::kInvalidParams,
         "limit"},
        {"limit 101", request("participant_list", R"({"limit":101})"), 200, errc::kInvalidParams,
         "limit"},
        {"bad role filter", request("participant_list", R"({"role":"king"})"), 200,
         errc::kInvalidParams, "role"},
        {"bad province", request("program_get", R"({"province":"CN-XX"})"), 200,
         errc::kInvalidParams, "province"},
        {"bad cursor", request("contract_list", R"({"cursor":"zz"})"), 200, errc::kInvalidParams,
         "cursor"},
        {"min_height a string", request("node_status", R"({"min_height":"5"})"), 200,
         errc::kInvalidParams, "min_height"},
        {"read timeout_ms 30001", request("node_status", R"({"min_height":99,"timeout_ms":30001})"),
         200, errc::kInvalidParams, "timeout_ms"},
        {"tx_submit timeout_ms 30001",
         request("tx_submit", R"({"tx":)" + tx + R"(,"timeout_ms":30001})"), 200,
         errc::kInvalidParams, "timeout_ms"},
        {"tx_submit wait maybe", request("tx_submit", R"({"tx":)" + tx + R"(,"wait":"maybe"})"),
         200, errc::kInvalidParams, "wait"},
        {"tx_submit without tx", request("tx_submit", "{}"), 200, errc::kInvalidParams, "tx"},
        {"tx a string", submit(R"("deposit")"), 200, errc::kInvalidTransaction, ""},
        {"tx an array", submit("[]"), 200, errc::kInvalidTransaction, ""},
        {"duplicate key inside tx", submit(replace(tx, amount, amount + "," + amount)), 200,
         errc::kInvalidTransaction, "payload.amount"},
        {"duplicate top-level key in tx",
         submit(replace(tx, R"("type":"deposit")", R"("type":"deposit","type":"deposit")")), 200,
         errc::kInvalidTransaction, "type"},
        {"-0 amount", submit(replace(tx, amount, R"("amount":-0)")), 200, errc::kInvalidTransaction,
         "payload.amount"},
        {"1.0 amount", submit(replace(tx, amount, R"("amount":1.0)")), 200,
         errc::kInvalidTransaction, "payload.amount"},
        {"1e3 amount", submit(replace(tx, amount, R"("amount":1e3)")), 200,
         errc::kInvalidTransaction, "payload.amount"},
        // nlohmann refuses a number out of double range as a parse error.
        {"1e400 amount", submit(replace(tx, amount, R"("amount":1e400)")), 200, errc::kParseError},
        {"negative amount", submit(replace(tx, amount, R"("amount":-5)")), 200,
         errc::kInvalidTransaction, "payload.amount"},
        {"zero amount", submit(replace(tx, amount, R"("amount":0)")), 200,
         errc::kInvalidTransaction, "payload.amount"},
        {"amount 2^53", submit(replace(tx, amount, R"("amount":9007199254740992)")), 200,
         errc::kInvalidTransaction, "payload.amount"},
        {"amount a string", submit(replace(tx, amount, R"("amount":"1000")")), 200,
         errc::kInvalidTransaction, "payload.amount"},
        {"unknown tx member", submit(replace(tx, R"("type":)", R"("extra":1,"type":)")), 200,
         errc::kInvalidTransaction, "extra"},
        {"unknown payload member", submit(replace(tx, amount, amount + R"(,"bonus":1)")), 200,
         errc::kInvalidTransaction, "payload.bonus"},
        {"missing payload member", submit(replace(tx, R"("reference":"ref-1",)", "")), 200,
         errc::kInvalidTransaction, "payload.reference"},
        {"unknown type", submit(replace(tx, R"("type":"deposit")", R"("type":"mint")")), 200,
         errc::kInvalidTransaction, "type"},
        {"chain_id a number", submit(replace(tx, R"("chain_id":"suanli-test")", R"("chain_id":1)")),
         200, errc::kInvalidTransaction, "chain_id"},
        {"reference too long",
         submit(replace(tx, R"("ref-1")", "\"" + std::string(65, 'r') + "\"")), 200,
         errc::kInvalidTransaction, "payload.reference"},
        {"empty reference", submit(replace(tx, R"("ref-1")", R"("")")), 200,
         errc::kInvalidTransaction, "payload.reference"},
        {"transfer to the signer", submit(transfer_to_self_text()), 200, errc::kInvalidTransaction,
         "payload.to"},
        {"deep nesting in tx", deep_tx, 200, errc::kInvalidTransaction},
        {"tx over 16 KiB", big_tx, 200, errc::kTooLarge},
        {"oversized body", oversized, 413, errc::kTooLarge},
        {"admin without token", request("admin_snapshot", "{}"), 200, errc::kUnauthorized},
        {"admin with a wrong token", request("admin_snapshot", "{}"), 200, errc::kUnauthorized,
         std::nullopt, wrong_token},
        {"admin token without Bearer",
         request("admin_snapshot", "{}"),
         200,
         errc::kUnauthorized,
         std::nullopt,
         {{"Authorization", "s3cret-token"}}},
        {"admin bad log level", request("admin_set_log_level", R"({"level":"loud"})"), 200,
         errc::kInvalidParams, "level", token},
        {"text/plain body",
         request("node_status", "{}"),
         415,
         errc::kInvalidRequest,
         std::nullopt,
         {},
         "text/plain"},
    };
    // Field-level mutations of the envelope of a transaction.
    auto field_case = [&](const std::string& name, const std::string& from, const std::string& to,
                          const std::string& field) {
      t.emplace_back(name, submit(replace(tx, from, to)), 200, errc::kInvalidTransaction, field);
    };
    std::string signer = tx.substr(tx.find(R"("signer":")") + 10, 64);
    std::string nonce = tx.substr(tx.find(R"("nonce":")") + 9, 32);
    std::string signature = tx.substr(tx.find(R"("signature":")") + 13, 128);
    field_case("uppercase signer", signer, std::string(64, 'A'), "signer");
    field_case("short nonce", nonce, nonce.substr(0, 30), "nonce");
    field_case("non-hex signature", signature, std::string(128, 'g'), "signature");
    field_case("missing signature", R"("signature":")" + signature + R"(",)", "", "signature");
    field_case("expires_at negative", R"("expires_at":)", R"("expires_at":-)", "expires_at");
    json payload_string = json::parse(tx);
    payload_string["payload"] = "deposit";
    t.emplace_back("payload a string", submit(payload_string.dump()), 200,
                   errc::kInvalidTransaction, "payload");
    return t;
  }
};

TEST_F(RpcErrorsTest, TableOfMalformedRequests) {
  auto before = service_->snapshot();
  auto table = cases();
  ASSERT_GE(table.size(), 40u);
  for (const Case& c : table) {
    SCOPED_TRACE(c.name);
    HttpResult r = client_->request("POST", "/", c.body, c.headers, c.content_type);
    ASSERT_EQ(r.status, c.http_status) << r.body.substr(0, 300);
    json body = r.json_body();
    ASSERT_FALSE(body.is_discarded()) << r.body.substr(0, 300);
    if (body.is_array()) {
      ASSERT_EQ(body.size(), 1u);
      body = body[0];
    }
    ASSERT_TRUE(body.contains("error")) << body.dump().substr(0, 300);
    EXPECT_EQ(body["jsonrpc"], "2.0");
    EXPECT_EQ(body["error"]["code"], c.code) << body.dump().substr(0, 300);
    EXPECT_TRUE(body["error"]["message"].is_string());
    if (c.field) {
      ASSERT_TRUE(body["error"].contains("data")) << body.dump().substr(0, 300);
      EXPECT_EQ(body["error"]["data"]["field"], *c.field) << body.dump().substr(0, 300);
    }
  }
  // Still serving, and nothing reached the ledger.
  json status = result("node_status");
  EXPECT_EQ(status["node_id"], "gz-1");
  EXPECT_EQ(service_->submitted(), 0u);
  EXPECT_EQ(service_->snapshot(), before);
  EXPECT_TRUE(service_->operator_calls().empty());
  std::cout << "[ table ] " << table.size() << " malformed requests\n";
}

TEST_F(RpcErrorsTest, MalformedHttpIsRefusedAndServerGoesOn) {
  HttpResult r = client_->raw("GARBAGE / HTTP/9.9\r\n\r\n");
  EXPECT_EQ(r.status, 400u);
  r = client_->request("GET", "/nope", "", {}, "");
  EXPECT_EQ(r.status, 404u);
  r = client_->request("PUT", "/", "{}");
  EXPECT_EQ(r.status, 405u);
  r = client_->request("POST", "/other", request("node_status", "{}"));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(result("node_status")["role"], "leader");
}

TEST_F(RpcErrorsTest, ErrorsCarryTheRequestId) {
  json r = post(R"({"jsonrpc":"2.0","id":"abc","method":"nope"})").json_body();
  EXPECT_EQ(r["id"], "abc");
  EXPECT_EQ(r["error"]["code"], errc::kMethodNotFound);
  r = post(R"({"jsonrpc":"2.0","id":-3,"method":"tx_get","params":{}})").json_body();
  EXPECT_EQ(r["id"], -3);
  EXPECT_EQ(r["error"]["code"], errc::kInvalidParams);
  r = post("[]").json_body();
  EXPECT_TRUE(r["id"].is_null());
}

TEST_F(RpcErrorsTest, SubmitErrorsOfTheServicePassThrough) {
  auto& h = service_->harness();
  ledger::Tx tx = h.make("gz-reg", TxType::kDeposit,
                         ledger::Deposit{h.actor("bj-buyer").key.pubkey, 5, "dup-ref"});
  service_->set_submit_error(RpcError{errc::kDuplicate, "duplicate",
                                      json{{"tx_hash", to_hex(tx.hash)}, {"status", "pending"}}});
  json r = call("tx_submit", json{{"tx", ledger::tx_to_json(tx, true)}});
  EXPECT_EQ(r["error"]["code"], errc::kDuplicate);
  EXPECT_EQ(r["error"]["data"]["tx_hash"], to_hex(tx.hash));
  service_->set_submit_error(RpcError{errc::kBusy, "mempool full", json{{"retry_after_ms", 50}}});
  r = call("tx_submit", json{{"tx", ledger::tx_to_json(tx, true)}});
  EXPECT_EQ(r["error"]["code"], errc::kBusy);
  EXPECT_EQ(r["error"]["data"]["retry_after_ms"], 50);
}

}  // namespace
}  // namespace suanli::rpc::testing

namespace suanli::rpc::testing {
namespace {

class RpcRobustnessTest : public RpcFixture {};

// Seeded random mutations of valid requests: every answer is a well-formed
// JSON-RPC response (or an HTTP refusal with one), and the server goes on.
TEST_F(RpcRobustnessTest, MutatedRequestsGetWellFormedAnswers) {
  service_->set_auto_commit(false);
  auto& h = service_->harness();
  ledger::Tx tx = h.make(
      "bj-buyer", ledger::TxType::kContractCreate,
      ledger::ContractCreate{
          h.new_contract_id(),
          h.actor("gz-prov").key.pubkey,
          ledger::Resource{ledger::ResourceClass::kGeneral, "x86", ledger::ResourceUnit::kCoreHour},
          5,
          100,
          h.time() + ledger::testing::kDayMs,
          {}});
  const std::vector<std::string> seeds = {
      json{{"jsonrpc", "2.0"},
           {"id", 1},
           {"method", "tx_submit"},
           {"params", {{"tx", ledger::tx_to_json(tx, true)}}}}
          .dump(),
      R"([{"jsonrpc":"2.0","id":1,"method":"participant_list","params":{"role":"buyer","limit":2}},)"
      R"({"jsonrpc":"2.0","id":2,"method":"block_get","params":{"height":1}}])",
      R"({"jsonrpc":"2.0","id":"x","method":"tx_list","params":{"participant":")" +
          to_hex(h.actor("bj-buyer").key.pubkey) + R"(","cursor":"00","limit":3}})",
  };
  std::mt19937 rng(20261122);
  const std::string alphabet = "{}[]\",:\\0123456789-.eEtrufalsn \x01\xff\xc3";
  for (int i = 0; i < 1500; ++i) {
    std::string body = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      size_t pos = rng() % body.size();
      switch (rng() % 4) {
        case 0:
          body[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          body.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 2:
          body.erase(pos, 1 + rng() % 8);
          break;
        default:
          body.resize(pos);
      }
    }
    HttpResult r = post(body);
    ASSERT_TRUE(r.status == 200 || r.status == 204) << r.status << " for " << body;
    if (r.status == 204) continue;
    json answer = r.json_body();
    ASSERT_FALSE(answer.is_discarded()) << body;
    auto check = [&](const json& one) {
      ASSERT_TRUE(one.is_object()) << body;
      EXPECT_EQ(one["jsonrpc"], "2.0");
      EXPECT_TRUE(one.contains("result") != one.contains("error")) << one.dump();
      if (one.contains("error")) {
        EXPECT_TRUE(one["error"]["code"].is_number_integer());
      }
    };
    if (answer.is_array()) {
      for (const auto& one : answer) check(one);
    } else {
      check(answer);
    }
  }
  EXPECT_EQ(result("node_status")["node_id"], "gz-1");
}

TEST_F(RpcRobustnessTest, PipelinedChunkedAndHttp10) {
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"node_status"})";
  std::string one =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  client_->send(one + one);
  EXPECT_EQ(client_->read().status, 200u);
  EXPECT_EQ(client_->read().status, 200u);
  std::ostringstream hex_size;
  hex_size << std::hex << body.size();
  client_->send(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      hex_size.str() + "\r\n" + body + "\r\n0\r\n\r\n");
  HttpResult r = client_->read();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json_body()["result"]["node_id"], "gz-1");
  // A chunked body over the limit is refused as well.
  std::string chunk(600 * 1024, 'x');
  std::ostringstream big_size;
  big_size << std::hex << chunk.size();
  client_->send(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      big_size.str() + "\r\n" + chunk + "\r\n" + big_size.str() + "\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(client_->read().status, 413u);
  HttpClient old(server_->port());
  r = old.raw("POST / HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json_body()["id"], 1);
}

}  // namespace
}  // namespace suanli::rpc::testing
