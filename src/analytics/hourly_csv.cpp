#include "analytics/hourly_csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <string>

#include "core/text.h"

namespace citypulse::analytics {
namespace {

// The n-th comma-separated field of a line (no quoting: these files have none).
bool field(std::string_view line, int n, std::string_view& out) {
  for (int i = 0; i < n; ++i) {
    const auto comma = line.find(',');
    if (comma == std::string_view::npos) return false;
    line.remove_prefix(comma + 1);
  }
  out = trim(line.substr(0, line.find(',')));
  return true;
}

}  // namespace

Result<std::vector<HourlyValue>> read_hourly_csv(const std::filesystem::path& file, int column) {
  std::ifstream in(file);
  if (!in) return fail(ErrorCode::io, "cannot open " + file.string());
  std::vector<HourlyValue> out;
  std::string line;
  int line_number = 0;
  auto bad = [&](const std::string& what) {
    return fail(ErrorCode::bad_request,
                file.string() + ":" + std::to_string(line_number) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    // A header is a first line that does not start with a digit.
    if (line_number == 1 && !(line[0] >= '0' && line[0] <= '9')) continue;
    std::string_view stamp, text;
    if (!field(line, 0, stamp) || !field(line, column, text)) {
      return bad("expected a timestamp and at least " + std::to_string(column) + " value(s)");
    }
    auto hour = parse_local_hour(stamp);
    if (!hour) return bad(hour.error().message);
    if (!out.empty() && *hour <= out.back().hour) return bad("hours out of order or repeated");
    double value = std::numeric_limits<double>::quiet_NaN();
    if (!text.empty()) {
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
        return bad("not a number: '" + std::string(text) + "'");
      }
    }
    out.push_back({*hour, value});
  }
  if (in.bad()) return fail(ErrorCode::io, "cannot read " + file.string());
  return out;
}

}  // namespace citypulse::analytics
