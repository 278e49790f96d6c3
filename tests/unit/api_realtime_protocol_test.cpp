// The realtime API's client messages: every form read right, and every bad
// one refused with the member at fault named, before anything is done.
#include <gtest/gtest.h>

#include "api/realtime_protocol.h"

namespace citypulse::realtime {
namespace {

TEST(RealtimeProtocol, ReadsEveryMessage) {
  auto auth = parse_client_message(R"({"type":"auth","token":"abc.def"})");
  ASSERT_TRUE(auth);
  EXPECT_EQ(std::get<AuthMessage>(*auth).token, "abc.def");

  auto points = parse_client_message(R"({"type":"subscribe","id":"s1","points":[3,4,3]})");
  ASSERT_TRUE(points);
  const auto& p = std::get<SubscribeMessage>(*points);
  EXPECT_EQ(p.id, "s1");
  EXPECT_EQ(p.kind, SubscribeMessage::Kind::points);
  EXPECT_EQ(p.ids, (std::vector<Id>{3, 4}));  // duplicates collapse
  EXPECT_EQ(p.max_rate, 0);                   // every value

  auto limited =
      parse_client_message(R"({"type":"subscribe","id":"b","buildings":[2],"max_rate":4})");
  ASSERT_TRUE(limited);
  EXPECT_EQ(std::get<SubscribeMessage>(*limited).max_rate, 4);
  auto slow = parse_client_message(R"({"type":"subscribe","id":"b","points":[2],"max_rate":0.5})");
  ASSERT_TRUE(slow);
  EXPECT_EQ(std::get<SubscribeMessage>(*slow).max_rate, 0.5);

  auto alarms = parse_client_message(
      R"({"type":"subscribe","id":"a","alarms":{"buildings":[7],"min_severity":"major"}})");
  ASSERT_TRUE(alarms);
  EXPECT_EQ(std::get<SubscribeMessage>(*alarms).min_severity, Severity::major);
  EXPECT_EQ(std::get<SubscribeMessage>(*alarms).ids, (std::vector<Id>{7}));
  auto minor =
      parse_client_message(R"({"type":"subscribe","id":"m","alarms":{"min_severity":"minor"}})");
  ASSERT_TRUE(minor);
  EXPECT_EQ(std::get<SubscribeMessage>(*minor).min_severity, Severity::minor);

  auto events = parse_client_message(
      R"({"type":"subscribe","id":"e","events":["asset_changed","device_status"]})");
  ASSERT_TRUE(events);
  EXPECT_EQ(std::get<SubscribeMessage>(*events).events.size(), 2u);

  auto resume = parse_client_message(R"({"type":"resume","after":1765012345678000})");
  ASSERT_TRUE(resume);
  EXPECT_EQ(std::get<ResumeMessage>(*resume).after, 1765012345678000u);
  EXPECT_TRUE(parse_client_message(R"({"type":"unsubscribe","id":"s1"})"));
  EXPECT_TRUE(parse_client_message(R"({"type":"ping"})"));
}

TEST(RealtimeProtocol, RefusesBadMessagesNamingTheMember) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", ""},
      {"[1]", ""},
      {R"({"token":"x"})", "/type"},
      {R"({"type":"hello"})", "/type"},
      {R"({"type":"auth"})", "/token"},
      {R"({"type":"auth","token":""})", "/token"},
      {R"({"type":"auth","token":"x","extra":1})", "/extra"},
      {R"({"type":"subscribe","points":[1]})", "/id"},
      {R"({"type":"subscribe","id":"","points":[1]})", "/id"},
      {R"({"type":"subscribe","id":"s","points":[]})", "/points"},
      {R"({"type":"subscribe","id":"s","points":[1,0]})", "/points/1"},
      {R"({"type":"subscribe","id":"s","points":[1,"2"]})", "/points/1"},
      {R"({"type":"subscribe","id":"s","points":[1],"buildings":[2]})", ""},
      {R"({"type":"subscribe","id":"s"})", ""},
      {R"({"type":"subscribe","id":"s","alarms":{"min_severity":"loud"}})", "/alarms/min_severity"},
      {R"({"type":"subscribe","id":"s","alarms":{"when":1}})", "/alarms/when"},
      {R"({"type":"subscribe","id":"s","events":["readings"]})", "/events/0"},
      {R"({"type":"subscribe","id":"s","events":["asset_changed","nope"]})", "/events/1"},
      {R"({"type":"subscribe","id":"s","points":[1],"max_rate":0})", "/max_rate"},
      {R"({"type":"subscribe","id":"s","points":[1],"max_rate":-4})", "/max_rate"},
      {R"({"type":"subscribe","id":"s","points":[1],"max_rate":"4"})", "/max_rate"},
      {R"({"type":"subscribe","id":"s","points":[1],"max_rate":1001})", "/max_rate"},
      {R"({"type":"subscribe","id":"s","events":["asset_changed"],"max_rate":4})", "/max_rate"},
      {R"({"type":"resume","after":-1})", "/after"},
      {R"({"type":"resume","after":"1"})", "/after"},
      {R"({"type":"ping","x":1})", "/x"},
  };
  for (const auto& [text, field] : cases) {
    auto m = parse_client_message(text);
    ASSERT_FALSE(m) << text;
    EXPECT_EQ(m.error().code, ErrorCode::bad_request) << text;
    EXPECT_EQ(m.error().field, field) << text;
    EXPECT_FALSE(m.error().message.empty()) << text;
  }
  const std::string long_id(kMaxIdBytes + 1, 'x');
  EXPECT_FALSE(
      parse_client_message(R"({"type":"subscribe","id":")" + long_id + R"(","points":[1]})"));
}

}  // namespace
}  // namespace citypulse::realtime
