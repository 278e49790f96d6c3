// Test support for the MetaStore unit tests: a fresh directory per test with
// a store opened in it (removed afterwards), builders that store valid records
// so each test states only what it is about, and matchers for Results.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/asset_schema.h"
#include "store/meta_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace citypulse::testing {

// Success when `r` failed with `code`; otherwise a failure describing what came instead.
template <class T>
::testing::AssertionResult failed_with(const Result<T>& r, ErrorCode code) {
  if (r) return ::testing::AssertionFailure() << "succeeded; expected " << to_string(code);
  if (r.error().code != code)
    return ::testing::AssertionFailure() << "failed with " << to_string(r.error().code) << " ("
                                         << r.error().message << "); expected " << to_string(code);
  return ::testing::AssertionSuccess();
}

// The value of a Result that must have succeeded; a failed one fails the test
// (the exception is reported by GoogleTest and ends the test).
template <class T>
T ok(Result<T> r) {
  if (!r) {
    ADD_FAILURE() << "unexpected error: " << to_string(r.error().code) << ": " << r.error().message
                  << " (field '" << r.error().field << "')";
    throw std::runtime_error("unexpected error");
  }
  return std::move(*r);
}

inline void ok(Status s) {
  if (!s) {
    ADD_FAILURE() << "unexpected error: " << to_string(s.error().code) << ": " << s.error().message;
    throw std::runtime_error("unexpected error");
  }
}

// The schema of a record type, for generic tests.
template <class T>
const Schema<T>& schema_of();
template <>
inline const Schema<Tenant>& schema_of() {
  return tenant_schema();
}
template <>
inline const Schema<Site>& schema_of() {
  return site_schema();
}
template <>
inline const Schema<Building>& schema_of() {
  return building_schema();
}
template <>
inline const Schema<Floor>& schema_of() {
  return floor_schema();
}
template <>
inline const Schema<Space>& schema_of() {
  return space_schema();
}
template <>
inline const Schema<Equipment>& schema_of() {
  return equipment_schema();
}
template <>
inline const Schema<Point>& schema_of() {
  return point_schema();
}
template <>
inline const Schema<Device>& schema_of() {
  return device_schema();
}

// Unstored valid records: a building with every field set, a temperature point.
Building building_value(Id site);
Point point_value(Id building, std::optional<Id> space, std::optional<Id> equipment,
                  const std::string& key);

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  MetaStore& store() { return *store_; }
  const std::string& db_path() const { return db_path_; }
  const std::filesystem::path& dir() const { return dir_; }
  void close() { store_.reset(); }
  void reopen(bool migrate = true);

  // Rows of a table counted over a connection of its own, as a check that
  // bypasses the store's scope and reads what was committed.
  std::int64_t count_rows(const std::string& table, const std::string& where = "1 = 1");
  // Runs SQL on a connection of its own, bypassing the store's checks.
  Status raw_sql(const std::string& sql);

  static Scope all() { return Scope::all_tenants(); }

  Tenant make_tenant(const std::string& name);
  Site make_site(Id tenant, const std::string& name = "Campus");
  Building make_building(Id tenant, std::optional<Id> site = std::nullopt,
                         const std::string& type = "primary_school");
  Floor make_floor(Id building, std::int64_t level = 0);
  Space make_space(Id floor, const std::string& usage = "classroom");
  Equipment make_equipment(Id building, std::optional<Id> space = std::nullopt,
                           std::optional<Id> parent = std::nullopt,
                           const std::string& kind = "ahu");
  Point make_point(Id building, std::optional<Id> space = std::nullopt,
                   std::optional<Id> equipment = std::nullopt, const std::string& key = "");
  Device make_device(Id tenant, std::vector<DeviceChannel> channels = {},
                     const std::string& serial = "", std::optional<Id> building = std::nullopt);

 private:
  std::filesystem::path dir_;
  std::string db_path_;
  std::unique_ptr<MetaStore> store_;
};

}  // namespace citypulse::testing
