// VerifiedPasswords: which device passwords (basic credentials) were verified
// a moment ago. An Argon2id verification costs a few tenths of a second and
// 64 MiB on purpose; without this, a site whose hundred devices reconnect at
// once after a network flap would keep the blocking pool busy for half a
// minute and delay every other CONNECT.
//
// Contract:
// - remember() records that `password` was verified for `credential`;
//   contains() is true for the same pair until `ttl` has passed. One
//   password per credential: a later remember() replaces the earlier one.
// - Safe because a credential is immutable and its id never reused: a
//   revoked credential leaves the directory, so it is never looked up here
//   again, and no other credential can inherit its entry.
// - Passwords are kept only as a SHA-256 keyed with a random secret of this
//   process, compared in constant time; nothing survives a restart.
// - Entries are bounded by the number of basic credentials; expired ones
//   are dropped as new ones come. Safe from any thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/secret.h"
#include "core/time.h"
#include "model/asset.h"

namespace citypulse::mqtt {

class VerifiedPasswords {
 public:
  explicit VerifiedPasswords(TimeMs ttl = 5 * 60'000) : ttl_(ttl) {}

  bool contains(Id credential, std::string_view password, TimeMs now) const {
    const std::string d = digest(password);
    std::lock_guard lock(mutex_);
    auto it = entries_.find(credential);
    return it != entries_.end() && now < it->second.expires_at &&
           auth::constant_time_equal(it->second.digest, d);
  }

  void remember(Id credential, std::string_view password, TimeMs now) {
    std::string d = digest(password);
    std::lock_guard lock(mutex_);
    if (entries_.size() >= next_sweep_) {
      std::erase_if(entries_, [now](const auto& e) { return e.second.expires_at <= now; });
      // Sweep again only once the map has doubled: amortised O(1) per call.
      next_sweep_ = std::max<std::size_t>(kFirstSweep, 2 * entries_.size());
    }
    entries_[credential] = Entry{std::move(d), now + ttl_};
  }

 private:
  static constexpr std::size_t kFirstSweep = 1024;
  struct Entry {
    std::string digest;
    TimeMs expires_at = 0;
  };

  std::string digest(std::string_view password) const {
    std::string keyed = key_;
    keyed.append(password);
    return auth::sha256_hex(keyed);
  }

  const TimeMs ttl_;
  const std::string key_ = auth::random_token(32);
  mutable std::mutex mutex_;
  std::unordered_map<Id, Entry> entries_;
  std::size_t next_sweep_ = kFirstSweep;
};

}  // namespace citypulse::mqtt
