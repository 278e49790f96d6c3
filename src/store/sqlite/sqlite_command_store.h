// CommandStore (store/command_store.h) on the embedded SQLite file, in the
// table of migrations 13 and 14. It shares the store's connection and mutex.
#pragma once

#include <mutex>

#include "sqlite/connection.h"
#include "store/command_store.h"

namespace citypulse::sqlite {

class SqliteCommandStore final : public CommandStore {
 public:
  // Both are the store's and must outlive this.
  SqliteCommandStore(Connection& db, std::mutex& mutex) : db_(db), mutex_(mutex) {}

  Result<CommandRoute> route(Id tenant, Id point) override;
  Result<Command> create(Command command) override;
  Result<Command> finish(Id command, CommandStatus status, TimeMs at,
                         std::optional<double> read_back, std::string error) override;
  Status end_override(Id command, TimeMs at) override;
  Result<Command> get(const Scope& scope, Id command) override;
  Result<Page<Command>> list(const Scope& scope, const CommandQuery& query) override;
  Result<std::vector<Command>> unfinished() override;
  Result<std::optional<Command>> last_attempt(Id schedule, TimeMs transition_at, Id point) override;

 private:
  // The stored command, unscoped; runs with the mutex held.
  Result<Command> read(Id command);

  Connection& db_;
  std::mutex& mutex_;
};

}  // namespace citypulse::sqlite
