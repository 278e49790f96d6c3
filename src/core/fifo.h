// Fifo<T>: a first-in, first-out sequence that holds no memory while it is
// empty and gives back what a burst made it grow to once it drains.
//
// Why not std::deque: libstdc++'s deque allocates about 600 bytes the moment
// it is constructed, and an idle MQTT connection has three of them (its
// session's queue and in-flight list, the acknowledgements it owes) — more
// than all the rest of what an idle connection costs.
//
// Elements live in one vector from `head_` on; pop_front() leaves a
// moved-from hole that is compacted away once the holes are half the
// vector, so every operation is amortised O(1) but erase() (O(n), for the
// short in-flight lists that remove from the middle).
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace citypulse {

template <class T>
class Fifo {
 public:
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  // Slots held, popped ones included: what the memory bound is about.
  std::size_t capacity() const { return items_.capacity(); }

  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  T& back() { return items_.back(); }
  T& operator[](std::size_t i) { return items_[head_ + i]; }
  const T& operator[](std::size_t i) const { return items_[head_ + i]; }

  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }

  void push_back(T value) { items_.push_back(std::move(value)); }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    return items_.emplace_back(std::forward<Args>(args)...);
  }

  void pop_front() {
    items_[head_] = T{};  // let go of what the element holds now, not at compaction
    ++head_;
    if (head_ == items_.size())
      settle_empty();
    else if (head_ >= kCompactAfter && 2 * head_ >= items_.size())
      compact();
  }

  iterator erase(iterator at) {
    auto next = items_.erase(at);
    if (empty()) {
      settle_empty();
      return end();
    }
    return next;
  }

  template <class Predicate>
  std::size_t erase_if(Predicate remove) {
    const auto first = std::remove_if(begin(), end(), remove);
    const auto n = static_cast<std::size_t>(end() - first);
    items_.erase(first, items_.end());
    if (empty()) settle_empty();
    return n;
  }

  template <class It>
  void assign(It first, It last) {
    items_.assign(first, last);
    head_ = 0;
  }

  void clear() {
    items_.clear();
    settle_empty();
  }

 private:
  static constexpr std::size_t kCompactAfter = 32;
  // A drained queue keeps a little room (it fills again at once under load)
  // but never what a long backlog needed.
  static constexpr std::size_t kKeptCapacity = 64;

  void settle_empty() {
    items_.clear();
    head_ = 0;
    if (items_.capacity() > kKeptCapacity) std::vector<T>().swap(items_);
  }
  void compact() {
    items_.erase(items_.begin(), begin());
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace citypulse
