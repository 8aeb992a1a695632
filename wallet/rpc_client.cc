#include "wallet/rpc_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <utility>  // before Asio on g++ 12

namespace suanli::wallet {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

RpcClient::RpcClient(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  host_ = colon == std::string::npos ? rest : rest.substr(0, colon);
  port_ = colon == std::string::npos ? "8645" : rest.substr(colon + 1);
}

Result<std::pair<int, std::string>> RpcClient::post(const std::string& body, int timeout_ms) const {
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    stream.connect(resolver.resolve(host_, port_));
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, host_);
    req.set(http::field::content_type, "application/json");
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    auto res = parser.release();
    return std::pair<int, std::string>(static_cast<int>(res.result_int()), std::move(res.body()));
  } catch (const std::exception& e) {
    return Status::error("unreachable", host_ + ":" + port_ + ": " + e.what());
  }
}

Result<RpcReply> RpcClient::call(const std::string& method, const nlohmann::json& params,
                                 int timeout_ms) const {
  nlohmann::json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
  auto res = post(req.dump(), timeout_ms);
  if (!res) return res.status();
  auto j = nlohmann::json::parse(res->second, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::error("unreachable", "the node answered HTTP " + std::to_string(res->first) +
                                            " without JSON-RPC");
  }
  RpcReply reply;
  if (j.contains("result")) {
    reply.ok = true;
    reply.result = j["result"];
  } else if (j.contains("error") && j["error"].is_object()) {
    reply.error_code = j["error"].value("code", 0);
    reply.error_message = j["error"].value("message", "");
    if (j["error"].contains("data")) reply.error_data = j["error"]["data"];
  } else {
    return Status::error("unreachable", "malformed JSON-RPC response");
  }
  return reply;
}

}  // namespace suanli::wallet
