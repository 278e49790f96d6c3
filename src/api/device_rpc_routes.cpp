#include <fmt/format.h>

#include <boost/json.hpp>

#include "api/device_rpc.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "model/json_fields.h"

namespace citypulse {
namespace json = boost::json;
namespace {

constexpr std::int64_t kDefaultTimeoutMs = 10'000;
constexpr std::int64_t kMinTimeoutMs = 1'000;  // the deadline is checked once a second
constexpr std::int64_t kMaxTimeoutMs = 60'000;

HttpResponse call_device(RequestContext& ctx, MetaStore& store, RpcChannel* rpc) {
  auto id = ctx.id_param("id");
  if (!id) return problem_response(id.error(), ctx.request.path);
  // The device first: one out of scope is 404 whatever the body.
  auto device = store.devices().get(ctx.scope, *id);
  if (!device) return problem_response(device.error(), ctx.request.path);
  auto body = read_json_body(ctx.request);
  if (!body) return problem_response(body.error(), ctx.request.path);
  auto f = JsonFields::of(*body, {"method", "params", "timeout_ms"});
  if (!f) return problem_response(f.error(), ctx.request.path);
  auto method = f->text("method", true, 100);
  if (!method) return problem_response(method.error(), ctx.request.path);
  std::int64_t timeout_ms = kDefaultTimeoutMs;
  if (const auto* t = body->as_object().if_contains("timeout_ms")) {
    const auto* ms = t->if_int64();
    if (!ms || *ms < kMinTimeoutMs || *ms > kMaxTimeoutMs)
      return problem_response(Error{ErrorCode::invalid,
                                    fmt::format("timeout_ms is whole milliseconds from {} to {}",
                                                kMinTimeoutMs, kMaxTimeoutMs),
                                    "/timeout_ms"},
                              ctx.request.path);
    timeout_ms = *ms;
  }
  if (!rpc)
    return problem_response(
        Error{ErrorCode::unavailable, "this server runs no MQTT broker to reach devices", {}},
        ctx.request.path);
  json::object request{{"method", **method}};
  if (const auto* params = body->as_object().if_contains("params")) request["params"] = *params;

  auto pending = std::make_shared<PendingResponse>();
  rpc->call(
      device->tenant_id, device->id, json::serialize(request), timeout_ms,
      [pending, path = ctx.request.path, device_id = device->id,
       method = **method](Result<std::string> reply) {
        if (!reply) {
          pending->complete(problem_response(reply.error(), path));
          return;
        }
        boost::system::error_code ec;
        json::value answer = json::parse(*reply, ec);
        if (ec) answer = json::string(*reply);
        pending->complete(json_response(
            200, json::object{{"device_id", device_id}, {"method", method}, {"reply", answer}}));
      });
  HttpResponse placeholder;
  placeholder.pending = std::move(pending);
  return placeholder;
}

}  // namespace

void add_device_rpc_routes(Router& router, MetaStore& store, RpcChannel* rpc) {
  router.add("POST", "/api/v1/devices/{id}/rpc",
             RouteAccess::needs(auth::Permission::control_write, RateClass::write),
             [&store, rpc](RequestContext& c) { return call_device(c, store, rpc); });
}

}  // namespace citypulse
