// Tags are stored as a JSON array of strings in a TEXT column, so a filter can
// match one tag with SQLite's json_each() without a table of their own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse::sqlite {

// ["a","b"]: always a valid JSON array, [] when empty.
std::string tags_to_json(const std::vector<std::string>& tags);

// The inverse; fails with io when the column holds anything but an array of
// strings (only a damaged or hand-edited file can).
Result<std::vector<std::string>> tags_from_json(std::string_view json);

}  // namespace citypulse::sqlite
