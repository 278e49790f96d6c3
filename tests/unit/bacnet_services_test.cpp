// The first services' parameters (drivers/bacnet/services.h): Who-Is with and
// without a range, an I-Am taken apart, ReadProperty asked and its ACK read
// for each kind of present value, WriteProperty at a priority and its
// relinquish, and a constructed value where a primitive belongs refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "drivers/bacnet/services.h"

namespace citypulse::bacnet {
namespace {

using Octets = std::vector<std::uint8_t>;

TEST(BacnetServices, WhoIsAndIAm) {
  EXPECT_TRUE(encode_who_is({}).empty());
  EXPECT_EQ(encode_who_is({.low = 3, .high = 300}), (Octets{0x09, 0x03, 0x1A, 0x01, 0x2C}));
  // device 1234, 1476 octets, no segmentation, vendor 7.
  const Octets i_am = {0xC4, 0x02, 0x00, 0x04, 0xD2, 0x22, 0x05, 0xC4, 0x91, 0x03, 0x21, 0x07};
  auto parsed = decode_i_am(i_am);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->device, (ObjectId{8, 1234}));
  EXPECT_EQ(parsed->max_apdu, 1476u);
  EXPECT_EQ(parsed->segmentation, 3u);
  EXPECT_EQ(parsed->vendor, 7u);
  EXPECT_FALSE(decode_i_am(Octets(i_am.begin(), i_am.end() - 2)));
}

TEST(BacnetServices, ReadPropertyAndItsAnswers) {
  const PropertyReference ref{{0, 1}, property::present_value, std::nullopt};
  EXPECT_EQ(encode_read_property(ref), (Octets{0x0C, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55}));
  // An analog input's REAL, a binary input's Enumerated, a name, an array element.
  const std::vector<std::pair<PropertyValue, std::optional<double>>> cases = {
      {PropertyValue(21.5f), 21.5},
      {PropertyValue(Enumerated{1}), 1.0},
      {PropertyValue(std::string("Kessel Vorlauf")), std::nullopt},
      {PropertyValue(std::uint32_t{42}), 42.0},
      {PropertyValue(std::monostate{}), std::nullopt},
  };
  for (const auto& [value, number] : cases) {
    WriteProperty as_ack{ref, value, std::nullopt};
    // A ReadProperty-ACK has the same shape as a WriteProperty without priority.
    const auto octets = encode_write_property(as_ack);
    auto ack = decode_read_property_ack(octets);
    ASSERT_TRUE(ack) << ack.error().message;
    EXPECT_EQ(ack->ref.object, ref.object);
    EXPECT_EQ(ack->ref.property, property::present_value);
    EXPECT_EQ(ack->value, value);
    EXPECT_EQ(as_number(ack->value), number);
  }
  const Octets with_index = {0x0C, 0x02, 0x00, 0x00, 0x07, 0x19, 0x4C, 0x29,
                             0x01, 0x3E, 0xC4, 0x00, 0x00, 0x00, 0x01, 0x3F};
  auto element = decode_read_property_ack(with_index);
  ASSERT_TRUE(element) << element.error().message;
  EXPECT_EQ(element->ref.array_index, 1u);
  EXPECT_EQ(element->value, PropertyValue(ObjectId{0, 1}));
}

TEST(BacnetServices, WritePropertyAtAPriorityAndItsRelinquish) {
  const PropertyReference setpoint{{2, 3}, property::present_value, std::nullopt};
  EXPECT_EQ(encode_write_property({setpoint, PropertyValue(21.0f), 8}),
            (Octets{0x0C, 0x00, 0x80, 0x00, 0x03, 0x19, 0x55, 0x3E, 0x44, 0x41, 0xA8, 0x00, 0x00,
                    0x3F, 0x49, 0x08}));
  EXPECT_EQ(encode_write_property({setpoint, PropertyValue(std::monostate{}), 8}),
            (Octets{0x0C, 0x00, 0x80, 0x00, 0x03, 0x19, 0x55, 0x3E, 0x00, 0x3F, 0x49, 0x08}));
}

TEST(BacnetServices, AConstructedValueIsRefused) {
  // [3] holding a context-tagged (constructed) value, and an unclosed [3].
  const Octets constructed = {0x0C, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55, 0x3E, 0x09, 0x01, 0x3F};
  auto ack = decode_read_property_ack(constructed);
  ASSERT_FALSE(ack);
  EXPECT_NE(ack.error().message.find("constructed"), std::string::npos) << ack.error().message;
  const Octets unclosed = {0x0C, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55,
                           0x3E, 0x44, 0x41, 0xAC, 0x00, 0x00};
  EXPECT_FALSE(decode_read_property_ack(unclosed));
}

}  // namespace
}  // namespace citypulse::bacnet
