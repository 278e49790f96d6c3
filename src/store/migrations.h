// The metadata schema as an ordered list of migrations compiled into the
// binary. A store records each applied version in schema_migrations and applies
// the ones it lacks in order, each in its own transaction.
//
// Rules: a released migration never changes and its version is never reused;
// a change to the tables is a new migration with the next version. Versions
// start at 1 and grow by one (checked at compile time in migrations.cpp).
//
// The SQL is written to run on SQLite and, where practical, on PostgreSQL: the
// only SQLite-specific spelling is `id INTEGER PRIMARY KEY` (SQLite's rowid
// alias; PostgreSQL needs an identity column) and tags as TEXT holding a JSON
// array (jsonb there). Integers that may exceed 32 bits (ids, versions, ms
// timestamps) are BIGINT, which SQLite treats exactly like INTEGER.
#pragma once

#include <span>
#include <string_view>

namespace citypulse {

struct Migration {
  int version;            // 1, 2, 3...; applied in this order
  std::string_view name;  // what it does, for people reading schema_migrations
  std::string_view sql;   // one or more statements
};

std::span<const Migration> migrations();

// The version the last migration brings the schema to.
int latest_schema_version();

// The table that records applied migrations; created before the first one runs.
inline constexpr std::string_view kSchemaMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

}  // namespace citypulse
