// Topic names and filters (spec 4.7), shared filters (4.8.2) and matching,
// one test per normative statement topic.h cites, plus the edge cases of
// empty levels and wildcards.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/mqtt_topic.h"

namespace citypulse::mqtt {
namespace {

using namespace std::string_literals;

// [MQTT-4.7.3-1] A topic name is at least one character long.
TEST(TopicName, EmptyIsInvalid_MQTT_4_7_3_1) {
  EXPECT_FALSE(valid_topic_name(""));
  EXPECT_TRUE(valid_topic_name("a"));
}

// [MQTT-3.3.2-2] No wildcard characters in a topic name.
TEST(TopicName, WildcardsAreInvalid_MQTT_3_3_2_2) {
  EXPECT_FALSE(valid_topic_name("+"));
  EXPECT_FALSE(valid_topic_name("#"));
  EXPECT_FALSE(valid_topic_name("a/+"));
  EXPECT_FALSE(valid_topic_name("a/#"));
  EXPECT_FALSE(valid_topic_name("a/b+c"));
  EXPECT_FALSE(valid_topic_name("a#/b"));
}

// [MQTT-4.7.3-2] No null character in a name or a filter.
TEST(TopicName, NullCharacterIsInvalid_MQTT_4_7_3_2) {
  EXPECT_FALSE(valid_topic_name("a\0b"s));
  EXPECT_FALSE(valid_topic_filter("a/\0"s));
  EXPECT_FALSE(valid_topic_filter("$share/g\0/a"s));
}

// Empty levels are levels (4.7.1.1): these are all valid names.
TEST(TopicName, EmptyLevelsAreValid) {
  EXPECT_TRUE(valid_topic_name("/"));
  EXPECT_TRUE(valid_topic_name("a//b"));
  EXPECT_TRUE(valid_topic_name("/a"));
  EXPECT_TRUE(valid_topic_name("a/"));
  EXPECT_TRUE(valid_topic_name(" "));
  EXPECT_TRUE(valid_topic_name("$SYS/broker/uptime"));
  EXPECT_TRUE(valid_topic_name("$share/g/a"));  // only a filter is shared
}

TEST(TopicName, MaxLevels) {
  EXPECT_TRUE(valid_topic_name("a/b/c", 3));
  EXPECT_FALSE(valid_topic_name("a/b/c/d", 3));
  EXPECT_FALSE(valid_topic_name("///", 3));             // four empty levels
  EXPECT_TRUE(valid_topic_name("a/b/c/d/e/f/g/h", 0));  // 0: no limit
}

// [MQTT-4.7.3-1] A topic filter is at least one character long.
TEST(TopicFilter, EmptyIsInvalid_MQTT_4_7_3_1) {
  EXPECT_FALSE(valid_topic_filter(""));
}

// [MQTT-4.7.1-1] '#' alone, in the last level only.
TEST(TopicFilter, MultiLevelWildcardAloneAndLast_MQTT_4_7_1_1) {
  EXPECT_TRUE(valid_topic_filter("#"));
  EXPECT_TRUE(valid_topic_filter("a/#"));
  EXPECT_TRUE(valid_topic_filter("/#"));
  EXPECT_TRUE(valid_topic_filter("+/#"));
  EXPECT_FALSE(valid_topic_filter("a#"));
  EXPECT_FALSE(valid_topic_filter("a/#b"));
  EXPECT_FALSE(valid_topic_filter("a/b#"));
  EXPECT_FALSE(valid_topic_filter("#/a"));
  EXPECT_FALSE(valid_topic_filter("a/#/b"));
  EXPECT_FALSE(valid_topic_filter("#/"));
  EXPECT_FALSE(valid_topic_filter("##"));
  EXPECT_FALSE(valid_topic_filter("#/#"));
}

// [MQTT-4.7.1-2] '+' alone in its level, anywhere.
TEST(TopicFilter, SingleLevelWildcardAlone_MQTT_4_7_1_2) {
  EXPECT_TRUE(valid_topic_filter("+"));
  EXPECT_TRUE(valid_topic_filter("+/+"));
  EXPECT_TRUE(valid_topic_filter("a/+/b"));
  EXPECT_TRUE(valid_topic_filter("/+"));
  EXPECT_TRUE(valid_topic_filter("+/"));
  EXPECT_FALSE(valid_topic_filter("a+"));
  EXPECT_FALSE(valid_topic_filter("a/+b"));
  EXPECT_FALSE(valid_topic_filter("++"));
  EXPECT_FALSE(valid_topic_filter("+#"));
}

TEST(TopicFilter, EmptyLevelsAndPlainFiltersAreValid) {
  EXPECT_TRUE(valid_topic_filter("/"));
  EXPECT_TRUE(valid_topic_filter("a//b"));
  EXPECT_TRUE(valid_topic_filter("$SYS/#"));
  EXPECT_TRUE(valid_topic_filter("$share"));     // not "$share/": an ordinary filter
  EXPECT_TRUE(valid_topic_filter("$shared/a"));  // likewise
}

TEST(TopicFilter, MaxLevels) {
  EXPECT_TRUE(valid_topic_filter("a/+/#", 3));
  EXPECT_FALSE(valid_topic_filter("a/+/b/#", 3));
  // The "$share/g/" in front is not a topic level.
  EXPECT_TRUE(valid_topic_filter("$share/g/a/b/c", 3));
  EXPECT_FALSE(valid_topic_filter("$share/g/a/b/c/d", 3));
}

// [MQTT-4.8.2-1] A share name is at least one character long.
TEST(TopicFilter, SharedNeedsGroupName_MQTT_4_8_2_1) {
  EXPECT_TRUE(valid_topic_filter("$share/g/a"));
  EXPECT_FALSE(valid_topic_filter("$share//a"));
}

// [MQTT-4.8.2-2] A share name holds no '/', '+' or '#', and a filter follows.
TEST(TopicFilter, SharedGroupNameCharacters_MQTT_4_8_2_2) {
  EXPECT_FALSE(valid_topic_filter("$share/g+/a"));
  EXPECT_FALSE(valid_topic_filter("$share/+/a"));
  EXPECT_FALSE(valid_topic_filter("$share/#/a"));
  EXPECT_FALSE(valid_topic_filter("$share/g#/a"));
  // With no '/' after it there is a group and no filter at all.
  EXPECT_FALSE(valid_topic_filter("$share/g"));
  EXPECT_FALSE(valid_topic_filter("$share/g/"));  // an empty filter [MQTT-4.7.3-1]
  EXPECT_FALSE(valid_topic_filter("$share/"));
}

TEST(TopicFilter, SharedFilterPartIsValidated) {
  EXPECT_TRUE(valid_topic_filter("$share/g/#"));
  EXPECT_TRUE(valid_topic_filter("$share/g/+/b"));
  EXPECT_TRUE(valid_topic_filter("$share/g//"));
  EXPECT_FALSE(valid_topic_filter("$share/g/a#"));
  EXPECT_FALSE(valid_topic_filter("$share/g/#/a"));
  EXPECT_FALSE(valid_topic_filter("$share/g/a+"));
}

TEST(TopicShared, SplitsGroupAndFilter) {
  const auto shared = split_shared("$share/group-1/a/b/#");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->group, "group-1");
  EXPECT_EQ(shared->filter, "a/b/#");
}

TEST(TopicShared, NotSharedGivesNullopt) {
  EXPECT_FALSE(split_shared("a/b").has_value());
  EXPECT_FALSE(split_shared("$share").has_value());
  EXPECT_FALSE(split_shared("$SHARE/g/a").has_value());
  EXPECT_FALSE(split_shared("share/g/a").has_value());
  EXPECT_FALSE(split_shared("").has_value());
}

TEST(TopicShared, SplitsWithoutValidating) {
  auto shared = split_shared("$share//a");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->group, "");
  EXPECT_EQ(shared->filter, "a");

  shared = split_shared("$share/g");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->group, "g");
  EXPECT_EQ(shared->filter, "");

  shared = split_shared("$share/g+/a");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->group, "g+");
  EXPECT_EQ(shared->filter, "a");
}

TEST(TopicMatch, Literal) {
  EXPECT_TRUE(topic_matches("a", "a"));
  EXPECT_TRUE(topic_matches("a/b/c", "a/b/c"));
  EXPECT_FALSE(topic_matches("a/b", "a/c"));
  EXPECT_FALSE(topic_matches("a/b", "a/b/c"));
  EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
  EXPECT_FALSE(topic_matches("a", "ab"));
  EXPECT_FALSE(topic_matches("ab", "a"));
  EXPECT_FALSE(topic_matches("A", "a"));  // case sensitive (4.7.3)
}

TEST(TopicMatch, EmptyLevels) {
  EXPECT_TRUE(topic_matches("/", "/"));
  EXPECT_TRUE(topic_matches("a//b", "a//b"));
  EXPECT_FALSE(topic_matches("a/b", "a//b"));
  EXPECT_FALSE(topic_matches("a", "a/"));
  EXPECT_FALSE(topic_matches("a/", "a"));
  EXPECT_FALSE(topic_matches("/a", "a"));
}

// '+' matches exactly one level, an empty one included (4.7.1.3).
TEST(TopicMatch, SingleLevelWildcard) {
  EXPECT_TRUE(topic_matches("+", "a"));
  EXPECT_TRUE(topic_matches("a/+", "a/b"));
  EXPECT_TRUE(topic_matches("a/+/c", "a/b/c"));
  EXPECT_TRUE(topic_matches("a/+", "a/"));
  EXPECT_TRUE(topic_matches("+/+", "/"));
  EXPECT_TRUE(topic_matches("+/+", "a/b"));
  EXPECT_TRUE(topic_matches("/+", "/a"));
  EXPECT_TRUE(topic_matches("a/+/b", "a//b"));
  EXPECT_FALSE(topic_matches("+", "a/b"));
  EXPECT_FALSE(topic_matches("+", "/"));
  EXPECT_FALSE(topic_matches("a/+", "a"));
  EXPECT_FALSE(topic_matches("a/+", "a/b/c"));
  EXPECT_FALSE(topic_matches("+/+", "a"));
  EXPECT_FALSE(topic_matches("+/+", "a/b/c"));
}

// '#' matches the parent level and any number of levels below (4.7.1.2):
// "sport/tennis/player1/#" matches "sport/tennis/player1".
TEST(TopicMatch, MultiLevelWildcardMatchesParent) {
  EXPECT_TRUE(topic_matches("a/#", "a"));
  EXPECT_TRUE(topic_matches("a/#", "a/"));
  EXPECT_TRUE(topic_matches("a/#", "a/b"));
  EXPECT_TRUE(topic_matches("a/#", "a/b/c/d"));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1"));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
  EXPECT_FALSE(topic_matches("a/#", "b"));
  EXPECT_FALSE(topic_matches("a/#", "ab"));
  EXPECT_FALSE(topic_matches("a/#", "ab/c"));
  EXPECT_FALSE(topic_matches("a/b/#", "a"));
  EXPECT_TRUE(topic_matches("+/#", "a"));
  EXPECT_TRUE(topic_matches("+/+/#", "a/b"));
  EXPECT_FALSE(topic_matches("+/+/#", "a"));
}

TEST(TopicMatch, MultiLevelWildcardAlone) {
  EXPECT_TRUE(topic_matches("#", "a"));
  EXPECT_TRUE(topic_matches("#", "/"));
  EXPECT_TRUE(topic_matches("#", "a/b/c"));
  EXPECT_TRUE(topic_matches("/#", "/"));
  EXPECT_TRUE(topic_matches("/#", "/a/b"));
  EXPECT_FALSE(topic_matches("/#", "a"));
}

// [MQTT-4.7.2-1] A filter starting with a wildcard does not match a name
// starting with '$'; a filter naming the '$' level does.
TEST(TopicMatch, DollarTopicsHiddenFromLeadingWildcards_MQTT_4_7_2_1) {
  EXPECT_FALSE(topic_matches("#", "$SYS/x"));
  EXPECT_FALSE(topic_matches("+/x", "$SYS/x"));
  EXPECT_FALSE(topic_matches("+", "$SYS"));
  EXPECT_FALSE(topic_matches("+/#", "$SYS/x"));
  EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/x"));
  EXPECT_TRUE(topic_matches("$SYS/+", "$SYS/x"));
  EXPECT_TRUE(topic_matches("$SYS/x", "$SYS/x"));
  // Only the first level counts: a '$' further down is an ordinary character.
  EXPECT_TRUE(topic_matches("a/+", "a/$x"));
  EXPECT_TRUE(topic_matches("a/#", "a/$x/y"));
  EXPECT_TRUE(topic_matches("#", "a$/x"));
}

TEST(TopicLevels, CountsLevels) {
  EXPECT_EQ(topic_levels(""), 1u);
  EXPECT_EQ(topic_levels("a"), 1u);
  EXPECT_EQ(topic_levels("a/b"), 2u);
  EXPECT_EQ(topic_levels("/"), 2u);
  EXPECT_EQ(topic_levels("a//b"), 3u);
  EXPECT_EQ(topic_levels("a/b/c/#"), 4u);
}

// Every filter that matches a name by topic_matches is one the grammar
// allows, over a small exhaustive set: a cross-check of both functions.
TEST(TopicMatch, ExhaustiveAgainstReference) {
  const std::string_view levels[] = {"a", "b", "", "+", "#", "$x"};
  // A reference matcher written differently: recursive over levels.
  struct Reference {
    static bool matches(std::string_view f, std::string_view n, bool first) {
      const auto fs = f.find('/');
      const auto ns = n.find('/');
      const std::string_view fl = f.substr(0, fs);
      const std::string_view nl = n.substr(0, ns);
      if (fl == "#") return !(first && n.starts_with('$'));
      if (fl == "+") {
        if (first && n.starts_with('$')) return false;
      } else if (fl != nl) {
        return false;
      }
      if (fs == std::string_view::npos && ns == std::string_view::npos) return true;
      if (fs == std::string_view::npos) return false;
      const std::string_view frest = f.substr(fs + 1);
      if (ns == std::string_view::npos) return frest == "#";
      return matches(frest, n.substr(ns + 1), false);
    }
  };
  int checked = 0;
  for (const auto f1 : levels)
    for (const auto f2 : levels)
      for (const auto n1 : levels)
        for (const auto n2 : levels) {
          for (const std::string& filter :
               {std::string(f1), std::string(f1) + "/" + std::string(f2)})
            for (const std::string& name :
                 {std::string(n1), std::string(n1) + "/" + std::string(n2)}) {
              if (!valid_topic_filter(filter) || !valid_topic_name(name)) continue;
              EXPECT_EQ(topic_matches(filter, name), Reference::matches(filter, name, true))
                  << filter << " vs " << name;
              ++checked;
            }
        }
  EXPECT_GT(checked, 100);
}

}  // namespace
TEST(TopicFilter, OverlapIsWhetherSomeNameMatchesBoth) {
  EXPECT_TRUE(filters_overlap("a/b", "a/b"));
  EXPECT_TRUE(filters_overlap("a/+", "+/b"));
  EXPECT_TRUE(filters_overlap("#", "x/y/z"));
  EXPECT_TRUE(filters_overlap("a/#", "a"));  // "a/#" matches "a" (4.7.1.2)
  EXPECT_TRUE(filters_overlap("+/devices/#", "v1/devices/#"));
  EXPECT_FALSE(filters_overlap("a/b", "a/c"));
  EXPECT_FALSE(filters_overlap("a/+", "a/b/c"));
  EXPECT_FALSE(filters_overlap("tele/+/SENSOR", "v1/devices/#"));
  EXPECT_FALSE(filters_overlap("a", "a/b"));
}

}  // namespace citypulse::mqtt
