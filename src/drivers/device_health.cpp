#include "drivers/device_health.h"

#include <algorithm>

namespace citypulse::drivers {

std::string_view status_name(DeviceStatus status) {
  switch (status) {
    case DeviceStatus::online:
      return "online";
    case DeviceStatus::degraded:
      return "degraded";
    case DeviceStatus::offline:
      return "offline";
  }
  return "offline";
}

std::string_view outcome_name(PollOutcome outcome) {
  switch (outcome) {
    case PollOutcome::answered:
      return "answered";
    case PollOutcome::partly:
      return "partly";
    case PollOutcome::unreached:
      return "unreached";
  }
  return "unreached";
}

bool DeviceHealth::record(PollOutcome outcome, TimeMs now, std::string_view error) {
  const auto before = status_;
  if (outcome == PollOutcome::unreached) {
    ++failures_;
    last_error_ = error;
    if (failures_ >= policy_.offline_after) {
      backoff_ms_ = status_ == DeviceStatus::offline
                        ? std::min(backoff_ms_ * 2, policy_.max_backoff_ms)
                        : policy_.first_backoff_ms;
      next_probe_at_ = now + backoff_ms_;
      status_ = DeviceStatus::offline;
    } else {
      status_ = DeviceStatus::degraded;
    }
  } else {
    failures_ = 0;
    backoff_ms_ = 0;
    next_probe_at_ = 0;
    last_success_at_ = now;
    if (outcome == PollOutcome::partly) {
      last_error_ = error;
      status_ = DeviceStatus::degraded;
    } else {
      status_ = DeviceStatus::online;
    }
  }
  if (status_ != before || since_ == 0) since_ = now;  // the first outcome starts the first status
  return status_ != before;
}

}  // namespace citypulse::drivers
