#include "store/sqlite/sqlite_driver_store.h"

#include <fmt/format.h>

#include "store/sqlite/repository.h"

namespace citypulse::sqlite {

Result<DriverSettings> SqliteDriverStore::visible(const Scope& scope, Id device) {
  auto st = db_.prepare(
      "SELECT d.tenant_id, d.building_id, d.protocol, s.document, s.version, s.updated_at, "
      "d.status "
      "FROM devices d LEFT JOIN device_drivers s ON s.device_id = d.id WHERE d.id = ?");
  if (!st) return std::unexpected(st.error());
  st->bind(device);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  const auto missing = [&] {
    return fail(ErrorCode::not_found, fmt::format("device {} not found", device));
  };
  if (!*row) return missing();
  DriverSettings out;
  out.device_id = device;
  out.tenant_id = st->int64(0);
  if (!st->is_null(1)) out.building_id = st->int64(1);
  out.protocol = st->text(2);
  out.device_status = st->text(6);
  if (!scope.sees(out.tenant_id)) return missing();
  if (scope.is_building_restricted() &&
      (!out.building_id || !scope.sees_building(*out.building_id)))
    return missing();
  if (!st->is_null(3)) {
    out.document = st->text(3);
    out.version = st->int64(4);
    out.updated_at = st->int64(5);
  }
  return out;
}

Result<DriverSettings> SqliteDriverStore::settings(const Scope& scope, Id device) {
  return guarded([&]() -> Result<DriverSettings> {
    std::lock_guard lock(mutex_);
    auto found = visible(scope, device);
    if (!found) return found;
    if (found->version == 0)
      return fail(ErrorCode::not_found, fmt::format("device {} has no driver settings", device));
    return found;
  });
}

Result<DriverSettings> SqliteDriverStore::put(const Scope& scope, Id device, std::string document,
                                              std::optional<std::int64_t> expected_version,
                                              TimeMs now) {
  return guarded([&]() -> Result<DriverSettings> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = visible(scope, device);
    if (!current) return current;
    if (expected_version && *expected_version != current->version)
      return fail(ErrorCode::precondition_failed,
                  fmt::format("the driver settings of device {} are at version {}, not {}", device,
                              current->version, *expected_version));
    auto st = db_.prepare(
        "INSERT INTO device_drivers (device_id, document, version, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (device_id) DO UPDATE SET document = excluded.document, "
        "version = excluded.version, updated_at = excluded.updated_at");
    if (!st) return std::unexpected(st.error());
    st->bind(device).bind(std::string_view(document)).bind(current->version + 1).bind(now);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    ++changes_;
    current->document = std::move(document);
    current->version += 1;
    current->updated_at = now;
    return current;
  });
}

Status SqliteDriverStore::remove(const Scope& scope, Id device) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto current = visible(scope, device);
    if (!current) return std::unexpected(current.error());
    if (current->version == 0)
      return fail(ErrorCode::not_found, fmt::format("device {} has no driver settings", device));
    auto st = db_.prepare("DELETE FROM device_drivers WHERE device_id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(device);
    if (auto s = st->run(); !s) return s;
    ++changes_;
    return {};
  });
}

Result<std::vector<DriverSettings>> SqliteDriverStore::all() {
  return guarded([&]() -> Result<std::vector<DriverSettings>> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT s.device_id, d.tenant_id, d.building_id, d.protocol, s.document, s.version, "
        "s.updated_at, d.status FROM device_drivers s JOIN devices d ON d.id = s.device_id "
        "ORDER BY s.device_id");
    if (!st) return std::unexpected(st.error());
    std::vector<DriverSettings> out;
    for (;;) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      DriverSettings s;
      s.device_id = st->int64(0);
      s.tenant_id = st->int64(1);
      if (!st->is_null(2)) s.building_id = st->int64(2);
      s.protocol = st->text(3);
      s.document = st->text(4);
      s.version = st->int64(5);
      s.updated_at = st->int64(6);
      s.device_status = st->text(7);
      out.push_back(std::move(s));
    }
    return out;
  });
}

}  // namespace citypulse::sqlite
