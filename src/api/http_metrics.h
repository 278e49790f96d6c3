// The HTTP server's metrics: requests by route, method and status, and request
// duration per route. Route labels are patterns, never raw paths, so the number
// of series stays bounded whatever clients send.
#pragma once

#include <string>
#include <string_view>

namespace citypulse {

void record_http_request(std::string_view route, std::string_view method, int status,
                         double seconds);

// Appends the HTTP families and the process gauges (RSS, uptime) in the
// Prometheus text format.
void append_process_metrics(std::string& out);

}  // namespace citypulse
