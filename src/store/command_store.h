// CommandStore: the commands sent to the plant (model/command.h) and what
// became of each, kept by the relational store (MetaStore::commands()) so
// that a restart finds the commands still pending and the timed overrides
// still to end. Commands are history: they are never changed but by
// finish() and end_override(), and go only with their point.
//
// Contract:
// - route() finds the device that commands a point: the point's device
//   channel mapping (Device::channels), the lowest device id when several map
//   it. not_found when none does.
// - create() assigns the id; a schedule's command whose schedule, change,
//   point and attempt are those of a stored one is conflict (each attempt at
//   a change is written once per point, even when the scheduler runs a pass
//   again after a crash).
//   finish() sets the outcome of a pending command
//   once; a second finish() (an answer after the deadline, say) is conflict
//   and changes nothing.
// - Scoped reads see the scope's tenant and, for a building-limited scope,
//   the commands of its buildings only; anything else is not_found.
// - list() is newest first, so its cursor runs downwards.
// - Each call is atomic. Calls are safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/command.h"
#include "store/meta_store.h"

namespace citypulse {

// The device channel a point is commanded through.
struct CommandRoute {
  Id device_id = 0;
  std::string channel;
  std::string protocol;
  std::string device_status;  // provisioning, active, disabled
  std::string device_name;
};

struct CommandQuery {
  std::optional<Id> point_id;
  std::optional<CommandStatus> status;
  std::size_t limit = 50;  // 1..1000
  Id before = 0;           // commands with a smaller id (the cursor); 0: from the newest
};

class CommandStore {
 public:
  virtual ~CommandStore() = default;

  virtual Result<CommandRoute> route(Id tenant, Id point) = 0;
  virtual Result<Command> create(Command command) = 0;
  virtual Result<Command> finish(Id command, CommandStatus status, TimeMs at,
                                 std::optional<double> read_back, std::string error) = 0;
  // Records that a timed override ended (conflict when it already had).
  virtual Status end_override(Id command, TimeMs at) = 0;
  virtual Result<Command> get(const Scope& scope, Id command) = 0;
  virtual Result<Page<Command>> list(const Scope& scope, const CommandQuery& query) = 0;
  // What a restart must take up: every pending command, and every timed
  // override not yet ended, by ascending id.
  virtual Result<std::vector<Command>> unfinished() = 0;
  // The schedule's command with the highest attempt for its change at
  // `transition_at` to `point`; none when it wrote none there. Unscoped: the
  // scheduler's.
  virtual Result<std::optional<Command>> last_attempt(Id schedule, TimeMs transition_at,
                                                      Id point) = 0;
};

}  // namespace citypulse
