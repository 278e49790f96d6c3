#include "api/paging.h"

#include <fmt/format.h>

#include <charconv>

#include "core/base64.h"

namespace citypulse {

Result<std::int64_t> parse_integer(std::string_view name, std::string_view text, std::int64_t min,
                                   std::int64_t max) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < min || v > max)
    return fail(ErrorCode::bad_request,
                fmt::format("query parameter '{}' must be an integer from {} to {}, got '{}'", name,
                            min, max, text),
                std::string(name));
  return v;
}

Result<std::size_t> parse_limit(std::string_view text) {
  auto n = parse_integer("limit", text, 1, 1000);
  if (!n) return std::unexpected(n.error());
  return static_cast<std::size_t>(*n);
}

std::string encode_cursor(Id id, std::string_view kind) {
  return base64url_encode(fmt::format("{}:{}", kind, id));
}

Result<Id> decode_cursor(std::string_view text, std::string_view kind) {
  const auto raw = base64url_decode(text);
  if (raw && raw->size() > kind.size() + 1 && raw->starts_with(kind) &&
      (*raw)[kind.size()] == ':') {
    auto id = parse_integer("cursor", std::string_view(*raw).substr(kind.size() + 1), 1, INT64_MAX);
    if (id) return *id;
  }
  return fail(ErrorCode::bad_request, "query parameter 'cursor' is not a cursor this server issued",
              "cursor");
}

}  // namespace citypulse
