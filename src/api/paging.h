// Query parameters shared by list endpoints: integers with a range, and the
// opaque cursors of cursor pagination ("after:<id>" or "before:<id>" in
// base64url, so clients treat them as tokens, not numbers to edit).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/asset.h"

namespace citypulse {

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

}  // namespace citypulse
