// What `citypulse bench drivers` reports of one fleet (app/bench_drivers.h),
// from the server's driver status (GET /api/v1/drivers/status) of each of
// its devices.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/bench_driver_fleet.h"

namespace citypulse {

// The target: no healthy poll's answer later than this after its scheduled start.
inline constexpr std::int64_t kTargetLatenessMs = 1000;

struct FleetReport {
  std::string protocol;
  int devices = 0, dead = 0;  // healthy, dead
  // Summed over the healthy devices.
  std::int64_t polls = 0, failed_polls = 0, skipped_polls = 0, readings = 0;
  // Over the healthy devices: each device's worst start lateness, its
  // longest poll, and the two added (the bound the target is checked on).
  std::vector<std::int64_t> lateness_ms, poll_ms, answer_lateness_ms;
  int dead_offline = 0;
  std::string dead_error;  // the first dead device's last error
  std::string problem;     // why the bench fails, or empty

  std::int64_t max_answer_lateness_ms() const;
  bool target_met() const { return max_answer_lateness_ms() < kTargetLatenessMs; }
};

// `statuses` by device id; `device_ids[i]` is the id of fleet.devices[i].
FleetReport summarize(const BenchFleet& fleet, const std::vector<std::int64_t>& device_ids,
                      const std::map<std::int64_t, boost::json::object>& statuses);

// The table's header, and a fleet's row.
std::string report_header();
std::string report_row(const FleetReport& report);

// The fleet's JSON line: "bench", "protocol", then `run`'s members (what
// every fleet's line shares: the options, the setup time), then the
// report's; readings_per_s over `duration_s` of polling.
boost::json::object to_json(const FleetReport& report, const boost::json::object& run,
                            double duration_s);

}  // namespace citypulse
