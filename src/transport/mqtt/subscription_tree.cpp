// The subscription tree: a trie over the levels of topic filters, with the
// wildcards '+' and '#' as children of their own so that routing follows
// only the branches a topic can match.
#include "transport/mqtt/subscription_tree.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/mqtt_topic.h"
#include "core/text.h"
#include "transport/mqtt/session.h"

namespace citypulse::mqtt {
namespace {

struct Subscriber {
  SessionPtr session;
  SubscriptionOptions options;
};

// One shared subscription (4.8.2): the sessions of one group on one filter.
struct SharedGroup {
  std::vector<Subscriber> members;
  // Where the next round-robin choice starts; atomic because match() runs
  // under a shared lock in many threads at once.
  mutable std::atomic<std::size_t> next{0};
};

Route route_of(const Subscriber& subscriber) {
  Route route{
      subscriber.session, subscriber.options.qos, subscriber.options.retain_as_published, {}};
  if (subscriber.options.subscription_id != 0)
    route.subscription_ids.push_back(subscriber.options.subscription_id);
  return route;
}

// Folds `from` into `into` (same session) as Route says: the highest QoS
// [MQTT-3.3.4-2], Retain As Published if any has it, every identifier.
void merge_into(Route& into, Route& from) {
  into.qos = std::max(into.qos, from.qos);
  into.retain_as_published = into.retain_as_published || from.retain_as_published;
  into.subscription_ids.insert(into.subscription_ids.end(), from.subscription_ids.begin(),
                               from.subscription_ids.end());
}

// Leaves one route per session in out[first..]: a session whose
// subscriptions overlap gets the message once [MQTT-3.3.4-2], carrying the
// identifiers of all of them, ascending and once each [MQTT-3.3.4-3].
void merge_routes(std::vector<Route>& out, std::size_t first) {
  const auto begin = out.begin() + static_cast<std::ptrdiff_t>(first);
  std::sort(begin, out.end(),
            [](const Route& a, const Route& b) { return a.session->key < b.session->key; });
  auto kept = begin;
  for (auto it = begin + 1; it != out.end(); ++it) {
    if (it->session->key == kept->session->key) {
      merge_into(*kept, *it);
    } else if (++kept != it) {
      *kept = std::move(*it);
    }
  }
  out.erase(kept + 1, out.end());
  for (auto it = begin; it != out.end(); ++it) {
    auto& ids = it->subscription_ids;
    if (ids.size() < 2) continue;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
}

// Round-robin over the group, skipping offline members while any member is
// online. The position moves past the member chosen, so online members
// share the messages evenly whoever else is offline.
const Subscriber& choose_member(const SharedGroup& group) {
  const std::size_t n = group.members.size();
  std::size_t start = group.next.load(std::memory_order_relaxed);
  while (true) {
    std::size_t chosen = start % n;  // nobody online: take the next in turn
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t candidate = (start + i) % n;
      if (group.members[candidate].session->online()) {
        chosen = candidate;
        break;
      }
    }
    // A failed exchange means another reader chose meanwhile: choose again
    // from where it left off rather than hand two messages to one member.
    if (group.next.compare_exchange_weak(start, chosen + 1, std::memory_order_relaxed))
      return group.members[chosen];
  }
}

}  // namespace

struct SubscriptionTree::Node {
  using Children = TextMap<std::unique_ptr<Node>>;

  Children children;                                       // literal levels
  std::unique_ptr<Node> plus;                              // the '+' level
  std::unique_ptr<Node> hash;                              // the '#' level (it has no children)
  std::unordered_map<SessionKey, Subscriber> subscribers;  // ordinary subscriptions
  TextMap<SharedGroup> groups;                             // by name

  bool empty() const {
    return children.empty() && !plus && !hash && subscribers.empty() && groups.empty();
  }

  // The child for a filter level, made when missing.
  Node& child_for(std::string_view level) {
    if (level == "+") return make(plus);
    if (level == "#") return make(hash);
    auto it = children.find(level);
    if (it == children.end()) it = children.emplace(std::string(level), nullptr).first;
    return make(it->second);
  }

  // The child for a filter level, or null.
  Node* existing_child(std::string_view level) const {
    if (level == "+") return plus.get();
    if (level == "#") return hash.get();
    const auto it = children.find(level);
    return it == children.end() ? nullptr : it->second.get();
  }

  // Frees the child for a filter level (it must exist and be empty).
  void erase_child(std::string_view level) {
    if (level == "+") {
      plus.reset();
    } else if (level == "#") {
      hash.reset();
    } else {
      children.erase(children.find(level));
    }
  }

  static Node& make(std::unique_ptr<Node>& slot) {
    if (!slot) slot = std::make_unique<Node>();
    return *slot;
  }
};

namespace {

// Calls visit(node) for every node whose filter matches the topic levels in
// `rest` below `node` (at least one level is left). `dollar_at_root` applies
// [MQTT-4.7.2-1]: a topic starting with '$' is not matched by a wildcard in
// the first level. (A template so that it may name the private Node.)
template <typename Node, typename Visit>
void visit_matches(const Node& node, std::string_view rest, bool dollar_at_root, Visit& visit) {
  const TopicLevel split = first_level(rest);
  // '#' matches one or more levels here.
  if (node.hash && !dollar_at_root) visit(*node.hash);
  const auto descend = [&](const Node& child) {
    if (!split.last) return visit_matches(child, split.below, false, visit);
    visit(child);
    // ... and "a/#" also matches "a" itself (4.7.1.2).
    if (child.hash) visit(*child.hash);
  };
  if (const auto it = node.children.find(split.level); it != node.children.end())
    descend(*it->second);
  if (node.plus && !dollar_at_root) descend(*node.plus);
}

template <typename Node, typename Visit>
void visit_matches(const Node& root, std::string_view topic, Visit&& visit) {
  visit_matches(root, topic, topic.starts_with('$'), visit);
}

}  // namespace

SubscriptionTree::SubscriptionTree() : root_(std::make_unique<Node>()) {}
SubscriptionTree::~SubscriptionTree() = default;

bool SubscriptionTree::add(std::string_view filter, const SessionPtr& session,
                           const SubscriptionOptions& options) {
  const auto shared = split_shared(filter);
  Node* node = root_.get();
  for (std::string_view rest = shared ? shared->filter : filter;;) {
    const TopicLevel split = first_level(rest);
    node = &node->child_for(split.level);
    if (split.last) break;
    rest = split.below;
  }
  // The same filter again replaces the subscription [MQTT-3.8.4-3].
  if (!shared) {
    const auto [it, added] = node->subscribers.try_emplace(session->key, session, options);
    if (!added) it->second.options = options;
    size_ += added ? 1 : 0;
    return !added;
  }
  auto group = node->groups.find(shared->group);
  if (group == node->groups.end())
    group = node->groups.try_emplace(std::string(shared->group)).first;
  auto& members = group->second.members;
  const auto member = std::find_if(members.begin(), members.end(), [&](const Subscriber& s) {
    return s.session->key == session->key;
  });
  if (member != members.end()) {
    member->options = options;
    return true;
  }
  members.push_back(Subscriber{session, options});
  ++size_;
  return false;
}

bool SubscriptionTree::remove(std::string_view filter, SessionKey session) {
  const auto shared = split_shared(filter);
  // The nodes from the root down, with the level that leads to each, so
  // that branches left empty can be freed from the bottom up.
  std::vector<std::pair<Node*, std::string_view>> path;
  Node* node = root_.get();
  for (std::string_view rest = shared ? shared->filter : filter;;) {
    const TopicLevel split = first_level(rest);
    Node* child = node->existing_child(split.level);
    if (child == nullptr) return false;
    path.emplace_back(node, split.level);
    node = child;
    if (split.last) break;
    rest = split.below;
  }
  if (!shared) {
    if (node->subscribers.erase(session) == 0) return false;
  } else {
    const auto group = node->groups.find(shared->group);
    if (group == node->groups.end()) return false;
    auto& members = group->second.members;
    const auto member = std::find_if(members.begin(), members.end(), [&](const Subscriber& s) {
      return s.session->key == session;
    });
    if (member == members.end()) return false;
    members.erase(member);
    if (members.empty()) node->groups.erase(group);
  }
  --size_;
  for (auto it = path.rbegin(); it != path.rend() && node->empty(); ++it) {
    it->first->erase_child(it->second);
    node = it->first;
  }
  return true;
}

void SubscriptionTree::match(std::string_view topic, SessionKey origin,
                             std::vector<Route>& out) const {
  const std::size_t first = out.size();
  std::size_t nodes_with_routes = 0;
  bool any_shared = false;
  visit_matches(*root_, topic, [&](const Node& node) {
    any_shared = any_shared || !node.groups.empty();
    const std::size_t before = out.size();
    for (const auto& [key, subscriber] : node.subscribers) {
      // Not back to the publisher when it asked for No Local [MQTT-3.8.3-3].
      if (subscriber.options.no_local && origin != 0 && key == origin) continue;
      out.push_back(route_of(subscriber));
    }
    nodes_with_routes += out.size() > before ? 1 : 0;
  });
  // A node holds one subscription per session, so routes repeat a session
  // only when several nodes matched.
  if (nodes_with_routes > 1) merge_routes(out, first);
  if (!any_shared) return;
  // Shared groups after the merge: their routes stay apart from a member's
  // ordinary one. No Local does not apply: it is a Protocol Error on a
  // shared subscription [MQTT-3.8.3-4], refused before it gets here.
  visit_matches(*root_, topic, [&](const Node& node) {
    for (const auto& [name, group] : node.groups) out.push_back(route_of(choose_member(group)));
  });
}

std::size_t SubscriptionTree::size() const {
  return size_;
}

}  // namespace citypulse::mqtt
