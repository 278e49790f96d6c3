#include "notify/mime.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace citypulse::notify {
namespace {

// RFC 2045 §6.7 (1): the hex digits of =XX are upper case.
std::string escaped(unsigned char byte) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return {'=', kHex[byte >> 4], kHex[byte & 0x0f]};
}

constexpr std::size_t kMaxLine = 76;  // RFC 2045 §6.7 (5); RFC 2047 §2

// One line of text (no line break in it), its encoded lines appended.
void encode_line(std::string_view line, std::string& out) {
  std::size_t column = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    auto token = [&]() -> std::string {
      if (byte == ' ' || byte == '\t') {
        // (3): white space at a line's end would be lost in transport.
        if (last) return escaped(byte);
        return std::string(1, static_cast<char>(byte));
      }
      if (byte == '.' && column == 0) return escaped(byte);
      if (byte >= 33 && byte <= 126 && byte != '=') return std::string(1, static_cast<char>(byte));
      return escaped(byte);
    };
    std::string t = token();
    // Keep room for the soft break's '='; an =XX is never split.
    if (column + t.size() > kMaxLine - 1) {
      out += "=\r\n";
      column = 0;
      if (byte == '.') t = escaped(byte);
    }
    out += t;
    column += t.size();
  }
  out += "\r\n";
}

// RFC 2047 §5 (3): what may stand for itself in a Q-encoded word anywhere
// in a header; everything else is =XX, and a space is '_'.
bool q_literal(unsigned char byte) {
  return (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
         (byte >= '0' && byte <= '9') || byte == '!' || byte == '*' || byte == '+' || byte == '-' ||
         byte == '/';
}

bool printable_ascii(std::string_view text) {
  return std::ranges::all_of(text, [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

std::string quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  while (!text.empty()) {
    const std::size_t end = text.find_first_of("\r\n");
    encode_line(text.substr(0, end), out);
    if (end == std::string_view::npos) break;
    const std::size_t next = text.compare(end, 2, "\r\n") == 0 ? end + 2 : end + 1;
    text.remove_prefix(next);
  }
  return out;
}

std::string header_text(std::string_view utf8, std::size_t used) {
  if (printable_ascii(utf8)) return std::string(utf8);
  static constexpr std::string_view kOpen = "=?UTF-8?Q?", kClose = "?=";
  std::string out, word;
  std::size_t budget = kMaxLine - std::min(used, kMaxLine - 20) - kOpen.size() - kClose.size();
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += "\r\n ";  // folding; the white space between words is dropped
    out += kOpen;
    out += word;
    out += kClose;
    word.clear();
    budget = kMaxLine - 1 - kOpen.size() - kClose.size();  // a folded line starts with a space
  };
  std::size_t i = 0;
  while (i < utf8.size()) {
    // One whole character: its lead byte and its continuation bytes.
    std::size_t end = i + 1;
    while (end < utf8.size() && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) ++end;
    std::string encoded;
    for (std::size_t k = i; k < end; ++k) {
      const auto byte = static_cast<unsigned char>(utf8[k]);
      encoded += byte == ' '       ? std::string("_")
                 : q_literal(byte) ? std::string(1, static_cast<char>(byte))
                                   : escaped(byte);
    }
    if (word.size() + encoded.size() > budget) flush();
    word += encoded;
    i = end;
  }
  flush();
  return out;
}

std::string rfc5322_date(TimeMs t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kDays[utc.tm_wday], utc.tm_mday,
                     kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

}  // namespace citypulse::notify
