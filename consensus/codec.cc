#include "consensus/codec.h"

#include <utility>

#include "consensus/limits.h"

namespace suanli::consensus {
namespace {

constexpr const char* kErrMalformed = "malformed";

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) u8(static_cast<uint8_t>(v >> s));
  }
  void u64(uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) u8(static_cast<uint8_t>(v >> s));
  }
  void bytes(std::string_view b) {
    u32(static_cast<uint32_t>(b.size()));
    out_.append(b);
  }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Reads fixed-width fields; after the first failure every read fails and
// returns zero, and ok() reports it, so decoders check once per record.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == in_.size(); }
  size_t remaining() const { return in_.size() - pos_; }
  void fail() { ok_ = false; }

  uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return ok_ ? v : 0;
  }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return ok_ ? v : 0;
  }
  Bytes bytes(uint64_t max_len) {
    const uint32_t len = u32();
    if (!ok_ || len > max_len || !need(len)) {
      ok_ = false;
      return {};
    }
    Bytes b(in_.substr(pos_, len));
    pos_ += len;
    return b;
  }

 private:
  bool need(size_t n) {
    if (!ok_ || remaining() < n) ok_ = false;
    return ok_;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void put_entry(Writer& w, const Entry& e) {
  w.u64(e.term);
  w.u64(e.index);
  w.u8(static_cast<uint8_t>(e.type));
  w.bytes(e.data);
}

Entry get_entry(Reader& r) {
  Entry e;
  e.term = r.u64();
  e.index = r.u64();
  const uint8_t type = r.u8();
  if (type > static_cast<uint8_t>(EntryType::kConfChange)) r.fail();
  e.type = static_cast<EntryType>(type);
  e.data = r.bytes(kEntryBytesMax);
  return e;
}

void put_ids(Writer& w, const std::vector<NodeId>& ids) {
  w.u32(static_cast<uint32_t>(ids.size()));
  for (NodeId id : ids) w.u64(id);
}

std::vector<NodeId> get_ids(Reader& r) {
  const uint32_t n = r.u32();
  std::vector<NodeId> ids;
  if (!r.ok() || n > kConfNodesMax || r.remaining() < uint64_t{n} * 8) {
    r.fail();
    return ids;
  }
  ids.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const NodeId id = r.u64();
    // Sorted and unique, as ConfState requires; also rejects kNoNode.
    if (id == kNoNode || (!ids.empty() && id <= ids.back())) r.fail();
    ids.push_back(id);
  }
  return ids;
}

void put_meta(Writer& w, const SnapshotMeta& meta) {
  w.u64(meta.index);
  w.u64(meta.term);
  put_ids(w, meta.conf_state.voters);
  put_ids(w, meta.conf_state.learners);
}

SnapshotMeta get_meta(Reader& r) {
  SnapshotMeta meta;
  meta.index = r.u64();
  meta.term = r.u64();
  meta.conf_state.voters = get_ids(r);
  meta.conf_state.learners = get_ids(r);
  return meta;
}

bool check_version(Reader& r) {
  if (r.u8() != kCodecVersion) r.fail();
  return r.ok();
}

Status malformed(const char* what) { return Status::error(kErrMalformed, what); }

std::vector<Entry> get_entries(Reader& r) {
  const uint32_t n = r.u32();
  std::vector<Entry> entries;
  if (!r.ok() || n > kMessageEntriesMax || r.remaining() < uint64_t{n} * kEntryHeaderBytes) {
    r.fail();
    return entries;
  }
  entries.reserve(n);
  for (uint32_t i = 0; i < n && r.ok(); ++i) entries.push_back(get_entry(r));
  return entries;
}

// Semantic checks that keep a decoded message within what the core expects.
bool message_consistent(const Message& m) {
  if (m.type != MessageType::kApp && !m.entries.empty()) return false;
  if (m.type != MessageType::kSnap && !m.snap_data.empty()) return false;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    if (m.entries[i].index != m.index + 1 + i) return false;
    if (m.entries[i].term == 0) return false;
  }
  if (m.type == MessageType::kSnap) {
    if (m.snap_total > kSnapshotBytesMax) return false;
    if (m.snap_offset > m.snap_total || m.snap_data.size() > m.snap_total - m.snap_offset) {
      return false;
    }
  }
  return m.from != kNoNode;
}

}  // namespace

Bytes encode_message(const Message& m) {
  Writer w;
  w.u8(kCodecVersion);
  w.u8(static_cast<uint8_t>(m.type));
  w.u64(m.from);
  w.u64(m.to);
  w.u64(m.term);
  w.u64(m.log_term);
  w.u64(m.index);
  w.u64(m.commit);
  w.u8(static_cast<uint8_t>((m.reject ? 1 : 0) | (m.transfer ? 2 : 0)));
  w.u64(m.reject_hint);
  w.u32(static_cast<uint32_t>(m.entries.size()));
  for (const Entry& e : m.entries) put_entry(w, e);
  put_meta(w, m.snapshot);
  w.u64(m.snap_offset);
  w.u64(m.snap_total);
  w.bytes(m.snap_data);
  w.bytes(m.context);
  return w.take();
}

Result<Message> decode_message(std::string_view in) {
  if (in.size() > kMessageBytesMax) return malformed("message too large");
  Reader r(in);
  if (!check_version(r)) return malformed("bad version");
  Message m;
  const uint8_t type = r.u8();
  if (type == 0 || type > kMessageTypeMax) return malformed("bad message type");
  m.type = static_cast<MessageType>(type);
  m.from = r.u64();
  m.to = r.u64();
  m.term = r.u64();
  m.log_term = r.u64();
  m.index = r.u64();
  m.commit = r.u64();
  const uint8_t flags = r.u8();
  if (flags > 3) r.fail();
  m.reject = (flags & 1) != 0;
  m.transfer = (flags & 2) != 0;
  m.reject_hint = r.u64();
  m.entries = get_entries(r);
  m.snapshot = get_meta(r);
  m.snap_offset = r.u64();
  m.snap_total = r.u64();
  m.snap_data = r.bytes(kSnapshotChunkBytesMax);
  m.context = r.bytes(kContextBytesMax);
  if (!r.done()) return malformed("truncated or trailing bytes");
  if (!message_consistent(m)) return malformed("inconsistent message fields");
  return m;
}

Bytes encode_entry(const Entry& e) {
  Writer w;
  w.u8(kCodecVersion);
  put_entry(w, e);
  return w.take();
}

Result<Entry> decode_entry(std::string_view in) {
  Reader r(in);
  if (!check_version(r)) return malformed("bad version");
  Entry e = get_entry(r);
  if (!r.done()) return malformed("bad entry");
  return e;
}

Bytes encode_conf_change(const ConfChange& cc) {
  Writer w;
  w.u8(kCodecVersion);
  w.u8(static_cast<uint8_t>(cc.type));
  w.u64(cc.node_id);
  return w.take();
}

Result<ConfChange> decode_conf_change(std::string_view in) {
  Reader r(in);
  if (!check_version(r)) return malformed("bad version");
  ConfChange cc;
  const uint8_t type = r.u8();
  if (type > static_cast<uint8_t>(ConfChangeType::kRemoveNode)) r.fail();
  cc.type = static_cast<ConfChangeType>(type);
  cc.node_id = r.u64();
  if (!r.done() || cc.node_id == kNoNode) return malformed("bad conf change");
  return cc;
}

Bytes encode_hard_state(const HardState& hs) {
  Writer w;
  w.u8(kCodecVersion);
  w.u64(hs.term);
  w.u64(hs.vote);
  w.u64(hs.commit);
  return w.take();
}

Result<HardState> decode_hard_state(std::string_view in) {
  Reader r(in);
  if (!check_version(r)) return malformed("bad version");
  HardState hs;
  hs.term = r.u64();
  hs.vote = r.u64();
  hs.commit = r.u64();
  if (!r.done()) return malformed("bad hard state");
  return hs;
}

Bytes encode_snapshot_meta(const SnapshotMeta& meta) {
  Writer w;
  w.u8(kCodecVersion);
  put_meta(w, meta);
  return w.take();
}

Result<SnapshotMeta> decode_snapshot_meta(std::string_view in) {
  Reader r(in);
  if (!check_version(r)) return malformed("bad version");
  SnapshotMeta meta = get_meta(r);
  if (!r.done()) return malformed("bad snapshot meta");
  return meta;
}

}  // namespace suanli::consensus
