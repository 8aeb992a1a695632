// The explorer page served at GET /: one static HTML document with its
// style and script inline (no build step, no external assets). It reads the
// node through JSON-RPC (POST /) and follows the chain over the WebSocket
// (/ws). Amounts are shown in yuan, formatted from integer fen with BigInt.
#pragma once

#include <string_view>

namespace suanli::rpc {

// The whole page (built once; thread-safe).
std::string_view explorer_page();

// Parts, joined by explorer_page() (rpc/explorer_page.cc, rpc/explorer_script.cc).
std::string_view explorer_html_head();  // up to and including <script>
std::string_view explorer_script();     // the script's text
std::string_view explorer_html_tail();  // from </script>

}  // namespace suanli::rpc
