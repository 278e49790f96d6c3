// The frames the client and the simulated site exchange, as captured, read
// by an independent decoder: tshark (Wireshark's BACnet dissectors). Each
// conversation is written to a pcap file (raw IPv4 over UDP), tshark reads
// it, and for every frame its reading of the BVLC function, the PDU type, the
// service, object, property, value and error must be what was sent, with no
// frame malformed.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "bacnet_test_io.h"
#include "drivers/bacnet/client.h"
#include "sim/bacnet_site.h"

namespace citypulse::bacnet {
namespace {

namespace ot = object_type;

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}

// A pcap file of raw IPv4 packets (link type 228), each a UDP datagram
// between 127.0.0.1 ports: the site's and each frame's peer.
void write_pcap(const std::string& path, const std::vector<sim::BacnetFrame>& frames,
                std::uint16_t site_port) {
  std::ofstream out(path, std::ios::binary);
  const auto le32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  const auto le16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  le32(0xA1B2C3D4);
  le16(2);
  le16(4);
  le32(0);
  le32(0);
  le32(65535);
  le32(228);
  std::uint32_t second = 0;
  for (const auto& f : frames) {
    std::string udp;
    put16(udp, f.inbound ? f.peer_port : site_port);
    put16(udp, f.inbound ? site_port : f.peer_port);
    put16(udp, static_cast<std::uint16_t>(8 + f.octets.size()));
    put16(udp, 0);  // no checksum
    udp.append(f.octets.begin(), f.octets.end());
    std::string ip = {0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1};
    const auto total = static_cast<std::uint16_t>(20 + udp.size());
    ip[2] = static_cast<char>(total >> 8);
    ip[3] = static_cast<char>(total & 0xFF);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2)
      sum += static_cast<std::uint8_t>(ip[i]) << 8 | static_cast<std::uint8_t>(ip[i + 1]);
    sum = (sum >> 16) + (sum & 0xFFFF);
    sum += sum >> 16;
    ip[10] = static_cast<char>((~sum >> 8) & 0xFF);
    ip[11] = static_cast<char>(~sum & 0xFF);
    const std::string packet = ip + udp;
    le32(++second);
    le32(0);
    le32(static_cast<std::uint32_t>(packet.size()));
    le32(static_cast<std::uint32_t>(packet.size()));
    out.write(packet.data(), static_cast<std::streamsize>(packet.size()));
  }
}

// tshark's fields of each frame, '|'-separated, one line a frame.
std::vector<std::vector<std::string>> tshark_fields(const std::string& pcap, std::uint16_t port,
                                                    const std::vector<std::string>& fields) {
  std::string cmd = fmt::format(
      "tshark -r {} -d udp.port=={},bvlc -T fields -E separator='|' "
      "-E occurrence=a -E aggregator=','",
      pcap, port);
  for (const auto& f : fields) cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::vector<std::vector<std::string>> rows;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return rows;
  std::array<char, 4096> line{};
  while (std::fgets(line.data(), line.size(), p)) {
    std::string text(line.data());
    if (!text.empty() && text.back() == '\n') text.pop_back();
    std::vector<std::string> row;
    std::stringstream s(text);
    std::string cell;
    while (std::getline(s, cell, '|')) row.push_back(cell);
    row.resize(fields.size());
    rows.push_back(row);
  }
  ::pclose(p);
  return rows;
}

// tshark's full decoding of one frame, as text.
std::string tshark_detail(const std::string& pcap, std::uint16_t port, int frame) {
  const auto cmd = fmt::format(
      "tshark -r {} -d udp.port=={},bvlc -V -Y frame.number=={} 2>/dev/null", pcap, port, frame);
  std::string text;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return text;
  std::array<char, 4096> chunk{};
  while (std::fgets(chunk.data(), chunk.size(), p)) text += chunk.data();
  ::pclose(p);
  return text;
}

TEST(BacnetWire, TsharkReadsEveryFrameAsSent) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0)
    GTEST_FAIL() << "tshark is missing: scripts/bootstrap installs it";
  std::vector<sim::BacnetDeviceOptions> devices;
  devices.push_back({.instance = 100, .name = "AHU", .objects = sim::ahu_objects()});
  devices.push_back({.instance = 201,
                     .name = "Routed",
                     .objects = sim::ahu_objects(),
                     .mac = 5,
                     .read_property_multiple = false});
  auto site = sim::BacnetSite::start({.record = true}, std::move(devices));
  ASSERT_TRUE(site) << site.error().message;
  IoThread io;
  auto client = Client::open(io.io(), {.bind_host = "127.0.0.1", .timeout_ms = 1000, .retries = 0});
  ASSERT_TRUE(client);
  auto& c = **client;
  const DeviceAddress node{"127.0.0.1", (*site)->port(), std::nullopt};
  const DeviceAddress routed{"127.0.0.1", (*site)->port(), NetworkAddress{2001, {5}}};
  const ObjectId setpoint{ot::analog_value, 1};

  // One of each exchange, in this order (the site records them as they come).
  ASSERT_TRUE(wait_for<std::vector<Discovered>>([&](auto d) {
    c.who_is(node, {100, 100}, 1000, std::move(d));
  }));
  ASSERT_TRUE(wait_for<std::vector<PropertyValue>>([&](auto d) {
    c.read_property(node, {setpoint, property::present_value, {}}, std::move(d));
  }));
  ASSERT_TRUE(wait_for<std::vector<PropertyResult>>([&](auto d) {
    c.read_property_multiple(node,
                             {{{ot::analog_input, 1}, property::object_name, {}},
                              {{ot::analog_input, 1}, property::units, {}}},
                             std::move(d));
  }));
  ASSERT_TRUE(wait_for<void>([&](auto d) {
    c.write_property(node, {{setpoint, property::present_value, {}}, PropertyValue(23.5f), 8},
                     std::move(d));
  }));
  ASSERT_FALSE(wait_for<void>([&](auto d) {
    c.write_property(node, {{setpoint, property::present_value, {}}, PropertyValue(99.0f), 8},
                     std::move(d));
  }));
  ASSERT_FALSE(wait_for<std::vector<PropertyResult>>([&](auto d) {
    c.read_property_multiple(routed, {{setpoint, property::present_value, {}}}, std::move(d));
  }));
  ASSERT_TRUE(wait_for<void>([&](auto d) {
    c.subscribe_cov(routed, {9, {ot::analog_input, 3}, false, 600}, std::move(d));
  }));
  // The initial COV notification follows the acknowledgement.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*site)->frames().size() < 15 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto frames = (*site)->frames();
  ASSERT_GE(frames.size(), 15u);
  frames.resize(15);

  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("bacnet-wire-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto pcap = (dir / "exchange.pcap").string();
  write_pcap(pcap, frames, (*site)->port());
  const std::vector<std::string> fields = {"bvlc.function",
                                           "bacapp.type",
                                           "bacapp.confirmed_service",
                                           "bacapp.unconfirmed_service",
                                           "bacapp.objectType",
                                           "bacapp.instance_number",
                                           "bacapp.property_identifier",
                                           "bacapp.present_value.real",
                                           "bacapp.error_code",
                                           "bacapp.reject_reason",
                                           "bacnet.dnet",
                                           "bacnet.snet",
                                           "_ws.malformed"};
  const auto rows = tshark_fields(pcap, (*site)->port(), fields);
  const auto write_detail = tshark_detail(pcap, (*site)->port(), 7);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(rows.size(), frames.size());
  const auto field = [&](std::size_t frame, std::string_view name) {
    const auto at = std::find(fields.begin(), fields.end(), name) - fields.begin();
    return rows[frame][static_cast<std::size_t>(at)];
  };
  for (std::size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(field(i, "_ws.malformed"), "") << "frame " << i + 1 << " malformed";

  // Who-Is (unconfirmed 8) for 100 and its I-Am (0).
  EXPECT_EQ(field(0, "bacapp.type"), "1");
  EXPECT_EQ(field(0, "bacapp.unconfirmed_service"), "8");
  EXPECT_EQ(field(1, "bacapp.unconfirmed_service"), "0");
  EXPECT_EQ(field(1, "bacapp.objectType"), "8");
  EXPECT_EQ(field(1, "bacapp.instance_number"), "100");
  // ReadProperty (12) of analog-value 1 present-value and its ComplexACK: 20.
  EXPECT_EQ(field(2, "bacapp.type"), "0");
  EXPECT_EQ(field(2, "bacapp.confirmed_service"), "12");
  EXPECT_EQ(field(2, "bacapp.objectType"), "2");
  EXPECT_EQ(field(2, "bacapp.instance_number"), "1");
  EXPECT_EQ(field(2, "bacapp.property_identifier"), "85");
  EXPECT_EQ(field(3, "bacapp.type"), "3");
  EXPECT_EQ(field(3, "bacapp.present_value.real"), "20");
  // ReadPropertyMultiple (14): object-name and units of analog-input 1, both asked and answered.
  EXPECT_EQ(field(4, "bacapp.confirmed_service"), "14");
  EXPECT_EQ(field(4, "bacapp.property_identifier"), "77,117");
  EXPECT_EQ(field(5, "bacapp.type"), "3");
  EXPECT_EQ(field(5, "bacapp.property_identifier"), "77,117");
  // WriteProperty (15) of 23.5 at priority 8, its SimpleACK.
  EXPECT_EQ(field(6, "bacapp.confirmed_service"), "15");
  EXPECT_EQ(field(6, "bacapp.present_value.real"), "23.5");
  EXPECT_NE(write_detail.find("Priority: (Unsigned) 8"), std::string::npos) << write_detail;
  EXPECT_EQ(field(7, "bacapp.type"), "2");
  // 99 is out of range: an Error PDU, value-out-of-range (37).
  EXPECT_EQ(field(8, "bacapp.present_value.real"), "99");
  EXPECT_EQ(field(9, "bacapp.type"), "5");
  EXPECT_EQ(field(9, "bacapp.error_code"), "37");
  // RPM to the routed device (DNET 2001), which lacks it: a Reject, unrecognized-service (9), from
  // SNET 2001.
  EXPECT_EQ(field(10, "bacnet.dnet"), "2001");
  EXPECT_EQ(field(11, "bacapp.type"), "6");
  EXPECT_EQ(field(11, "bacapp.reject_reason"), "9");
  EXPECT_EQ(field(11, "bacnet.snet"), "2001");
  // SubscribeCOV (5), its SimpleACK, and the initial unconfirmed COV notification (2).
  EXPECT_EQ(field(12, "bacapp.confirmed_service"), "5");
  EXPECT_EQ(field(13, "bacapp.type"), "2");
  EXPECT_EQ(field(14, "bacapp.unconfirmed_service"), "2");
  EXPECT_EQ(field(14, "bacapp.property_identifier"), "85,111");
  EXPECT_EQ(field(14, "bacapp.present_value.real"), "5");
}

}  // namespace
}  // namespace citypulse::bacnet
