// MetaStore: the asset model's records, kept by a relational store (SQLite
// embedded, PostgreSQL in a cluster) behind one interface.
//
// Contract shared by every repository:
// - Every call takes the caller's Scope; records of other tenants behave
//   exactly as if they did not exist (not_found), never "forbidden".
// - References are checked on create and update: a referenced record must exist
//   in the same tenant (invalid otherwise, naming the field), and for
//   RefRule::same_building also in the same building. A record's tenant (and a
//   space's building) come from its owner reference (RefRule::owner); for
//   top-level resources from the scope, or, in the all-tenants scope, from the
//   record's tenant_id, which must then name an existing tenant.
// - Unique names (tenant name, point key, device serial) clash with conflict.
// - version starts at 1 and grows by one per update; an expected_version that
//   differs from the stored one fails with precondition_failed and changes
//   nothing.
// - remove() refuses with conflict while other records refer to the record
//   (the message counts them by kind) unless cascade is set, in which case those
//   records are removed too, recursively, in the same transaction: no orphans.
// - Each call is atomic. Calls are safe from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/asset.h"
#include "model/recipient.h"
#include "model/rule.h"
#include "store/driver_store.h"
#include "store/scope.h"

namespace citypulse {

// ?field=value on a list. `field` is one of filter_names(schema); the store
// rejects others with bad_request. "tag" matches records carrying that tag.
struct ListFilter {
  std::string field;
  std::string value;
};

struct ListQuery {
  std::vector<ListFilter> filters;
  std::size_t limit = 100;  // 1..1000
  Id after = 0;             // records with a larger id (the cursor)
};

template <class T>
struct Page {
  std::vector<T> records;        // ascending id
  std::optional<Id> next_after;  // set when more records may follow
};

// Users, refresh tokens, API keys and the audit log (store/identity_store.h,
// which includes this header for Page and ListQuery: hence only declared here).
class IdentityStore;
// Device tokens, integrations, activity, attributes (store/device_access_store.h).
class DeviceAccessStore;
// Alarms and their history (store/alarm_store.h).
class AlarmStore;
class EnergyStore;
// Commands sent to the plant (store/command_store.h), control schedules
// (store/schedule_store.h).
class CommandStore;
class ScheduleStore;

template <class T>
class Repository {
 public:
  virtual ~Repository() = default;

  // Stores a new record; id, version, timestamps (and derived fields) are
  // assigned, whatever the argument held. Returns the stored record.
  virtual Result<T> create(const Scope& scope, T record) = 0;

  virtual Result<T> get(const Scope& scope, Id id) = 0;

  virtual Result<Page<T>> list(const Scope& scope, const ListQuery& query) = 0;

  // Replaces the stored record with id record.id. The record's tenant and
  // immutable fields must already equal the stored ones (decode() ensures it).
  virtual Result<T> update(const Scope& scope, T record,
                           std::optional<std::int64_t> expected_version) = 0;

  virtual Status remove(const Scope& scope, Id id, bool cascade,
                        std::optional<std::int64_t> expected_version) = 0;
};

class MetaStore {
 public:
  virtual ~MetaStore() = default;

  virtual Repository<Tenant>& tenants() = 0;
  virtual Repository<Site>& sites() = 0;
  virtual Repository<Building>& buildings() = 0;
  virtual Repository<Floor>& floors() = 0;
  virtual Repository<Space>& spaces() = 0;
  virtual Repository<Equipment>& equipment() = 0;
  virtual Repository<Point>& points() = 0;
  virtual Repository<Device>& devices() = 0;
  virtual Repository<Rule>& rules() = 0;
  virtual Repository<Recipient>& recipients() = 0;
  virtual IdentityStore& identity() = 0;
  virtual DeviceAccessStore& device_access() = 0;
  virtual AlarmStore& alarms() = 0;
  virtual EnergyStore& energy() = 0;
  virtual DriverStore& drivers() = 0;
  virtual CommandStore& commands() = 0;
  virtual ScheduleStore& schedules() = 0;

  // Grows with every committed change to the asset model, rules, device
  // credentials and integrations (not with activity, attributes or identity). In-memory
  // indexes of them compare it to know they are stale.
  virtual std::uint64_t asset_generation() const = 0;

  // The schema version the store is at, and the one this binary brings.
  virtual int schema_version() = 0;
  virtual int latest_schema_version() const = 0;

  // Makes everything written so far durable in the main file (e.g. before exit).
  virtual Status flush() = 0;
};

// Repository of a record type, for generic code (the API's handlers).
template <class T>
Repository<T>& repository(MetaStore& store);

// Every record `filters` select in the scope, page after page, ascending id.
template <class T>
Result<std::vector<T>> list_all(Repository<T>& repo, const Scope& scope,
                                std::vector<ListFilter> filters = {}) {
  ListQuery q;
  q.limit = 1000;
  q.filters = std::move(filters);
  std::vector<T> out;
  for (;;) {
    auto page = repo.list(scope, q);
    if (!page) return std::unexpected(page.error());
    for (auto& r : page->records) out.push_back(std::move(r));
    if (!page->next_after) return out;
    q.after = *page->next_after;
  }
}

}  // namespace citypulse

namespace citypulse {
template <>
inline Repository<Tenant>& repository(MetaStore& s) {
  return s.tenants();
}
template <>
inline Repository<Site>& repository(MetaStore& s) {
  return s.sites();
}
template <>
inline Repository<Building>& repository(MetaStore& s) {
  return s.buildings();
}
template <>
inline Repository<Floor>& repository(MetaStore& s) {
  return s.floors();
}
template <>
inline Repository<Space>& repository(MetaStore& s) {
  return s.spaces();
}
template <>
inline Repository<Equipment>& repository(MetaStore& s) {
  return s.equipment();
}
template <>
inline Repository<Point>& repository(MetaStore& s) {
  return s.points();
}
template <>
inline Repository<Device>& repository(MetaStore& s) {
  return s.devices();
}
template <>
inline Repository<Rule>& repository(MetaStore& s) {
  return s.rules();
}
template <>
inline Repository<Recipient>& repository(MetaStore& s) {
  return s.recipients();
}
}  // namespace citypulse
