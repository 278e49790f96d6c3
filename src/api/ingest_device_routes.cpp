// The ThingsBoard-compatible device API, so firmware written for ThingsBoard
// works unchanged: the device's access token is the path segment.
//
//   POST /api/v1/{token}/telemetry   {"k": v, ...} | {"ts": ms, "values": {...}} | [ either, ... ]
//   POST /api/v1/{token}/attributes  {"k": any JSON, ...}
//   GET  /api/v1/{token}/attributes  {"client": {...}, "shared": {}}
//
// The shape of the body is checked whole first (400 naming the place, and
// nothing stored); a value the device cannot have meant as a number (text,
// null, an object) is one refused reading, not a failed request: firmware
// cannot be fixed from an error response, and its other values are good.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "api/ingest_answer.h"
#include "api/ingest_routes.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "auth/secret.h"
#include "core/text.h"
#include "core/time.h"
#include "ingest/telemetry_json.h"
#include "store/device_access_store.h"

namespace citypulse {
namespace json = boost::json;
namespace {

// A device body must be JSON; a missing Content-Type is forgiven (small
// firmware often sends none), another type is not.
Result<json::value> device_json(const HttpRequest& request) {
  if (auto type = request.header("Content-Type"); type && !type->empty())
    return read_json_body(request);
  boost::system::error_code ec;
  auto v = json::parse(request.body, ec);
  if (ec)
    return fail(ErrorCode::bad_request,
                fmt::format("the body is not valid JSON: {}", ec.message()));
  return v;
}

// The device the path's token names, with the snapshot that keeps its entry
// alive; 401 for no such token, 403 for a disabled device.
struct CallingDevice {
  std::shared_ptr<const ingest::Snapshot> snapshot;
  const ingest::DeviceEntry* device = nullptr;
};

// nullopt on an I/O thread when the directory must be rebuilt first.
std::optional<Result<CallingDevice>> calling_device(RequestContext& ctx, const IngestDeps& deps) {
  Result<std::shared_ptr<const ingest::Snapshot>> snapshot = deps.directory.current_if_fresh();
  if (!*snapshot) {
    if (!ctx.may_block) return std::nullopt;
    snapshot = deps.directory.current();
    if (!snapshot) return std::unexpected(snapshot.error());
  }
  const auto* device =
      (*snapshot)->device_by_token_hash(auth::sha256_hex(ctx.params["device_token"]));
  if (!device) return fail(ErrorCode::unauthenticated, "unknown or revoked device access token");
  if (device->disabled())
    return fail(ErrorCode::forbidden, fmt::format("device {} is disabled", device->id));
  return CallingDevice{std::move(*snapshot), device};
}

HttpResponse telemetry(RequestContext& ctx, const IngestDeps& deps) {
  const auto started = steady_ms();
  auto found = calling_device(ctx, deps);
  if (!found) return HttpResponse::blocked();
  auto& caller = *found;
  if (!caller) return problem_response(caller.error(), ctx.request.path);
  const ingest::DeviceEntry& device = *caller->device;
  auto body = device_json(ctx.request);
  if (!body) return problem_response(body.error(), ctx.request.path);
  auto parsed = ingest::parse_telemetry(
      *body, now_ms(), static_cast<std::size_t>(deps.config.max_readings_per_request));
  if (!parsed) return problem_response(parsed.error(), ctx.request.path);
  auto key = idempotency_key(ctx.request, fmt::format("device:{}", device.id));
  if (!key) return problem_response(key.error(), ctx.request.path);

  ingest::IngestRequest request;
  request.source = ingest::Source::http_telemetry;
  request.tenant_id = device.tenant_id;
  request.device_id = device.id;
  request.readings = std::move(*parsed);
  request.started_steady_ms = started;
  return submit_readings(ctx, deps, std::move(request), std::move(*key));
}

HttpResponse post_attributes(RequestContext& ctx, const IngestDeps& deps) {
  auto caller = *calling_device(ctx, deps);  // on a worker: always found out
  if (!caller) return problem_response(caller.error(), ctx.request.path);
  const ingest::DeviceEntry& device = *caller->device;
  auto body = device_json(ctx.request);
  if (!body) return problem_response(body.error(), ctx.request.path);
  const auto* o = body->if_object();
  if (!o)
    return problem_response(
        Error{ErrorCode::bad_request, "attributes are an object of key: value", "/"},
        ctx.request.path);
  if (o->size() > 1000)
    return problem_response(
        Error{ErrorCode::too_large, "more than 1000 attributes in one request", {}},
        ctx.request.path);
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [key, v] : *o) {
    if (key.empty() || key.size() > 255)
      return problem_response(Error{ErrorCode::bad_request, "a key is 1 to 255 characters", "/"},
                              ctx.request.path);
    values.emplace_back(std::string(key), to_json_text(v));
  }
  auto dedup = idempotency_key(ctx.request, fmt::format("device:{}", device.id));
  if (!dedup) return problem_response(dedup.error(), ctx.request.path);
  if (auto replay = claim_dedup(ctx, deps.dedup, *dedup)) return std::move(*replay);
  auto s = deps.store.device_access().set_attributes(device.id, values, now_ms());
  HttpResponse r = s ? json_response(200, json::object{{"updated", values.size()}})
                     : problem_response(s.error(), ctx.request.path);
  remember_answer(deps.dedup, *dedup, r);
  if (s) deps.pipeline.record_message(device.id);
  return r;
}

HttpResponse get_attributes(RequestContext& ctx, const IngestDeps& deps) {
  auto caller = *calling_device(ctx, deps);  // on a worker: always found out
  if (!caller) return problem_response(caller.error(), ctx.request.path);
  const ingest::DeviceEntry& device = *caller->device;
  auto attributes =
      deps.store.device_access().attributes(Scope::tenant(device.tenant_id), device.id);
  if (!attributes) return problem_response(attributes.error(), ctx.request.path);
  std::vector<std::string_view> wanted;
  if (auto keys = ctx.request.query_param("clientKeys")) wanted = split_list(*keys);
  json::object client;
  for (const auto& a : *attributes) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), a.key) == wanted.end()) continue;
    boost::system::error_code ec;
    client[a.key] = json::parse(a.value_json, ec);
  }
  return json_response(200,
                       json::object{{"client", std::move(client)}, {"shared", json::object{}}});
}

}  // namespace

void add_ingest_device_routes(Router& router, const IngestDeps& deps) {
  // Open routes: the token in the path is the credential, checked here.
  const auto open = RouteAccess::public_route(RateClass::ingest);
  router.add(
      "POST", "/api/v1/{device_token}/telemetry", open,
      [deps](RequestContext& c) { return telemetry(c, deps); }, RouteRuns::inline_first);
  router.add("POST", "/api/v1/{device_token}/attributes", open,
             [deps](RequestContext& c) { return post_attributes(c, deps); });
  router.add("GET", "/api/v1/{device_token}/attributes", open,
             [deps](RequestContext& c) { return get_attributes(c, deps); });
}

}  // namespace citypulse
