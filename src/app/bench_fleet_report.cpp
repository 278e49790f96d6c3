#include "app/bench_fleet_report.h"

#include <fmt/format.h>

#include <algorithm>

namespace citypulse {

namespace json = boost::json;

namespace {

std::int64_t maximum(const std::vector<std::int64_t>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

std::int64_t percentile(std::vector<std::int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

std::int64_t FleetReport::max_answer_lateness_ms() const {
  return maximum(answer_lateness_ms);
}

FleetReport summarize(const BenchFleet& fleet, const std::vector<std::int64_t>& device_ids,
                      const std::map<std::int64_t, json::object>& statuses) {
  FleetReport r;
  r.protocol = fleet.protocol;
  for (std::size_t i = 0; i < fleet.devices.size(); ++i) {
    const bool dead = fleet.devices[i].dead;
    ++(dead ? r.dead : r.devices);
    auto it = statuses.find(device_ids[i]);
    if (it == statuses.end()) {
      r.problem = fmt::format("{} device {} has no driver status", fleet.label, device_ids[i]);
      continue;
    }
    const auto& s = it->second;
    const std::string status(s.at("status").as_string());
    const std::string error(s.at("last_error").as_string());
    if (dead) {
      if (r.dead_error.empty()) r.dead_error = error;
      if (status == "offline")
        ++r.dead_offline;
      else
        r.problem = fmt::format("{} dead device {} is {}", fleet.label, device_ids[i], status);
      continue;
    }
    if (status != "online")
      r.problem = fmt::format("{} device {} is {}: {}", fleet.label, device_ids[i], status, error);
    const auto late = s.at("max_lateness_ms").as_int64();
    const auto poll = s.at("max_poll_ms").as_int64();
    r.lateness_ms.push_back(late);
    r.poll_ms.push_back(poll);
    r.answer_lateness_ms.push_back(late + poll);
    r.polls += s.at("polls").as_int64();
    r.failed_polls += s.at("failed_polls").as_int64();
    r.skipped_polls += s.at("skipped_polls").as_int64();
    r.readings += s.at("readings").as_int64();
  }
  return r;
}

std::string report_header() {
  return fmt::format("{:<11} {:>7} {:>5} {:>7} {:>9} {:>6} {:>7} {:>16} {:>16} {:>12} {}", "fleet",
                     "devices", "dead", "polls", "readings", "failed", "skipped", "late max (p99)",
                     "poll max (p99)", "dead status", "target");
}

std::string report_row(const FleetReport& r) {
  return fmt::format(
      "{:<11} {:>7} {:>5} {:>7} {:>9} {:>6} {:>7} {:>16} {:>16} {:>12} {}", r.protocol, r.devices,
      r.dead, r.polls, r.readings, r.failed_polls, r.skipped_polls,
      fmt::format("{} ({}) ms", maximum(r.lateness_ms), percentile(r.lateness_ms, 0.99)),
      fmt::format("{} ({}) ms", maximum(r.poll_ms), percentile(r.poll_ms, 0.99)),
      fmt::format("{}/{} offline", r.dead_offline, r.dead),
      fmt::format("{} < {} ms: {}", r.max_answer_lateness_ms(), kTargetLatenessMs,
                  r.target_met() ? "met" : "MISSED"));
}

json::object to_json(const FleetReport& r, const json::object& run, double duration_s) {
  json::object line{{"bench", "drivers"}, {"protocol", r.protocol}};
  for (const auto& member : run) line[member.key()] = member.value();
  line["devices"] = r.devices;
  line["dead"] = r.dead;
  line["polls"] = r.polls;
  line["failed_polls"] = r.failed_polls;
  line["skipped_polls"] = r.skipped_polls;
  line["readings"] = r.readings;
  line["readings_per_s"] = static_cast<double>(r.readings) / duration_s;
  line["dead_offline"] = r.dead_offline;
  line["dead_error"] = r.dead_error;
  line["max_start_lateness_ms"] = maximum(r.lateness_ms);
  line["p99_start_lateness_ms"] = percentile(r.lateness_ms, 0.99);
  line["max_poll_ms"] = maximum(r.poll_ms);
  line["p99_poll_ms"] = percentile(r.poll_ms, 0.99);
  line["max_answer_lateness_ms"] = r.max_answer_lateness_ms();
  line["target_ms"] = kTargetLatenessMs;
  line["target_met"] = r.target_met();
  return line;
}

}  // namespace citypulse
