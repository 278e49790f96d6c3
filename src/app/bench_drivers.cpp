#include "app/bench_drivers.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "app/bench_driver_fleet.h"
#include "app/bench_fixture.h"
#include "app/bench_fleet_report.h"
#include "app/bench_folder.h"
#include "app/bench_server.h"
#include "app/http_load.h"

namespace citypulse {

namespace json = boost::json;

namespace {

// The server's API as the bench's superadmin uses it to make things.
class Api {
 public:
  Api(LoadConnection& c, std::string auth) : c_(c), auth_(std::move(auth)) {}

  Result<std::int64_t> make(const std::string& collection, const json::object& body) {
    auto r = bench_api_call(c_, "POST", "/api/v1/" + collection, json::serialize(body), auth_, 201);
    if (!r) return std::unexpected(r.error());
    return r->at("id").as_int64();
  }

  // The device with a point a channel and its driver document; its id.
  Result<std::int64_t> add_device(std::int64_t tenant, std::int64_t building,
                                  const std::string& protocol, const BenchFleetDevice& d) {
    json::array channels;
    for (const auto& channel : d.channels) {
      auto point = make("points", {{"building_id", building},
                                   {"name", fmt::format("{} {}", d.name, channel)},
                                   {"kind", "sensor"},
                                   {"quantity", "temperature"},
                                   {"unit", "°C"}});
      if (!point) return std::unexpected(point.error());
      channels.push_back({{"channel", channel}, {"point_id", *point}});
    }
    auto device = make("devices", {{"tenant_id", tenant},
                                   {"building_id", building},
                                   {"name", d.name},
                                   {"protocol", protocol},
                                   {"status", "active"},
                                   {"channels", std::move(channels)}});
    if (!device) return std::unexpected(device.error());
    auto put = bench_api_call(c_, "PUT", fmt::format("/api/v1/devices/{}/driver", *device),
                              json::serialize(d.document), auth_, 201);
    if (!put) return std::unexpected(put.error());
    return *device;
  }

  // Every driven device's status, by device id.
  Result<std::map<std::int64_t, json::object>> statuses() {
    auto r = bench_api_call(c_, "GET", "/api/v1/drivers/status", "", auth_, 200);
    if (!r) return std::unexpected(r.error());
    std::map<std::int64_t, json::object> by_device;
    for (const auto& item : r->at("items").as_array())
      by_device[item.at("device_id").as_int64()] = item.as_object();
    return by_device;
  }

 private:
  LoadConnection& c_;
  std::string auth_;
};

Result<std::vector<BenchFleet>> start_fleets(const BenchDriversOptions& o) {
  const BenchFleetOptions fleet_options{
      .devices = o.devices, .points = o.points, .dead = o.dead, .interval_ms = o.interval_ms};
  std::vector<BenchFleet> fleets;
  if (o.protocol != "modbus") {
    auto fleet = start_bacnet_fleet(fleet_options);
    if (!fleet) return std::unexpected(fleet.error());
    fleets.push_back(std::move(*fleet));
  }
  if (o.protocol != "bacnet") {
    auto fleet = start_modbus_fleet(fleet_options);
    if (!fleet) return std::unexpected(fleet.error());
    fleets.push_back(std::move(*fleet));
  }
  return fleets;
}

}  // namespace

Status validate(const BenchDriversOptions& o) {
  if (o.protocol != "bacnet" && o.protocol != "modbus" && o.protocol != "both")
    return fail(ErrorCode::invalid, "--protocol is bacnet, modbus or both");
  if (o.devices < 1 || o.devices > 2000) return fail(ErrorCode::invalid, "--devices is 1 to 2000");
  if (o.points < 1 || o.points > 500) return fail(ErrorCode::invalid, "--points is 1 to 500");
  if (o.dead < 0 || o.dead > 50) return fail(ErrorCode::invalid, "--dead is 0 to 50");
  if (o.interval_ms < 1000 || o.interval_ms > 3'600'000)
    return fail(ErrorCode::invalid, "--interval-ms is 1000 to 3600000");
  if (o.duration_s < 5 || o.duration_s > 86'400)
    return fail(ErrorCode::invalid, "--duration is 5 s to a day");
  return {};
}

Status run_bench_drivers(const BenchDriversOptions& o) {
  auto fleets = start_fleets(o);
  if (!fleets) return std::unexpected(fleets.error());

  BenchFolder folder(o.data_dir);
  if (auto s = folder.create(); !s) return s;
  BenchServer server(folder.path() + "/citypulse", {"CITYPULSE_AUTH_ACCESS_TOKEN_TTL_S=86400"});
  if (auto s = server.start(); !s) return s;
  LoadConnection c(server.http_port());
  auto token = bench_access_token(c, kBenchAdminEmail, server.password());
  if (!token) return std::unexpected(token.error());
  Api api(c, fmt::format("Authorization: Bearer {}\r\n", *token));

  const auto setup_start = std::chrono::steady_clock::now();
  auto tenant = api.make("tenants", {{"name", "Driver bench"}});
  if (!tenant) return std::unexpected(tenant.error());
  std::vector<std::int64_t> buildings;
  for (const auto& fleet : *fleets) {
    auto building = api.make(
        "buildings",
        {{"tenant_id", *tenant}, {"name", fleet.label + " plant room"}, {"type", "office"}});
    if (!building) return std::unexpected(building.error());
    buildings.push_back(*building);
  }
  // The fleets' devices in turn, so that each fleet sees the same setup load.
  std::vector<std::vector<std::int64_t>> device_ids(fleets->size());
  std::size_t largest = 0;
  for (const auto& fleet : *fleets) largest = std::max(largest, fleet.devices.size());
  for (std::size_t i = 0; i < largest; ++i)
    for (std::size_t f = 0; f < fleets->size(); ++f) {
      const auto& fleet = (*fleets)[f];
      if (i >= fleet.devices.size()) continue;
      auto id = api.add_device(*tenant, buildings[f], fleet.protocol, fleet.devices[i]);
      if (!id) return std::unexpected(id.error());
      device_ids[f].push_back(*id);
    }
  const double setup_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<std::int64_t>(o.duration_s * 1000)));

  auto statuses = api.statuses();
  if (!statuses) return std::unexpected(statuses.error());
  server.stop(15);

  const json::object run{{"points", o.points},
                         {"interval_ms", o.interval_ms},
                         {"duration_s", o.duration_s},
                         {"setup_s", setup_s},
                         {"fleets", fleets->size()}};
  std::vector<FleetReport> reports;
  for (std::size_t f = 0; f < fleets->size(); ++f)
    reports.push_back(summarize((*fleets)[f], device_ids[f], *statuses));
  std::printf("%s\n", report_header().c_str());
  for (const auto& r : reports) std::printf("%s\n", report_row(r).c_str());
  std::string problem;
  for (const auto& r : reports) {
    std::printf("%s\n", json::serialize(to_json(r, run, o.duration_s)).c_str());
    if (problem.empty()) problem = r.problem;
  }
  if (!problem.empty()) return fail(ErrorCode::internal, problem);
  return {};
}

}  // namespace citypulse
