#include "ledger/encoding.h"

namespace suanli::ledger {
namespace {

constexpr uint8_t kVersion = 1;

template <typename E>
bool read_enum(Reader& r, E& e, uint8_t max) {
  uint8_t v = 0;
  if (!r.u8(v) || v > max) return false;
  e = static_cast<E>(v);
  return true;
}

void write_resource(Writer& w, const Resource& res) {
  w.u8(static_cast<uint8_t>(res.cls));
  w.str(res.model);
  w.u8(static_cast<uint8_t>(res.unit));
}

bool read_resource(Reader& r, Resource& res) {
  return read_enum(r, res.cls, 2) && r.str(res.model) && read_enum(r, res.unit, 2);
}

bool begin(Reader& r) {
  uint8_t version = 0;
  return r.u8(version) && version == kVersion;
}

Writer begin_writer() {
  Writer w;
  w.u8(kVersion);
  return w;
}

}  // namespace

void Writer::u32(uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out_.append(b, sizeof(b));
}
void Writer::u64(uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out_.append(b, sizeof(b));
}
void Writer::str(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  out_.append(s);
}

bool Reader::u8(uint8_t& v) {
  if (pos_ >= in_.size()) return false;
  v = static_cast<uint8_t>(in_[pos_++]);
  return true;
}
bool Reader::u32(uint32_t& v) {
  if (in_.size() - pos_ < 4) return false;
  v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
  pos_ += 4;
  return true;
}
bool Reader::u64(uint64_t& v) {
  if (in_.size() - pos_ < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
  pos_ += 8;
  return true;
}
bool Reader::boolean(bool& v) {
  uint8_t b = 0;
  if (!u8(b) || b > 1) return false;
  v = b == 1;
  return true;
}
bool Reader::str(std::string& s) {
  uint32_t n = 0;
  if (!u32(n) || in_.size() - pos_ < n) return false;
  s.assign(in_.data() + pos_, n);
  pos_ += n;
  return true;
}
bool Reader::count(uint32_t& n, size_t min_item_bytes) {
  if (!u32(n)) return false;
  return static_cast<uint64_t>(n) * min_item_bytes <= in_.size() - pos_;
}

std::string encode(const Participant& v) {
  Writer w = begin_writer();
  w.fixed(v.pubkey);
  w.u8(static_cast<uint8_t>(v.role));
  w.str(v.province);
  w.str(v.name);
  w.str(v.credit_code);
  w.str(v.group);
  w.u64(v.balance);
  w.boolean(v.frozen);
  w.u64(v.registered_height);
  w.boolean(v.registered_by.has_value());
  if (v.registered_by) w.fixed(*v.registered_by);
  return w.take();
}

bool decode(std::string_view in, Participant& v) {
  Reader r(in);
  bool has_by = false;
  if (!begin(r) || !r.fixed(v.pubkey) || !read_enum(r, v.role, 2) || !r.str(v.province) ||
      !r.str(v.name) || !r.str(v.credit_code) || !r.str(v.group) || !r.u64(v.balance) ||
      !r.boolean(v.frozen) || !r.u64(v.registered_height) || !r.boolean(has_by)) {
    return false;
  }
  v.registered_by.reset();
  if (has_by) {
    PubKey by{};
    if (!r.fixed(by)) return false;
    v.registered_by = by;
  }
  return r.done();
}

std::string encode(const Contract& v) {
  Writer w = begin_writer();
  w.fixed(v.contract_id);
  w.fixed(v.buyer);
  w.fixed(v.provider);
  write_resource(w, v.resource);
  for (uint64_t x : {v.quantity, v.unit_price, v.amount, v.created_at, v.deadline}) w.u64(x);
  w.u8(static_cast<uint8_t>(v.state));
  for (uint64_t x : {v.delivered, v.settled, v.settled_buyer_funded, v.escrow_buyer,
                     v.escrow_voucher}) {
    w.u64(x);
  }
  w.u32(static_cast<uint32_t>(v.deductions.size()));
  for (const auto& d : v.deductions) {
    w.fixed(d.voucher_id);
    w.u64(d.amount);
    w.u64(d.spent);
    w.u64(d.returned);
  }
  w.u32(static_cast<uint32_t>(v.deliveries.size()));
  for (const auto& d : v.deliveries) {
    w.u64(d.seq);
    w.u64(d.quantity);
    w.fixed(d.evidence);
    w.u8(static_cast<uint8_t>(d.state));
    w.u64(d.reported_at);
    w.u64(d.accepted_quantity);
  }
  w.boolean(v.cross_province);
  return w.take();
}

bool decode(std::string_view in, Contract& v) {
  Reader r(in);
  if (!begin(r) || !r.fixed(v.contract_id) || !r.fixed(v.buyer) || !r.fixed(v.provider) ||
      !read_resource(r, v.resource)) {
    return false;
  }
  for (uint64_t* x : {&v.quantity, &v.unit_price, &v.amount, &v.created_at, &v.deadline}) {
    if (!r.u64(*x)) return false;
  }
  if (!read_enum(r, v.state, 4)) return false;
  for (uint64_t* x : {&v.delivered, &v.settled, &v.settled_buyer_funded, &v.escrow_buyer,
                      &v.escrow_voucher}) {
    if (!r.u64(*x)) return false;
  }
  uint32_t n = 0;
  if (!r.count(n, 56)) return false;
  v.deductions.assign(n, Deduction{});
  for (auto& d : v.deductions) {
    if (!r.fixed(d.voucher_id) || !r.u64(d.amount) || !r.u64(d.spent) || !r.u64(d.returned)) {
      return false;
    }
  }
  if (!r.count(n, 65)) return false;
  v.deliveries.assign(n, Delivery{});
  for (auto& d : v.deliveries) {
    if (!r.u64(d.seq) || !r.u64(d.quantity) || !r.fixed(d.evidence) ||
        !read_enum(r, d.state, 4) || !r.u64(d.reported_at) || !r.u64(d.accepted_quantity)) {
      return false;
    }
  }
  return r.boolean(v.cross_province) && r.done();
}

std::string encode(const Application& v) {
  Writer w = begin_writer();
  w.fixed(v.contract_id);
  w.fixed(v.buyer);
  w.str(v.program);
  w.u8(static_cast<uint8_t>(v.state));
  w.boolean(v.voucher_id.has_value());
  if (v.voucher_id) w.fixed(*v.voucher_id);
  w.str(v.reason);
  return w.take();
}

bool decode(std::string_view in, Application& v) {
  Reader r(in);
  bool has_voucher = false;
  if (!begin(r) || !r.fixed(v.contract_id) || !r.fixed(v.buyer) || !r.str(v.program) ||
      !read_enum(r, v.state, 2) || !r.boolean(has_voucher)) {
    return false;
  }
  v.voucher_id.reset();
  if (has_voucher) {
    Hash32 id{};
    if (!r.fixed(id)) return false;
    v.voucher_id = id;
  }
  return r.str(v.reason) && r.done();
}

std::string encode(const Voucher& v) {
  Writer w = begin_writer();
  w.fixed(v.voucher_id);
  w.fixed(v.contract_id);
  w.fixed(v.buyer);
  w.str(v.province);
  w.fixed(v.issuer);
  for (uint64_t x : {v.amount, v.remaining, v.issued_at, v.expires_at}) w.u64(x);
  w.u8(static_cast<uint8_t>(v.state));
  return w.take();
}

bool decode(std::string_view in, Voucher& v) {
  Reader r(in);
  if (!begin(r) || !r.fixed(v.voucher_id) || !r.fixed(v.contract_id) || !r.fixed(v.buyer) ||
      !r.str(v.province) || !r.fixed(v.issuer)) {
    return false;
  }
  for (uint64_t* x : {&v.amount, &v.remaining, &v.issued_at, &v.expires_at}) {
    if (!r.u64(*x)) return false;
  }
  return read_enum(r, v.state, 3) && r.done();
}

std::string encode(const Program& v) {
  Writer w = begin_writer();
  const ProgramParams& p = v.params;
  w.str(p.province);
  w.u8(static_cast<uint8_t>(p.basis));
  for (uint64_t x : {p.rate_bps, p.max_per_voucher, p.max_per_buyer_per_year, p.max_term_ms,
                     p.validity_ms, p.budget, v.issued, v.redeemed, v.returned}) {
    w.u64(x);
  }
  return w.take();
}

bool decode(std::string_view in, Program& v) {
  Reader r(in);
  ProgramParams& p = v.params;
  if (!begin(r) || !r.str(p.province) || !read_enum(r, p.basis, 1)) return false;
  for (uint64_t* x : {&p.rate_bps, &p.max_per_voucher, &p.max_per_buyer_per_year, &p.max_term_ms,
                      &p.validity_ms, &p.budget, &v.issued, &v.redeemed, &v.returned}) {
    if (!r.u64(*x)) return false;
  }
  return r.done();
}

std::string encode(const Statement& v) {
  Writer w = begin_writer();
  w.u64(v.period);
  w.u8(static_cast<uint8_t>(v.status));
  w.u64(v.from_height);
  w.u64(v.to_height);
  w.u32(static_cast<uint32_t>(v.flows.size()));
  for (const auto& f : v.flows) {
    w.str(f.from);
    w.str(f.to);
    w.u64(f.amount);
    w.u64(f.count);
  }
  for (const auto* list : {&v.required, &v.unattested}) {
    w.u32(static_cast<uint32_t>(list->size()));
    for (const auto& s : *list) w.str(s);
  }
  w.u32(static_cast<uint32_t>(v.signatures.size()));
  for (const auto& s : v.signatures) {
    w.str(s.province);
    w.fixed(s.signer);
    w.u64(s.height);
  }
  return w.take();
}

bool decode(std::string_view in, Statement& v) {
  Reader r(in);
  if (!begin(r) || !r.u64(v.period) || !read_enum(r, v.status, 2) || !r.u64(v.from_height) ||
      !r.u64(v.to_height)) {
    return false;
  }
  uint32_t n = 0;
  if (!r.count(n, 24)) return false;
  v.flows.assign(n, Flow{});
  for (auto& f : v.flows) {
    if (!r.str(f.from) || !r.str(f.to) || !r.u64(f.amount) || !r.u64(f.count)) return false;
  }
  for (auto* list : {&v.required, &v.unattested}) {
    if (!r.count(n, 4)) return false;
    list->assign(n, std::string());
    for (auto& s : *list) {
      if (!r.str(s)) return false;
    }
  }
  if (!r.count(n, 44)) return false;
  v.signatures.assign(n, StatementSignature{});
  for (auto& s : v.signatures) {
    if (!r.str(s.province) || !r.fixed(s.signer) || !r.u64(s.height)) return false;
  }
  return r.done();
}

std::string encode(const Proposal& v) {
  Writer w = begin_writer();
  w.fixed(v.id);
  w.u8(static_cast<uint8_t>(v.kind));
  w.u8(static_cast<uint8_t>(v.node.action));
  w.str(v.node.node_id);
  w.fixed(v.node.pubkey);
  w.str(v.node.address);
  w.fixed(v.regulator.pubkey);
  w.str(v.regulator.province);
  w.str(v.regulator.name);
  w.str(v.regulator.credit_code);
  w.fixed(v.proposer);
  w.u32(static_cast<uint32_t>(v.approvals.size()));
  for (const auto& a : v.approvals) w.str(a);
  w.u8(static_cast<uint8_t>(v.state));
  w.u64(v.created_height);
  w.u64(v.done_height);
  return w.take();
}

bool decode(std::string_view in, Proposal& v) {
  Reader r(in);
  if (!begin(r) || !r.fixed(v.id) || !read_enum(r, v.kind, 1) || !read_enum(r, v.node.action, 2) ||
      !r.str(v.node.node_id) || !r.fixed(v.node.pubkey) || !r.str(v.node.address) ||
      !r.fixed(v.regulator.pubkey) || !r.str(v.regulator.province) || !r.str(v.regulator.name) ||
      !r.str(v.regulator.credit_code) || !r.fixed(v.proposer)) {
    return false;
  }
  uint32_t n = 0;
  if (!r.count(n, 4)) return false;
  v.approvals.assign(n, std::string());
  for (auto& a : v.approvals) {
    if (!r.str(a)) return false;
  }
  return read_enum(r, v.state, 1) && r.u64(v.created_height) && r.u64(v.done_height) && r.done();
}

std::string encode(const NodeMember& v) {
  Writer w = begin_writer();
  w.str(v.node_id);
  w.fixed(v.pubkey);
  w.str(v.address);
  w.u8(static_cast<uint8_t>(v.role));
  return w.take();
}

bool decode(std::string_view in, NodeMember& v) {
  Reader r(in);
  return begin(r) && r.str(v.node_id) && r.fixed(v.pubkey) && r.str(v.address) &&
         read_enum(r, v.role, 1) && r.done();
}

std::string encode(const TxRecord& v) {
  Writer w = begin_writer();
  w.u64(v.height);
  w.u32(v.index);
  w.boolean(v.ok);
  w.str(v.error);
  w.str(v.message);
  return w.take();
}

bool decode(std::string_view in, TxRecord& v) {
  Reader r(in);
  return begin(r) && r.u64(v.height) && r.u32(v.index) && r.boolean(v.ok) && r.str(v.error) &&
         r.str(v.message) && r.done();
}

std::string encode_u64(uint64_t v) {
  Writer w;
  w.u64(v);
  return w.take();
}

bool decode_u64(std::string_view in, uint64_t& v) {
  Reader r(in);
  return r.u64(v) && r.done();
}

}  // namespace suanli::ledger
