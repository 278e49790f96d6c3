#include "notify/alarm_notice.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/time.h"
#include "model/alarm_json.h"

namespace citypulse::notify {
namespace {

namespace json = boost::json;

constexpr std::size_t kDigestLines = 50;

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A subject is one line: what a template could put on another is a space.
std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

// The alarm as the API shows it, with the names that make it readable.
json::object alarm_object(const AlarmFacts& f) {
  auto o = alarm_json(f.alarm);
  o["building"] = f.building;
  o["point"] = f.point;
  o["rule"] = f.rule;
  o["action"] = f.action;
  o["link"] = f.link;
  return o;
}

}  // namespace

std::string_view notice_kind_name(NoticeKind kind) {
  switch (kind) {
    case NoticeKind::raised:
      return "raised";
    case NoticeKind::escalated:
      return "escalated";
    case NoticeKind::digest:
      return "digest";
  }
  return "raised";
}

EmailNotice alarm_email(NoticeKind kind, const AlarmFacts& f) {
  const Alarm& a = f.alarm;
  EmailNotice n;
  n.subject = one_line(fmt::format("[CityPulse] {}{} {}: {}",
                                   kind == NoticeKind::escalated ? "UNACKNOWLEDGED " : "",
                                   upper(severity_name(a.severity)), f.building, a.message));
  if (n.subject.size() > 400) n.subject.resize(400);
  n.text = fmt::format(
      "{}\n\n"
      "Severity:  {}\n"
      "Building:  {}\n"
      "Point:     {}\n"
      "Value:     {:.6g}\n"
      "Raised:    {}\n"
      "State:     {}\n"
      "Rule:      {}\n",
      a.message, severity_name(a.severity), f.building, f.point, a.value,
      format_rfc3339(a.raised_at), alarm_state_name(a.state), f.rule);
  if (kind == NoticeKind::escalated) n.text += "\nNobody has acknowledged this alarm yet.\n";
  if (!f.action.empty()) n.text += fmt::format("\nWhat to do: {}\n", f.action);
  if (!f.link.empty()) n.text += fmt::format("\n{}\n", f.link);
  return n;
}

EmailNotice digest_email(std::span<const AlarmFacts> alarms, std::size_t total) {
  EmailNotice n;
  n.subject = fmt::format("[CityPulse] Alarm flood: {} alarms raised", total);
  n.text = fmt::format(
      "{} alarms were raised in a short time; they are listed here in one message instead of "
      "one each.\n\n",
      total);
  for (std::size_t i = 0; i < alarms.size() && i < kDigestLines; ++i) {
    const auto& f = alarms[i];
    n.text += fmt::format("{}  {:<8}  {}: {}\n", format_rfc3339(f.alarm.raised_at),
                          severity_name(f.alarm.severity), f.building, f.alarm.message);
  }
  if (total > std::min(alarms.size(), kDigestLines))
    n.text += fmt::format("... and {} more\n", total - std::min(alarms.size(), kDigestLines));
  return n;
}

std::string alarm_sms(NoticeKind kind, const AlarmFacts& f) {
  return fmt::format("CityPulse {}{} {}: {}", kind == NoticeKind::escalated ? "UNACKED " : "",
                     upper(severity_name(f.alarm.severity)), f.building, f.alarm.message);
}

std::string digest_sms(std::span<const AlarmFacts> alarms, std::size_t total) {
  std::string worst = "info";
  Severity s = Severity::info;
  for (const auto& f : alarms)
    if (f.alarm.severity > s) s = f.alarm.severity;
  worst = upper(severity_name(s));
  return fmt::format("CityPulse alarm flood: {} alarms, worst {}", total, worst);
}

std::string alarm_webhook_json(NoticeKind kind, const AlarmFacts& f) {
  return json::serialize(
      json::object{{"event", kind == NoticeKind::escalated ? "alarm_escalated" : "alarm_raised"},
                   {"alarm", alarm_object(f)}});
}

std::string digest_webhook_json(std::span<const AlarmFacts> alarms, std::size_t total) {
  json::array items;
  for (const auto& f : alarms) items.push_back(alarm_object(f));
  return json::serialize(
      json::object{{"event", "alarms_digest"}, {"total", total}, {"alarms", std::move(items)}});
}

}  // namespace citypulse::notify
