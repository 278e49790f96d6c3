#include "auth/login_throttle.h"

#include <algorithm>
#include <vector>

namespace citypulse::auth {

LoginThrottle::LoginThrottle(int max_failures, std::int64_t window_ms, std::size_t max_tracked)
    : max_failures_(max_failures), window_ms_(window_ms), max_tracked_(max_tracked) {}

std::optional<std::int64_t> LoginThrottle::locked_for(const std::string& email, TimeMs now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(email);
  if (it == entries_.end() || it->second.locked_until <= now) return std::nullopt;
  return it->second.locked_until - now;
}

bool LoginThrottle::record_failure(const std::string& email, TimeMs now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_tracked_ && !entries_.contains(email)) prune(now);
  Entry& e = entries_[email];
  e.last = now;
  while (!e.failures.empty() && e.failures.front() <= now - window_ms_) e.failures.pop_front();
  e.failures.push_back(now);
  if (static_cast<int>(e.failures.size()) < max_failures_) return false;
  e.locked_until = now + window_ms_;
  e.failures.clear();
  return true;
}

void LoginThrottle::record_success(const std::string& email) {
  std::lock_guard lock(mutex_);
  entries_.erase(email);
}

std::size_t LoginThrottle::tracked() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

// Drops what no longer matters; if everything still does (a flood of distinct
// emails), the least recently failed half goes: forgetting a few failures is
// better than unbounded memory.
void LoginThrottle::prune(TimeMs now) {
  std::erase_if(entries_, [&](const auto& kv) {
    return kv.second.locked_until <= now && kv.second.last <= now - window_ms_;
  });
  if (entries_.size() < max_tracked_) return;
  std::vector<TimeMs> lasts;
  lasts.reserve(entries_.size());
  for (const auto& [k, e] : entries_) lasts.push_back(e.last);
  auto mid = lasts.begin() + static_cast<std::ptrdiff_t>(lasts.size() / 2);
  std::nth_element(lasts.begin(), mid, lasts.end());
  const TimeMs cut = *mid;
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.last <= cut; });
}

}  // namespace citypulse::auth
