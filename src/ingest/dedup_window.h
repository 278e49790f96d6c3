// DedupWindow: remembers the answer given to a message that carried an
// identity of its own (an HTTP Idempotency-Key, a LoRaWAN deduplicationId),
// so a sender that retries — because our answer was lost, or its network
// server re-delivers — is answered the same and nothing is stored twice.
//
// claim() a key before doing the work: fresh means go ahead and then
// remember() the answer (or forget() it when the work failed, so a retry may
// try again); a key claimed by a request still in progress is `busy`; a key
// answered before gives back that answer. Keys are remembered for `window_ms`
// and at most `max_entries` of them (the oldest go first), so memory is
// bounded whatever senders do; after a restart the window is empty.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

#include "core/time.h"

namespace citypulse::ingest {

struct RememberedAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
};

class DedupWindow {
 public:
  DedupWindow(std::int64_t window_ms, std::size_t max_entries)
      : window_ms_(window_ms), max_entries_(max_entries) {}

  struct Fresh {};
  struct Busy {};
  using Claim = std::variant<Fresh, Busy, RememberedAnswer>;

  // With max_entries 0 every claim is Fresh and nothing is remembered.
  Claim claim(const std::string& key, TimeMs now);
  // Answers longer than kMaxBody bytes are remembered without their body
  // text (status and type only): replaying a huge body is not worth the memory.
  void remember(const std::string& key, RememberedAnswer answer);
  void forget(const std::string& key);

  std::size_t size() const;

  static constexpr std::size_t kMaxBody = 4096;

 private:
  struct Entry {
    bool done = false;
    RememberedAnswer answer;
    TimeMs expires_at = 0;
  };
  void expire(TimeMs now);

  const std::int64_t window_ms_;
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  // Keys in claim order, for expiry and eviction; a key forgotten or
  // re-claimed leaves a stale element that is skipped when it comes up.
  std::deque<std::pair<TimeMs, std::string>> order_;
};

}  // namespace citypulse::ingest
