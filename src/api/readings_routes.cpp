#include "api/readings_routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>
#include <future>
#include <memory>
#include <unordered_map>

#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "core/text.h"
#include "core/timezone.h"
#include "store/bucketed_readings.h"

namespace citypulse {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kDefaultLimit = 10'000;
constexpr std::int64_t kMaxLimit = 100'000;
constexpr std::int64_t kDefaultMaxPoints = 2'000;
constexpr std::int64_t kMaxMaxPoints = 100'000;
constexpr std::size_t kMaxQueryPoints = 200;
constexpr std::size_t kCsvPieceReadings = 8'192;
constexpr std::size_t kMaxWriteReadings = 10'000;

HttpResponse error_response(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

Result<TimeMs> time_param(std::string_view name, std::string_view text) {
  auto t = parse_rfc3339(text);
  if (!t)
    return fail(ErrorCode::bad_request,
                fmt::format("'{}' must be an RFC 3339 time such as 2026-11-23T00:00:00Z, got '{}'",
                            name, text),
                std::string(name));
  return *t;
}

// JSON has no NaN or infinity: such a value (a sum over a NaN reading) is null.
json::value number(double v) {
  return std::isfinite(v) ? json::value(v) : json::value(nullptr);
}

json::object reading_json(const TimedValue& v) {
  return json::object{
      {"t", format_rfc3339(v.t)}, {"value", number(v.value)}, {"quality", v.quality}};
}

std::vector<std::string_view> split_on(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (std::size_t at = 0;;) {
    const auto end = text.find(separator, at);
    out.push_back(trim(text.substr(at, end == std::string_view::npos ? end : end - at)));
    if (end == std::string_view::npos) return out;
    at = end + 1;
  }
}

// What the client accepts: JSON (the default) or CSV. Media ranges are
// weighed by q; a header that allows neither is 406.
Result<bool> wants_csv(const HttpRequest& request) {
  auto accept = request.header("Accept");
  if (!accept || trim(*accept).empty()) return false;
  double json_q = -1, csv_q = -1;
  for (const auto& range : split_list(*accept)) {
    auto parts = split_on(range, ';');
    if (parts.empty()) continue;
    const std::string type = lower_ascii(trim(parts[0]));
    double q = 1;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      auto p = trim(parts[i]);
      if (p.size() > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
        q = std::atof(std::string(p.substr(2)).c_str());
    }
    if (type == "text/csv" || type == "text/*") csv_q = std::max(csv_q, q);
    if (type == "application/json" || type == "application/*") json_q = std::max(json_q, q);
    if (type == "*/*") {
      json_q = std::max(json_q, q);
      csv_q = std::max(csv_q, q * 0.999);  // JSON first when both are equally welcome
    }
  }
  if (json_q <= 0 && csv_q <= 0)
    return fail(ErrorCode::not_acceptable,
                "readings are available as application/json or text/csv; the Accept header "
                "allows neither",
                "Accept");
  return csv_q > json_q;
}

std::string csv_number(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : std::string();
}

// What a readings request asks for, from the query string or a JSON body.
struct ReadingsAsk {
  std::optional<TimeMs> from, to;
  std::int64_t limit = kDefaultLimit;
  bool limit_given = false;
  std::optional<std::string> bucket;  // a label or "auto"; none: raw readings
  std::vector<Aggregation> aggregations;
  std::int64_t max_points = kDefaultMaxPoints;
  std::optional<std::string> timezone;
};

Status parse_aggregations(std::string_view text, std::vector<Aggregation>& out) {
  for (const auto& name : split_list(text)) {
    auto a = parse_aggregation(trim(name));
    if (!a)
      return fail(ErrorCode::bad_request,
                  fmt::format("unknown aggregation '{}'; agg takes one or more (comma-separated) "
                              "of: {}",
                              trim(name), aggregation_names()),
                  "agg");
    if (std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
  }
  if (out.empty())
    return fail(ErrorCode::bad_request,
                fmt::format("agg must name at least one of: {}", aggregation_names()), "agg");
  return {};
}

// Fills in defaults (the last day up to now) and checks the whole request.
Status complete(ReadingsAsk& ask) {
  if (!ask.to) ask.to = ask.from ? *ask.from + kDayMs : now_ms();
  if (!ask.from) ask.from = *ask.to - kDayMs;
  if (*ask.from >= *ask.to)
    return fail(ErrorCode::bad_request,
                fmt::format("'from' ({}) must be before 'to' ({})", format_rfc3339(*ask.from),
                            format_rfc3339(*ask.to)),
                "from");
  if (!ask.bucket) {
    if (!ask.aggregations.empty())
      return fail(ErrorCode::bad_request,
                  "agg needs a bucket (bucket=1h, or bucket=auto); without one the answer is the "
                  "raw readings",
                  "agg");
    return {};
  }
  if (ask.limit_given)
    return fail(ErrorCode::bad_request,
                "limit applies to raw readings; bucketed answers are bounded by max_points",
                "limit");
  if (ask.aggregations.empty()) ask.aggregations.push_back(Aggregation::avg);
  if (*ask.bucket == "auto") {
    ask.bucket = auto_bucket(*ask.from, *ask.to, ask.max_points).label;
    return {};
  }
  auto size = parse_bucket(*ask.bucket);
  if (!size) return std::unexpected(size.error());
  const auto n = bucket_count(*size, *ask.from, *ask.to);
  if (n > ask.max_points) {
    const auto& fitting = auto_bucket(*ask.from, *ask.to, ask.max_points);
    return fail(ErrorCode::bad_request,
                fmt::format("bucket {} is too small for this range: up to {} buckets, more than "
                            "max_points ({}); use bucket {} or larger, bucket=auto, a shorter "
                            "range, or a larger max_points (at most {})",
                            size->label, n, ask.max_points, fitting.label, kMaxMaxPoints),
                "bucket");
  }
  return {};
}

Result<ReadingsAsk> ask_from_query(const HttpRequest& request) {
  ReadingsAsk ask;
  for (const auto& [k, v] : request.query) {
    if (k == "from" || k == "to") {
      auto t = time_param(k, v);
      if (!t) return std::unexpected(t.error());
      (k == "from" ? ask.from : ask.to) = *t;
    } else if (k == "limit") {
      auto n = parse_integer("limit", v, 1, kMaxLimit);
      if (!n) return std::unexpected(n.error());
      ask.limit = *n;
      ask.limit_given = true;
    } else if (k == "bucket") {
      ask.bucket = v;
    } else if (k == "agg") {
      if (auto s = parse_aggregations(v, ask.aggregations); !s) return std::unexpected(s.error());
    } else if (k == "max_points") {
      auto n = parse_integer("max_points", v, 1, kMaxMaxPoints);
      if (!n) return std::unexpected(n.error());
      ask.max_points = *n;
    } else if (k == "timezone") {
      ask.timezone = v;
    } else {
      return fail(ErrorCode::bad_request,
                  fmt::format("unknown query parameter '{}'; readings accept: from, to, limit, "
                              "bucket, agg, max_points, timezone",
                              k),
                  k);
    }
  }
  if (auto s = complete(ask); !s) return std::unexpected(s.error());
  return ask;
}

// The zone buckets follow: the one asked for, else the point's building's.
Result<Timezone> zone_for(MetaStore& store, const RequestContext& ctx, const Point& point,
                          const std::optional<std::string>& asked) {
  if (asked) {
    auto zone = Timezone::load(*asked);
    if (!zone)
      return fail(ErrorCode::bad_request,
                  fmt::format("timezone '{}' is not a known IANA time zone: {}", *asked,
                              zone.error().message),
                  "timezone");
    return zone;
  }
  auto building = store.buildings().get(ctx.scope, point.building_id);
  if (!building) return std::unexpected(building.error());
  auto zone = Timezone::load(building->timezone);
  // A building whose zone this machine does not know is summarised in UTC;
  // the answer says which zone it used.
  return zone ? *zone : Timezone::utc();
}

json::array bucket_items(const BucketedReadings& b, std::span<const Aggregation> aggs) {
  json::array items;
  items.reserve(b.rows.size());
  for (const auto& row : b.rows) {
    json::object o{
        {"t", format_rfc3339(row.start)}, {"end", format_rfc3339(row.end)}, {"count", row.count}};
    for (std::size_t i = 0; i < aggs.size(); ++i)
      o[aggregation_name(aggs[i])] = number(row.values[i]);
    items.push_back(std::move(o));
  }
  return items;
}

std::string bucket_csv_header(std::span<const Aggregation> aggs, bool with_point) {
  std::string out = with_point ? "point_id,t,end,count" : "t,end,count";
  for (auto a : aggs) out += fmt::format(",{}", aggregation_name(a));
  out += "\r\n";
  return out;
}

void bucket_csv_rows(const BucketedReadings& b, std::optional<Id> point, std::string& out) {
  for (const auto& row : b.rows) {
    if (point) out += fmt::format("{},", *point);
    out += fmt::format("{},{},{}", format_rfc3339(row.start), format_rfc3339(row.end), row.count);
    for (double v : row.values) out += "," + csv_number(v);
    out += "\r\n";
  }
}

HttpResponse csv_response(std::string body) {
  HttpResponse r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(body);
  return r;
}

// Raw readings of [from, to) as CSV, produced a few thousand at a time, so an
// export of years of readings never sits in memory whole. Each piece reads a
// window of time (a store reads a range whole before it cuts it to the
// limit), widened while windows come back thin and kept while they are full.
HttpResponse raw_csv_stream(SeriesStore& series, Id point, TimeMs from, TimeMs to,
                            std::optional<std::int64_t> limit, bool with_point) {
  struct Cursor {
    TimeMs next;
    std::int64_t left;
    std::int64_t window = kDayMs;
    bool header = true;
  };
  auto cursor = std::make_shared<Cursor>(Cursor{from, limit.value_or(INT64_MAX)});
  HttpResponse r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.body_stream = [&series, point, to, with_point, cursor]() -> Result<std::string> {
    std::string piece;
    if (cursor->header) {
      cursor->header = false;
      piece = with_point ? "point_id,t,value,quality\r\n" : "t,value,quality\r\n";
    }
    // An empty piece ends the body: read on until there is something to send.
    while (piece.size() < 64 * 1024 && cursor->left > 0 && cursor->next < to) {
      const auto n = std::min<std::int64_t>(cursor->left, kCsvPieceReadings);
      const TimeMs end = to - cursor->next > cursor->window ? cursor->next + cursor->window : to;
      auto values = series.range(point, cursor->next, end, static_cast<std::size_t>(n));
      if (!values) return std::unexpected(values.error());
      for (const auto& v : *values) {
        if (with_point) piece += fmt::format("{},", point);
        piece += fmt::format("{},{},{}\r\n", format_rfc3339(v.t), csv_number(v.value), v.quality);
      }
      cursor->left -= static_cast<std::int64_t>(values->size());
      if (static_cast<std::int64_t>(values->size()) == n) {
        cursor->next = values->back().t + 1;  // full: more in this window
      } else {
        cursor->next = end;
        if (static_cast<std::int64_t>(values->size()) < n / 4 && cursor->window < 366 * kDayMs)
          cursor->window *= 2;
      }
    }
    return piece;
  };
  return r;
}

HttpResponse readings(RequestContext& ctx, MetaStore& store, SeriesStore& series) {
  auto id = ctx.id_param("id");
  if (!id) return error_response(ctx, id.error());
  auto ask = ask_from_query(ctx.request);
  if (!ask) return error_response(ctx, ask.error());
  auto csv = wants_csv(ctx.request);
  if (!csv) return error_response(ctx, csv.error());
  auto point = store.points().get(ctx.scope, *id);
  if (!point) return error_response(ctx, point.error());

  if (ask->bucket) {
    auto zone = zone_for(store, ctx, *point, ask->timezone);
    if (!zone) return error_response(ctx, zone.error());
    auto size = parse_bucket(*ask->bucket);
    if (!size) return error_response(ctx, size.error());
    auto b = bucketed_readings(series, *id, *ask->from, *ask->to, *size, ask->aggregations, *zone);
    if (!b) return error_response(ctx, b.error());
    if (*csv) {
      std::string body = bucket_csv_header(ask->aggregations, false);
      bucket_csv_rows(*b, std::nullopt, body);
      return csv_response(std::move(body));
    }
    json::array aggs;
    for (auto a : ask->aggregations) aggs.push_back(json::string(aggregation_name(a)));
    return json_response(200, json::object{{"point_id", *id},
                                           {"unit", point->unit},
                                           {"from", format_rfc3339(b->from)},
                                           {"to", format_rfc3339(b->to)},
                                           {"bucket", size->label},
                                           {"timezone", zone->name()},
                                           {"aggregations", std::move(aggs)},
                                           {"items", bucket_items(*b, ask->aggregations)}});
  }

  if (*csv)
    return raw_csv_stream(series, *id, *ask->from, *ask->to,
                          ask->limit_given ? std::optional(ask->limit) : std::nullopt, false);
  // One more than asked tells whether the range holds more.
  auto values = series.range(*id, *ask->from, *ask->to, static_cast<std::size_t>(ask->limit) + 1);
  if (!values) return error_response(ctx, values.error());
  const bool more = values->size() > static_cast<std::size_t>(ask->limit);
  if (more) values->pop_back();
  json::array items;
  items.reserve(values->size());
  for (const auto& v : *values) items.push_back(reading_json(v));
  json::object body{{"point_id", *id},
                    {"unit", point->unit},
                    {"from", format_rfc3339(*ask->from)},
                    {"to", format_rfc3339(*ask->to)},
                    {"items", std::move(items)}};
  // Where the next page starts: just after the last reading returned.
  body["next_from"] =
      more ? json::value(format_rfc3339(values->back().t + 1)) : json::value(nullptr);
  return json_response(200, body);
}

// POST /api/v1/readings/query: {"points": [ids], "from", "to", "bucket",
// "agg" (a name or a list), "max_points", "timezone", "limit"}.
Result<std::pair<std::vector<Id>, ReadingsAsk>> ask_from_body(const json::value& body) {
  const auto* o = body.if_object();
  if (!o) return fail(ErrorCode::bad_request, "the body must be a JSON object", "");
  ReadingsAsk ask;
  std::vector<Id> points;
  for (const auto& [key, v] : *o) {
    const std::string pointer = fmt::format("/{}", std::string_view(key));
    if (key == "points") {
      const auto* a = v.if_array();
      if (!a || a->empty() || a->size() > kMaxQueryPoints)
        return fail(ErrorCode::bad_request,
                    fmt::format("points must be an array of 1 to {} point ids", kMaxQueryPoints),
                    pointer);
      for (std::size_t i = 0; i < a->size(); ++i) {
        const auto* n = (*a)[i].if_int64();
        if (!n || *n <= 0)
          return fail(ErrorCode::bad_request, "a point id is a positive integer",
                      fmt::format("/points/{}", i));
        if (std::find(points.begin(), points.end(), *n) == points.end()) points.push_back(*n);
      }
    } else if (key == "from" || key == "to") {
      const auto* s = v.if_string();
      if (!s)
        return fail(ErrorCode::bad_request,
                    fmt::format("{} must be a string", std::string_view(key)), pointer);
      auto t = time_param(key, *s);
      if (!t) return fail(ErrorCode::bad_request, t.error().message, pointer);
      (key == "from" ? ask.from : ask.to) = *t;
    } else if (key == "bucket" || key == "timezone") {
      const auto* s = v.if_string();
      if (!s)
        return fail(ErrorCode::bad_request,
                    fmt::format("{} must be a string", std::string_view(key)), pointer);
      (key == "bucket" ? ask.bucket : ask.timezone) = std::string(*s);
    } else if (key == "agg") {
      std::string list;
      if (const auto* s = v.if_string()) {
        list = *s;
      } else if (const auto* a = v.if_array()) {
        for (const auto& e : *a) {
          if (!e.is_string())
            return fail(ErrorCode::bad_request, "agg lists aggregation names", pointer);
          list += std::string(e.get_string()) + ",";
        }
      } else {
        return fail(ErrorCode::bad_request, "agg is a name or a list of names", pointer);
      }
      if (auto s = parse_aggregations(list, ask.aggregations); !s)
        return fail(ErrorCode::bad_request, s.error().message, pointer);
    } else if (key == "max_points" || key == "limit") {
      const auto* n = v.if_int64();
      const std::int64_t max = key == "limit" ? kMaxLimit : kMaxMaxPoints;
      if (!n || *n < 1 || *n > max)
        return fail(ErrorCode::bad_request,
                    fmt::format("{} must be an integer from 1 to {}", std::string_view(key), max),
                    pointer);
      (key == "limit" ? ask.limit : ask.max_points) = *n;
      if (key == "limit") ask.limit_given = true;
    } else {
      return fail(ErrorCode::bad_request,
                  fmt::format("unknown member '{}'; a readings query has: points, from, to, "
                              "bucket, agg, max_points, timezone, limit",
                              std::string_view(key)),
                  pointer);
    }
  }
  if (points.empty())
    return fail(ErrorCode::bad_request,
                fmt::format("points (1 to {} point ids) is required", kMaxQueryPoints), "/points");
  if (auto s = complete(ask); !s) {
    auto e = s.error();
    if (!e.field.empty() && e.field[0] != '/') e.field = "/" + e.field;
    return std::unexpected(e);
  }
  return std::pair{std::move(points), std::move(ask)};
}

HttpResponse query(RequestContext& ctx, MetaStore& store, SeriesStore& series) {
  if (auto s = reject_query(ctx.request); !s) return error_response(ctx, s.error());
  auto body = read_json_body(ctx.request);
  if (!body) return error_response(ctx, body.error());
  auto asked = ask_from_body(*body);
  if (!asked) return error_response(ctx, asked.error());
  auto& [ids, ask] = *asked;
  auto csv = wants_csv(ctx.request);
  if (!csv) return error_response(ctx, csv.error());
  // Every point first: one that is missing or out of scope fails the whole
  // query before anything is read.
  std::vector<Point> points;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto p = store.points().get(ctx.scope, ids[i]);
    if (!p) {
      auto e = p.error();
      e.field = fmt::format("/points/{}", i);
      return error_response(ctx, e);
    }
    points.push_back(std::move(*p));
  }
  json::array out;
  std::string csv_body;
  std::optional<BucketSize> size;
  if (ask.bucket) {
    auto parsed = parse_bucket(*ask.bucket);
    if (!parsed) return error_response(ctx, parsed.error());
    size = *parsed;
    if (*csv) csv_body = bucket_csv_header(ask.aggregations, true);
  } else if (*csv) {
    csv_body = "point_id,t,value,quality\r\n";
  }
  for (const auto& point : points) {
    json::object item{{"point_id", point.id}, {"unit", point.unit}};
    if (size) {
      auto zone = zone_for(store, ctx, point, ask.timezone);
      if (!zone) return error_response(ctx, zone.error());
      auto b =
          bucketed_readings(series, point.id, *ask.from, *ask.to, *size, ask.aggregations, *zone);
      if (!b) return error_response(ctx, b.error());
      if (*csv) {
        bucket_csv_rows(*b, point.id, csv_body);
        continue;
      }
      item["timezone"] = zone->name();
      item["items"] = bucket_items(*b, ask.aggregations);
    } else {
      auto values =
          series.range(point.id, *ask.from, *ask.to, static_cast<std::size_t>(ask.limit) + 1);
      if (!values) return error_response(ctx, values.error());
      const bool more = values->size() > static_cast<std::size_t>(ask.limit);
      if (more) values->pop_back();
      if (*csv) {
        for (const auto& v : *values)
          csv_body += fmt::format("{},{},{},{}\r\n", point.id, format_rfc3339(v.t),
                                  csv_number(v.value), v.quality);
        continue;
      }
      json::array items;
      for (const auto& v : *values) items.push_back(reading_json(v));
      item["items"] = std::move(items);
      item["next_from"] =
          more ? json::value(format_rfc3339(values->back().t + 1)) : json::value(nullptr);
    }
    out.push_back(std::move(item));
  }
  if (*csv) return csv_response(std::move(csv_body));
  json::object result{{"from", format_rfc3339(*ask.from)}, {"to", format_rfc3339(*ask.to)}};
  if (size) {
    result["bucket"] = size->label;
    json::array aggs;
    for (auto a : ask.aggregations) aggs.push_back(json::string(aggregation_name(a)));
    result["aggregations"] = std::move(aggs);
  }
  result["series"] = std::move(out);
  return json_response(200, result);
}

// POST /api/v1/points/{id}/readings: {"readings": [{"t", "value", "quality"?}]}
// — manual readings and corrections. Answered only when the readings are on
// disk; a reading at the time of an existing one replaces it.
HttpResponse write_readings(RequestContext& ctx, MetaStore& store, SeriesStore& series) {
  if (auto s = reject_query(ctx.request); !s) return error_response(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return error_response(ctx, id.error());
  // The point first: one out of scope is 404 whatever the body.
  auto point = store.points().get(ctx.scope, *id);
  if (!point) return error_response(ctx, point.error());
  auto body = read_json_body(ctx.request);
  if (!body) return error_response(ctx, body.error());
  const auto* o = body->if_object();
  const json::array* list = nullptr;
  if (o) {
    for (const auto& [key, v] : *o)
      if (key != "readings")
        return error_response(
            ctx, Error{ErrorCode::bad_request,
                       fmt::format("unknown member '{}'; the body is {{\"readings\": [...]}}",
                                   std::string_view(key)),
                       fmt::format("/{}", std::string_view(key))});
    if (auto it = o->find("readings"); it != o->end()) list = it->value().if_array();
  }
  if (!list || list->empty() || list->size() > kMaxWriteReadings)
    return error_response(
        ctx, Error{ErrorCode::bad_request,
                   fmt::format("the body is {{\"readings\": [...]}} with 1 to {} readings, each "
                               "{{\"t\": RFC 3339, \"value\": number, \"quality\": 0..255}}",
                               kMaxWriteReadings),
                   "/readings"});
  std::vector<Reading> readings;
  readings.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = fmt::format("/readings/{}", i);
    const auto* r = (*list)[i].if_object();
    if (!r) return error_response(ctx, Error{ErrorCode::bad_request, "a reading is an object", at});
    Reading reading{*id, 0, 0, 0};
    bool has_t = false, has_value = false;
    for (const auto& [key, v] : *r) {
      if (key == "t") {
        const auto* text = v.if_string();
        auto t = text ? parse_rfc3339(*text) : Result<TimeMs>(fail(ErrorCode::bad_request, ""));
        if (!t)
          return error_response(
              ctx, Error{ErrorCode::bad_request, "t must be an RFC 3339 time", at + "/t"});
        reading.t = *t;
        has_t = true;
      } else if (key == "value") {
        if (!v.is_number())
          return error_response(
              ctx, Error{ErrorCode::bad_request, "value must be a number", at + "/value"});
        reading.value = v.to_number<double>();
        has_value = true;
      } else if (key == "quality") {
        const auto* q = v.if_int64();
        if (!q || *q < 0 || *q > 255)
          return error_response(
              ctx, Error{ErrorCode::bad_request, "quality must be an integer from 0 (good) to 255",
                         at + "/quality"});
        reading.quality = static_cast<std::uint8_t>(*q);
      } else {
        return error_response(
            ctx, Error{ErrorCode::bad_request,
                       fmt::format("unknown member '{}'; a reading has t, value, quality",
                                   std::string_view(key)),
                       at + "/" + std::string(std::string_view(key))});
      }
    }
    if (!has_t || !has_value)
      return error_response(ctx, Error{ErrorCode::bad_request, "a reading needs t and value", at});
    readings.push_back(reading);
  }
  const auto n = readings.size();
  std::promise<Status> done;
  auto written = done.get_future();
  series.append(std::move(readings), true, [&done](Status s) { done.set_value(s); });
  if (auto s = written.get(); !s) {
    auto e = s.error();
    // The store names the reading by its index ("/3").
    if (!e.field.empty() && e.field[0] == '/') e.field = "/readings" + e.field;
    return error_response(ctx, e);
  }
  return json_response(200, json::object{{"point_id", *id}, {"written", n}});
}

HttpResponse point_latest(RequestContext& ctx, MetaStore& store, SeriesStore& series) {
  if (auto s = reject_query(ctx.request); !s) return error_response(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return error_response(ctx, id.error());
  auto point = store.points().get(ctx.scope, *id);
  if (!point) return error_response(ctx, point.error());
  const Id ids[] = {*id};
  auto latest = series.latest(ids);
  if (!latest) return error_response(ctx, latest.error());
  // A point without readings exists all the same: 200 with no reading,
  // keeping 404 for points that do not exist (or are out of scope).
  json::object body{{"point_id", *id}, {"unit", point->unit}};
  body["latest"] =
      latest->empty() ? json::value(nullptr) : json::value(reading_json(latest->front().second));
  return json_response(200, body);
}

HttpResponse building_latest(RequestContext& ctx, MetaStore& store, SeriesStore& series) {
  if (auto s = reject_query(ctx.request); !s) return error_response(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return error_response(ctx, id.error());
  auto building = store.buildings().get(ctx.scope, *id);
  if (!building) return error_response(ctx, building.error());
  auto points = list_all(store.points(), ctx.scope, {{"building_id", std::to_string(*id)}});
  if (!points) return error_response(ctx, points.error());
  std::vector<Id> ids;
  std::unordered_map<Id, std::string> units;
  for (const auto& p : *points) {
    ids.push_back(p.id);
    units.emplace(p.id, p.unit);
  }
  auto latest = series.latest(ids);
  if (!latest) return error_response(ctx, latest.error());
  json::array items;
  for (const auto& [point, v] : *latest)
    items.push_back(
        json::object{{"point_id", point}, {"unit", units[point]}, {"latest", reading_json(v)}});
  return json_response(200, json::object{{"building_id", *id}, {"items", std::move(items)}});
}

}  // namespace

void add_readings_routes(Router& router, MetaStore& store, SeriesStore& series) {
  const auto access = RouteAccess::needs(auth::Permission::readings_read, RateClass::read);
  router.add("GET", "/api/v1/points/{id}/readings", access,
             [&](RequestContext& c) { return readings(c, store, series); });
  router.add("POST", "/api/v1/points/{id}/readings",
             RouteAccess::needs(auth::Permission::readings_write, RateClass::write),
             [&](RequestContext& c) { return write_readings(c, store, series); });
  router.add("POST", "/api/v1/readings/query", access,
             [&](RequestContext& c) { return query(c, store, series); });
  router.add("GET", "/api/v1/points/{id}/latest", access,
             [&](RequestContext& c) { return point_latest(c, store, series); });
  router.add("GET", "/api/v1/buildings/{id}/latest", access,
             [&](RequestContext& c) { return building_latest(c, store, series); });
}

}  // namespace citypulse
