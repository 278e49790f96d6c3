// The HTTP poller's small parts: templates with placeholders (parsing,
// unknown names refused, values encoded for URLs), JSON pointers (syntax
// and escaping), the numbers taken out of an answer (numbers, booleans,
// numeric text, and what fails one channel only), and {value}'s text.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "drivers/httppoll/answer_values.h"
#include "drivers/httppoll/device_config.h"
#include "drivers/httppoll/device_io.h"
#include "drivers/httppoll/text_template.h"

namespace citypulse::httppoll {
namespace {

TEST(HttpPollTemplate, SubstitutesNamedPlaceholdersAndKeepsOtherBraces) {
  auto t = TextTemplate::parse(R"({"value": {value}, "unit": "C", "id": "{serial}"})",
                               {"serial", "value"});
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->uses("value"));
  EXPECT_TRUE(t->uses("serial"));
  EXPECT_FALSE(t->uses("channel"));
  EXPECT_EQ(t->render({{"value", "22.5"}, {"serial", "T-1"}}, Context::text),
            R"({"value": 22.5, "unit": "C", "id": "T-1"})");
  // Braces around what is not a name stay text: {} {1} {A} {"x"} {{value}}.
  auto literal = TextTemplate::parse("{} {1} {A} {\"x\"} {{value}}", {"value"});
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->render({{"value", "7"}}, Context::text), "{} {1} {A} {\"x\"} {7}");
}

TEST(HttpPollTemplate, RefusesAnUnknownPlaceholderNamingItAndTheKnownOnes) {
  auto t = TextTemplate::parse("{base_url}/api/{device_id}", {"base_url", "serial"});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::invalid);
  EXPECT_NE(t.error().message.find("{device_id}"), std::string::npos) << t.error().message;
  EXPECT_NE(t.error().message.find("{serial}"), std::string::npos) << t.error().message;
  // {value} belongs to writes only.
  EXPECT_FALSE(TextTemplate::parse("{base_url}/x?v={value}", {"base_url", "serial"}));
}

TEST(HttpPollTemplate, PercentEncodesValuesInUrlsButNotTheBaseUrl) {
  auto t = TextTemplate::parse("{base_url}/api/thermostats/{serial}?c={channel}",
                               {"base_url", "serial", "channel"});
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->starts_with("base_url"));
  const std::vector<Substitution> values = {{"base_url", "http://127.0.0.1:8081/v1", true},
                                            {"serial", "A/7 b?", false},
                                            {"channel", "set~point", false}};
  EXPECT_EQ(t->render(values, Context::url),
            "http://127.0.0.1:8081/v1/api/thermostats/A%2F7%20b%3F?c=set~point");
  EXPECT_EQ(t->render(values, Context::text),
            "http://127.0.0.1:8081/v1/api/thermostats/A/7 b??c=set~point");
  EXPECT_EQ(percent_encode("ü-._~"), "%C3%BC-._~");
}

TEST(HttpPollPointer, FollowsRfc6901Syntax) {
  for (const char* good : {"", "/", "/temperature", "/a/0/b", "/a~1b", "/m~0n", "/with space"})
    EXPECT_TRUE(is_json_pointer(good)) << good;
  for (const char* bad : {"temperature", "#/a", "/a~", "/a~2", "/~x"})
    EXPECT_FALSE(is_json_pointer(bad)) << bad;
  EXPECT_EQ(pointer_token("a/b~c"), "a~1b~0c");
}

TEST(HttpPollAnswer, TakesNumbersBooleansAndNumericText) {
  const auto doc = boost::json::parse(R"({
    "t": 21.5, "n": -3, "big": 18446744073709551615, "on": true, "off": false,
    "text": " 45.2 ", "plus": "+7", "nested": {"list": [{"v": 1}, {"v": 2.5}]},
    "a/b": 4, "m~n": 5})");
  const std::vector<std::pair<const char*, double>> cases = {
      {"/t", 21.5},    {"/n", -3},   {"/big", 18446744073709551615.0}, {"/on", 1},   {"/off", 0},
      {"/text", 45.2}, {"/plus", 7}, {"/nested/list/1/v", 2.5},        {"/a~1b", 4}, {"/m~0n", 5}};
  for (const auto& [pointer, expected] : cases) {
    auto x = number_at(doc, pointer);
    ASSERT_TRUE(x) << pointer << ": " << x.error().message;
    EXPECT_DOUBLE_EQ(*x, expected) << pointer;
  }
}

TEST(HttpPollAnswer, SaysWhatIsThereWhenItIsNotANumber) {
  const auto doc = boost::json::parse(
      R"({"mode": "heat", "none": null, "obj": {}, "list": [], "half": "12abc", "empty": ""})");
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"/mode", "the text \"heat\""},
      {"/none", "null"},
      {"/obj", "an object"},
      {"/list", "an array"},
      {"/half", "\"12abc\""},
      {"/empty", "the text \"\""},
      {"/missing", "nothing at /missing"},
      {"/list/0", "nothing at /list/0"}};
  for (const auto& [pointer, words] : cases) {
    auto x = number_at(doc, pointer);
    ASSERT_FALSE(x) << pointer;
    EXPECT_EQ(x.error().code, ErrorCode::invalid);
    EXPECT_NE(x.error().message.find(words), std::string::npos) << x.error().message;
  }
}

TEST(HttpPollAnswer, FailsOnlyTheChannelsThatCannotBeRead) {
  PollRequest request;
  request.name = "state";
  request.points = {{"temperature", "/temperature", 1.0, 0.0},
                    {"tenths", "/raw", 0.1, -1.0},
                    {"mode", "/mode", 1.0, 0.0},
                    {"gone", "/gone", 1.0, 0.0}};
  auto read = read_values(request, R"({"temperature": 20.5, "raw": 215, "mode": "heat"})");
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[0].channel, "temperature");
  ASSERT_TRUE(read[0].value);
  EXPECT_DOUBLE_EQ(*read[0].value, 20.5);
  EXPECT_EQ(read[1].channel, "tenths");
  ASSERT_TRUE(read[1].value);
  EXPECT_DOUBLE_EQ(*read[1].value, 20.5);  // 215 * 0.1 - 1
  EXPECT_EQ(read[2].channel, "mode");
  EXPECT_FALSE(read[2].value);
  EXPECT_EQ(read[3].channel, "gone");
  EXPECT_FALSE(read[3].value);
  // An answer that is not JSON fails every channel, saying so.
  auto broken = read_values(request, "<html>Gateway Timeout</html>");
  ASSERT_EQ(broken.size(), 4u);
  for (const auto& c : broken) {
    ASSERT_FALSE(c.value) << c.channel;
    EXPECT_NE(c.value.error().message.find("not JSON"), std::string::npos)
        << c.value.error().message;
  }
}

TEST(HttpPollAnswer, WritesValuesInTheirShortestText) {
  EXPECT_EQ(value_text(22.5), "22.5");
  EXPECT_EQ(value_text(21.0), "21");
  EXPECT_EQ(value_text(-0.1), "-0.1");
  EXPECT_EQ(value_text(0.1 + 0.2), "0.30000000000000004");
}

}  // namespace
}  // namespace citypulse::httppoll
