#include "model/command_json.h"

#include <boost/json.hpp>

#include "core/time.h"

namespace citypulse {
namespace {

namespace json = boost::json;

json::value time_or_null(const std::optional<TimeMs>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

template <class T>
json::value or_null(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

}  // namespace

json::object command_json(const Command& c) {
  return json::object{{"id", c.id},
                      {"tenant_id", c.tenant_id},
                      {"building_id", c.building_id},
                      {"point_id", c.point_id},
                      {"device_id", c.device_id},
                      {"channel", c.channel},
                      {"protocol", c.protocol},
                      {"value", or_null(c.value)},
                      {"priority", or_null(c.priority)},
                      {"origin", command_origin_name(c.origin)},
                      {"actor", c.actor},
                      {"user_id", or_null(c.user_id)},
                      {"api_key_id", or_null(c.api_key_id)},
                      {"requested_at", format_rfc3339(c.requested_at)},
                      {"deadline_at", format_rfc3339(c.deadline_at)},
                      {"expires_at", time_or_null(c.expires_at)},
                      {"previous", or_null(c.previous)},
                      {"ends", or_null(c.ends)},
                      {"schedule_id", or_null(c.schedule_id)},
                      {"transition_at", time_or_null(c.transition_at)},
                      {"attempt", c.attempt},
                      {"status", command_status_name(c.status)},
                      {"completed_at", time_or_null(c.completed_at)},
                      {"read_back", or_null(c.read_back)},
                      {"error", c.error},
                      {"ended_at", time_or_null(c.ended_at)}};
}

}  // namespace citypulse
