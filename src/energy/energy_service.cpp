#include "energy/energy_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "analytics/contact_hours.h"
#include "analytics/local_hour.h"
#include "analytics/tariff_interval.h"
#include "core/timezone.h"
#include "store/energy_store.h"

namespace citypulse::energy {
namespace {

constexpr std::int64_t kDayMs = 24 * kHourMs;
constexpr std::int64_t kMaxBuckets = 100'000;
constexpr TimeMs kWhole = std::numeric_limits<TimeMs>::min();  // a meter's whole history

TimeMs floor_hour(TimeMs t) {
  const TimeMs r = t % kHourMs;
  return r < 0 ? t - r - kHourMs : t - r;
}

analytics::IntervalQuality quality_of(HourState s) {
  switch (s) {
    case HourState::measured:
      return analytics::IntervalQuality::measured;
    case HourState::estimated:
      return analytics::IntervalQuality::estimated;
    default:
      return analytics::IntervalQuality::unknown;
  }
}

}  // namespace

EnergyService::EnergyService(MetaStore& store, SeriesStore& series, EnergyServiceOptions options)
    : store_(store),
      series_(series),
      options_(options),
      ledger_(store.energy(), series, options.cache_blocks) {}

EnergyService::~EnergyService() {
  {
    std::lock_guard lock(work_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void EnergyService::start() {
  if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
}

void EnergyService::on_readings(std::span<const Reading> readings, const ingest::ReadingOrigin&) {
  bool any = false;
  {
    std::lock_guard lock(work_mutex_);
    for (const auto& r : readings) {
      if (!meter_ids_.contains(r.point)) continue;
      auto [it, added] = urgent_.try_emplace(r.point, r.t, r.t);
      if (!added) {
        it->second.first = std::min(it->second.first, r.t);
        it->second.second = std::max(it->second.second, r.t);
      }
      any = true;
    }
  }
  if (any) wake_.notify_all();
}

void EnergyService::work() {
  std::unique_lock lock(work_mutex_);
  // The first pass at start-up brings meters up to date with what arrived
  // while the server was down.
  bool full_pass = true;
  while (!stopping_) {
    std::map<Id, std::pair<TimeMs, TimeMs>> urgent;
    urgent.swap(urgent_);
    const bool budgets_due = full_pass || budgets_due_;
    budgets_due_ = false;
    lock.unlock();
    const TimeMs now = now_ms();
    if (full_pass) {
      if (auto s = reconcile(now); !s) spdlog::warn("energy: {}", s.error().message);
    } else {
      for (const auto& [point, span] : urgent) {
        auto m = meter(Scope::all_tenants(), point);
        if (!m) continue;  // removed meanwhile
        TimeMs from = span.first, to = span.second + kHourMs;
        if (from == kWhole) {
          auto days = series_.rollups(point, RollupTier::day, now - 3650 * kDayMs, now + kDayMs);
          if (!days || days->empty()) continue;
          from = days->front().start;
          to = now + kHourMs;
        }
        if (auto s = refresh(*m, from, to); !s)
          spdlog::warn("energy: meter {}: {}", point, s.error().message);
      }
    }
    if (budgets_due && budgets_due_hook_) budgets_due_hook_(now);
    lock.lock();
    full_pass = !wake_.wait_for(lock, std::chrono::milliseconds(options_.reconcile_interval_ms),
                                [&] { return stopping_ || !urgent_.empty() || budgets_due_; });
  }
}

Status EnergyService::reconcile(TimeMs now) {
  auto all = meters(Scope::all_tenants());
  if (!all) return std::unexpected(all.error());
  {
    std::lock_guard lock(work_mutex_);
    meter_ids_.clear();
    for (const auto& m : *all) meter_ids_.insert(m.point);
  }
  for (const auto& m : *all) {
    auto days = series_.rollups(m.point, RollupTier::day, now - 3650 * kDayMs, now + kDayMs);
    if (!days) return std::unexpected(days.error());
    if (days->empty()) continue;
    if (auto s = refresh(m, days->front().start, now + kHourMs); !s)
      spdlog::warn("energy: meter {}: {}", m.point, s.error().message);
  }
  return {};
}

Status EnergyService::refresh(const MeterRecord& m, TimeMs from, TimeMs to) {
  return ledger_.refresh(m.point, m.settings, m.version, from, to);
}

Result<MeterRecord> EnergyService::parse(const EnergySettings& stored, const Scope& scope) {
  const std::uint64_t generation = store_.asset_generation();
  {
    std::lock_guard lock(parsed_mutex_);
    if (auto it = parsed_.find(stored.id); it != parsed_.end() && it->second.first == generation &&
                                           it->second.second.version == stored.version)
      return it->second.second;
  }
  auto point = store_.points().get(scope, stored.id);
  if (!point) return std::unexpected(point.error());
  boost::system::error_code ec;
  const auto doc = boost::json::parse(stored.document, ec);
  if (ec)
    return fail(ErrorCode::internal,
                fmt::format("meter {}: stored settings are not JSON", stored.id));
  auto settings = parse_meter_settings(doc, *point);
  if (!settings)
    return fail(ErrorCode::internal,
                fmt::format("meter {}: stored settings no longer fit the point: {}", stored.id,
                            settings.error().message));
  MeterRecord record{.point = stored.id,
                     .tenant_id = stored.tenant_id,
                     .building_id = stored.building_id,
                     .version = stored.version,
                     .updated_at = stored.updated_at,
                     .unit = point->unit,
                     .settings = std::move(*settings)};
  std::lock_guard lock(parsed_mutex_);
  parsed_[stored.id] = {generation, record};
  return record;
}

Result<std::vector<MeterRecord>> EnergyService::meters(const Scope& scope) {
  auto stored = store_.energy().list_settings(scope, EnergySubject::meter);
  if (!stored) return std::unexpected(stored.error());
  std::vector<MeterRecord> out;
  out.reserve(stored->size());
  for (const auto& s : *stored) {
    auto m = parse(s, Scope::all_tenants());
    if (!m) {
      // A point whose unit changed under its settings is left out, loudly,
      // rather than summed with the wrong factor.
      spdlog::warn("energy: {}", m.error().message);
      continue;
    }
    out.push_back(std::move(*m));
  }
  return out;
}

Result<MeterRecord> EnergyService::meter(const Scope& scope, Id point) {
  auto stored = store_.energy().settings(scope, EnergySubject::meter, point);
  if (!stored) return std::unexpected(stored.error());
  return parse(*stored, scope);
}

Result<MeterRecord> EnergyService::put_meter(const Scope& scope, Id point_id,
                                             const boost::json::value& document,
                                             std::optional<std::int64_t> expected_version,
                                             TimeMs now) {
  auto point = store_.points().get(scope, point_id);
  if (!point) return std::unexpected(point.error());
  auto settings = parse_meter_settings(document, *point);
  if (!settings) return std::unexpected(settings.error());
  auto stored = store_.energy().put_settings(scope, EnergySubject::meter, point_id,
                                             boost::json::serialize(meter_settings_json(*settings)),
                                             expected_version, now);
  if (!stored) return std::unexpected(stored.error());
  auto record = parse(*stored, scope);
  if (!record) return std::unexpected(record.error());
  {
    std::lock_guard lock(work_mutex_);
    urgent_[point_id] = {kWhole, kWhole};
    meter_ids_.insert(point_id);
  }
  wake_.notify_all();
  return record;
}

Status EnergyService::remove_meter(const Scope& scope, Id point) {
  if (auto s = store_.energy().remove_settings(scope, EnergySubject::meter, point); !s) return s;
  ledger_.forget(point);
  {
    std::lock_guard lock(work_mutex_);
    meter_ids_.erase(point);
    urgent_.erase(point);
  }
  std::lock_guard lock(parsed_mutex_);
  parsed_.erase(point);
  return {};
}

Status EnergyService::sum_hours(std::span<const MeterRecord* const> members, TimeMs h0, TimeMs h1,
                                TimeMs now, std::vector<double>& energy,
                                std::vector<HourState>& state) {
  const auto n = static_cast<std::size_t>(std::max<TimeMs>(0, h1 - h0) / kHourMs);
  energy.assign(n, 0.0);
  state.assign(n, members.empty() ? HourState::missing : HourState::measured);
  const TimeMs fresh_from = std::max(h0, now - options_.fresh_window_ms);
  const TimeMs fresh_to = std::min(h1, now + kHourMs);
  for (const MeterRecord* m : members) {
    if (fresh_from < fresh_to)
      if (auto st = refresh(*m, fresh_from, fresh_to); !st) return st;
    auto hours = ledger_.hours(m->point, h0, h1);
    if (!hours) return std::unexpected(hours.error());
    for (std::size_t i = 0; i < n; ++i) {
      energy[i] += hours->energy[i];
      state[i] = std::max(state[i], hours->state[i]);
    }
  }
  return {};
}

Result<std::vector<BudgetStatus>> EnergyService::budgets(const Scope& scope, std::optional<Id> only,
                                                         std::int64_t year, TimeMs now) {
  if (year < 2000 || year > 2100)
    return fail(ErrorCode::invalid, "'year' must be 2000..2100", "year");
  if (only)
    if (auto b = store_.buildings().get(scope, *only); !b) return std::unexpected(b.error());
  auto stored = store_.energy().list_settings(scope, EnergySubject::building);
  if (!stored) return std::unexpected(stored.error());
  auto all = meters(scope);
  if (!all) return std::unexpected(all.error());
  std::vector<BudgetStatus> out;
  for (const auto& record : *stored) {
    if (only && record.id != *only) continue;
    auto settings = settings_of(record.id);
    if (!settings) return std::unexpected(settings.error());
    auto building = store_.buildings().get(Scope::all_tenants(), record.id);
    if (!building) return std::unexpected(building.error());
    auto zone = Timezone::load(building->timezone);
    if (!zone) return std::unexpected(zone.error());
    const std::int64_t first_day = days_from_civil(year, 1, 1);
    const std::int64_t end_day = days_from_civil(year + 1, 1, 1);
    const std::int64_t today = analytics::HourPiece::floor_div(zone->to_local(now), kDayMs);
    const std::int64_t as_of = std::clamp(today, first_day, end_day);
    const TimeMs year_start = zone->to_utc(first_day * kDayMs);
    const TimeMs as_of_t = zone->to_utc(as_of * kDayMs);
    for (const auto& b : settings->budgets) {
      if (b.budget.year != year) continue;
      std::vector<const MeterRecord*> members;
      for (const auto& m : *all)
        if (m.building_id == record.id && m.settings.spec.medium == b.medium) members.push_back(&m);
      // The year to date, and the 52 weeks before the rest of it for the
      // forecast.
      const TimeMs h0 = floor_hour(year_start) - 364 * kDayMs;
      const TimeMs h1 = floor_hour(as_of_t - 1) + kHourMs;
      std::vector<double> energy;
      std::vector<HourState> state;
      if (auto s = sum_hours(members, h0, h1, now, energy, state); !s)
        return std::unexpected(s.error());
      std::vector<analytics::EnergyInterval> year_to_date;
      std::map<std::int64_t, std::pair<double, bool>> daily;  // local day → kWh, complete
      for (std::size_t i = 0; i < energy.size(); ++i) {
        const TimeMs t = h0 + static_cast<TimeMs>(i) * kHourMs;
        const bool unknown = state[i] >= HourState::unknown;
        if (t >= year_start) year_to_date.push_back({t, t + kHourMs, energy[i], unknown});
        auto& day = daily[analytics::HourPiece::floor_div(zone->to_local(t), kDayMs)];
        day.first += energy[i];
        if (unknown) day.second = true;  // second: the day has an unknown hour
      }
      BudgetStatus status{
          .building_id = record.id, .medium = b.medium, .check = {}, .forecast = "none"};
      const auto known = [&](std::int64_t day) -> std::optional<double> {
        auto it = daily.find(day);
        if (it == daily.end() || it->second.second) return std::nullopt;
        return it->second.first;
      };
      // Recent weeks: the mean of the same weekday over the last four weeks.
      std::array<std::pair<double, int>, 7> recent{};
      for (std::int64_t d = as_of - 28; d < as_of; ++d)
        if (auto kwh = known(d)) {
          auto& r = recent[static_cast<std::size_t>(((d % 7) + 7) % 7)];
          r.first += *kwh;
          ++r.second;
        }
      bool used_last_year = false, used_recent = false;
      const analytics::DailyForecast forecast = [&](std::int64_t day) {
        if (auto kwh = known(day - 364)) {
          used_last_year = true;
          return *kwh;
        }
        const auto& r = recent[static_cast<std::size_t>(((day % 7) + 7) % 7)];
        if (r.second == 0) return 0.0;
        used_recent = true;
        return r.first / r.second;
      };
      auto tariffs = prepared_tariffs(series_, *settings, b.medium, *zone, year_start,
                                      zone->to_utc(end_day * kDayMs));
      if (!tariffs) return std::unexpected(tariffs.error());
      // Intervals before the first tariff cannot be priced: a cost budget
      // then counts from the tariff's start.
      if (!tariffs->empty()) {
        const TimeMs priced_from = zone->to_utc(tariffs->front().valid_from * kDayMs);
        std::erase_if(year_to_date,
                      [&](const analytics::EnergyInterval& iv) { return iv.start < priced_from; });
      }
      auto check =
          analytics::check_budget(b.budget, year_to_date, *zone, *tariffs, as_of, forecast);
      if (!check) return std::unexpected(check.error());
      status.check = std::move(*check);
      status.forecast = used_last_year ? "last_year" : used_recent ? "recent_weeks" : "none";
      out.push_back(std::move(status));
    }
  }
  return out;
}

Result<analytics::Recommendations> EnergyService::recommendations(
    const Scope& scope, Id building_id, TimeMs from, TimeMs to, TimeMs now,
    std::map<analytics::Medium, std::vector<Id>>* read) {
  if (to <= from) return fail(ErrorCode::invalid, "'to' must be after 'from'", "to");
  if (to - from > 3 * 366 * kDayMs)
    return fail(ErrorCode::invalid, "the period may span at most three years", "from");
  auto building = store_.buildings().get(scope, building_id);
  if (!building) return std::unexpected(building.error());
  auto zone = Timezone::load(building->timezone);
  if (!zone) return std::unexpected(zone.error());
  auto settings = settings_of(building_id);
  if (!settings) return std::unexpected(settings.error());
  auto all = meters(scope);
  if (!all) return std::unexpected(all.error());
  using analytics::Medium;
  std::map<Medium, std::vector<const MeterRecord*>> by_medium;
  for (const auto& m : *all)
    if (m.building_id == building_id) by_medium[m.settings.spec.medium].push_back(&m);
  const TimeMs h0 = floor_hour(from), h1 = floor_hour(to - 1) + kHourMs;
  const auto n = static_cast<std::size_t>((h1 - h0) / kHourMs);

  // A medium's hours: kWh with NaN for unknown ones, and priced at its
  // tariffs' average (0 without tariffs).
  std::string currency;
  const auto medium_hours = [&](Medium medium, std::vector<double>& kwh,
                                double& average_price) -> Status {
    kwh.clear();
    average_price = 0;
    auto it = by_medium.find(medium);
    if (it == by_medium.end()) return {};
    if (read)
      for (const auto* m : it->second) (*read)[medium].push_back(m->point);
    std::vector<double> energy;
    std::vector<HourState> state;
    if (auto s = sum_hours(it->second, h0, h1, now, energy, state); !s) return s;
    std::vector<analytics::EnergyInterval> hours(n);
    kwh.assign(n, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < n; ++i) {
      const TimeMs t = h0 + static_cast<TimeMs>(i) * kHourMs;
      const bool unknown = state[i] >= HourState::unknown;
      hours[i] = {t, t + kHourMs, energy[i], unknown};
      if (!unknown) kwh[i] = energy[i];
    }
    auto cost = hourly_cost(series_, *settings, medium, *zone, hours);
    if (!cost) return std::unexpected(cost.error());
    if (cost->currency.empty()) return {};
    if (currency.empty()) currency = cost->currency;
    const TimeMs priced_from =
        zone->to_utc(settings->tariffs.at(medium).tariffs.front().valid_from * kDayMs);
    double money = 0, priced = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (!hours[i].unknown && hours[i].start >= priced_from) {
        money += cost->energy_cost[i];
        priced += energy[i];
      }
    average_price = priced > 0 ? money / priced : 0;
    return {};
  };

  analytics::BuildingHours hours;
  hours.zone = *zone;
  hours.start = h0;
  analytics::EnergyPrices prices;
  if (auto s = medium_hours(Medium::electricity, hours.electricity_kwh, prices.electricity_per_kwh);
      !s)
    return std::unexpected(s.error());
  if (hours.electricity_kwh.empty()) {
    // Nothing to judge: every rule says so.
    analytics::Recommendations none;
    none.hours = static_cast<int>(n);
    for (int k = 0; k <= static_cast<int>(analytics::FindingKind::heating_windows_open); ++k)
      none.not_judged.push_back({static_cast<analytics::FindingKind>(k),
                                 analytics::NotJudgedReason::no_data,
                                 "the building has no electricity meter"});
    return none;
  }
  const Medium heat = by_medium.contains(Medium::heat) ? Medium::heat : Medium::gas;
  if (auto s = medium_hours(heat, hours.heat_kwh, prices.heat_per_kwh); !s)
    return std::unexpected(s.error());
  prices.currency = currency;

  if (settings->outdoor_temperature_point) {
    auto rollups = series_.rollups(*settings->outdoor_temperature_point, RollupTier::hour, h0, h1);
    if (!rollups) return std::unexpected(rollups.error());
    hours.outdoor_temperature.assign(n, std::numeric_limits<double>::quiet_NaN());
    for (const auto& r : *rollups)
      hours.outdoor_temperature[static_cast<std::size_t>((r.start - h0) / kHourMs)] =
          r.sum / static_cast<double>(r.count);
  }
  if (!settings->window_contact_points.empty()) {
    // Each contact's hours from its readings as a step function (a contact
    // reports on change), from the day before for the state it starts in.
    std::vector<std::vector<double>> contacts;
    for (Id contact : settings->window_contact_points) {
      auto readings = series_.range(contact, h0 - kDayMs, h1, 10'000'000);
      if (!readings) return std::unexpected(readings.error());
      std::vector<analytics::ContactReading> steps;
      steps.reserve(readings->size());
      for (const auto& r : *readings) steps.push_back({r.t, r.value});
      contacts.push_back(analytics::contact_open_share(steps, h0, static_cast<int>(n)));
    }
    hours.window_open_share = analytics::mean_open_share(contacts, static_cast<int>(n));
  }
  if (auto it = settings->tariffs.find(Medium::electricity); it != settings->tariffs.end()) {
    const auto& latest = it->second.tariffs.back();
    prices.demand = latest.demand;
    // A dynamic tariff in force now: its hourly prices.
    if (const auto& point = it->second.price_points.back()) {
      auto rollups = series_.rollups(*point, RollupTier::hour, h0, h1);
      if (!rollups) return std::unexpected(rollups.error());
      prices.electricity_hourly.assign(n, std::numeric_limits<double>::quiet_NaN());
      for (const auto& r : *rollups)
        prices.electricity_hourly[static_cast<std::size_t>((r.start - h0) / kHourMs)] =
            r.sum / static_cast<double>(r.count);
    }
  }
  analytics::CarbonFactors carbon;
  const auto factor = [&](Medium m) {
    if (auto it = settings->carbon.find(m); it != settings->carbon.end() && it->second.kg_per_kwh)
      return *it->second.kg_per_kwh;
    return default_carbon_factor(m).value_or(0);
  };
  carbon.electricity_kg_per_kwh = factor(Medium::electricity);
  carbon.heat_kg_per_kwh = factor(heat);
  analytics::RecommendationOptions options;
  options.heating_limit = settings->heating_limit_c;
  return analytics::recommend(hours, prices, carbon, options);
}

Result<std::vector<analytics::HourlyObservation>> EnergyService::observations(
    std::span<const MeterRecord* const> members, Id temperature_point, const Timezone& zone,
    TimeMs h0, TimeMs h1, TimeMs now) {
  std::vector<double> energy;
  std::vector<HourState> state;
  if (auto s = sum_hours(members, h0, h1, now, energy, state); !s)
    return std::unexpected(s.error());
  // A day more of weather before the period, for the 24-hour means.
  auto weather = series_.rollups(temperature_point, RollupTier::hour, h0 - kDayMs, h1);
  if (!weather) return std::unexpected(weather.error());
  std::map<TimeMs, double> temperature;
  for (const auto& r : *weather) temperature[r.start] = r.sum / static_cast<double>(r.count);
  std::vector<analytics::HourlyObservation> hours;
  for (TimeMs t = h0 - kDayMs; t < h1; t += kHourMs) {
    const auto it = temperature.find(t);
    const bool known =
        t >= h0 && state[static_cast<std::size_t>((t - h0) / kHourMs)] < HourState::unknown;
    hours.push_back(
        {analytics::HourPiece::floor_div(zone.to_local(t), kHourMs),
         it != temperature.end() ? it->second : std::numeric_limits<double>::quiet_NaN(),
         known ? energy[static_cast<std::size_t>((t - h0) / kHourMs)]
               : std::numeric_limits<double>::quiet_NaN()});
  }
  analytics::fill_temperature_24h(hours);
  hours.erase(hours.begin(), hours.begin() + 24);  // the day of weather before
  return hours;
}

std::vector<const MeterRecord*> EnergyService::ModelInputs::members() const {
  std::vector<const MeterRecord*> out;
  for (const auto& m : meters) out.push_back(&m);
  return out;
}

Result<std::optional<EnergyService::ModelInputs>> EnergyService::model_inputs(
    const Scope& scope, ConsumptionScope kind, Id id, analytics::Medium medium,
    ModelSubject& subject) {
  auto all = meters(scope);
  if (!all) return std::unexpected(all.error());
  ModelInputs inputs;
  Id building_id = id;
  if (kind == ConsumptionScope::meter) {
    auto m = meter(scope, id);
    if (!m) return std::unexpected(m.error());
    building_id = m->building_id;
    medium = m->settings.spec.medium;
    inputs.meters.push_back(std::move(*m));
  } else {
    for (auto& m : *all)
      if (m.building_id == id && m.settings.spec.medium == medium)
        inputs.meters.push_back(std::move(m));
  }
  auto building = store_.buildings().get(scope, building_id);
  if (!building) return std::unexpected(building.error());
  auto zone = Timezone::load(building->timezone);
  if (!zone) return std::unexpected(zone.error());
  auto settings = settings_of(building_id);
  if (!settings) return std::unexpected(settings.error());
  subject.building_id = building_id;
  subject.medium = medium;
  subject.timezone = zone->name();
  for (const auto& m : inputs.meters) subject.meters.push_back(m.point);
  if (inputs.meters.empty()) {
    subject.not_judged_reason = "no_meter";
    subject.not_judged =
        fmt::format("the building has no {} meter", analytics::medium_name(medium));
    return std::nullopt;
  }
  if (!settings->outdoor_temperature_point) {
    subject.not_judged_reason = "no_weather_point";
    subject.not_judged =
        "the building's energy settings name no outdoor temperature point: the baseline model "
        "needs the weather";
    return std::nullopt;
  }
  inputs.zone = *zone;
  inputs.weather_point = *settings->outdoor_temperature_point;
  inputs.weather_forecast_point = settings->weather_forecast_point;
  return inputs;
}

Result<Forecast> EnergyService::forecast(const Scope& scope, const ForecastQuery& q, TimeMs now) {
  if (q.hours < 1 || q.hours > analytics::kMaxForecastHours)
    return fail(ErrorCode::invalid, "'hours' must be 1..72", "hours");
  Forecast out;
  auto inputs = model_inputs(scope, q.scope, q.id, q.medium, out);
  if (!inputs) return std::unexpected(inputs.error());
  if (!*inputs) return out;
  const auto members = (*inputs)->members();
  const Timezone* zone = &(*inputs)->zone;
  const Id weather_point = (*inputs)->weather_point;
  // The forecast starts at the hour under way; the last year trains it.
  const TimeMs origin = floor_hour(now);
  auto training = observations(members, weather_point, *zone, origin - 365 * kDayMs, origin, now);
  if (!training) return std::unexpected(training.error());
  std::string key =
      fmt::format("{}/{}/{}", origin, weather_point, analytics::medium_name(out.medium));
  for (const auto* m : members) key += fmt::format("/{}.{}", m->point, m->version);
  std::shared_ptr<const analytics::LoadForecaster> forecaster;
  {
    std::lock_guard lock(forecasters_mutex_);
    if (auto it = forecasters_.find(key); it != forecasters_.end()) forecaster = it->second;
  }
  if (!forecaster) {
    auto model = analytics::TowtModel::fit(*training, analytics::TowtOptions::recommended());
    if (!model) {
      out.not_judged_reason = "no_fit";
      out.not_judged = fmt::format("the last year does not fit a model: {}", model.error().message);
      return out;
    }
    auto fitted = analytics::LoadForecaster::fit(*model, *training);
    if (!fitted) {
      out.not_judged_reason = "no_fit";
      out.not_judged =
          fmt::format("the last year does not fit a forecast: {}", fitted.error().message);
      return out;
    }
    forecaster = std::make_shared<const analytics::LoadForecaster>(std::move(*fitted));
    std::lock_guard lock(forecasters_mutex_);
    // Fits of other hours are of no more use.
    const std::string this_hour = fmt::format("{}/", origin);
    std::erase_if(forecasters_,
                  [&](const auto& entry) { return !entry.first.starts_with(this_hour); });
    if (forecasters_.size() < 4096) forecasters_.emplace(key, forecaster);
  }
  // The hours ahead with their temperatures: the weather forecast point's,
  // else the outdoor point's own (an imported forecast), else each hour of
  // the day as the last week's mean.
  const TimeMs end = origin + q.hours * kHourMs;
  std::map<TimeMs, double> known_ahead;
  for (const std::optional<Id> source :
       {(*inputs)->weather_forecast_point, std::optional<Id>(weather_point)}) {
    if (!source) continue;
    auto ahead = series_.rollups(*source, RollupTier::hour, origin, end);
    if (!ahead) return std::unexpected(ahead.error());
    for (const auto& r : *ahead)
      known_ahead.try_emplace(r.start, r.sum / static_cast<double>(r.count));
  }
  std::array<std::pair<double, int>, 24> profile{};
  for (std::size_t i = training->size() >= 168 ? training->size() - 168 : 0; i < training->size();
       ++i) {
    const auto& h = (*training)[i];
    if (std::isnan(h.temperature)) continue;
    auto& p = profile[static_cast<std::size_t>(analytics::hour_of_day(h.hour))];
    p.first += h.temperature;
    ++p.second;
  }
  out.forecast_hours = static_cast<int>(known_ahead.size());
  out.weather = out.forecast_hours == q.hours ? "forecast"
                : out.forecast_hours == 0     ? "recent_profile"
                                              : "partial_forecast";
  std::vector<analytics::HourlyObservation> horizon;
  // The last day before the origin too, for the 24-hour means.
  for (std::size_t i = training->size() >= 24 ? training->size() - 24 : 0; i < training->size();
       ++i)
    horizon.push_back((*training)[i]);
  for (TimeMs t = origin; t < end; t += kHourMs) {
    const auto hour = analytics::HourPiece::floor_div(zone->to_local(t), kHourMs);
    double temperature = std::numeric_limits<double>::quiet_NaN();
    if (auto it = known_ahead.find(t); it != known_ahead.end()) {
      temperature = it->second;
    } else {
      const auto& p = profile[static_cast<std::size_t>(analytics::hour_of_day(hour))];
      if (p.second > 0) temperature = p.first / p.second;
    }
    horizon.push_back({hour, temperature, std::numeric_limits<double>::quiet_NaN()});
  }
  analytics::fill_temperature_24h(horizon);
  const std::size_t before = horizon.size() - static_cast<std::size_t>(q.hours);
  horizon.erase(horizon.begin(), horizon.begin() + static_cast<std::ptrdiff_t>(before));
  const auto recent =
      std::span(*training).subspan(training->size() >= 168 ? training->size() - 168 : 0);
  auto predicted = forecaster->forecast(recent, horizon);
  if (!predicted) {
    out.not_judged_reason = "no_estimate";
    out.not_judged = predicted.error().message;
    return out;
  }
  out.recent_readings = predicted->recent_readings;
  for (std::size_t i = 0; i < predicted->hours.size(); ++i) {
    const auto& h = predicted->hours[i];
    out.values.push_back(
        {origin + static_cast<TimeMs>(i) * kHourMs, h.baseline, h.expected, h.lower, h.upper});
  }
  return out;
}

Result<Savings> EnergyService::savings(const Scope& scope, const SavingsQuery& q, TimeMs now) {
  if (q.baseline_to <= q.baseline_from)
    return fail(ErrorCode::invalid, "'baseline_to' must be after 'baseline_from'", "baseline_to");
  if (q.reporting_to <= q.reporting_from)
    return fail(ErrorCode::invalid, "'reporting_to' must be after 'reporting_from'",
                "reporting_to");
  if (q.reporting_from < q.baseline_to && q.baseline_from < q.reporting_to)
    return fail(ErrorCode::invalid, "the baseline and reporting periods overlap", "reporting_from");
  for (const auto& [from, to, field] :
       {std::tuple{q.baseline_from, q.baseline_to, "baseline_from"},
        std::tuple{q.reporting_from, q.reporting_to, "reporting_from"}})
    if (to - from > 3 * 366 * kDayMs)
      return fail(ErrorCode::invalid, "a period may span at most three years", field);
  Savings out;
  auto inputs = model_inputs(scope, q.scope, q.id, q.medium, out);
  if (!inputs) return std::unexpected(inputs.error());
  if (!*inputs) return out;
  const auto members = (*inputs)->members();
  const Timezone* zone = &(*inputs)->zone;
  const Id weather_point = (*inputs)->weather_point;

  const auto observations =
      [&](TimeMs from,
          TimeMs to) -> Result<std::pair<TimeMs, std::vector<analytics::HourlyObservation>>> {
    const TimeMs h0 = floor_hour(from), h1 = floor_hour(to - 1) + kHourMs;
    auto hours = this->observations(members, weather_point, *zone, h0, h1, now);
    if (!hours) return std::unexpected(hours.error());
    return std::pair{h0, std::move(*hours)};
  };
  auto baseline = observations(q.baseline_from, q.baseline_to);
  if (!baseline) return std::unexpected(baseline.error());
  auto reporting = observations(q.reporting_from, q.reporting_to);
  if (!reporting) return std::unexpected(reporting.error());
  auto model = analytics::TowtModel::fit(baseline->second, analytics::TowtOptions::recommended());
  if (!model) {
    out.not_judged_reason = "no_fit";
    out.not_judged =
        fmt::format("the baseline period does not fit a model: {}", model.error().message);
    return out;
  }
  const auto energies = [](const std::vector<analytics::HourlyObservation>& hours) {
    std::vector<double> out;
    out.reserve(hours.size());
    for (const auto& h : hours) out.push_back(h.energy);
    return out;
  };
  const auto baseline_actual = energies(baseline->second);
  const auto baseline_fitted = model->predict(baseline->second);
  const auto reporting_actual = energies(reporting->second);
  const auto reporting_predicted = model->predict(reporting->second);
  out.parameters = model->parameters();
  {
    std::vector<double> actual, fitted;
    for (std::size_t i = 0; i < baseline_actual.size(); ++i)
      if (!std::isnan(baseline_actual[i]) && !std::isnan(baseline_fitted[i])) {
        actual.push_back(baseline_actual[i]);
        fitted.push_back(baseline_fitted[i]);
      }
    auto fit = analytics::fit_statistics(actual, fitted, out.parameters);
    if (!fit) {
      out.not_judged_reason = "no_fit";
      out.not_judged = fit.error().message;
      return out;
    }
    out.fit = *fit;
  }
  auto estimate = analytics::estimate_savings(baseline_actual, baseline_fitted, out.parameters,
                                              reporting_actual, reporting_predicted, q.confidence);
  if (!estimate) {
    out.not_judged_reason = "no_estimate";
    out.not_judged = estimate.error().message;
    return out;
  }
  out.estimate = *estimate;
  // The reporting period month by month, for a chart of baseline and actual.
  const CalendarStep month{CalendarUnit::month, 1};
  for (std::size_t i = 0; i < reporting_actual.size(); ++i) {
    if (std::isnan(reporting_actual[i]) || std::isnan(reporting_predicted[i])) continue;
    const TimeMs t = reporting->first + static_cast<TimeMs>(i) * kHourMs;
    const TimeMs start = calendar_floor(*zone, month, t);
    if (out.months.empty() || out.months.back().start != start)
      out.months.push_back({start, calendar_next(*zone, month, start), 0, 0, 0});
    auto& m = out.months.back();
    m.baseline += reporting_predicted[i];
    m.actual += reporting_actual[i];
    ++m.hours;
  }
  for (auto& m : out.months) {
    m.start = std::max(m.start, q.reporting_from);
    m.end = std::min(m.end, q.reporting_to);
  }
  return out;
}

Result<BuildingEnergy> EnergyService::settings_of(Id building) {
  // This service is the settings' only writer, so what it parsed stays
  // true until it writes them again.
  {
    std::lock_guard lock(parsed_mutex_);
    if (auto it = buildings_.find(building); it != buildings_.end()) return it->second.second;
  }
  auto stored = store_.energy().settings(Scope::all_tenants(), EnergySubject::building, building);
  BuildingEnergy parsed;
  std::int64_t version = 0;
  if (stored) {
    boost::system::error_code ec;
    const auto doc = boost::json::parse(stored->document, ec);
    if (ec)
      return fail(ErrorCode::internal,
                  fmt::format("building {}: stored energy settings are not JSON", building));
    auto settings = parse_building_energy(doc);
    if (!settings)
      return fail(ErrorCode::internal, fmt::format("building {}: stored energy settings: {}",
                                                   building, settings.error().message));
    parsed = std::move(*settings);
    version = stored->version;
  } else if (stored.error().code != ErrorCode::not_found) {
    return std::unexpected(stored.error());
  }
  std::lock_guard lock(parsed_mutex_);
  buildings_[building] = {version, parsed};
  return parsed;
}

Result<BuildingEnergyRecord> EnergyService::building_energy(const Scope& scope, Id building) {
  auto stored = store_.energy().settings(scope, EnergySubject::building, building);
  if (!stored) return std::unexpected(stored.error());
  auto settings = settings_of(building);
  if (!settings) return std::unexpected(settings.error());
  return BuildingEnergyRecord{building, stored->tenant_id, stored->version, stored->updated_at,
                              std::move(*settings)};
}

Result<BuildingEnergyRecord> EnergyService::put_building_energy(
    const Scope& scope, Id building_id, const boost::json::value& document,
    std::optional<std::int64_t> expected_version, TimeMs now) {
  auto building = store_.buildings().get(scope, building_id);
  if (!building) return std::unexpected(building.error());
  auto settings = parse_building_energy(document);
  if (!settings) return std::unexpected(settings.error());
  for (const auto& [point_id, field] : named_points(*settings)) {
    auto point = store_.points().get(Scope::tenant(building->tenant_id), point_id);
    if (!point)
      return fail(ErrorCode::invalid,
                  fmt::format("point {} does not exist in the building's tenant", point_id), field);
    if ((field == "/outdoor_temperature_point" || field == "/weather_forecast_point") &&
        point->quantity != "temperature")
      return fail(ErrorCode::invalid,
                  fmt::format("point {} is no temperature but {}", point_id, point->quantity),
                  field);
    if (field.starts_with("/window_contact_points/") && point->quantity != "state")
      return fail(ErrorCode::invalid,
                  fmt::format("point {} is no contact (a state) but {}", point_id, point->quantity),
                  field);
  }
  auto stored = store_.energy().put_settings(
      scope, EnergySubject::building, building_id,
      boost::json::serialize(building_energy_json(*settings)), expected_version, now);
  if (!stored) return std::unexpected(stored.error());
  {
    std::lock_guard lock(parsed_mutex_);
    buildings_[building_id] = {stored->version, *settings};
  }
  budgets_changed();
  return BuildingEnergyRecord{building_id, stored->tenant_id, stored->version, stored->updated_at,
                              std::move(*settings)};
}

Status EnergyService::remove_building_energy(const Scope& scope, Id building) {
  if (auto s = store_.energy().remove_settings(scope, EnergySubject::building, building); !s)
    return s;
  {
    std::lock_guard lock(parsed_mutex_);
    buildings_.erase(building);
  }
  budgets_changed();
  return {};
}

void EnergyService::budgets_changed() {
  {
    std::lock_guard lock(work_mutex_);
    budgets_due_ = true;
  }
  wake_.notify_all();
}

Result<Consumption> EnergyService::consumption(const Scope& scope, const ConsumptionQuery& q,
                                               TimeMs now) {
  if (q.to <= q.from) return fail(ErrorCode::invalid, "'to' must be after 'from'", "to");
  if (q.interval == CalendarUnit::hour && (q.to - q.from) / kHourMs > kMaxBuckets)
    return fail(ErrorCode::invalid,
                fmt::format("at most {} hourly buckets; ask for days or longer", kMaxBuckets),
                "interval");
  if ((q.to - q.from) / kDayMs > kMaxBuckets)
    return fail(ErrorCode::invalid, "the range may span at most 100,000 days", "to");

  // What is summed, and in which zone.
  std::string zone_name;
  switch (q.scope) {
    case ConsumptionScope::meter: {
      auto m = meter(scope, q.id);
      if (!m) return std::unexpected(m.error());
      auto b = store_.buildings().get(scope, m->building_id);
      if (!b) return std::unexpected(b.error());
      zone_name = b->timezone;
      break;
    }
    case ConsumptionScope::building: {
      auto b = store_.buildings().get(scope, q.id);
      if (!b) return std::unexpected(b.error());
      zone_name = b->timezone;
      break;
    }
    case ConsumptionScope::tenant: {
      // All tenants' meters (the superadmin's portfolio) are summed in UTC.
      if (q.id == 0 && scope.is_all()) {
        zone_name = "UTC";
        break;
      }
      auto t = store_.tenants().get(scope, q.id ? q.id : scope.tenant_id().value_or(0));
      if (!t) return std::unexpected(t.error());
      zone_name = t->timezone;
      break;
    }
  }
  auto zone = Timezone::load(zone_name);
  if (!zone) return std::unexpected(zone.error());
  auto all = meters(scope);
  if (!all) return std::unexpected(all.error());

  // (group building or 0, medium) → building → its meters.
  using Members = std::map<Id, std::vector<const MeterRecord*>>;
  std::map<std::pair<Id, int>, Members> groups;
  for (const auto& m : *all) {
    const bool in_scope = q.scope == ConsumptionScope::meter ? m.point == q.id
                          : q.scope == ConsumptionScope::building
                              ? m.building_id == q.id
                              : q.id == 0 || m.tenant_id == q.id;
    if (!in_scope || (q.medium && m.settings.spec.medium != *q.medium)) continue;
    const Id group_building =
        q.scope == ConsumptionScope::tenant && !q.by_building ? 0 : m.building_id;
    groups[{group_building, static_cast<int>(m.settings.spec.medium)}][m.building_id].push_back(&m);
  }

  Consumption out;
  out.timezone = zone->name();
  const CalendarStep step{q.interval, 1};
  out.from = calendar_floor(*zone, step, q.from);
  out.to = calendar_next(*zone, step, calendar_floor(*zone, step, q.to - 1));
  const TimeMs h0 = floor_hour(out.from);
  const TimeMs h1 = floor_hour(out.to - 1) + kHourMs;
  const auto n = static_cast<std::size_t>((h1 - h0) / kHourMs);
  const bool demand_in_buckets =
      q.interval == CalendarUnit::month || q.interval == CalendarUnit::year;
  // The buckets of the query, found once for all its series where the zone's
  // offsets are whole hours (every hour then lies in one bucket).
  std::vector<analytics::ConsumptionBucket> grid;
  std::vector<std::size_t> bucket_of_hour;
  if (q.interval != CalendarUnit::hour && zone->offsets_are_multiples_of(kHourMs) &&
      h0 == out.from) {
    for (TimeMs b = out.from; b < out.to; b = calendar_next(*zone, step, b)) {
      const TimeMs e = calendar_next(*zone, step, b);
      grid.push_back({b, e, 0, static_cast<double>(e - b) / kHourMs, 0, 0});
    }
    bucket_of_hour.resize(n);
    for (std::size_t i = 0, k = 0; i < n; ++i) {
      while (h0 + static_cast<TimeMs>(i) * kHourMs >= grid[k].end) ++k;
      bucket_of_hour[i] = k;
    }
  }
  std::map<Id, Timezone> zones;  // the buildings' zones, for their tariffs

  for (const auto& [key, buildings] : groups) {
    ConsumptionSeries s;
    s.medium = static_cast<analytics::Medium>(key.second);
    if (key.first != 0) s.building_id = key.first;
    std::vector<double> energy(n, 0.0), cost(n, 0.0), co2(n, 0.0);
    std::vector<HourState> state(n, HourState::measured);
    bool priced = true, carbon = true;
    for (const auto& [building_id, members] : buildings) {
      std::vector<double> building_energy;
      std::vector<HourState> building_state;
      for (const MeterRecord* m : members) s.meters.push_back(m->point);
      if (auto st = sum_hours(members, h0, h1, now, building_energy, building_state); !st)
        return std::unexpected(st.error());
      for (std::size_t i = 0; i < n; ++i) {
        energy[i] += building_energy[i];
        state[i] = std::max(state[i], building_state[i]);
      }
      if (!priced && !carbon) continue;
      auto settings = settings_of(building_id);
      if (!settings) return std::unexpected(settings.error());
      if (!settings->tariffs.contains(s.medium)) priced = false;
      const auto own = settings->carbon.find(s.medium);
      if (!default_carbon_factor(s.medium) &&
          (own == settings->carbon.end() || !own->second.kg_per_kwh))
        carbon = false;
      if (!priced && !carbon) continue;
      std::vector<analytics::EnergyInterval> hours(n);
      for (std::size_t i = 0; i < n; ++i) {
        const TimeMs t = h0 + static_cast<TimeMs>(i) * kHourMs;
        hours[i] = {t, t + kHourMs, building_energy[i], building_state[i] >= HourState::unknown};
      }
      auto building_zone = zones.find(building_id);
      if (building_zone == zones.end()) {
        auto building = store_.buildings().get(Scope::all_tenants(), building_id);
        if (!building) return std::unexpected(building.error());
        auto loaded = Timezone::load(building->timezone);
        if (!loaded) return std::unexpected(loaded.error());
        building_zone = zones.emplace(building_id, *loaded).first;
      }
      auto priced_hours = hourly_cost(series_, *settings, s.medium, building_zone->second, hours);
      if (!priced_hours) return std::unexpected(priced_hours.error());
      if (priced) {
        if (s.currency.empty()) s.currency = priced_hours->currency;
        if (s.currency != priced_hours->currency) priced = false;
        for (std::size_t i = 0; i < n; ++i)
          cost[i] += priced_hours->energy_cost[i] + priced_hours->fixed_by_day[i];
        s.unpriced_hours = std::max(s.unpriced_hours, priced_hours->unpriced_hours);
        // A month's demand charge is in its month or year bucket; in finer
        // buckets only in the total.
        for (const auto& d : priced_hours->demand) {
          s.demand.push_back(d);
          if (demand_in_buckets && d.month_start >= h0 && d.month_start < h1)
            cost[static_cast<std::size_t>((d.month_start - h0) / kHourMs)] += d.cost;
          else
            s.cost_total += d.cost;
        }
      }
      if (!priced_hours->has_carbon) carbon = false;
      for (std::size_t i = 0; carbon && i < n; ++i) co2[i] += priced_hours->co2_kg[i];
    }
    std::vector<analytics::IntervalEnergy> intervals(n);
    for (std::size_t i = 0; i < n; ++i) {
      const TimeMs t = h0 + static_cast<TimeMs>(i) * kHourMs;
      intervals[i] = {t, t + kHourMs, energy[i], quality_of(state[i])};
    }
    if (q.interval == CalendarUnit::hour) {
      for (const auto& iv : intervals)
        s.buckets.push_back({iv.start, iv.end, iv.energy, 1.0,
                             iv.quality == analytics::IntervalQuality::unknown ? 1.0 : 0.0,
                             iv.quality == analytics::IntervalQuality::estimated ? 1.0 : 0.0});
    } else if (!grid.empty()) {
      // Whole hours in whole-hour buckets: each hour is in one bucket.
      s.buckets = grid;
      for (std::size_t i = 0; i < n; ++i) {
        auto& b = s.buckets[bucket_of_hour[i]];
        b.energy += intervals[i].energy;
        if (intervals[i].quality == analytics::IntervalQuality::unknown) b.unknown_hours += 1;
        if (intervals[i].quality == analytics::IntervalQuality::estimated) b.estimated_hours += 1;
      }
    } else {
      auto buckets = analytics::consumption_buckets(intervals, *zone, q.interval);
      if (!buckets) return std::unexpected(buckets.error());
      // Hours reach past the buckets only in a zone whose offset is not
      // whole hours; those edges are not the query's.
      for (auto& b : *buckets)
        if (b.start >= out.from && b.end <= out.to) s.buckets.push_back(b);
    }
    // Cost and carbon by the bucket holding each hour's start.
    if (!priced) s.currency.clear();
    s.has_carbon = carbon;
    if (priced) s.cost.assign(s.buckets.size(), 0.0);
    if (carbon) s.co2_kg.assign(s.buckets.size(), 0.0);
    for (std::size_t i = 0, b = 0; i < n && !s.buckets.empty(); ++i) {
      const TimeMs t = h0 + static_cast<TimeMs>(i) * kHourMs;
      while (b + 1 < s.buckets.size() && t >= s.buckets[b].end) ++b;
      if (priced) s.cost[b] += cost[i];
      if (carbon) s.co2_kg[b] += co2[i];
    }
    // Hours still to come, and the one under way, are not missing readings.
    const TimeMs pending_from = floor_hour(now);
    s.pending_hours.assign(s.buckets.size(), 0.0);
    for (std::size_t b = 0; b < s.buckets.size(); ++b) {
      auto& bucket = s.buckets[b];
      const TimeMs from = std::max(bucket.start, pending_from);
      if (from < bucket.end) {
        s.pending_hours[b] = static_cast<double>(bucket.end - from) / kHourMs;
        bucket.unknown_hours = std::max(0.0, bucket.unknown_hours - s.pending_hours[b]);
      }
    }
    for (std::size_t b = 0; b < s.buckets.size(); ++b) {
      s.total += s.buckets[b].energy;
      s.unknown_hours += s.buckets[b].unknown_hours;
      if (priced) s.cost_total += s.cost[b];
      if (carbon) s.co2_total += s.co2_kg[b];
    }
    if (!priced) {
      s.cost_total = 0;
      s.demand.clear();
    }
    out.series.push_back(std::move(s));
  }
  return out;
}

}  // namespace citypulse::energy
