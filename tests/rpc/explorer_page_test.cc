// GET /: the explorer page (its behaviour is tested in headless Chromium by
// tests/web/explorer_browser_test.cc).
#include "tests/rpc/rpc_test_util.h"

namespace suanli::rpc::testing {
namespace {

using RpcExplorerPageTest = RpcFixture;

// The explorer page is self-contained: no external script, style, font or image.
TEST_F(RpcExplorerPageTest, HasNoExternalAssets) {
  HttpResult page = client_->request("GET", "/", "");
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  for (const char* needle : {"http://", "https://", "<script src", "<link", "@import", "url("}) {
    EXPECT_EQ(page.body.find(needle), std::string::npos) << needle;
  }
  for (const char* id : {"id=\"head-height\"", "id=\"blocks\"", "id=\"txs\"", "id=\"programs\"",
                         "id=\"flow-open\"", "id=\"statements\"", "id=\"q\""}) {
    EXPECT_NE(page.body.find(id), std::string::npos) << id;
  }
  EXPECT_NE(page.body.find("new WebSocket("), std::string::npos);
  EXPECT_NE(page.body.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace suanli::rpc::testing
