// The retained store: keep, replace and clear a topic's retained message,
// find them by a new subscription's filter (wildcards, '$' topics), the
// count and byte limits, and expiry.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/mqtt_topic.h"
#include "transport/mqtt/retained_store.h"

namespace citypulse::mqtt {
namespace {

using Outcome = RetainedStore::Outcome;
using Topics = std::vector<std::string>;

MessagePtr message(std::string topic, std::string payload, std::int64_t expires_at_ms = 0) {
  auto m = std::make_shared<Message>();
  m->topic = std::move(topic);
  m->payload = std::move(payload);
  m->retain = true;
  m->expires_at_ms = expires_at_ms;
  return m;
}

// The topics of the retained messages `filter` finds at `now_ms`, sorted.
Topics found(RetainedStore& store, std::string_view filter, std::int64_t now_ms = 0) {
  std::vector<MessagePtr> out;
  store.match(filter, now_ms, out);
  Topics topics;
  for (const MessagePtr& m : out) topics.push_back(m->topic);
  std::sort(topics.begin(), topics.end());
  return topics;
}

TEST(RetainedStore, StoreAndFindExact) {
  RetainedStore store(10, 1000);
  EXPECT_EQ(store.retain(message("a/b", "1")), Outcome::stored);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), 4u);  // "a/b" and "1"
  std::vector<MessagePtr> out;
  store.match("a/b", 0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->payload, "1");
  EXPECT_TRUE(found(store, "a").empty());
  EXPECT_TRUE(found(store, "a/b/c").empty());
  EXPECT_TRUE(found(store, "a/c").empty());
}

// The new message of a topic replaces the one before (3.3.1.3).
TEST(RetainedStore, Replace) {
  RetainedStore store(10, 1000);
  store.retain(message("a", "old"));
  EXPECT_EQ(store.retain(message("a", "newer")), Outcome::replaced);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), 6u);
  std::vector<MessagePtr> out;
  store.match("a", 0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->payload, "newer");
}

// [MQTT-3.3.1-6] An empty payload removes the retained message;
// [MQTT-3.3.1-7] and is not kept itself.
TEST(RetainedStore, EmptyPayloadRemoves_MQTT_3_3_1_6_MQTT_3_3_1_7) {
  RetainedStore store(10, 1000);
  store.retain(message("a/b", "1"));
  store.retain(message("a", "2"));
  EXPECT_EQ(store.retain(message("a/b", "")), Outcome::removed);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), 2u);
  EXPECT_EQ(found(store, "#"), (Topics{"a"}));
  EXPECT_EQ(store.retain(message("a/b", "")), Outcome::nothing_to_remove);
  EXPECT_EQ(store.retain(message("x/y", "")), Outcome::nothing_to_remove);
  EXPECT_EQ(store.size(), 1u);
  // A node on the way to another topic holds no message of its own.
  store.retain(message("p/q/r", "3"));
  EXPECT_EQ(store.retain(message("p/q", "")), Outcome::nothing_to_remove);
  EXPECT_EQ(store.retain(message("p", "")), Outcome::nothing_to_remove);
  EXPECT_EQ(found(store, "p/q/r"), (Topics{"p/q/r"}));
}

// Removing a topic keeps the topics above and below it.
TEST(RetainedStore, RemoveKeepsNeighbours) {
  RetainedStore store(10, 1000);
  store.retain(message("a", "1"));
  store.retain(message("a/b", "2"));
  store.retain(message("a/b/c", "3"));
  EXPECT_EQ(store.retain(message("a/b", "")), Outcome::removed);
  EXPECT_EQ(found(store, "#"), (Topics{"a", "a/b/c"}));
  EXPECT_EQ(store.retain(message("a/b/c", "")), Outcome::removed);
  EXPECT_EQ(store.retain(message("a", "")), Outcome::removed);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
  EXPECT_TRUE(found(store, "#").empty());
  // And the store works as before once emptied.
  EXPECT_EQ(store.retain(message("a/b", "4")), Outcome::stored);
  EXPECT_EQ(found(store, "a/+"), (Topics{"a/b"}));
}

class RetainedMatch : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* topic : {"a", "a/b", "a/c", "a/b/c", "a/", "/", "/a", "a//b", "b", "b/b",
                              "$SYS/x", "$SYS/x/y", "$SYS", "c/$x"})
      ASSERT_EQ(store_.retain(message(topic, "p")), Outcome::stored) << topic;
  }
  RetainedStore store_{100, 10'000};
};

TEST_F(RetainedMatch, SingleLevelWildcard) {
  EXPECT_EQ(found(store_, "a/+"), (Topics{"a/", "a/b", "a/c"}));
  EXPECT_EQ(found(store_, "+/b"), (Topics{"a/b", "b/b"}));
  EXPECT_EQ(found(store_, "+/+"), (Topics{"/", "/a", "a/", "a/b", "a/c", "b/b", "c/$x"}));
  EXPECT_EQ(found(store_, "a/+/c"), (Topics{"a/b/c"}));
  EXPECT_EQ(found(store_, "a/+/b"), (Topics{"a//b"}));
  EXPECT_EQ(found(store_, "+"), (Topics{"a", "b"}));
  EXPECT_TRUE(found(store_, "x/+").empty());
}

// '#' takes the parent level too: "a/#" finds "a" (4.7.1.2).
TEST_F(RetainedMatch, MultiLevelWildcard) {
  EXPECT_EQ(found(store_, "a/#"), (Topics{"a", "a/", "a//b", "a/b", "a/b/c", "a/c"}));
  EXPECT_EQ(found(store_, "a/b/#"), (Topics{"a/b", "a/b/c"}));
  EXPECT_EQ(found(store_, "/#"), (Topics{"/", "/a"}));
  EXPECT_EQ(found(store_, "+/#"), found(store_, "#"));
  EXPECT_EQ(found(store_, "+/b/#"), (Topics{"a/b", "a/b/c", "b/b"}));
  EXPECT_TRUE(found(store_, "x/#").empty());
}

// [MQTT-4.7.2-1] Wildcards in the first level do not reach '$' topics; a
// filter naming the '$' level does.
TEST_F(RetainedMatch, DollarTopics_MQTT_4_7_2_1) {
  const Topics all = found(store_, "#");
  EXPECT_EQ(all.size(), 11u);
  for (const std::string& topic : all) EXPECT_FALSE(topic.starts_with('$')) << topic;
  EXPECT_TRUE(std::find(all.begin(), all.end(), "c/$x") != all.end());
  EXPECT_TRUE(found(store_, "+/x").empty());
  EXPECT_EQ(found(store_, "$SYS/#"), (Topics{"$SYS", "$SYS/x", "$SYS/x/y"}));
  EXPECT_EQ(found(store_, "$SYS/+"), (Topics{"$SYS/x"}));
  EXPECT_EQ(found(store_, "$SYS"), (Topics{"$SYS"}));
  EXPECT_EQ(found(store_, "c/+"), (Topics{"c/$x"}));
}

// The store agrees with topic_matches for every filter of a small set.
TEST_F(RetainedMatch, AgreesWithTopicMatches) {
  Topics stored;
  store_.for_each([&](const MessagePtr& m) { stored.push_back(m->topic); });
  const std::string levels[] = {"a", "b", "", "+", "#", "$SYS", "x"};
  for (const auto& l1 : levels) {
    for (const std::string& filter : {l1, l1 + "/b", l1 + "/", l1 + "/+", l1 + "/#"}) {
      if (!valid_topic_filter(filter)) continue;
      Topics expected;
      for (const std::string& topic : stored)
        if (topic_matches(filter, topic)) expected.push_back(topic);
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(found(store_, filter), expected) << filter;
    }
  }
}

TEST_F(RetainedMatch, ForEachVisitsEveryMessageOnce) {
  Topics visited;
  store_.for_each([&](const MessagePtr& m) { visited.push_back(m->topic); });
  std::sort(visited.begin(), visited.end());
  EXPECT_EQ(visited.size(), store_.size());
  EXPECT_EQ(std::unique(visited.begin(), visited.end()), visited.end());
  EXPECT_EQ(visited.size(), 14u);
}

TEST(RetainedStore, ForEachOnEmptyStore) {
  RetainedStore store(10, 100);
  int visits = 0;
  store.for_each([&](const MessagePtr&) { ++visits; });
  EXPECT_EQ(visits, 0);
}

// At most max_messages: one more is refused and the store is unchanged,
// while replacing a kept topic still works.
TEST(RetainedStore, CountLimit) {
  RetainedStore store(2, 1000);
  EXPECT_EQ(store.retain(message("a", "1")), Outcome::stored);
  EXPECT_EQ(store.retain(message("b", "1")), Outcome::stored);
  EXPECT_EQ(store.retain(message("c/d", "1")), Outcome::over_limit);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.bytes(), 4u);
  EXPECT_EQ(found(store, "#"), (Topics{"a", "b"}));
  EXPECT_TRUE(found(store, "c/#").empty());  // no branch left behind
  EXPECT_EQ(store.retain(message("a", "2")), Outcome::replaced);
  EXPECT_EQ(store.retain(message("b", "")), Outcome::removed);
  EXPECT_EQ(store.retain(message("c/d", "1")), Outcome::stored);
}

// At most max_bytes of topic and payload: a new topic or a bigger
// replacement past it is refused; a smaller replacement frees bytes.
TEST(RetainedStore, ByteLimit) {
  RetainedStore store(100, 10);
  EXPECT_EQ(store.retain(message("a", "1234")), Outcome::stored);  // 5 bytes
  EXPECT_EQ(store.retain(message("b", "123")), Outcome::stored);   // 9 bytes
  EXPECT_EQ(store.retain(message("c", "12")), Outcome::over_limit);
  EXPECT_EQ(store.retain(message("b", "12345")), Outcome::over_limit);
  EXPECT_EQ(store.bytes(), 9u);
  EXPECT_EQ(store.retain(message("b", "1234")), Outcome::replaced);  // exactly 10
  EXPECT_EQ(store.bytes(), 10u);
  EXPECT_EQ(store.retain(message("a", "1")), Outcome::replaced);  // 2 + 5
  EXPECT_EQ(store.bytes(), 7u);
  EXPECT_EQ(store.retain(message("c", "12")), Outcome::stored);
  EXPECT_EQ(store.bytes(), 10u);
  std::vector<MessagePtr> out;
  store.match("b", 0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->payload, "1234");  // the refused replacement left it
}

// A message past its Message Expiry Interval is not given to a new
// subscriber [MQTT-3.3.2-5], and match() drops it from the store.
TEST(RetainedStore, ExpiredMessagesDropped_MQTT_3_3_2_5) {
  RetainedStore store(10, 1000);
  store.retain(message("a/x", "1", 1000));
  store.retain(message("a/y", "2", 2000));
  store.retain(message("a/z", "3"));  // never expires
  store.retain(message("b", "4", 1000));
  EXPECT_EQ(found(store, "a/#", 999), (Topics{"a/x", "a/y", "a/z"}));
  EXPECT_EQ(store.size(), 4u);
  EXPECT_EQ(found(store, "a/+", 1000), (Topics{"a/y", "a/z"}));  // expires_at_ms is the end
  EXPECT_EQ(store.size(), 3u);
  EXPECT_EQ(store.bytes(), 4u + 4u + 2u);
  // "b" expired too, but no filter passed it yet.
  EXPECT_EQ(found(store, "a/y", 5000), Topics{});
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(found(store, "#", 5000), (Topics{"a/z"}));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), 4u);
  // Dropped messages freed their quota.
  EXPECT_EQ(store.retain(message("a/y", "5")), Outcome::stored);
}

// Deep topics and wide levels (a device per child) are not a problem for
// the walk or for freeing.
TEST(RetainedStore, DeepAndWide) {
  RetainedStore store(20'000, 10'000'000);
  std::string deep = "d";
  for (int i = 0; i < 2000; ++i) deep += "/l";
  EXPECT_EQ(store.retain(message(deep, "x")), Outcome::stored);
  for (int i = 0; i < 10'000; ++i)
    store.retain(message("t/1/v1/devices/" + std::to_string(i) + "/telemetry", "v"));
  EXPECT_EQ(store.size(), 10'001u);
  EXPECT_EQ(found(store, deep), (Topics{deep}));
  EXPECT_EQ(found(store, "d/#").size(), 1u);
  EXPECT_EQ(found(store, "t/1/v1/devices/+/telemetry").size(), 10'000u);
  EXPECT_EQ(found(store, "t/1/v1/devices/42/+"), (Topics{"t/1/v1/devices/42/telemetry"}));
  EXPECT_EQ(store.retain(message(deep, "")), Outcome::removed);
  EXPECT_TRUE(found(store, "d/#").empty());
}

}  // namespace
}  // namespace citypulse::mqtt
