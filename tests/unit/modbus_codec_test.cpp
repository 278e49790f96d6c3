// Values in and out of Modbus registers (drivers/modbus/register_codec.h):
// every type in every word and byte order against registers computed by hand
// from the IEEE 754 and two's complement bit patterns, scale and offset, bit
// fields, and the writes that must be refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "drivers/modbus/register_codec.h"

namespace citypulse::modbus {
namespace {

using Words = std::vector<std::uint16_t>;

ValueFormat format(ValueType type, Order word_order = Order::big, Order byte_order = Order::big,
                   double scale = 1, double offset = 0) {
  ValueFormat f;
  f.type = type;
  f.word_order = word_order;
  f.byte_order = byte_order;
  f.scale = scale;
  f.offset = offset;
  return f;
}

struct Case {
  ValueType type;
  Order word_order, byte_order;
  Words words;
  double value;
};

// float32 21.5 = 0x41AC0000; float64 21.5 = 0x4035800000000000;
// int32 -2 = 0xFFFFFFFE; uint32 305419896 = 0x12345678; int16 -200 = 0xFF38.
const Case kCases[] = {
    {ValueType::int16, Order::big, Order::big, {0xFF38}, -200},
    {ValueType::int16, Order::big, Order::little, {0x38FF}, -200},
    {ValueType::int16, Order::little, Order::big, {0xFF38}, -200},  // one word: no word order
    {ValueType::uint16, Order::big, Order::big, {0xFF38}, 65336},
    {ValueType::uint16, Order::big, Order::little, {0x0201}, 0x0102},
    {ValueType::int32, Order::big, Order::big, {0xFFFF, 0xFFFE}, -2},
    {ValueType::int32, Order::little, Order::big, {0xFFFE, 0xFFFF}, -2},
    {ValueType::int32, Order::big, Order::little, {0xFFFF, 0xFEFF}, -2},
    {ValueType::int32, Order::little, Order::little, {0xFEFF, 0xFFFF}, -2},
    {ValueType::uint32, Order::big, Order::big, {0x1234, 0x5678}, 305419896},
    {ValueType::uint32, Order::little, Order::big, {0x5678, 0x1234}, 305419896},
    {ValueType::uint32, Order::big, Order::little, {0x3412, 0x7856}, 305419896},
    {ValueType::uint32, Order::little, Order::little, {0x7856, 0x3412}, 305419896},
    {ValueType::uint32, Order::big, Order::big, {0xFFFF, 0xFFFF}, 4294967295.0},
    {ValueType::float32, Order::big, Order::big, {0x41AC, 0x0000}, 21.5},
    {ValueType::float32, Order::little, Order::big, {0x0000, 0x41AC}, 21.5},
    {ValueType::float32, Order::big, Order::little, {0xAC41, 0x0000}, 21.5},
    {ValueType::float32, Order::little, Order::little, {0x0000, 0xAC41}, 21.5},
    {ValueType::float32, Order::big, Order::big, {0xBF80, 0x0000}, -1.0},
    {ValueType::float64, Order::big, Order::big, {0x4035, 0x8000, 0x0000, 0x0000}, 21.5},
    {ValueType::float64, Order::little, Order::big, {0x0000, 0x0000, 0x8000, 0x4035}, 21.5},
    {ValueType::float64, Order::big, Order::little, {0x3540, 0x0080, 0x0000, 0x0000}, 21.5},
    {ValueType::float64, Order::little, Order::little, {0x0000, 0x0000, 0x0080, 0x3540}, 21.5},
};

TEST(ModbusCodec, EveryTypeWordAndByteOrder) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << to_string(c.type) << " words " << to_string(c.word_order)
                                    << " bytes " << to_string(c.byte_order));
    const ValueFormat f = format(c.type, c.word_order, c.byte_order);
    auto value = decode_registers(f, c.words);
    ASSERT_TRUE(value) << value.error().message;
    EXPECT_EQ(*value, c.value);
    auto words = encode_registers(f, c.value);
    ASSERT_TRUE(words) << words.error().message;
    EXPECT_EQ(*words, c.words);
  }
}

TEST(ModbusCodec, ScaleAndOffset) {
  const ValueFormat tenths = format(ValueType::int16, Order::big, Order::big, 0.1);
  EXPECT_DOUBLE_EQ(*decode_registers(tenths, Words{0x00D7}), 21.5);
  EXPECT_EQ(*encode_registers(tenths, 21.5), Words{0x00D7});  // 214.99999... rounds to 215
  EXPECT_EQ(*encode_registers(tenths, -20), Words{0xFF38});
  EXPECT_EQ(*decode_registers(tenths, Words{3}), 0.3);  // not 3 * 0.1 = 0.30000000000000004
  EXPECT_EQ(*decode_registers(format(ValueType::uint16, Order::big, Order::big, 0.01), Words{7}),
            0.07);

  const ValueFormat shifted = format(ValueType::uint16, Order::big, Order::big, 0.1, -20);
  EXPECT_DOUBLE_EQ(*decode_registers(shifted, Words{500}), 30.0);
  EXPECT_EQ(*encode_registers(shifted, 30.0), Words{500});

  const ValueFormat float_scaled = format(ValueType::float32, Order::big, Order::big, 1000);
  EXPECT_DOUBLE_EQ(*decode_registers(float_scaled, Words{0x41AC, 0x0000}), 21500);
  EXPECT_EQ(*encode_registers(float_scaled, 21500), (Words{0x41AC, 0x0000}));
}

TEST(ModbusCodec, RefusesWritesThatDoNotFit) {
  auto refused = [](const ValueFormat& f, double value) {
    auto words = encode_registers(f, value);
    if (words) return std::string("(accepted)");
    EXPECT_EQ(words.error().code, ErrorCode::invalid);
    EXPECT_EQ(words.error().field, "/value");
    return words.error().message;
  };
  const ValueFormat tenths = format(ValueType::int16, Order::big, Order::big, 0.1);
  EXPECT_NE(refused(tenths, 21.55).find("not a whole number"), std::string::npos);
  EXPECT_NE(refused(tenths, 3276.8).find("out of range"), std::string::npos);
  EXPECT_NE(refused(tenths, -3276.9).find("out of range"), std::string::npos);
  EXPECT_EQ(refused(tenths, 3276.7), "(accepted)");
  EXPECT_NE(refused(format(ValueType::uint16), -1).find("out of range"), std::string::npos);
  EXPECT_NE(refused(format(ValueType::uint16), 65536).find("out of range"), std::string::npos);
  EXPECT_NE(refused(format(ValueType::uint32), 4294967296.0).find("out of range"),
            std::string::npos);
  EXPECT_NE(refused(format(ValueType::int32), 2147483648.0).find("out of range"),
            std::string::npos);
  EXPECT_NE(refused(format(ValueType::float32), 1e39).find("out of range"), std::string::npos);
  EXPECT_NE(refused(format(ValueType::float64), std::nan("")).find("finite"), std::string::npos);
  EXPECT_FALSE(encode_bool(0.5));
  EXPECT_EQ(*encode_bool(1), true);
  EXPECT_EQ(*encode_bool(0), false);
}

TEST(ModbusCodec, NaNAndWrongLengthAreNoValue) {
  auto nan = decode_registers(format(ValueType::float32), Words{0x7FC0, 0x0000});
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().code, ErrorCode::invalid);
  auto inf = decode_registers(format(ValueType::float32), Words{0x7F80, 0x0000});
  EXPECT_FALSE(inf);
  auto short_read = decode_registers(format(ValueType::float64), Words{0x4035, 0x8000});
  ASSERT_FALSE(short_read);
  EXPECT_EQ(short_read.error().code, ErrorCode::internal);
}

TEST(ModbusCodec, BitFields) {
  // Status 0x0005: running (bit 0) on, fault (bit 1) off, filter alarm (bit 2) on.
  auto bit = [](std::uint8_t n, Order bytes = Order::big) {
    ValueFormat f = format(ValueType::boolean, Order::big, bytes);
    f.bit = n;
    return f;
  };
  EXPECT_EQ(*decode_registers(bit(0), Words{0x0005}), 1);
  EXPECT_EQ(*decode_registers(bit(1), Words{0x0005}), 0);
  EXPECT_EQ(*decode_registers(bit(2), Words{0x0005}), 1);
  EXPECT_EQ(*decode_registers(bit(15), Words{0x8000}), 1);
  // With the bytes swapped, bit 0 travels in the high byte.
  EXPECT_EQ(*decode_registers(bit(0, Order::little), Words{0x0100}), 1);
  EXPECT_EQ(*decode_registers(bit(0, Order::little), Words{0x0001}), 0);

  EXPECT_EQ(*encode_bit_field(bit(1), 0x0005, 1), 0x0007);
  EXPECT_EQ(*encode_bit_field(bit(0), 0x0005, 0), 0x0004);
  EXPECT_EQ(*encode_bit_field(bit(2), 0x0005, 1), 0x0005);
  EXPECT_EQ(*encode_bit_field(bit(0, Order::little), 0x0000, 1), 0x0100);
  EXPECT_FALSE(encode_bit_field(bit(0), 0x0005, 2));
  EXPECT_FALSE(encode_bit_field(format(ValueType::uint16), 0x0005, 1));
}

TEST(ModbusCodec, PointInABlock) {
  RegisterBlock block;
  block.table = Table::input;
  block.start = 4;
  block.registers = {0x00D7, 0x0000, 0x41AC, 0x0005};
  RegisterPoint power;
  power.table = Table::input;
  power.address = 5;
  power.format = format(ValueType::float32, Order::little);
  EXPECT_EQ(*decode_point(power, block), 21.5);
  RegisterPoint beyond = power;
  beyond.address = 7;  // its second word would be register 8
  EXPECT_EQ(decode_point(beyond, block).error().code, ErrorCode::invalid);
  RegisterPoint coil;
  coil.table = Table::coil;
  coil.address = 1;
  coil.format.type = ValueType::boolean;
  EXPECT_EQ(decode_point(coil, block).error().code, ErrorCode::internal);
  RegisterBlock coils;
  coils.table = Table::coil;
  coils.bits = {false, true};
  EXPECT_EQ(*decode_point(coil, coils), 1);
}

}  // namespace
}  // namespace citypulse::modbus
