// RateLimiter: a token bucket per caller and route class.
//
// A bucket holds up to `per_minute` tokens and refills continuously at
// per_minute/60 tokens a second; a request takes one. A limit of 0 means no
// limit. Memory is bounded: buckets that have refilled completely carry no
// information and are dropped, and at most `max_buckets` are kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/time.h"

namespace citypulse::auth {

struct RateDecision {
  bool allowed = true;
  int limit = 0;                   // the class's requests per minute
  int remaining = 0;               // whole tokens left after this request
  std::int64_t reset_s = 0;        // seconds until the bucket is full again
  std::int64_t retry_after_s = 0;  // when refused: seconds until one token is back
};

class RateLimiter {
 public:
  explicit RateLimiter(std::size_t max_buckets = 200'000);

  // Takes one token from the bucket `key` (caller + class) of a class limited
  // to `per_minute`.
  RateDecision take(const std::string& key, int per_minute, TimeMs now);
  // What take() would decide now, without taking a token.
  RateDecision peek(const std::string& key, int per_minute, TimeMs now) const;

  std::size_t buckets() const;

 private:
  struct Bucket {
    double tokens = 0;
    TimeMs at = 0;
    int per_minute = 0;
  };
  void prune(TimeMs now);

  const std::size_t max_buckets_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace citypulse::auth
