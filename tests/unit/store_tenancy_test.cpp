// Tenant isolation and how a record's tenant is decided: a tenant scope never
// sees, changes, removes or refers to another tenant's records; top-level
// records take the tenant from the scope (or, for all tenants, from the
// record); the others from their owner.
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

class StoreTenancyTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    a_ = make_tenant("Stadt A").id;
    b_ = make_tenant("Stadt B").id;
    a_building_ = make_building(a_).id;
    b_site_ = make_site(b_).id;
    b_building_ = make_building(b_, b_site_).id;
    b_floor_ = make_floor(b_building_).id;
    b_point_ = make_point(b_building_).id;
  }
  Id a_ = 0, b_ = 0, a_building_ = 0, b_site_ = 0, b_building_ = 0, b_floor_ = 0, b_point_ = 0;
};

TEST_F(StoreTenancyTest, ATenantScopeDoesNotSeeAnotherTenantsRecords) {
  const Scope a = Scope::tenant(a_);
  EXPECT_TRUE(failed_with(store().buildings().get(a, b_building_), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(store().floors().get(a, b_floor_), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(store().tenants().get(a, b_), ErrorCode::not_found));
  auto buildings = ok(store().buildings().list(a, {}));
  ASSERT_EQ(buildings.records.size(), 1u);
  EXPECT_EQ(buildings.records[0].id, a_building_);
  EXPECT_TRUE(ok(store().sites().list(a, {})).records.empty());
  auto tenants = ok(store().tenants().list(a, {}));
  ASSERT_EQ(tenants.records.size(), 1u);
  EXPECT_EQ(tenants.records[0].id, a_);
  // The all-tenants scope sees both.
  EXPECT_EQ(ok(store().buildings().list(all(), {})).records.size(), 2u);
  EXPECT_EQ(ok(store().tenants().list(all(), {})).records.size(), 2u);
}

TEST_F(StoreTenancyTest, ATenantScopeCannotUpdateOrRemoveAnotherTenantsRecords) {
  const Scope a = Scope::tenant(a_);
  Building b = ok(store().buildings().get(all(), b_building_));
  b.name = "Hijacked";
  EXPECT_TRUE(failed_with(store().buildings().update(a, b, std::nullopt), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(store().buildings().remove(a, b_building_, true, std::nullopt),
                          ErrorCode::not_found));
  Tenant tb = ok(store().tenants().get(all(), b_));
  tb.name = "Renamed";
  EXPECT_TRUE(failed_with(store().tenants().update(a, tb, std::nullopt), ErrorCode::not_found));
  EXPECT_TRUE(
      failed_with(store().tenants().remove(a, b_, true, std::nullopt), ErrorCode::not_found));
  EXPECT_EQ(ok(store().buildings().get(all(), b_building_)).name, "Building");
  EXPECT_EQ(ok(store().tenants().get(all(), b_)).name, "Stadt B");
  EXPECT_EQ(count_rows("floors"), 1);
}

TEST_F(StoreTenancyTest, ATenantScopeCannotReferToAnotherTenantsRecords) {
  const Scope a = Scope::tenant(a_);
  Building building;
  building.name = "Annex";
  building.type = "office";
  building.site_id = b_site_;
  auto r = store().buildings().create(a, building);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/site_id");
  EXPECT_EQ(r.error().message, fmt::format("site {} does not exist in this tenant", b_site_));

  Floor floor;
  floor.building_id = b_building_;
  floor.name = "F";
  auto f = store().floors().create(a, floor);
  ASSERT_TRUE(failed_with(f, ErrorCode::invalid));
  EXPECT_EQ(f.error().field, "/building_id");
  EXPECT_EQ(f.error().message,
            fmt::format("building {} does not exist in this tenant", b_building_));

  // Also through an update of a record of one's own.
  Building own = ok(store().buildings().get(a, a_building_));
  own.site_id = b_site_;
  EXPECT_TRUE(failed_with(store().buildings().update(a, own, std::nullopt), ErrorCode::invalid));
  EXPECT_EQ(count_rows("floors"), 1);
  EXPECT_EQ(count_rows("buildings", "site_id IS NOT NULL"), 1);
}

TEST_F(StoreTenancyTest, EvenForAllTenantsAReferenceMustStayInsideTheRecordsTenant) {
  // A's building, B's point: the owner decides the tenant (A), so B's point is foreign.
  Device d;
  d.tenant_id = a_;
  d.name = "Gateway";
  d.protocol = "mqtt";
  d.channels = {{"t", b_point_}};
  auto r = store().devices().create(all(), d);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/channels/0/point_id");

  Equipment e;
  e.building_id = a_building_;
  e.name = "AHU";
  e.kind = "ahu";
  e.parent_id = ok(store().equipment().create(all(),
                                              [&] {
                                                Equipment other;
                                                other.building_id = b_building_;
                                                other.name = "B's AHU";
                                                other.kind = "ahu";
                                                return other;
                                              }()))
                    .id;
  auto eq = store().equipment().create(all(), e);
  ASSERT_TRUE(failed_with(eq, ErrorCode::invalid));
  EXPECT_EQ(eq.error().field, "/parent_id");
}

TEST_F(StoreTenancyTest, TopLevelRecordsTakeTheTenantFromTheScope) {
  Site s;
  s.name = "Depot";
  EXPECT_EQ(ok(store().sites().create(Scope::tenant(a_), s)).tenant_id, a_);
  s.tenant_id = a_;  // naming one's own tenant is fine
  EXPECT_EQ(ok(store().sites().create(Scope::tenant(a_), s)).tenant_id, a_);
  s.tenant_id = b_;
  auto r = store().sites().create(Scope::tenant(a_), s);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/tenant_id");
  EXPECT_EQ(count_rows("sites", fmt::format("tenant_id = {}", b_)), 1);
}

TEST_F(StoreTenancyTest, ForAllTenantsATopLevelRecordNamesAnExistingTenant) {
  Site s;
  s.name = "Depot";
  auto missing = store().sites().create(all(), s);
  ASSERT_TRUE(failed_with(missing, ErrorCode::invalid));
  EXPECT_EQ(missing.error().field, "/tenant_id");
  s.tenant_id = 777;
  auto unknown = store().sites().create(all(), s);
  ASSERT_TRUE(failed_with(unknown, ErrorCode::invalid));
  EXPECT_EQ(unknown.error().message, "tenant 777 does not exist");
  s.tenant_id = b_;
  EXPECT_EQ(ok(store().sites().create(all(), s)).tenant_id, b_);
}

TEST_F(StoreTenancyTest, TheTenantOfARecordCannotChange) {
  Building b = ok(store().buildings().get(all(), a_building_));
  b.tenant_id = b_;
  auto r = store().buildings().update(all(), b, std::nullopt);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/tenant_id");
  EXPECT_EQ(ok(store().buildings().get(all(), a_building_)).tenant_id, a_);
}

TEST_F(StoreTenancyTest, OwnedRecordsTakeTenantAndBuildingFromTheirOwner) {
  const Id floor = make_floor(a_building_).id;
  Space s;
  s.floor_id = floor;
  s.building_id = b_building_;  // derived: whatever the caller says is ignored
  s.tenant_id = b_;
  s.name = "Hall";
  s.usage = "gym";
  const Space stored = ok(store().spaces().create(Scope::tenant(a_), s));
  EXPECT_EQ(stored.tenant_id, a_);
  EXPECT_EQ(stored.building_id, a_building_);
  // And it stays derived on update.
  Space changed = stored;
  changed.building_id = b_building_;
  changed.name = "Big hall";
  const Space updated = ok(store().spaces().update(Scope::tenant(a_), changed, std::nullopt));
  EXPECT_EQ(updated.building_id, a_building_);
  EXPECT_EQ(ok(store().floors().get(Scope::tenant(a_), floor)).tenant_id, a_);
}

TEST_F(StoreTenancyTest, AnOwnerMustExist) {
  Space s;
  s.floor_id = 4711;
  s.name = "Hall";
  s.usage = "gym";
  auto r = store().spaces().create(all(), s);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/floor_id");
  EXPECT_EQ(r.error().message, "floor 4711 does not exist");
  s.floor_id = 0;
  auto unset = store().spaces().create(all(), s);
  ASSERT_TRUE(failed_with(unset, ErrorCode::invalid));
  EXPECT_EQ(unset.error().field, "/floor_id");
}

TEST_F(StoreTenancyTest, TenantsAreCreatedOnlyForAllTenantsAndScopedByTheirOwnId) {
  Tenant t;
  t.name = "Stadt C";
  EXPECT_TRUE(failed_with(store().tenants().create(Scope::tenant(a_), t), ErrorCode::invalid));
  EXPECT_EQ(count_rows("tenants"), 2);
  Tenant own = ok(store().tenants().get(Scope::tenant(a_), a_));
  EXPECT_EQ(own.tenant_id, a_);
  own.timezone = "Europe/Paris";
  EXPECT_EQ(ok(store().tenants().update(Scope::tenant(a_), own, std::nullopt)).timezone,
            "Europe/Paris");
}

}  // namespace
}  // namespace citypulse::testing
