// The subscription tree: which sessions a PUBLISH goes to, with overlapping
// subscriptions merged, No Local, shared groups in round robin, and the
// tree's bookkeeping (replace, remove, empty branches freed).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mqtt_topic.h"
#include "transport/mqtt/session.h"
#include "transport/mqtt/subscription_tree.h"

namespace citypulse::mqtt {
namespace {

SessionPtr make_session(SessionKey key, bool online = true) {
  auto session =
      std::make_shared<Session>(key, "s" + std::to_string(key), "c" + std::to_string(key));
  session->set_online(online);
  return session;
}

SubscriptionOptions qos(std::uint8_t q, std::uint32_t id = 0) {
  SubscriptionOptions options;
  options.qos = q;
  options.subscription_id = id;
  return options;
}

std::vector<Route> routes(const SubscriptionTree& tree, std::string_view topic,
                          SessionKey origin = 0) {
  std::vector<Route> out;
  tree.match(topic, origin, out);
  return out;
}

// The keys of the sessions routed to, sorted.
std::vector<SessionKey> keys(const std::vector<Route>& routes) {
  std::vector<SessionKey> out;
  for (const Route& route : routes) out.push_back(route.session->key);
  std::sort(out.begin(), out.end());
  return out;
}

const Route* route_for(const std::vector<Route>& routes, SessionKey key) {
  for (const Route& route : routes)
    if (route.session->key == key) return &route;
  return nullptr;
}

using Keys = std::vector<SessionKey>;

TEST(SubscriptionTree, EmptyTreeMatchesNothing) {
  SubscriptionTree tree;
  EXPECT_TRUE(routes(tree, "a").empty());
  EXPECT_EQ(tree.size(), 0u);
}

TEST(SubscriptionTree, LiteralAndWildcardFilters) {
  SubscriptionTree tree;
  const std::pair<std::string, SessionKey> subscriptions[] = {
      {"a/b", 1}, {"a/+", 2}, {"a/#", 3},   {"#", 4},  {"+/b", 5},   {"+/+", 6},
      {"a", 7},   {"+", 8},   {"a/b/c", 9}, {"/", 10}, {"a//b", 11}, {"+/#", 12}};
  for (const auto& [filter, key] : subscriptions) tree.add(filter, make_session(key), qos(0));
  EXPECT_EQ(tree.size(), 12u);

  EXPECT_EQ(keys(routes(tree, "a/b")), (Keys{1, 2, 3, 4, 5, 6, 12}));
  EXPECT_EQ(keys(routes(tree, "a")), (Keys{3, 4, 7, 8, 12}));  // "a/#" and "+/#" match "a"
  EXPECT_EQ(keys(routes(tree, "a/b/c")), (Keys{3, 4, 9, 12}));
  EXPECT_EQ(keys(routes(tree, "x/b")), (Keys{4, 5, 6, 12}));
  EXPECT_EQ(keys(routes(tree, "/")), (Keys{4, 6, 10, 12}));
  EXPECT_EQ(keys(routes(tree, "a//b")), (Keys{3, 4, 11, 12}));
  EXPECT_EQ(keys(routes(tree, "a/")), (Keys{2, 3, 4, 6, 12}));
  EXPECT_EQ(keys(routes(tree, "b")), (Keys{4, 8, 12}));
}

// The tree agrees with topic_matches on every filter and name of a small
// exhaustive set (one subscription per filter).
TEST(SubscriptionTree, AgreesWithTopicMatches) {
  const std::string levels[] = {"a", "b", "", "+", "#", "$s"};
  std::vector<std::string> filters, names;
  for (const auto& l1 : levels) {
    for (const std::string& t : {l1, l1 + "/a", l1 + "/", l1 + "/+", l1 + "/#", l1 + "/$s"}) {
      if (valid_topic_filter(t)) filters.push_back(t);
      if (valid_topic_name(t)) names.push_back(t);
    }
  }
  SubscriptionTree tree;
  for (std::size_t i = 0; i < filters.size(); ++i)
    tree.add(filters[i], make_session(i + 1), qos(0));
  for (const std::string& name : names) {
    Keys expected;
    for (std::size_t i = 0; i < filters.size(); ++i)
      if (topic_matches(filters[i], name)) expected.push_back(i + 1);
    EXPECT_EQ(keys(routes(tree, name)), expected) << name;
  }
}

// [MQTT-4.7.2-1] Wildcards in the first level do not reach '$' topics.
TEST(SubscriptionTree, DollarTopics_MQTT_4_7_2_1) {
  SubscriptionTree tree;
  tree.add("#", make_session(1), qos(0));
  tree.add("+/x", make_session(2), qos(0));
  tree.add("$SYS/#", make_session(3), qos(0));
  tree.add("$SYS/+", make_session(4), qos(0));
  tree.add("+/#", make_session(5), qos(0));
  tree.add("$share/g/#", make_session(6), qos(0));
  EXPECT_EQ(keys(routes(tree, "$SYS/x")), (Keys{3, 4}));
  EXPECT_EQ(keys(routes(tree, "$SYS")), (Keys{3}));
  EXPECT_EQ(keys(routes(tree, "a/x")), (Keys{1, 2, 5, 6}));
}

// [MQTT-3.8.4-3] The same filter again replaces the subscription's options.
TEST(SubscriptionTree, ReAddReplaces_MQTT_3_8_4_3) {
  SubscriptionTree tree;
  const auto session = make_session(1);
  EXPECT_FALSE(tree.add("a/+", session, qos(0, 5)));
  EXPECT_TRUE(tree.add("a/+", session, qos(2, 6)));
  EXPECT_EQ(tree.size(), 1u);
  const auto out = routes(tree, "a/b");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].qos, 2);
  EXPECT_EQ(out[0].subscription_ids, (std::vector<std::uint32_t>{6}));
  // Another session on the same filter is a subscription of its own.
  EXPECT_FALSE(tree.add("a/+", make_session(2), qos(1)));
  EXPECT_EQ(tree.size(), 2u);
}

TEST(SubscriptionTree, RemoveExactFilterOnly) {
  SubscriptionTree tree;
  const auto session = make_session(1);
  tree.add("a/+", session, qos(0));
  tree.add("a/#", session, qos(0));
  EXPECT_FALSE(tree.remove("a/b", 1));  // not a filter it has
  EXPECT_FALSE(tree.remove("a/+", 2));  // another session
  EXPECT_FALSE(tree.remove("a", 1));    // a node on the way, not a subscription
  EXPECT_FALSE(tree.remove("x/y/z", 1));
  EXPECT_TRUE(tree.remove("a/+", 1));
  EXPECT_FALSE(tree.remove("a/+", 1));  // gone already
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_EQ(keys(routes(tree, "a/b")), (Keys{1}));  // still through "a/#"
  EXPECT_TRUE(tree.remove("a/#", 1));
  EXPECT_TRUE(routes(tree, "a/b").empty());
  EXPECT_EQ(tree.size(), 0u);
}

// Freed branches leave the tree working for the filters around them, and
// subscribing again after removal builds the branch anew.
TEST(SubscriptionTree, RemoveFreesBranchesAndTreeStaysUsable) {
  SubscriptionTree tree;
  tree.add("a/b/c/d", make_session(1), qos(0));
  tree.add("a/b", make_session(2), qos(0));
  tree.add("a/+/c/#", make_session(3), qos(0));
  EXPECT_TRUE(tree.remove("a/b/c/d", 1));
  EXPECT_EQ(keys(routes(tree, "a/b")), (Keys{2}));
  EXPECT_EQ(keys(routes(tree, "a/b/c/d")), (Keys{3}));
  EXPECT_TRUE(tree.remove("a/b", 2));
  EXPECT_TRUE(tree.remove("a/+/c/#", 3));
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_FALSE(tree.remove("a/b", 2));
  tree.add("a/b/c/d", make_session(4), qos(0));
  EXPECT_EQ(keys(routes(tree, "a/b/c/d")), (Keys{4}));
  EXPECT_EQ(tree.size(), 1u);
}

TEST(SubscriptionTree, ManySubscriptionsAddedAndRemoved) {
  SubscriptionTree tree;
  std::vector<SessionPtr> sessions;
  for (SessionKey key = 1; key <= 200; ++key) sessions.push_back(make_session(key));
  for (const auto& session : sessions) {
    const std::string own = "t/1/v1/devices/" + std::to_string(session->key) + "/telemetry";
    tree.add(own, session, qos(1));
    tree.add("t/1/#", session, qos(0));
    tree.add("$share/g/t/1/+/devices/+/telemetry", session, qos(0));
  }
  EXPECT_EQ(tree.size(), 600u);
  // 200 ordinary routes through "t/1/#", one of them merged with its own
  // filter, and one shared route.
  const auto out = routes(tree, "t/1/v1/devices/7/telemetry");
  EXPECT_EQ(out.size(), 201u);
  for (const auto& session : sessions) {
    tree.remove("t/1/v1/devices/" + std::to_string(session->key) + "/telemetry", session->key);
    tree.remove("t/1/#", session->key);
    tree.remove("$share/g/t/1/+/devices/+/telemetry", session->key);
  }
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_TRUE(routes(tree, "t/1/v1/devices/7/telemetry").empty());
}

// [MQTT-3.3.4-2] One message per session however many of its subscriptions
// match, at the highest of their QoS; [MQTT-3.3.4-3] with the identifiers
// of all of them.
TEST(SubscriptionTree, OverlappingSubscriptionsMerged_MQTT_3_3_4_2_MQTT_3_3_4_3) {
  SubscriptionTree tree;
  const auto session = make_session(1);
  tree.add("a/b", session, qos(0, 30));
  tree.add("a/+", session, qos(2, 10));
  tree.add("#", session, qos(1, 20));
  tree.add("+/#", session, qos(0, 10));  // the same identifier twice: once in the route
  tree.add("a/#", session, qos(1));      // no identifier
  tree.add("a/b", make_session(2), qos(1, 7));

  const auto out = routes(tree, "a/b");
  ASSERT_EQ(out.size(), 2u);
  const Route* merged = route_for(out, 1);
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(merged->qos, 2);
  EXPECT_EQ(merged->subscription_ids, (std::vector<std::uint32_t>{10, 20, 30}));
  EXPECT_FALSE(merged->retain_as_published);
  const Route* other = route_for(out, 2);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->qos, 1);
  EXPECT_EQ(other->subscription_ids, (std::vector<std::uint32_t>{7}));
}

// [MQTT-3.3.4-4] Identifiers only from subscriptions that have one.
TEST(SubscriptionTree, NoIdentifiersWhenNoneSet_MQTT_3_3_4_4) {
  SubscriptionTree tree;
  const auto session = make_session(1);
  tree.add("a/b", session, qos(1));
  tree.add("a/#", session, qos(0));
  const auto out = routes(tree, "a/b");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].subscription_ids.empty());
  EXPECT_EQ(out[0].qos, 1);
}

TEST(SubscriptionTree, RetainAsPublishedIsOrOfMatches) {
  SubscriptionTree tree;
  const auto session = make_session(1);
  SubscriptionOptions rap = qos(0);
  rap.retain_as_published = true;
  tree.add("a/b", session, qos(0));
  tree.add("a/#", session, rap);
  tree.add("#", session, qos(0));
  auto out = routes(tree, "a/b");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].retain_as_published);
  // "x" matches only "#", which does not have it.
  out = routes(tree, "x");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].retain_as_published);
}

// [MQTT-3.8.3-3] No Local: not back to the session that published, while
// its other matching subscriptions still deliver.
TEST(SubscriptionTree, NoLocal_MQTT_3_8_3_3) {
  SubscriptionTree tree;
  const auto publisher = make_session(1);
  SubscriptionOptions no_local = qos(1, 4);
  no_local.no_local = true;
  tree.add("a/b", publisher, no_local);
  tree.add("a/b", make_session(2), no_local);

  EXPECT_EQ(keys(routes(tree, "a/b", 1)), (Keys{2}));
  EXPECT_EQ(keys(routes(tree, "a/b", 2)), (Keys{1}));
  EXPECT_EQ(keys(routes(tree, "a/b", 0)), (Keys{1, 2}));  // the broker publishing
  EXPECT_EQ(keys(routes(tree, "a/b", 99)), (Keys{1, 2}));

  tree.add("a/+", publisher, qos(0, 9));  // without No Local
  const auto out = routes(tree, "a/b", 1);
  const Route* own = route_for(out, 1);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->qos, 0);  // the No Local subscription contributes nothing
  EXPECT_EQ(own->subscription_ids, (std::vector<std::uint32_t>{9}));
}

// The caller's vector is appended to, never cleared, and routes already in
// it are not merged with new ones.
TEST(SubscriptionTree, MatchAppendsToOut) {
  SubscriptionTree tree;
  const auto session = make_session(1);
  tree.add("a", session, qos(1));
  tree.add("#", session, qos(0));
  std::vector<Route> out;
  tree.match("a", 0, out);
  tree.match("a", 0, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].session, session);
  EXPECT_EQ(out[1].session, session);
  EXPECT_EQ(out[1].qos, 1);
}

TEST(SubscriptionTree, SharedGroupDeliversToOneMember) {
  SubscriptionTree tree;
  for (SessionKey key = 1; key <= 3; ++key) tree.add("$share/g/a/+", make_session(key), qos(1));
  EXPECT_EQ(tree.size(), 3u);
  const auto out = routes(tree, "a/b");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].qos, 1);
  EXPECT_TRUE(routes(tree, "b/b").empty());
}

TEST(SubscriptionTree, SharedRoundRobinIsEven) {
  SubscriptionTree tree;
  for (SessionKey key = 1; key <= 3; ++key) tree.add("$share/g/a/#", make_session(key), qos(0));
  std::map<SessionKey, int> counts;
  std::vector<SessionKey> order;
  for (int i = 0; i < 300; ++i) {
    const auto out = routes(tree, "a/b");
    ASSERT_EQ(out.size(), 1u);
    ++counts[out[0].session->key];
    order.push_back(out[0].session->key);
  }
  EXPECT_EQ(counts, (std::map<SessionKey, int>{{1, 100}, {2, 100}, {3, 100}}));
  // Round robin: no member twice in a row.
  for (std::size_t i = 1; i < order.size(); ++i) EXPECT_NE(order[i], order[i - 1]);
}

// Offline members are passed over while any member is online, and the
// online ones share evenly; with nobody online, all take turns.
TEST(SubscriptionTree, SharedPrefersOnlineMembers) {
  SubscriptionTree tree;
  std::vector<SessionPtr> members;
  for (SessionKey key = 1; key <= 4; ++key) {
    members.push_back(make_session(key, key % 2 == 0));  // 2 and 4 online
    tree.add("$share/workers/jobs", members.back(), qos(1));
  }
  std::map<SessionKey, int> counts;
  for (int i = 0; i < 100; ++i) ++counts[routes(tree, "jobs").at(0).session->key];
  EXPECT_EQ(counts, (std::map<SessionKey, int>{{2, 50}, {4, 50}}));

  for (const auto& member : members) member->set_online(false);
  counts.clear();
  for (int i = 0; i < 100; ++i) ++counts[routes(tree, "jobs").at(0).session->key];
  EXPECT_EQ(counts, (std::map<SessionKey, int>{{1, 25}, {2, 25}, {3, 25}, {4, 25}}));

  members[2]->set_online(true);
  counts.clear();
  for (int i = 0; i < 10; ++i) ++counts[routes(tree, "jobs").at(0).session->key];
  EXPECT_EQ(counts, (std::map<SessionKey, int>{{3, 10}}));
}

// Groups are apart by name and by filter; a session in a group and with an
// ordinary subscription gets two routes.
TEST(SubscriptionTree, SharedGroupsAreSeparate) {
  SubscriptionTree tree;
  const auto session = make_session(1);
  tree.add("$share/g1/a", session, qos(1, 11));
  tree.add("$share/g2/a", make_session(2), qos(0));
  tree.add("$share/g1/+", make_session(3), qos(0));
  tree.add("a", session, qos(2, 12));
  const auto out = routes(tree, "a");
  EXPECT_EQ(keys(out), (Keys{1, 1, 2, 3}));
  int from_session = 0;
  for (const Route& route : out) {
    if (route.session->key != 1) continue;
    ++from_session;
    EXPECT_TRUE((route.qos == 1 && route.subscription_ids == std::vector<std::uint32_t>{11}) ||
                (route.qos == 2 && route.subscription_ids == std::vector<std::uint32_t>{12}));
  }
  EXPECT_EQ(from_session, 2);
}

TEST(SubscriptionTree, SharedReplaceAndRemove) {
  SubscriptionTree tree;
  const auto a = make_session(1);
  const auto b = make_session(2);
  EXPECT_FALSE(tree.add("$share/g/x", a, qos(0)));
  EXPECT_TRUE(tree.add("$share/g/x", a, qos(2)));  // [MQTT-3.8.4-3]
  EXPECT_FALSE(tree.add("$share/g/x", b, qos(2)));
  EXPECT_FALSE(tree.add("$share/h/x", a, qos(0)));  // another group
  EXPECT_EQ(tree.size(), 3u);

  EXPECT_FALSE(tree.remove("$share/g/x", 3));
  EXPECT_FALSE(tree.remove("$share/k/x", 1));
  EXPECT_FALSE(tree.remove("x", 1));  // the ordinary filter is another subscription
  EXPECT_TRUE(tree.remove("$share/g/x", 1));
  EXPECT_EQ(tree.size(), 2u);
  for (int i = 0; i < 5; ++i) {
    const auto out = routes(tree, "x");
    EXPECT_EQ(keys(out), (Keys{1, 2}));  // g: only b left; h: a
  }
  EXPECT_TRUE(tree.remove("$share/g/x", 2));
  EXPECT_TRUE(tree.remove("$share/h/x", 1));
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_TRUE(routes(tree, "x").empty());
}

// match() runs under a shared lock on many threads: the round-robin
// position must stay consistent (run under TSan/ASan in CI).
TEST(SubscriptionTree, SharedRoundRobinConcurrentReaders) {
  SubscriptionTree tree;
  for (SessionKey key = 1; key <= 4; ++key) tree.add("$share/g/a", make_session(key), qos(0));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::map<SessionKey, int>> counts(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Route> out;
      for (int i = 0; i < kPerThread; ++i) {
        out.clear();
        tree.match("a", 0, out);
        if (out.size() == 1) ++counts[t][out[0].session->key];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::map<SessionKey, int> total;
  for (const auto& c : counts)
    for (const auto& [key, n] : c) total[key] += n;
  int sum = 0;
  for (const auto& [key, n] : total) sum += n;
  EXPECT_EQ(sum, kThreads * kPerThread);
  // Each choice advances the position by exactly one member.
  EXPECT_EQ(total, (std::map<SessionKey, int>{{1, 2000}, {2, 2000}, {3, 2000}, {4, 2000}}));
}

}  // namespace
}  // namespace citypulse::mqtt
