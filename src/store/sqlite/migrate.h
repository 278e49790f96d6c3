// Bringing an SQLite file to the schema of this binary (store/migrations.h).
#pragma once

#include "core/result.h"
#include "sqlite/connection.h"

namespace citypulse::sqlite {

// The highest applied migration; 0 for a file no migration has touched.
Result<int> applied_schema_version(Connection& connection);

// Applies the pending migrations in order, each in its own transaction
// together with its row in schema_migrations, so a crash leaves the file at a
// whole version. Safe when another process migrates the same file at the same
// time: each version is re-checked under the write lock.
Status migrate(Connection& connection);

// Succeeds when the file is exactly at latest_schema_version(). Fails with
// unavailable when migrations are pending, or when the file was migrated by a
// newer binary (whose tables this one does not know).
Status check_schema_current(Connection& connection);

}  // namespace citypulse::sqlite
