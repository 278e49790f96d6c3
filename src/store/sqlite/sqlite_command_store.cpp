#include "store/sqlite/sqlite_command_store.h"

#include <fmt/format.h>

#include "store/sqlite/identity_values.h"
#include "store/sqlite/page_rows.h"
#include "store/sqlite/repository.h"

namespace citypulse::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, tenant_id, building_id, point_id, device_id, channel, protocol, value, priority, origin, "
    "user_id, api_key_id, actor, requested_at, deadline_at, expires_at, previous, ends, status, "
    "completed_at, read_back, error, ended_at, schedule_id, transition_at, attempt";

std::optional<double> optional_real(const Statement& st, int column) {
  if (st.is_null(column)) return std::nullopt;
  return st.real(column);
}

Result<Command> command_of(const Statement& st) {
  Command c;
  c.id = st.int64(0);
  c.tenant_id = st.int64(1);
  c.building_id = st.int64(2);
  c.point_id = st.int64(3);
  c.device_id = st.int64(4);
  c.channel = st.text(5);
  c.protocol = st.text(6);
  c.value = optional_real(st, 7);
  if (auto p = optional_int64(st, 8)) c.priority = static_cast<int>(*p);
  auto origin = parse_command_origin(st.text(9));
  auto status = parse_command_status(st.text(18));
  if (!origin || !status)
    return fail(ErrorCode::io, fmt::format("command {} has an unknown origin or status", c.id));
  c.origin = *origin;
  c.user_id = optional_int64(st, 10);
  c.api_key_id = optional_int64(st, 11);
  c.actor = st.text(12);
  c.requested_at = st.int64(13);
  c.deadline_at = st.int64(14);
  c.expires_at = optional_int64(st, 15);
  c.previous = optional_real(st, 16);
  c.ends = optional_int64(st, 17);
  c.status = *status;
  c.completed_at = optional_int64(st, 19);
  c.read_back = optional_real(st, 20);
  c.error = st.text(21);
  c.ended_at = optional_int64(st, 22);
  c.schedule_id = optional_int64(st, 23);
  c.transition_at = optional_int64(st, 24);
  c.attempt = static_cast<int>(st.int64(25));
  return c;
}

Result<std::vector<Command>> commands_of(Statement& st) {
  std::vector<Command> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    auto c = command_of(st);
    if (!c) return std::unexpected(c.error());
    out.push_back(std::move(*c));
  }
}

// " AND building_id IN (...)" for a building-limited scope ("AND 0" when it
// has none), appending the ids to `params`.
std::string building_condition(const Scope& scope, std::vector<SqlValue>& params) {
  if (!scope.is_building_restricted()) return {};
  if (scope.building_ids().empty()) return " AND 0";
  std::string sql = " AND building_id IN (";
  for (std::size_t i = 0; i < scope.building_ids().size(); ++i) {
    sql += i ? ", ?" : "?";
    params.emplace_back(scope.building_ids()[i]);
  }
  return sql + ")";
}

Error missing(Id command) {
  return {ErrorCode::not_found, fmt::format("command {} not found", command), {}};
}

}  // namespace

Result<CommandRoute> SqliteCommandStore::route(Id tenant, Id point) {
  return guarded([&]() -> Result<CommandRoute> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT d.id, c.channel, d.protocol, d.status, d.name FROM device_channels c "
        "JOIN devices d ON d.id = c.device_id WHERE c.point_id = ? AND d.tenant_id = ? "
        "ORDER BY d.id LIMIT 1");
    if (!st) return std::unexpected(st.error());
    st->bind(point).bind(tenant);
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
      return fail(
          ErrorCode::not_found,
          fmt::format("no device maps a channel to point {}, so nothing can command it", point));
    return CommandRoute{.device_id = st->int64(0),
                        .channel = st->text(1),
                        .protocol = st->text(2),
                        .device_status = st->text(3),
                        .device_name = st->text(4)};
  });
}

Result<Command> SqliteCommandStore::create(Command c) {
  return guarded([&]() -> Result<Command> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "INSERT INTO commands (tenant_id, building_id, point_id, device_id, channel, protocol, "
        "value, priority, origin, user_id, api_key_id, actor, requested_at, deadline_at, "
        "expires_at, previous, ends, status, completed_at, read_back, error, ended_at, "
        "schedule_id, transition_at, attempt) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    const auto priority =
        c.priority ? std::optional<std::int64_t>(*c.priority) : std::optional<std::int64_t>();
    st->bind(c.tenant_id)
        .bind(c.building_id)
        .bind(c.point_id)
        .bind(c.device_id)
        .bind(std::string_view(c.channel))
        .bind(std::string_view(c.protocol))
        .bind(c.value)
        .bind(priority)
        .bind(command_origin_name(c.origin))
        .bind(c.user_id)
        .bind(c.api_key_id)
        .bind(std::string_view(c.actor))
        .bind(c.requested_at)
        .bind(c.deadline_at)
        .bind(c.expires_at)
        .bind(c.previous)
        .bind(c.ends)
        .bind(command_status_name(c.status))
        .bind(c.completed_at)
        .bind(c.read_back)
        .bind(std::string_view(c.error))
        .bind(c.ended_at)
        .bind(c.schedule_id)
        .bind(c.transition_at)
        .bind(std::int64_t{c.attempt});
    if (auto s = st->run(); !s) {
      if (s.error().code == ErrorCode::conflict && c.schedule_id)
        return fail(
            ErrorCode::conflict,
            fmt::format("schedule {} wrote point {} for its change at {} already{}", *c.schedule_id,
                        c.point_id, format_rfc3339(c.transition_at.value_or(0)),
                        c.attempt > 0 ? fmt::format(" (attempt {})", c.attempt) : ""));
      return std::unexpected(s.error());
    }
    c.id = db_.last_insert_id();
    return c;
  });
}

Result<Command> SqliteCommandStore::read(Id command) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM commands WHERE id = ?", kColumns));
  if (!st) return std::unexpected(st.error());
  st->bind(command);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::unexpected(missing(command));
  return command_of(*st);
}

Result<Command> SqliteCommandStore::finish(Id command, CommandStatus status, TimeMs at,
                                           std::optional<double> read_back, std::string error) {
  return guarded([&]() -> Result<Command> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = read(command);
    if (!current) return current;
    if (current->status != CommandStatus::pending)
      return fail(ErrorCode::conflict, fmt::format("command {} is already {}", command,
                                                   command_status_name(current->status)));
    auto st = db_.prepare(
        "UPDATE commands SET status = ?, completed_at = ?, read_back = ?, error = ? WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(command_status_name(status))
        .bind(at)
        .bind(read_back)
        .bind(std::string_view(error))
        .bind(command);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    current->status = status;
    current->completed_at = at;
    current->read_back = read_back;
    current->error = std::move(error);
    return current;
  });
}

Status SqliteCommandStore::end_override(Id command, TimeMs at) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = read(command);
    if (!current) return std::unexpected(current.error());
    if (!current->expires_at || current->ended_at)
      return fail(ErrorCode::conflict,
                  fmt::format("command {} is no timed override still running", command));
    auto st = db_.prepare("UPDATE commands SET ended_at = ? WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(at).bind(command);
    if (auto s = st->run(); !s) return s;
    return tx->commit();
  });
}

Result<Command> SqliteCommandStore::get(const Scope& scope, Id command) {
  return guarded([&]() -> Result<Command> {
    std::lock_guard lock(mutex_);
    auto c = read(command);
    if (!c) return c;
    if (!scope.sees(c->tenant_id) || !scope.sees_building(c->building_id))
      return std::unexpected(missing(command));
    return c;
  });
}

Result<Page<Command>> SqliteCommandStore::list(const Scope& scope, const CommandQuery& query) {
  return guarded([&]() -> Result<Page<Command>> {
    if (auto s = check_page(query.limit, query.before); !s) return std::unexpected(s.error());
    std::vector<SqlValue> params;
    std::string sql = fmt::format("SELECT {} FROM commands WHERE 1 = 1", kColumns);
    if (query.before > 0) {
      sql += " AND id < ?";
      params.emplace_back(query.before);
    }
    sql += tenant_condition(scope, params);
    sql += building_condition(scope, params);
    if (query.point_id) {
      sql += " AND point_id = ?";
      params.emplace_back(*query.point_id);
    }
    if (query.status) {
      sql += " AND status = ?";
      params.emplace_back(std::string(command_status_name(*query.status)));
    }
    // One more row than asked for tells whether another page follows.
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(query.limit + 1));
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    auto commands = commands_of(*st);
    if (!commands) return std::unexpected(commands.error());
    return page_of(std::move(*commands), query.limit);
  });
}

Result<std::vector<Command>> SqliteCommandStore::unfinished() {
  return guarded([&]() -> Result<std::vector<Command>> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(fmt::format(
        "SELECT {} FROM commands WHERE status = 'pending' UNION SELECT {} FROM commands "
        "WHERE expires_at IS NOT NULL AND ended_at IS NULL ORDER BY id",
        kColumns, kColumns));
    if (!st) return std::unexpected(st.error());
    return commands_of(*st);
  });
}

Result<std::optional<Command>> SqliteCommandStore::last_attempt(Id schedule, TimeMs transition_at,
                                                                Id point) {
  return guarded([&]() -> Result<std::optional<Command>> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        fmt::format("SELECT {} FROM commands WHERE schedule_id = ? AND transition_at = ? AND "
                    "point_id = ? ORDER BY attempt DESC LIMIT 1",
                    kColumns));
    if (!st) return std::unexpected(st.error());
    st->bind(schedule).bind(transition_at).bind(point);
    auto commands = commands_of(*st);
    if (!commands) return std::unexpected(commands.error());
    if (commands->empty()) return std::optional<Command>();
    return std::optional<Command>(std::move(commands->front()));
  });
}

}  // namespace citypulse::sqlite
