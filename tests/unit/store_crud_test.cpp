// Create, get, update, list and remove of every resource type, comparing
// every field through the schema's JSON encoding; timestamps and versions;
// calls from several threads.
#include <boost/json.hpp>

#include <set>
#include <thread>

#include "core/time.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

// What every resource's record may refer to, created once per test.
struct Prerequisites {
  Id tenant, site, building, floor, space, equipment, point;
};

// The fields of a record without its meta, as JSON: what a round trip must keep.
template <class T>
std::string fields(const T& record) {
  auto o = encode(record, schema_of<T>());
  for (auto key : {"id", "tenant_id", "version", "created_at", "updated_at"}) o.erase(key);
  return boost::json::serialize(o);
}

template <class T>
std::string everything(const T& record) {
  return boost::json::serialize(encode(record, schema_of<T>()));
}

// An unstored record with every field set, and a change to every writable one.
template <class T>
struct Sample;

template <>
struct Sample<Tenant> {
  static Tenant value(const Prerequisites&) {
    Tenant t;
    t.name = "Stadt Kleinhausen";
    t.timezone = "UTC";
    return t;
  }
  static void change(Tenant& t) {
    t.name = "Gemeinde Kleinhausen";
    t.timezone = "Europe/Berlin";
  }
};

template <>
struct Sample<Site> {
  static Site value(const Prerequisites&) {
    Site s;
    s.name = "Schulzentrum";
    s.address = "Am Anger 3";
    s.latitude = 51.5;
    s.longitude = 7.25;
    s.tags = {"campus"};
    return s;
  }
  static void change(Site& s) {
    s.name = "Schulcampus";
    s.address = "";
    s.latitude = s.longitude = std::nullopt;
    s.tags = {"campus", "district_heating"};
  }
};

template <>
struct Sample<Building> {
  static Building value(const Prerequisites& p) { return building_value(p.site); }
  static void change(Building& b) {
    b.site_id = std::nullopt;
    b.type = "sports_hall";
    b.year_built = std::nullopt;
    b.gross_floor_area_m2 = 990;
    b.tags.clear();
  }
};

template <>
struct Sample<Floor> {
  static Floor value(const Prerequisites& p) {
    Floor f;
    f.building_id = p.building;
    f.name = "Basement";
    f.level = -1;
    f.elevation_m = -3.2;
    return f;
  }
  static void change(Floor& f) {
    f.name = "Cellar";
    f.level = -2;
    f.elevation_m = std::nullopt;
  }
};

template <>
struct Sample<Space> {
  static Space value(const Prerequisites& p) {
    Space s;
    s.building_id = p.building;  // what the store derives from the floor
    s.floor_id = p.floor;
    s.name = "Class 3b";
    s.usage = "classroom";
    s.area_m2 = 64.5;
    s.zone = "south";
    s.tags = {"radiators"};
    return s;
  }
  static void change(Space& s) {
    s.name = "Staff room";
    s.usage = "office";
    s.area_m2 = std::nullopt;
    s.zone = "";
    s.tags = {"radiators", "windows"};
  }
};

template <>
struct Sample<Equipment> {
  static Equipment value(const Prerequisites& p) {
    Equipment e;
    e.building_id = p.building;
    e.space_id = p.space;
    e.parent_id = p.equipment;
    e.name = "Supply fan";
    e.kind = "fan";
    e.vendor = "ebm-papst";
    e.model = "RadiPac";
    e.tags = {"vfd"};
    return e;
  }
  static void change(Equipment& e) {
    e.space_id = std::nullopt;
    e.parent_id = std::nullopt;
    e.kind = "pump";
    e.vendor = "Grundfos";
    e.model = "";
  }
};

template <>
struct Sample<Point> {
  static Point value(const Prerequisites& p) {
    Point pt = point_value(p.building, p.space, p.equipment, "ahu1.supply.temp");
    pt.min_value = -40;
    pt.max_value = 80;
    pt.expected_interval_s = 60;
    pt.tags = {"supply", "air"};
    return pt;
  }
  static void change(Point& pt) {
    pt.space_id = std::nullopt;
    pt.equipment_id = std::nullopt;
    pt.key = "";
    pt.kind = "setpoint";
    pt.min_value = pt.max_value = std::nullopt;
    pt.expected_interval_s = 900;
    pt.tags = {"comfort"};
  }
};

template <>
struct Sample<Device> {
  static Device value(const Prerequisites& p) {
    Device d;
    d.building_id = p.building;
    d.name = "LoRaWAN room sensor";
    d.protocol = "lorawan";
    d.vendor = "Elsys";
    d.model = "ERS CO2";
    d.serial = "A81758FFFE0312AB";
    d.status = "active";
    d.channels = {{"co2", p.point}, {"temperature", p.point}};
    d.tags = {"battery"};
    return d;
  }
  static void change(Device& d) {
    d.building_id = std::nullopt;
    d.serial = "";
    d.status = "disabled";
    d.channels = {{"humidity", d.channels.front().point_id}};
  }
};

template <class T>
class CrudTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt Musterhausen");
    pre_.tenant = tenant_.id;
    pre_.site = make_site(pre_.tenant).id;
    pre_.building = make_building(pre_.tenant, pre_.site).id;
    pre_.floor = make_floor(pre_.building).id;
    pre_.space = make_space(pre_.floor).id;
    pre_.equipment = make_equipment(pre_.building, pre_.space).id;
    pre_.point = make_point(pre_.building, pre_.space, pre_.equipment).id;
  }
  // A tenant's own scope, except for tenants themselves, which only the
  // all-tenants scope creates.
  Scope scope() const {
    return std::is_same_v<T, Tenant> ? Scope::all_tenants() : Scope::tenant(pre_.tenant);
  }

  Tenant tenant_;
  Prerequisites pre_{};
};

using Resources = ::testing::Types<Tenant, Site, Building, Floor, Space, Equipment, Point, Device>;
TYPED_TEST_SUITE(CrudTest, Resources);

TYPED_TEST(CrudTest, RoundTripsEveryFieldThroughCreateGetUpdateListRemove) {
  using T = TypeParam;
  auto& repo = repository<T>(this->store());
  const Scope scope = this->scope();
  const TimeMs before = now_ms();

  T input = Sample<T>::value(this->pre_);
  input.id = 4242;  // meta given by a caller is ignored
  input.version = 7;
  input.created_at = input.updated_at = 1;
  const T created = ok(repo.create(scope, input));
  EXPECT_GT(created.id, 0);
  EXPECT_NE(created.id, 4242);
  EXPECT_EQ(created.version, 1);
  EXPECT_GE(created.created_at, before);
  EXPECT_EQ(created.updated_at, created.created_at);
  EXPECT_EQ(created.tenant_id, (std::is_same_v<T, Tenant> ? created.id : this->pre_.tenant));
  EXPECT_EQ(fields(created), fields(input));

  const T got = ok(repo.get(scope, created.id));
  EXPECT_EQ(everything(got), everything(created));

  T changed = got;
  Sample<T>::change(changed);
  ASSERT_NE(fields(changed), fields(got)) << "the sample change must change something";
  const T updated = ok(repo.update(scope, changed, got.version));
  EXPECT_EQ(updated.id, created.id);
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.created_at, created.created_at);
  EXPECT_GT(updated.updated_at, created.updated_at);
  EXPECT_EQ(fields(updated), fields(changed));
  EXPECT_EQ(everything(ok(repo.get(scope, created.id))), everything(updated));

  auto listed = ok(repo.list(scope, {}));
  auto it = std::find_if(listed.records.begin(), listed.records.end(),
                         [&](const T& r) { return r.id == created.id; });
  ASSERT_NE(it, listed.records.end());
  EXPECT_EQ(everything(*it), everything(updated));

  ok(repo.remove(scope, created.id, false, updated.version));
  EXPECT_TRUE(failed_with(repo.get(scope, created.id), ErrorCode::not_found));
  for (const auto& r : ok(repo.list(scope, {})).records) EXPECT_NE(r.id, created.id);
}

TYPED_TEST(CrudTest, MissingRecordsAreNotFound) {
  using T = TypeParam;
  auto& repo = repository<T>(this->store());
  T record = Sample<T>::value(this->pre_);
  record.id = 999'999;
  EXPECT_TRUE(failed_with(repo.get(this->scope(), 999'999), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(repo.update(this->scope(), record, std::nullopt), ErrorCode::not_found));
  // Existence is checked before the version: absent is not_found, whatever version was expected.
  EXPECT_TRUE(failed_with(repo.update(this->scope(), record, 1), ErrorCode::not_found));
  EXPECT_TRUE(failed_with(repo.remove(this->scope(), 999'999, true, 1), ErrorCode::not_found));
}

class StoreCrudTest : public StoreTest {};

TEST_F(StoreCrudTest, UpdatedAtGrowsWithEveryUpdateEvenWithinOneMillisecond) {
  const Id tenant = make_tenant("T").id;
  Site site = make_site(tenant);
  TimeMs last = site.updated_at;
  for (int i = 0; i < 20; ++i) {
    site.name = "Site " + std::to_string(i);
    site = ok(store().sites().update(all(), site, std::nullopt));
    EXPECT_GT(site.updated_at, last);
    last = site.updated_at;
  }
  EXPECT_EQ(site.version, 21);
}

TEST_F(StoreCrudTest, CallsFromSeveralThreadsAllSucceedWithDistinctIds) {
  const Id tenant = make_tenant("T").id;
  std::vector<std::thread> threads;
  std::vector<std::vector<Id>> ids(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Site s;
        s.name = "Site";
        auto stored = store().sites().create(Scope::tenant(tenant), s);
        if (stored) ids[t].push_back(stored->id);
        (void)store().sites().list(Scope::tenant(tenant), {});
      }
    });
  for (auto& th : threads) th.join();
  std::set<Id> distinct;
  for (const auto& v : ids) distinct.insert(v.begin(), v.end());
  EXPECT_EQ(distinct.size(), 200u);
  EXPECT_EQ(count_rows("sites"), 200);
}

}  // namespace
}  // namespace citypulse::testing
