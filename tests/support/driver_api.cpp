#include "driver_api.h"

#include <chrono>
#include <thread>

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

bool eventually(const std::function<bool()>& condition, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

}  // namespace citypulse::test
