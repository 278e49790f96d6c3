#include "sqlite/connection.h"

#include <fmt/format.h>
#include <sqlite3.h>

namespace citypulse::sqlite {

Error last_error(sqlite3* db, std::string_view what) {
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  const char* message = db ? sqlite3_errmsg(db) : "out of memory";
  // A unique clash that got past the store's own checks (e.g. a second process
  // writing the same file) is still the caller's conflict, not a broken disk.
  const bool clash = code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY;
  return Error{clash ? ErrorCode::conflict : ErrorCode::io,
               fmt::format("sqlite: {}: {}", what, message),
               {}};
}

// ---- Statement ----

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use)
    : db_(db), stmt_(stmt), in_use_(in_use) {
  if (in_use_) *in_use_ = true;
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      in_use_(other.in_use_),
      next_param_(other.next_param_),
      bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
  other.in_use_ = nullptr;
}

Statement::~Statement() {
  if (!stmt_) return;
  if (in_use_) {
    // Reset, so the statement holds no read snapshot open (which would keep a
    // checkpoint from finishing), and clear bindings for the next borrower.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

Statement& Statement::check_bind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  ++next_param_;
  return *this;
}

Statement& Statement::bind(std::int64_t value) {
  return check_bind(sqlite3_bind_int64(stmt_, next_param_, value));
}

Statement& Statement::bind(double value) {
  return check_bind(sqlite3_bind_double(stmt_, next_param_, value));
}

Statement& Statement::bind(std::string_view value) {
  return check_bind(sqlite3_bind_text64(stmt_, next_param_, value.data(), value.size(),
                                        SQLITE_TRANSIENT, SQLITE_UTF8));
}

Statement& Statement::bind_blob(std::string_view bytes) {
  // A zero-length blob must still be a blob, not NULL: pass a valid pointer.
  static const char empty = 0;
  return check_bind(sqlite3_bind_blob64(stmt_, next_param_, bytes.empty() ? &empty : bytes.data(),
                                        bytes.size(), SQLITE_TRANSIENT));
}

Statement& Statement::bind(const std::optional<std::int64_t>& value) {
  return value ? bind(*value) : bind_null();
}

Statement& Statement::bind(const std::optional<double>& value) {
  return value ? bind(*value) : bind_null();
}

Statement& Statement::bind_null() {
  return check_bind(sqlite3_bind_null(stmt_, next_param_));
}

Result<bool> Statement::step() {
  if (bind_rc_ != SQLITE_OK)
    return fail(ErrorCode::internal, fmt::format("sqlite: binding parameter failed: {}: {}",
                                                 sqlite3_errstr(bind_rc_), sqlite3_sql(stmt_)));
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(last_error(db_, sqlite3_sql(stmt_)));
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
  }
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!p) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string_view Statement::blob(int column) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  if (!p) return {};
  return std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Connection ----

void Connection::Close::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

void Connection::Finalize::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

Result<Connection> Connection::open(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: the owner serialises access, so SQLite's own locking is redundant.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  Connection connection(db);  // closes db on every path below
  if (rc != SQLITE_OK) return fail(last_error(db, fmt::format("opening '{}'", path)));
  sqlite3_extended_result_codes(db, 1);
  return connection;
}

Status Connection::exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec needs a terminating NUL
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  sqlite3_free(message);  // the same text is available from sqlite3_errmsg
  return fail(last_error(db_.get(), text.size() > 60 ? text.substr(0, 60) + "..." : text));
}

Result<Statement> Connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !*it->second.in_use)
    return Statement(db_.get(), it->second.stmt.get(), it->second.in_use.get());
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return fail(last_error(db_.get(), fmt::format("preparing {}", sql)));
  }
  // The same text already borrowed by an outer caller: hand out a one-off copy.
  if (it != cache_.end()) return Statement(db_.get(), stmt, nullptr);
  Cached cached;
  cached.stmt.reset(stmt);
  auto [pos, inserted] = cache_.emplace(std::string(sql), std::move(cached));
  return Statement(db_.get(), pos->second.stmt.get(), pos->second.in_use.get());
}

std::int64_t Connection::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_.get());
}

// ---- Transaction ----

Result<Transaction> Transaction::begin(Connection& connection, Mode mode) {
  if (auto s = connection.exec(mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN"); !s)
    return std::unexpected(s.error());
  return Transaction(connection);
}

Transaction::Transaction(Transaction&& other) noexcept : connection_(other.connection_) {
  other.connection_ = nullptr;
}

Transaction::~Transaction() {
  if (connection_) (void)connection_->exec("ROLLBACK");
}

Status Transaction::commit() {
  Connection* c = connection_;
  connection_ = nullptr;
  if (auto s = c->exec("COMMIT"); !s) {
    // A failed COMMIT (e.g. disk full) leaves the transaction open; end it so
    // the connection is usable again.
    (void)c->exec("ROLLBACK");
    return s;
  }
  return {};
}

}  // namespace citypulse::sqlite
