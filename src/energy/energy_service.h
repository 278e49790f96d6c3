// The energy service: meter settings, the ledger kept up to date, and
// consumption by meter, building or tenant in local calendar buckets
// (docs/analytics.md, "Consumption").
//
// Freshness: a consumption answer first brings the last two days of each
// meter it sums up to date, so what a meter read a moment ago is in it.
// Readings of other times reach the ledger through a worker within moments:
// it hears of them as a reading sink (the ingest pipeline's late readings,
// the history imports) and recomputes the hours they touch; it recomputes a
// meter's whole history when its settings change; and every
// `reconcile_interval_ms`, and at start-up, it compares every meter's
// hours with the readings, which catches whatever it was not told of
// (a deletion, an import while the server was down).
//
// Thread-safe. The worker runs from start() until the destructor.
#pragma once

#include <boost/json/fwd.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analytics/consumption_buckets.h"
#include "analytics/degree_days.h"
#include "analytics/fit_statistics.h"
#include "analytics/load_forecast.h"
#include "analytics/recommendations.h"
#include "analytics/savings.h"
#include "core/calendar.h"
#include "core/result.h"
#include "energy/building_energy.h"
#include "energy/hourly_cost.h"
#include "energy/meter_ledger.h"
#include "energy/meter_settings.h"
#include "ingest/reading_sink.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse::energy {

struct EnergyServiceOptions {
  std::int64_t reconcile_interval_ms = 300'000;
  std::int64_t fresh_window_ms = 48 * kHourMs;  // what a query refreshes itself
  std::size_t cache_blocks = 4096;
};

// A meter's stored settings with what they apply to.
struct MeterRecord {
  Id point = 0;
  Id tenant_id = 0;
  Id building_id = 0;
  std::int64_t version = 0;
  TimeMs updated_at = 0;
  std::string unit;  // the point's
  MeterSettings settings;
};

// A building's stored energy settings.
struct BuildingEnergyRecord {
  Id building_id = 0;
  Id tenant_id = 0;
  std::int64_t version = 0;
  TimeMs updated_at = 0;
  BuildingEnergy settings;
};

enum class ConsumptionScope { meter, building, tenant };

struct ConsumptionQuery {
  ConsumptionScope scope = ConsumptionScope::building;
  Id id = 0;  // the meter, building or tenant; tenant scope 0: all the caller sees
  TimeMs from = 0, to = 0;
  CalendarUnit interval = CalendarUnit::day;
  std::optional<analytics::Medium> medium;  // all media when absent
  bool by_building = false;                 // tenant scope: one series per building and medium
};

// One medium's consumption (of one building, with by_building).
struct ConsumptionSeries {
  analytics::Medium medium = analytics::Medium::electricity;
  std::optional<Id> building_id;
  std::vector<Id> meters;
  std::vector<analytics::ConsumptionBucket> buckets;
  // Per bucket, its hours still to come (the current one on): not counted
  // in its unknown_hours.
  std::vector<double> pending_hours;
  double total = 0;
  double unknown_hours = 0;  // summed over the buckets
  // Cost, when every building summed has tariffs for the medium in one
  // currency: per bucket the energy and fixed charges (and for month and
  // year buckets the demand charges of the months they hold); the total has
  // every charge.
  std::string currency;  // empty: no cost
  std::vector<double> cost;
  double cost_total = 0;
  std::vector<MonthDemand> demand;
  int unpriced_hours = 0;
  // kg CO2, when every building summed has a factor for the medium.
  bool has_carbon = false;
  std::vector<double> co2_kg;
  double co2_total = 0;
};

// A budget of a building's medium checked as of a day (analytics/budget.h).
struct BudgetStatus {
  Id building_id = 0;
  analytics::Medium medium = analytics::Medium::electricity;
  analytics::BudgetCheck check;
  // How the rest of the year is forecast: "last_year" (each remaining day
  // as the same weekday 52 weeks earlier, where the ledger has it),
  // "recent_weeks" (the mean of the same weekday over the last four
  // weeks), or "none" (no data to go by: nothing more is expected).
  std::string forecast;
};

// Avoided energy after IPMVP option C (analytics/savings.h): a baseline
// model fitted on one period predicts another from its weather.
struct SavingsQuery {
  ConsumptionScope scope = ConsumptionScope::building;  // meter or building
  Id id = 0;
  analytics::Medium medium = analytics::Medium::electricity;  // building scope
  TimeMs baseline_from = 0, baseline_to = 0;
  TimeMs reporting_from = 0, reporting_to = 0;
  double confidence = 0.9;
};

struct SavingsMonth {
  TimeMs start = 0, end = 0;  // a local month (cut to the reporting period)
  double baseline = 0;        // the adjusted baseline: predicted, over the known hours
  double actual = 0;
  int hours = 0;  // known hours counted
};

// What a baseline model is fitted to: one meter, or a building's meters of
// a medium; savings and forecasts share it.
struct ModelSubject {
  Id building_id = 0;
  analytics::Medium medium = analytics::Medium::electricity;
  std::vector<Id> meters;
  std::string timezone;
  // Why there are no figures (no meter of the medium, no outdoor
  // temperature point, a period too thin to fit); empty when they are there.
  std::string not_judged;
  // The same as a code, for programs: "no_meter", "no_weather_point",
  // "no_fit" (the data do not fit a model: too few hours, no spread),
  // "no_estimate" (a model, but nothing to compare it with).
  std::string not_judged_reason;
};

struct Savings : ModelSubject {
  analytics::FitStatistics fit;  // of the baseline model on its own period
  int parameters = 0;
  analytics::SavingsEstimate estimate;
  std::vector<SavingsMonth> months;
};

// A meter's or a building's medium 1–72 hours ahead (analytics/load_forecast.h):
// the baseline model fitted on the last year, corrected by the last week.
struct ForecastQuery {
  ConsumptionScope scope = ConsumptionScope::building;  // meter or building
  Id id = 0;
  analytics::Medium medium = analytics::Medium::electricity;  // building scope
  int hours = 72;                                             // 1..72
};

struct ForecastValue {
  TimeMs start = 0;  // the hour
  double baseline = 0, expected = 0, lower = 0, upper = 0;
};

struct Forecast : ModelSubject {
  // Where the hours ahead's temperatures come from, hour by hour: the
  // building's weather forecast point, else the outdoor temperature point's
  // own values ahead (an imported forecast), else the hour of the day's mean
  // over the last week. "forecast" when every hour had a forecast,
  // "recent_profile" when none did, "partial_forecast" between.
  std::string weather;
  int forecast_hours = 0;   // hours whose temperature was forecast
  int recent_readings = 0;  // 0: no readings last week; the forecast is the baseline
  std::vector<ForecastValue> values;
};

struct Consumption {
  std::string timezone;
  TimeMs from = 0, to = 0;  // the whole buckets covering the query
  std::vector<ConsumptionSeries> series;
};

// Energy use intensity by building and building type over 12 months, and
// against the 12 months before (docs/analytics.md, "Benchmarks").
struct BenchmarkQuery {
  std::int64_t year = 0;  // the period's first month (local, in each building's zone)
  unsigned month = 1;
  analytics::DegreeDayOptions degree_days;
  // The degree days both periods' heating is normalised to; none: the mean
  // of the two periods' own, so the change between them is the weather's
  // no more.
  std::optional<double> reference_hdd;
};

struct PeriodEnergy {
  std::map<analytics::Medium, double> kwh;  // every medium in kWh (not water)
  double total_kwh = 0;
  int unknown_hours = 0;           // hours of the period some meter does not know
  std::optional<double> hdd, cdd;  // with an outdoor temperature point
  // The heating medium's energy normalised to the reference degree days,
  // and the total with it in place of the measured heating.
  std::optional<double> heating_normalised_kwh, total_normalised_kwh;
  std::string not_normalised;  // why not, when not
  // The same as a code: "no_heating_meter", "no_weather_point",
  // "no_degree_days" (too few days of outdoor temperature), "no_heating_signal"
  // (the heating does not follow the degree days).
  std::string not_normalised_reason;
  int hours = 0;  // the period's hours (the clock changes make it 8,759 to 8,785)
  std::optional<double> eui, eui_normalised;  // kWh/m²·a, with a floor area
};

struct BuildingBenchmark {
  Id building_id = 0;
  std::string name, type;
  std::optional<double> floor_area_m2;
  std::optional<analytics::Medium> heating;  // heat, else gas: what is normalised
  std::optional<double> reference_hdd;
  PeriodEnergy current, previous;
  std::optional<double> change, change_normalised;  // of the EUI, a fraction
};

struct BuildingTypeBenchmark {
  std::string type;
  int buildings = 0;                    // with an EUI
  int normalised = 0;                   // of them, weather-normalised (the others count raw)
  double median = 0, min = 0, max = 0;  // kWh/m²·a
};

struct Benchmarks {
  std::int64_t from_day = 0, to_day = 0, previous_from_day = 0;  // local day numbers
  std::vector<BuildingBenchmark> buildings;  // by normalised (else raw) EUI, lowest first
  std::vector<BuildingTypeBenchmark> types;  // by type name
};

class EnergyService final : public ingest::ReadingSink {
 public:
  // `store` and `series` must outlive the service.
  EnergyService(MetaStore& store, SeriesStore& series, EnergyServiceOptions options = {});
  ~EnergyService();
  EnergyService(const EnergyService&) = delete;
  EnergyService& operator=(const EnergyService&) = delete;

  void start();

  // What the worker calls after each reconciling pass, and soon after a
  // building's settings changed: the budget alarms' check (budget_alarms.h).
  // Set before start().
  void on_budgets_due(std::function<void(TimeMs now)> check) {
    budgets_due_hook_ = std::move(check);
  }

  // Notes the hours of meters' readings for the worker; never blocks long.
  void on_readings(std::span<const Reading> readings, const ingest::ReadingOrigin& origin) override;

  Result<MeterRecord> meter(const Scope& scope, Id point);
  // Creates or replaces (If-Match `expected_version`, 0: only when none).
  Result<MeterRecord> put_meter(const Scope& scope, Id point, const boost::json::value& document,
                                std::optional<std::int64_t> expected_version, TimeMs now);
  Status remove_meter(const Scope& scope, Id point);

  Result<BuildingEnergyRecord> building_energy(const Scope& scope, Id building);
  // Creates or replaces (If-Match likewise). The points the settings name
  // must be the building's tenant's, the outdoor temperature one a
  // temperature (invalid naming the member otherwise).
  Result<BuildingEnergyRecord> put_building_energy(const Scope& scope, Id building,
                                                   const boost::json::value& document,
                                                   std::optional<std::int64_t> expected_version,
                                                   TimeMs now);
  Status remove_building_energy(const Scope& scope, Id building);

  // Errors: invalid for a bad range (field "from"/"to") or a range of more
  // than 100,000 buckets; not_found for what the scope does not see.
  Result<Consumption> consumption(const Scope& scope, const ConsumptionQuery& query, TimeMs now);

  // The budgets of `year` of every building the scope sees (of `building`
  // when given), as of `now`.
  Result<std::vector<BudgetStatus>> budgets(const Scope& scope, std::optional<Id> building,
                                            std::int64_t year, TimeMs now);

  // What the building's hours over [from, to) show could be saved
  // (analytics/recommendations.h): its electricity, its heat (heat meters,
  // else gas), the outdoor temperature point of its settings, the average
  // prices of its tariffs (and the hourly price of a price-series tariff,
  // the demand charge of the latest electricity tariff), its carbon factors.
  // `meters` gets the meters read, by medium, for evidence charts. A
  // building without an electricity meter has every rule not judged.
  Result<analytics::Recommendations> recommendations(
      const Scope& scope, Id building, TimeMs from, TimeMs to, TimeMs now,
      std::map<analytics::Medium, std::vector<Id>>* meters = nullptr);

  // Every building the scope sees with meters. invalid for a period that
  // has not ended, bad degree-day options or a reference that is not > 0.
  Result<Benchmarks> benchmarks(const Scope& scope, const BenchmarkQuery& query, TimeMs now);

  // The model needs the building's outdoor temperature point: without one,
  // or without enough baseline hours to fit, the answer says why in
  // not_judged. invalid for periods that are empty, overlap or are over
  // three years.
  Result<Savings> savings(const Scope& scope, const SavingsQuery& query, TimeMs now);

  // The hours from the current one on. Like savings(), it needs the
  // building's outdoor temperature point; without it, or without a year
  // that fits, not_judged says why. invalid for hours outside 1..72.
  Result<Forecast> forecast(const Scope& scope, const ForecastQuery& query, TimeMs now);

  // Brings every meter's whole history up to date now (the worker's pass).
  Status reconcile(TimeMs now);

  MeterLedger& ledger() { return ledger_; }

 private:
  // Every meter the scope sees, parsed (cached by point and version).
  Result<std::vector<MeterRecord>> meters(const Scope& scope);
  Result<MeterRecord> parse(const EnergySettings& stored, const Scope& scope);
  Status refresh(const MeterRecord& meter, TimeMs from, TimeMs to);
  // The summed hours [h0, h1) of `members` (their last two days refreshed
  // first): energy per hour and the worst state of any meter.
  Status sum_hours(std::span<const MeterRecord* const> members, TimeMs h0, TimeMs h1, TimeMs now,
                   std::vector<double>& energy, std::vector<HourState>& state);
  // The meters, zone and weather point a model of `id` (a meter, or a
  // building's `medium`) is fitted with; fills `subject`, with not_judged
  // set when it cannot be (no meter, no weather point: nothing returned).
  struct ModelInputs {
    std::vector<MeterRecord> meters;
    Timezone zone;
    Id weather_point = 0;
    std::optional<Id> weather_forecast_point;
    std::vector<const MeterRecord*> members() const;
  };
  Result<std::optional<ModelInputs>> model_inputs(const Scope& scope, ConsumptionScope kind, Id id,
                                                  analytics::Medium medium, ModelSubject& subject);
  // The hours [h0, h1) of `members` as the baseline model takes them: local
  // hour, the temperature point's hourly mean and its 24-hour mean, energy
  // (NaN where unknown).
  Result<std::vector<analytics::HourlyObservation>> observations(
      std::span<const MeterRecord* const> members, Id temperature_point, const Timezone& zone,
      TimeMs h0, TimeMs h1, TimeMs now);
  // The building's settings, or defaults when it has none (cached by version).
  Result<BuildingEnergy> settings_of(Id building);
  void work();

  MetaStore& store_;
  SeriesStore& series_;
  EnergyServiceOptions options_;
  MeterLedger ledger_;

  // Wakes the worker for the budget alarms' check.
  void budgets_changed();

  std::mutex parsed_mutex_;
  // point → parsed record, valid while the settings version and the asset
  // generation (a point's unit may change) are the same.
  std::unordered_map<Id, std::pair<std::uint64_t, MeterRecord>> parsed_;
  // Parsed building settings (version 0: none stored), kept until this
  // service writes them.
  std::unordered_map<Id, std::pair<std::int64_t, BuildingEnergy>> buildings_;

  // Forecasters fitted this hour, by what they were fitted on (the meters
  // with their settings' versions, the weather point, the origin): a
  // portfolio's forecast fits each building once an hour, not per request.
  // Entries of past hours are dropped as new ones come.
  std::mutex forecasters_mutex_;
  std::map<std::string, std::shared_ptr<const analytics::LoadForecaster>> forecasters_;

  std::mutex work_mutex_;
  std::condition_variable wake_;
  // Meters with work: the span of readings to take in, or the whole
  // history (kWhole) when their settings changed.
  std::map<Id, std::pair<TimeMs, TimeMs>> urgent_;
  std::unordered_set<Id> meter_ids_;  // the points that are meters, for on_readings
  bool stopping_ = false;
  bool budgets_due_ = false;  // a building's settings changed since the last check
  std::function<void(TimeMs)> budgets_due_hook_;
  std::thread worker_;
};

}  // namespace citypulse::energy
