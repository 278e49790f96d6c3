// A device's channels: stored in device_channels, checked against the
// tenant's points, replaced on update, loaded per device on lists, and gone
// when their point goes.
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

class StoreDevicesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt").id;
    building_ = make_building(tenant_).id;
    for (int i = 0; i < 3; ++i) points_.push_back(make_point(building_).id);
  }
  Id tenant_ = 0, building_ = 0;
  std::vector<Id> points_;
};

TEST_F(StoreDevicesTest, ChannelsRoundTripOrderedByName) {
  const Device d =
      make_device(tenant_, {{"temp", points_[0]}, {"40001", points_[1]}, {"AI:3", points_[2]}});
  const std::vector<DeviceChannel> expected = {
      {"40001", points_[1]}, {"AI:3", points_[2]}, {"temp", points_[0]}};
  EXPECT_EQ(d.channels, expected);
  EXPECT_EQ(ok(store().devices().get(Scope::tenant(tenant_), d.id)).channels, expected);
  EXPECT_EQ(count_rows("device_channels", fmt::format("device_id = {}", d.id)), 3);
}

TEST_F(StoreDevicesTest, UpdateReplacesTheChannels) {
  Device d = make_device(tenant_, {{"a", points_[0]}, {"b", points_[1]}});
  d.channels = {{"c", points_[2]}};
  EXPECT_EQ(ok(store().devices().update(all(), d, std::nullopt)).channels, d.channels);
  EXPECT_EQ(ok(store().devices().get(all(), d.id)).channels, d.channels);
  EXPECT_EQ(count_rows("device_channels"), 1);
  d.channels.clear();
  EXPECT_TRUE(ok(store().devices().update(all(), d, std::nullopt)).channels.empty());
  EXPECT_EQ(count_rows("device_channels"), 0);
}

TEST_F(StoreDevicesTest, ListsGiveEachDeviceItsOwnChannels) {
  std::vector<Device> made;
  for (int i = 0; i < 5; ++i)
    made.push_back(make_device(tenant_, {{"ch" + std::to_string(i), points_[i % 3]}}));
  made.push_back(make_device(tenant_));
  ListQuery q;
  q.limit = 4;
  auto first = ok(store().devices().list(all(), q));
  q.after = *first.next_after;
  auto second = ok(store().devices().list(all(), q));
  auto listed = first.records;
  listed.insert(listed.end(), second.records.begin(), second.records.end());
  ASSERT_EQ(listed.size(), made.size());
  for (std::size_t i = 0; i < made.size(); ++i)
    EXPECT_EQ(listed[i].channels, made[i].channels) << i;
}

TEST_F(StoreDevicesTest, AChannelMustFeedAPointOfTheTenant) {
  const Id foreign = make_point(make_building(make_tenant("Dorf").id).id).id;
  Device d;
  d.tenant_id = tenant_;
  d.name = "Gateway";
  d.protocol = "modbus_tcp";
  d.channels = {{"40001", points_[0]}, {"40002", foreign}};
  auto r = store().devices().create(all(), d);
  ASSERT_TRUE(failed_with(r, ErrorCode::invalid));
  EXPECT_EQ(r.error().field, "/channels/1/point_id");
  EXPECT_EQ(r.error().message, fmt::format("point {} does not exist in this tenant", foreign));
  d.channels = {{"40001", 9999}};
  EXPECT_TRUE(failed_with(store().devices().create(all(), d), ErrorCode::invalid));
  d.channels = {{"40001", points_[0]}, {"40001", points_[1]}};
  auto twice = store().devices().create(all(), d);
  ASSERT_TRUE(failed_with(twice, ErrorCode::invalid));
  EXPECT_EQ(twice.error().field, "/channels/1/channel");
  EXPECT_EQ(count_rows("devices"), 0);
  EXPECT_EQ(count_rows("device_channels"), 0);
}

TEST_F(StoreDevicesTest, RemovingAPointWithCascadeRemovesItsChannelsOnly) {
  const Device d = make_device(tenant_, {{"a", points_[0]}, {"b", points_[1]}});
  ok(store().points().remove(all(), points_[0], true, std::nullopt));
  const Device after = ok(store().devices().get(all(), d.id));
  EXPECT_EQ(after.channels, (std::vector<DeviceChannel>{{"b", points_[1]}}));
  EXPECT_EQ(count_rows("device_channels", fmt::format("point_id = {}", points_[0])), 0);
  // The device changed, so its version (its ETag) and updated_at moved on.
  EXPECT_EQ(after.version, d.version + 1);
  EXPECT_GT(after.updated_at, d.updated_at);
}

TEST_F(StoreDevicesTest, ACascadeFromTheBuildingTouchesOnlyDevicesThatLostChannels) {
  const Id other_building = make_building(tenant_).id;
  const Id elsewhere = make_point(other_building).id;
  const Device stripped = make_device(tenant_, {{"a", points_[0]}, {"z", elsewhere}});
  const Device untouched = make_device(tenant_, {{"a", elsewhere}});
  ok(store().buildings().remove(all(), building_, true, std::nullopt));
  const Device s = ok(store().devices().get(all(), stripped.id));
  EXPECT_EQ(s.channels, (std::vector<DeviceChannel>{{"z", elsewhere}}));
  EXPECT_EQ(s.version, stripped.version + 1);
  const Device u = ok(store().devices().get(all(), untouched.id));
  EXPECT_EQ(u.version, untouched.version);
  EXPECT_EQ(u.updated_at, untouched.updated_at);
}

TEST_F(StoreDevicesTest, RemovingADeviceRemovesItsChannelsButNotThePoints) {
  const Device d = make_device(tenant_, {{"a", points_[0]}});
  ok(store().devices().remove(all(), d.id, false, std::nullopt));  // own channels are no dependents
  EXPECT_EQ(count_rows("device_channels"), 0);
  EXPECT_EQ(count_rows("points"), 3);
}

}  // namespace
}  // namespace citypulse::testing
