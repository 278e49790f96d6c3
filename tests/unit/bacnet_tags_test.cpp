// BACnet's tagged encoding (drivers/bacnet/application_tags.h) against the
// octets ASHRAE 135 clause 20.2 gives for each kind of value, both ways, and
// malformed input refused without reading past its end.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "drivers/bacnet/application_tags.h"

namespace citypulse::bacnet {
namespace {

using Octets = std::vector<std::uint8_t>;

template <class F>
Octets encoded(F write) {
  Octets out;
  Encoder e(out);
  write(e);
  return out;
}

TEST(BacnetTags, PrimitivesAreTheStandardsOctets) {
  EXPECT_EQ(encoded([](Encoder& e) { e.null(); }), (Octets{0x00}));
  EXPECT_EQ(encoded([](Encoder& e) { e.boolean(true); }), (Octets{0x11}));
  EXPECT_EQ(encoded([](Encoder& e) { e.boolean(false); }), (Octets{0x10}));
  EXPECT_EQ(encoded([](Encoder& e) { e.unsigned_integer(72); }), (Octets{0x21, 0x48}));
  EXPECT_EQ(encoded([](Encoder& e) { e.unsigned_integer(256); }), (Octets{0x22, 0x01, 0x00}));
  EXPECT_EQ(encoded([](Encoder& e) { e.signed_integer(-72); }), (Octets{0x31, 0xB8}));
  EXPECT_EQ(encoded([](Encoder& e) { e.signed_integer(128); }), (Octets{0x32, 0x00, 0x80}));
  EXPECT_EQ(encoded([](Encoder& e) { e.real(72.0f); }), (Octets{0x44, 0x42, 0x90, 0x00, 0x00}));
  EXPECT_EQ(encoded([](Encoder& e) { e.double_real(72.0); }),
            (Octets{0x55, 0x08, 0x40, 0x52, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(encoded([](Encoder& e) { e.character_string("This is a BACnet string!"); }), ([] {
              Octets o{0x75, 0x19, 0x00};
              for (char c : std::string("This is a BACnet string!"))
                o.push_back(static_cast<std::uint8_t>(c));
              return o;
            }()));
  EXPECT_EQ(encoded([](Encoder& e) { e.enumerated(0); }), (Octets{0x91, 0x00}));
  // analog-input 1 and analog-value 5.
  EXPECT_EQ(encoded([](Encoder& e) {
              e.object_identifier({0, 1});
            }),
            (Octets{0xC4, 0x00, 0x00, 0x00, 0x01}));
  EXPECT_EQ(encoded([](Encoder& e) {
              e.object_identifier({2, 5});
            }),
            (Octets{0xC4, 0x00, 0x80, 0x00, 0x05}));
}

TEST(BacnetTags, ContextTagsAndConstructedValues) {
  // ReadProperty's parameters: object (context 0), property present-value
  // (85, context 1); a value in opening/closing tag 3.
  const auto o = encoded([](Encoder& e) {
    e.context_object_identifier(0, {0, 1});
    e.context_enumerated(1, 85);
    e.opening(3);
    e.real(21.5f);
    e.closing(3);
  });
  EXPECT_EQ(o, (Octets{0x0C, 0x00, 0x00, 0x00, 0x01, 0x19, 0x55, 0x3E, 0x44, 0x41, 0xAC, 0x00, 0x00,
                       0x3F}));
  Reader r(o);
  EXPECT_EQ(r.context_object_identifier(0).value(), (ObjectId{0, 1}));
  EXPECT_EQ(r.context_enumerated(1).value(), 85u);
  ASSERT_TRUE(r.next_is_opening(3));
  ASSERT_TRUE(r.opening(3));
  EXPECT_FLOAT_EQ(r.real().value(), 21.5f);
  ASSERT_TRUE(r.closing(3));
  EXPECT_TRUE(r.at_end());
  // Skipping the constructed value passes over it whole.
  Reader s(o);
  ASSERT_TRUE(s.skip());
  ASSERT_TRUE(s.skip());
  ASSERT_TRUE(s.skip());
  EXPECT_TRUE(s.at_end());
}

TEST(BacnetTags, EveryKindReadsBackWhatWasWritten) {
  const auto o = encoded([](Encoder& e) {
    e.null();
    e.boolean(true);
    e.unsigned_integer(std::numeric_limits<std::uint32_t>::max());
    e.signed_integer(std::numeric_limits<std::int32_t>::min());
    e.signed_integer(-1);
    e.double_real(-1234.5678);
    e.character_string(std::string(300, 'x'));  // a two-octet extended length
    e.enumerated(1234567);
    e.object_identifier({1023, kMaxInstance});
    e.context_unsigned(20, 9);  // an extended tag number
  });
  Reader r(o);
  ASSERT_TRUE(r.null());
  EXPECT_EQ(r.boolean().value(), true);
  EXPECT_EQ(r.unsigned_integer().value(), std::numeric_limits<std::uint32_t>::max());
  EXPECT_EQ(r.signed_integer().value(), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(r.signed_integer().value(), -1);
  EXPECT_DOUBLE_EQ(r.double_real().value(), -1234.5678);
  EXPECT_EQ(r.character_string().value(), std::string(300, 'x'));
  EXPECT_EQ(r.enumerated().value(), 1234567u);
  EXPECT_EQ(r.object_identifier().value(), (ObjectId{1023, kMaxInstance}));
  EXPECT_EQ(r.context_unsigned(20).value(), 9u);
  EXPECT_TRUE(r.at_end());
}

TEST(BacnetTags, MalformedInputIsRefusedWithinItsBounds) {
  // Content announced but cut short; an extended length cut short; a tag
  // of another kind than asked for; a closing tag without its opening;
  // a character set other than UTF-8; nothing at all.
  const Octets cut = {0x44, 0x42, 0x90};
  EXPECT_FALSE(Reader(cut).real());
  const Octets cut_length = {0x75, 0xFE, 0x01};
  EXPECT_FALSE(Reader(cut_length).character_string());
  const Octets unsigned_value = {0x21, 0x48};
  auto wrong = Reader(unsigned_value).real();
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("expected a REAL"), std::string::npos)
      << wrong.error().message;
  const Octets stray_closing = {0x3F};
  EXPECT_FALSE(Reader(stray_closing).skip());
  const Octets latin1 = {0x73, 0x05, 0x41, 0x42};
  EXPECT_FALSE(Reader(latin1).character_string());
  EXPECT_FALSE(Reader(Octets{}).unsigned_integer());
  // An Unsigned of five octets is not one this reader takes.
  const Octets wide = {0x25, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05};
  EXPECT_FALSE(Reader(wide).unsigned_integer());
}

}  // namespace
}  // namespace citypulse::bacnet
