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
    ASSERT_EQ(ack->values.size(), 1u);
    EXPECT_EQ(ack->values[0], value);
    EXPECT_EQ(as_number(ack->values[0]), number);
  }
  const Octets with_index = {0x0C, 0x02, 0x00, 0x00, 0x07, 0x19, 0x4C, 0x29,
                             0x01, 0x3E, 0xC4, 0x00, 0x00, 0x00, 0x01, 0x3F};
  auto element = decode_read_property_ack(with_index);
  ASSERT_TRUE(element) << element.error().message;
  EXPECT_EQ(element->ref.array_index, 1u);
  EXPECT_EQ(element->values, std::vector<PropertyValue>{PropertyValue(ObjectId{0, 1})});
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

TEST(BacnetServices, ReadPropertyMultipleAndItsAnswer) {
  // The standard's example: analog-input 16, present-value and reliability.
  const std::vector<PropertyReference> refs = {{{0, 16}, property::present_value, std::nullopt},
                                               {{0, 16}, 103, std::nullopt}};
  const Octets request = {0x0C, 0x00, 0x00, 0x00, 0x10, 0x1E, 0x09, 0x55, 0x09, 0x67, 0x1F};
  EXPECT_EQ(encode_read_property_multiple(refs), request);
  auto decoded = decode_read_property_multiple(request);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, refs);
  // 72.3 and no-fault-detected.
  const Octets ack = {0x0C, 0x00, 0x00, 0x00, 0x10, 0x1E, 0x29, 0x55, 0x4E, 0x44, 0x42,
                      0x90, 0x99, 0x9A, 0x4F, 0x29, 0x67, 0x4E, 0x91, 0x00, 0x4F, 0x1F};
  auto results = decode_read_property_multiple_ack(ack);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].values, std::vector<PropertyValue>{PropertyValue(72.3f)});
  EXPECT_EQ((*results)[1].ref.property, 103u);
  EXPECT_EQ((*results)[1].values, std::vector<PropertyValue>{PropertyValue(Enumerated{0})});
  EXPECT_EQ(encode_read_property_multiple_ack(*results), ack);

  // Two objects, an error for one property and a value this reader does not
  // take (a Date) for another: those two fail, the rest is kept.
  std::vector<PropertyResult> mixed = {
      {{{0, 1}, property::present_value, std::nullopt}, {PropertyValue(20.5f)}, std::nullopt},
      {{{0, 1}, 9999, std::nullopt}, {}, PropertyError{2, 32}},
      {{{3, 2}, property::present_value, std::nullopt},
       {PropertyValue(Enumerated{1})},
       std::nullopt},
  };
  auto octets = encode_read_property_multiple_ack(mixed);
  auto back = decode_read_property_multiple_ack(octets);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[1].error, (PropertyError{2, 32}));
  EXPECT_EQ((*back)[2].ref.object, (ObjectId{3, 2}));
  EXPECT_EQ((*back)[2].values, std::vector<PropertyValue>{PropertyValue(Enumerated{1})});
  const Octets with_date = {0x0C, 0x00, 0x00, 0x00, 0x01, 0x1E, 0x29, 0x55, 0x4E, 0xA4, 0x7E, 0x0C,
                            0x07, 0x01, 0x4F, 0x29, 0x4D, 0x4E, 0x72, 0x00, 0x41, 0x4F, 0x1F};
  auto dated = decode_read_property_multiple_ack(with_date);
  ASSERT_TRUE(dated) << dated.error().message;
  ASSERT_EQ(dated->size(), 2u);
  EXPECT_TRUE((*dated)[0].error);
  EXPECT_EQ((*dated)[1].values, std::vector<PropertyValue>{PropertyValue(std::string("A"))});
  // Cut short anywhere: refused, never read past the end.
  for (std::size_t n = 1; n < ack.size(); ++n)
    EXPECT_FALSE(decode_read_property_multiple_ack(Octets(ack.begin(), ack.begin() + n))) << n;
  EXPECT_FALSE(decode_read_property_multiple({}));
  EXPECT_FALSE(decode_read_property_multiple(Octets{0x0C, 0x00, 0x00, 0x00, 0x10, 0x1E, 0x1F}));
}

TEST(BacnetServices, SubscribeCovAndTheNotification) {
  // The standard's example: process 18, analog-input 10, confirmed, no lifetime limit.
  const SubscribeCov subscribe{18, {0, 10}, true, 0};
  const Octets octets = {0x09, 0x12, 0x1C, 0x00, 0x00, 0x00, 0x0A, 0x29, 0x01, 0x39, 0x00};
  EXPECT_EQ(encode_subscribe_cov(subscribe), octets);
  auto parsed = decode_subscribe_cov(octets);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->process_id, 18u);
  EXPECT_EQ(parsed->confirmed, true);
  EXPECT_EQ(parsed->lifetime_s, 0u);
  EXPECT_FALSE(parsed->cancels());
  auto cancel =
      decode_subscribe_cov(encode_subscribe_cov({18, {0, 10}, std::nullopt, std::nullopt}));
  ASSERT_TRUE(cancel);
  EXPECT_TRUE(cancel->cancels());

  // Device 4 tells of analog-input 10: 65.0, status flags all clear.
  const Octets notice = {0x09, 0x12, 0x1C, 0x02, 0x00, 0x00, 0x04, 0x2C, 0x00, 0x00, 0x00,
                         0x0A, 0x39, 0x00, 0x4E, 0x09, 0x55, 0x2E, 0x44, 0x42, 0x82, 0x00,
                         0x00, 0x2F, 0x09, 0x6F, 0x2E, 0x82, 0x04, 0x00, 0x2F, 0x4F};
  auto cov = decode_cov_notification(notice);
  ASSERT_TRUE(cov) << cov.error().message;
  EXPECT_EQ(cov->device, (ObjectId{8, 4}));
  EXPECT_EQ(cov->object, (ObjectId{0, 10}));
  ASSERT_EQ(cov->values.size(), 2u);
  EXPECT_EQ(cov->values[0].values, std::vector<PropertyValue>{PropertyValue(65.0f)});
  EXPECT_EQ(cov->values[1].property, property::status_flags);
  EXPECT_EQ(cov->values[1].values,
            std::vector<PropertyValue>{PropertyValue(BitString{{false, false, false, false}})});
  EXPECT_EQ(encode_cov_notification(*cov), notice);
  for (std::size_t n = 1; n < notice.size(); ++n)
    EXPECT_FALSE(decode_cov_notification(Octets(notice.begin(), notice.begin() + n))) << n;
}

TEST(BacnetServices, TheDeviceSideReadsWhatTheClientSends) {
  auto who = decode_who_is(encode_who_is({100, 200}));
  ASSERT_TRUE(who);
  EXPECT_EQ(who->low, 100u);
  EXPECT_EQ(who->high, 200u);
  EXPECT_FALSE(decode_who_is(Octets{0x09, 0x64}));  // a low limit alone
  auto i_am = decode_i_am(encode_i_am({{8, 260001}, 1476, 3, 999}));
  ASSERT_TRUE(i_am);
  EXPECT_EQ(i_am->device, (ObjectId{8, 260001}));
  const PropertyReference ref{{1, 7}, property::present_value, std::nullopt};
  auto read = decode_read_property(encode_read_property(ref));
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, ref);
  auto write = decode_write_property(encode_write_property({ref, PropertyValue(19.5f), 8}));
  ASSERT_TRUE(write) << write.error().message;
  EXPECT_EQ(write->value, PropertyValue(19.5f));
  EXPECT_EQ(write->priority, 8);
  auto relinquish = decode_write_property(encode_write_property({ref, PropertyValue{}, 8}));
  ASSERT_TRUE(relinquish);
  EXPECT_EQ(relinquish->value, PropertyValue{});
  // Priority 17 is not one.
  auto bad = encode_write_property({ref, PropertyValue(19.5f), std::nullopt});
  bad.insert(bad.end(), {0x49, 0x11});
  EXPECT_FALSE(decode_write_property(bad));
}

TEST(BacnetTags, BitStrings) {
  std::vector<std::uint8_t> out;
  Encoder e(out);
  e.bit_string({{true, false, true, false, false, false, false, false, true}});
  EXPECT_EQ(out, (Octets{0x83, 0x07, 0xA0, 0x80}));
  Reader r(out);
  auto bits = r.bit_string();
  ASSERT_TRUE(bits);
  EXPECT_EQ(bits->bits.size(), 9u);
  EXPECT_TRUE(bits->bits[8]);
  EXPECT_FALSE(Reader(Octets{0x82, 0x08, 0x00}).bit_string());  // eight unused bits
}

}  // namespace
}  // namespace citypulse::bacnet
