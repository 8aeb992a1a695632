// The test HTTP client and the fixture (the only test file with Beast).
// g++ 12 with sanitizers reports a false -Wmaybe-uninitialized inside Beast's
// response parser (boost::optional content length); this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// clang-format off
#include <utility>  // before Asio/Beast on g++ 12
// clang-format on
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/rpc/rpc_test_util.h"

namespace suanli::rpc::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

json HttpResult::json_body() const {
  return json::parse(body, nullptr, /*allow_exceptions=*/false);
}

struct HttpClient::Impl {
  explicit Impl(uint16_t p) : port(p) {}
  uint16_t port;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void ensure_connected() {
    if (stream && stream->socket().is_open()) return;
    stream.emplace(ioc);
    buffer.clear();
    stream->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  HttpResult read_response() {
    HttpResult out;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::error_code ec;
    stream->expires_after(std::chrono::seconds(40));
    http::read(*stream, buffer, parser, ec);
    if (ec) {
      stream.reset();
      return out;
    }
    auto& res = parser.get();
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.body = res.body();
    if (!res.keep_alive()) stream.reset();
    return out;
  }
};

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>(port)) {}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               std::string body, const std::map<std::string, std::string>& headers,
                               std::string content_type) {
  impl_->ensure_connected();
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  req.prepare_payload();
  beast::error_code ec;
  impl_->stream->expires_after(std::chrono::seconds(40));
  http::write(*impl_->stream, req, ec);
  // A refused request may be answered before the body is sent: read anyway.
  return impl_->read_response();
}

HttpResult HttpClient::raw(const std::string& bytes) {
  send(bytes);
  return read();
}

void HttpClient::send(const std::string& bytes) {
  impl_->ensure_connected();
  beast::error_code ec;
  net::write(impl_->stream->socket(), net::buffer(bytes), ec);
}

HttpResult HttpClient::read() {
  if (!impl_->stream) return HttpResult{};
  return impl_->read_response();
}

Options RpcFixture::options() {
  Options o;
  o.listen = "127.0.0.1:0";
  o.token = "s3cret-token";
  o.threads = 2;
  return o;
}

void RpcFixture::SetUp() {
  service_ = std::make_unique<FakeService>();
  auto server = RpcServer::start(*service_, options());
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  server_ = std::move(*server);
  client_ = std::make_unique<HttpClient>(server_->port());
}

void RpcFixture::TearDown() {
  client_.reset();
  if (server_) server_->stop();
  server_.reset();
  service_.reset();
}

HttpResult RpcFixture::post(const std::string& body,
                            const std::map<std::string, std::string>& headers) {
  return client_->request("POST", "/", body, headers);
}

json RpcFixture::call(const std::string& method, const json& params,
                      const std::map<std::string, std::string>& headers) {
  json req{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
  HttpResult r = post(req.dump(), headers);
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.json_body();
}

json RpcFixture::result(const std::string& method, const json& params) {
  json r = call(method, params);
  EXPECT_TRUE(r.contains("result")) << method << " " << params.dump() << " -> " << r.dump();
  return r.contains("result") ? r["result"] : json();
}

int RpcFixture::error_code(const std::string& method, const json& params) {
  json r = call(method, params);
  EXPECT_TRUE(r.contains("error")) << method << " " << params.dump() << " -> " << r.dump();
  return r.contains("error") ? r["error"]["code"].get<int>() : 0;
}

}  // namespace suanli::rpc::testing
