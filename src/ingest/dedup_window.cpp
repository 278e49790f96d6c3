#include "ingest/dedup_window.h"

namespace citypulse::ingest {

DedupWindow::Claim DedupWindow::claim(const std::string& key, TimeMs now) {
  if (max_entries_ == 0) return Fresh{};
  std::lock_guard lock(mutex_);
  expire(now);
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (!it->second.done) return Busy{};
    return it->second.answer;
  }
  // Evict the oldest while full; stale elements (forgotten keys) only cost a pop.
  while (entries_.size() >= max_entries_ && !order_.empty()) {
    auto it = entries_.find(order_.front().second);
    if (it != entries_.end() && it->second.expires_at == order_.front().first + window_ms_)
      entries_.erase(it);
    order_.pop_front();
  }
  entries_.emplace(key, Entry{false, {}, now + window_ms_});
  order_.emplace_back(now, key);
  return Fresh{};
}

void DedupWindow::remember(const std::string& key, RememberedAnswer answer) {
  if (max_entries_ == 0) return;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;  // evicted meanwhile: nothing to keep it for
  if (answer.body.size() > kMaxBody) answer.body.clear();
  it->second.done = true;
  it->second.answer = std::move(answer);
}

void DedupWindow::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

std::size_t DedupWindow::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void DedupWindow::expire(TimeMs now) {
  while (!order_.empty() && order_.front().first + window_ms_ <= now) {
    auto it = entries_.find(order_.front().second);
    // Only the element of the key's current claim removes it.
    if (it != entries_.end() && it->second.expires_at == order_.front().first + window_ms_)
      entries_.erase(it);
    order_.pop_front();
  }
  // Forgotten keys leave elements behind; bound them too.
  while (order_.size() > 2 * max_entries_ + 16) {
    auto it = entries_.find(order_.front().second);
    if (it != entries_.end() && it->second.expires_at == order_.front().first + window_ms_)
      entries_.erase(it);
    order_.pop_front();
  }
}

}  // namespace citypulse::ingest
