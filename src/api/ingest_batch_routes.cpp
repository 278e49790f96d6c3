// The native batch API for integrations, and history imports:
//
//   POST /api/v1/readings {"readings": [{"point": id | "key", "ts": ms | RFC 3339,
//                                         "value": n, "unit"?: "°F"}, ...]}
//     all or nothing (422 listing every refused reading, nothing stored), or
//     with ?partial=true the good ones stored and the others listed.
//   POST /api/v1/points/{id}/import   text/csv "timestamp,value" rows
//     validated whole (400 naming the line, nothing stored), then stored
//     durably as an import (any age; a reading at an existing time replaces it).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <future>
#include <sstream>

#include "api/ingest_answer.h"
#include "api/ingest_routes.h"
#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "core/time.h"
#include "ingest/csv_readings.h"

namespace citypulse {
namespace json = boost::json;
namespace {

Error item_error(std::size_t i, std::string_view member, std::string message) {
  return Error{
      ErrorCode::bad_request, std::move(message),
      member.empty() ? fmt::format("/readings/{}", i) : fmt::format("/readings/{}/{}", i, member)};
}

Result<TimeMs> parse_ts(const json::value& v, std::size_t i) {
  TimeMs t = -1;
  if (const auto* ms = v.if_int64()) {
    t = *ms;
  } else if (v.is_uint64()) {
    t = -1;  // Boost.JSON keeps every integer that fits as int64: this one is out of range
  } else if (const auto* text = v.if_string()) {
    auto parsed = parse_rfc3339(*text);
    if (!parsed)
      return std::unexpected(item_error(
          i, "ts",
          fmt::format("reading {}: '{}' is not an RFC 3339 time", i, std::string_view(*text))));
    t = *parsed;
  } else {
    return std::unexpected(item_error(
        i, "ts", fmt::format("reading {}: ts is integer milliseconds or an RFC 3339 time", i)));
  }
  if (t < 0 || t > ingest::kLatestReadingTime)
    return std::unexpected(
        item_error(i, "ts", fmt::format("reading {}: ts lies outside the years 1970..9999", i)));
  return t;
}

Result<std::vector<ingest::IncomingReading>> parse_batch(const json::value& body, TimeMs now,
                                                         std::size_t max) {
  const auto* o = body.if_object();
  const json::array* list = nullptr;
  if (o) {
    for (const auto& [key, v] : *o)
      if (key != "readings")
        return fail(ErrorCode::bad_request,
                    fmt::format("unknown member '{}'; the body is {{\"readings\": [...]}}",
                                std::string_view(key)),
                    fmt::format("/{}", std::string_view(key)));
    if (auto it = o->find("readings"); it != o->end()) list = it->value().if_array();
  }
  if (!list)
    return fail(ErrorCode::bad_request,
                "the body is {\"readings\": [{\"point\": id or key, \"ts\": ms or RFC 3339, "
                "\"value\": number}, ...]}",
                "/readings");
  if (list->size() > max)
    return fail(ErrorCode::too_large,
                fmt::format("{} readings in one request; the limit is {} "
                            "(ingest.max_readings_per_request)",
                            list->size(), max),
                "/readings");
  std::vector<ingest::IncomingReading> out;
  out.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto* r = (*list)[i].if_object();
    if (!r)
      return std::unexpected(item_error(i, "", fmt::format("reading {} is not an object", i)));
    ingest::IncomingReading reading;
    reading.t = now;
    bool has_point = false, has_value = false;
    for (const auto& [key, v] : *r) {
      if (key == "point") {
        if (const auto* id = v.if_int64(); id && *id > 0) {
          reading.point = *id;
        } else if (const auto* text = v.if_string(); text && !text->empty()) {
          reading.key = std::string(*text);
        } else {
          return std::unexpected(item_error(
              i, "point", fmt::format("reading {}: point is a point id or a point key", i)));
        }
        has_point = true;
      } else if (key == "ts") {
        auto t = parse_ts(v, i);
        if (!t) return std::unexpected(t.error());
        reading.t = *t;
      } else if (key == "value") {
        if (v.is_number())
          reading.value = v.to_number<double>();
        else if (v.is_bool())
          reading.value = v.get_bool() ? 1 : 0;
        else
          return std::unexpected(
              item_error(i, "value", fmt::format("reading {}: value must be a number", i)));
        has_value = true;
      } else if (key == "unit") {
        const auto* text = v.if_string();
        if (!text)
          return std::unexpected(
              item_error(i, "unit", fmt::format("reading {}: unit must be text", i)));
        reading.unit = std::string(*text);
      } else {
        return std::unexpected(item_error(
            i, std::string_view(key),
            fmt::format("reading {}: unknown member '{}'; a reading has point, ts, value, unit", i,
                        std::string_view(key))));
      }
    }
    if (!has_point || !has_value)
      return std::unexpected(item_error(i, "", fmt::format("reading {} needs point and value", i)));
    out.push_back(std::move(reading));
  }
  return out;
}

HttpResponse post_readings(RequestContext& ctx, const IngestDeps& deps) {
  const auto started = steady_ms();
  bool partial = false;
  for (const auto& [name, value] : ctx.request.query) {
    if (name != "partial" || (value != "true" && value != "false"))
      return problem_response(
          Error{ErrorCode::bad_request, "the only query parameter is partial=true|false",
                std::string(name)},
          ctx.request.path);
    partial = value == "true";
  }
  auto body = read_json_body(ctx.request);
  if (!body) return problem_response(body.error(), ctx.request.path);
  auto readings =
      parse_batch(*body, now_ms(), static_cast<std::size_t>(deps.config.max_readings_per_request));
  if (!readings) return problem_response(readings.error(), ctx.request.path);
  const auto& p = *ctx.principal;
  auto key = idempotency_key(
      ctx.request,
      fmt::format("{}:{}", p.kind == auth::Principal::Kind::user ? "user" : "key", p.id));
  if (!key) return problem_response(key.error(), ctx.request.path);
  if (!ctx.scope.tenant_id())
    return problem_response(
        Error{ErrorCode::invalid,
              "readings belong to a tenant: write them with a tenant's user or API key",
              {}},
        ctx.request.path);

  ingest::IngestRequest request;
  request.source = ingest::Source::http_batch;
  request.tenant_id = *ctx.scope.tenant_id();
  request.scope = ctx.scope;
  request.readings = std::move(*readings);
  request.all_or_nothing = !partial;
  request.started_steady_ms = started;
  return submit_readings(ctx, deps, std::move(request), std::move(*key), "/readings");
}

HttpResponse import_csv(RequestContext& ctx, const IngestDeps& deps) {
  if (auto s = reject_query(ctx.request); !s) return problem_response(s.error(), ctx.request.path);
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  auto point = deps.store.points().get(ctx.scope, *id);
  if (!point) return problem_response(point.error(), ctx.request.path);
  const auto type = ctx.request.header("Content-Type");
  if (!type || !(type->starts_with("text/csv") || type->starts_with("text/plain")))
    return problem_response(
        Error{ErrorCode::unsupported_media, "an import is text/csv: timestamp,value rows", {}},
        ctx.request.path);
  // Pass 1 validates every row, so a bad file stores nothing.
  constexpr std::size_t kBatch = 65'536;
  std::vector<ingest::TimedReading> batch;
  {
    std::istringstream in(ctx.request.body);
    ingest::CsvReadingsReader reader(in);
    for (;;) {
      auto more = reader.next(batch, kBatch);
      if (!more) return problem_response(more.error(), ctx.request.path);
      if (!*more) break;
    }
  }
  // Pass 2 stores them durably; the answer waits for the last batch.
  std::istringstream in(ctx.request.body);
  ingest::CsvReadingsReader reader(in);
  std::vector<std::future<Status>> writes;
  Reading span[2] = {{*id, INT64_MAX, 0, 0}, {*id, INT64_MIN, 0, 0}};  // the first and the last
  for (;;) {
    auto more = reader.next(batch, kBatch);
    if (!more) return problem_response(more.error(), ctx.request.path);
    if (!*more) break;
    std::vector<Reading> readings;
    readings.reserve(batch.size());
    for (const auto& [t, v] : batch) {
      readings.push_back({*id, t, v, 0});
      span[0].t = std::min(span[0].t, t);
      span[1].t = std::max(span[1].t, t);
    }
    auto done = std::make_shared<std::promise<Status>>();
    writes.push_back(done->get_future());
    deps.series.import_readings(std::move(readings), true,
                                [done](Status s) { done->set_value(s); });
  }
  Status result;
  for (auto& w : writes)
    if (auto s = w.get(); !s && result) result = s;
  if (!result) return problem_response(result.error(), ctx.request.path);
  if (deps.imported && reader.readings() > 0)
    deps.imported->on_readings(
        span, {.tenant_id = point->tenant_id, .device_id = std::nullopt, .source = "import"});
  ctx.audit = AuditNote{
      point->tenant_id, *id,
      to_json_text(json::object{{"imported", reader.readings()}, {"missing", reader.missing()}})};
  return json_response(
      200, json::object{
               {"point_id", *id}, {"imported", reader.readings()}, {"missing", reader.missing()}});
}

}  // namespace

void add_ingest_batch_routes(Router& router, const IngestDeps& deps) {
  router.add("POST", "/api/v1/readings",
             RouteAccess::needs(auth::Permission::readings_write, RateClass::ingest),
             [deps](RequestContext& c) { return post_readings(c, deps); });
  router.add("POST", "/api/v1/points/{id}/import",
             RouteAccess::needs(auth::Permission::readings_write, RateClass::write),
             [deps](RequestContext& c) { return import_csv(c, deps); });
}

}  // namespace citypulse
