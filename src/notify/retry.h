// Which delivery failures are worth another attempt, and how long to wait
// before it. One place decides both, so email, webhooks and SMS retry alike
// and the alarm service never guesses from message text.
#pragma once

#include <cstdint>

#include "core/result.h"

namespace citypulse::notify {

// True for failures that may pass by themselves: the peer could not be
// reached or was overloaded (unavailable), did not answer in time
// (timed_out), or asked us to slow down (too_many_requests). Everything
// else — a refused recipient, bad credentials, a 4xx from a webhook, bad
// settings — fails the same way on every attempt and is not retried.
bool retryable(const Error& error);

// Exponential backoff: the wait after failed attempt n (1-based) is
// base_delay_ms * 2^(n-1), capped at max_delay_ms. With jitter j (0..1) the
// wait is shortened by up to j of itself, so many deliveries that failed
// together (one mail server down) do not all come back in the same instant.
struct RetryPolicy {
  int base_delay_ms = 5'000;       // wait after the first failure
  int max_delay_ms = 15 * 60'000;  // the longest wait
  int max_attempts = 8;            // attempts in all, the first included
  double jitter = 0.0;             // 0: exact waits (what tests use)
};

// invalid (naming the field) unless 1 <= base_delay_ms <= max_delay_ms,
// 1 <= max_attempts <= 100 and 0 <= jitter <= 1.
Status check_retry_policy(const RetryPolicy& policy);

// The wait after failed attempt `attempt_no` (1-based), for a draw `u` in
// [0, 1) that scales the jitter (ignored when jitter is 0). Never less than
// 1 ms, never more than max_delay_ms; no overflow for any attempt number.
std::int64_t backoff_delay_ms(const RetryPolicy& policy, int attempt_no, double u = 0.0);

}  // namespace citypulse::notify
