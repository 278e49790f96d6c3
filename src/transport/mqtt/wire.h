// The MQTT data representations (spec 1.5): a read cursor that checks every
// read against the bytes it has, and writers that append them — the one
// place the codec touches raw bytes. Internal to the codec.
//
// The reader never reads past its end and never allocates: a read that does
// not fit, an overlong Variable Byte Integer or bad UTF-8 fails, and the
// failure is sticky (every later read fails too), so decoders check once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace citypulse::mqtt::wire {

// Largest value of a Variable Byte Integer (four bytes) [MQTT-1.5.5-1].
inline constexpr std::uint32_t kMaxVarint = 268'435'455;

// Whether `text` is a well-formed UTF-8 string as MQTT allows it: no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF
// [MQTT-1.5.4-1], and no U+0000 [MQTT-1.5.4-2].
bool valid_utf8(std::string_view text);

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  std::size_t left() const { return ok_ ? bytes_.size() - at_ : 0; }
  bool at_end() const { return ok_ && at_ == bytes_.size(); }

  std::uint8_t byte() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(bytes_[at_++]);
  }
  std::uint16_t u16() {
    if (!need(2)) return 0;
    const auto hi = static_cast<std::uint8_t>(bytes_[at_]);
    const auto lo = static_cast<std::uint8_t>(bytes_[at_ + 1]);
    at_ += 2;
    return static_cast<std::uint16_t>(hi << 8 | lo);
  }
  std::uint32_t u32() {
    const std::uint32_t hi = u16();
    const std::uint32_t lo = u16();
    return hi << 16 | lo;
  }
  // Spec 1.5.5: seven bits a byte, least significant first, at most four
  // bytes; a fifth continuation is malformed.
  std::uint32_t varint() {
    std::uint32_t value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      const std::uint8_t b = byte();
      if (!ok_) return 0;
      value |= std::uint32_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) return value;
    }
    ok_ = false;
    return 0;
  }
  // Binary Data (1.5.6): a two-byte length, then that many bytes.
  std::string_view binary() {
    const std::size_t n = u16();
    if (!need(n)) return {};
    auto v = bytes_.substr(at_, n);
    at_ += n;
    return v;
  }
  // UTF-8 Encoded String (1.5.4): binary data that must be valid UTF-8.
  std::string_view text() {
    auto v = binary();
    if (ok_ && !valid_utf8(v)) ok_ = false;
    return v;
  }
  // Everything not read yet (a PUBLISH payload).
  std::string_view rest() {
    if (!ok_) return {};
    auto v = bytes_.substr(at_);
    at_ = bytes_.size();
    return v;
  }
  // The next `n` bytes as a reader of their own (a property block).
  Reader take(std::size_t n) {
    if (!need(n)) return Reader(std::string_view{}, false);
    Reader inner(bytes_.substr(at_, n));
    at_ += n;
    return inner;
  }
  void fail() { ok_ = false; }

 private:
  Reader(std::string_view bytes, bool ok) : bytes_(bytes), ok_(ok) {}
  bool need(std::size_t n) {
    if (!ok_ || bytes_.size() - at_ < n) ok_ = false;
    return ok_;
  }

  std::string_view bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

// Bytes a Variable Byte Integer of this value takes (1..4).
inline std::size_t varint_size(std::uint32_t v) {
  return v < 128 ? 1 : v < 16'384 ? 2 : v < 2'097'152 ? 3 : 4;
}

// Encoders write each packet twice through the same code: once into a
// Counter to learn the Remaining Length, then into an Appender. So the
// fixed header is written first and nothing is moved or copied after.
class Counter {
 public:
  void byte(std::uint8_t) { n_ += 1; }
  void u16(std::uint16_t) { n_ += 2; }
  void u32(std::uint32_t) { n_ += 4; }
  void varint(std::uint32_t v) { n_ += varint_size(v); }
  void binary(std::string_view s) { n_ += 2 + s.size(); }
  void raw(std::string_view s) { n_ += s.size(); }
  std::size_t size() const { return n_; }

 private:
  std::size_t n_ = 0;
};

class Appender {
 public:
  explicit Appender(std::string& out) : out_(out) {}
  void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void u16(std::uint16_t v) {
    byte(static_cast<std::uint8_t>(v >> 8));
    byte(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void varint(std::uint32_t v) {
    do {
      std::uint8_t b = v & 0x7F;
      v >>= 7;
      if (v) b |= 0x80;
      byte(b);
    } while (v);
  }
  void binary(std::string_view s) {
    u16(static_cast<std::uint16_t>(s.size()));
    raw(s);
  }
  void raw(std::string_view s) { out_.append(s); }

 private:
  std::string& out_;
};

}  // namespace citypulse::mqtt::wire
