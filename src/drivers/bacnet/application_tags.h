// BACnet's tagged encoding of primitive values (ASHRAE 135, clause 20.2): what
// every APDU's parameters are made of.
//
// A tag octet holds the tag number (bits 7–4; 15 means a second octet holds
// it), the class (bit 3: 0 application, 1 context-specific) and a length /
// value / type field (bits 2–0): the content's length 0–4, 5 for a length
// that follows (one octet up to 253, 254 + two octets, 255 + four octets),
// and for context tags 6 and 7 for an opening and a closing tag. An
// application Boolean carries its value in that field and has no content.
// Contents are big-endian: unsigned and enumerated values in as few octets as
// hold them, signed values in as few two's-complement octets, REAL and Double
// as IEEE 754, a character string as a character set octet (0: UTF-8)
// followed by the text, an object identifier as type × 2²² + instance.
//
// The reader never reads past its span: a truncated or malformed tag is an
// error naming what was wrong and where (a device's reply is untrusted input).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse::bacnet {

enum class ApplicationTag : std::uint8_t {
  null = 0,
  boolean = 1,
  unsigned_integer = 2,
  signed_integer = 3,
  real = 4,
  double_real = 5,
  octet_string = 6,
  character_string = 7,
  bit_string = 8,
  enumerated = 9,
  date = 10,
  time = 11,
  object_identifier = 12,
};

// An object's identifier: its type (0–1023; analog-input is 0) and instance
// (0–4,194,303).
struct ObjectId {
  std::uint16_t type = 0;
  std::uint32_t instance = 0;
  bool operator==(const ObjectId&) const = default;
};
inline constexpr std::uint32_t kMaxInstance = (1u << 22) - 1;

// A bit string, bit 0 first (an object's status flags: in-alarm, fault,
// overridden, out-of-service). On the wire: an octet counting the unused bits
// of the last octet, then the bits from the most significant bit on.
struct BitString {
  std::vector<bool> bits;
  bool operator==(const BitString&) const = default;
};

// What a tag octet (and its extensions) says.
struct Tag {
  std::uint8_t number = 0;
  bool context = false;      // context-specific rather than application
  bool opening = false;      // a context opening tag (no content)
  bool closing = false;      // a context closing tag (no content)
  std::uint32_t length = 0;  // content octets; for an application Boolean, its value
};

// Appends encodings to `out`.
class Encoder {
 public:
  explicit Encoder(std::vector<std::uint8_t>& out) : out_(out) {}

  void null();
  void boolean(bool value);
  void unsigned_integer(std::uint32_t value);
  void signed_integer(std::int32_t value);
  void real(float value);
  void double_real(double value);
  void character_string(std::string_view utf8);
  void enumerated(std::uint32_t value);
  void object_identifier(ObjectId id);
  void bit_string(const BitString& value);

  // Context-specific forms: the same contents under tag `number`.
  void context_boolean(std::uint8_t number, bool value);  // one content octet
  void context_unsigned(std::uint8_t number, std::uint32_t value);
  void context_enumerated(std::uint8_t number, std::uint32_t value);
  void context_object_identifier(std::uint8_t number, ObjectId id);
  void opening(std::uint8_t number);
  void closing(std::uint8_t number);

 private:
  void header(std::uint8_t number, bool context, std::uint32_t length);
  void unsigned_content(std::uint8_t number, bool context, std::uint32_t value);
  void object_id_content(std::uint8_t number, bool context, ObjectId id);

  std::vector<std::uint8_t>& out_;
};

// Reads tagged values from the front of a span, in order.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool at_end() const { return at_ >= bytes_.size(); }
  std::size_t offset() const { return at_; }

  // The next tag without taking it.
  Result<Tag> peek() const;
  // Whether the next tag is the context opening / closing tag `number`.
  bool next_is_opening(std::uint8_t number) const;
  bool next_is_closing(std::uint8_t number) const;

  // Each takes one value of its application tag and fails (bad_request) on
  // another tag, a length its type cannot have, or too few octets.
  Status null();
  Result<bool> boolean();
  Result<std::uint32_t> unsigned_integer();
  Result<std::int32_t> signed_integer();
  Result<float> real();
  Result<double> double_real();
  Result<std::string> character_string();  // UTF-8 only
  Result<std::uint32_t> enumerated();
  Result<ObjectId> object_identifier();
  Result<BitString> bit_string();

  Result<bool> context_boolean(std::uint8_t number);
  Result<std::uint32_t> context_unsigned(std::uint8_t number);
  Result<std::uint32_t> context_enumerated(std::uint8_t number);
  Result<ObjectId> context_object_identifier(std::uint8_t number);
  Status opening(std::uint8_t number);
  Status closing(std::uint8_t number);

  // Passes over the next value, whatever it is: a primitive, or a whole
  // constructed value from its opening tag to the matching closing tag.
  Status skip();

 private:
  // The next tag and its content, checked to be application tag `tag` (or
  // context tag `number` when `context`); the reader moves past both.
  Result<std::span<const std::uint8_t>> take(std::uint8_t number, bool context,
                                             std::string_view what);
  Result<Tag> header(std::size_t& size) const;         // size: the tag's own octets
  Status boundary(std::uint8_t number, bool opening);  // an opening or closing tag

  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

}  // namespace citypulse::bacnet
