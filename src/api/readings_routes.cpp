#include "api/readings_routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"

namespace citypulse {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kDefaultLimit = 10'000;
constexpr std::int64_t kMaxLimit = 100'000;

HttpResponse error_response(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

Result<TimeMs> time_param(std::string_view name, std::string_view text) {
  auto t = parse_rfc3339(text);
  if (!t)
    return fail(ErrorCode::bad_request,
                fmt::format("query parameter '{}' must be an RFC 3339 time such as "
                            "2026-11-23T00:00:00Z, got '{}'",
                            name, text),
                std::string(name));
  return *t;
}

json::object reading_json(const TimedValue& v) {
  return json::object{{"t", format_rfc3339(v.t)}, {"value", v.value}, {"quality", v.quality}};
}

HttpResponse readings(RequestContext& ctx, MetaStore& store, SeriesStore& series) {
  auto id = ctx.id_param("id");
  if (!id) return error_response(ctx, id.error());
  std::optional<TimeMs> from, to;
  std::int64_t limit = kDefaultLimit;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "from" || k == "to") {
      auto t = time_param(k, v);
      if (!t) return error_response(ctx, t.error());
      (k == "from" ? from : to) = *t;
    } else if (k == "limit") {
      auto n = parse_integer("limit", v, 1, kMaxLimit);
      if (!n) return error_response(ctx, n.error());
      limit = *n;
    } else {
      return error_response(
          ctx,
          Error{ErrorCode::bad_request,
                fmt::format("unknown query parameter '{}'; readings accept: from, to, limit", k),
                k});
    }
  }
  // Default: the last day up to now.
  if (!to) to = from ? *from + kDayMs : now_ms();
  if (!from) from = *to - kDayMs;
  if (*from >= *to)
    return error_response(ctx, Error{ErrorCode::bad_request,
                                     fmt::format("'from' ({}) must be before 'to' ({})",
                                                 format_rfc3339(*from), format_rfc3339(*to)),
                                     "from"});
  auto point = store.points().get(ctx.scope, *id);
  if (!point) return error_response(ctx, point.error());
  // One more than asked tells whether the range holds more.
  auto values = series.range(*id, *from, *to, static_cast<std::size_t>(limit) + 1);
  if (!values) return error_response(ctx, values.error());
  const bool more = values->size() > static_cast<std::size_t>(limit);
  if (more) values->pop_back();
  json::array items;
  items.reserve(values->size());
  for (const auto& v : *values) items.push_back(reading_json(v));
  json::object body{{"point_id", *id},
                    {"unit", point->unit},
                    {"from", format_rfc3339(*from)},
                    {"to", format_rfc3339(*to)},
                    {"items", std::move(items)}};
  // Where the next page starts: just after the last reading returned.
  body["next_from"] =
      more ? json::value(format_rfc3339(values->back().t + 1)) : json::value(nullptr);
  return json_response(200, body);
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
  router.add("GET", "/api/v1/points/{id}/latest", access,
             [&](RequestContext& c) { return point_latest(c, store, series); });
  router.add("GET", "/api/v1/buildings/{id}/latest", access,
             [&](RequestContext& c) { return building_latest(c, store, series); });
}

}  // namespace citypulse
