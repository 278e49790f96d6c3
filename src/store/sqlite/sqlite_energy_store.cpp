#include "store/sqlite/sqlite_energy_store.h"

#include <fmt/format.h>

#include "store/sqlite/repository.h"

namespace citypulse::sqlite {
namespace {

struct Tables {
  std::string_view settings;  // the settings table
  std::string_view key;       // its key column
  std::string_view owner;     // the point or building query: tenant_id, building id
  std::string_view what;      // for messages
};

Tables tables_of(EnergySubject subject) {
  if (subject == EnergySubject::meter)
    return {"meter_settings", "point_id", "SELECT tenant_id, building_id FROM points WHERE id = ?",
            "point"};
  return {"building_energy_settings", "building_id",
          "SELECT tenant_id, id FROM buildings WHERE id = ?", "building"};
}

std::unexpected<Error> no_such(EnergySubject subject, Id id) {
  return fail(ErrorCode::not_found, fmt::format("{} {} not found", tables_of(subject).what, id));
}

}  // namespace

Result<std::pair<Id, Id>> SqliteEnergyStore::owner(const Scope& scope, EnergySubject subject,
                                                   Id id) {
  auto st = db_.prepare(tables_of(subject).owner);
  if (!st) return std::unexpected(st.error());
  st->bind(id);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return no_such(subject, id);
  const Id tenant = st->int64(0), building = st->int64(1);
  if (!scope.sees(tenant) || !scope.sees_building(building)) return no_such(subject, id);
  return std::pair{tenant, building};
}

Result<std::optional<EnergySettings>> SqliteEnergyStore::stored(EnergySubject subject, Id id,
                                                                Id tenant, Id building) {
  const auto t = tables_of(subject);
  auto st = db_.prepare(
      fmt::format("SELECT document, version, updated_at FROM {} WHERE {} = ?", t.settings, t.key));
  if (!st) return std::unexpected(st.error());
  st->bind(id);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<EnergySettings>{};
  return EnergySettings{.subject = subject,
                        .id = id,
                        .tenant_id = tenant,
                        .building_id = building,
                        .document = st->text(0),
                        .version = st->int64(1),
                        .updated_at = st->int64(2)};
}

Result<EnergySettings> SqliteEnergyStore::settings(const Scope& scope, EnergySubject subject,
                                                   Id id) {
  return guarded([&]() -> Result<EnergySettings> {
    std::lock_guard lock(mutex_);
    auto who = owner(scope, subject, id);
    if (!who) return std::unexpected(who.error());
    auto found = stored(subject, id, who->first, who->second);
    if (!found) return std::unexpected(found.error());
    if (!*found)
      return fail(ErrorCode::not_found,
                  fmt::format("{} {} has no energy settings", tables_of(subject).what, id));
    return std::move(**found);
  });
}

Result<std::vector<EnergySettings>> SqliteEnergyStore::list_settings(const Scope& scope,
                                                                     EnergySubject subject) {
  return guarded([&]() -> Result<std::vector<EnergySettings>> {
    const bool meter = subject == EnergySubject::meter;
    const std::string sql =
        meter ? "SELECT s.point_id, p.tenant_id, p.building_id, s.document, s.version, "
                "s.updated_at FROM meter_settings s JOIN points p ON p.id = s.point_id "
                "ORDER BY s.point_id"
              : "SELECT s.building_id, b.tenant_id, b.id, s.document, s.version, s.updated_at "
                "FROM building_energy_settings s JOIN buildings b ON b.id = s.building_id "
                "ORDER BY s.building_id";
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    std::vector<EnergySettings> out;
    for (;;) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      const Id tenant = st->int64(1), building = st->int64(2);
      if (!scope.sees(tenant) || !scope.sees_building(building)) continue;
      out.push_back({.subject = subject,
                     .id = st->int64(0),
                     .tenant_id = tenant,
                     .building_id = building,
                     .document = st->text(3),
                     .version = st->int64(4),
                     .updated_at = st->int64(5)});
    }
    return out;
  });
}

Result<EnergySettings> SqliteEnergyStore::put_settings(const Scope& scope, EnergySubject subject,
                                                       Id id, std::string document,
                                                       std::optional<std::int64_t> expected_version,
                                                       TimeMs now) {
  return guarded([&]() -> Result<EnergySettings> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto who = owner(scope, subject, id);
    if (!who) return std::unexpected(who.error());
    auto current = stored(subject, id, who->first, who->second);
    if (!current) return std::unexpected(current.error());
    const std::int64_t version = *current ? (*current)->version : 0;
    if (expected_version && *expected_version != version)
      return fail(ErrorCode::precondition_failed,
                  fmt::format("the energy settings of {} {} are at version {}, not {}",
                              tables_of(subject).what, id, version, *expected_version));
    const auto t = tables_of(subject);
    // An upsert, not INSERT OR REPLACE: a replace deletes the row first,
    // which would cascade to the meter's ledger.
    auto st = db_.prepare(
        fmt::format("INSERT INTO {0} ({1}, document, version, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT ({1}) DO UPDATE SET document = excluded.document, "
                    "version = excluded.version, updated_at = excluded.updated_at",
                    t.settings, t.key));
    if (!st) return std::unexpected(st.error());
    st->bind(id).bind(std::string_view(document)).bind(version + 1).bind(now);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return EnergySettings{.subject = subject,
                          .id = id,
                          .tenant_id = who->first,
                          .building_id = who->second,
                          .document = std::move(document),
                          .version = version + 1,
                          .updated_at = now};
  });
}

Status SqliteEnergyStore::remove_settings(const Scope& scope, EnergySubject subject, Id id) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto who = owner(scope, subject, id);
    if (!who) return std::unexpected(who.error());
    const auto t = tables_of(subject);
    auto current = stored(subject, id, who->first, who->second);
    if (!current) return std::unexpected(current.error());
    if (!*current)
      return fail(ErrorCode::not_found, fmt::format("{} {} has no energy settings", t.what, id));
    auto st = db_.prepare(fmt::format("DELETE FROM {} WHERE {} = ?", t.settings, t.key));
    if (!st) return std::unexpected(st.error());
    st->bind(id);
    return st->run();
  });
}

Result<std::vector<EnergyBlock>> SqliteEnergyStore::blocks(Id point, std::int64_t first,
                                                           std::int64_t last) {
  return guarded([&]() -> Result<std::vector<EnergyBlock>> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT block, settings_version, energy, quality, source FROM meter_energy_blocks "
        "WHERE point_id = ? AND block BETWEEN ? AND ? ORDER BY block");
    if (!st) return std::unexpected(st.error());
    st->bind(point).bind(first).bind(last);
    std::vector<EnergyBlock> out;
    for (;;) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      out.push_back({.index = st->int64(0),
                     .settings_version = st->int64(1),
                     .energy = std::string(st->blob(2)),
                     .quality = std::string(st->blob(3)),
                     .source = std::string(st->blob(4))});
    }
    return out;
  });
}

Status SqliteEnergyStore::put_blocks(Id point, std::span<const EnergyBlock> blocks) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    {
      auto st = db_.prepare("SELECT 1 FROM meter_settings WHERE point_id = ?");
      if (!st) return std::unexpected(st.error());
      st->bind(point);
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return fail(ErrorCode::not_found, fmt::format("point {} is not a meter", point));
    }
    for (const auto& b : blocks) {
      auto st = db_.prepare(
          "INSERT INTO meter_energy_blocks (point_id, block, settings_version, energy, quality, "
          "source) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (point_id, block) DO UPDATE SET "
          "settings_version = excluded.settings_version, energy = excluded.energy, "
          "quality = excluded.quality, source = excluded.source");
      if (!st) return std::unexpected(st.error());
      st->bind(point).bind(b.index).bind(b.settings_version);
      st->bind_blob(b.energy).bind_blob(b.quality).bind_blob(b.source);
      if (auto s = st->run(); !s) return s;
    }
    return tx->commit();
  });
}

}  // namespace citypulse::sqlite
