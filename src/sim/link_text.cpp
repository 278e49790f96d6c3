#include "sim/link_text.h"

#include <fmt/format.h>

#include <cmath>

#include "core/text.h"

namespace citypulse::sim {

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        // RFC 8259 section 7: control characters must be escaped.
        if (static_cast<unsigned char>(c) < 0x20)
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  out += '"';
}

Status append_json_values(std::string& out, const Telemetry& telemetry) {
  out += '{';
  bool first = true;
  for (const auto& [key, value] : telemetry.values) {
    if (!std::isfinite(value))
      return fail(
          ErrorCode::invalid,
          fmt::format("the value of '{}' is {}: JSON has no such number", printable(key), value),
          key);
    if (!first) out += ',';
    first = false;
    append_json_string(out, key);
    // "{}" is the shortest text that reads back as the same double.
    fmt::format_to(std::back_inserter(out), ":{}", value);
  }
  out += '}';
  return {};
}

Status append_json_telemetry(std::string& out, const Telemetry& telemetry) {
  fmt::format_to(std::back_inserter(out), "{{\"ts\":{},\"values\":", telemetry.ts);
  if (auto s = append_json_values(out, telemetry); !s) return s;
  out += '}';
  return {};
}

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (const char c : text.substr(0, limit)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  return std::string(trim(out));
}

}  // namespace citypulse::sim
