// A DeliveryRecorder that keeps what it hears, for the notification tests.
#pragma once

#include <mutex>
#include <vector>

#include "notify/delivery_queue.h"

namespace citypulse::notify {

class KeptAttempts : public DeliveryRecorder {
 public:
  void on_attempt(const AttemptRecord& record) override {
    std::lock_guard lock(mutex_);
    records_.push_back(record);
  }
  std::vector<AttemptRecord> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<AttemptRecord> records_;
};

}  // namespace citypulse::notify
