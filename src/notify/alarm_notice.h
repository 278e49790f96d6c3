// What a notification about alarms says, on each channel: the email's
// subject and text, the SMS text, the webhook's JSON body. Pure: the
// notifier gathers the facts (the alarm, its building, point and rule) and
// sends what this makes.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "model/alarm.h"

namespace citypulse::notify {

// Why a notification goes out.
enum class NoticeKind : std::uint8_t {
  raised,     // the alarm was raised
  escalated,  // it is still unacknowledged after the recipient's delay
  digest,     // many alarms in a flood, in one message
};
std::string_view notice_kind_name(NoticeKind kind);  // "raised", "escalated", "digest"

// One alarm and the names that make it readable.
struct AlarmFacts {
  Alarm alarm;
  std::string building;  // its name
  std::string point;
  std::string rule;
  std::string action;  // what the rule says to do
  std::string link;    // the alarm in the web UI; empty without a public URL
};

struct EmailNotice {
  std::string subject;  // one line
  std::string text;
};

EmailNotice alarm_email(NoticeKind kind, const AlarmFacts& facts);
// A flood's alarms in one mail (at most 50 listed, then how many more).
EmailNotice digest_email(std::span<const AlarmFacts> alarms, std::size_t total);

std::string alarm_sms(NoticeKind kind, const AlarmFacts& facts);
std::string digest_sms(std::span<const AlarmFacts> alarms, std::size_t total);

// {"event": "alarm_raised" | "alarm_escalated", "alarm": {...}, "building",
// "point", "rule", "action", "link"} and {"event": "alarms_digest",
// "alarms": [...], "total"}.
std::string alarm_webhook_json(NoticeKind kind, const AlarmFacts& facts);
std::string digest_webhook_json(std::span<const AlarmFacts> alarms, std::size_t total);

}  // namespace citypulse::notify
