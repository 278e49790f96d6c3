#include "ingest/mapped_payload.h"

#include <fmt/format.h>

#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <optional>

#include "core/text.h"
#include "ingest/flat_json.h"

namespace citypulse::ingest {
namespace json = boost::json;
namespace {

// Never readings, even when the time they hold is unusable.
constexpr std::array<std::string_view, 4> kTimeMembers = {"ts", "time", "Time", "timestamp"};

bool storable(double t) {
  return t >= 0 && t <= static_cast<double>(kLatestReadingTime);
}

// "ts": milliseconds since 1970. Some senders write it with a fraction or
// an exponent (1.7e12); the whole milliseconds count.
std::optional<TimeMs> epoch_ms(const json::value* ts) {
  if (!ts) return std::nullopt;
  if (const auto* i = ts->if_int64(); i && storable(static_cast<double>(*i))) return *i;
  if (const auto* d = ts->if_double(); d && std::isfinite(*d) && storable(*d))
    return static_cast<TimeMs>(*d);
  return std::nullopt;
}

// The first usable time member; a zoneless local time (Tasmota's "Time")
// fails parse_rfc3339 and counts as absent: guessing the sender's zone
// would shift readings by hours without a word.
TimeMs time_of(const json::object& o, TimeMs now) {
  if (auto t = epoch_ms(o.if_contains("ts"))) return *t;
  for (std::string_view name : {"time", "Time", "timestamp"}) {
    const json::value* v = o.if_contains(name);
    const json::string* text = v ? v->if_string() : nullptr;
    if (!text) continue;
    if (auto t = parse_rfc3339(std::string_view(*text)); t && storable(static_cast<double>(*t)))
      return *t;
  }
  return now;
}

Status add_object(const json::object& o, TimeMs now, std::size_t max,
                  std::vector<IncomingReading>& out) {
  const json::value* values = o.if_contains("values");
  const bool timed = o.size() == 2 && o.contains("ts") && values && values->is_object();
  // ThingsBoard's {"ts", "values"}: the values are the readings, whole.
  const json::object& fields = timed ? values->get_object() : o;
  const TimeMs t = timed ? epoch_ms(o.if_contains("ts")).value_or(now) : time_of(o, now);
  FlattenLimits limits{
      .max_values = max - out.size(), .max_depth = kMaxMappedDepth, .max_key = kMaxMappedKey};
  if (!timed) limits.skip_top = kTimeMembers;
  std::vector<FlatValue> flat;
  if (!flatten_values(fields, limits, flat))
    return fail(
        ErrorCode::too_large,
        fmt::format("more than {} readings in one message (ingest.max_readings_per_request)", max));
  for (auto& v : flat) {
    IncomingReading r;
    r.key = std::move(v.key);
    r.value = v.value;
    r.t = t;
    out.push_back(std::move(r));
  }
  return {};
}

Result<std::vector<IncomingReading>> bare_value(double value, std::string_view topic, TimeMs now) {
  const auto slash = topic.rfind('/');
  const std::string_view key = slash == std::string_view::npos ? topic : topic.substr(slash + 1);
  if (key.empty() || key.size() > kMaxMappedKey)
    return fail(ErrorCode::bad_request,
                fmt::format("a bare value is keyed by the topic's last level, which must be 1 to "
                            "{} bytes; send a JSON object to name the value",
                            kMaxMappedKey));
  IncomingReading r;
  r.key = std::string(key);
  r.value = value;
  r.t = now;
  return std::vector<IncomingReading>{std::move(r)};
}

constexpr std::string_view kForms =
    "a JSON object, an array of objects, a number, true, false, ON or OFF";

}  // namespace

Result<std::vector<IncomingReading>> parse_mapped_payload(std::string_view payload,
                                                          std::string_view topic, TimeMs now,
                                                          std::size_t max) {
  boost::system::error_code ec;
  const json::value body = json::parse(payload, ec);
  if (ec) {
    // Tasmota's and zigbee2mqtt's switch states.
    const std::string_view word = trim(payload);
    if (iequals_ascii(word, "on") || iequals_ascii(word, "off"))
      return bare_value(iequals_ascii(word, "on") ? 1 : 0, topic, now);
    return fail(ErrorCode::bad_request,
                fmt::format("the payload is {}; this is not JSON ({})", kForms, ec.message()));
  }
  if (body.is_bool()) return bare_value(body.get_bool() ? 1 : 0, topic, now);
  if (body.is_number()) {
    const double value = body.to_number<double>();
    if (!std::isfinite(value))
      return fail(ErrorCode::bad_request, "the payload is a number too large to be a reading");
    return bare_value(value, topic, now);
  }
  std::vector<IncomingReading> out;
  if (const auto* o = body.if_object()) {
    if (auto s = add_object(*o, now, max, out); !s) return std::unexpected(s.error());
    return out;
  }
  if (const auto* list = body.if_array()) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto* element = (*list)[i].if_object();
      if (!element)
        return fail(ErrorCode::bad_request,
                    fmt::format("element {} of the payload's array is not an object", i),
                    fmt::format("/{}", i));
      if (auto s = add_object(*element, now, max, out); !s) return std::unexpected(s.error());
    }
    return out;
  }
  return fail(ErrorCode::bad_request,
              fmt::format("the payload is {}, not a string or null", kForms));
}

}  // namespace citypulse::ingest
