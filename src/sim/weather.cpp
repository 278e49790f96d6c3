#include "sim/weather.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "core/calendar.h"

namespace citypulse::sim {
namespace {

constexpr std::int64_t kHour = 3'600'000;

bool read_double(std::string_view text, double& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && std::isfinite(out);
}

// "2019-01-01 00:00:00" → the hour of the year, or -1.
int hour_of_year(std::string_view stamp, int year) {
  unsigned y = 0, mo = 0, d = 0, h = 0;
  if (stamp.size() < 13 || stamp[4] != '-' || stamp[7] != '-' || stamp[10] != ' ') return -1;
  const auto number = [&](std::size_t at, std::size_t n, unsigned& out) {
    return std::from_chars(stamp.data() + at, stamp.data() + at + n, out).ec == std::errc{};
  };
  if (!number(0, 4, y) || !number(5, 2, mo) || !number(8, 2, d) || !number(11, 2, h)) return -1;
  if (static_cast<int>(y) != year || mo < 1 || mo > 12 || d < 1 || d > days_in_month(year, mo) ||
      h > 23)
    return -1;
  const auto days = days_from_civil(year, mo, d) - days_from_civil(year, 1, 1);
  return static_cast<int>(days * 24 + h);
}

// Fills the hours no row gave (NaN) from their neighbours, linearly; the
// year's ends take the nearest value.
void bridge_gaps(std::vector<WeatherSample>& hours) {
  const auto missing = [](const WeatherSample& s) { return std::isnan(s.outdoor_c); };
  std::size_t i = 0;
  while (i < hours.size()) {
    if (!missing(hours[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < hours.size() && missing(hours[j])) ++j;
    const WeatherSample* before = i > 0 ? &hours[i - 1] : nullptr;
    const WeatherSample* after = j < hours.size() ? &hours[j] : nullptr;
    for (std::size_t k = i; k < j; ++k) {
      if (!before && !after) {
        hours[k] = {};
      } else if (!before || !after) {
        hours[k] = before ? *before : *after;
      } else {
        const double f = static_cast<double>(k - i + 1) / static_cast<double>(j - i + 1);
        hours[k] = {before->outdoor_c + f * (after->outdoor_c - before->outdoor_c),
                    before->humidity_pct + f * (after->humidity_pct - before->humidity_pct),
                    before->solar_w_m2 + f * (after->solar_w_m2 - before->solar_w_m2)};
      }
    }
    i = j;
  }
}

}  // namespace

Result<Weather> Weather::from_records(const std::string& folder) {
  std::error_code ec;
  std::vector<std::pair<int, std::filesystem::path>> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const auto name = entry.path().filename().string();
    int year = 0;
    if (name.size() == 16 && name.starts_with("bedford_") && name.ends_with(".csv") &&
        std::from_chars(name.data() + 8, name.data() + 12, year).ec == std::errc{})
      files.emplace_back(year, entry.path());
  }
  if (ec || files.empty())
    return fail(ErrorCode::not_found,
                fmt::format("no weather records (bedford_<year>.csv) in {}", folder));
  std::sort(files.begin(), files.end());
  Weather w;
  for (const auto& [year, path] : files) {
    std::ifstream in(path);
    if (!in) return fail(ErrorCode::io, fmt::format("cannot read {}", path.string()));
    Year y;
    y.year = year;
    y.hours.assign(is_leap_year(year) ? 8784 : 8760, {std::nan(""), std::nan(""), std::nan("")});
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (number == 1 || line.empty() || line == "\r") continue;  // the header
      std::string_view fields[4];
      std::string_view rest = line;
      for (int f = 0; f < 4; ++f) {
        const auto comma = rest.find(',');
        fields[f] = rest.substr(0, comma);
        rest = comma == rest.npos ? std::string_view() : rest.substr(comma + 1);
      }
      const int hour = hour_of_year(fields[0], year);
      WeatherSample s;
      if (hour < 0 || !read_double(fields[1], s.outdoor_c) ||
          !read_double(fields[2], s.humidity_pct) || !read_double(fields[3], s.solar_w_m2))
        return fail(ErrorCode::invalid,
                    fmt::format("{} line {}: expected 'YYYY-MM-DD HH:MM:SS,temperature,humidity,"
                                "irradiance' of {}",
                                path.string(), number, year));
      // All three exactly 0: a gap the archive filled with zeros.
      if (s.outdoor_c == 0 && s.humidity_pct == 0 && s.solar_w_m2 == 0) continue;
      y.hours[static_cast<std::size_t>(hour)] = s;
    }
    bridge_gaps(y.hours);
    w.years_.push_back(std::move(y));
  }
  return w;
}

Weather Weather::synthetic() {
  return Weather{};
}

Weather Weather::records_or_synthetic(const std::string& folder) {
  auto records = from_records(folder);
  return records ? std::move(*records) : synthetic();
}

std::vector<int> Weather::years() const {
  std::vector<int> out;
  for (const auto& y : years_) out.push_back(y.year);
  return out;
}

WeatherSample Weather::hourly(std::int64_t wall_hour) const {
  const std::int64_t days = wall_hour >= 0 ? wall_hour / 24 : (wall_hour - 23) / 24;
  const int hour = static_cast<int>(wall_hour - days * 24);
  const CivilDate date = civil_from_days(days);
  if (!years_.empty()) {
    const auto n = static_cast<std::int64_t>(years_.size());
    const std::int64_t from_first = date.year - years_.front().year;
    const Year& y = years_[static_cast<std::size_t>(((from_first % n) + n) % n)];
    unsigned day = date.day;
    if (date.month == 2 && day == 29 && !is_leap_year(y.year)) day = 28;
    const auto index =
        (days_from_civil(y.year, date.month, day) - days_from_civil(y.year, 1, 1)) * 24 + hour;
    return y.hours[static_cast<std::size_t>(index)];
  }
  // The synthetic year: a cosine over the year, coldest on 25 January, and
  // one over the day, warmest at 15:00; the sun's height at 48° N drives
  // the irradiance, and humidity falls as the day warms.
  constexpr double kPi = std::numbers::pi;
  const auto day_of_year = static_cast<double>(days - days_from_civil(date.year, 1, 1));
  const double season = -std::cos(2 * kPi * (day_of_year - 25) / 365.25);
  const double daily = std::cos(2 * kPi * (hour - 15) / 24.0);
  const double declination = 23.44 * std::sin(2 * kPi * (day_of_year - 80) / 365.25);
  const double latitude = 48.35;
  const double hour_angle = 15.0 * (hour + 0.5 - 12.0);
  const double rad = kPi / 180;
  const double sin_height =
      std::sin(latitude * rad) * std::sin(declination * rad) +
      std::cos(latitude * rad) * std::cos(declination * rad) * std::cos(hour_angle * rad);
  WeatherSample s;
  s.outdoor_c = 9.5 + 9.5 * season + 4.0 * daily;
  s.solar_w_m2 = std::max(0.0, 900.0 * sin_height * (0.75 + 0.1 * season));
  s.humidity_pct = std::clamp(78.0 - 15.0 * daily - 5.0 * season, 20.0, 100.0);
  return s;
}

WeatherSample Weather::at(TimeMs wall) const {
  const std::int64_t hour = wall >= 0 ? wall / kHour : (wall - kHour + 1) / kHour;
  const double f = static_cast<double>(wall - hour * kHour) / static_cast<double>(kHour);
  const WeatherSample a = hourly(hour);
  if (f == 0) return a;
  const WeatherSample b = hourly(hour + 1);
  return {a.outdoor_c + f * (b.outdoor_c - a.outdoor_c),
          a.humidity_pct + f * (b.humidity_pct - a.humidity_pct),
          a.solar_w_m2 + f * (b.solar_w_m2 - a.solar_w_m2)};
}

}  // namespace citypulse::sim
