#include "notify/retry.h"

#include <algorithm>

namespace citypulse::notify {

bool retryable(const Error& error) {
  switch (error.code) {
    case ErrorCode::unavailable:
    case ErrorCode::timed_out:
    case ErrorCode::too_many_requests:
      return true;
    default:
      return false;
  }
}

Status check_retry_policy(const RetryPolicy& policy) {
  if (policy.base_delay_ms < 1)
    return fail(ErrorCode::invalid, "the first retry delay must be at least 1 ms", "base_delay_ms");
  if (policy.max_delay_ms < policy.base_delay_ms)
    return fail(ErrorCode::invalid, "the longest retry delay must not be below the first",
                "max_delay_ms");
  if (policy.max_attempts < 1 || policy.max_attempts > 100)
    return fail(ErrorCode::invalid, "attempts must be between 1 and 100", "max_attempts");
  if (!(policy.jitter >= 0.0 && policy.jitter <= 1.0))
    return fail(ErrorCode::invalid, "jitter is a fraction between 0 and 1", "jitter");
  return {};
}

std::int64_t backoff_delay_ms(const RetryPolicy& policy, int attempt_no, double u) {
  const std::int64_t cap = std::max(1, policy.max_delay_ms);
  std::int64_t delay = std::max(1, policy.base_delay_ms);
  // Doubling stops at the cap, so a large attempt number cannot overflow.
  for (int n = 1; n < attempt_no && delay < cap; ++n) delay *= 2;
  delay = std::min(delay, cap);
  if (policy.jitter > 0.0) {
    const double shortened =
        static_cast<double>(delay) * (1.0 - policy.jitter * std::clamp(u, 0.0, 1.0));
    delay = static_cast<std::int64_t>(shortened);
  }
  return std::max<std::int64_t>(1, delay);
}

}  // namespace citypulse::notify
