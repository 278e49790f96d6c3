// CommandService: sends values to the plant and keeps what became of them
// (docs/control.md, "Commands").
//
// submit() checks a command and stores it pending before anything is sent:
// - the point is visible to the caller's scope (not_found otherwise) and a
//   setpoint or command point (conflict: a sensor or status is read, never
//   written);
// - the value lies within the point's min_value..max_value (invalid, field
//   "/value"); a relinquish (no value) needs a BACnet device;
// - a device maps a channel to the point, is not disabled and speaks a
//   protocol CityPulse writes (bacnet_ip, modbus_tcp, http_poll, mqtt):
//   conflict otherwise, saying which.
// Then the value goes to the PlantWriter; its answer finishes the command
// confirmed (the device took it and, where the protocol reads it back, holds
// a value within the point's tolerance of it), failed (refused, or it holds
// another value — a higher BACnet priority, a local override) or timed_out
// (no answer by the deadline). Each step is a command_result event on the
// bus (details: the command's JSON and "change": requested | completed |
// ended) and the outcome is audited.
//
// Timed overrides: a command with a duration holds until it expires (or is
// released); then the point returns to what governs it otherwise —
// - BACnet: the override's priority is relinquished, so the lower ones (the
//   schedule writes at the schedule priority) hold again;
// - other protocols: the value its schedule gives it now (the schedule
//   lookup) or else the value it had before the override.
// A new command on an overridden point replaces the override (which ends
// without a write of its own; the value before it is carried over). A
// schedule's command to an overridden point is conflict, except on BACnet
// where it writes beneath the override's priority.
//
// Restarts: start() finds what the last run left unfinished — a command
// still pending is timed_out ("the server stopped before the device
// answered"), and each timed override not yet ended is ended at once when
// it expired meanwhile, or waits for its end. Nothing is sent twice.
//
// Completions, deadlines and expiries are handled on the service's own
// thread, so no driver's thread ever waits on the store. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bus/event_bus.h"
#include "control/plant_writer.h"
#include "core/result.h"
#include "model/command.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse::control {

struct CommandRequest {
  Id point_id = 0;
  std::optional<double> value;              // none: relinquish
  std::optional<int> priority;              // 1..16 but 6; the origin's default when none
  std::optional<std::int64_t> duration_ms;  // a timed override
  CommandOrigin origin = CommandOrigin::operator_;
  std::optional<Id> user_id;
  std::optional<Id> api_key_id;
  std::string actor;
  std::optional<Id> schedule_id;        // origin schedule: whose change
  std::optional<TimeMs> transition_at;  // and which
  int attempt = 0;                      // and which write of it (0: the first)
};

struct CommandServiceOptions {
  std::int64_t answer_timeout_ms = 30'000;  // the deadline after submit
  int operator_priority = 8;                // BACnet "manual operator"
  int schedule_priority = 16;               // the lowest: any operator's write wins
  std::size_t max_pending = 10'000;         // unavailable beyond (nothing is queued unbounded)
  std::function<TimeMs()> clock;            // now_ms when empty
};

// The value a schedule gives a point at an instant; none when no schedule
// governs it.
using ScheduleLookup = std::function<std::optional<double>(Id point, TimeMs at)>;

class CommandService {
 public:
  // `store` and `writer` must outlive the service; `series` (for the value
  // before an override) and `bus` may be null.
  CommandService(MetaStore& store, SeriesStore* series, PlantWriter& writer, bus::EventBus* bus,
                 CommandServiceOptions options = {});
  ~CommandService();  // stops
  CommandService(const CommandService&) = delete;
  CommandService& operator=(const CommandService&) = delete;

  // Set before start().
  void set_schedule_lookup(ScheduleLookup lookup);

  // Takes up what the last run left unfinished and starts the thread.
  Status start();
  // Stops the thread; commands still pending stay pending in the store (the
  // next start times them out).
  void stop();

  // Stores the command pending and sends it; the stored command.
  Result<Command> submit(const Scope& scope, CommandRequest request);

  // Ends a running timed override now, as if it had expired (conflict when
  // `command` is no running override).
  Result<Command> release(const Scope& scope, Id command);

  // Whether a timed override holds `point` now.
  bool overridden(Id point) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace citypulse::control
