#include "model/alarm_json.h"

#include <boost/json.hpp>

#include "core/time.h"

namespace citypulse {
namespace {

namespace json = boost::json;

json::value time_or_null(const std::optional<TimeMs>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

json::value id_or_null(const std::optional<Id>& id) {
  return id ? json::value(*id) : json::value(nullptr);
}

}  // namespace

json::object alarm_json(const Alarm& a) {
  return json::object{
      {"id", a.id},
      {"tenant_id", a.tenant_id},
      {"rule_id", a.rule_id},
      {"point_id", a.point_id},
      {"building_id", a.building_id},
      {"severity", severity_name(a.severity)},
      {"state", alarm_state_name(a.state)},
      {"condition", a.condition},
      {"message", a.message},
      {"value", a.value},
      {"raised_at", format_rfc3339(a.raised_at)},
      {"last_seen_at", format_rfc3339(a.last_seen_at)},
      {"cleared_at", time_or_null(a.cleared_at)},
      {"closed_at", time_or_null(a.closed_at)},
      {"count", a.count},
      {"acknowledged_by", id_or_null(a.acknowledged_by)},
      {"acknowledged_at", time_or_null(a.acknowledged_at)},
      {"shelved_by", id_or_null(a.shelved_by)},
      {"shelved_until", time_or_null(a.shelved_until)},
      {"shelve_reason", a.shelve_reason},
      {"suppress_reason", a.suppress_reason},
      {"assigned_to", id_or_null(a.assigned_to)},
      {"incident", a.incident},
      {"version", a.version},
      {"updated_at", format_rfc3339(a.updated_at)},
  };
}

json::object alarm_note_json(const AlarmNote& n) {
  return json::object{{"id", n.id},
                      {"alarm_id", n.alarm_id},
                      {"at", format_rfc3339(n.at)},
                      {"kind", n.kind},
                      {"user_id", id_or_null(n.user_id)},
                      {"text", n.text},
                      {"state", alarm_state_name(n.state)}};
}

}  // namespace citypulse
