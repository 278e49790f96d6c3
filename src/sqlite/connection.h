// RAII over the SQLite C API: a Connection owns the sqlite3 handle and a cache
// of prepared statements keyed by SQL text; a Statement borrows one of them and
// resets it when it goes out of scope; a Transaction rolls back unless it was
// committed.
//
// Every failure becomes an Error carrying the sqlite message: code conflict for
// a unique or primary-key clash, io for everything else. Nothing here throws.
//
// Not thread-safe: the owner serialises all use of one Connection (and of the
// Statements it hands out) behind its own mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "core/text.h"

struct sqlite3;
struct sqlite3_stmt;

namespace citypulse::sqlite {

// The connection's most recent error as an Error; `what` says what was being done.
Error last_error(sqlite3* db, std::string_view what);

// A prepared statement in use. Binds are positional in call order (the first
// bind() sets parameter 1). A bind error is reported by the next step().
class Statement {
 public:
  // Borrowed from the cache (`in_use` is cleared on destruction) or, when the
  // cached one is already in use by an outer caller, owned (in_use null).
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(std::int64_t value);
  Statement& bind(double value);
  Statement& bind(std::string_view value);
  Statement& bind(const std::optional<std::int64_t>& value);
  Statement& bind(const std::optional<double>& value);
  Statement& bind_null();
  Statement& bind_blob(std::string_view bytes);

  // True when a row is available, false when the statement has finished.
  Result<bool> step();
  // Steps to the end, for statements whose rows (if any) are not wanted.
  Status run();

  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  // Valid until the next step() or the statement's end.
  std::string_view blob(int column) const;
  bool is_null(int column) const;

 private:
  Statement& check_bind(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
  int next_param_ = 1;
  int bind_rc_ = 0;  // SQLITE_OK
};

class Connection {
 public:
  // Opens (creating when missing) the database file in read-write mode.
  static Result<Connection> open(const std::string& path);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  // Runs one or more statements without parameters or results (DDL, PRAGMA).
  Status exec(std::string_view sql);

  // A statement ready to bind, from the cache when the same text was prepared
  // before. The Statement must not outlive the Connection.
  Result<Statement> prepare(std::string_view sql);

  std::int64_t last_insert_id() const;

  sqlite3* handle() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const;
  };
  struct Cached {
    std::unique_ptr<sqlite3_stmt, Finalize> stmt;
    std::unique_ptr<bool> in_use = std::make_unique<bool>(false);  // stable address
  };

  explicit Connection(sqlite3* db) : db_(db) {}

  // Declared first so it is destroyed last: statements finalize before close.
  std::unique_ptr<sqlite3, Close> db_;
  TextMap<Cached> cache_;
};

// BEGIN ... COMMIT, or ROLLBACK when destroyed uncommitted (an error path).
class Transaction {
 public:
  enum class Mode {
    read,   // BEGIN: a consistent snapshot for several reads
    write,  // BEGIN IMMEDIATE: takes the write lock up front, so a read-then-write
            // transaction cannot fail half-way with SQLITE_BUSY on upgrade
  };
  static Result<Transaction> begin(Connection& connection, Mode mode);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(Connection& c) : connection_(&c) {}
  Connection* connection_;  // null once committed or rolled back
};

}  // namespace citypulse::sqlite
