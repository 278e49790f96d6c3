#include "store/sqlite/sqlite_schedule_store.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "store/sqlite/identity_values.h"
#include "store/sqlite/page_rows.h"
#include "store/sqlite/repository.h"

namespace citypulse::sqlite {
namespace {

namespace json = boost::json;

constexpr std::string_view kColumns =
    "id, tenant_id, building_id, name, enabled, document, targets, zone_point_id, "
    "outdoor_point_id, state, version, created_at, updated_at";

std::string targets_json(const std::vector<ScheduleTarget>& targets) {
  json::array a;
  for (const auto& t : targets) a.push_back({{"point_id", t.point_id}, {"setpoint", t.setpoint}});
  return json::serialize(a);
}

Result<std::vector<ScheduleTarget>> targets_of(Id schedule, const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  std::vector<ScheduleTarget> out;
  const auto damaged = [&] {
    return fail(ErrorCode::io, fmt::format("schedule {} has damaged targets", schedule));
  };
  if (ec || !v.is_array()) return damaged();
  for (const auto& t : v.as_array()) {
    const auto* o = t.if_object();
    const auto* point = o ? o->if_contains("point_id") : nullptr;
    const auto* setpoint = o ? o->if_contains("setpoint") : nullptr;
    if (!point || !point->is_int64() || !setpoint || !setpoint->is_string()) return damaged();
    out.push_back({point->as_int64(), std::string(setpoint->as_string())});
  }
  return out;
}

Result<ControlSchedule> schedule_of(const Statement& st) {
  ControlSchedule s;
  s.id = st.int64(0);
  s.tenant_id = st.int64(1);
  s.building_id = st.int64(2);
  s.name = st.text(3);
  s.enabled = st.int64(4) != 0;
  s.document = st.text(5);
  auto targets = targets_of(s.id, st.text(6));
  if (!targets) return std::unexpected(targets.error());
  s.targets = std::move(*targets);
  s.zone_point_id = optional_int64(st, 7);
  s.outdoor_point_id = optional_int64(st, 8);
  s.state = st.text(9);
  s.version = st.int64(10);
  s.created_at = st.int64(11);
  s.updated_at = st.int64(12);
  return s;
}

Result<std::vector<ControlSchedule>> schedules_of(Statement& st) {
  std::vector<ControlSchedule> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    auto s = schedule_of(st);
    if (!s) return std::unexpected(s.error());
    out.push_back(std::move(*s));
  }
}

Error missing(Id schedule) {
  return {ErrorCode::not_found, fmt::format("schedule {} not found", schedule), {}};
}

bool sees(const Scope& scope, const ControlSchedule& s) {
  return scope.sees(s.tenant_id) && scope.sees_building(s.building_id);
}

}  // namespace

Result<ControlSchedule> SqliteScheduleStore::read(Id schedule) {
  auto st = db_.prepare(fmt::format("SELECT {} FROM control_schedules WHERE id = ?", kColumns));
  if (!st) return std::unexpected(st.error());
  st->bind(schedule);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::unexpected(missing(schedule));
  return schedule_of(*st);
}

Result<ControlSchedule> SqliteScheduleStore::visible(const Scope& scope, Id schedule) {
  auto s = read(schedule);
  if (s && !sees(scope, *s)) return std::unexpected(missing(schedule));
  return s;
}

Result<ControlSchedule> SqliteScheduleStore::create(const Scope& scope, ControlSchedule s,
                                                    TimeMs now) {
  return guarded([&]() -> Result<ControlSchedule> {
    std::lock_guard lock(mutex_);
    auto building = db_.prepare("SELECT tenant_id FROM buildings WHERE id = ?");
    if (!building) return std::unexpected(building.error());
    building->bind(s.building_id);
    auto row = building->step();
    if (!row) return std::unexpected(row.error());
    if (!*row || !scope.sees(building->int64(0)) || !scope.sees_building(s.building_id))
      return fail(ErrorCode::invalid, fmt::format("building {} does not exist", s.building_id),
                  "/building_id");
    s.tenant_id = building->int64(0);
    auto st = db_.prepare(
        "INSERT INTO control_schedules (tenant_id, building_id, name, enabled, document, targets, "
        "zone_point_id, outdoor_point_id, state, version, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', 1, ?, ?)");
    if (!st) return std::unexpected(st.error());
    st->bind(s.tenant_id)
        .bind(s.building_id)
        .bind(std::string_view(s.name))
        .bind(std::int64_t{s.enabled})
        .bind(std::string_view(s.document))
        .bind(std::string_view(targets_json(s.targets)))
        .bind(s.zone_point_id)
        .bind(s.outdoor_point_id)
        .bind(now)
        .bind(now);
    if (auto r = st->run(); !r) return std::unexpected(r.error());
    s.id = db_.last_insert_id();
    s.state = "{}";
    s.version = 1;
    s.created_at = s.updated_at = now;
    ++changes_;
    return s;
  });
}

Result<ControlSchedule> SqliteScheduleStore::get(const Scope& scope, Id schedule) {
  return guarded([&]() -> Result<ControlSchedule> {
    std::lock_guard lock(mutex_);
    return visible(scope, schedule);
  });
}

Result<Page<ControlSchedule>> SqliteScheduleStore::list(const Scope& scope,
                                                        const ScheduleQuery& query) {
  return guarded([&]() -> Result<Page<ControlSchedule>> {
    if (auto s = check_page(query.limit, query.after); !s) return std::unexpected(s.error());
    std::vector<SqlValue> params{std::int64_t{query.after}};
    std::string sql = fmt::format("SELECT {} FROM control_schedules WHERE id > ?", kColumns);
    sql += tenant_condition(scope, params);
    if (scope.is_building_restricted()) {
      sql += " AND building_id IN (SELECT value FROM json_each(?))";
      params.emplace_back(json::serialize(json::value_from(scope.building_ids())));
    }
    if (query.building_id) {
      sql += " AND building_id = ?";
      params.emplace_back(*query.building_id);
    }
    sql += " ORDER BY id LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(query.limit + 1));
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    auto found = schedules_of(*st);
    if (!found) return std::unexpected(found.error());
    return page_of(std::move(*found), query.limit);
  });
}

Result<ControlSchedule> SqliteScheduleStore::update(const Scope& scope, ControlSchedule s,
                                                    std::optional<std::int64_t> expected_version,
                                                    TimeMs now) {
  return guarded([&]() -> Result<ControlSchedule> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = visible(scope, s.id);
    if (!current) return current;
    if (expected_version && *expected_version != current->version)
      return fail(ErrorCode::precondition_failed,
                  fmt::format("schedule {} is at version {}, not {}", s.id, current->version,
                              *expected_version));
    auto st = db_.prepare(
        "UPDATE control_schedules SET name = ?, enabled = ?, document = ?, targets = ?, "
        "zone_point_id = ?, outdoor_point_id = ?, version = version + 1, updated_at = ? "
        "WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(std::string_view(s.name))
        .bind(std::int64_t{s.enabled})
        .bind(std::string_view(s.document))
        .bind(std::string_view(targets_json(s.targets)))
        .bind(s.zone_point_id)
        .bind(s.outdoor_point_id)
        .bind(now)
        .bind(s.id);
    if (auto r = st->run(); !r) return std::unexpected(r.error());
    auto updated = read(s.id);
    if (!updated) return updated;
    if (auto r = tx->commit(); !r) return std::unexpected(r.error());
    ++changes_;
    return updated;
  });
}

Status SqliteScheduleStore::remove(const Scope& scope, Id schedule,
                                   std::optional<std::int64_t> expected_version) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto current = visible(scope, schedule);
    if (!current) return std::unexpected(current.error());
    if (expected_version && *expected_version != current->version)
      return fail(ErrorCode::precondition_failed,
                  fmt::format("schedule {} is at version {}, not {}", schedule, current->version,
                              *expected_version));
    auto st = db_.prepare("DELETE FROM control_schedules WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(schedule);
    if (auto r = st->run(); !r) return r;
    ++changes_;
    return {};
  });
}

Result<std::vector<ControlSchedule>> SqliteScheduleStore::all() {
  return guarded([&]() -> Result<std::vector<ControlSchedule>> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(fmt::format("SELECT {} FROM control_schedules ORDER BY id", kColumns));
    if (!st) return std::unexpected(st.error());
    return schedules_of(*st);
  });
}

Status SqliteScheduleStore::save_state(Id schedule, std::string state) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("UPDATE control_schedules SET state = ? WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(std::string_view(state)).bind(schedule);
    return st->run();
  });
}

}  // namespace citypulse::sqlite
