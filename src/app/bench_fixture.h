// What the ingest benchmarks set up on their server over its HTTP API, as
// the superadmin of BenchServer: one tenant, one building, devices with an
// access token each and a point per channel, an API key allowed to write
// readings; and afterwards, how many readings the points hold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "app/http_load.h"
#include "core/result.h"
#include "sim/load_fleet.h"

namespace citypulse {

// One API call over `c`: `body` (JSON text, none when empty) with
// `headers` ("Name: value\r\n" each); the answer's JSON object ({} for an
// empty body), or io naming the call when the status is not `want`.
Result<boost::json::object> bench_api_call(LoadConnection& c, std::string_view method,
                                           const std::string& target, const std::string& body,
                                           const std::string& headers, int want);

// An access token of the user with this email and password.
Result<std::string> bench_access_token(LoadConnection& c, const std::string& email,
                                       const std::string& password);

struct BenchDevices {
  std::size_t channels = 1;          // points per device (the fleet's points_per_device)
  std::vector<std::int64_t> points;  // device d's channel c at d * channels + c
  std::vector<std::string> tokens;   // device d's access token
  std::string api_key_header;        // "Authorization: ApiKey ...\r\n" (readings:write)
};

// Creates the fleet's devices speaking `protocol` ("http", "mqtt"), each
// with a point per channel of its model (quantity and unit as the model's)
// mapped to that channel. Fails with the first answer that is not the
// expected one (nothing is cleaned up).
Result<BenchDevices> create_bench_devices(std::uint16_t http_port, const std::string& password,
                                          const sim::LoadFleet& fleet, std::string_view protocol);

// The readings stored in all of `points` (any time).
Result<std::int64_t> count_stored_readings(std::uint16_t http_port, const std::string& password,
                                           const std::vector<std::int64_t>& points);

}  // namespace citypulse
