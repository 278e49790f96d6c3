#include "api/api.h"

#include "api/access.h"
#include "api/alarm_routes.h"
#include "api/asset_routes.h"
#include "api/command_routes.h"
#include "api/device_rpc.h"
#include "api/driver_routes.h"
#include "api/energy_routes.h"
#include "api/identity_routes.h"
#include "api/ingest_routes.h"
#include "api/readings_routes.h"
#include "api/schedule_routes.h"
#include "api/static_files.h"
#include "api/system_routes.h"
#include "core/text.h"

namespace citypulse {
std::unique_ptr<Router> build_router(const ApiServices& services, const Config& config) {
  auto router = std::make_unique<Router>();
  const bool tls = !config.http.tls_cert.empty();
  const auto origins = split_list(config.http.cors_origins);
  router->use(
      security_headers_middleware({origins.begin(), origins.end()}, tls, config.web.map_tiles));
  router->use(access_middleware(AccessDeps{services.authenticator, services.limiter,
                                           services.store.identity(), config.rate_limit}));
  std::vector<MetricsSource> metrics = {
      [&p = services.pipeline](std::string& out) { p.append_metrics(out); }};
  metrics.insert(metrics.end(), services.metrics.begin(), services.metrics.end());
  add_system_routes(*router, services.store, std::move(metrics));
  add_identity_routes(*router,
                      IdentityDeps{services.store, services.authenticator, services.sessions});
  add_asset_routes(*router, services.store, services.bus,
                   [&auth = services.authenticator](Id tenant) { auth.tenant_removed(tenant); });
  add_readings_routes(*router, services.store, services.series);
  if (services.alarms) add_alarm_routes(*router, services.store, *services.alarms);
  if (services.energy) add_energy_routes(*router, services.store, *services.energy);
  const IngestDeps ingest{services.store, services.series, services.directory, services.pipeline,
                          services.dedup, config.ingest,   services.energy};
  add_ingest_device_routes(*router, ingest);
  add_ingest_batch_routes(*router, ingest);
  add_lorawan_routes(*router, ingest);
  add_device_access_routes(*router, ingest);
  add_device_rpc_routes(*router, services.store, services.rpc);
  add_driver_routes(*router, services.store, services.drivers);
  add_command_routes(*router, services.store, services.commands);
  add_schedule_routes(*router, services.store);
  add_web_settings_route(*router, config.web);
  router->set_fallback(static_files(config.http.web_root));
  return router;
}

}  // namespace citypulse
