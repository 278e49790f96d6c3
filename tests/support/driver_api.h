// What the plant-driver integration tests (BACnet/IP, Modbus TCP) ask of the
// server over and over: a device's driver document stored, its driver status
// read back, the field a refusal names, and waiting for the host to act.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "http_client.h"

namespace citypulse::test {

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
