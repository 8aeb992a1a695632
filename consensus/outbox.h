// Outbox: messages a RaftCore has produced and not yet handed out in a Ready.
// Stamps each with the sender and the current term, and drops unsent
// messages of older terms when the term changes: they may acknowledge
// entries or votes that the new term overwrites before anything is persisted
// (found by the simulator, seeds 34 and 270).
#pragma once

#include <vector>

#include "consensus/message.h"

namespace suanli::consensus {

class Outbox {
 public:
  explicit Outbox(NodeId self) : self_(self) {}

  // Vote requests and responses carry an explicit term; others get the current one.
  void send(Message m);
  void set_term(Term term);
  bool empty() const { return msgs_.empty(); }
  std::vector<Message> take();

 private:
  NodeId self_;
  Term term_ = 0;
  std::vector<Message> msgs_;
};

}  // namespace suanli::consensus
