// The HTTP API calls integration tests make over and over to set up and read
// back what they check: records created, device tokens and API keys made,
// a point's readings. Each expects the API to succeed: otherwise it records
// a GoogleTest failure naming the call and the body, and returns 0 or empty,
// so the test goes on to fail where it uses the result.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "http_client.h"

namespace citypulse::test {

// POST /api/v1/{collection}; the new record's id.
std::int64_t create_record(HttpClient& http, const std::string& collection,
                           const boost::json::object& body);

// A new token credential of the device; the token.
std::string new_device_token(HttpClient& http, std::int64_t device);

// A new API key of the tenant with these permissions; the key.
std::string new_api_key(HttpClient& http, std::int64_t tenant,
                        const boost::json::array& permissions);

// A temperature sensor point in the building; its id.
std::int64_t create_point(HttpClient& http, std::int64_t building, const std::string& name,
                          const std::string& key);

// One reading of the point through the batch API (`t` must not be in the
// future).
void write_reading(HttpClient& http, std::int64_t point, std::int64_t t, double value);

// Every reading of the point, oldest first.
boost::json::array point_readings(HttpClient& http, std::int64_t point);

}  // namespace citypulse::test
