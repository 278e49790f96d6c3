// DevicePresence (src/transport/mqtt/device_presence.h): a device is online
// from its first connection to the end of its last, a takeover is no change
// whichever connection's thread runs first, a gateway's word keeps the
// devices it names online until it takes it back or goes offline itself,
// and a resolution that comes after a disconnect naming the device counts
// for nothing. Also the reasons and the details JSON of device_status
// events.
#include "transport/mqtt/device_presence.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "transport/mqtt/packet.h"

namespace citypulse::mqtt {
namespace {

namespace json = boost::json;

// What a listener heard, one line a change: "<device> online mqtt" or
// "<device> offline mqtt-gateway <reason>".
class Heard final : public PresenceListener {
 public:
  void on_presence(const PresenceChange& c) override {
    std::string line = std::to_string(c.device_id) + (c.online ? " online " : " offline ");
    line += c.protocol;
    if (!c.online) line += " " + std::string(c.reason);
    lines.push_back(std::move(line));
    changes.push_back(c);
    remotes.emplace_back(c.remote);
  }
  std::vector<std::string> lines;
  std::vector<PresenceChange> changes;  // views inside are stale: ids and flags only
  std::vector<std::string> remotes;
};

constexpr Id kTenant = 3, kBuilding = 30, kGateway = 7;

ClientIdentity device(Id id, std::optional<Id> building = kBuilding) {
  auto d = device_identity(kTenant, id, "d" + std::to_string(id), id == kGateway);
  d.building_id = building;
  return d;
}

using Lines = std::vector<std::string>;

TEST(DevicePresence, OnlineFromTheFirstConnectionToTheEndOfTheLast) {
  Heard heard;
  DevicePresence presence(&heard);
  presence.connected(device(1), "10.0.0.5");
  presence.connected(device(1), "10.0.0.6");  // another client id of the same device
  presence.disconnected(device(1), "disconnected");
  EXPECT_TRUE(presence.online(1));
  presence.disconnected(device(1), "connection lost");
  EXPECT_FALSE(presence.online(1));
  EXPECT_EQ(heard.lines, (Lines{"1 online mqtt", "1 offline mqtt connection lost"}));
  EXPECT_EQ(heard.remotes.front(), "10.0.0.5");
  EXPECT_EQ(heard.changes.front().tenant_id, kTenant);
  EXPECT_EQ(heard.changes.front().building_id, kBuilding);
  EXPECT_EQ(heard.changes.back().building_id, kBuilding);
}

TEST(DevicePresence, ATakeoverIsNoChangeWhicheverConnectionEndsFirst) {
  Heard heard;
  DevicePresence presence(&heard);
  presence.connected(device(1), "a");
  // The new connection is counted before the old one is told to end.
  presence.connected(device(1), "b");
  presence.disconnected(device(1), offline_reason(reason::session_taken_over));
  EXPECT_EQ(heard.lines, (Lines{"1 online mqtt"}));
  EXPECT_TRUE(presence.online(1));
}

TEST(DevicePresence, OtherIdentitiesAndUncountedEndsAreIgnored) {
  Heard heard;
  DevicePresence presence(&heard);
  presence.connected(user_identity(kTenant, true, true, false, "ann"), "a");
  presence.connected(anonymous_identity(), "a");
  presence.disconnected(device(1), "disconnected");  // never counted
  EXPECT_TRUE(heard.lines.empty());
}

TEST(DevicePresence, AGatewaysChildIsOnlineUntilTheGatewayDisconnectsIt) {
  Heard heard;
  DevicePresence presence(&heard);
  presence.connected(device(kGateway), "a");
  const auto ticket = presence.child_named(kGateway, "Boiler");
  presence.child_resolved(kGateway, "Boiler", ticket, kTenant, 11, 31);
  EXPECT_TRUE(presence.online(11));
  presence.child_disconnected(kGateway, "Boiler");
  EXPECT_FALSE(presence.online(11));
  EXPECT_EQ(heard.lines, (Lines{"7 online mqtt", "11 online mqtt-gateway",
                                "11 offline mqtt-gateway disconnected"}));
  EXPECT_EQ(heard.changes[1].gateway_id, kGateway);
  EXPECT_EQ(heard.changes[1].building_id, 31);
  EXPECT_EQ(heard.changes[2].gateway_id, kGateway);
}

TEST(DevicePresence, AResolutionAfterADisconnectCountsForNothing) {
  Heard heard;
  DevicePresence presence(&heard);
  presence.connected(device(kGateway), "a");
  const auto ticket = presence.child_named(kGateway, "Boiler");
  presence.child_disconnected(kGateway, "Boiler");  // before the worker resolved the name
  presence.child_resolved(kGateway, "Boiler", ticket, kTenant, 11, 31);
  EXPECT_FALSE(presence.online(11));
  // Two connects: only the newest ticket counts.
  const auto first = presence.child_named(kGateway, "Boiler");
  const auto second = presence.child_named(kGateway, "Boiler");
  presence.child_resolved(kGateway, "Boiler", first, kTenant, 11, 31);
  EXPECT_FALSE(presence.online(11));
  presence.child_resolved(kGateway, "Boiler", second, kTenant, 11, 31);
  EXPECT_TRUE(presence.online(11));
  EXPECT_EQ(heard.lines, (Lines{"7 online mqtt", "11 online mqtt-gateway"}));
}

TEST(DevicePresence, ARefusedNameAndAnUnknownGatewayChangeNothing) {
  Heard heard;
  DevicePresence presence(&heard);
  EXPECT_EQ(presence.child_named(kGateway, "Boiler"), 0u);  // the gateway is not connected
  presence.child_resolved(kGateway, "Boiler", 0, kTenant, 11, 31);
  presence.connected(device(kGateway), "a");
  const auto ticket = presence.child_named(kGateway, "Nobody");
  presence.child_refused(kGateway, "Nobody", ticket);
  presence.child_resolved(kGateway, "Nobody", ticket, kTenant, 12, 31);
  presence.child_disconnected(kGateway, "Never named");
  EXPECT_EQ(heard.lines, (Lines{"7 online mqtt"}));
}

TEST(DevicePresence, TheGatewaysEndTakesItsChildrenOffline) {
  Heard heard;
  DevicePresence presence(&heard);
  presence.connected(device(kGateway), "a");
  for (const auto& [name, id] : {std::pair{"B", Id{12}}, std::pair{"A", Id{11}}}) {
    const auto ticket = presence.child_named(kGateway, name);
    presence.child_resolved(kGateway, name, ticket, kTenant, id, 31);
  }
  const auto late = presence.child_named(kGateway, "C");
  presence.disconnected(device(kGateway), "keep-alive timeout");
  presence.child_resolved(kGateway, "C", late, kTenant, 13, 31);  // too late: voided
  EXPECT_EQ(heard.lines,
            (Lines{"7 online mqtt", "12 online mqtt-gateway", "11 online mqtt-gateway",
                   "7 offline mqtt keep-alive timeout", "11 offline mqtt-gateway gateway offline",
                   "12 offline mqtt-gateway gateway offline"}));
  EXPECT_FALSE(presence.online(11));
  EXPECT_FALSE(presence.online(13));
}

TEST(DevicePresence, AChildConnectedOnItsOwnStaysOnlineUntilBothAreGone) {
  Heard heard;
  DevicePresence presence(&heard);
  presence.connected(device(kGateway), "a");
  presence.connected(device(11), "b");
  const auto ticket = presence.child_named(kGateway, "A");
  presence.child_resolved(kGateway, "A", ticket, kTenant, 11, 31);
  presence.disconnected(device(11), "disconnected");
  EXPECT_TRUE(presence.online(11));
  presence.child_disconnected(kGateway, "A");
  EXPECT_EQ(heard.lines,
            (Lines{"7 online mqtt", "11 online mqtt", "11 offline mqtt-gateway disconnected"}));
}

TEST(DevicePresence, OfflineReasons) {
  EXPECT_EQ(offline_reason(std::nullopt), "connection lost");
  EXPECT_EQ(offline_reason(reason::success), "disconnected");
  EXPECT_EQ(offline_reason(reason::keep_alive_timeout), "keep-alive timeout");
  EXPECT_EQ(offline_reason(reason::session_taken_over), "taken over");
  EXPECT_EQ(offline_reason(reason::server_shutting_down), "server shutdown");
  EXPECT_EQ(offline_reason(reason::administrative_action), "administrative action");
  EXPECT_EQ(offline_reason(reason::unspecified_error), "server error");
  EXPECT_EQ(offline_reason(reason::server_unavailable), "server error");
  EXPECT_EQ(offline_reason(reason::protocol_error), "protocol error");
  EXPECT_EQ(offline_reason(reason::malformed_packet), "protocol error");
  EXPECT_EQ(offline_reason(reason::receive_maximum_exceeded), "protocol error");
}

TEST(DevicePresence, DetailsJson) {
  PresenceChange online;
  online.tenant_id = kTenant;
  online.device_id = 5;
  online.building_id = kBuilding;
  online.online = true;
  online.protocol = "mqtt";
  online.remote = "10.0.0.5";
  EXPECT_EQ(json::parse(presence_details_json(online)),
            json::parse(R"({"device_id":5,"status":"online","protocol":"mqtt",)"
                        R"("remote":"10.0.0.5"})"));
  online.remote = "";
  EXPECT_EQ(json::parse(presence_details_json(online)),
            json::parse(R"({"device_id":5,"status":"online","protocol":"mqtt"})"));
  PresenceChange offline;
  offline.tenant_id = kTenant;
  offline.device_id = 11;
  offline.protocol = "mqtt-gateway";
  offline.gateway_id = kGateway;
  offline.remote = "ignored when offline";
  offline.reason = "gateway offline";
  EXPECT_EQ(json::parse(presence_details_json(offline)),
            json::parse(R"({"device_id":11,"status":"offline","protocol":"mqtt-gateway",)"
                        R"("gateway_id":7,"reason":"gateway offline"})"));
}

}  // namespace
}  // namespace citypulse::mqtt
