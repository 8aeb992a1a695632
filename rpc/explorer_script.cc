// The explorer's script: JSON-RPC over fetch, live updates over /ws, and the
// rendering of blocks, transactions, programmes, contracts, vouchers and
// settlement flows. Every value from the ledger is set as text, never as
// markup.
#include "rpc/explorer.h"

namespace suanli::rpc {
namespace {

constexpr std::string_view kScript = R"SCRIPT('use strict';
const $ = (id) => document.getElementById(id);
const PROVINCES = {'CN-BJ':'北京','CN-TJ':'天津','CN-HE':'河北','CN-SX':'山西','CN-NM':'内蒙古',
  'CN-LN':'辽宁','CN-JL':'吉林','CN-HL':'黑龙江','CN-SH':'上海','CN-JS':'江苏','CN-ZJ':'浙江',
  'CN-AH':'安徽','CN-FJ':'福建','CN-JX':'江西','CN-SD':'山东','CN-HA':'河南','CN-HB':'湖北',
  'CN-HN':'湖南','CN-GD':'广东','CN-GX':'广西','CN-HI':'海南','CN-CQ':'重庆','CN-SC':'四川',
  'CN-GZ':'贵州','CN-YN':'云南','CN-XZ':'西藏','CN-SN':'陕西','CN-GS':'甘肃','CN-QH':'青海',
  'CN-NX':'宁夏','CN-XJ':'新疆','CN-TW':'台湾','CN-HK':'香港','CN-MO':'澳门'};
const MONEY = new Set(['amount','balance','remaining','unit_price','settled','settled_buyer_funded',
  'buyer_funded','voucher_funded','budget','issued','redeemed','available','max_per_voucher',
  'max_per_buyer_per_year','genesis_balances','budgets','deposits','withdrawals','balances',
  'escrow','voucher_remaining','budget_available','cross_province_settled','spent','returned']);

// Integer fen to "¥1,070,000.00", exactly (BigInt: no float rounding).
function yuan(fen) {
  let b = BigInt(fen);
  const neg = b < 0n;
  if (neg) b = -b;
  const whole = (b / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + '¥' + whole + '.' + (b % 100n).toString().padStart(2, '0');
}
function bps(v) { return (Number(v) / 100).toFixed(2) + '%'; }
function province(code) { return (PROVINCES[code] || '') + ' ' + code; }
function short(h) {
  return typeof h === 'string' && h.length > 20 ? h.slice(0, 10) + '…' + h.slice(-6) : String(h);
}
function time(ms) { return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z'; }

// el('td', {class: 'num'}, 'text', childNode, ...): text children are text nodes.
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick') e.onclick = v; else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}
function link(text, query) {
  return el('a', {class: 'hash', title: query, onclick: () => search(query)}, text);
}
function fill(id, rows, emptyText) {
  const t = $(id);
  t.replaceChildren(...rows);
  if (!rows.length) t.append(el('tr', {}, el('td', {colspan: 9, class: 'empty'}, emptyText)));
}

let nextId = 0;
async function rpc(method, params) {
  const res = await fetch('/', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({jsonrpc: '2.0', id: ++nextId, method, params: params || {}})});
  const j = await res.json();
  if (j.error) throw j.error;
  return j.result;
}
async function maybe(method, params) {
  try { return await rpc(method, params); } catch (e) { return null; }
}

// ---- head and node status ----
function showStatus(s) {
  $('head-height').textContent = s.height;
  $('node-id').textContent = s.node_id;
  $('node-role').textContent = s.role;
  $('node-term').textContent = s.term;
  $('node-leader').textContent = s.leader_id || '–';
  const peers = s.peers || [];
  $('node-peers').textContent = peers.filter((p) => p.connected).length + ' / ' + peers.length;
  $('node-mempool').textContent = s.mempool;
  $('node-state-hash').textContent = short(s.state_hash);
  $('node-state-hash').title = s.state_hash;
}

// ---- blocks and transactions ----
const MAX_ROWS = 20;
function blockRow(b) {
  return el('tr', {'data-height': b.height}, el('td', {}, link(b.height, String(b.height))),
    el('td', {}, time(b.time)), el('td', {class: 'num'}, b.tx_count), el('td', {}, b.proposer),
    el('td', {class: 'hash', title: b.hash}, short(b.hash)));
}
function txRow(t) {
  const r = t.result || {};
  return el('tr', {'data-tx': t.tx_hash}, el('td', {}, link(short(t.tx_hash), t.tx_hash)),
    el('td', {}, t.tx ? t.tx.type : ''), el('td', {}, t.height),
    el('td', {class: r.ok ? 'ok' : 'bad'}, r.ok ? '成功 ok' : (r.error || '')));
}
function prepend(id, row) {
  const t = $(id);
  const empty = t.querySelector('td.empty');
  if (empty) empty.parentNode.remove();
  t.prepend(row);
  while (t.children.length > MAX_ROWS) t.lastChild.remove();
}
async function loadLatest(head) {
  const blocks = [], txs = [];
  for (let h = head; h >= 1 && blocks.length < 10; --h) {
    const b = await maybe('block_get', {height: h});
    if (!b) break;
    blocks.push(b);
    for (const hash of b.txs.slice().reverse()) {
      if (txs.length >= MAX_ROWS) break;
      const t = await maybe('tx_get', {tx_hash: hash});
      if (t && t.status === 'committed') txs.push(Object.assign({tx_hash: hash}, t));
    }
  }
  fill('blocks', blocks.map(blockRow), '尚无区块 no blocks yet');
  fill('txs', txs.map(txRow), '尚无交易 no transactions yet');
}

// ---- programmes and ledger figures ----
function figure(label, value, id) {
  return el('tr', id ? {id} : {}, el('th', {}, label), el('td', {class: 'num'}, value));
}
function statsRows(s, prefix) {
  return [
    figure('合同数 Contracts', s.contracts.count, prefix + '-contracts'),
    figure('合同金额 Contract amount', yuan(s.contracts.amount), prefix + '-contract-amount'),
    figure('外省买方占比 Out-of-province buyers', bps(s.out_of_province_buyer_share_bps)),
    figure('发放券数 Vouchers issued', s.vouchers.count, prefix + '-voucher-count'),
    figure('发放金额 Voucher amount', yuan(s.vouchers.amount), prefix + '-voucher-amount'),
    figure('已兑付 Redeemed', yuan(s.vouchers.redeemed)),
    figure('外省领券占比 Out-of-province voucher buyers', bps(s.vouchers.out_of_province_share_bps)),
  ];
}
async function loadPrograms() {
  const genesis = await rpc('chain_genesis');
  const cards = [];
  for (const p of genesis.genesis.voucher_programs || []) {
    const prog = await maybe('program_get', {province: p.province});
    const stats = await maybe('stats_get', {province: p.province});
    if (!prog || !stats) continue;
    const basis = prog.basis === 'provider' ? '本省算力 provider in province'
                                            : '本省买方 buyer in province';
    cards.push(el('div', {class: 'card', id: 'program-' + p.province},
      el('h3', {}, province(p.province), ' ',
        el('span', {class: 'en'}, basis + ' · ' + bps(prog.rate_bps))),
      el('table', {}, el('tbody', {},
        figure('预算 Budget', yuan(prog.budget)),
        figure('已发放 Issued', yuan(prog.issued), 'program-' + p.province + '-issued'),
        figure('已兑付 Redeemed', yuan(prog.redeemed)),
        figure('可用 Available', yuan(prog.available)),
        ...statsRows(stats, 'program-' + p.province)))));
  }
  $('programs').replaceChildren(...cards);
  const all = await rpc('stats_get');
  const p = all.participants || {};
  $('stats-all').replaceChildren(
    el('div', {class: 'card'}, el('h3', {}, '合同与算力券 Contracts and vouchers'),
      el('table', {}, el('tbody', {}, ...statsRows(all, 'all')))),
    el('div', {class: 'card'}, el('h3', {}, '参与方与资金 Participants and money'),
      el('table', {}, el('tbody', {},
        figure('监管方 Regulators', p.regulator || 0), figure('算力提供方 Providers', p.provider || 0),
        figure('买方 Buyers', p.buyer || 0),
        figure('跨省结算 Cross-province settled', yuan(all.cross_province_settled)),
        figure('托管 Escrow', yuan(all.supply.escrow)),
        figure('余额合计 Balances', yuan(all.supply.balances))))));
}

async function loadObjects() {
  const c = await rpc('contract_list', {limit: MAX_ROWS});
  fill('contracts', c.items.map((x) => el('tr', {'data-contract': x.contract_id},
    el('td', {}, link(short(x.contract_id), x.contract_id)), el('td', {}, x.state),
    el('td', {}, x.resource.model + ' × ' + x.quantity + ' ' + x.resource.unit),
    el('td', {class: 'num'}, yuan(x.amount)), el('td', {}, x.cross_province ? '是 yes' : '否 no'))),
    '尚无合同 no contracts yet');
  const v = await rpc('voucher_list', {limit: MAX_ROWS});
  fill('vouchers', v.items.map((x) => el('tr', {'data-voucher': x.voucher_id},
    el('td', {}, link(short(x.voucher_id), x.voucher_id)), el('td', {}, province(x.province)),
    el('td', {}, x.state), el('td', {class: 'num'}, yuan(x.amount)),
    el('td', {class: 'num'}, yuan(x.remaining)))), '尚无算力券 no vouchers yet');
}

// ---- settlement ----
function matrix(statement) {
  const flows = statement.flows || [];
  if (!flows.length) return el('p', {class: 'empty'}, '本期尚无跨省资金流 no cross-province flows yet');
  const from = [...new Set(flows.map((f) => f.from))].sort();
  const to = [...new Set(flows.map((f) => f.to))].sort();
  const cell = {};
  for (const f of flows) cell[f.from + '>' + f.to] = f;
  const head = el('tr', {}, el('th', {}, '付款省 ↓ 收款省 → payer ↓ payee →'),
    ...to.map((t) => el('th', {class: 'num'}, province(t))));
  const rows = from.map((f) => el('tr', {}, el('th', {}, province(f)), ...to.map((t) => {
    const x = cell[f + '>' + t];
    return x ? el('td', {class: 'cell', 'data-from': f, 'data-to': t, 'data-fen': x.amount},
      yuan(x.amount), el('small', {}, x.count + ' 笔 payments')) : el('td', {class: 'cell'}, '');
  })));
  const net = (statement.net || []).map((n) => province(n.province) + ' ' + yuan(n.amount))
    .join(' · ');
  return el('div', {}, el('table', {class: 'matrix'}, el('thead', {}, head), el('tbody', {}, rows)),
    el('p', {}, '净额 Net (received − paid): ', net || '–'));
}
function showStatement(s) {
  $('selected-period').textContent = '#' + s.period + ' (' + s.status + ')';
  $('flow-selected').replaceChildren(matrix(s));
}
async function loadSettlement() {
  const open = await rpc('settlement_current');
  $('open-period').textContent = '#' + open.period;
  $('flow-open').replaceChildren(matrix(open));
  const list = await rpc('settlement_list', {limit: 100});
  const items = list.items.slice().sort((a, b) => b.period - a.period);
  fill('statements', items.map((s) => el('tr', {'data-period': s.period},
    el('td', {}, el('a', {onclick: () => showStatement(s)}, '#' + s.period)),
    el('td', {class: s.status === 'final' ? 'ok' : ''}, s.status),
    el('td', {}, s.from_height + '–' + s.to_height),
    el('td', {}, ...(s.signatures || []).map((g) => el('div', {class: 'hash', title: g.signer},
      province(g.province) + ' ' + short(g.signer) + ' @' + g.height))),
    el('td', {}, (s.unattested || []).map(province).join(', ')))), '尚无结算单 no statements yet');
  const latestClosed = items.find((s) => s.status !== 'open');
  if (latestClosed || items.length) showStatement(latestClosed || items[0]);
  else $('flow-selected').replaceChildren(el('p', {class: 'empty'}, '–'));
}

// ---- search ----
function value(key, v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && MONEY.has(key)) return el('span', {title: v + ' 分 fen'}, yuan(v));
  if (Array.isArray(v)) return el('div', {}, ...v.map((x) => el('div', {}, value(key, x))));
  if (typeof v === 'object') return details(v);
  if (typeof v === 'string' && /^[0-9a-f]{32}$|^[0-9a-f]{64}$/.test(v)) return link(v, v);
  if (typeof v === 'string' && PROVINCES[v]) return province(v);
  return String(v);
}
function details(obj) {
  return el('table', {}, el('tbody', {}, Object.entries(obj).map(([k, v]) =>
    el('tr', {'data-field': k}, el('th', {}, k), el('td', {}, value(k, v))))));
}
async function search(q) {
  q = (q || '').trim().toLowerCase();
  $('q').value = q;
  const out = $('search-result');
  out.className = '';
  const found = [];
  if (/^[0-9]+$/.test(q)) {
    const b = await maybe('block_get', {height: Number(q)});
    if (b) found.push(['区块 Block', b]);
  } else if (/^[0-9a-f]{32}$/.test(q)) {
    const c = await maybe('contract_get', {contract_id: q});
    if (c) found.push(['合同 Contract', c]);
    const a = await maybe('application_get', {contract_id: q});
    if (a) found.push(['申领 Voucher application', a]);
  } else if (/^[0-9a-f]{64}$/.test(q)) {
    const t = await maybe('tx_get', {tx_hash: q});
    if (t) found.push(['交易 Transaction', Object.assign({tx_hash: q}, t)]);
    const v = await maybe('voucher_get', {voucher_id: q});
    if (v) found.push(['算力券 Voucher', v]);
    const p = await maybe('participant_get', {pubkey: q});
    if (p) {
      found.push(['参与方 Participant', p]);
      const l = await maybe('tx_list', {participant: q, limit: 10});
      if (l) found.push(['最近交易 Recent transactions', {items: l.items.map((x) => x.tx_hash || x)}]);
    }
  }
  if (!found.length) {
    out.className = 'empty';
    out.replaceChildren('未找到 nothing found for “' + q +
      '” (tx hash, contract id, voucher id, pubkey or height)');
    return;
  }
  out.replaceChildren(...found.map(([title, obj]) =>
    el('div', {class: 'card', 'data-kind': title}, el('h3', {}, title), details(obj))));
  history.replaceState(null, '', '#q=' + q);
}
$('search-form').onsubmit = (e) => { e.preventDefault(); search($('q').value); };

// ---- live updates over the WebSocket ----
let ws = null, wsCalls = {}, refreshTimer = null, retryMs = 1000, wsOpened = null;
const wsReady = new Promise((resolve) => { wsOpened = resolve; });
function wsCall(method, params) {
  return new Promise((resolve, reject) => {
    const id = ++nextId;
    wsCalls[id] = {resolve, reject};
    ws.send(JSON.stringify({jsonrpc: '2.0', id, method, params: params || {}}));
  });
}
function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    try { await Promise.all([loadPrograms(), loadObjects(), loadSettlement()]); } catch (e) {}
  }, 2000);
}
function connect() {
  ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
  ws.onopen = async () => {
    retryMs = 1000;
    $('ws-state').textContent = '实时 live';
    $('ws-state').className = 'live';
    try {
      await wsCall('subscribe', {topic: 'blocks'});
      await wsCall('subscribe', {topic: 'txs'});
      showStatus(await wsCall('node_status'));
    } catch (e) {}
    wsOpened(true);
  };
  ws.onmessage = async (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id !== undefined && wsCalls[msg.id]) {
      const c = wsCalls[msg.id];
      delete wsCalls[msg.id];
      return msg.error ? c.reject(msg.error) : c.resolve(msg.result);
    }
    if (msg.method !== 'subscription') return;
    const p = msg.params;
    if (p.topic === 'blocks') {
      $('head-height').textContent = p.result.height;
      prepend('blocks', blockRow(p.result));
      try { showStatus(await wsCall('node_status')); } catch (e) {}
      refreshSoon();
    } else if (p.topic === 'txs') {
      prepend('txs', txRow(p.result));
    }
  };
  ws.onclose = () => {
    wsOpened(false);
    $('ws-state').textContent = '重连中 reconnecting';
    $('ws-state').className = 'down';
    for (const c of Object.values(wsCalls)) c.reject({message: 'closed'});
    wsCalls = {};
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  };
}

async function main() {
  connect();
  const status = await rpc('node_status');
  showStatus(status);
  await Promise.all([loadLatest(status.height), loadPrograms(), loadObjects(), loadSettlement()]);
  const m = /[#&?]q=([0-9a-fA-F]+)/.exec(location.hash + location.search);
  if (m) await search(m[1]);
  await wsReady;
  document.body.dataset.ready = '1';
}
main().catch((e) => {
  document.body.dataset.ready = 'error';
  $('search-result').textContent = '加载失败 failed to load: ' + (e.message || JSON.stringify(e));
});
)SCRIPT";

}  // namespace

std::string_view explorer_script() { return kScript; }

}  // namespace suanli::rpc
