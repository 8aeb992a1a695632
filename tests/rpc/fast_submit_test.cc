// The dispatcher's fast path for bodies of tx_submit requests (LiteJson)
// against its strict path: the same body, once compact (the fast path takes
// it when every request passes) and once with a space after each comma (the
// fast path never reads whitespace), sent to two services in the same state,
// gets the same response, leaves the same state and counts the same metrics.
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/codec.h"
#include "rpc/dispatch.h"
#include "tests/rpc/rpc_test_util.h"

namespace suanli::rpc::testing {
namespace {

using ledger::TxType;

// One service and dispatcher; answers come back through a promise.
struct Node {
  FakeService service;
  Limits limits;
  Metrics metrics;
  Dispatcher dispatcher{service, limits, metrics};

  std::string handle(const std::string& body) {
    std::promise<std::string> answer;
    auto got = answer.get_future();
    dispatcher.handle(
        body, Auth::kNoTokenConfigured, [](std::function<void()> f) { f(); },
        [&](std::string response) { answer.set_value(std::move(response)); });
    return got.get();
  }
};

// Spaces after the commas outside strings: the same JSON, not compact.
std::string spaced(const std::string& compact) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < compact.size(); ++i) {
    const char c = compact[i];
    out.push_back(c);
    if (c == '"' && (i == 0 || compact[i - 1] != '\\')) in_string = !in_string;
    if (c == ',' && !in_string) out.push_back(' ');
  }
  return out;
}

std::string request(const json& id, const json& params) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tx_submit"}, {"params", params}}.dump();
}

class FastSubmitTest : public ::testing::Test {
 protected:
  // Nothing commits behind the test's back (the fake commits on a thread of
  // its own): every answer and all state are settled when handle() returns.
  void SetUp() override {
    a_.service.set_auto_commit(false);
    b_.service.set_auto_commit(false);
  }
  // The body through both paths, on two nodes in the same state.
  void expect_same(const std::string& body) {
    const std::string fast = a_.handle(body);
    const std::string strict = b_.handle(spaced(body));
    EXPECT_EQ(fast, strict) << body;
    EXPECT_EQ(a_.service.snapshot(), b_.service.snapshot()) << body;
    EXPECT_EQ(a_.service.submitted(), b_.service.submitted()) << body;
    EXPECT_EQ(counters(a_), counters(b_)) << body;
  }
  // The request and error counters of /metrics (latencies vary by run).
  static std::string counters(Node& n) {
    std::string out;
    std::istringstream lines(n.metrics.render(n.service));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("suanli_rpc_requests_total{", 0) == 0 ||
          line.rfind("suanli_rpc_errors_total{", 0) == 0 ||
          line.rfind("suanli_rpc_request_duration_seconds_count{", 0) == 0) {
        out += line + "\n";
      }
    }
    return out;
  }
  ledger::Tx deposit(const std::string& reference, uint64_t amount = 700) {
    auto& h = a_.service.harness();
    ledger::Tx tx =
        h.make("gz-reg", TxType::kDeposit, ledger::Deposit{h.actor("gd-buyer").key.pubkey, amount,
                                                          reference});
    return tx;
  }
  Node a_, b_;
};

TEST_F(FastSubmitTest, AcceptedRequestsAnswerAsTheStrictPath) {
  const json tx1 = ledger::tx_to_json(deposit("fast-1"), true);
  const json tx2 = ledger::tx_to_json(deposit("fast-2"), true);
  const json tx3 = ledger::tx_to_json(deposit("fast-3"), true);
  expect_same(request(1, {{"tx", tx1}}));
  expect_same(request("s-\u00e9\\\"", {{"tx", tx2}, {"wait", "committed"}, {"timeout_ms", 20}}));
  // A batch, and the same transaction again (duplicate, committed).
  expect_same("[" + request(2, {{"tx", tx3}, {"wait", "none"}}) + "," +
              request(18446744073709551615ull, {{"tx", tx1}}) + "]");
}

TEST_F(FastSubmitTest, DeclinedRequestsGetTheStrictPathsErrors) {
  const json tx = ledger::tx_to_json(deposit("fast-9"), true);
  std::string with_dup = request(5, {{"tx", tx}});
  with_dup.replace(with_dup.find("\"amount\":700"), 12, "\"amount\":700,\"amount\":701");
  std::string dup_wait = request(5, {{"tx", tx}, {"wait", "none"}});
  dup_wait.replace(dup_wait.find("\"wait\""), 6, "\"wait\":\"committed\",\"wait\"");
  std::string negative = request(5, {{"tx", tx}});
  negative.replace(negative.find("\"amount\":700"), 12, "\"amount\":-7");
  json wrong_type = tx;
  wrong_type["payload"]["amount"] = "700";
  json unknown = tx;
  unknown["payload"]["extra"] = 1;
  const std::vector<std::string> bodies = {
      with_dup,
      dup_wait,
      negative,
      request(5, {{"tx", wrong_type}}),
      request(5, {{"tx", unknown}}),
      request(5, {{"tx", tx}, {"wait", "soon"}}),
      request(5, {{"tx", tx}, {"timeout_ms", 30001}}),
      request(5, {{"tx", tx}, {"extra", 1}}),
      request(5, {{"wait", "none"}}),
      request(5, {{"tx", "text"}}),
      request(nullptr, {{"tx", tx}}),
      request(1.5, {{"tx", tx}}),
      json{{"jsonrpc", "2.0"}, {"method", "tx_submit"}, {"params", {{"tx", tx}}}}.dump(),
      json{{"jsonrpc", "1.0"}, {"id", 1}, {"method", "tx_submit"}, {"params", {{"tx", tx}}}}
          .dump(),
      json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tx_get"}, {"params", {{"tx", tx}}}}.dump(),
      "[" + request(6, {{"tx", tx}}) + "," + request(7, {{"tx", unknown}}) + "]",
      "[]",
      "[" + request(8, {{"tx", tx}}) + ",1]",
  };
  for (const std::string& body : bodies) expect_same(body);
}

}  // namespace
}  // namespace suanli::rpc::testing
