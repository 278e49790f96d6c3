// The HTTP API assembled: every route of the server and the middleware they
// share, ready for HttpServer.
#pragma once

#include <memory>

#include "alarms/alarm_service.h"
#include "api/device_rpc.h"
#include "api/driver_routes.h"
#include "api/router.h"
#include "api/system_routes.h"
#include "auth/authenticator.h"
#include "auth/rate_limiter.h"
#include "auth/sessions.h"
#include "bus/event_bus.h"
#include "control/command_service.h"
#include "core/config.h"
#include "energy/energy_service.h"
#include "ingest/dedup_window.h"
#include "ingest/directory.h"
#include "ingest/pipeline.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse {

// What the routes work with; all must outlive the router.
struct ApiServices {
  MetaStore& store;
  SeriesStore& series;
  auth::Authenticator& authenticator;
  auth::Sessions& sessions;
  auth::RateLimiter& limiter;
  ingest::Directory& directory;
  ingest::Pipeline& pipeline;
  ingest::DedupWindow& dedup;
  RpcChannel* rpc = nullptr;                    // null: no MQTT broker, device RPC answers 503
  std::vector<MetricsSource> metrics = {};      // more metrics for /metrics (the broker's)
  bus::EventBus* bus = nullptr;                 // null: changes are not published
  alarms::AlarmService* alarms = nullptr;       // null: no alarm routes
  energy::EnergyService* energy = nullptr;      // null: no energy routes
  PlantDrivers* drivers = nullptr;              // null: the driver routes answer 503
  control::CommandService* commands = nullptr;  // null: the command routes answer 503
};

std::unique_ptr<Router> build_router(const ApiServices& services, const Config& config);

}  // namespace citypulse
