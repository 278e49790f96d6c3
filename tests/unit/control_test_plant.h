// The plant behind the command service's PlantWriter, played by the
// control tests: it remembers each write and answers it when the test says
// so (as a device would), or at once with the value written when told to
// hold whatever it is sent — or, while told to refuse, at once with an error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "control/plant_writer.h"

namespace citypulse::testing {

using control::PlantTarget;

class TestPlant final : public control::PlantWriter {
 public:
  // true: each write is answered at once, read back as written.
  explicit TestPlant(bool holds_what_it_is_sent = false) : auto_(holds_what_it_is_sent) {}

  struct Write {
    PlantTarget target;
    std::optional<double> value;
    std::optional<int> priority;
    std::move_only_function<void(Result<std::optional<double>>)> done;
  };

  void write(const PlantTarget& target, std::optional<double> value, std::optional<int> priority,
             std::int64_t,
             std::move_only_function<void(Result<std::optional<double>>)> done) override {
    std::optional<std::string> refusal;
    {
      std::lock_guard lock(mutex_);
      writes_.push_back({target, value, priority, auto_ ? nullptr : std::move(done)});
      refusal = refusal_;
      changed_.notify_all();
    }
    if (!auto_) return;
    if (refusal)
      done(fail(ErrorCode::unavailable, *refusal));
    else
      done(value);
  }

  // While set, a plant that answers at once refuses every write with it.
  void refuse(std::optional<std::string> why) {
    std::lock_guard lock(mutex_);
    refusal_ = std::move(why);
  }

  // Waits for the n-th write (0-based); false after 5 s.
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return writes_.size() > n; });
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return writes_.size();
  }
  Write& at(std::size_t n) {
    std::lock_guard lock(mutex_);
    return writes_.at(n);
  }
  void answer(std::size_t n, Result<std::optional<double>> r) {
    auto done = [&] {
      std::lock_guard lock(mutex_);
      return std::move(writes_.at(n).done);
    }();
    done(std::move(r));
  }

 private:
  bool auto_;
  std::optional<std::string> refusal_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Write> writes_;
};

}  // namespace citypulse::testing
