// What a notification says on each channel: one-line subjects whatever a
// rule's message holds, escalations marked, the rule's advice and the link
// in the mail, digests bounded with the count of the rest, webhook bodies
// that parse.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <vector>

#include "notify/alarm_notice.h"

namespace citypulse::notify {
namespace {

AlarmFacts facts(Id id, Severity severity, std::string message) {
  AlarmFacts f;
  f.alarm.id = id;
  f.alarm.tenant_id = 1;
  f.alarm.building_id = 3;
  f.alarm.severity = severity;
  f.alarm.state = AlarmState::active_unacknowledged;
  f.alarm.message = std::move(message);
  f.alarm.value = 27.5;
  f.alarm.raised_at = 1'765'000'000'000;
  f.building = "School";
  f.point = "Room 1";
  f.rule = "Too warm";
  f.action = "Close the valve.";
  f.link = "https://citypulse.example/alarms/" + std::to_string(id);
  return f;
}

TEST(AlarmNotice, AMailSaysWhatWhereAndWhatToDo) {
  const auto mail = alarm_email(NoticeKind::raised, facts(7, Severity::major, "Room 1 is 27.5"));
  EXPECT_EQ(mail.subject, "[CityPulse] MAJOR School: Room 1 is 27.5");
  EXPECT_NE(mail.text.find("What to do: Close the valve."), std::string::npos);
  EXPECT_NE(mail.text.find("https://citypulse.example/alarms/7"), std::string::npos);
  EXPECT_NE(mail.text.find("2025-12-06T05:46:40"), std::string::npos) << mail.text;
  const auto late = alarm_email(NoticeKind::escalated, facts(7, Severity::major, "x"));
  EXPECT_TRUE(late.subject.starts_with("[CityPulse] UNACKNOWLEDGED MAJOR")) << late.subject;
  EXPECT_NE(late.text.find("Nobody has acknowledged"), std::string::npos);
}

TEST(AlarmNotice, ASubjectIsOneLine) {
  const auto mail = alarm_email(NoticeKind::raised, facts(1, Severity::info, "two\r\nlines"));
  EXPECT_EQ(mail.subject.find_first_of("\r\n"), std::string::npos) << mail.subject;
}

TEST(AlarmNotice, ADigestListsFiftyAndCountsTheRest) {
  std::vector<AlarmFacts> many;
  for (int i = 0; i < 60; ++i)
    many.push_back(facts(i + 1, i == 30 ? Severity::critical : Severity::warning, "m"));
  const auto mail = digest_email(many, 75);
  EXPECT_EQ(mail.subject, "[CityPulse] Alarm flood: 75 alarms raised");
  EXPECT_NE(mail.text.find("... and 25 more"), std::string::npos) << mail.text;
  EXPECT_EQ(digest_sms(many, 75), "CityPulse alarm flood: 75 alarms, worst CRITICAL");
  const auto body = boost::json::parse(digest_webhook_json(many, 75)).as_object();
  EXPECT_EQ(body.at("event").as_string(), "alarms_digest");
  EXPECT_EQ(body.at("total").as_int64(), 75);
  EXPECT_EQ(body.at("alarms").as_array().size(), 60u);
}

TEST(AlarmNotice, WebhookBodiesCarryTheAlarm) {
  const auto body =
      boost::json::parse(alarm_webhook_json(NoticeKind::escalated, facts(9, Severity::minor, "m")))
          .as_object();
  EXPECT_EQ(body.at("event").as_string(), "alarm_escalated");
  const auto& alarm = body.at("alarm").as_object();
  EXPECT_EQ(alarm.at("id").as_int64(), 9);
  EXPECT_EQ(alarm.at("severity").as_string(), "minor");
  EXPECT_EQ(alarm.at("building").as_string(), "School");
  EXPECT_EQ(alarm.at("action").as_string(), "Close the valve.");
  EXPECT_EQ(alarm_sms(NoticeKind::raised, facts(9, Severity::minor, "Room hot")),
            "CityPulse MINOR School: Room hot");
}

}  // namespace
}  // namespace citypulse::notify
