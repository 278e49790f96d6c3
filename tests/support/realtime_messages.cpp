#include "realtime_messages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace citypulse::test {
namespace json = boost::json;

std::optional<json::object> next_message(WsTestClient& c,
                                         std::initializer_list<std::string_view> types,
                                         int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = c.receive(100);
    if (!m) {
      if (c.closed()) return std::nullopt;
      continue;
    }
    auto o = json::parse(*m).as_object();
    const std::string_view type = o.at("type").as_string();
    if (std::find(types.begin(), types.end(), type) != types.end()) return o;
  }
  return std::nullopt;
}

std::unique_ptr<WsTestClient> signed_in_client(std::uint16_t port, const std::string& token,
                                               json::object* answer) {
  auto c = std::make_unique<WsTestClient>(port, "/api/v1/ws");
  c->send(json::serialize(json::object{{"type", "auth"}, {"token", token}}));
  auto m = next_message(*c, "authenticated");
  EXPECT_TRUE(m) << "no authenticated answer";
  if (m && answer) *answer = *m;
  return c;
}

}  // namespace citypulse::test
