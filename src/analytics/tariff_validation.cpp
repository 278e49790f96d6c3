// validate_tariffs (tariff.h): every rule a schedule must meet before it prices anything, so the
// pricing itself can rely on exactly one window at every local minute.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analytics/tariff.h"

namespace citypulse::analytics {
namespace {

constexpr const char* kWeekdayNames[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday"};

std::string clock(int minute) {
  char text[16];
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

bool is_price(double p) {
  return std::isfinite(p) && p >= 0;
}

bool in_season(const TouWindow& w, unsigned month) {
  return w.first_month <= w.last_month ? (month >= w.first_month && month <= w.last_month)
                                       : (month >= w.first_month || month <= w.last_month);
}

Status check_windows(const Tariff& t, const std::string& at) {
  if (t.windows.empty()) return fail(ErrorCode::invalid, "a time-of-use tariff needs windows", at);
  for (std::size_t i = 0; i < t.windows.size(); ++i) {
    const auto& w = t.windows[i];
    const std::string field = at + "/windows/" + std::to_string(i);
    if (w.weekdays == 0 || w.weekdays > kEveryDay) {
      return fail(ErrorCode::invalid, "window '" + w.name + "' needs weekdays", field);
    }
    if (w.start_minute < 0 || w.end_minute > 1440 || w.start_minute >= w.end_minute) {
      return fail(ErrorCode::invalid,
                  "window '" + w.name +
                      "' needs 00:00 <= start < end <= 24:00 (split a window "
                      "over midnight in two)",
                  field);
    }
    if (w.first_month < 1 || w.first_month > 12 || w.last_month < 1 || w.last_month > 12) {
      return fail(ErrorCode::invalid, "window '" + w.name + "' needs months 1..12", field);
    }
    if (!is_price(w.price_per_kwh)) {
      return fail(ErrorCode::invalid, "window '" + w.name + "' has a negative or non-finite price",
                  field);
    }
  }
  // Every minute of every weekday of every month exactly once.
  for (unsigned month = 1; month <= 12; ++month) {
    for (int weekday = 0; weekday < 7; ++weekday) {
      std::vector<const TouWindow*> day;
      for (const auto& w : t.windows) {
        if ((w.weekdays & (1u << weekday)) && in_season(w, month)) day.push_back(&w);
      }
      std::sort(day.begin(), day.end(),
                [](auto* a, auto* b) { return a->start_minute < b->start_minute; });
      const std::string when =
          std::string(kWeekdayNames[weekday]) + " in month " + std::to_string(month);
      int covered = 0;
      const TouWindow* previous = nullptr;
      for (const auto* w : day) {
        if (w->start_minute > covered) {
          return fail(ErrorCode::invalid,
                      "time-of-use windows leave " + clock(covered) + "–" + clock(w->start_minute) +
                          " on " + when + " uncovered",
                      at + "/windows");
        }
        if (w->start_minute < covered) {
          return fail(ErrorCode::invalid,
                      "time-of-use windows '" + previous->name + "' and '" + w->name +
                          "' overlap at " + clock(w->start_minute) + " on " + when,
                      at + "/windows");
        }
        covered = w->end_minute;
        previous = w;
      }
      if (covered < 1440) {
        return fail(
            ErrorCode::invalid,
            "time-of-use windows leave " + clock(covered) + "–24:00 on " + when + " uncovered",
            at + "/windows");
      }
    }
  }
  return {};
}

}  // namespace

Status validate_tariffs(std::span<const Tariff> tariffs) {
  if (tariffs.empty()) return fail(ErrorCode::invalid, "no tariff");
  for (std::size_t i = 0; i < tariffs.size(); ++i) {
    const auto& t = tariffs[i];
    const std::string at = "/" + std::to_string(i);
    if (t.currency.empty()) return fail(ErrorCode::invalid, "a tariff needs a currency", at);
    if (t.currency != tariffs[0].currency) {
      return fail(ErrorCode::invalid,
                  "tariffs of one schedule must share a currency (" + tariffs[0].currency + ", " +
                      t.currency + ")",
                  at + "/currency");
    }
    if (i > 0 && t.valid_from <= tariffs[i - 1].valid_from) {
      return fail(ErrorCode::invalid, "tariffs must be in order of their start, one a day",
                  at + "/valid_from");
    }
    if (!is_price(t.fixed_per_month)) {
      return fail(ErrorCode::invalid, "negative or non-finite fixed charge",
                  at + "/fixed_per_month");
    }
    if (t.demand) {
      if (!is_price(t.demand->price_per_kw)) {
        return fail(ErrorCode::invalid, "negative or non-finite demand price",
                    at + "/demand/price_per_kw");
      }
      if (t.demand->interval_minutes != 15 && t.demand->interval_minutes != 60) {
        return fail(ErrorCode::invalid, "the demand interval must be 15 or 60 minutes",
                    at + "/demand/interval_minutes");
      }
    }
    switch (t.kind) {
      case TariffKind::flat:
        if (!is_price(t.price_per_kwh)) {
          return fail(ErrorCode::invalid, "negative or non-finite price per kWh",
                      at + "/price_per_kwh");
        }
        break;
      case TariffKind::time_of_use:
        if (auto ok = check_windows(t, at); !ok) return ok;
        break;
      case TariffKind::price_series: {
        if (!is_price(t.series.fallback_price_per_kwh)) {
          return fail(ErrorCode::invalid, "negative or non-finite fallback price",
                      at + "/series/fallback_price_per_kwh");
        }
        const auto& p = t.series.prices;
        for (std::size_t k = 0; k < p.size(); ++k) {
          if (!std::isnan(p[k].value) && !std::isfinite(p[k].value)) {
            return fail(ErrorCode::invalid, "a series price must be finite (or NaN when missing)",
                        at + "/series/prices/" + std::to_string(k));
          }
          if (k > 0 && p[k].hour <= p[k - 1].hour) {
            return fail(ErrorCode::invalid, "price series hours out of order or repeated",
                        at + "/series/prices/" + std::to_string(k));
          }
        }
        break;
      }
    }
  }
  return {};
}

}  // namespace citypulse::analytics
