#include "api/driver_routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <memory>

#include "api/json_io.h"
#include "api/problem.h"
#include "api/settings_routes.h"
#include "model/json_fields.h"

namespace citypulse {
namespace json = boost::json;
namespace {

HttpResponse problem(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

Error no_host() {
  return {ErrorCode::unavailable, "this server runs no plant drivers", {}};
}

json::object driver_json(const DriverSettings& s) {
  boost::system::error_code ec;
  auto document = json::parse(s.document, ec);
  return {{"device_id", s.device_id},
          {"protocol", s.protocol},
          {"document", ec ? json::value(nullptr) : document},
          {"version", s.version},
          {"updated_at", format_rfc3339(s.updated_at)}};
}

bool visible(const Scope& scope, Id tenant, std::optional<Id> building) {
  if (!scope.sees(tenant)) return false;
  return !scope.is_building_restricted() || (building && scope.sees_building(*building));
}

HttpResponse device_status(RequestContext& ctx, MetaStore& store, PlantDrivers* drivers) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto device = store.devices().get(ctx.scope, *id);
  if (!device) return problem(ctx, device.error());
  if (!drivers) return problem(ctx, no_host());
  auto view = drivers->status(*id);
  if (!view)
    return problem(ctx, {ErrorCode::not_found,
                         fmt::format("device {} is not driven by this server (no driver document, "
                                     "or the device is disabled)",
                                     *id),
                         {}});
  boost::system::error_code ec;
  return json_response(200, json::parse(view->json, ec));
}

HttpResponse all_statuses(RequestContext& ctx, PlantDrivers* drivers) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  if (!drivers) return problem(ctx, no_host());
  json::array items;
  for (const auto& v : drivers->statuses()) {
    if (!visible(ctx.scope, v.tenant_id, v.building_id)) continue;
    boost::system::error_code ec;
    items.push_back(json::parse(v.json, ec));
  }
  return json_response(200, json::object{{"items", std::move(items)}});
}

HttpResponse discover(RequestContext& ctx, PlantDrivers* drivers) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto body = read_json_body(ctx.request);
  if (!body) return problem(ctx, body.error());
  auto f = JsonFields::of(*body, {"target", "low", "high", "wait_ms"});
  if (!f) return problem(ctx, f.error());
  auto target = f->text("target", true, 100);
  if (!target) return problem(ctx, target.error());
  auto low = f->integer("low", false, 0, 4'194'303);
  if (!low) return problem(ctx, low.error());
  auto high = f->integer("high", false, 0, 4'194'303);
  if (!high) return problem(ctx, high.error());
  if (low->has_value() != high->has_value())
    return problem(
        ctx, {ErrorCode::invalid, "low and high go together", low->has_value() ? "/high" : "/low"});
  if (*low && **low > **high)
    return problem(ctx, {ErrorCode::invalid, "low is above high", "/low"});
  auto wait = f->integer("wait_ms", false, 100, 30'000);
  if (!wait) return problem(ctx, wait.error());
  if (!drivers) return problem(ctx, no_host());
  auto pending = std::make_shared<PendingResponse>();
  drivers->discover_bacnet(
      **target,
      low->has_value() ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(**low))
                       : std::nullopt,
      high->has_value() ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(**high))
                        : std::nullopt,
      wait->value_or(3000), [pending, path = ctx.request.path](Result<std::string> found) {
        if (!found) return pending->complete(problem_response(found.error(), path));
        boost::system::error_code ec;
        pending->complete(json_response(200, json::object{{"devices", json::parse(*found, ec)}}));
      });
  HttpResponse placeholder;
  placeholder.pending = std::move(pending);
  return placeholder;
}

// The body of a read now: its "document" and its "channels", both optional,
// as is the body itself.
struct ReadAsked {
  std::optional<json::value> document;
  std::vector<std::string> channels;
};

Result<ReadAsked> read_asked(const HttpRequest& request) {
  ReadAsked asked;
  const std::string_view body = request.body;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return asked;
  auto parsed = read_json_body(request);
  if (!parsed) return std::unexpected(parsed.error());
  auto f = JsonFields::of(*parsed, {"document", "channels"});
  if (!f) return std::unexpected(f.error());
  auto channels = f->texts("channels");
  if (!channels) return std::unexpected(channels.error());
  asked.channels = channels->value_or(std::vector<std::string>{});
  if (const auto* d = f->get("document"); d && !d->is_null()) asked.document = *d;
  return asked;
}

// A document's field as the body names it ("/points/3" → "/document/points/3").
Error in_body(Error e) {
  if (!e.field.starts_with("/channels")) e.field = "/document" + (e.field == "/" ? "" : e.field);
  return e;
}

HttpResponse read_now(RequestContext& ctx, MetaStore& store, PlantDrivers* drivers) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  // The device first: one out of scope is 404 whatever the body.
  auto device = store.devices().get(ctx.scope, *id);
  if (!device) return problem(ctx, device.error());
  auto asked = read_asked(ctx.request);
  if (!asked) return problem(ctx, asked.error());
  if (!drivers) return problem(ctx, no_host());
  const bool edited = asked->document.has_value();
  if (!edited) {
    auto stored = store.drivers().settings(ctx.scope, *id);
    if (!stored && stored.error().code == ErrorCode::not_found)
      return problem(ctx, {ErrorCode::conflict,
                           fmt::format("device {} has no driver document yet: send the one being "
                                       "edited as \"document\"",
                                       *id),
                           {}});
    if (!stored) return problem(ctx, stored.error());
    boost::system::error_code ec;
    asked->document = json::parse(stored->document, ec);
    if (ec)
      return problem(ctx, {ErrorCode::conflict, "the stored driver document is not JSON", {}});
  }
  if (auto s = drivers->check_document(device->protocol, *asked->document); !s)
    return problem(ctx, edited ? in_body(s.error()) : s.error());
  auto pending = std::make_shared<PendingResponse>();
  drivers->read_now(device->protocol, *asked->document, asked->channels,
                    [pending, edited, path = ctx.request.path](Result<std::string> report) {
                      if (!report) {
                        const bool field = !report.error().field.empty() && edited;
                        return pending->complete(problem_response(
                            field ? in_body(report.error()) : report.error(), path));
                      }
                      boost::system::error_code ec;
                      pending->complete(json_response(200, json::parse(*report, ec)));
                    });
  HttpResponse placeholder;
  placeholder.pending = std::move(pending);
  return placeholder;
}

}  // namespace

void add_driver_routes(Router& router, MetaStore& store, PlantDrivers* drivers) {
  using auth::Permission;
  add_settings_routes<DriverSettings>(
      router, "/api/v1/devices/{id}/driver", Permission::assets_read,
      {.name = "driver",
       .read = [&store](const Scope& scope, Id id) { return store.drivers().settings(scope, id); },
       .write = [&store, drivers](const Scope& scope, Id id, const json::value& body,
                                  std::optional<std::int64_t> expected,
                                  TimeMs now) -> Result<DriverSettings> {
         // The device first: one out of scope is 404 whatever the body.
         auto device = store.devices().get(scope, id);
         if (!device) return std::unexpected(device.error());
         if (!drivers) return std::unexpected(no_host());
         if (auto s = drivers->check_document(device->protocol, body); !s)
           return std::unexpected(s.error());
         auto stored = store.drivers().put(scope, id, json::serialize(body), expected, now);
         if (stored) drivers->changed();
         return stored;
       },
       .remove = [&store, drivers](const Scope& scope, Id id) -> Status {
         auto s = store.drivers().remove(scope, id);
         if (s && drivers) drivers->changed();
         return s;
       },
       .to_json = driver_json,
       .subject = [](const DriverSettings& s) { return s.device_id; }});
  router.add("GET", "/api/v1/devices/{id}/driver/status",
             RouteAccess::needs(Permission::assets_read, RateClass::read),
             [&store, drivers](RequestContext& c) { return device_status(c, store, drivers); });
  router.add("POST", "/api/v1/devices/{id}/driver/read",
             RouteAccess::needs(Permission::assets_write, RateClass::write),
             [&store, drivers](RequestContext& c) { return read_now(c, store, drivers); });
  router.add("GET", "/api/v1/drivers/status",
             RouteAccess::needs(Permission::assets_read, RateClass::read),
             [drivers](RequestContext& c) { return all_statuses(c, drivers); });
  router.add("POST", "/api/v1/drivers/bacnet/discover",
             RouteAccess::needs(Permission::assets_write, RateClass::write),
             [drivers](RequestContext& c) { return discover(c, drivers); });
}

}  // namespace citypulse
