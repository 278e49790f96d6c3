#include "store/sqlite/sqlite_meta_store.h"

#include <fmt/format.h>

#include <filesystem>
#include <mutex>

#include "model/recipient_schema.h"
#include "model/rule_schema.h"
#include "sqlite/connection.h"
#include "store/migrations.h"
#include "store/sqlite/migrate.h"
#include "store/sqlite/repository.h"
#include "store/sqlite/sqlite_alarm_store.h"
#include "store/sqlite/sqlite_command_store.h"
#include "store/sqlite/sqlite_device_access.h"
#include "store/sqlite/sqlite_driver_store.h"
#include "store/sqlite/sqlite_energy_store.h"
#include "store/sqlite/sqlite_identity_store.h"
#include "store/sqlite/sqlite_schedule_store.h"

namespace citypulse {
namespace {

using sqlite::Connection;
using sqlite::SqliteRepository;

class SqliteMetaStore final : public MetaStore {
 public:
  explicit SqliteMetaStore(Connection db) : db_(std::move(db)) {}

  Repository<Tenant>& tenants() override { return tenants_; }
  Repository<Site>& sites() override { return sites_; }
  Repository<Building>& buildings() override { return buildings_; }
  Repository<Floor>& floors() override { return floors_; }
  Repository<Space>& spaces() override { return spaces_; }
  Repository<Equipment>& equipment() override { return equipment_; }
  Repository<Point>& points() override { return points_; }
  Repository<Device>& devices() override { return devices_; }
  Repository<Rule>& rules() override { return rules_; }
  Repository<Recipient>& recipients() override { return recipients_; }
  IdentityStore& identity() override { return identity_; }
  DeviceAccessStore& device_access() override { return device_access_; }
  AlarmStore& alarms() override { return alarms_; }
  EnergyStore& energy() override { return energy_; }
  DriverStore& drivers() override { return drivers_; }
  CommandStore& commands() override { return commands_; }
  ScheduleStore& schedules() override { return schedules_; }
  std::uint64_t asset_generation() const override { return generation_.load(); }

  // 0 when the version cannot be read (the file failed underneath us).
  int schema_version() override {
    auto version = sqlite::guarded([&]() -> Result<int> {
      std::lock_guard lock(mutex_);
      return sqlite::applied_schema_version(db_);
    });
    return version.value_or(0);
  }

  int latest_schema_version() const override { return citypulse::latest_schema_version(); }

  Status flush() override {
    return sqlite::guarded([&]() -> Status {
      std::lock_guard lock(mutex_);
      auto st = db_.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
      if (!st) return std::unexpected(st.error());
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      // The first column is 1 when another connection's reader or writer kept
      // the checkpoint from copying everything into the main file.
      if (*row && st->int64(0) != 0)
        return fail(ErrorCode::unavailable,
                    "checkpoint incomplete: another connection is using the database");
      return {};
    });
  }

 private:
  // One connection for every repository, guarded by one mutex: metadata is
  // small and each call takes well under a millisecond, so a pool would add
  // little throughput and a lot of SQLITE_BUSY handling.
  std::mutex mutex_;
  std::atomic<std::uint64_t> generation_{1};
  Connection db_;
  SqliteRepository<Tenant> tenants_{db_, mutex_, tenant_schema(), &generation_};
  SqliteRepository<Site> sites_{db_, mutex_, site_schema(), &generation_};
  SqliteRepository<Building> buildings_{db_, mutex_, building_schema(), &generation_};
  SqliteRepository<Floor> floors_{db_, mutex_, floor_schema(), &generation_};
  SqliteRepository<Space> spaces_{db_, mutex_, space_schema(), &generation_};
  SqliteRepository<Equipment> equipment_{db_, mutex_, equipment_schema(), &generation_};
  SqliteRepository<Point> points_{db_, mutex_, point_schema(), &generation_};
  SqliteRepository<Device> devices_{db_, mutex_, device_schema(), &generation_};
  SqliteRepository<Rule> rules_{db_, mutex_, rule_schema(), &generation_};
  SqliteRepository<Recipient> recipients_{db_, mutex_, recipient_schema(), &generation_};
  sqlite::SqliteIdentityStore identity_{db_, mutex_};
  sqlite::SqliteDeviceAccessStore device_access_{db_, mutex_, devices_, generation_};
  sqlite::SqliteAlarmStore alarms_{db_, mutex_};
  sqlite::SqliteEnergyStore energy_{db_, mutex_};
  sqlite::SqliteDriverStore drivers_{db_, mutex_};
  sqlite::SqliteCommandStore commands_{db_, mutex_};
  sqlite::SqliteScheduleStore schedules_{db_, mutex_};
};

Status configure(Connection& db) {
  // WAL: readers never block the writer; NORMAL sync is crash-safe in WAL mode
  // (a power cut may lose the last commits, never corrupt the file), and
  // flush() checkpoints before exit. busy_timeout covers another process (a
  // backup, the CLI) holding the lock for a moment.
  if (auto s = db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                       "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000");
      !s)
    return s;
  // Cascading deletes depend on foreign keys; a build of SQLite without them
  // would silently leave orphans, so refuse to run on one.
  auto st = db.prepare("PRAGMA foreign_keys");
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row || st->int64(0) != 1)
    return fail(ErrorCode::io, "sqlite: this SQLite build does not enforce foreign keys");
  return {};
}

Result<std::unique_ptr<MetaStore>> open(const SqliteOptions& options) {
  if (options.path.empty()) return fail(ErrorCode::io, "sqlite: no database path given");
  const auto parent = std::filesystem::path(options.path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)
    return fail(ErrorCode::io,
                fmt::format("cannot create directory '{}': {}", parent.string(), ec.message()));
  auto db = Connection::open(options.path);
  if (!db) return std::unexpected(db.error());
  if (auto s = configure(*db); !s) return std::unexpected(s.error());
  if (auto s = options.migrate ? sqlite::migrate(*db) : sqlite::check_schema_current(*db); !s)
    return std::unexpected(s.error());
  return std::make_unique<SqliteMetaStore>(std::move(*db));
}

}  // namespace

Result<std::unique_ptr<MetaStore>> open_sqlite_meta_store(const SqliteOptions& options) {
  return sqlite::guarded([&] { return open(options); });
}

}  // namespace citypulse
