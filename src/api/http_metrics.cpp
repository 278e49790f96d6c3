#include "api/http_metrics.h"

#include <unistd.h>
#include <fstream>

#include "core/metrics.h"
#include "core/time.h"

namespace citypulse {
namespace {

CounterFamily& requests() {
  static CounterFamily f("citypulse_http_requests_total", "HTTP requests served.");
  return f;
}

HistogramFamily& durations() {
  static HistogramFamily f(
      "citypulse_http_request_duration_seconds", "Time from a complete request to its response.",
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
  return f;
}

const std::int64_t process_start_ms = steady_ms();

double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace

void record_http_request(std::string_view route, std::string_view method, int status,
                         double seconds) {
  const std::string r(route);
  requests()
      .with({{"route", r}, {"method", std::string(method)}, {"status", std::to_string(status)}})
      .add();
  durations().with({{"route", r}}).observe(seconds);
}

void append_process_metrics(std::string& out) {
  requests().render(out);
  durations().render(out);
  render_gauge(out, "process_resident_memory_bytes", "Resident memory of the process.",
               resident_bytes());
  render_gauge(out, "citypulse_uptime_seconds", "Seconds since the process started.",
               static_cast<double>(steady_ms() - process_start_ms) / 1000.0);
}

}  // namespace citypulse
