// LoginThrottle: slows down password guessing against one account.
//
// After `max_failures` failed sign-ins for one email within `window`, the
// email is locked for `window` from the last failure: further attempts are
// refused without checking the password. The lock applies whether or not the
// email exists, so the answer does not reveal that either. A success clears
// the count. Memory is bounded: entries older than the window are dropped,
// and at most `max_tracked` emails are tracked (the oldest go first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/time.h"

namespace citypulse::auth {

class LoginThrottle {
 public:
  LoginThrottle(int max_failures, std::int64_t window_ms, std::size_t max_tracked = 100'000);

  // When the email is locked at `now`: the milliseconds until it opens again.
  std::optional<std::int64_t> locked_for(const std::string& email, TimeMs now);
  // Returns whether this failure locked the email.
  bool record_failure(const std::string& email, TimeMs now);
  void record_success(const std::string& email);

  std::size_t tracked() const;

 private:
  struct Entry {
    std::deque<TimeMs> failures;  // within the window, oldest first
    TimeMs locked_until = 0;
    TimeMs last = 0;
  };
  void prune(TimeMs now);

  const int max_failures_;
  const std::int64_t window_ms_;
  const std::size_t max_tracked_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace citypulse::auth
