#include "app/bench_drivers.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "app/bench_fixture.h"
#include "app/bench_folder.h"
#include "app/bench_server.h"
#include "app/http_load.h"
#include "drivers/bacnet/services.h"
#include "sim/bacnet_site.h"

namespace citypulse {

namespace json = boost::json;

namespace {

constexpr int kDevicesPerRouter = 50;

std::int64_t percentile(std::vector<std::int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

Status validate(const BenchDriversOptions& o) {
  if (o.devices < 1 || o.devices > 2000) return fail(ErrorCode::invalid, "--devices is 1 to 2000");
  if (o.objects < 1 || o.objects > 500) return fail(ErrorCode::invalid, "--objects is 1 to 500");
  if (o.dead < 0 || o.dead > 50) return fail(ErrorCode::invalid, "--dead is 0 to 50");
  if (o.interval_ms < 1000 || o.interval_ms > 3'600'000)
    return fail(ErrorCode::invalid, "--interval-ms is 1000 to 3600000");
  if (o.duration_s < 5 || o.duration_s > 86'400)
    return fail(ErrorCode::invalid, "--duration is 5 s to a day");
  return {};
}

Status run_bench_drivers(const BenchDriversOptions& o) {
  // The fleet: routers of 50 devices (MACs 1..50), the dead ones on a router of their own.
  std::vector<std::unique_ptr<sim::BacnetSite>> routers;
  struct Placed {
    std::uint16_t port;
    std::uint8_t mac;
    std::uint32_t instance;
    bool dead;
  };
  std::vector<Placed> placed;
  const int total = o.devices + o.dead;
  for (int first = 0; first < total; first += kDevicesPerRouter) {
    std::vector<sim::BacnetDeviceOptions> devices;
    for (int i = first; i < std::min(total, first + kDevicesPerRouter); ++i) {
      std::vector<sim::BacnetObject> objects;
      for (int k = 1; k <= o.objects; ++k)
        objects.push_back({.id = {bacnet::object_type::analog_value, static_cast<std::uint32_t>(k)},
                           .name = fmt::format("Value {}", k),
                           .units = 62,
                           .value = 20.0 + k * 0.1});
      devices.push_back({.instance = static_cast<std::uint32_t>(10'000 + i),
                         .name = fmt::format("Controller {}", i),
                         .objects = std::move(objects),
                         .mac = static_cast<std::uint8_t>(i - first + 1),
                         .silent = i >= o.devices});
    }
    auto site = sim::BacnetSite::start({.step_ms = 1000}, std::move(devices));
    if (!site) return std::unexpected(site.error());
    for (int i = first; i < std::min(total, first + kDevicesPerRouter); ++i)
      placed.push_back({(*site)->port(), static_cast<std::uint8_t>(i - first + 1),
                        static_cast<std::uint32_t>(10'000 + i), i >= o.devices});
    routers.push_back(std::move(*site));
  }

  BenchFolder folder(o.data_dir);
  if (auto s = folder.create(); !s) return s;
  BenchServer server(folder.path() + "/citypulse", {"CITYPULSE_AUTH_ACCESS_TOKEN_TTL_S=86400"});
  if (auto s = server.start(); !s) return s;
  LoadConnection c(server.http_port());
  auto token = bench_access_token(c, kBenchAdminEmail, server.password());
  if (!token) return std::unexpected(token.error());
  const auto auth = fmt::format("Authorization: Bearer {}\r\n", *token);
  auto made = [&](const std::string& collection, const json::object& body) -> Result<std::int64_t> {
    auto r = bench_api_call(c, "POST", "/api/v1/" + collection, json::serialize(body), auth, 201);
    if (!r) return std::unexpected(r.error());
    return r->at("id").as_int64();
  };
  const auto setup_start = std::chrono::steady_clock::now();
  auto tenant = made("tenants", {{"name", "Driver bench"}});
  if (!tenant) return std::unexpected(tenant.error());
  auto building =
      made("buildings", {{"tenant_id", *tenant}, {"name", "Plant room"}, {"type", "office"}});
  if (!building) return std::unexpected(building.error());
  std::vector<std::int64_t> device_ids;
  for (const auto& p : placed) {
    json::array channels, points;
    for (int k = 1; k <= o.objects; ++k) {
      auto point = made("points", {{"building_id", *building},
                                   {"name", fmt::format("Controller {} value {}", p.instance, k)},
                                   {"kind", "sensor"},
                                   {"quantity", "temperature"},
                                   {"unit", "°C"}});
      if (!point) return std::unexpected(point.error());
      const auto channel = fmt::format("av{}", k);
      channels.push_back({{"channel", channel}, {"point_id", *point}});
      points.push_back({{"channel", channel}, {"object", fmt::format("analog-value:{}", k)}});
    }
    auto device = made("devices", {{"tenant_id", *tenant},
                                   {"building_id", *building},
                                   {"name", fmt::format("Controller {}", p.instance)},
                                   {"protocol", "bacnet_ip"},
                                   {"status", "active"},
                                   {"channels", std::move(channels)}});
    if (!device) return std::unexpected(device.error());
    const json::object document{{"address", fmt::format("127.0.0.1:{}/2001:{:02x}", p.port, p.mac)},
                                {"device_instance", p.instance},
                                {"timeout_ms", 1000},
                                {"retries", 1},
                                {"groups", {{{"name", "fast"}, {"interval_ms", o.interval_ms}}}},
                                {"points", std::move(points)}};
    auto put = bench_api_call(c, "PUT", fmt::format("/api/v1/devices/{}/driver", *device),
                              json::serialize(document), auth, 201);
    if (!put) return std::unexpected(put.error());
    device_ids.push_back(*device);
  }
  const double setup_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<std::int64_t>(o.duration_s * 1000)));

  auto statuses = bench_api_call(c, "GET", "/api/v1/drivers/status", "", auth, 200);
  if (!statuses) return std::unexpected(statuses.error());
  std::map<std::int64_t, json::object> by_device;
  for (const auto& item : statuses->at("items").as_array())
    by_device[item.at("device_id").as_int64()] = item.as_object();
  std::vector<std::int64_t> lateness, durations;
  std::int64_t polls = 0, failed = 0, skipped = 0, readings = 0;
  int offline = 0;
  std::string problem;
  for (std::size_t i = 0; i < placed.size(); ++i) {
    auto it = by_device.find(device_ids[i]);
    if (it == by_device.end()) {
      problem = fmt::format("device {} has no driver status", device_ids[i]);
      continue;
    }
    const auto& s = it->second;
    const std::string status(s.at("status").as_string());
    if (placed[i].dead) {
      if (status == "offline")
        ++offline;
      else
        problem = fmt::format("dead device {} is {}", device_ids[i], status);
      continue;
    }
    if (status != "online")
      problem = fmt::format("device {} is {}: {}", device_ids[i], status,
                            s.at("last_error").as_string().c_str());
    lateness.push_back(s.at("max_lateness_ms").as_int64());
    durations.push_back(s.at("max_poll_ms").as_int64());
    polls += s.at("polls").as_int64();
    failed += s.at("failed_polls").as_int64();
    skipped += s.at("skipped_polls").as_int64();
    readings += s.at("readings").as_int64();
  }
  server.stop(15);
  const json::object line{
      {"bench", "drivers"},
      {"protocol", "bacnet_ip"},
      {"devices", o.devices},
      {"objects", o.objects},
      {"dead", o.dead},
      {"interval_ms", o.interval_ms},
      {"duration_s", o.duration_s},
      {"setup_s", setup_s},
      {"polls", polls},
      {"failed_polls", failed},
      {"skipped_polls", skipped},
      {"readings", readings},
      {"readings_per_s", static_cast<double>(readings) / o.duration_s},
      {"dead_offline", offline},
      {"max_start_lateness_ms",
       lateness.empty() ? 0 : *std::max_element(lateness.begin(), lateness.end())},
      {"p99_start_lateness_ms", percentile(lateness, 0.99)},
      {"max_poll_ms",
       durations.empty() ? 0 : *std::max_element(durations.begin(), durations.end())},
      {"p99_poll_ms", percentile(durations, 0.99)}};
  std::printf("%s\n", json::serialize(line).c_str());
  if (!problem.empty()) return fail(ErrorCode::internal, problem);
  return {};
}

}  // namespace citypulse
