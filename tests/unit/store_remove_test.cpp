// remove(): refused with a count of what still refers to the record, or with
// cascade, everything that refers to it goes too, leaving no orphans.
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

class StoreRemoveTest : public StoreTest {
 protected:
  // A building with 2 floors, 3 spaces, an AHU with a fan as its part, 4
  // points, and a device feeding two of them; plus a second tenant's building
  // that every cascade must leave alone.
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt").id;
    site_ = make_site(tenant_).id;
    building_ = make_building(tenant_, site_).id;
    const Id ground = make_floor(building_, 0).id;
    const Id first = make_floor(building_, 1).id;
    space_ = make_space(ground).id;
    make_space(ground);
    make_space(first);
    ahu_ = make_equipment(building_, space_).id;
    fan_ = make_equipment(building_, space_, ahu_, "fan").id;
    point_ = make_point(building_, space_, fan_).id;
    const Id p2 = make_point(building_, space_, ahu_).id;
    make_point(building_, space_);
    make_point(building_);
    device_ = make_device(tenant_, {{"t1", point_}, {"t2", p2}}, "", building_).id;

    other_tenant_ = make_tenant("Dorf").id;
    const Id b = make_building(other_tenant_).id;
    const Id p = make_point(b, make_space(make_floor(b).id).id, make_equipment(b).id).id;
    make_device(other_tenant_, {{"x", p}});
  }

  std::int64_t rows_of(const std::string& table, Id tenant) {
    return count_rows(table, fmt::format("tenant_id = {}", tenant));
  }
  std::int64_t channels_of(Id tenant) {
    return count_rows(
        "device_channels",
        fmt::format("device_id IN (SELECT id FROM devices WHERE tenant_id = {})", tenant));
  }
  void expect_other_tenant_intact() {
    EXPECT_EQ(rows_of("buildings", other_tenant_), 1);
    EXPECT_EQ(rows_of("floors", other_tenant_), 1);
    EXPECT_EQ(rows_of("spaces", other_tenant_), 1);
    EXPECT_EQ(rows_of("equipment", other_tenant_), 1);
    EXPECT_EQ(rows_of("points", other_tenant_), 1);
    EXPECT_EQ(rows_of("devices", other_tenant_), 1);
    EXPECT_EQ(channels_of(other_tenant_), 1);
  }
  // No row may refer to a record that is gone.
  void expect_no_orphans() {
    EXPECT_EQ(count_rows("spaces", "floor_id NOT IN (SELECT id FROM floors)"), 0);
    EXPECT_EQ(count_rows("equipment",
                         "parent_id IS NOT NULL AND parent_id NOT IN "
                         "(SELECT id FROM equipment)"),
              0);
    EXPECT_EQ(count_rows("points",
                         "equipment_id IS NOT NULL AND equipment_id NOT IN "
                         "(SELECT id FROM equipment)"),
              0);
    EXPECT_EQ(count_rows("device_channels", "point_id NOT IN (SELECT id FROM points)"), 0);
    for (const char* t : {"floors", "spaces", "equipment", "points"})
      EXPECT_EQ(count_rows(t, "building_id NOT IN (SELECT id FROM buildings)"), 0) << t;
  }

  Id tenant_ = 0, site_ = 0, building_ = 0, space_ = 0, ahu_ = 0, fan_ = 0, point_ = 0, device_ = 0,
     other_tenant_ = 0;
};

TEST_F(StoreRemoveTest, RefusesWhileRecordsReferToTheBuildingAndCountsThem) {
  auto r = store().buildings().remove(all(), building_, false, std::nullopt);
  ASSERT_TRUE(failed_with(r, ErrorCode::conflict));
  EXPECT_EQ(r.error().message,
            fmt::format("building {} still has 2 floors, 3 spaces, 2 equipment, 4 points, 1 "
                        "device; delete them first or pass cascade=true",
                        building_));
  EXPECT_EQ(rows_of("buildings", tenant_), 1);
  EXPECT_EQ(rows_of("floors", tenant_), 2);
}

TEST_F(StoreRemoveTest, CountsPartsDeviceChannelsAndEverythingATenantOwns) {
  auto ahu = store().equipment().remove(all(), ahu_, false, std::nullopt);
  ASSERT_TRUE(failed_with(ahu, ErrorCode::conflict));
  EXPECT_EQ(ahu.error().message,
            fmt::format("equipment {} still has 1 equipment, 1 point; delete them first or pass "
                        "cascade=true",
                        ahu_));
  auto point = store().points().remove(all(), point_, false, std::nullopt);
  ASSERT_TRUE(failed_with(point, ErrorCode::conflict));
  EXPECT_NE(point.error().message.find("1 device channel;"), std::string::npos)
      << point.error().message;
  auto tenant = store().tenants().remove(all(), tenant_, false, std::nullopt);
  ASSERT_TRUE(failed_with(tenant, ErrorCode::conflict));
  EXPECT_EQ(tenant.error().message,
            fmt::format("tenant {} still has 1 site, 1 building, 2 floors, 3 spaces, 2 equipment, "
                        "4 points, 1 device; delete them first or pass cascade=true",
                        tenant_));
}

TEST_F(StoreRemoveTest, RemovesARecordNothingRefersTo) {
  const Id lonely = make_floor(building_, 7).id;
  ok(store().floors().remove(all(), lonely, false, std::nullopt));
  EXPECT_EQ(count_rows("floors", fmt::format("id = {}", lonely)), 0);
}

TEST_F(StoreRemoveTest, CascadeFromTheBuildingLeavesNoOrphans) {
  ok(store().buildings().remove(all(), building_, true, std::nullopt));
  for (const char* t : {"buildings", "floors", "spaces", "equipment", "points", "devices"})
    EXPECT_EQ(rows_of(t, tenant_), 0) << t;
  EXPECT_EQ(channels_of(tenant_), 0);
  EXPECT_EQ(rows_of("sites", tenant_), 1);  // the site does not refer to the building
  expect_no_orphans();
  expect_other_tenant_intact();
}

TEST_F(StoreRemoveTest, CascadeFromTheSiteReachesTheWholeTree) {
  ok(store().sites().remove(Scope::tenant(tenant_), site_, true, std::nullopt));
  for (const char* t : {"sites", "buildings", "floors", "spaces", "equipment", "points", "devices"})
    EXPECT_EQ(rows_of(t, tenant_), 0) << t;
  EXPECT_EQ(channels_of(tenant_), 0);
  expect_no_orphans();
  expect_other_tenant_intact();
}

TEST_F(StoreRemoveTest, CascadeFromEquipmentTakesItsPartsAndTheirPoints) {
  ok(store().equipment().remove(all(), ahu_, true, std::nullopt));
  EXPECT_EQ(rows_of("equipment", tenant_), 0);
  EXPECT_EQ(rows_of("points", tenant_), 2);  // the space's and the building's points remain
  EXPECT_EQ(channels_of(tenant_), 0);
  EXPECT_EQ(rows_of("devices", tenant_), 1);  // a device outlives the points it fed
  expect_no_orphans();
  expect_other_tenant_intact();
}

TEST_F(StoreRemoveTest, CascadeFromTheTenantRemovesEverythingItOwns) {
  ok(store().tenants().remove(all(), tenant_, true, std::nullopt));
  for (const char* t : {"sites", "buildings", "floors", "spaces", "equipment", "points", "devices"})
    EXPECT_EQ(rows_of(t, tenant_), 0) << t;
  EXPECT_EQ(count_rows("tenants"), 1);
  EXPECT_EQ(count_rows("device_channels"), 1);
  expect_no_orphans();
  expect_other_tenant_intact();
}

}  // namespace
}  // namespace citypulse::testing
