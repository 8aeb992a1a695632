#include "consensus/outbox.h"

#include <utility>

#include "common/assert.h"

namespace suanli::consensus {

void Outbox::send(Message m) {
  SUANLI_ASSERT(m.to != kNoNode);
  SUANLI_ASSERT(m.to != self_);
  m.from = self_;
  const bool explicit_term = m.type == MessageType::kVote || m.type == MessageType::kPreVote ||
                             is_vote_response(m.type);
  if (explicit_term) {
    SUANLI_ASSERT_MSG(m.term != 0, "vote message without a term");
  } else {
    m.term = term_;
  }
  msgs_.push_back(std::move(m));
}

void Outbox::set_term(Term term) {
  SUANLI_ASSERT(term >= term_);
  if (term == term_) return;
  term_ = term;
  std::erase_if(msgs_, [term](const Message& m) { return m.term < term; });
}

std::vector<Message> Outbox::take() {
  std::vector<Message> out;
  out.swap(msgs_);
  return out;
}

}  // namespace suanli::consensus
