// Reference rules beyond the tenant: same-building references, part-of
// cycles, immutable fields, unique values and versions.
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

class StoreReferencesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt").id;
    school_ = make_building(tenant_).id;
    pool_ = make_building(tenant_, std::nullopt, "swimming_pool").id;
    school_space_ = make_space(make_floor(school_).id).id;
    pool_space_ = make_space(make_floor(pool_).id, "pool_hall").id;
    pool_pump_ = make_equipment(pool_, pool_space_, std::nullopt, "pump").id;
  }
  Id tenant_ = 0, school_ = 0, pool_ = 0, school_space_ = 0, pool_space_ = 0, pool_pump_ = 0;
};

TEST_F(StoreReferencesTest, AMissingReferenceIsInvalidAndNamesTheField) {
  Building b;
  b.tenant_id = tenant_;
  b.name = "Annex";
  b.type = "office";
  b.site_id = 42;
  auto r = store().buildings().create(all(), b);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/site_id");
  EXPECT_EQ(r.error().message, "site 42 does not exist in this tenant");
  EXPECT_EQ(count_rows("buildings"), 2);
}

TEST_F(StoreReferencesTest, EquipmentMustStandInASpaceOfItsOwnBuilding) {
  Equipment e;
  e.building_id = school_;
  e.space_id = pool_space_;
  e.name = "Boiler";
  e.kind = "boiler";
  auto r = store().equipment().create(all(), e);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/space_id");
  EXPECT_EQ(r.error().message, fmt::format("space {} is in building {}, not in this equipment's "
                                           "building {}",
                                           pool_space_, pool_, school_));
  e.space_id = school_space_;
  EXPECT_EQ(ok(store().equipment().create(all(), e)).space_id, school_space_);
}

TEST_F(StoreReferencesTest, EquipmentParentMustBeInTheSameBuilding) {
  Equipment e;
  e.building_id = school_;
  e.parent_id = pool_pump_;
  e.name = "Motor";
  e.kind = "other";
  auto r = store().equipment().create(all(), e);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/parent_id");
}

TEST_F(StoreReferencesTest, PointsMustReferToSpaceAndEquipmentOfTheirBuilding) {
  auto in_space = store().points().create(all(), point_value(school_, pool_space_, {}, ""));
  ASSERT_TRUE(failed_with(in_space, ErrorCode::invalid));
  EXPECT_EQ(in_space.error().field, "/space_id");
  auto on_equipment = store().points().create(all(), point_value(school_, {}, pool_pump_, ""));
  ASSERT_TRUE(failed_with(on_equipment, ErrorCode::invalid));
  EXPECT_EQ(on_equipment.error().field, "/equipment_id");
  EXPECT_EQ(count_rows("points"), 0);
  ok(store().points().create(all(), point_value(pool_, pool_space_, pool_pump_, "")));
}

TEST_F(StoreReferencesTest, APartOfChainCannotLoop) {
  const Id plant = make_equipment(pool_, {}, {}, "other").id;
  const Id filter = make_equipment(pool_, {}, plant, "pool_filter").id;
  const Id pump = make_equipment(pool_, {}, filter, "pump").id;
  Equipment top = ok(store().equipment().get(all(), plant));

  top.parent_id = pump;  // plant → pump → filter → plant
  auto loop = store().equipment().update(all(), top, std::nullopt);
  ASSERT_TRUE(failed_with(loop, ErrorCode::invalid));
  EXPECT_EQ(loop.error().field, "/parent_id");

  top.parent_id = plant;  // its own parent
  auto self = store().equipment().update(all(), top, std::nullopt);
  ASSERT_TRUE(failed_with(self, ErrorCode::invalid));
  EXPECT_EQ(self.error().field, "/parent_id");
  EXPECT_EQ(count_rows("equipment", fmt::format("id = {} AND parent_id IS NULL", plant)), 1);

  // Moving a part under a sibling chain that does not contain it is fine.
  Equipment bottom = ok(store().equipment().get(all(), pump));
  bottom.parent_id = plant;
  EXPECT_EQ(ok(store().equipment().update(all(), bottom, std::nullopt)).parent_id, plant);
}

TEST_F(StoreReferencesTest, ImmutableFieldsCannotChange) {
  Floor f = make_floor(school_);
  f.building_id = pool_;
  auto r = store().floors().update(all(), f, std::nullopt);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/building_id");
  EXPECT_EQ(ok(store().floors().get(all(), f.id)).building_id, school_);
}

TEST_F(StoreReferencesTest, AnOutdatedVersionChangesNothing) {
  Building b = ok(store().buildings().get(all(), school_));
  b.name = "First";
  const Building first = ok(store().buildings().update(all(), b, 1));
  EXPECT_EQ(first.version, 2);
  b.name = "Second";
  auto stale = store().buildings().update(all(), b, 1);
  ASSERT_TRUE(failed_with(stale, ErrorCode::precondition_failed));
  EXPECT_EQ(ok(store().buildings().get(all(), school_)).name, "First");
  EXPECT_TRUE(failed_with(store().buildings().remove(all(), school_, true, 1),
                          ErrorCode::precondition_failed));
  EXPECT_EQ(count_rows("buildings", fmt::format("id = {}", school_)), 1);
  ok(store().buildings().remove(all(), school_, true, 2));
  EXPECT_EQ(count_rows("buildings", fmt::format("id = {}", school_)), 0);
}

TEST_F(StoreReferencesTest, TenantNamesAreUniqueAcrossTheStore) {
  Tenant t;
  t.name = "Stadt";
  auto r = store().tenants().create(all(), t);
  ASSERT_TRUE(failed_with(r, ErrorCode::conflict));
  EXPECT_EQ(r.error().field, "/name");
  EXPECT_NE(r.error().message.find("name 'Stadt'"), std::string::npos) << r.error().message;
  Tenant other = make_tenant("Dorf");
  other.name = "Stadt";
  EXPECT_TRUE(
      failed_with(store().tenants().update(all(), other, std::nullopt), ErrorCode::conflict));
  EXPECT_EQ(count_rows("tenants"), 2);
}

TEST_F(StoreReferencesTest, PointKeysAreUniqueInATenantWhenSet) {
  const Point first = make_point(school_, {}, {}, "school.heat.meter");
  auto clash = store().points().create(all(), point_value(pool_, {}, {}, "school.heat.meter"));
  ASSERT_TRUE(failed_with(clash, ErrorCode::conflict));
  EXPECT_EQ(clash.error().field, "/key");
  EXPECT_EQ(clash.error().message,
            fmt::format("point {} already has key 'school.heat.meter'; 'key' must be unique in "
                        "the tenant",
                        first.id));
  // Empty keys never clash; another tenant may use the same key.
  make_point(school_);
  make_point(school_);
  const Id other = make_building(make_tenant("Dorf").id).id;
  make_point(other, {}, {}, "school.heat.meter");
  // Keeping one's own key on update is no clash; taking another's is.
  Point p = ok(store().points().get(all(), first.id));
  p.name = "Heat meter";
  ok(store().points().update(all(), p, std::nullopt));
  Point second = make_point(school_, {}, {}, "second");
  second.key = "school.heat.meter";
  EXPECT_TRUE(
      failed_with(store().points().update(all(), second, std::nullopt), ErrorCode::conflict));
}

TEST_F(StoreReferencesTest, DeviceSerialsAreUniqueInATenantWhenSet) {
  make_device(tenant_, {}, "0004A30B001C2D3E");
  make_device(tenant_, {}, "");
  make_device(tenant_, {}, "");
  Device d;
  d.tenant_id = tenant_;
  d.name = "Copy";
  d.protocol = "lorawan";
  d.serial = "0004A30B001C2D3E";
  auto r = store().devices().create(all(), d);
  ASSERT_TRUE(failed_with(r, ErrorCode::conflict));
  EXPECT_EQ(r.error().field, "/serial");
  d.tenant_id = make_tenant("Dorf").id;
  ok(store().devices().create(all(), d));
}

TEST_F(StoreReferencesTest, TheUniqueIndexesBackTheChecks) {
  // If the store's own check were missed, the database still refuses a clash,
  // and the clash maps to conflict.
  make_point(school_, {}, {}, "k");
  EXPECT_TRUE(failed_with(raw_sql(fmt::format("INSERT INTO points (tenant_id, building_id, name, "
                                              "key, kind, quantity, unit, tags, version, "
                                              "created_at, updated_at) VALUES ({}, {}, 'p', 'k', "
                                              "'sensor', 'temperature', '°C', '[]', 1, "
                                              "0, 0)",
                                              tenant_, school_)),
                          ErrorCode::conflict));
}

}  // namespace
}  // namespace citypulse::testing
