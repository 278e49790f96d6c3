#include "api/system_routes.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "api/http_metrics.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "model/asset_schema.h"
#include "model/recipient_schema.h"
#include "model/rule_schema.h"

namespace citypulse {

namespace embedded {
extern const std::string_view openapi_json;
}

const boost::json::object& openapi_document() {
  static const boost::json::object doc = [] {
    auto parsed = boost::json::parse(embedded::openapi_json).as_object();
    auto& schemas = parsed["components"].as_object()["schemas"].as_object();
    schemas["Tenant"] = json_schema(tenant_schema());
    schemas["Site"] = json_schema(site_schema());
    schemas["Building"] = json_schema(building_schema());
    schemas["Floor"] = json_schema(floor_schema());
    schemas["Space"] = json_schema(space_schema());
    schemas["Equipment"] = json_schema(equipment_schema());
    schemas["Point"] = json_schema(point_schema());
    schemas["Device"] = json_schema(device_schema());
    schemas["Rule"] = json_schema(rule_schema());
    schemas["Recipient"] = json_schema(recipient_schema());
    return parsed;
  }();
  return doc;
}

void add_system_routes(Router& router, MetaStore& store, std::vector<MetricsSource> metrics) {
  router.add("GET", "/healthz", RouteAccess::public_route(), [](RequestContext&) {
    return json_response(200, boost::json::object{{"status", "ok"}});
  });
  router.add("GET", "/readyz", RouteAccess::public_route(), [&store](RequestContext& ctx) {
    const int have = store.schema_version(), want = store.latest_schema_version();
    if (have != want)
      return problem_response(
          503, "unavailable",
          fmt::format("the metadata store is at schema version {}, this server needs {}", have,
                      want),
          ctx.request.path);
    return json_response(200, boost::json::object{{"status", "ready"}, {"schema_version", have}});
  });
  router.add("GET", "/metrics", RouteAccess::public_route(), [metrics](RequestContext&) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    append_process_metrics(r.body);
    for (const auto& source : metrics) source(r.body);
    return r;
  });
  router.add("GET", "/api/v1/openapi.json", RouteAccess::public_route(),
             [](RequestContext&) { return json_response(200, openapi_document()); });
}

}  // namespace citypulse
