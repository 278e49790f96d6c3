#include "drivers/modbus/register_codec.h"

#include <fmt/format.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>

namespace citypulse::modbus {
namespace {

std::uint16_t swap_bytes(std::uint16_t w) {
  return static_cast<std::uint16_t>(w << 8 | w >> 8);
}

// The device's words as one number, most significant word first, each word's
// bytes in wire order (steps 1 and 2 of the header).
std::uint64_t gather(const ValueFormat& f, std::span<const std::uint16_t> words) {
  std::uint64_t raw = 0;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::uint16_t w = words[f.word_order == Order::big ? i : words.size() - 1 - i];
    if (f.byte_order == Order::little) w = swap_bytes(w);
    raw = raw << 16 | w;
  }
  return raw;
}

// The inverse of gather: `n` words to send for the number `raw`.
std::vector<std::uint16_t> scatter(const ValueFormat& f, std::uint64_t raw, unsigned n) {
  std::vector<std::uint16_t> words(n);
  for (unsigned i = 0; i < n; ++i) {
    auto w = static_cast<std::uint16_t>(raw >> (16 * (n - 1 - i)));
    if (f.byte_order == Order::little) w = swap_bytes(w);
    words[f.word_order == Order::big ? i : n - 1 - i] = w;
  }
  return words;
}

std::unexpected<Error> bad_value(std::string message) {
  return fail(ErrorCode::invalid, std::move(message), "/value");
}

// The whole raw number for `value`, checked against [min, max].
Result<std::int64_t> whole_raw(const ValueFormat& f, double value, double min, double max) {
  const double raw = (value - f.offset) / f.scale;
  const double whole = std::round(raw);
  if (!std::isfinite(raw) || std::fabs(raw - whole) > 1e-6 * std::max(1.0, std::fabs(whole)))
    return bad_value(
        fmt::format("{} is not a whole number of steps of {} from {}: a {} register cannot hold it",
                    value, f.scale, f.offset, to_string(f.type)));
  if (whole < min || whole > max)
    return bad_value(fmt::format("{} is out of range: a {} register holds raw {} to {} ({} given)",
                                 value, to_string(f.type), min, max, whole));
  return static_cast<std::int64_t>(whole);
}

// raw * scale, except that a scale of 1/n divides by n: 3 * 0.1 is
// 0.30000000000000004 in binary floating point, 3 / 10 is 0.3, the reading
// the device meant.
double scaled(double raw, double scale) {
  const double inverse = 1.0 / scale;
  const double whole = std::round(inverse);
  if (std::fabs(scale) < 1 && std::fabs(inverse - whole) < 1e-9 * std::fabs(whole))
    return raw / whole;
  return raw * scale;
}

}  // namespace

Result<double> decode_registers(const ValueFormat& f, std::span<const std::uint16_t> words) {
  if (words.size() != register_count(f.type))
    return fail(ErrorCode::internal,
                fmt::format("a {} takes {} registers, {} given", to_string(f.type),
                            register_count(f.type), words.size()));
  const std::uint64_t raw = gather(f, words);
  double value = 0;
  switch (f.type) {
    case ValueType::boolean:
      return static_cast<double>(raw >> f.bit.value_or(0) & 1);
    case ValueType::int16:
      value = static_cast<std::int16_t>(raw);
      break;
    case ValueType::uint16:
      value = static_cast<std::uint16_t>(raw);
      break;
    case ValueType::int32:
      value = static_cast<std::int32_t>(raw);
      break;
    case ValueType::uint32:
      value = static_cast<std::uint32_t>(raw);
      break;
    case ValueType::float32:
      value = std::bit_cast<float>(static_cast<std::uint32_t>(raw));
      break;
    case ValueType::float64:
      value = std::bit_cast<double>(raw);
      break;
  }
  if (!std::isfinite(value))
    return fail(ErrorCode::invalid,
                fmt::format("the registers hold {} as a {}: the device has no value",
                            std::isnan(value) ? "NaN" : "an infinity", to_string(f.type)));
  return scaled(value, f.scale) + f.offset;
}

Result<double> decode_point(const RegisterPoint& point, const RegisterBlock& block) {
  if (point.table != block.table)
    return fail(ErrorCode::internal,
                fmt::format("point '{}' is a {} point, the block holds {} items", point.channel,
                            to_string(point.table), to_string(block.table)));
  const std::size_t size = has_registers(block.table) ? block.registers.size() : block.bits.size();
  if (point.address < block.start || point.address + item_count(point) > block.start + size)
    return fail(
        ErrorCode::invalid,
        fmt::format("point '{}' at {} lies outside the {} read from {} to {}", point.channel,
                    point.address, to_string(block.table), block.start, block.start + size - 1));
  const std::size_t at = point.address - block.start;
  if (!has_registers(block.table)) return block.bits[at] ? 1.0 : 0.0;
  return decode_registers(point.format, std::span(block.registers).subspan(at, item_count(point)));
}

Result<std::vector<std::uint16_t>> encode_registers(const ValueFormat& f, double value) {
  if (!std::isfinite(value)) return bad_value("the value must be a finite number");
  const unsigned n = register_count(f.type);
  Result<std::int64_t> whole = 0;
  switch (f.type) {
    case ValueType::boolean:
      return fail(ErrorCode::internal, "a bool is written with encode_bit_field or encode_bool");
    case ValueType::int16:
      whole = whole_raw(f, value, INT16_MIN, INT16_MAX);
      break;
    case ValueType::uint16:
      whole = whole_raw(f, value, 0, UINT16_MAX);
      break;
    case ValueType::int32:
      whole = whole_raw(f, value, INT32_MIN, INT32_MAX);
      break;
    case ValueType::uint32:
      whole = whole_raw(f, value, 0, UINT32_MAX);
      break;
    case ValueType::float32: {
      const double raw = (value - f.offset) / f.scale;
      if (!std::isfinite(raw) || std::fabs(raw) > FLT_MAX)
        return bad_value(fmt::format("{} is out of range of a float32 register", value));
      return scatter(f, std::bit_cast<std::uint32_t>(static_cast<float>(raw)), n);
    }
    case ValueType::float64: {
      const double raw = (value - f.offset) / f.scale;
      if (!std::isfinite(raw))
        return bad_value(fmt::format("{} is out of range of a float64 register", value));
      return scatter(f, std::bit_cast<std::uint64_t>(raw), n);
    }
  }
  if (!whole) return std::unexpected(whole.error());
  // Two's complement: the low n*16 bits of the signed number are its registers.
  return scatter(f, static_cast<std::uint64_t>(*whole), n);
}

Result<bool> encode_bool(double value) {
  if (value == 0) return false;
  if (value == 1) return true;
  return bad_value(fmt::format("{} is not a bool: write 0 or 1", value));
}

Result<std::uint16_t> encode_bit_field(const ValueFormat& f, std::uint16_t current, double value) {
  if (f.type != ValueType::boolean || !f.bit)
    return fail(ErrorCode::internal, "encode_bit_field needs a bool with a bit");
  auto on = encode_bool(value);
  if (!on) return std::unexpected(on.error());
  std::uint16_t logical = f.byte_order == Order::little ? swap_bytes(current) : current;
  const auto mask = static_cast<std::uint16_t>(1u << *f.bit);
  logical = *on ? static_cast<std::uint16_t>(logical | mask)
                : static_cast<std::uint16_t>(logical & ~mask);
  return f.byte_order == Order::little ? swap_bytes(logical) : logical;
}

}  // namespace citypulse::modbus
