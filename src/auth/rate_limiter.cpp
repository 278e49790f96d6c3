#include "auth/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace citypulse::auth {

RateLimiter::RateLimiter(std::size_t max_buckets) : max_buckets_(max_buckets) {}

RateDecision RateLimiter::take(const std::string& key, int per_minute, TimeMs now) {
  if (per_minute <= 0) return {};
  const double per_ms = per_minute / 60'000.0;
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= max_buckets_ && !buckets_.contains(key)) prune(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{double(per_minute), now, per_minute});
  Bucket& b = it->second;
  if (!inserted) {
    b.tokens =
        std::min<double>(per_minute, b.tokens + double(std::max<TimeMs>(0, now - b.at)) * per_ms);
    b.at = now;
    b.per_minute = per_minute;
  }
  RateDecision d;
  d.limit = per_minute;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
  } else {
    d.allowed = false;
    d.retry_after_s = static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / per_ms / 1000.0));
  }
  d.remaining = static_cast<int>(b.tokens);
  d.reset_s = static_cast<std::int64_t>(std::ceil((per_minute - b.tokens) / per_ms / 1000.0));
  return d;
}

RateDecision RateLimiter::peek(const std::string& key, int per_minute, TimeMs now) const {
  if (per_minute <= 0) return {};
  const double per_ms = per_minute / 60'000.0;
  double tokens = per_minute;
  {
    std::lock_guard lock(mutex_);
    if (auto it = buckets_.find(key); it != buckets_.end())
      tokens = std::min<double>(
          per_minute,
          it->second.tokens + double(std::max<TimeMs>(0, now - it->second.at)) * per_ms);
  }
  RateDecision d;
  d.limit = per_minute;
  d.allowed = tokens >= 1.0;
  if (!d.allowed)
    d.retry_after_s = static_cast<std::int64_t>(std::ceil((1.0 - tokens) / per_ms / 1000.0));
  d.remaining = static_cast<int>(tokens);
  d.reset_s = static_cast<std::int64_t>(std::ceil((per_minute - tokens) / per_ms / 1000.0));
  return d;
}

std::size_t RateLimiter::buckets() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

// A full bucket is the same as no bucket. If all are still draining (a
// flood of distinct callers), the least recently used half goes: those
// callers get a fresh bucket, which errs on the side of serving them.
void RateLimiter::prune(TimeMs now) {
  std::erase_if(buckets_, [&](const auto& kv) {
    const Bucket& b = kv.second;
    return b.tokens + double(now - b.at) * (b.per_minute / 60'000.0) >= b.per_minute;
  });
  if (buckets_.size() < max_buckets_) return;
  std::vector<TimeMs> ats;
  ats.reserve(buckets_.size());
  for (const auto& [k, b] : buckets_) ats.push_back(b.at);
  auto mid = ats.begin() + static_cast<std::ptrdiff_t>(ats.size() / 2);
  std::nth_element(ats.begin(), mid, ats.end());
  const TimeMs cut = *mid;
  std::erase_if(buckets_, [&](const auto& kv) { return kv.second.at <= cut; });
}

}  // namespace citypulse::auth
