// Repository<T> on SQLite for every asset resource, written once and driven by
// Schema<T>: the SQL column lists come from the schema's fields, the reference
// checks from its ref fields and their RefRule, the list filters from
// filter_names(). What differs between resources is data (store/tables.h) or a
// hook (record_extras.h: a device's channels); a tenant differs only in having
// no tenant_id column, so it is scoped by its own id.
//
// Semantics are those of store/meta_store.h. Every call locks the shared
// connection and runs in one transaction, so the checks it makes still hold
// when its write commits.
#pragma once

#include <atomic>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "core/time.h"
#include "model/asset_schema.h"
#include "sqlite/connection.h"
#include "store/meta_store.h"
#include "store/sqlite/building_scope.h"
#include "store/sqlite/integrity.h"
#include "store/sqlite/list_filters.h"
#include "store/sqlite/page_rows.h"
#include "store/sqlite/record_columns.h"
#include "store/sqlite/record_extras.h"
#include "store/tables.h"

namespace citypulse::sqlite {

// Runs `body`, turning an escaping exception (bad_alloc, a failed mutex) into
// an internal error: nothing throws across the MetaStore interface.
template <class F>
auto guarded(F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, fmt::format("metadata store: {}", e.what()));
  } catch (...) {
    return fail(ErrorCode::internal, "metadata store: unknown exception");
  }
}

template <class T>
class SqliteRepository final : public Repository<T> {
 public:
  // `db` and `mutex` are shared by all repositories of a store and must
  // outlive this one; so must `generation`, when given, which grows by one
  // per committed change (MetaStore::asset_generation()).
  SqliteRepository(Connection& db, std::mutex& mutex, const Schema<T>& schema,
                   std::atomic<std::uint64_t>* generation = nullptr);

  Result<T> create(const Scope& scope, T record) override;
  Result<T> get(const Scope& scope, Id id) override;
  Result<Page<T>> list(const Scope& scope, const ListQuery& query) override;
  Result<T> update(const Scope& scope, T record,
                   std::optional<std::int64_t> expected_version) override;
  Status remove(const Scope& scope, Id id, bool cascade,
                std::optional<std::int64_t> expected_version) override;

 private:
  Result<std::vector<T>> read_rows(Statement& st);
  // The record if the scope sees it (with its extras); not_found otherwise.
  Result<T> fetch(const Scope& scope, Id id);
  Status check_version(const T& current, std::optional<std::int64_t> expected) const;
  Status assign_tenant(const Scope& scope, T& record);
  Status derive_from_owner(const Scope& scope, T& record);
  Status keep_fixed_fields(const T& current, T& record) const;
  Status check_references(const T& record);
  Status check_building_scope(const Scope& scope, const T& record);
  // " AND ..." for the rows the scope sees, appending its parameters.
  std::string scope_condition(const Scope& scope, std::vector<SqlValue>& params) const;
  Status write(const T& record, bool insert);

  // Commits tx and counts the change.
  Status commit_change(Transaction& tx);

  Connection& db_;
  std::mutex& mutex_;
  std::atomic<std::uint64_t>* generation_;
  const Schema<T>& schema_;
  const TableInfo& table_;
  const FieldSpec<T>* owner_ = nullptr;     // the RefRule::owner field, when the tenant is derived
  const FieldSpec<T>* building_ = nullptr;  // building_id, for RefRule::same_building
  std::vector<const FieldSpec<T>*> columns_;
  std::string tenant_column_;  // "tenant_id"; "id" for tenants, scoped by their own id
  std::string select_;         // meta columns, then columns_, FROM the table
  std::string insert_;
  std::string update_;
};

template <class T>
SqliteRepository<T>::SqliteRepository(Connection& db, std::mutex& mutex, const Schema<T>& schema,
                                      std::atomic<std::uint64_t>* generation)
    : db_(db),
      mutex_(mutex),
      generation_(generation),
      schema_(schema),
      table_(table_info(schema.collection)),
      columns_(column_fields(schema)),
      tenant_column_(table_.tenant_owned ? "tenant_id" : "id") {
  for (const auto& f : schema.fields) {
    if (f.type == FieldType::ref && f.rule == RefRule::owner) owner_ = &f;
    if (f.name == "building_id") building_ = &f;
  }
  std::vector<std::string_view> names;
  for (const auto* f : columns_) names.push_back(f->name);
  select_ = fmt::format("SELECT id, {}, version, created_at, updated_at, {} FROM {}",
                        tenant_column_, fmt::join(names, ", "), table_.table);
  std::vector<std::string_view> inserted;
  if (table_.tenant_owned) inserted.push_back("tenant_id");
  inserted.insert(inserted.end(), names.begin(), names.end());
  inserted.insert(inserted.end(), {"version", "created_at", "updated_at"});
  std::vector<std::string_view> placeholders(inserted.size(), "?");
  insert_ = fmt::format("INSERT INTO {} ({}) VALUES ({})", table_.table, fmt::join(inserted, ", "),
                        fmt::join(placeholders, ", "));
  std::vector<std::string> assignments;
  for (auto n : names) assignments.push_back(fmt::format("{} = ?", n));
  assignments.push_back("version = ?");
  assignments.push_back("updated_at = ?");
  update_ =
      fmt::format("UPDATE {} SET {} WHERE id = ?", table_.table, fmt::join(assignments, ", "));
}

template <class T>
Status SqliteRepository<T>::commit_change(Transaction& tx) {
  if (auto s = tx.commit(); !s) return s;
  if (generation_) generation_->fetch_add(1);
  return {};
}

// ---- the Repository interface ----

template <class T>
Result<T> SqliteRepository<T>::create(const Scope& scope, T record) {
  return guarded([&]() -> Result<T> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    static_cast<RecordMeta&>(record) = RecordMeta{.tenant_id = record.tenant_id};
    if (auto s = check_may_write(scope, table_); !s) return std::unexpected(s.error());
    if (auto s = assign_tenant(scope, record); !s) return std::unexpected(s.error());
    if (auto s = check_building_scope(scope, record); !s) return std::unexpected(s.error());
    if (auto s = check_references(record); !s) return std::unexpected(s.error());
    record.version = 1;
    record.created_at = record.updated_at = now_ms();
    if (auto s = write(record, true); !s) return std::unexpected(s.error());
    record.id = db_.last_insert_id();
    if (!table_.tenant_owned) record.tenant_id = record.id;
    if (auto s = RecordExtras<T>::save(db_, record); !s) return std::unexpected(s.error());
    auto stored = fetch(Scope::all_tenants(), record.id);
    if (!stored) return stored;
    if (auto s = commit_change(*tx); !s) return std::unexpected(s.error());
    return stored;
  });
}

template <class T>
Result<T> SqliteRepository<T>::get(const Scope& scope, Id id) {
  return guarded([&]() -> Result<T> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::read);
    if (!tx) return std::unexpected(tx.error());
    auto record = fetch(scope, id);
    if (!record) return record;
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return record;
  });
}

template <class T>
Result<Page<T>> SqliteRepository<T>::list(const Scope& scope, const ListQuery& query) {
  return guarded([&]() -> Result<Page<T>> {
    if (query.limit < 1 || query.limit > 1000)
      return fail(ErrorCode::bad_request,
                  fmt::format("'limit' must be between 1 and 1000, got {}", query.limit), "limit");
    if (query.after < 0)
      return fail(ErrorCode::bad_request, "the cursor must not be negative", "cursor");
    std::vector<SqlValue> params{query.after};
    std::string sql = select_ + " WHERE id > ?" + scope_condition(scope, params);
    for (const auto& f : query.filters) {
      auto clause = filter_condition(schema_, table_.table, f, params);
      if (!clause) return std::unexpected(clause.error());
      sql += " AND " + *clause;
    }
    // One more row than asked for tells whether another page follows.
    sql += " ORDER BY id LIMIT ?";
    params.push_back(static_cast<std::int64_t>(query.limit + 1));

    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::read);
    if (!tx) return std::unexpected(tx.error());
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    for (const auto& p : params) std::visit([&](const auto& v) { st->bind(v); }, p);
    auto rows = read_rows(*st);
    if (!rows) return std::unexpected(rows.error());
    Page<T> page = page_of(std::move(*rows), query.limit);
    if (auto s = RecordExtras<T>::load(db_, page.records); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return page;
  });
}

template <class T>
Result<T> SqliteRepository<T>::update(const Scope& scope, T record,
                                      std::optional<std::int64_t> expected_version) {
  return guarded([&]() -> Result<T> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = fetch(scope, record.id);
    if (!current) return current;
    if (auto s = check_version(*current, expected_version); !s) return std::unexpected(s.error());
    if (auto s = check_may_write(scope, table_); !s) return std::unexpected(s.error());
    if (auto s = keep_fixed_fields(*current, record); !s) return std::unexpected(s.error());
    if (auto s = check_building_scope(scope, record); !s) return std::unexpected(s.error());
    if (auto s = check_references(record); !s) return std::unexpected(s.error());
    record.version = current->version + 1;
    record.created_at = current->created_at;
    // Strictly later than before, so a client syncing by updated_at sees every
    // change, even two within one millisecond.
    record.updated_at = std::max(now_ms(), current->updated_at + 1);
    if (auto s = write(record, false); !s) return std::unexpected(s.error());
    if (auto s = RecordExtras<T>::save(db_, record); !s) return std::unexpected(s.error());
    auto stored = fetch(Scope::all_tenants(), record.id);
    if (!stored) return stored;
    if (auto s = commit_change(*tx); !s) return std::unexpected(s.error());
    return stored;
  });
}

template <class T>
Status SqliteRepository<T>::remove(const Scope& scope, Id id, bool cascade,
                                   std::optional<std::int64_t> expected_version) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = fetch(scope, id);
    if (!current) return std::unexpected(current.error());
    if (auto s = check_may_write(scope, table_); !s) return s;
    if (auto s = check_version(*current, expected_version); !s) return s;
    if (!cascade)
      if (auto s = check_no_dependents(db_, table_, id); !s) return s;
    // With cascade, the foreign keys' ON DELETE CASCADE removes every record
    // that refers to this one, recursively, inside this transaction. Removing
    // a tenant or a device cannot take channels from a device that stays.
    const bool may_strip_devices =
        cascade && table_.table != "tenants" && table_.table != "devices";
    ChannelCounts before;
    if (may_strip_devices) {
      auto counts = channel_counts(db_, current->tenant_id);
      if (!counts) return std::unexpected(counts.error());
      before = std::move(*counts);
    }
    auto st = db_.prepare(fmt::format("DELETE FROM {} WHERE id = ?", table_.table));
    if (!st) return std::unexpected(st.error());
    st->bind(id);
    if (auto s = st->run(); !s) return s;
    if (may_strip_devices)
      if (auto s = touch_devices_that_lost_channels(db_, current->tenant_id, before); !s) return s;
    return commit_change(*tx);
  });
}

// ---- helpers; all run with the mutex held, inside the caller's transaction ----

template <class T>
Result<std::vector<T>> SqliteRepository<T>::read_rows(Statement& st) {
  std::vector<T> rows;
  for (;;) {
    auto more = st.step();
    if (!more) return std::unexpected(more.error());
    if (!*more) return rows;
    T r;
    r.id = st.int64(0);
    r.tenant_id = st.int64(1);
    r.version = st.int64(2);
    r.created_at = st.int64(3);
    r.updated_at = st.int64(4);
    for (std::size_t i = 0; i < columns_.size(); ++i)
      if (auto s = read_field(st, static_cast<int>(i) + 5, *columns_[i], r); !s)
        return std::unexpected(s.error());
    rows.push_back(std::move(r));
  }
}

template <class T>
Result<T> SqliteRepository<T>::fetch(const Scope& scope, Id id) {
  std::vector<SqlValue> params{id};
  auto st = db_.prepare(select_ + " WHERE id = ?" + scope_condition(scope, params));
  if (!st) return std::unexpected(st.error());
  for (const auto& p : params) std::visit([&](const auto& v) { st->bind(v); }, p);
  auto rows = read_rows(*st);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty())
    return fail(ErrorCode::not_found, fmt::format("{} {} does not exist", schema_.name, id));
  if (auto s = RecordExtras<T>::load(db_, *rows); !s) return std::unexpected(s.error());
  return std::move(rows->front());
}

template <class T>
Status SqliteRepository<T>::check_version(const T& current,
                                          std::optional<std::int64_t> expected) const {
  if (!expected || *expected == current.version) return {};
  return fail(ErrorCode::precondition_failed,
              fmt::format("{} {} is at version {}, not {}; read it again and retry", schema_.name,
                          current.id, current.version, *expected));
}

// On create: which tenant the record belongs to (see meta_store.h).
template <class T>
Status SqliteRepository<T>::assign_tenant(const Scope& scope, T& record) {
  switch (schema_.tenant) {
    case TenantField::none:
      if (!scope.is_all())
        return fail(ErrorCode::invalid, "a tenant can only be created for all tenants");
      return {};
    case TenantField::derived:
      return derive_from_owner(scope, record);
    case TenantField::explicit_:
      break;
  }
  if (const auto own = scope.tenant_id()) {
    if (record.tenant_id != 0 && record.tenant_id != *own)
      return fail(ErrorCode::invalid,
                  fmt::format("'tenant_id' must be your own tenant ({}) or left out", *own),
                  "/tenant_id");
    record.tenant_id = *own;
  } else if (record.tenant_id == 0) {
    return fail(ErrorCode::invalid,
                fmt::format("'tenant_id' is required to create a {} for all tenants", schema_.name),
                "/tenant_id");
  }
  auto exists = tenant_exists(db_, record.tenant_id);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists)
    return fail(ErrorCode::invalid, fmt::format("tenant {} does not exist", record.tenant_id),
                "/tenant_id");
  return {};
}

// The tenant, and every derived reference (a space's building_id), come from
// the owner record, which the scope must see.
template <class T>
Status SqliteRepository<T>::derive_from_owner(const Scope& scope, T& record) {
  const auto field = fmt::format("/{}", owner_->name);
  const auto owner_id = ref_value(record, *owner_);
  if (!owner_id)
    return fail(ErrorCode::invalid, fmt::format("missing required field '{}'", owner_->name),
                field);
  const TableInfo& owner_table = table_info(owner_->ref);
  std::vector<const FieldSpec<T>*> derived;
  std::string columns = "tenant_id";
  for (const auto& f : schema_.fields)
    if (f.access == Access::derived && f.type == FieldType::ref) {
      derived.push_back(&f);
      columns += fmt::format(", {}", f.name);  // the owner's column of the same name
    }
  const auto tenant = scope.tenant_id();
  auto st = db_.prepare(fmt::format("SELECT {} FROM {} WHERE id = ?{}", columns, owner_table.table,
                                    tenant ? " AND tenant_id = ?" : ""));
  if (!st) return std::unexpected(st.error());
  st->bind(*owner_id);
  if (tenant) st->bind(*tenant);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::invalid,
                fmt::format("{} {} does not exist{}", owner_table.singular, *owner_id,
                            tenant ? " in this tenant" : ""),
                field);
  record.tenant_id = st->int64(0);
  for (std::size_t i = 0; i < derived.size(); ++i)
    set_ref(record, *derived[i], st->int64(static_cast<int>(i) + 1));
  return {};
}

// On update: the tenant, immutable and derived fields stay as stored.
template <class T>
Status SqliteRepository<T>::keep_fixed_fields(const T& current, T& record) const {
  if (schema_.tenant == TenantField::explicit_ && record.tenant_id != 0 &&
      record.tenant_id != current.tenant_id)
    return fail(ErrorCode::invalid, "'tenant_id' cannot be changed", "/tenant_id");
  record.tenant_id = current.tenant_id;
  for (const auto& f : schema_.fields) {
    if (f.access == Access::immutable && !same_field_value(record, current, f))
      return fail(ErrorCode::invalid, fmt::format("'{}' cannot be changed after creation", f.name),
                  fmt::format("/{}", f.name));
    if (f.access == Access::derived) std::visit([&](auto p) { record.*p = current.*p; }, f.member);
  }
  return {};
}

// Every reference other than the owner (checked when deriving the tenant) and
// derived ones (taken from the owner), then unique values and extras.
template <class T>
Status SqliteRepository<T>::check_references(const T& record) {
  const auto building = building_ ? ref_value(record, *building_) : std::nullopt;
  for (const auto& f : schema_.fields) {
    if (f.type != FieldType::ref || f.rule == RefRule::owner || f.access == Access::derived)
      continue;
    const auto id = ref_value(record, f);
    if (!id) continue;
    const RefColumn ref{f.name, f.ref, f.rule, f.access};
    if (auto s = check_reference(db_, ref, *id, record.tenant_id, building, schema_.name); !s)
      return s;
    if (f.ref == schema_.collection && record.id != 0)
      if (auto s = check_no_cycle(db_, table_, f.name, record.id, *id); !s) return s;
  }
  for (const auto& key : table_.unique) {
    const auto* f = find_field(schema_, key.column);
    if (auto s =
            check_unique(db_, table_, key, text_value(record, *f), record.tenant_id, record.id);
        !s)
      return s;
  }
  return RecordExtras<T>::check(db_, record);
}

template <class T>
std::string SqliteRepository<T>::scope_condition(const Scope& scope,
                                                 std::vector<SqlValue>& params) const {
  std::string sql;
  if (auto t = scope.tenant_id()) {
    sql += fmt::format(" AND {} = ?", tenant_column_);
    params.push_back(*t);
  }
  return sql + building_condition(scope, table_, params);
}

// A building-limited caller's record must stand in one of its buildings and
// refer only to what lies in them (building_scope.h).
template <class T>
Status SqliteRepository<T>::check_building_scope(const Scope& scope, const T& record) {
  if (!scope.is_building_restricted()) return {};
  if (building_ && !ref_value(record, *building_))
    return fail(ErrorCode::invalid,
                "'building_id' is required when your access is limited to some buildings",
                "/building_id");
  for (const auto& f : schema_.fields) {
    if (f.type != FieldType::ref || f.access == Access::derived) continue;
    if (const auto id = ref_value(record, f))
      if (auto s = check_in_scope(db_, scope, table_info(f.ref), *id, fmt::format("/{}", f.name));
          !s)
        return s;
  }
  if constexpr (std::is_same_v<T, Device>) {
    for (std::size_t i = 0; i < record.channels.size(); ++i)
      if (auto s = check_in_scope(db_, scope, table_info("points"), record.channels[i].point_id,
                                  fmt::format("/channels/{}/point_id", i));
          !s)
        return s;
  }
  return {};
}

template <class T>
Status SqliteRepository<T>::write(const T& record, bool insert) {
  auto st = db_.prepare(insert ? insert_ : update_);
  if (!st) return std::unexpected(st.error());
  if (insert && table_.tenant_owned) st->bind(record.tenant_id);
  for (const auto* f : columns_) bind_field(*st, *f, record);
  st->bind(record.version);
  if (insert) st->bind(record.created_at);
  st->bind(record.updated_at);
  if (!insert) st->bind(record.id);
  return st->run();
}

}  // namespace citypulse::sqlite
