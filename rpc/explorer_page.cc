// The explorer's markup and style. Every element the script fills has an id;
// the browser test (tests/web/explorer_browser_test.cc) reads them.
#include <string>

#include "rpc/explorer.h"

namespace suanli::rpc {
namespace {

constexpr std::string_view kHead = R"PAGE(<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>算力券账本浏览器 · suanli explorer</title>
<style>
:root{--fg:#1d2330;--muted:#667085;--line:#e3e7ee;--accent:#b4232a;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;
color:var(--fg);background:var(--bg)}
header{background:#fff;border-bottom:3px solid var(--accent);padding:12px 20px;display:flex;
flex-wrap:wrap;gap:18px;align-items:baseline}
header h1{font-size:20px;margin:0 12px 0 0}
.kv{display:inline-flex;gap:6px;align-items:baseline}
.kv b{font-size:18px}
.en{color:var(--muted);font-size:12px}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px;padding:16px
 20px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px
 14px;overflow:auto}
section.wide{grid-column:1/-1}
h2{font-size:16px;margin:0 0 8px}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{font-weight:600;background:#fafbfc;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
a{color:#1b4f9c;text-decoration:none;cursor:pointer}
.ok{color:#137333}.bad{color:var(--accent)}
.live{color:#137333}.down{color:var(--accent)}
form{display:flex;gap:8px;margin-bottom:8px}
input[type=search]{flex:1;padding:6px 8px;font:inherit;border:1px solid
 var(--line);border-radius:4px}
button{padding:6px 12px;font:inherit;border:1px solid var(--accent);background:var(--accent);
color:#fff;border-radius:4px;cursor:pointer}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.card h3{margin:0 0 6px;font-size:15px}
.empty{color:var(--muted)}
.matrix td.cell{text-align:right;white-space:nowrap}
.matrix td.cell small{display:block;color:var(--muted)}
</style></head>
<body data-ready="0">
<header>
 <h1>算力券账本浏览器 <span class="en">suanli explorer</span></h1>
 <span class="kv">区块高度 <span class="en">Head height</span> <b id="head-height">–</b></span>
 <span class="kv">节点 <span class="en">Node</span> <b id="node-id">–</b></span>
 <span class="kv">角色 <span class="en">Role</span> <b id="node-role">–</b></span>
 <span class="kv">任期 <span class="en">Term</span> <b id="node-term">–</b></span>
 <span class="kv">领导者 <span class="en">Leader</span> <b id="node-leader">–</b></span>
 <span class="kv">对等节点 <span class="en">Peers up</span> <b id="node-peers">–</b></span>
 <span class="kv">交易池 <span class="en">Mempool</span> <b id="node-mempool">–</b></span>
 <span class="kv">状态哈希 <span class="en">State hash</span> <code id="node-state-hash">–</code></span>
 <span class="kv">实时 <span class="en">Live</span> <b id="ws-state" class="down">连接中
 connecting</b></span>
</header>
<main>
<section class="wide">
 <h2>搜索 <span class="en">Search — transaction hash, contract id, voucher id or participant
 pubkey</span></h2>
 <form id="search-form"><input id="q" type="search"
 placeholder="交易哈希 / 合同编号 / 算力券编号 / 参与方公钥  ·  tx hash / contract id / voucher id / pubkey">
 <button type="submit">搜索 Search</button></form>
 <div id="search-result" class="empty"></div>
</section>
<section>
 <h2>最新区块 <span class="en">Latest blocks</span></h2>
 <table><thead><tr><th>高度 <span class="en">Height</span></th><th>时间 <span
 class="en">Time</span></th>
 <th class="num">交易 <span class="en">Txs</span></th><th>出块节点 <span class="en">Proposer</span></th>
 <th>哈希 <span class="en">Hash</span></th></tr></thead><tbody id="blocks"></tbody></table>
</section>
<section>
 <h2>最新交易 <span class="en">Latest transactions</span></h2>
 <table><thead><tr><th>哈希 <span class="en">Hash</span></th><th>类型 <span class="en">Type</span></th>
 <th>高度 <span class="en">Height</span></th><th>结果 <span class="en">Result</span></th></tr></thead>
 <tbody id="txs"></tbody></table>
</section>
<section class="wide">
 <h2>算力券项目 <span class="en">Voucher programmes</span></h2>
 <div id="programs" class="cards"></div>
 <h2 style="margin-top:12px">全账本 <span class="en">Whole ledger</span></h2>
 <div id="stats-all" class="cards"></div>
</section>
<section>
 <h2>算力合同 <span class="en">Compute contracts</span></h2>
 <table><thead><tr><th>合同编号 <span class="en">Contract</span></th><th>状态 <span
 class="en">State</span></th>
 <th>资源 <span class="en">Resource</span></th><th class="num">金额 <span class="en">Amount</span></th>
 <th>跨省 <span class="en">Cross-province</span></th></tr></thead><tbody
 id="contracts"></tbody></table>
</section>
<section>
 <h2>算力券 <span class="en">Vouchers</span></h2>
 <table><thead><tr><th>算力券编号 <span class="en">Voucher</span></th><th>项目 <span
 class="en">Programme</span></th>
 <th>状态 <span class="en">State</span></th><th class="num">面额 <span class="en">Amount</span></th>
 <th class="num">余额 <span class="en">Remaining</span></th></tr></thead><tbody
 id="vouchers"></tbody></table>
</section>
<section>
 <h2>省际资金流 · 当前结算期 <span class="en">Province-to-province flows, open period</span>
 <span id="open-period"></span></h2>
 <div id="flow-open"></div>
</section>
<section>
 <h2>结算单 <span class="en">Settlement statements</span></h2>
 <table><thead><tr><th>期 <span class="en">Period</span></th><th>状态 <span
 class="en">Status</span></th>
 <th>区块 <span class="en">Blocks</span></th><th>签名 <span class="en">Signatures</span></th>
 <th>未签署 <span class="en">Unattested</span></th></tr></thead><tbody id="statements"></tbody></table>
 <h2 style="margin-top:12px">结算期资金流 <span class="en">Flows of period</span> <span
 id="selected-period"></span></h2>
 <div id="flow-selected"></div>
</section>
</main>
<script>
)PAGE";

constexpr std::string_view kTail = R"PAGE(</script>
</body></html>
)PAGE";

}  // namespace

std::string_view explorer_html_head() { return kHead; }
std::string_view explorer_html_tail() { return kTail; }

std::string_view explorer_page() {
  static const std::string page =
      std::string(kHead) + std::string(explorer_script()) + std::string(kTail);
  return page;
}

}  // namespace suanli::rpc
