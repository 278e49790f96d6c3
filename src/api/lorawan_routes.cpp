// LoRaWAN network servers' webhooks:
//
//   POST /api/v1/integrations/chirpstack?event=up|join|status|ack|txack|log|location|integration
//        (ChirpStack v4 HTTP integration, JSON marshaler)
//   POST /api/v1/integrations/ttn   (The Things Stack webhook, any message type)
//
// The integration's secret comes in "Authorization: Bearer <secret>" or
// "X-Integration-Secret: <secret>" (both servers can add headers to their
// requests) and names the integration, hence the tenant; the device is the
// tenant's device whose serial is the DevEUI. Uplinks become readings as
// lorawan/event_readings.h says (the same as over MQTT): the decoded
// payload's numeric fields by their flattened names (mapped through the
// device's channels like any device key), and the radio's RSSI and SNR and
// the battery level as points of the device (created on first sight).
// Other events are recorded (last seen, message count) and answered 200.
// A re-delivered event (same deduplication id) is answered as the first was.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/ingest_answer.h"
#include "api/ingest_routes.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "auth/secret.h"
#include "core/time.h"
#include "transport/lorawan/event_readings.h"
#include "transport/lorawan/uplink.h"

namespace citypulse {
namespace json = boost::json;
namespace {

std::optional<std::string_view> secret_of(const HttpRequest& request) {
  if (auto s = request.header("X-Integration-Secret")) return s;
  if (auto a = request.header("Authorization");
      a && a->size() > 7 && (a->starts_with("Bearer ") || a->starts_with("bearer ")))
    return a->substr(7);
  return std::nullopt;
}

HttpResponse webhook(RequestContext& ctx, const IngestDeps& deps, std::string_view kind) {
  const auto started = steady_ms();
  const auto secret = secret_of(ctx.request);
  if (!secret)
    return problem_response(Error{ErrorCode::unauthenticated,
                                  "send the integration's secret in X-Integration-Secret or "
                                  "Authorization: Bearer",
                                  {}},
                            ctx.request.path);
  auto snapshot = deps.directory.current();
  if (!snapshot) return problem_response(snapshot.error(), ctx.request.path);
  const auto* integration = (*snapshot)->integration_by_secret_hash(auth::sha256_hex(*secret));
  if (!integration || integration->kind != kind)
    return problem_response(Error{ErrorCode::unauthenticated,
                                  fmt::format("unknown or revoked {} integration secret", kind),
                                  {}},
                            ctx.request.path);
  std::string event_param = "up";
  for (const auto& [name, value] : ctx.request.query) {
    if (kind != "chirpstack" || name != "event")
      return problem_response(
          Error{ErrorCode::bad_request,
                kind == "chirpstack" ? "the only query parameter is event" : "no query parameters",
                std::string(name)},
          ctx.request.path);
    event_param = value;
  }
  auto event = kind == "chirpstack" ? lorawan::parse_chirpstack(ctx.request.body, event_param)
                                    : lorawan::parse_things_stack(ctx.request.body);
  if (!event) return problem_response(event.error(), ctx.request.path);
  const auto* device = (*snapshot)->device_by_serial(integration->tenant_id, event->dev_eui);
  if (!device)
    return problem_response(
        Error{
            ErrorCode::not_found,
            fmt::format("no device of this tenant has the DevEUI {} as its serial", event->dev_eui),
            "/dev_eui"},
        ctx.request.path);
  if (device->disabled())
    return problem_response(
        Error{ErrorCode::forbidden, fmt::format("device {} is disabled", device->id), {}},
        ctx.request.path);
  const std::string dedup_key =
      event->deduplication_id.empty()
          ? std::string()
          : fmt::format("lorawan:{}:{}:{}:{}", integration->id, event->dev_eui, event->event_name,
                        event->deduplication_id);

  ingest::IngestRequest request;
  request.source = kind == "chirpstack" ? ingest::Source::chirpstack : ingest::Source::things_stack;
  request.tenant_id = device->tenant_id;
  request.device_id = device->id;
  request.started_steady_ms = started;
  request.readings = lorawan::event_readings(*event, now_ms());

  if (request.readings.empty()) {
    // A join, an ack, a log line: recorded, not stored as readings.
    if (auto replay = claim_dedup(ctx, deps.dedup, dedup_key)) return std::move(*replay);
    deps.pipeline.record_message(device->id);
    auto r = json_response(200, json::object{{"device_id", device->id},
                                             {"event", lorawan::to_string(event->kind)},
                                             {"accepted", 0}});
    remember_answer(deps.dedup, dedup_key, r);
    return r;
  }
  return submit_readings(ctx, deps, std::move(request), dedup_key);
}

}  // namespace

void add_lorawan_routes(Router& router, const IngestDeps& deps) {
  // Open routes: the integration secret is checked here.
  const auto open = RouteAccess::public_route(RateClass::ingest);
  router.add("POST", "/api/v1/integrations/chirpstack", open,
             [deps](RequestContext& c) { return webhook(c, deps, "chirpstack"); });
  router.add("POST", "/api/v1/integrations/ttn", open,
             [deps](RequestContext& c) { return webhook(c, deps, "things_stack"); });
}

}  // namespace citypulse
