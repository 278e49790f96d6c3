// Reading the realtime API's messages (docs/realtime.md) in tests: a client
// signed in, and the next message of some types, skipping the others
// (heartbeats, values of other subscriptions).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ws_test_client.h"

namespace citypulse::test {

// The next message whose "type" is one of `types`, within `timeout_ms`;
// nullopt on timeout or once the connection closed.
std::optional<boost::json::object> next_message(WsTestClient& c,
                                                std::initializer_list<std::string_view> types,
                                                int timeout_ms = 10'000);
inline std::optional<boost::json::object> next_message(WsTestClient& c, std::string_view type,
                                                       int timeout_ms = 10'000) {
  return next_message(c, {type}, timeout_ms);
}

// A client of ws://127.0.0.1:port/api/v1/ws that sent auth with `token`
// and was answered "authenticated" (a test failure otherwise); the answer
// in *answer.
std::unique_ptr<WsTestClient> signed_in_client(std::uint16_t port, const std::string& token,
                                               boost::json::object* answer = nullptr);

}  // namespace citypulse::test
