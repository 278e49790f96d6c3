// DeviceHealth: what the driver host knows of one polled device, from the
// outcome of each poll — its status, and when it may be asked again.
//
//   online    the last poll was answered in full
//   degraded  the last poll was answered in part (some objects or registers
//             failed), or the device has missed fewer than `offline_after`
//             polls in a row
//   offline   it missed `offline_after` polls in a row: the circuit is open.
//             Scheduled polls are skipped; one probe goes out after a
//             backoff that starts at `first_backoff_ms` and doubles with
//             every failed probe up to `max_backoff_ms`. An answered probe
//             closes the circuit.
//
// So a dead device costs one request every backoff, not one per schedule,
// and never holds up the others (each device has its own queue anyway).
// Not thread-safe: the driver host calls it on its own thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"

namespace citypulse::drivers {

enum class DeviceStatus { online, degraded, offline };
std::string_view status_name(DeviceStatus status);

struct HealthPolicy {
  int offline_after = 3;
  std::int64_t first_backoff_ms = 5'000;
  std::int64_t max_backoff_ms = 300'000;
};

enum class PollOutcome { answered, partly, unreached };
std::string_view outcome_name(PollOutcome outcome);  // "answered", "partly", "unreached"

class DeviceHealth {
 public:
  explicit DeviceHealth(HealthPolicy policy = {}) : policy_(policy) {}

  // Takes a poll's outcome; true when the status changed.
  bool record(PollOutcome outcome, TimeMs now, std::string_view error = {});
  // Whether a poll may be sent now (see above).
  bool may_poll(TimeMs now) const {
    return status_ != DeviceStatus::offline || now >= next_probe_at_;
  }

  DeviceStatus status() const { return status_; }
  TimeMs since() const { return since_; }
  TimeMs last_success_at() const { return last_success_at_; }
  TimeMs next_probe_at() const { return next_probe_at_; }
  int consecutive_failures() const { return failures_; }
  const std::string& last_error() const { return last_error_; }

 private:
  HealthPolicy policy_;
  DeviceStatus status_ = DeviceStatus::online;
  TimeMs since_ = 0, last_success_at_ = 0, next_probe_at_ = 0;
  int failures_ = 0;
  std::int64_t backoff_ms_ = 0;
  std::string last_error_;
};

}  // namespace citypulse::drivers
