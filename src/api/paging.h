// Query parameters shared by list endpoints: integers with a range, and the
// opaque cursors of cursor pagination ("after:<id>" or "before:<id>" in
// base64url, so clients treat them as tokens, not numbers to edit).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <span>

#include <boost/json/value.hpp>

#include "api/http_message.h"
#include "core/result.h"
#include "core/time.h"
#include "model/asset.h"
#include "store/meta_store.h"

namespace citypulse {

// bad_request naming the parameter unless `text` is an RFC 3339 time.
Result<TimeMs> parse_time_param(std::string_view name, std::string_view text);

// bad_request naming the parameter unless `text` is an integer in [min, max].
Result<std::int64_t> parse_integer(std::string_view name, std::string_view text, std::int64_t min,
                                   std::int64_t max);

// "limit": 1..1000.
Result<std::size_t> parse_limit(std::string_view text);

// A cursor for the records after (ascending lists) or before (newest-first
// lists) record `id`; decode_cursor fails with bad_request for anything this
// server did not issue with the same `kind`.
std::string encode_cursor(Id id, std::string_view kind = "after");
Result<Id> decode_cursor(std::string_view text, std::string_view kind = "after");

// ?limit=&cursor= plus the equality filters `filters` of a list endpoint
// answering for `collection`; bad_request naming the parameter otherwise.
Result<ListQuery> parse_list_query(const HttpRequest& request, std::string_view collection,
                                   std::span<const std::string_view> filters = {});

// The "next_cursor" member of a list answer: a cursor, or null on the last page.
boost::json::value next_cursor_json(const std::optional<Id>& next_after,
                                    std::string_view kind = "after");

// bad_request naming the first query parameter of an endpoint that takes none.
Status reject_query(const HttpRequest& request);

}  // namespace citypulse
