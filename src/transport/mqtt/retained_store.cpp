// The retained store: a trie over the levels of topic names, so that a new
// subscription's filter visits only the branches it can match.
#include "transport/mqtt/retained_store.h"

#include <string>
#include <unordered_map>
#include <utility>

#include "core/mqtt_topic.h"
#include "core/text.h"

namespace citypulse::mqtt {
namespace {

// What a message counts against max_bytes.
std::size_t cost(const Message& message) {
  return message.topic.size() + message.payload.size();
}

}  // namespace

struct RetainedStore::Node {
  TextMap<std::unique_ptr<Node>> children;
  MessagePtr message;  // null: no message retained at exactly this topic

  bool empty() const { return !message && children.empty(); }

  Node* child(std::string_view level) const {
    const auto it = children.find(level);
    return it == children.end() ? nullptr : it->second.get();
  }

  // The node of a topic name, or null.
  Node* find(std::string_view topic) {
    Node* node = this;
    for (std::string_view rest = topic; node != nullptr;) {
      const TopicLevel split = first_level(rest);
      node = node->child(split.level);
      if (split.last) break;
      rest = split.below;
    }
    return node;
  }

  // The node of a topic name, made with its branch when missing.
  Node& make(std::string_view topic) {
    Node* node = this;
    for (std::string_view rest = topic;;) {
      const TopicLevel split = first_level(rest);
      auto it = node->children.find(split.level);
      if (it == node->children.end())
        it = node->children.emplace(std::string(split.level), std::make_unique<Node>()).first;
      node = it->second.get();
      if (split.last) return *node;
      rest = split.below;
    }
  }

  // Takes the message of a topic name out (null when there is none) and
  // frees the branch it leaves empty.
  MessagePtr remove(std::string_view topic) {
    // The nodes from here down, with the level leading on from each.
    std::vector<std::pair<Node*, std::string_view>> path;
    Node* node = this;
    for (std::string_view rest = topic;;) {
      const TopicLevel split = first_level(rest);
      Node* next = node->child(split.level);
      if (next == nullptr) return nullptr;
      path.emplace_back(node, split.level);
      node = next;
      if (split.last) break;
      rest = split.below;
    }
    MessagePtr removed = std::move(node->message);
    for (auto it = path.rbegin(); it != path.rend() && node->empty(); ++it) {
      it->first->children.erase(it->first->children.find(it->second));
      node = it->first;
    }
    return removed;
  }
};

namespace {

// What one match() found: live messages go out, expired ones are dropped
// once the walk is over (not during it, which would free nodes under it).
template <typename Node>
struct Collector {
  std::int64_t now_ms;
  std::vector<MessagePtr>& out;
  std::vector<MessagePtr> expired;

  void take(const Node& node) {
    if (!node.message) return;
    (node.message->expired(now_ms) ? expired : out).push_back(node.message);
  }

  // `node` and everything below it; on the first level, topics starting
  // with '$' are left out [MQTT-4.7.2-1].
  void take_all(const Node& top, bool at_top) {
    std::vector<const Node*> pending{&top};
    while (!pending.empty()) {
      const Node* node = pending.back();
      pending.pop_back();
      take(*node);
      for (const auto& [level, child] : node->children) {
        if (at_top && node == &top && level.starts_with('$')) continue;
        pending.push_back(child.get());
      }
    }
  }

  // The filter levels in `rest` (at least one) below `node`.
  void walk(const Node& node, std::string_view rest, bool at_top) {
    const TopicLevel split = first_level(rest);
    // '#' matches the parent level too: "a/#" takes "a" (4.7.1.2).
    if (split.level == "#") return take_all(node, at_top);
    const auto descend = [&](const Node& child) {
      if (split.last) return take(child);
      walk(child, split.below, false);
    };
    if (split.level != "+") {
      if (const Node* child = node.child(split.level)) descend(*child);
      return;
    }
    for (const auto& [level, child] : node.children) {
      if (at_top && level.starts_with('$')) continue;  // [MQTT-4.7.2-1]
      descend(*child);
    }
  }
};

}  // namespace

RetainedStore::RetainedStore(std::size_t max_messages, std::size_t max_bytes)
    : root_(std::make_unique<Node>()), max_messages_(max_messages), max_bytes_(max_bytes) {}

RetainedStore::~RetainedStore() = default;

RetainedStore::Outcome RetainedStore::retain(MessagePtr message) {
  const std::string_view topic = message->topic;
  // An empty payload clears the topic and is not itself kept
  // [MQTT-3.3.1-6], [MQTT-3.3.1-7].
  if (message->payload.empty()) {
    const MessagePtr removed = root_->remove(topic);
    if (!removed) return Outcome::nothing_to_remove;
    --count_;
    bytes_ -= cost(*removed);
    return Outcome::removed;
  }
  // The limits are checked before any node is made, so that a refusal
  // changes nothing.
  Node* node = root_->find(topic);
  const Message* old = node != nullptr ? node->message.get() : nullptr;
  const bool replacing = old != nullptr;
  const std::size_t count = count_ + (replacing ? 0 : 1);
  const std::size_t bytes = bytes_ - (replacing ? cost(*old) : 0) + cost(*message);
  if (count > max_messages_ || bytes > max_bytes_) return Outcome::over_limit;
  if (node == nullptr) node = &root_->make(topic);
  node->message = std::move(message);
  count_ = count;
  bytes_ = bytes;
  return replacing ? Outcome::replaced : Outcome::stored;
}

void RetainedStore::match(std::string_view filter, std::int64_t now_ms,
                          std::vector<MessagePtr>& out) {
  Collector<Node> collector{now_ms, out, {}};
  collector.walk(*root_, filter, true);
  for (const MessagePtr& message : collector.expired) {
    if (root_->remove(message->topic) == nullptr) continue;
    --count_;
    bytes_ -= cost(*message);
  }
}

void RetainedStore::for_each(const std::function<void(const MessagePtr&)>& visit) const {
  std::vector<const Node*> pending{root_.get()};
  while (!pending.empty()) {
    const Node* node = pending.back();
    pending.pop_back();
    if (node->message) visit(node->message);
    for (const auto& [level, child] : node->children) pending.push_back(child.get());
  }
}

}  // namespace citypulse::mqtt
