// A scope limited to some buildings: reads see only those buildings' records
// (and the sites holding them), writes stay inside them, and the tenant,
// sites and buildings themselves are read-only to such a caller.
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

class StoreBuildingScopeTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt").id;
    site_in_ = make_site(tenant_, "Schulzentrum").id;
    site_out_ = make_site(tenant_, "Bauhof").id;
    mine_ = make_building(tenant_, site_in_).id;
    other_ = make_building(tenant_, site_out_).id;
    floor_mine_ = make_floor(mine_).id;
    floor_other_ = make_floor(other_).id;
    point_mine_ = make_point(mine_).id;
    point_other_ = make_point(other_).id;
    limited_ = Scope::buildings(tenant_, {mine_});
  }
  Id tenant_ = 0, site_in_ = 0, site_out_ = 0, mine_ = 0, other_ = 0;
  Id floor_mine_ = 0, floor_other_ = 0, point_mine_ = 0, point_other_ = 0;
  Scope limited_ = Scope::tenant(0);
};

template <class T>
std::vector<Id> ids_of(const Page<T>& page) {
  std::vector<Id> ids;
  for (const auto& r : page.records) ids.push_back(r.id);
  return ids;
}

TEST_F(StoreBuildingScopeTest, ReadsSeeOnlyTheGrantedBuildings) {
  EXPECT_EQ(ids_of(ok(store().buildings().list(limited_, {}))), std::vector<Id>{mine_});
  EXPECT_EQ(ids_of(ok(store().floors().list(limited_, {}))), std::vector<Id>{floor_mine_});
  EXPECT_EQ(ids_of(ok(store().points().list(limited_, {}))), std::vector<Id>{point_mine_});
  EXPECT_EQ(ids_of(ok(store().sites().list(limited_, {}))), std::vector<Id>{site_in_});
  EXPECT_EQ(ids_of(ok(store().tenants().list(limited_, {}))), std::vector<Id>{tenant_});
  EXPECT_TRUE(ok(store().buildings().get(limited_, mine_)).id == mine_);
  EXPECT_TRUE(failed_with(store().buildings().get(limited_, other_), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(store().floors().get(limited_, floor_other_), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(store().points().get(limited_, point_other_), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(store().sites().get(limited_, site_out_), ErrorCode::not_found));
  // Filters combine with the restriction rather than widen it.
  ListQuery q;
  q.filters = {{"building_id", std::to_string(other_)}};
  EXPECT_TRUE(ok(store().points().list(limited_, q)).records.empty());
}

TEST_F(StoreBuildingScopeTest, DevicesWithoutABuildingAreOutside) {
  const Id loose = make_device(tenant_).id;
  const Id inside = make_device(tenant_, {}, "", mine_).id;
  EXPECT_EQ(ids_of(ok(store().devices().list(limited_, {}))), std::vector<Id>{inside});
  EXPECT_TRUE(failed_with(store().devices().get(limited_, loose), ErrorCode::not_found));
}

TEST_F(StoreBuildingScopeTest, TenantSitesAndBuildingsAreReadOnly) {
  EXPECT_TRUE(failed_with(store().buildings().create(limited_, building_value(site_in_)),
                          ErrorCode::forbidden));
  Building b = ok(store().buildings().get(limited_, mine_));
  b.name = "Umbenannt";
  EXPECT_TRUE(
      failed_with(store().buildings().update(limited_, b, std::nullopt), ErrorCode::forbidden));
  EXPECT_TRUE(failed_with(store().buildings().remove(limited_, mine_, true, std::nullopt),
                          ErrorCode::forbidden));
  Site s = ok(store().sites().get(limited_, site_in_));
  EXPECT_TRUE(failed_with(store().sites().update(limited_, s, std::nullopt), ErrorCode::forbidden));
  Tenant t = ok(store().tenants().get(limited_, tenant_));
  EXPECT_TRUE(
      failed_with(store().tenants().update(limited_, t, std::nullopt), ErrorCode::forbidden));
  EXPECT_EQ(ok(store().buildings().get(all(), mine_)).version, 1);
  EXPECT_EQ(count_rows("buildings"), 2);
}

TEST_F(StoreBuildingScopeTest, WritesStayInsideTheGrantedBuildings) {
  // Inside: allowed.
  Point p = point_value(mine_, std::nullopt, std::nullopt, "inside");
  p.tenant_id = tenant_;
  const Point made = ok(store().points().create(limited_, p));
  EXPECT_EQ(made.building_id, mine_);
  // Outside: as if the building did not exist.
  Point outside = point_value(other_, std::nullopt, std::nullopt, "outside");
  auto r = store().points().create(limited_, outside);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/building_id");
  EXPECT_EQ(r.error().message, fmt::format("building {} does not exist in this tenant", other_));
  // A space on a floor of another building: the floor is what is outside.
  Space sp;
  sp.floor_id = floor_other_;
  sp.name = "Raum";
  sp.usage = "office";
  auto rs = store().spaces().create(limited_, sp);
  ASSERT_TRUE(failed_with(rs, ErrorCode::invalid));
  EXPECT_EQ(rs.error().field, "/floor_id");
  // Moving a point out is refused, and nothing changes.
  Point moved = made;
  moved.building_id = other_;
  EXPECT_TRUE(
      failed_with(store().points().update(limited_, moved, std::nullopt), ErrorCode::invalid));
  EXPECT_EQ(ok(store().points().get(all(), made.id)).building_id, mine_);
  // Records outside cannot be changed or deleted: they are not there.
  EXPECT_TRUE(failed_with(store().points().remove(limited_, point_other_, false, std::nullopt),
                          ErrorCode::not_found));
  EXPECT_EQ(count_rows("points", fmt::format("id = {}", point_other_)), 1);
}

TEST_F(StoreBuildingScopeTest, ADeviceMayOnlyFeedPointsInside) {
  Device d;
  d.tenant_id = tenant_;
  d.name = "Gateway";
  d.protocol = "modbus_tcp";
  d.building_id = mine_;
  d.channels = {{"40001", point_mine_}, {"40002", point_other_}};
  auto r = store().devices().create(limited_, d);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/channels/1/point_id");
  d.channels.pop_back();
  EXPECT_EQ(ok(store().devices().create(limited_, d)).channels.size(), 1u);
  d.building_id.reset();
  auto nobuilding = store().devices().create(limited_, d);
  ASSERT_TRUE(failed_with(nobuilding, ErrorCode::invalid));
  EXPECT_EQ(nobuilding.error().field, "/building_id");
}

// A grant names building ids; a removed building's id must never come back
// as another building's, or the grant would silently cover it.
TEST_F(StoreBuildingScopeTest, IdsOfRemovedBuildingsAreNeverReused) {
  const Id newest = make_building(tenant_).id;
  ok(store().buildings().remove(all(), newest, true, std::nullopt));
  EXPECT_GT(make_building(tenant_).id, newest);
}

}  // namespace
}  // namespace citypulse::testing
