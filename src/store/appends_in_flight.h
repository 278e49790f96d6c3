// A bound on a writer's appends in flight to a SeriesStore: appends complete
// on the store's threads, so a writer that keeps a few going keeps the engine
// busy while it prepares the next batch, and the bound keeps its memory
// bounded. The first failure stops further appends and is reported by
// drain(). Shared between the writer and the appends' callbacks (hold it in
// a shared_ptr when a callback may outlive the writer's frame).
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>

#include "core/result.h"

namespace citypulse {

class AppendsInFlight {
 public:
  explicit AppendsInFlight(int limit) : limit_(limit) {}

  // Waits for a free slot; false once an append failed (stop writing).
  bool acquire() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return count_ < limit_ || error_; });
    if (error_) return false;
    ++count_;
    return true;
  }
  // The append's callback: frees its slot and keeps the first failure.
  void release(const Status& s) {
    std::lock_guard lock(mutex_);
    --count_;
    if (!s && !error_) error_ = s.error();
    cv_.notify_all();
  }
  // Waits until every append completed; the first failure, if any.
  Status drain() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return count_ == 0; });
    if (error_) return fail(*error_);
    return {};
  }

 private:
  const int limit_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int count_ = 0;
  std::optional<Error> error_;
};

}  // namespace citypulse
