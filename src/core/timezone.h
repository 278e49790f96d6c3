// IANA time zones, read from the system's TZif files (RFC 8536), because libstdc++ 12 has no
// std::chrono::tzdb. A Timezone answers two questions for a building's local calendar: what the
// clocks on the wall show at a UTC instant (offset_at), and at which UTC instant they show a
// given wall-clock time (to_utc). All times are TimeMs (ms since the Unix epoch); a "local" or
// "wall-clock" time is written the same way, as if the local reading were UTC.
//
// After load() a Timezone never touches the file system again: the transitions live in memory,
// and instants after the last stored transition follow the POSIX TZ rule from the file's footer
// (e.g. "CET-1CEST,M3.5.0,M10.5.0/3"), so 2100 works with any tzdata build, fat or slim.
//
// Instants are meaningful within ±2^55 ms (about ±1.1 million years); arguments outside that
// range are treated as the nearest bound, so no arithmetic here can overflow.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace citypulse {

struct ZoneRules;  // the decoded file; defined in timezone.cpp

class Timezone {
 public:
  // UTC. Exists so that structs holding a zone need no special construction.
  Timezone();

  // "UTC" and "Etc/UTC" always work, even without tzdata. Other names are looked up under the
  // zoneinfo folder: $TZDIR if set, else /usr/share/zoneinfo. Errors:
  //  - bad_request: the name is empty or does not look like an IANA name (letters, digits, '/',
  //    '_', '-', '+'; no leading, trailing or doubled '/'), so it can never reach outside the
  //    folder;
  //  - not_found: no such zone (message names it);
  //  - invalid: the file is not a valid TZif file, or a leap-second ("right/") zone, which
  //    CityPulse's leap-second-free POSIX time cannot use;
  //  - io: the file exists but cannot be read.
  // A process-wide cache keyed by the file's path means the second load() of a name reads
  // nothing; failures are not cached, so a zone installed later loads. Thread-safe.
  static Result<Timezone> load(std::string_view name);

  // The same as load("UTC"), without a Result.
  static Timezone utc();

  // The name as given to load() ("UTC" for utc() and the default).
  const std::string& name() const;

  // Local time minus UTC, in ms, at UTC instant t (Berlin: +3'600'000 in winter, +7'200'000 in
  // summer). Before the first transition, the zone's earliest offset (often local mean time,
  // Berlin +0:53:28 until 1893).
  std::int64_t offset_at(TimeMs t) const;

  // The wall-clock time at t: t + offset_at(t).
  TimeMs to_local(TimeMs t) const;

  // The UTC instant of wall-clock time `local`: the earliest instant at which the clocks show
  // `local` or later. So a wall time skipped by a forward transition maps to the instant of the
  // transition (the first valid instant after the gap), and a repeated one maps to its earlier
  // occurrence. Non-decreasing in `local`.
  TimeMs to_utc(TimeMs local) const;

  // The latest wall-clock time the clocks have shown at or before t. It equals to_local(t) except
  // just after a backward transition, while the clocks repeat times they already showed; then it
  // is the last wall time before the clocks were set back. It is the exact inverse of to_utc:
  // to_utc(local) <= t exactly when latest_wall_time(t) >= local, which is what lets calendar
  // buckets partition the UTC time line without gaps or overlaps.
  TimeMs latest_wall_time(TimeMs t) const;

  // True when offset_at is a multiple of unit_ms (> 0) at every instant from 1970 on, including
  // the footer rule's offsets for the future: Europe/Berlin yes for 3'600'000, Asia/Kolkata no.
  // Earlier instants are ignored on purpose: tzdata itself does not vouch for them, and before
  // about 1900 every zone ran on local mean time (Berlin +0:53:28), which would make every zone
  // fail; building data starts well after 1970.
  bool offsets_are_multiples_of(std::int64_t unit_ms) const;

 private:
  explicit Timezone(std::shared_ptr<const ZoneRules> rules);

  // The offset in effect at t and the UTC span [start, end) over which it holds: start and end
  // are transitions or the int64 limits. Neighbouring spans may carry the same offset (a change
  // of only the abbreviation).
  struct OffsetSpan {
    TimeMs start;
    TimeMs end;
    std::int64_t offset_ms;
  };
  OffsetSpan span_at(TimeMs t) const;

  // Shared and immutable: copies are a reference count, and threads may share a zone freely.
  std::shared_ptr<const ZoneRules> rules_;
};

}  // namespace citypulse
