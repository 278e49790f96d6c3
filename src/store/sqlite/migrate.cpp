#include "store/sqlite/migrate.h"

#include <fmt/format.h>

#include "core/time.h"
#include "store/migrations.h"

namespace citypulse::sqlite {
namespace {

Result<bool> has_migrations_table(Connection& c) {
  auto st =
      c.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!st) return std::unexpected(st.error());
  return st->step();
}

Result<bool> is_applied(Connection& c, int version) {
  auto st = c.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
  if (!st) return std::unexpected(st.error());
  st->bind(std::int64_t{version});
  return st->step();
}

Status apply(Connection& c, const Migration& m) {
  auto tx = Transaction::begin(c, Transaction::Mode::write);
  if (!tx) return std::unexpected(tx.error());
  auto applied = is_applied(c, m.version);
  if (!applied) return std::unexpected(applied.error());
  if (*applied) return tx->commit();  // another process got there first
  if (auto s = c.exec(m.sql); !s) {
    auto e = s.error();
    e.message = fmt::format("migration {} ({}) failed: {}", m.version, m.name, e.message);
    return fail(std::move(e));
  }
  auto st = c.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  if (!st) return std::unexpected(st.error());
  st->bind(std::int64_t{m.version}).bind(m.name).bind(now_ms());
  if (auto s = st->run(); !s) return s;
  return tx->commit();
}

}  // namespace

Result<int> applied_schema_version(Connection& c) {
  auto exists = has_migrations_table(c);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists) return 0;
  auto st = c.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return static_cast<int>(st->int64(0));
}

Status migrate(Connection& c) {
  if (auto s = c.exec(kSchemaMigrationsTable); !s) return s;
  for (const auto& m : migrations())
    if (auto s = apply(c, m); !s) return s;
  return check_schema_current(c);
}

Status check_schema_current(Connection& c) {
  auto version = applied_schema_version(c);
  if (!version) return std::unexpected(version.error());
  const int latest = latest_schema_version();
  if (*version < latest)
    return fail(ErrorCode::unavailable,
                fmt::format("the metadata database is at schema version {}, this binary needs {}; "
                            "open it with migrations enabled to upgrade it",
                            *version, latest));
  if (*version > latest)
    return fail(ErrorCode::unavailable,
                fmt::format("the metadata database is at schema version {}, newer than this "
                            "binary's {}; run a newer citypulse",
                            *version, latest));
  return {};
}

}  // namespace citypulse::sqlite
