// Opening, migrating and reopening a store file; the created tables agree
// with the schemas; data survives a reopen.
#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>

#include "model/recipient_schema.h"
#include "model/rule_schema.h"
#include "sqlite/connection.h"
#include "store/migrations.h"
#include "store/tables.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

class StoreMigrationsTest : public StoreTest {
 protected:
  // One column of a PRAGMA over every row, on a connection of its own.
  std::vector<std::string> pragma_column(const std::string& pragma, int column) {
    auto db = ok(sqlite::Connection::open(db_path()));
    auto st = ok(db.prepare(pragma));
    std::vector<std::string> out;
    while (ok(st.step())) out.push_back(st.text(column));
    return out;
  }
};

TEST_F(StoreMigrationsTest, AFreshStoreIsAtTheLatestVersion) {
  EXPECT_GE(latest_schema_version(), 1);
  EXPECT_EQ(store().latest_schema_version(), latest_schema_version());
  EXPECT_EQ(store().schema_version(), latest_schema_version());
  EXPECT_EQ(count_rows("schema_migrations"), static_cast<std::int64_t>(migrations().size()));
  EXPECT_TRUE(std::filesystem::exists(db_path())) << "the missing parent directory is created";
}

TEST_F(StoreMigrationsTest, ReopeningDoesNotMigrateAgain) {
  reopen();
  reopen(false);
  EXPECT_EQ(store().schema_version(), latest_schema_version());
  EXPECT_EQ(count_rows("schema_migrations"), static_cast<std::int64_t>(migrations().size()));
}

TEST_F(StoreMigrationsTest, WithoutMigrateAFreshFileIsUnavailable) {
  auto r = open_sqlite_meta_store({.path = (dir() / "fresh.db").string(), .migrate = false});
  ASSERT_TRUE(failed_with(r, ErrorCode::unavailable));
  EXPECT_NE(r.error().message.find("schema version 0"), std::string::npos) << r.error().message;
}

TEST_F(StoreMigrationsTest, AFileFromANewerBinaryIsUnavailable) {
  close();
  ok(raw_sql(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)"));
  EXPECT_TRUE(failed_with(open_sqlite_meta_store({.path = db_path(), .migrate = true}),
                          ErrorCode::unavailable));
}

TEST_F(StoreMigrationsTest, AnUnopenableFileIsAnIoError) {
  EXPECT_TRUE(failed_with(open_sqlite_meta_store({.path = dir().string(), .migrate = true}),
                          ErrorCode::io));
  const auto junk = dir() / "junk.db";
  { std::ofstream(junk) << std::string(8192, 'x'); }
  EXPECT_TRUE(
      failed_with(open_sqlite_meta_store({.path = junk.string(), .migrate = true}), ErrorCode::io));
}

TEST_F(StoreMigrationsTest, RecordsSurviveCloseAndReopen) {
  const Id tenant = make_tenant("Stadt").id;
  Building b = building_value(make_site(tenant).id);
  b.tenant_id = tenant;
  const Building building = ok(store().buildings().create(all(), b));
  const Point point = make_point(building.id, {}, {}, "k1");
  const Device device = make_device(tenant, {{"t", point.id}}, "SN1");
  ok(store().flush());
  reopen();
  EXPECT_EQ(boost::json::serialize(
                encode(ok(store().buildings().get(all(), building.id)), building_schema())),
            boost::json::serialize(encode(building, building_schema())));
  EXPECT_EQ(
      boost::json::serialize(encode(ok(store().devices().get(all(), device.id)), device_schema())),
      boost::json::serialize(encode(device, device_schema())));
  // Constraints hold across the reopen: the file enforces foreign keys again.
  EXPECT_TRUE(failed_with(store().points().remove(all(), point.id, false, std::nullopt),
                          ErrorCode::conflict));
  ok(store().buildings().remove(all(), building.id, true, std::nullopt));
  EXPECT_EQ(count_rows("device_channels"), 0);
}

TEST_F(StoreMigrationsTest, FlushLeavesAnEmptyWriteAheadLog) {
  make_tenant("Stadt");
  ok(store().flush());
  std::error_code ec;
  EXPECT_EQ(std::filesystem::file_size(db_path() + "-wal", ec), 0u) << ec.message();
}

TEST_F(StoreMigrationsTest, EveryTableHasAColumnPerSchemaField) {
  for (const auto& table : asset_tables()) {
    std::vector<std::string> expected = {"id"};
    if (table.tenant_owned) expected.push_back("tenant_id");
    auto add_fields = [&](const auto& schema) {
      for (const auto& f : schema.fields)
        if (f.type != FieldType::channels) expected.emplace_back(f.name);
    };
    if (table.table == "tenants") add_fields(tenant_schema());
    if (table.table == "sites") add_fields(site_schema());
    if (table.table == "buildings") add_fields(building_schema());
    if (table.table == "floors") add_fields(floor_schema());
    if (table.table == "spaces") add_fields(space_schema());
    if (table.table == "equipment") add_fields(equipment_schema());
    if (table.table == "points") add_fields(point_schema());
    if (table.table == "devices") add_fields(device_schema());
    if (table.table == "rules") add_fields(rule_schema());
    if (table.table == "recipients") add_fields(recipient_schema());
    expected.insert(expected.end(), {"version", "created_at", "updated_at"});
    // Later migrations add columns at the end; statements name columns, so
    // only the set matters.
    auto columns = pragma_column(fmt::format("PRAGMA table_info({})", table.table), 1);
    std::sort(columns.begin(), columns.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(columns, expected) << table.table;
  }
}

TEST_F(StoreMigrationsTest, EveryReferenceIsACascadingIndexedForeignKey) {
  auto check = [&](std::string_view table, std::string_view column, std::string_view target) {
    const auto tables = pragma_column(fmt::format("PRAGMA foreign_key_list({})", table), 2);
    const auto from = pragma_column(fmt::format("PRAGMA foreign_key_list({})", table), 3);
    const auto on_delete = pragma_column(fmt::format("PRAGMA foreign_key_list({})", table), 6);
    bool found = false;
    for (std::size_t i = 0; i < from.size(); ++i)
      if (from[i] == column) {
        found = true;
        EXPECT_EQ(tables[i], target) << table << "." << column;
        EXPECT_EQ(on_delete[i], "CASCADE") << table << "." << column;
      }
    EXPECT_TRUE(found) << table << "." << column << " is no foreign key";
    // An index whose first column is this one.
    bool indexed = false;
    for (const auto& index : pragma_column(fmt::format("PRAGMA index_list({})", table), 1)) {
      const auto cols = pragma_column(fmt::format("PRAGMA index_info({})", index), 2);
      indexed = indexed || (!cols.empty() && cols.front() == column);
    }
    EXPECT_TRUE(indexed) << table << "." << column << " has no index";
  };
  for (const auto& table : asset_tables()) {
    if (table.tenant_owned) check(table.table, "tenant_id", "tenants");
    for (const auto& ref : table.refs) check(table.table, ref.column, ref.target);
  }
  check("device_channels", "device_id", "devices");
  check("device_channels", "point_id", "points");
}

}  // namespace
}  // namespace citypulse::testing
