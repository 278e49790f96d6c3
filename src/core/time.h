// Time inside CityPulse is int64 milliseconds since the Unix epoch, UTC.
// RFC 3339 text appears only at the edges (API, logs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse {

using TimeMs = std::int64_t;

// Wall-clock time now.
TimeMs now_ms();

// Monotonic milliseconds, for durations and timeouts (never goes backwards).
std::int64_t steady_ms();
// The same clock in microseconds (steady_us() / 1000 == steady_ms()).
std::int64_t steady_us();

// "2026-11-22T05:33:00.123Z": always UTC, always milliseconds.
std::string format_rfc3339(TimeMs t);

// Accepts RFC 3339 date-times with 'Z' or a numeric offset and 0-9 fraction
// digits (digits past milliseconds are truncated). Fails with bad_request.
Result<TimeMs> parse_rfc3339(std::string_view text);

}  // namespace citypulse
