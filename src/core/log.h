// Process logging: human-readable lines on stderr for the process's own events,
// and one JSON object per line on stdout for the HTTP access log (so a log
// shipper can parse it without guessing).
#pragma once

#include <string_view>

#include "core/result.h"

namespace citypulse {

// Sets up both loggers; safe to call again (e.g. after the config is read).
Status init_logging(std::string_view level);

// Writes one access-log line; `json_object` must be a complete JSON object.
void log_access(std::string_view json_object);

}  // namespace citypulse
