// HttpDeviceLink: ThingsBoard's HTTP device API over HttpPoster.
#include <fmt/format.h>

#include "sim/device_link.h"
#include "sim/http_poster.h"
#include "sim/link_text.h"

namespace citypulse::sim {
namespace {

// The token as one path segment: RFC 3986 unreserved characters as they
// are, every other byte percent-encoded, so no token can change the route.
std::string path_segment(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved)
      out += c;
    else
      fmt::format_to(std::back_inserter(out), "%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

}  // namespace

HttpDeviceLink::HttpDeviceLink(HttpLinkOptions options)
    : http_(std::make_unique<HttpPoster>(options.port, options.timeout_ms)) {}
HttpDeviceLink::~HttpDeviceLink() = default;
HttpDeviceLink::HttpDeviceLink(HttpDeviceLink&&) noexcept = default;
HttpDeviceLink& HttpDeviceLink::operator=(HttpDeviceLink&&) noexcept = default;

Status HttpDeviceLink::post(const std::string& token, const Telemetry& telemetry) {
  if (!http_) return fail(ErrorCode::internal, "a moved-from HttpDeviceLink");
  if (token.empty()) return fail(ErrorCode::invalid, "a device's access token is needed", "token");
  std::string body;
  if (auto s = append_json_telemetry(body, telemetry); !s) return s;
  constexpr std::string_view kWhat = "a device's HTTP telemetry";
  auto answer =
      http_->post_json(fmt::format("/api/v1/{}/telemetry", path_segment(token)), {}, body, kWhat);
  if (!answer) return fail(answer.error());
  return check_ingest_answer(*answer, http_->peer(), kWhat);
}

}  // namespace citypulse::sim
