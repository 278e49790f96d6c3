#include "ingest/telemetry_json.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "core/text.h"

namespace citypulse::ingest {
namespace json = boost::json;
namespace {

// One value as a reading; text that is a whole number is taken as one.
void add_value(Telemetry& out, std::string_view key, const json::value& v, TimeMs t) {
  IncomingReading r;
  r.key = std::string(key);
  r.t = t;
  if (v.is_number()) {
    r.value = v.to_number<double>();
  } else if (v.is_bool()) {
    r.value = v.get_bool() ? 1 : 0;
  } else if (const auto* text = v.if_string()) {
    const auto s = trim(std::string_view(*text));
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), r.value);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty())
      r.refused = Rejection::not_numeric;
  } else {
    r.refused = Rejection::not_numeric;
  }
  out.push_back(std::move(r));
}

Status add_object(Telemetry& out, const json::value& element, TimeMs now, std::string_view at,
                  std::size_t max) {
  const auto* o = element.if_object();
  if (!o)
    return fail(ErrorCode::bad_request,
                "telemetry is an object of values, {\"ts\": ms, \"values\": {...}}, or an array "
                "of those",
                std::string(at.empty() ? "/" : at));
  const json::value* ts = o->if_contains("ts");
  const json::value* values = o->if_contains("values");
  TimeMs t = now;
  const json::object* fields = o;
  if (ts && values) {
    // Boost.JSON keeps every integer that fits as int64: any other is out of range.
    const auto* ms = ts->if_int64();
    const std::int64_t tv = ms ? *ms : -1;
    if (tv < 0 || tv > kLatestReadingTime || o->size() != 2)
      return fail(ErrorCode::bad_request,
                  o->size() != 2 ? "a timed entry has exactly \"ts\" and \"values\""
                                 : "ts must be integer milliseconds since 1970 (before year 10000)",
                  fmt::format("{}/ts", at));
    t = tv;
    fields = values->if_object();
    if (!fields)
      return fail(ErrorCode::bad_request, "values must be an object of key: value",
                  fmt::format("{}/values", at));
  }
  for (const auto& [key, v] : *fields) {
    if (key.empty() || key.size() > 255)
      return fail(ErrorCode::bad_request, "a key is 1 to 255 characters", std::string(at));
    if (out.size() >= max)
      return fail(
          ErrorCode::too_large,
          fmt::format("more than {} readings in one request (ingest.max_readings_per_request)",
                      max));
    add_value(out, key, v, t);
  }
  return {};
}

}  // namespace

Result<Telemetry> parse_telemetry(const json::value& body, TimeMs now, std::size_t max) {
  Telemetry out;
  if (const auto* list = body.if_array()) {
    for (std::size_t i = 0; i < list->size(); ++i)
      if (auto s = add_object(out, (*list)[i], now, fmt::format("/{}", i), max); !s)
        return std::unexpected(s.error());
  } else if (auto s = add_object(out, body, now, "", max); !s) {
    return std::unexpected(s.error());
  }
  return out;
}

Result<Telemetry> parse_telemetry_text(std::string_view body, TimeMs now, std::size_t max) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec)
    return fail(ErrorCode::bad_request,
                fmt::format("the body is not valid JSON: {}", ec.message()));
  return parse_telemetry(v, now, max);
}

}  // namespace citypulse::ingest
