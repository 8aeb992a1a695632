#include "tests/consensus/sim_node_util.h"

#include "common/assert.h"

namespace suanli::consensus::sim {

Bytes encode_app_state(const AppState& app, size_t padding) {
  Bytes out;
  put_u64_be(out, app.applied);
  put_u64_be(out, app.chain);
  out.append(padding, 'x');
  return out;
}

AppState decode_app_state(const Bytes& data) {
  SUANLI_ASSERT(data.size() >= 16);
  return AppState{get_u64_be(data.substr(0, 8)), get_u64_be(data.substr(8, 8))};
}

uint64_t chain_next(uint64_t chain, uint64_t digest) {
  chain ^= digest + 0x9e3779b97f4a7c15ull + (chain << 6) + (chain >> 2);
  return chain * 0x100000001b3ull;
}

}  // namespace suanli::consensus::sim
