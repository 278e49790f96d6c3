#include "energy/building_energy.h"

#include <algorithm>

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "analytics/carbon.h"
#include "core/calendar.h"
#include "model/json_fields.h"

namespace citypulse::energy {
namespace {

namespace json = boost::json;
using analytics::Medium;

constexpr Medium kMedia[] = {Medium::electricity, Medium::heat, Medium::gas, Medium::water};
constexpr std::string_view kWeekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::string_view kKinds[] = {"flat", "time_of_use", "price_series"};

std::unexpected<Error> invalid(std::string message, std::string field) {
  return fail(ErrorCode::invalid, std::move(message), std::move(field));
}

// "2026-01-01" → local day number.
Result<std::int64_t> parse_date(const JsonFields& f, std::string_view name) {
  auto text = f.text(name, true, 10);
  if (!text) return std::unexpected(text.error());
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (std::sscanf((*text)->c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
      (*text)->size() != 10 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return invalid(fmt::format("'{}' must be a date such as 2026-01-01", name), f.pointer(name));
  return days_from_civil(y, m, d);
}

std::string date_text(std::int64_t day) {
  const auto c = civil_from_days(day);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

// "06:30" → 390; "24:00" → 1440.
Result<int> parse_clock(const JsonFields& f, std::string_view name) {
  auto text = f.text(name, true, 5);
  if (!text) return std::unexpected(text.error());
  unsigned h = 0, m = 0;
  char tail = 0;
  if (std::sscanf((*text)->c_str(), "%2u:%2u%c", &h, &m, &tail) != 2 || (*text)->size() != 5 ||
      m > 59 || h > 24 || (h == 24 && m != 0))
    return invalid(fmt::format("'{}' must be a time of day such as 06:30 (24:00: midnight at "
                               "the end)",
                               name),
                   f.pointer(name));
  return static_cast<int>(h * 60 + m);
}

std::string clock_text(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

Result<analytics::TouWindow> parse_window(const json::value& v, const std::string& at) {
  auto f = JsonFields::of(v, {"name", "weekdays", "start", "end", "months", "price_per_kwh"}, at);
  if (!f) return std::unexpected(f.error());
  analytics::TouWindow w;
  auto name = f->text("name", false, 40);
  if (!name) return std::unexpected(name.error());
  w.name = name->value_or("");
  auto days = f->texts("weekdays");
  if (!days) return std::unexpected(days.error());
  if (!*days || (*days)->empty())
    return invalid("'weekdays' must name days: mon, tue, wed, thu, fri, sat, sun",
                   f->pointer("weekdays"));
  w.weekdays = 0;
  for (std::size_t i = 0; i < (*days)->size(); ++i) {
    const auto it = std::find(std::begin(kWeekdays), std::end(kWeekdays), (**days)[i]);
    if (it == std::end(kWeekdays))
      return invalid(
          fmt::format("'{}' is no weekday; use mon, tue, wed, thu, fri, sat, sun", (**days)[i]),
          fmt::format("{}/{}", f->pointer("weekdays"), i));
    w.weekdays |= 1u << (it - std::begin(kWeekdays));
  }
  auto start = parse_clock(*f, "start");
  if (!start) return std::unexpected(start.error());
  auto end = parse_clock(*f, "end");
  if (!end) return std::unexpected(end.error());
  w.start_minute = *start;
  w.end_minute = *end;
  if (const auto* months = f->get("months"); months && !months->is_null()) {
    if (!months->is_array() || months->get_array().size() != 2 ||
        !months->get_array()[0].is_int64() || !months->get_array()[1].is_int64())
      return invalid("'months' must be [first, last], 1..12 ([10, 3]: October to March)",
                     f->pointer("months"));
    const auto first = months->get_array()[0].get_int64(),
               last = months->get_array()[1].get_int64();
    if (first < 1 || first > 12 || last < 1 || last > 12)
      return invalid("'months' must be [first, last], 1..12", f->pointer("months"));
    w.first_month = static_cast<unsigned>(first);
    w.last_month = static_cast<unsigned>(last);
  }
  auto price = f->number("price_per_kwh", true, 0, 1000);
  if (!price) return std::unexpected(price.error());
  w.price_per_kwh = **price;
  return w;
}

Result<std::pair<analytics::Tariff, std::optional<Id>>> parse_tariff(const json::value& v,
                                                                     const std::string& at) {
  auto f = JsonFields::of(
      v,
      {"valid_from", "currency", "kind", "price_per_kwh", "windows", "holidays_as_sunday",
       "price_point", "fallback_price_per_kwh", "fixed_per_month", "demand"},
      at);
  if (!f) return std::unexpected(f.error());
  analytics::Tariff t;
  std::optional<Id> price_point;
  auto from = parse_date(*f, "valid_from");
  if (!from) return std::unexpected(from.error());
  t.valid_from = *from;
  auto currency = f->text("currency", true, 3);
  if (!currency) return std::unexpected(currency.error());
  if ((*currency)->size() != 3 || !std::all_of((*currency)->begin(), (*currency)->end(),
                                               [](char c) { return c >= 'A' && c <= 'Z'; }))
    return invalid("'currency' must be an ISO 4217 code such as EUR", f->pointer("currency"));
  t.currency = **currency;
  auto kind = f->text("kind", true, 20);
  if (!kind) return std::unexpected(kind.error());
  const auto k = std::find(std::begin(kKinds), std::end(kKinds), **kind);
  if (k == std::end(kKinds))
    return invalid("'kind' must be flat, time_of_use or price_series", f->pointer("kind"));
  t.kind = static_cast<analytics::TariffKind>(k - std::begin(kKinds));
  const auto refuse = [&](std::string_view member, std::string_view kinds) -> Status {
    if (f->get(member) && !f->is_null(member))
      return invalid(fmt::format("'{}' belongs to {} tariffs", member, kinds), f->pointer(member));
    return {};
  };
  switch (t.kind) {
    case analytics::TariffKind::flat: {
      auto price = f->number("price_per_kwh", true, 0, 1000);
      if (!price) return std::unexpected(price.error());
      t.price_per_kwh = **price;
      for (auto m : {"windows", "holidays_as_sunday", "price_point", "fallback_price_per_kwh"})
        if (auto s = refuse(
                m, m == std::string_view("windows") || m == std::string_view("holidays_as_sunday")
                       ? "time_of_use"
                       : "price_series");
            !s)
          return std::unexpected(s.error());
      break;
    }
    case analytics::TariffKind::time_of_use: {
      const auto* windows = f->get("windows");
      if (!windows || !windows->is_array() || windows->get_array().empty() ||
          windows->get_array().size() > 100)
        return invalid("'windows' must be an array of 1 to 100 windows", f->pointer("windows"));
      for (std::size_t i = 0; i < windows->get_array().size(); ++i) {
        auto w =
            parse_window(windows->get_array()[i], fmt::format("{}/{}", f->pointer("windows"), i));
        if (!w) return std::unexpected(w.error());
        t.windows.push_back(std::move(*w));
      }
      auto holidays = f->boolean("holidays_as_sunday");
      if (!holidays) return std::unexpected(holidays.error());
      t.holidays_as_sunday = holidays->value_or(false);
      for (auto m : {"price_per_kwh", "price_point", "fallback_price_per_kwh"})
        if (auto s = refuse(m, m == std::string_view("price_per_kwh") ? "flat" : "price_series");
            !s)
          return std::unexpected(s.error());
      break;
    }
    case analytics::TariffKind::price_series: {
      auto point = f->id("price_point");
      if (!point) return std::unexpected(point.error());
      if (!*point)
        return invalid("missing required field 'price_point'", f->pointer("price_point"));
      price_point = **point;
      auto fallback = f->number("fallback_price_per_kwh", true, 0, 1000);
      if (!fallback) return std::unexpected(fallback.error());
      t.series.fallback_price_per_kwh = **fallback;
      for (auto m : {"price_per_kwh", "windows", "holidays_as_sunday"})
        if (auto s = refuse(m, m == std::string_view("price_per_kwh") ? "flat" : "time_of_use"); !s)
          return std::unexpected(s.error());
      break;
    }
  }
  auto fixed = f->number("fixed_per_month", false, 0, 1e7);
  if (!fixed) return std::unexpected(fixed.error());
  t.fixed_per_month = fixed->value_or(0);
  if (const auto* d = f->get("demand"); d && !d->is_null()) {
    auto df = JsonFields::of(*d, {"price_per_kw", "interval_minutes"}, f->pointer("demand"));
    if (!df) return std::unexpected(df.error());
    auto price = df->number("price_per_kw", true, 0, 10000);
    if (!price) return std::unexpected(price.error());
    auto minutes = df->integer("interval_minutes", false, 15, 60);
    if (!minutes) return std::unexpected(minutes.error());
    if (*minutes && **minutes != 15 && **minutes != 60)
      return invalid("'interval_minutes' must be 15 or 60", df->pointer("interval_minutes"));
    t.demand = analytics::DemandCharge{**price, static_cast<int>(minutes->value_or(15))};
  }
  return std::pair{std::move(t), price_point};
}

Result<std::array<double, 12>> twelve(const JsonFields& f, std::string_view name) {
  const auto* v = f.get(name);
  if (!v->is_array() || v->get_array().size() != 12)
    return invalid(fmt::format("'{}' must be 12 numbers, January to December", name),
                   f.pointer(name));
  std::array<double, 12> out{};
  for (std::size_t i = 0; i < 12; ++i) {
    const auto& x = v->get_array()[i];
    if (!x.is_number() || !std::isfinite(x.to_number<double>()) || x.to_number<double>() < 0)
      return invalid(fmt::format("'{}' must hold numbers >= 0", name),
                     fmt::format("{}/{}", f.pointer(name), i));
    out[i] = x.to_number<double>();
  }
  return out;
}

Result<BudgetSetting> parse_budget(const json::value& v, const std::string& at) {
  auto f = JsonFields::of(
      v, {"medium", "year", "planned_kwh", "planned_cost", "monthly_kwh", "monthly_cost", "margin"},
      at);
  if (!f) return std::unexpected(f.error());
  BudgetSetting b;
  auto medium = f->text("medium", true, 20);
  if (!medium) return std::unexpected(medium.error());
  auto m = analytics::parse_medium(**medium);
  if (!m) return invalid(m.error().message, f->pointer("medium"));
  b.medium = *m;
  auto year = f->integer("year", true, 2000, 2100);
  if (!year) return std::unexpected(year.error());
  b.budget.year = **year;
  auto kwh = f->number("planned_kwh", false, 0, 1e12);
  if (!kwh) return std::unexpected(kwh.error());
  b.budget.planned_kwh = *kwh;
  auto cost = f->number("planned_cost", false, 0, 1e12);
  if (!cost) return std::unexpected(cost.error());
  b.budget.planned_cost = *cost;
  for (auto [name, slot] : {std::pair{"monthly_kwh", &b.budget.monthly_kwh},
                            std::pair{"monthly_cost", &b.budget.monthly_cost}}) {
    if (!f->get(name) || f->is_null(name)) continue;
    auto months = twelve(*f, name);
    if (!months) return std::unexpected(months.error());
    *slot = *months;
  }
  auto margin = f->number("margin", false, 0, 1);
  if (!margin) return std::unexpected(margin.error());
  b.budget.margin = margin->value_or(0.05);
  if (auto s = analytics::validate_budget(b.budget); !s) return invalid(s.error().message, at);
  return b;
}

json::object tariff_json(const analytics::Tariff& t, const std::optional<Id>& price_point) {
  json::object o{{"valid_from", date_text(t.valid_from)},
                 {"currency", t.currency},
                 {"kind", kKinds[static_cast<int>(t.kind)]}};
  switch (t.kind) {
    case analytics::TariffKind::flat:
      o["price_per_kwh"] = t.price_per_kwh;
      break;
    case analytics::TariffKind::time_of_use: {
      json::array windows;
      for (const auto& w : t.windows) {
        json::array days;
        for (int d = 0; d < 7; ++d)
          if (w.weekdays & (1u << d)) days.push_back(json::string(kWeekdays[d]));
        windows.push_back({{"name", w.name},
                           {"weekdays", std::move(days)},
                           {"start", clock_text(w.start_minute)},
                           {"end", clock_text(w.end_minute)},
                           {"months", json::array{w.first_month, w.last_month}},
                           {"price_per_kwh", w.price_per_kwh}});
      }
      o["windows"] = std::move(windows);
      o["holidays_as_sunday"] = t.holidays_as_sunday;
      break;
    }
    case analytics::TariffKind::price_series:
      o["price_point"] = price_point.value_or(0);
      o["fallback_price_per_kwh"] = t.series.fallback_price_per_kwh;
      break;
  }
  o["fixed_per_month"] = t.fixed_per_month;
  if (t.demand)
    o["demand"] = {{"price_per_kw", t.demand->price_per_kw},
                   {"interval_minutes", t.demand->interval_minutes}};
  return o;
}

}  // namespace

const BudgetSetting* BuildingEnergy::budget(Medium medium, std::int64_t year) const {
  for (const auto& b : budgets)
    if (b.medium == medium && b.budget.year == year) return &b;
  return nullptr;
}

std::optional<double> default_carbon_factor(Medium medium) {
  using analytics::EnergyCarrier;
  switch (medium) {
    case Medium::electricity:
      return analytics::default_carbon_factor(EnergyCarrier::electricity)->kg_per_kwh;
    case Medium::gas:
      return analytics::default_carbon_factor(EnergyCarrier::natural_gas_hs)->kg_per_kwh;
    default:
      return std::nullopt;
  }
}

Result<BuildingEnergy> parse_building_energy(const json::value& document) {
  auto f = JsonFields::of(document,
                          {"tariffs", "carbon", "budgets", "outdoor_temperature_point",
                           "weather_forecast_point", "window_contact_points", "heating_limit_c"});
  if (!f) return std::unexpected(f.error());
  BuildingEnergy out;
  if (const auto* tariffs = f->get("tariffs"); tariffs && !tariffs->is_null()) {
    auto tf = JsonFields::of(*tariffs, {"electricity", "heat", "gas", "water"}, "/tariffs");
    if (!tf) return std::unexpected(tf.error());
    for (Medium m : kMedia) {
      const auto name = analytics::medium_name(m);
      const auto* list = tf->get(name);
      if (!list || list->is_null()) continue;
      if (m == Medium::water)
        return invalid("water is not priced per kWh: leave it out", tf->pointer(name));
      if (!list->is_array() || list->get_array().empty() || list->get_array().size() > 100)
        return invalid("a medium's tariffs must be an array of 1 to 100", tf->pointer(name));
      TariffSchedule schedule;
      for (std::size_t i = 0; i < list->get_array().size(); ++i) {
        auto t = parse_tariff(list->get_array()[i], fmt::format("{}/{}", tf->pointer(name), i));
        if (!t) return std::unexpected(t.error());
        if (!schedule.tariffs.empty() && t->first.valid_from <= schedule.tariffs.back().valid_from)
          return invalid("tariffs must be in order of valid_from, one a day",
                         fmt::format("{}/{}/valid_from", tf->pointer(name), i));
        schedule.tariffs.push_back(std::move(t->first));
        schedule.price_points.push_back(t->second);
      }
      if (auto s = analytics::validate_tariffs(schedule.tariffs); !s)
        return invalid(s.error().message, tf->pointer(name) + s.error().field);
      out.tariffs[m] = std::move(schedule);
    }
  }
  if (const auto* carbon = f->get("carbon"); carbon && !carbon->is_null()) {
    auto cf = JsonFields::of(*carbon, {"electricity", "heat", "gas"}, "/carbon");
    if (!cf) return std::unexpected(cf.error());
    for (Medium m : {Medium::electricity, Medium::heat, Medium::gas}) {
      const auto name = analytics::medium_name(m);
      const auto* v = cf->get(name);
      if (!v || v->is_null()) continue;
      auto c = JsonFields::of(*v, {"kg_per_kwh", "intensity_point"}, cf->pointer(name));
      if (!c) return std::unexpected(c.error());
      CarbonSetting setting;
      auto factor = c->number("kg_per_kwh", false, 0, 10);
      if (!factor) return std::unexpected(factor.error());
      setting.kg_per_kwh = *factor;
      auto point = c->id("intensity_point");
      if (!point) return std::unexpected(point.error());
      setting.intensity_point = *point;
      if (!setting.kg_per_kwh && !default_carbon_factor(m))
        return invalid(fmt::format("{} has no default factor: give kg_per_kwh (a heat network's "
                                   "own, AGFW FW 309-1)",
                                   name),
                       c->pointer("kg_per_kwh"));
      out.carbon[m] = setting;
    }
  }
  if (const auto* budgets = f->get("budgets"); budgets && !budgets->is_null()) {
    if (!budgets->is_array() || budgets->get_array().size() > 1000)
      return invalid("'budgets' must be an array of at most 1000", "/budgets");
    for (std::size_t i = 0; i < budgets->get_array().size(); ++i) {
      const std::string at = fmt::format("/budgets/{}", i);
      auto b = parse_budget(budgets->get_array()[i], at);
      if (!b) return std::unexpected(b.error());
      if (out.budget(b->medium, b->budget.year))
        return invalid("a medium has one budget a year", at);
      if (b->budget.planned_cost && !out.tariffs.contains(b->medium))
        return invalid("a cost budget needs the medium's tariffs", at + "/planned_cost");
      out.budgets.push_back(std::move(*b));
    }
  }
  auto weather = f->id("outdoor_temperature_point");
  if (!weather) return std::unexpected(weather.error());
  out.outdoor_temperature_point = *weather;
  auto forecast = f->id("weather_forecast_point");
  if (!forecast) return std::unexpected(forecast.error());
  out.weather_forecast_point = *forecast;
  if (const auto* contacts = f->get("window_contact_points"); contacts && !contacts->is_null()) {
    if (!contacts->is_array() || contacts->get_array().size() > 1000)
      return invalid("'window_contact_points' must be an array of at most 1000 point ids",
                     "/window_contact_points");
    for (std::size_t i = 0; i < contacts->get_array().size(); ++i) {
      const auto& v = contacts->get_array()[i];
      if (!v.is_int64() || v.get_int64() < 1)
        return invalid("a window contact is a point id",
                       fmt::format("/window_contact_points/{}", i));
      if (std::find(out.window_contact_points.begin(), out.window_contact_points.end(),
                    v.get_int64()) != out.window_contact_points.end())
        return invalid("a window contact is named once",
                       fmt::format("/window_contact_points/{}", i));
      out.window_contact_points.push_back(v.get_int64());
    }
  }
  auto limit = f->number("heating_limit_c", false, 5, 25);
  if (!limit) return std::unexpected(limit.error());
  out.heating_limit_c = limit->value_or(15);
  return out;
}

json::object building_energy_json(const BuildingEnergy& s) {
  json::object tariffs;
  for (const auto& [m, schedule] : s.tariffs) {
    json::array list;
    for (std::size_t i = 0; i < schedule.tariffs.size(); ++i)
      list.push_back(tariff_json(schedule.tariffs[i], schedule.price_points[i]));
    tariffs[analytics::medium_name(m)] = std::move(list);
  }
  json::object carbon;
  for (const auto& [m, c] : s.carbon) {
    json::object o;
    if (c.kg_per_kwh) o["kg_per_kwh"] = *c.kg_per_kwh;
    if (c.intensity_point) o["intensity_point"] = *c.intensity_point;
    carbon[analytics::medium_name(m)] = std::move(o);
  }
  json::array budgets;
  for (const auto& b : s.budgets) {
    json::object o{{"medium", analytics::medium_name(b.medium)},
                   {"year", b.budget.year},
                   {"margin", b.budget.margin}};
    if (b.budget.planned_kwh) o["planned_kwh"] = *b.budget.planned_kwh;
    if (b.budget.planned_cost) o["planned_cost"] = *b.budget.planned_cost;
    if (b.budget.monthly_kwh)
      o["monthly_kwh"] = json::array(b.budget.monthly_kwh->begin(), b.budget.monthly_kwh->end());
    if (b.budget.monthly_cost)
      o["monthly_cost"] = json::array(b.budget.monthly_cost->begin(), b.budget.monthly_cost->end());
    budgets.push_back(std::move(o));
  }
  json::object out{{"tariffs", std::move(tariffs)},
                   {"carbon", std::move(carbon)},
                   {"budgets", std::move(budgets)},
                   {"heating_limit_c", s.heating_limit_c}};
  if (s.outdoor_temperature_point) out["outdoor_temperature_point"] = *s.outdoor_temperature_point;
  if (s.weather_forecast_point) out["weather_forecast_point"] = *s.weather_forecast_point;
  if (!s.window_contact_points.empty()) {
    json::array contacts;
    for (Id p : s.window_contact_points) contacts.push_back(p);
    out["window_contact_points"] = std::move(contacts);
  }
  return out;
}

std::vector<std::pair<Id, std::string>> named_points(const BuildingEnergy& s) {
  std::vector<std::pair<Id, std::string>> out;
  for (const auto& [m, schedule] : s.tariffs)
    for (std::size_t i = 0; i < schedule.price_points.size(); ++i)
      if (schedule.price_points[i])
        out.emplace_back(*schedule.price_points[i],
                         fmt::format("/tariffs/{}/{}/price_point", analytics::medium_name(m), i));
  for (const auto& [m, c] : s.carbon)
    if (c.intensity_point)
      out.emplace_back(*c.intensity_point,
                       fmt::format("/carbon/{}/intensity_point", analytics::medium_name(m)));
  if (s.outdoor_temperature_point)
    out.emplace_back(*s.outdoor_temperature_point, "/outdoor_temperature_point");
  if (s.weather_forecast_point)
    out.emplace_back(*s.weather_forecast_point, "/weather_forecast_point");
  for (std::size_t i = 0; i < s.window_contact_points.size(); ++i)
    out.emplace_back(s.window_contact_points[i], fmt::format("/window_contact_points/{}", i));
  return out;
}

}  // namespace citypulse::energy
