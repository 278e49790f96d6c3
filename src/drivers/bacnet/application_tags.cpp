#include "drivers/bacnet/application_tags.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace citypulse::bacnet {
namespace {

constexpr std::uint8_t kContextBit = 0x08;
constexpr std::uint8_t kExtendedLength = 5;
constexpr std::uint8_t kOpening = 6;
constexpr std::uint8_t kClosing = 7;

// Octets an unsigned value needs (at least one).
std::uint32_t unsigned_octets(std::uint32_t v) {
  return v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4;
}

// Octets a signed value needs in two's complement.
std::uint32_t signed_octets(std::int32_t v) {
  if (v >= -0x80 && v < 0x80) return 1;
  if (v >= -0x8000 && v < 0x8000) return 2;
  if (v >= -0x800000 && v < 0x800000) return 3;
  return 4;
}

std::uint32_t big_endian(std::span<const std::uint8_t> octets) {
  std::uint32_t v = 0;
  for (auto o : octets) v = (v << 8) | o;
  return v;
}

std::unexpected<Error> malformed(std::size_t at, const std::string& what) {
  return fail(ErrorCode::bad_request, fmt::format("BACnet value at octet {}: {}", at, what));
}

}  // namespace

// ---- Encoder ----

void Encoder::header(std::uint8_t number, bool context, std::uint32_t length) {
  const std::uint8_t cls = context ? kContextBit : 0;
  const std::uint8_t lvt = length <= 4 ? static_cast<std::uint8_t>(length) : kExtendedLength;
  if (number <= 14) {
    out_.push_back(static_cast<std::uint8_t>(number << 4 | cls | lvt));
  } else {
    out_.push_back(static_cast<std::uint8_t>(0xF0 | cls | lvt));
    out_.push_back(number);
  }
  if (length <= 4) return;
  if (length <= 253) {
    out_.push_back(static_cast<std::uint8_t>(length));
  } else if (length <= 0xFFFF) {
    out_.push_back(254);
    out_.push_back(static_cast<std::uint8_t>(length >> 8));
    out_.push_back(static_cast<std::uint8_t>(length));
  } else {
    out_.push_back(255);
    for (int shift = 24; shift >= 0; shift -= 8)
      out_.push_back(static_cast<std::uint8_t>(length >> shift));
  }
}

void Encoder::unsigned_content(std::uint8_t number, bool context, std::uint32_t value) {
  const auto n = unsigned_octets(value);
  header(number, context, n);
  for (int i = static_cast<int>(n) - 1; i >= 0; --i)
    out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void Encoder::null() {
  header(static_cast<std::uint8_t>(ApplicationTag::null), false, 0);
}

void Encoder::boolean(bool value) {
  // The value is the length field: no content.
  out_.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(ApplicationTag::boolean) << 4 |
                                           (value ? 1 : 0)));
}

void Encoder::unsigned_integer(std::uint32_t value) {
  unsigned_content(static_cast<std::uint8_t>(ApplicationTag::unsigned_integer), false, value);
}

void Encoder::signed_integer(std::int32_t value) {
  const auto n = signed_octets(value);
  header(static_cast<std::uint8_t>(ApplicationTag::signed_integer), false, n);
  const auto bits = static_cast<std::uint32_t>(value);
  for (int i = static_cast<int>(n) - 1; i >= 0; --i)
    out_.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
}

void Encoder::real(float value) {
  header(static_cast<std::uint8_t>(ApplicationTag::real), false, 4);
  const auto bits = std::bit_cast<std::uint32_t>(value);
  for (int shift = 24; shift >= 0; shift -= 8)
    out_.push_back(static_cast<std::uint8_t>(bits >> shift));
}

void Encoder::double_real(double value) {
  header(static_cast<std::uint8_t>(ApplicationTag::double_real), false, 8);
  const auto bits = std::bit_cast<std::uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8)
    out_.push_back(static_cast<std::uint8_t>(bits >> shift));
}

void Encoder::character_string(std::string_view utf8) {
  header(static_cast<std::uint8_t>(ApplicationTag::character_string), false,
         static_cast<std::uint32_t>(utf8.size() + 1));
  out_.push_back(0);  // ISO 10646 (UTF-8)
  out_.insert(out_.end(), utf8.begin(), utf8.end());
}

void Encoder::enumerated(std::uint32_t value) {
  unsigned_content(static_cast<std::uint8_t>(ApplicationTag::enumerated), false, value);
}

void Encoder::object_identifier(ObjectId id) {
  object_id_content(static_cast<std::uint8_t>(ApplicationTag::object_identifier), false, id);
}

void Encoder::bit_string(const BitString& value) {
  const auto octets = (value.bits.size() + 7) / 8;
  header(static_cast<std::uint8_t>(ApplicationTag::bit_string), false,
         static_cast<std::uint32_t>(octets + 1));
  out_.push_back(static_cast<std::uint8_t>(octets * 8 - value.bits.size()));
  for (std::size_t o = 0; o < octets; ++o) {
    std::uint8_t packed = 0;
    for (std::size_t b = 0; b < 8 && o * 8 + b < value.bits.size(); ++b)
      if (value.bits[o * 8 + b]) packed |= static_cast<std::uint8_t>(0x80 >> b);
    out_.push_back(packed);
  }
}

void Encoder::context_boolean(std::uint8_t number, bool value) {
  header(number, true, 1);
  out_.push_back(value ? 1 : 0);
}

void Encoder::context_unsigned(std::uint8_t number, std::uint32_t value) {
  unsigned_content(number, true, value);
}

void Encoder::context_enumerated(std::uint8_t number, std::uint32_t value) {
  unsigned_content(number, true, value);
}

void Encoder::context_object_identifier(std::uint8_t number, ObjectId id) {
  object_id_content(number, true, id);
}

void Encoder::object_id_content(std::uint8_t number, bool context, ObjectId id) {
  header(number, context, 4);
  const std::uint32_t v = static_cast<std::uint32_t>(id.type) << 22 | (id.instance & kMaxInstance);
  for (int shift = 24; shift >= 0; shift -= 8)
    out_.push_back(static_cast<std::uint8_t>(v >> shift));
}

void Encoder::opening(std::uint8_t number) {
  header(number, true, 0);
  out_[out_.size() - (number <= 14 ? 1 : 2)] |= kOpening;
}

void Encoder::closing(std::uint8_t number) {
  header(number, true, 0);
  out_[out_.size() - (number <= 14 ? 1 : 2)] |= kClosing;
}

// ---- Reader ----

Result<Tag> Reader::header(std::size_t& size) const {
  if (at_ >= bytes_.size()) return malformed(at_, "no tag: the data end here");
  std::size_t i = at_;
  const std::uint8_t first = bytes_[i++];
  Tag tag;
  tag.context = (first & kContextBit) != 0;
  tag.number = first >> 4;
  if (tag.number == 15) {
    if (i >= bytes_.size()) return malformed(at_, "the extended tag number is missing");
    tag.number = bytes_[i++];
  }
  const std::uint8_t lvt = first & 0x07;
  if (tag.context && (lvt == kOpening || lvt == kClosing)) {
    tag.opening = lvt == kOpening;
    tag.closing = lvt == kClosing;
  } else if (lvt == kExtendedLength) {
    if (i >= bytes_.size()) return malformed(at_, "the extended length is missing");
    const std::uint8_t l = bytes_[i++];
    if (l <= 253) {
      tag.length = l;
    } else {
      const std::size_t n = l == 254 ? 2 : 4;
      if (i + n > bytes_.size()) return malformed(at_, "the extended length is cut short");
      tag.length = big_endian(bytes_.subspan(i, n));
      i += n;
    }
  } else {
    tag.length = lvt;
  }
  size = i - at_;
  // An application Boolean's length field is its value: it has no content.
  const bool boolean =
      !tag.context && tag.number == static_cast<std::uint8_t>(ApplicationTag::boolean);
  if (!boolean && !tag.opening && !tag.closing && tag.length > bytes_.size() - i)
    return malformed(
        at_, fmt::format("{} octets of content announced, {} left", tag.length, bytes_.size() - i));
  return tag;
}

Result<Tag> Reader::peek() const {
  std::size_t size = 0;
  return header(size);
}

bool Reader::next_is_opening(std::uint8_t number) const {
  auto t = peek();
  return t && t->context && t->opening && t->number == number;
}

bool Reader::next_is_closing(std::uint8_t number) const {
  auto t = peek();
  return t && t->context && t->closing && t->number == number;
}

Result<std::span<const std::uint8_t>> Reader::take(std::uint8_t number, bool context,
                                                   std::string_view what) {
  std::size_t size = 0;
  auto tag = header(size);
  if (!tag) return std::unexpected(tag.error());
  if (tag->context != context || tag->number != number || tag->opening || tag->closing)
    return std::unexpected(
        malformed(at_, fmt::format("expected {}, found {} tag {}{}", what,
                                   tag->context ? "context" : "application", tag->number,
                                   tag->opening   ? " (opening)"
                                   : tag->closing ? " (closing)"
                                                  : "")));
  const auto content = bytes_.subspan(at_ + size, tag->length);
  at_ += size + tag->length;
  return content;
}

Status Reader::null() {
  auto c = take(static_cast<std::uint8_t>(ApplicationTag::null), false, "a Null");
  if (!c) return std::unexpected(c.error());
  if (!c->empty()) return malformed(at_, "a Null has no content");
  return {};
}

Result<bool> Reader::boolean() {
  std::size_t size = 0;
  auto tag = header(size);
  if (!tag) return std::unexpected(tag.error());
  if (tag->context || tag->number != static_cast<std::uint8_t>(ApplicationTag::boolean))
    return malformed(at_, "expected a Boolean");
  if (tag->length > 1) return malformed(at_, "a Boolean is 0 or 1");
  at_ += size;
  return tag->length == 1;
}

namespace {

Result<std::uint32_t> unsigned_of(std::span<const std::uint8_t> c, std::size_t at,
                                  std::string_view what) {
  if (c.empty() || c.size() > 4)
    return malformed(at, fmt::format("{} of {} octets", what, c.size()));
  return big_endian(c);
}

}  // namespace

Result<std::uint32_t> Reader::unsigned_integer() {
  const auto at = at_;
  auto c = take(static_cast<std::uint8_t>(ApplicationTag::unsigned_integer), false, "an Unsigned");
  if (!c) return std::unexpected(c.error());
  return unsigned_of(*c, at, "an Unsigned");
}

Result<std::int32_t> Reader::signed_integer() {
  const auto at = at_;
  auto c = take(static_cast<std::uint8_t>(ApplicationTag::signed_integer), false, "a Signed");
  if (!c) return std::unexpected(c.error());
  if (c->empty() || c->size() > 4)
    return malformed(at, fmt::format("a Signed of {} octets", c->size()));
  // Sign-extend from the first octet.
  std::uint32_t v = ((*c)[0] & 0x80) ? 0xFFFFFFFFu : 0;
  for (auto o : *c) v = (v << 8) | o;
  return static_cast<std::int32_t>(v);
}

Result<float> Reader::real() {
  const auto at = at_;
  auto c = take(static_cast<std::uint8_t>(ApplicationTag::real), false, "a REAL");
  if (!c) return std::unexpected(c.error());
  if (c->size() != 4) return malformed(at, "a REAL is 4 octets");
  return std::bit_cast<float>(big_endian(*c));
}

Result<double> Reader::double_real() {
  const auto at = at_;
  auto c = take(static_cast<std::uint8_t>(ApplicationTag::double_real), false, "a Double");
  if (!c) return std::unexpected(c.error());
  if (c->size() != 8) return malformed(at, "a Double is 8 octets");
  std::uint64_t bits = 0;
  for (auto o : *c) bits = (bits << 8) | o;
  return std::bit_cast<double>(bits);
}

Result<std::string> Reader::character_string() {
  const auto at = at_;
  auto c =
      take(static_cast<std::uint8_t>(ApplicationTag::character_string), false, "a CharacterString");
  if (!c) return std::unexpected(c.error());
  if (c->empty()) return malformed(at, "a CharacterString without its character set");
  if ((*c)[0] != 0)
    return std::unexpected(
        malformed(at, fmt::format("character set {} (only UTF-8, 0, is read)", (*c)[0])));
  return std::string(c->begin() + 1, c->end());
}

Result<std::uint32_t> Reader::enumerated() {
  const auto at = at_;
  auto c = take(static_cast<std::uint8_t>(ApplicationTag::enumerated), false, "an Enumerated");
  if (!c) return std::unexpected(c.error());
  return unsigned_of(*c, at, "an Enumerated");
}

namespace {

Result<ObjectId> object_id_of(std::span<const std::uint8_t> c, std::size_t at) {
  if (c.size() != 4) return malformed(at, "an object identifier is 4 octets");
  const auto v = big_endian(c);
  return ObjectId{static_cast<std::uint16_t>(v >> 22), v & kMaxInstance};
}

}  // namespace

Result<ObjectId> Reader::object_identifier() {
  const auto at = at_;
  auto c = take(static_cast<std::uint8_t>(ApplicationTag::object_identifier), false,
                "an object identifier");
  if (!c) return std::unexpected(c.error());
  return object_id_of(*c, at);
}

Result<BitString> Reader::bit_string() {
  const auto at = at_;
  auto c = take(static_cast<std::uint8_t>(ApplicationTag::bit_string), false, "a BitString");
  if (!c) return std::unexpected(c.error());
  if (c->empty()) return malformed(at, "a BitString without its count of unused bits");
  const std::uint8_t unused = (*c)[0];
  if (unused > 7 || (c->size() == 1 && unused != 0))
    return malformed(at, fmt::format("a BitString with {} unused bits", unused));
  BitString out;
  const std::size_t count = (c->size() - 1) * 8 - unused;
  out.bits.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    out.bits.push_back(((*c)[1 + i / 8] & (0x80 >> (i % 8))) != 0);
  return out;
}

Result<bool> Reader::context_boolean(std::uint8_t number) {
  const auto at = at_;
  auto c = take(number, true, fmt::format("context tag {}", number));
  if (!c) return std::unexpected(c.error());
  if (c->size() != 1 || (*c)[0] > 1) return malformed(at, "a context Boolean is one octet, 0 or 1");
  return (*c)[0] == 1;
}

Result<std::uint32_t> Reader::context_unsigned(std::uint8_t number) {
  const auto at = at_;
  auto c = take(number, true, fmt::format("context tag {}", number));
  if (!c) return std::unexpected(c.error());
  return unsigned_of(*c, at, "an Unsigned");
}

Result<std::uint32_t> Reader::context_enumerated(std::uint8_t number) {
  return context_unsigned(number);
}

Result<ObjectId> Reader::context_object_identifier(std::uint8_t number) {
  const auto at = at_;
  auto c = take(number, true, fmt::format("context tag {}", number));
  if (!c) return std::unexpected(c.error());
  return object_id_of(*c, at);
}

Status Reader::opening(std::uint8_t number) {
  return boundary(number, true);
}

Status Reader::closing(std::uint8_t number) {
  return boundary(number, false);
}

Status Reader::boundary(std::uint8_t number, bool opening) {
  std::size_t size = 0;
  auto tag = header(size);
  if (!tag) return std::unexpected(tag.error());
  if (!tag->context || tag->number != number || (opening ? !tag->opening : !tag->closing))
    return std::unexpected(
        malformed(at_, fmt::format("expected {} tag {}", opening ? "opening" : "closing", number)));
  at_ += size;
  return {};
}

Status Reader::skip() {
  int depth = 0;
  do {
    std::size_t size = 0;
    auto tag = header(size);
    if (!tag) return std::unexpected(tag.error());
    at_ += size;
    if (tag->opening) {
      ++depth;
    } else if (tag->closing) {
      if (depth == 0) return malformed(at_ - size, "a closing tag without its opening");
      --depth;
    } else if (tag->context || tag->number != static_cast<std::uint8_t>(ApplicationTag::boolean)) {
      at_ += tag->length;
    }
  } while (depth > 0);
  return {};
}

}  // namespace citypulse::bacnet
