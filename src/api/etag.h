// Entity tags of versioned records: a record's version is its ETag ("3"),
// and If-Match names the version a change expects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/http_message.h"
#include "core/result.h"

namespace citypulse {

std::string etag_of(std::int64_t version);

// The version an If-Match header names: nullopt when there is none or it is
// "*"; precondition_failed when it is not one of our tags.
Result<std::optional<std::int64_t>> if_match_version(const HttpRequest& request);

}  // namespace citypulse
