// RetainedStore: the last retained message of each topic (spec 3.3.1.3),
// found by the filters of new subscriptions.
//
// Topics are internal names (client_identity.h). Bounded: at most
// max_messages messages and max_bytes of topic and payload; a retain past
// either limit is refused (the broker answers Quota exceeded), so memory
// cannot grow without bound whatever clients retain.
//
// Not thread-safe: the broker guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "transport/mqtt/message.h"

namespace citypulse::mqtt {

class RetainedStore {
 public:
  RetainedStore(std::size_t max_messages, std::size_t max_bytes);
  ~RetainedStore();
  RetainedStore(const RetainedStore&) = delete;
  RetainedStore& operator=(const RetainedStore&) = delete;

  enum class Outcome : std::uint8_t { stored, replaced, removed, nothing_to_remove, over_limit };

  // Keeps `message` as the retained message of message->topic, replacing
  // the one before; a message with an empty payload removes it instead and
  // is not kept [MQTT-3.3.1-6], [MQTT-3.3.1-7]. over_limit leaves the store
  // as it was.
  Outcome retain(MessagePtr message);

  // Appends the retained messages whose topics match `filter` (a valid,
  // non-shared filter; '$' topics follow [MQTT-4.7.2-1]) and have not
  // expired at now_ms, dropping expired ones it passes. Costs the matching
  // part of the topic tree, not every retained message.
  void match(std::string_view filter, std::int64_t now_ms, std::vector<MessagePtr>& out);

  std::size_t size() const { return count_; }
  std::size_t bytes() const { return bytes_; }

  // Every retained message (to persist them), in no particular order.
  void for_each(const std::function<void(const MessagePtr&)>& visit) const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::size_t max_messages_;
  std::size_t max_bytes_;
  std::size_t count_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace citypulse::mqtt
