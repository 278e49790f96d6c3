#include "api/paging.h"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "core/base64.h"
#include "core/time.h"

namespace citypulse {

Result<TimeMs> parse_time_param(std::string_view name, std::string_view text) {
  auto t = parse_rfc3339(text);
  if (!t)
    return fail(ErrorCode::bad_request,
                fmt::format("query parameter '{}' must be an RFC 3339 time, got '{}'", name, text),
                std::string(name));
  return *t;
}

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

Result<ListQuery> parse_list_query(const HttpRequest& request, std::string_view collection,
                                   std::span<const std::string_view> filters) {
  ListQuery q;
  for (const auto& [k, v] : request.query) {
    if (k == "limit") {
      auto n = parse_limit(v);
      if (!n) return std::unexpected(n.error());
      q.limit = *n;
    } else if (k == "cursor") {
      auto after = decode_cursor(v);
      if (!after) return std::unexpected(after.error());
      q.after = *after;
    } else if (std::find(filters.begin(), filters.end(), k) != filters.end()) {
      q.filters.push_back({k, v});
    } else {
      return fail(ErrorCode::bad_request,
                  fmt::format("unknown query parameter '{}'; {} accept: limit, cursor{}{}", k,
                              collection, filters.empty() ? "" : ", ", fmt::join(filters, ", ")),
                  k);
    }
  }
  return q;
}

boost::json::value next_cursor_json(const std::optional<Id>& next_after, std::string_view kind) {
  if (!next_after) return nullptr;
  return boost::json::value(encode_cursor(*next_after, kind));
}

Status reject_query(const HttpRequest& request) {
  if (request.query.empty()) return {};
  const auto& name = request.query.front().first;
  return fail(ErrorCode::bad_request,
              fmt::format("unknown query parameter '{}'; this endpoint takes none", name), name);
}

}  // namespace citypulse
