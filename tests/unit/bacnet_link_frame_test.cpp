// BACnet/IP's BVLC and NPDU layers (drivers/bacnet/link_frame.h): the octets
// of real requests made and taken apart, and datagrams that are not BACnet/IP
// or are cut short refused without reading past their end.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "drivers/bacnet/link_frame.h"

namespace citypulse::bacnet {
namespace {

using Octets = std::vector<std::uint8_t>;
const Octets kWhoIs = {0x10, 0x08};  // an unconfirmed Who-Is without a range

TEST(BacnetLinkFrame, AWhoIsToEveryNetwork) {
  Npdu npdu;
  npdu.destination = NetworkAddress{0xFFFF, {}};
  const auto made = make_datagram(BvlcFunction::original_broadcast, npdu, kWhoIs);
  EXPECT_EQ(made, (Octets{0x81, 0x0B, 0x00, 0x0C, 0x01, 0x20, 0xFF, 0xFF, 0x00, 0xFF, 0x10, 0x08}));
  auto parsed = parse_datagram(made);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->function, BvlcFunction::original_broadcast);
  ASSERT_TRUE(parsed->npdu.destination);
  EXPECT_EQ(parsed->npdu.destination->network, 0xFFFF);
  EXPECT_TRUE(parsed->npdu.destination->mac.empty());
  EXPECT_EQ(parsed->npdu.hop_count, 255);
  EXPECT_EQ(Octets(parsed->apdu.begin(), parsed->apdu.end()), kWhoIs);
}

TEST(BacnetLinkFrame, ALocalRequestAndARoutedReply) {
  // A confirmed request on the local network, expecting a reply.
  Npdu request;
  request.expecting_reply = true;
  const Octets read_property = {0x00, 0x05, 0x01, 0x0C, 0x0C, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55};
  const auto made = make_datagram(BvlcFunction::original_unicast, request, read_property);
  EXPECT_EQ(Octets(made.begin(), made.begin() + 6), (Octets{0x81, 0x0A, 0x00, 0x11, 0x01, 0x04}));
  // A reply from a device behind a router: network 5, MAC 0x0A.
  Npdu reply;
  reply.source = NetworkAddress{5, {0x0A}};
  const auto routed = make_datagram(BvlcFunction::original_unicast, reply, kWhoIs);
  EXPECT_EQ(routed,
            (Octets{0x81, 0x0A, 0x00, 0x0C, 0x01, 0x08, 0x00, 0x05, 0x01, 0x0A, 0x10, 0x08}));
  auto parsed = parse_datagram(routed);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->npdu.source, (NetworkAddress{5, {0x0A}}));
  EXPECT_FALSE(parsed->npdu.destination);
}

TEST(BacnetLinkFrame, AForwardedNpduNamesItsFirstSender) {
  const Octets forwarded = {0x81, 0x04, 0x00, 0x10, 192,  168,  1,    20,
                            0xBA, 0xC0, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00};
  auto parsed = parse_datagram(forwarded);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_TRUE(parsed->forwarded_from);
  EXPECT_EQ((*parsed->forwarded_from)[4], 0xBA);
  EXPECT_EQ((*parsed->forwarded_from)[5], 0xC0);  // port 47808
  EXPECT_EQ(parsed->apdu.size(), 4u);
}

TEST(BacnetLinkFrame, WhatIsNotBacnetOrIsCutShortIsRefused) {
  const std::vector<Octets> bad = {
      {},                                                      // nothing
      {0x82, 0x0A, 0x00, 0x06, 0x01, 0x00},                    // another BVLC type
      {0x81, 0x0A, 0x00, 0x09, 0x01, 0x00, 0x10, 0x08},        // length says 9, 8 came
      {0x81, 0x05, 0x00, 0x06, 0x01, 0x00},                    // a function without NPDU
      {0x81, 0x0A, 0x00, 0x06, 0x02, 0x00},                    // NPDU version 2
      {0x81, 0x0A, 0x00, 0x07, 0x01, 0x20, 0xFF},              // destination cut short
      {0x81, 0x0A, 0x00, 0x09, 0x01, 0x08, 0x00, 0x05, 0x03},  // source MAC cut short
      {0x81, 0x0A, 0x00, 0x09, 0x01, 0x20, 0xFF, 0xFF, 0x00},  // no hop count
      {0x81, 0x0A, 0x00, 0x06, 0x01, 0x80},                    // no network message type
      {0x81, 0x04, 0x00, 0x08, 192, 168, 1, 20},               // forwarding address cut short
  };
  for (const auto& octets : bad) {
    auto parsed = parse_datagram(octets);
    EXPECT_FALSE(parsed) << ::testing::PrintToString(octets);
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, ErrorCode::bad_request);
    }
  }
}

}  // namespace
}  // namespace citypulse::bacnet
