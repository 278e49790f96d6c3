// A channel's value in and out of Modbus registers and bits.
//
// Modbus itself only moves 16-bit registers, each sent high byte first
// (Modbus Application Protocol V1.1b3, 4.2); wider values are a device's
// convention. The codec takes the words as libmodbus hands them over (each one
// a host-order uint16 of the wire's two bytes) and:
//
//   1. orders the words, most significant first (word_order little: the
//      device sends the least significant word first, "CDAB" for a float32);
//   2. swaps the two bytes of each word when byte_order is little ("BADC");
//   3. reads the 16/32/64 bits as the type (two's complement, IEEE 754);
//   4. value = raw * scale + offset (a scale of 1/n as raw / n, so that
//      raw 3 at scale 0.1 is 0.3, not 0.30000000000000004); a bit field is
//      bit `bit` of the (byte-ordered) register as 0 or 1.
//
// Example: float32 21.5 is 0x41AC0000, so big/big is {0x41AC, 0x0000},
// little word order {0x0000, 0x41AC}, little byte order {0xAC41, 0x0000}.
//
// Encoding is the inverse, with the checks a write needs before it reaches a
// device: an integer type's raw value must be whole (within 1e-6, so 21.5 at
// scale 0.1 is 215) and within the type's range; a float must be finite and
// fit; a bool must be 0 or 1. Failures are ErrorCode::invalid with field
// "/value". A bit field is written read-modify-write: encode_bit_field takes
// the register as just read and gives the register to write back.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "drivers/modbus/register_map.h"

namespace citypulse::modbus {

// What one read request brought back: `registers` for holding and input,
// `bits` for coil and discrete, starting at `start`.
struct RegisterBlock {
  Table table = Table::holding;
  std::uint16_t start = 0;
  std::vector<std::uint16_t> registers;
  std::vector<bool> bits;
};

// The value of `words` (exactly register_count(format.type) of them; else
// internal). invalid when a float holds NaN or an infinity, which devices
// use for "no value".
Result<double> decode_registers(const ValueFormat& format, std::span<const std::uint16_t> words);

// The point's value out of a block that covers it: invalid (internal when
// the block is of another table) when the point lies outside the block.
Result<double> decode_point(const RegisterPoint& point, const RegisterBlock& block);

// The registers that hold `value` in `format`, in the order to write them
// from the point's address. Not for bool (see encode_bit_field, encode_bool).
Result<std::vector<std::uint16_t>> encode_registers(const ValueFormat& format, double value);

// `current` (the register as read) with the format's bit set to `value`
// (0 or 1); every other bit kept.
Result<std::uint16_t> encode_bit_field(const ValueFormat& format, std::uint16_t current,
                                       double value);

// A coil's state from a value: 0 is off, 1 is on, anything else invalid.
Result<bool> encode_bool(double value);

}  // namespace citypulse::modbus
