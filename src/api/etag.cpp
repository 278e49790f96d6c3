#include "api/etag.h"

#include <fmt/format.h>

#include <charconv>

namespace citypulse {

std::string etag_of(std::int64_t version) {
  return fmt::format("\"{}\"", version);
}

Result<std::optional<std::int64_t>> if_match_version(const HttpRequest& req) {
  const auto h = req.header("If-Match");
  if (!h || *h == "*") return std::nullopt;
  std::string_view t = *h;
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc{} || p != t.data() + t.size())
    return fail(ErrorCode::precondition_failed,
                fmt::format("If-Match {} is not a version of this record", *h));
  return v;
}

}  // namespace citypulse
