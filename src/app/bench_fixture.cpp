#include "app/bench_fixture.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "app/bench_server.h"
#include "app/http_load.h"

namespace citypulse {
namespace json = boost::json;
Result<json::object> bench_api_call(LoadConnection& c, std::string_view method,
                                    const std::string& target, const std::string& body,
                                    const std::string& headers, int want) {
  auto r = c.request(method, target, body,
                     headers + (body.empty() ? "" : "Content-Type: application/json\r\n"));
  if (!r) return std::unexpected(r.error());
  if (r->status != want)
    return fail(ErrorCode::io, fmt::format("{} {} answered {}: {}", method, target, r->status,
                                           r->body.substr(0, 300)));
  if (r->body.empty()) return json::object{};
  boost::system::error_code ec;
  auto v = json::parse(r->body, ec);
  if (ec || !v.is_object()) return fail(ErrorCode::io, target + " answered no JSON object");
  return std::move(v.as_object());
}

Result<std::string> bench_access_token(LoadConnection& c, const std::string& email,
                                       const std::string& password) {
  auto r = bench_api_call(c, "POST", "/api/v1/auth/login",
                          json::serialize(json::object{{"email", email}, {"password", password}}),
                          "", 200);
  if (!r) return std::unexpected(r.error());
  const auto* token = r->if_contains("access_token");
  if (!token || !token->is_string()) return fail(ErrorCode::io, "the login gave no access_token");
  return std::string(token->get_string());
}

namespace {

// The superadmin's Authorization header.
Result<std::string> sign_in(LoadConnection& c, const std::string& password) {
  auto token = bench_access_token(c, kBenchAdminEmail, password);
  if (!token) return std::unexpected(token.error());
  return fmt::format("Authorization: Bearer {}\r\n", *token);
}

}  // namespace

Result<BenchDevices> create_bench_devices(std::uint16_t http_port, const std::string& password,
                                          const sim::LoadFleet& fleet, std::string_view protocol) {
  LoadConnection c(http_port);
  auto auth = sign_in(c, password);
  if (!auth) return std::unexpected(auth.error());
  auto made = [&](const std::string& collection, const json::object& body) -> Result<std::int64_t> {
    auto r = bench_api_call(c, "POST", "/api/v1/" + collection, json::serialize(body), *auth, 201);
    if (!r) return std::unexpected(r.error());
    return r->at("id").as_int64();
  };
  auto tenant = made("tenants", {{"name", "Bench Town"}});
  if (!tenant) return std::unexpected(tenant.error());
  auto building =
      made("buildings", {{"tenant_id", *tenant}, {"name", "Bench depot"}, {"type", "depot"}});
  if (!building) return std::unexpected(building.error());
  BenchDevices f;
  f.channels = static_cast<std::size_t>(fleet.points_per_device());
  for (int i = 0; i < fleet.devices(); ++i) {
    json::array mapping;
    const auto& channels = fleet.channels(i);
    for (std::size_t k = 0; k < channels.size(); ++k) {
      auto point = made("points", {{"building_id", *building},
                                   {"name", fmt::format("Device {} {}", i, channels[k].name)},
                                   {"key", fmt::format("bench.device{}.{}", i, k)},
                                   {"kind", "sensor"},
                                   {"quantity", channels[k].quantity},
                                   {"unit", channels[k].unit}});
      if (!point) return std::unexpected(point.error());
      mapping.push_back(json::object{{"channel", channels[k].name}, {"point_id", *point}});
      f.points.push_back(*point);
    }
    auto device = made("devices", {{"tenant_id", *tenant},
                                   {"building_id", *building},
                                   {"name", fmt::format("{} ({})", fleet.model(i), i)},
                                   {"protocol", protocol},
                                   {"status", "active"},
                                   {"channels", std::move(mapping)}});
    if (!device) return std::unexpected(device.error());
    auto cred = bench_api_call(c, "POST", fmt::format("/api/v1/devices/{}/credentials", *device),
                               "{}", *auth, 201);
    if (!cred) return std::unexpected(cred.error());
    f.tokens.emplace_back(cred->at("token").as_string());
  }
  auto key =
      bench_api_call(c, "POST", "/api/v1/api-keys",
                     json::serialize(json::object{{"name", "bench"},
                                                  {"tenant_id", *tenant},
                                                  {"permissions", json::array{"readings:write"}}}),
                     *auth, 201);
  if (!key) return std::unexpected(key.error());
  f.api_key_header =
      fmt::format("Authorization: ApiKey {}\r\n", key->at("key").as_string().c_str());
  return f;
}

Result<std::int64_t> count_stored_readings(std::uint16_t http_port, const std::string& password,
                                           const std::vector<std::int64_t>& points) {
  LoadConnection c(http_port);
  auto auth = sign_in(c, password);
  if (!auth) return std::unexpected(auth.error());
  std::int64_t stored = 0;
  for (auto point : points) {
    auto r = bench_api_call(c, "GET",
                            fmt::format("/api/v1/points/{}/readings?from=2000-01-01T00:00:00Z&"
                                        "to=2100-01-01T00:00:00Z&bucket=1y&agg=count",
                                        point),
                            "", *auth, 200);
    if (!r) return std::unexpected(r.error());
    for (const auto& b : r->at("items").as_array())
      stored += b.at("count").to_number<std::int64_t>();
  }
  return stored;
}

}  // namespace citypulse
