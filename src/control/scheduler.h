// Scheduler: runs the control schedules (store/schedule_store.h) — at each
// change of mode it writes the new mode's setpoints to the schedule's target
// points through the command service (origin "schedule", BACnet priority 16),
// and with optimal start it brings occupancy's setpoints forward by the lead
// a zone's learned warm-up rate asks for (docs/control.md, "Schedules").
//
// Exactly once: each write carries its schedule and the instant of the change
// it applies (its key: the change's instant, or the schedule's last update
// when that is later, so an edited schedule is applied at once), and the
// commands table takes one command per (schedule, key, point) — a pass that
// runs again after a crash between the write and the saved state is refused
// by the store rather than repeated. After a stop only the mode in force is
// written (the changes missed meanwhile are superseded, never replayed); a
// change early by optimal start is not written again when its hour comes.
//
// A write that fails or times out (the device offline, say) is made again
// while its change is in force, after 1, 2, 4... minutes, at most 30 minutes
// apart, each attempt a command of its own numbered from 0; a write the
// command service refuses outright (an override, the point's range, a
// disabled device) is not. The attempts are read from the commands table, so
// a restart takes them up where they were and never repeats one.
//
// A point under an operator's timed override is left alone (except BACnet,
// where the schedule writes beneath the override's priority); when the
// override ends, the command service asks value_at() for what to give back.
//
// Optimal start: while a schedule with a zone point is not occupied and its
// next change to occupied lies within the model's maximum lead, each pass
// computes the lead from the zone's latest temperature, the occupied heating
// setpoint and the outdoor temperature (0 °C when the schedule names no
// outdoor point: the model then learns one rate), and starts occupancy when
// the lead is reached. Some hours later it reads the zone's temperatures since
// that start, finds the warm-up (control/recovery_history.h) and teaches the
// model; the model is kept in the schedule's state, so a restart loses nothing.
//
// One thread of its own; passes at most once a second. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "control/command_service.h"
#include "core/result.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse::control {

struct SchedulerOptions {
  std::int64_t pass_ms = 1000;  // how often the thread looks
  // How far back the change that started the mode in force is looked for.
  std::int64_t catch_up_ms = 14LL * 86'400'000;
  // How long after an early start the warm-up is read from history.
  std::int64_t learn_after_ms = 4LL * 3'600'000;
  // A failed write is made again after retry_first_ms, twice as long after
  // each further failure, at most retry_max_ms.
  std::int64_t retry_first_ms = 60'000;
  std::int64_t retry_max_ms = 30 * 60'000;
  // How often a write still pending is looked at.
  std::int64_t settle_check_ms = 15'000;
  std::function<TimeMs()> clock;  // now_ms when empty
};

class Scheduler {
 public:
  // All must outlive the scheduler; `series` may be null (no optimal start).
  Scheduler(MetaStore& store, SeriesStore* series, CommandService& commands,
            SchedulerOptions options = {});
  ~Scheduler();  // stops
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Status start();
  void stop();

  // One pass now, on the caller's thread (for a scheduler not started).
  void run_once();

  // The value the enabled schedules give `point` at `at`; none when none
  // targets it.
  std::optional<double> value_at(Id point, TimeMs at) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace citypulse::control
