#include "admin_api.h"

#include <gtest/gtest.h>

namespace citypulse::test {
namespace json = boost::json;

std::int64_t create_record(HttpClient& http, const std::string& collection,
                           const json::object& body) {
  auto r = http.post("/api/v1/" + collection, json::serialize(body));
  EXPECT_EQ(r.status, 201) << collection << ": " << r.body;
  return r.status == 201 ? json::parse(r.body).at("id").as_int64() : 0;
}

std::string new_device_token(HttpClient& http, std::int64_t device) {
  auto r =
      http.post("/api/v1/devices/" + std::to_string(device) + "/credentials", R"({"name":"test"})");
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? std::string(json::parse(r.body).at("token").as_string()) : std::string();
}

std::string new_api_key(HttpClient& http, std::int64_t tenant, const json::array& permissions) {
  auto r = http.post("/api/v1/api-keys",
                     json::serialize(json::object{
                         {"name", "test"}, {"tenant_id", tenant}, {"permissions", permissions}}));
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? std::string(json::parse(r.body).at("key").as_string()) : std::string();
}

std::int64_t create_point(HttpClient& http, std::int64_t building, const std::string& name,
                          const std::string& key) {
  return create_record(http, "points",
                       {{"building_id", building},
                        {"name", name},
                        {"key", key},
                        {"kind", "sensor"},
                        {"quantity", "temperature"},
                        {"unit", "°C"}});
}

void write_reading(HttpClient& http, std::int64_t point, std::int64_t t, double value) {
  auto r = http.post(
      "/api/v1/readings",
      json::serialize(json::object{
          {"readings", json::array{json::object{{"point", point}, {"ts", t}, {"value", value}}}}}));
  EXPECT_EQ(r.status, 200) << r.body;
}

json::array point_readings(HttpClient& http, std::int64_t point) {
  auto r = http.get("/api/v1/points/" + std::to_string(point) +
                    "/readings?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=100000");
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? json::parse(r.body).at("items").as_array() : json::array{};
}

}  // namespace citypulse::test
