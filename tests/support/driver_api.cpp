#include "driver_api.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "admin_api.h"

namespace citypulse::test {
namespace json = boost::json;

std::int64_t create_driven_device(HttpClient& http, std::int64_t tenant, std::int64_t building,
                                  const std::string& name, const std::string& protocol,
                                  const json::array& channels) {
  return create_record(http, "devices",
                       {{"tenant_id", tenant},
                        {"building_id", building},
                        {"name", name},
                        {"protocol", protocol},
                        {"status", "active"},
                        {"channels", channels}});
}

Reply put_driver(HttpClient& http, std::int64_t device, const json::object& document) {
  return http.put("/api/v1/devices/" + std::to_string(device) + "/driver",
                  json::serialize(document));
}

json::object driver_status(HttpClient& http, std::int64_t device) {
  auto r = http.get("/api/v1/devices/" + std::to_string(device) + "/driver/status");
  if (r.status != 200) return {};
  return json::parse(r.body).as_object();
}

std::string problem_field(const Reply& reply) {
  boost::system::error_code ec;
  auto body = json::parse(reply.body, ec);
  if (ec || !body.is_object() || !body.as_object().contains("invalid_params")) return "";
  const auto& params = body.at("invalid_params").as_array();
  return params.empty() ? "" : std::string(params.at(0).at("name").as_string());
}

bool DriverServer::start(const std::string& tenant_name, const std::string& building_name,
                         const std::string& building_type) {
  tmp = std::make_unique<TempDir>();
  server = std::make_unique<ServerProcess>(tmp->path() + "/data");
  if (!server->start()) {
    ADD_FAILURE() << "the server did not start: " << server->output();
    return false;
  }
  http = std::make_unique<HttpClient>(server->port());
  if (const auto signed_in = http->sign_in(kAdminEmail, kAdminPassword); signed_in.status != 200) {
    ADD_FAILURE() << "sign-in answered " << signed_in.status;
    return false;
  }
  tenant = create_record(*http, "tenants", {{"name", tenant_name}});
  building =
      create_record(*http, "buildings",
                    {{"tenant_id", tenant}, {"name", building_name}, {"type", building_type}});
  return tenant != 0 && building != 0;
}

void DriverServer::stop() {
  http.reset();
  server.reset();
  tmp.reset();
}

std::int64_t DriverServer::point(const std::string& name, const std::string& kind,
                                 const std::string& quantity, const std::string& unit) {
  return create_record(*http, "points",
                       {{"building_id", building},
                        {"name", name},
                        {"kind", kind},
                        {"quantity", quantity},
                        {"unit", unit}});
}

double DriverServer::last_value(std::int64_t point) {
  return point_readings(*http, point).back().at("value").to_number<double>();
}

bool DriverServer::has_status(std::int64_t device, const std::string& wanted) {
  auto s = driver_status(*http, device);
  return !s.empty() && s.at("status").as_string() == wanted;
}

bool eventually(const std::function<bool()>& condition, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

}  // namespace citypulse::test
