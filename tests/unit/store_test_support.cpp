#include "store_test_support.h"

#include <cstdlib>

#include "sqlite/connection.h"

namespace citypulse::testing {

void StoreTest::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cp-unit-store-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  dir_ = pattern;
  // A subdirectory that does not exist yet: the store must create it.
  db_path_ = (dir_ / "data" / "meta.db").string();
  store_ = ok(open_sqlite_meta_store({.path = db_path_, .migrate = true}));
}

void StoreTest::TearDown() {
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void StoreTest::reopen(bool migrate) {
  store_.reset();
  store_ = ok(open_sqlite_meta_store({.path = db_path_, .migrate = migrate}));
}

std::int64_t StoreTest::count_rows(const std::string& table, const std::string& where) {
  auto db = ok(sqlite::Connection::open(db_path_));
  auto st = ok(db.prepare("SELECT COUNT(*) FROM " + table + " WHERE " + where));
  EXPECT_TRUE(ok(st.step()));
  return st.int64(0);
}

Status StoreTest::raw_sql(const std::string& sql) {
  auto db = ok(sqlite::Connection::open(db_path_));
  return db.exec(sql);
}

Tenant StoreTest::make_tenant(const std::string& name) {
  Tenant t;
  t.name = name;
  t.timezone = "Europe/Vienna";
  return ok(store().tenants().create(all(), t));
}

Site StoreTest::make_site(Id tenant, const std::string& name) {
  Site s;
  s.tenant_id = tenant;
  s.name = name;
  return ok(store().sites().create(all(), s));
}

Building building_value(Id site) {
  Building b;
  b.site_id = site;
  b.name = "Grundschule Nord";
  b.type = "primary_school";
  b.address = "Schulweg 1";
  b.latitude = 48.2;
  b.longitude = 16.37;
  b.gross_floor_area_m2 = 2450.5;
  b.year_built = 1974;
  b.timezone = "Europe/Vienna";
  b.tags = {"heating:gas", "pv"};
  return b;
}

Building StoreTest::make_building(Id tenant, std::optional<Id> site, const std::string& type) {
  Building b;
  b.tenant_id = tenant;
  b.site_id = site;
  b.name = "Building";
  b.type = type;
  return ok(store().buildings().create(all(), b));
}

Floor StoreTest::make_floor(Id building, std::int64_t level) {
  Floor f;
  f.building_id = building;
  f.name = "Floor";
  f.level = level;
  return ok(store().floors().create(all(), f));
}

Space StoreTest::make_space(Id floor, const std::string& usage) {
  Space s;
  s.floor_id = floor;
  s.name = "Room";
  s.usage = usage;
  return ok(store().spaces().create(all(), s));
}

Equipment StoreTest::make_equipment(Id building, std::optional<Id> space, std::optional<Id> parent,
                                    const std::string& kind) {
  Equipment e;
  e.building_id = building;
  e.space_id = space;
  e.parent_id = parent;
  e.name = "Equipment";
  e.kind = kind;
  return ok(store().equipment().create(all(), e));
}

Point point_value(Id building, std::optional<Id> space, std::optional<Id> equipment,
                  const std::string& key) {
  Point p;
  p.building_id = building;
  p.space_id = space;
  p.equipment_id = equipment;
  p.name = "Supply air temperature";
  p.key = key;
  p.kind = "sensor";
  p.quantity = "temperature";
  p.unit = "°C";
  return p;
}

Point StoreTest::make_point(Id building, std::optional<Id> space, std::optional<Id> equipment,
                            const std::string& key) {
  return ok(store().points().create(all(), point_value(building, space, equipment, key)));
}

Device StoreTest::make_device(Id tenant, std::vector<DeviceChannel> channels,
                              const std::string& serial, std::optional<Id> building) {
  Device d;
  d.tenant_id = tenant;
  d.building_id = building;
  d.name = "Gateway";
  d.protocol = "mqtt";
  d.serial = serial;
  d.channels = std::move(channels);
  return ok(store().devices().create(all(), d));
}

}  // namespace citypulse::testing
