// The APDU header (drivers/bacnet/apdu.h): requests made, answers of every
// kind taken apart, a device's Error, Reject and Abort said in words, and cut
// short headers refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "drivers/bacnet/apdu.h"

namespace citypulse::bacnet {
namespace {

using Octets = std::vector<std::uint8_t>;

TEST(BacnetApdu, RequestsAreTheStandardsHeaders) {
  const Octets read = {0x0C, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55};  // analog-input 1, present-value
  EXPECT_EQ(confirmed_request(1, service::read_property, read),
            (Octets{0x00, 0x05, 0x01, 0x0C, 0x0C, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55}));
  EXPECT_EQ(unconfirmed_request(service::who_is, {}), (Octets{0x10, 0x08}));
  EXPECT_EQ(abort_request(7, 4), (Octets{0x70, 0x07, 0x04}));
}

TEST(BacnetApdu, AnswersOfEveryKind) {
  const Octets ack = {0x30, 0x01, 0x0C, 0x0C, 0x00, 0x00, 0x00, 0x01, 0x19,
                      0x55, 0x3E, 0x44, 0x41, 0xAC, 0x00, 0x00, 0x3F};
  auto complex = parse_apdu(ack);
  ASSERT_TRUE(complex) << complex.error().message;
  EXPECT_EQ(complex->type, PduType::complex_ack);
  EXPECT_EQ(complex->invoke_id, 1);
  EXPECT_EQ(complex->service, service::read_property);
  EXPECT_FALSE(complex->segmented);
  EXPECT_EQ(complex->body.size(), 14u);

  const Octets segmented = {0x3C, 0x02, 0x00, 0x04, 0x0E, 0xAA};
  auto first = parse_apdu(segmented);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->segmented);
  EXPECT_TRUE(first->more_follows);
  EXPECT_EQ(first->service, service::read_property_multiple);
  EXPECT_EQ(first->body.size(), 1u);

  auto simple = parse_apdu(Octets{0x20, 0x03, 0x0F});
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->type, PduType::simple_ack);
  EXPECT_EQ(simple->service, service::write_property);

  auto i_am = parse_apdu(Octets{0x10, 0x00, 0xC4, 0x02, 0x00, 0x00, 0x07});
  ASSERT_TRUE(i_am);
  EXPECT_EQ(i_am->type, PduType::unconfirmed_request);
  EXPECT_EQ(i_am->service, service::i_am);
  EXPECT_EQ(i_am->body.size(), 5u);
}

TEST(BacnetApdu, ADevicesRefusalsAreSaidInWords) {
  // Error: class property, code unknown-property; a code without a name.
  auto error = parse_apdu(Octets{0x50, 0x01, 0x0C, 0x91, 0x02, 0x91, 0x20});
  ASSERT_TRUE(error) << error.error().message;
  EXPECT_EQ(error->error_class, 2u);
  EXPECT_EQ(error->error_code, 32u);
  EXPECT_EQ(describe_failure(*error), "property: unknown-property");
  auto odd = parse_apdu(Octets{0x50, 0x01, 0x0F, 0x91, 0x02, 0x92, 0x01, 0xF4});
  ASSERT_TRUE(odd);
  EXPECT_EQ(describe_failure(*odd), "property: 500");
  auto reject = parse_apdu(Octets{0x60, 0x05, 0x09});
  ASSERT_TRUE(reject);
  EXPECT_EQ(describe_failure(*reject), "reject: unrecognized-service");
  auto abort = parse_apdu(Octets{0x71, 0x05, 0x04});
  ASSERT_TRUE(abort);
  EXPECT_EQ(describe_failure(*abort), "abort: segmentation-not-supported");
}

TEST(BacnetApdu, CutShortHeadersAreRefused) {
  for (const Octets& bad :
       {Octets{}, Octets{0x00, 0x05, 0x01}, Octets{0x10}, Octets{0x20, 0x01},
        Octets{0x3C, 0x01, 0x00}, Octets{0x50, 0x01, 0x0C}, Octets{0x50, 0x01, 0x0C, 0x91},
        Octets{0x60, 0x01}, Octets{0x90, 0x00, 0x00}}) {
    auto parsed = parse_apdu(bad);
    EXPECT_FALSE(parsed) << ::testing::PrintToString(bad);
  }
}

}  // namespace
}  // namespace citypulse::bacnet
