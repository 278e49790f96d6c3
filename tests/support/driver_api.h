// What the plant-driver integration tests (BACnet/IP, Modbus TCP) ask of the
// server over and over: a device's driver document stored, its driver status
// read back, the field a refusal names, and waiting for the host to act.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http_client.h"
#include "scratch.h"
#include "server_process.h"

namespace citypulse::test {

// What a driver suite's tests share: the server on a data folder of its
// own, signed in as the admin, with one tenant and one building.
struct DriverServer {
  std::unique_ptr<TempDir> tmp;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> http;
  std::int64_t tenant = 0, building = 0;

  // Starts it all; false (with a test failure saying why) when it did not.
  bool start(const std::string& tenant_name, const std::string& building_name,
             const std::string& building_type);
  void stop();  // the client, the server, then the folder

  // A point of the building; its id.
  std::int64_t point(const std::string& name, const std::string& kind = "sensor",
                     const std::string& quantity = "temperature", const std::string& unit = "°C");
  // The newest reading's value of a point that has readings.
  double last_value(std::int64_t point);
  // Whether the device's driver status is `wanted` now.
  bool has_status(std::int64_t device, const std::string& wanted);
};

// An active device of `protocol` in the building whose channels feed points
// ([{"channel": ..., "point_id": ...}]); its id.
std::int64_t create_driven_device(HttpClient& http, std::int64_t tenant, std::int64_t building,
                                  const std::string& name, const std::string& protocol,
                                  const boost::json::array& channels);

// PUT /api/v1/devices/{device}/driver with `document` as the body.
Reply put_driver(HttpClient& http, std::int64_t device, const boost::json::object& document);

// GET /api/v1/devices/{device}/driver/status; empty unless it answered 200.
boost::json::object driver_status(HttpClient& http, std::int64_t device);

// The name of the first invalid parameter of a problem response ("" when it
// has none), e.g. "/points/0/type".
std::string problem_field(const Reply& reply);

// Whether `condition` held within `seconds`, asked every 100 ms.
bool eventually(const std::function<bool()>& condition, int seconds = 20);

}  // namespace citypulse::test
