#include "store/sqlite/sqlite_alarm_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store/sqlite/identity_values.h"
#include "store/sqlite/integrity.h"
#include "store/sqlite/page_rows.h"
#include "store/sqlite/repository.h"

namespace citypulse::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, tenant_id, rule_id, point_id, building_id, severity, state, condition, message, value, "
    "raised_at, last_seen_at, cleared_at, closed_at, count, acknowledged_by, acknowledged_at, "
    "shelved_by, shelved_until, shelve_reason, suppress_reason, assigned_to, incident, version, "
    "updated_at";

// The names were written by this store; anything else is a damaged file.
Result<Alarm> read_alarm(const Statement& st) {
  Alarm a;
  a.id = st.int64(0);
  a.tenant_id = st.int64(1);
  a.rule_id = st.int64(2);
  a.point_id = st.int64(3);
  a.building_id = st.int64(4);
  const auto severity = severity_from_name(st.text(5));
  const auto state = alarm_state_from_name(st.text(6));
  if (!severity || !state)
    return fail(ErrorCode::io, fmt::format("metadata store: alarm {} has an unknown severity or "
                                           "state",
                                           a.id));
  a.severity = *severity;
  a.state = *state;
  a.condition = st.int64(7) != 0;
  a.message = st.text(8);
  a.value = st.real(9);
  a.raised_at = st.int64(10);
  a.last_seen_at = st.int64(11);
  a.cleared_at = optional_int64(st, 12);
  a.closed_at = optional_int64(st, 13);
  a.count = st.int64(14);
  a.acknowledged_by = optional_int64(st, 15);
  a.acknowledged_at = optional_int64(st, 16);
  a.shelved_by = optional_int64(st, 17);
  a.shelved_until = optional_int64(st, 18);
  a.shelve_reason = st.text(19);
  a.suppress_reason = st.text(20);
  a.assigned_to = optional_int64(st, 21);
  a.incident = st.text(22);
  a.version = st.int64(23);
  a.updated_at = st.int64(24);
  return a;
}

// Binds every column after id and tenant_id, in kColumns' order, then the
// version and updated_at.
void bind_fields(Statement& st, const Alarm& a) {
  st.bind(a.rule_id)
      .bind(a.point_id)
      .bind(a.building_id)
      .bind(severity_name(a.severity))
      .bind(alarm_state_name(a.state))
      .bind(std::int64_t{a.condition})
      .bind(a.message)
      .bind(a.value)
      .bind(a.raised_at)
      .bind(a.last_seen_at)
      .bind(a.cleared_at)
      .bind(a.closed_at)
      .bind(a.count)
      .bind(a.acknowledged_by)
      .bind(a.acknowledged_at)
      .bind(a.shelved_by)
      .bind(a.shelved_until)
      .bind(a.shelve_reason)
      .bind(a.suppress_reason)
      .bind(a.assigned_to)
      .bind(a.incident)
      .bind(a.version)
      .bind(a.updated_at);
}

// The scope's conditions on a table with tenant_id and building_id.
std::string scope_condition(const Scope& scope, std::vector<SqlValue>& params,
                            std::string_view prefix = "") {
  std::string sql;
  if (const auto tenant = scope.tenant_id()) {
    sql += fmt::format(" AND {}tenant_id = ?", prefix);
    params.emplace_back(*tenant);
  }
  if (scope.is_building_restricted()) {
    sql += fmt::format(" AND {}building_id IN (SELECT value FROM json_each(?))", prefix);
    params.emplace_back(fmt::format("[{}]", fmt::join(scope.building_ids(), ",")));
  }
  return sql;
}

Status not_found(Id id) {
  return fail(ErrorCode::not_found, fmt::format("alarm {} does not exist", id));
}

}  // namespace

Status SqliteAlarmStore::add_note(const Alarm& alarm, AlarmNote& note) {
  auto st = db_.prepare(
      "INSERT INTO alarm_notes (alarm_id, tenant_id, at, kind, user_id, text, state) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st) return std::unexpected(st.error());
  note.alarm_id = alarm.id;
  st->bind(note.alarm_id)
      .bind(alarm.tenant_id)
      .bind(note.at)
      .bind(note.kind)
      .bind(note.user_id)
      .bind(note.text)
      .bind(alarm_state_name(note.state));
  if (auto s = st->run(); !s) return s;
  note.id = db_.last_insert_id();
  return {};
}

Result<Alarm> SqliteAlarmStore::insert(Alarm alarm, AlarmNote note) {
  return guarded([&]() -> Result<Alarm> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    if (auto exists = tenant_exists(db_, alarm.tenant_id); !exists || !*exists)
      return exists ? fail(ErrorCode::invalid,
                           fmt::format("tenant {} does not exist", alarm.tenant_id), "/tenant_id")
                    : Result<Alarm>(std::unexpected(exists.error()));
    alarm.version = 1;
    auto st = db_.prepare(fmt::format(
        "INSERT INTO alarms ({}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?)",
        kColumns));
    if (!st) return std::unexpected(st.error());
    st->bind(alarm.tenant_id);
    bind_fields(*st, alarm);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    alarm.id = db_.last_insert_id();
    if (auto s = add_note(alarm, note); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return alarm;
  });
}

Result<Alarm> SqliteAlarmStore::update(Alarm alarm, AlarmNote note) {
  return guarded([&]() -> Result<Alarm> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    const std::int64_t expected = alarm.version;
    // Compared first in the same transaction (portable, unlike sqlite3_changes).
    auto current = db_.prepare("SELECT version FROM alarms WHERE id = ? AND tenant_id = ?");
    if (!current) return std::unexpected(current.error());
    current->bind(alarm.id).bind(alarm.tenant_id);
    auto row = current->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::unexpected(not_found(alarm.id).error());
    if (current->int64(0) != expected)
      return fail(ErrorCode::precondition_failed,
                  fmt::format("alarm {} is at version {}, not {}; read it again", alarm.id,
                              current->int64(0), expected));
    alarm.version = expected + 1;
    auto st = db_.prepare(
        "UPDATE alarms SET rule_id = ?, point_id = ?, building_id = ?, severity = ?, state = ?, "
        "condition = ?, message = ?, value = ?, raised_at = ?, last_seen_at = ?, cleared_at = ?, "
        "closed_at = ?, count = ?, acknowledged_by = ?, acknowledged_at = ?, shelved_by = ?, "
        "shelved_until = ?, shelve_reason = ?, suppress_reason = ?, assigned_to = ?, incident = "
        "?, version = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND version = ?");
    if (!st) return std::unexpected(st.error());
    bind_fields(*st, alarm);
    st->bind(alarm.id).bind(alarm.tenant_id).bind(expected);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    if (auto s = add_note(alarm, note); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return alarm;
  });
}

Result<std::vector<Alarm>> SqliteAlarmStore::alarms_where(const std::string& where,
                                                          const std::vector<SqlValue>& params) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM alarms WHERE {}", kColumns, where));
  if (!st) return std::unexpected(st.error());
  bind_all(*st, params);
  std::vector<Alarm> out;
  for (;;) {
    auto more = st->step();
    if (!more) return std::unexpected(more.error());
    if (!*more) return out;
    auto a = read_alarm(*st);
    if (!a) return std::unexpected(a.error());
    out.push_back(std::move(*a));
  }
}

Result<Alarm> SqliteAlarmStore::get(const Scope& scope, Id id) {
  return guarded([&]() -> Result<Alarm> {
    std::vector<SqlValue> params{id};
    const std::string where = "id = ?" + scope_condition(scope, params);
    std::lock_guard lock(mutex_);
    auto found = alarms_where(where, params);
    if (!found) return std::unexpected(found.error());
    if (found->empty()) return std::unexpected(not_found(id).error());
    return std::move(found->front());
  });
}

Result<Page<Alarm>> SqliteAlarmStore::list(const Scope& scope, const AlarmQuery& q) {
  return guarded([&]() -> Result<Page<Alarm>> {
    if (auto s = check_page(q.limit, q.before); !s) return std::unexpected(s.error());
    std::vector<SqlValue> params;
    // Only the conditions asked for appear in the SQL, so each combination
    // is one cached statement.
    std::string where = "1 = 1" + scope_condition(scope, params);
    if (q.before > 0) {
      where += " AND id < ?";
      params.emplace_back(q.before);
    }
    if (q.open_only) where += " AND state <> 'normal'";
    if (q.state) {
      where += " AND state = ?";
      params.emplace_back(std::string(alarm_state_name(*q.state)));
    }
    if (q.min_severity) {
      std::vector<std::string> names;
      for (auto s : kSeverities)
        if (s >= *q.min_severity) names.push_back(fmt::format("'{}'", severity_name(s)));
      where += fmt::format(" AND severity IN ({})", fmt::join(names, ", "));
    }
    for (auto [column, value] :
         {std::pair{"building_id", q.building_id}, std::pair{"rule_id", q.rule_id},
          std::pair{"point_id", q.point_id}})
      if (value) {
        where += fmt::format(" AND {} = ?", column);
        params.emplace_back(*value);
      }
    if (q.since) {
      where += " AND raised_at >= ?";
      params.emplace_back(*q.since);
    }
    if (q.until) {
      where += " AND raised_at < ?";
      params.emplace_back(*q.until);
    }
    // One more row than asked for tells whether another page follows.
    where += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(q.limit + 1));
    std::lock_guard lock(mutex_);
    auto found = alarms_where(where, params);
    if (!found) return std::unexpected(found.error());
    return page_of(std::move(*found), q.limit);
  });
}

Result<std::vector<AlarmNote>> SqliteAlarmStore::history(const Scope& scope, Id alarm_id) {
  if (auto alarm = get(scope, alarm_id); !alarm) return std::unexpected(alarm.error());
  return guarded([&]() -> Result<std::vector<AlarmNote>> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT id, alarm_id, at, kind, user_id, text, state FROM alarm_notes WHERE alarm_id = ? "
        "ORDER BY id");
    if (!st) return std::unexpected(st.error());
    st->bind(alarm_id);
    std::vector<AlarmNote> out;
    for (;;) {
      auto more = st->step();
      if (!more) return std::unexpected(more.error());
      if (!*more) return out;
      AlarmNote n;
      n.id = st->int64(0);
      n.alarm_id = st->int64(1);
      n.at = st->int64(2);
      n.kind = st->text(3);
      n.user_id = optional_int64(*st, 4);
      n.text = st->text(5);
      n.state = alarm_state_from_name(st->text(6)).value_or(AlarmState::normal);
      out.push_back(std::move(n));
    }
  });
}

Result<std::vector<Alarm>> SqliteAlarmStore::open_alarms() {
  return guarded([&]() -> Result<std::vector<Alarm>> {
    std::lock_guard lock(mutex_);
    return alarms_where("state <> 'normal' ORDER BY id", {});
  });
}

Result<std::vector<OpenAlarmCount>> SqliteAlarmStore::open_counts(const Scope& scope) {
  return guarded([&]() -> Result<std::vector<OpenAlarmCount>> {
    std::vector<SqlValue> params;
    const std::string sql = fmt::format(
        "SELECT building_id, severity, state, COUNT(*) FROM alarms WHERE state <> 'normal'{} "
        "GROUP BY building_id, severity, state ORDER BY building_id, severity, state",
        scope_condition(scope, params));
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    std::vector<OpenAlarmCount> out;
    for (;;) {
      auto more = st->step();
      if (!more) return std::unexpected(more.error());
      if (!*more) return out;
      out.push_back({st->int64(0), severity_from_name(st->text(1)).value_or(Severity::info),
                     alarm_state_from_name(st->text(2)).value_or(AlarmState::normal),
                     st->int64(3)});
    }
  });
}

Result<std::vector<AlarmActivation>> SqliteAlarmStore::activations(const Scope& scope, TimeMs since,
                                                                   TimeMs until) {
  return guarded([&]() -> Result<std::vector<AlarmActivation>> {
    std::vector<SqlValue> params;
    std::string sql =
        "SELECT a.id, a.rule_id, a.point_id, a.building_id, n.at FROM alarm_notes n JOIN alarms a "
        "ON a.id = n.alarm_id WHERE n.kind IN ('raised', 'repeated')";
    if (const auto tenant = scope.tenant_id()) {
      // The notes' own tenant column lets the (tenant_id, at) index do the work.
      sql += " AND n.tenant_id = ?";
      params.emplace_back(*tenant);
    }
    sql += " AND n.at >= ? AND n.at < ?";
    params.emplace_back(since);
    params.emplace_back(until);
    if (scope.is_building_restricted()) {
      sql += " AND a.building_id IN (SELECT value FROM json_each(?))";
      params.emplace_back(fmt::format("[{}]", fmt::join(scope.building_ids(), ",")));
    }
    sql += " ORDER BY n.at, n.id";
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    std::vector<AlarmActivation> out;
    for (;;) {
      auto more = st->step();
      if (!more) return std::unexpected(more.error());
      if (!*more) return out;
      out.push_back({st->int64(0), st->int64(1), st->int64(2), st->int64(3), st->int64(4)});
    }
  });
}

Status SqliteAlarmStore::add_notification_attempt(NotificationAttempt a) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    // One statement; the tenant's foreign key refuses a tenant gone meanwhile.
    auto st = db_.prepare(
        "INSERT INTO notification_attempts (tenant_id, alarm_id, building_id, recipient_id, "
        "channel, target, kind, attempt_no, at, outcome, error, next_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    st->bind(a.tenant_id)
        .bind(a.alarm_id)
        .bind(a.building_id)
        .bind(a.recipient_id)
        .bind(a.channel)
        .bind(a.target)
        .bind(a.kind)
        .bind(a.attempt_no)
        .bind(a.at)
        .bind(a.outcome)
        .bind(a.error)
        .bind(a.next_at);
    return st->run();
  });
}

Result<Page<NotificationAttempt>> SqliteAlarmStore::notification_attempts(
    const Scope& scope, std::optional<Id> alarm_id, std::size_t limit, Id before) {
  return guarded([&]() -> Result<Page<NotificationAttempt>> {
    if (auto s = check_page(limit, before); !s) return std::unexpected(s.error());
    std::vector<SqlValue> params;
    std::string sql =
        "SELECT id, tenant_id, alarm_id, building_id, recipient_id, channel, target, kind, "
        "attempt_no, at, outcome, error, next_at FROM notification_attempts WHERE 1 = 1" +
        scope_condition(scope, params);
    if (alarm_id) {
      sql += " AND alarm_id = ?";
      params.emplace_back(*alarm_id);
    }
    if (before > 0) {
      sql += " AND id < ?";
      params.emplace_back(before);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(limit + 1));
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    std::vector<NotificationAttempt> attempts;
    for (;;) {
      auto more = st->step();
      if (!more) return std::unexpected(more.error());
      if (!*more) break;
      NotificationAttempt a;
      a.id = st->int64(0);
      a.tenant_id = st->int64(1);
      a.alarm_id = optional_int64(*st, 2);
      a.building_id = optional_int64(*st, 3);
      a.recipient_id = st->int64(4);
      a.channel = st->text(5);
      a.target = st->text(6);
      a.kind = st->text(7);
      a.attempt_no = st->int64(8);
      a.at = st->int64(9);
      a.outcome = st->text(10);
      a.error = st->text(11);
      a.next_at = optional_int64(*st, 12);
      attempts.push_back(std::move(a));
    }
    return page_of(std::move(attempts), limit);
  });
}

}  // namespace citypulse::sqlite
