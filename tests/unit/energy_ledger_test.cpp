// The hourly ledger (energy/meter_ledger.h) on a real SQLite store and a real
// embedded series store: it equals the energy computed from the readings
// from scratch, recomputes only the hours a late reading reaches, rewrites
// a whole gap when the reading that ends it arrives, and past the raw
// readings' retention recomputes from the hourly rollups to the same kWh.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <future>

#include "analytics/meter_energy.h"
#include "energy/meter_ledger.h"
#include "energy/meter_settings.h"
#include "store/embedded_series_store.h"
#include "store/energy_store.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

namespace fs = std::filesystem;
constexpr TimeMs kHour = 3'600'000;
constexpr TimeMs kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

class LedgerTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    EmbeddedSeriesOptions options;
    options.dir = dir() / "tsdb";
    options.raw_retention_ms = 30 * 24 * kHour;
    auto s = open_embedded_series_store(options);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    series_ = std::move(*s);
    const auto tenant = make_tenant("Ledger town");
    const auto building = make_building(tenant.id);
    Point p = point_value(building.id, std::nullopt, std::nullopt, "");
    p.tenant_id = tenant.id;
    p.quantity = "energy";
    p.unit = "kWh";
    point_ = ok(store().points().create(all(), p));
    settings_ = ok(energy::parse_meter_settings(
        boost::json::parse(R"({"kind":"counter","medium":"electricity"})"), point_));
    ok(store().energy().put_settings(all(), EnergySubject::meter, point_.id,
                                     R"({"kind":"counter","medium":"electricity"})", 0, kT0));
    ledger_ = std::make_unique<energy::MeterLedger>(store().energy(), *series_);
  }
  void TearDown() override {
    ledger_.reset();
    series_.reset();
    StoreTest::TearDown();
  }

  void import(std::vector<Reading> readings) {
    std::promise<Status> done;
    series_->import_readings(std::move(readings), false, [&](Status s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get());
  }
  // Quarter-hourly register readings from kT0 for `hours`, 1.5 kWh each,
  // except the indexes `skip` leaves out.
  std::vector<Reading> quarter_hours(int hours, const std::function<bool(int)>& skip) {
    std::vector<Reading> out;
    for (int k = 0; k <= hours * 4; ++k)
      if (!skip(k)) out.push_back({point_.id, kT0 + k * kHour / 4, 100 + 1.5 * k, 0});
    return out;
  }
  void refresh(TimeMs from, TimeMs to) { ok(ledger_->refresh(point_.id, settings_, 1, from, to)); }
  // The hours the ledger holds against the meter's energy computed now from
  // every stored reading.
  void expect_ledger_equals_readings(TimeMs from, TimeMs to) {
    auto raw = ok(series_->range(point_.id, from - 30 * 24 * kHour, to + 30 * 24 * kHour, 1 << 20));
    std::vector<analytics::MeterReading> readings;
    for (const auto& r : raw) readings.push_back({r.t, r.value});
    std::vector<TimeMs> grid;
    for (TimeMs t = from; t <= to; t += kHour) grid.push_back(t);
    auto direct = ok(analytics::meter_energy(settings_.spec, settings_.options, readings, grid));
    auto hours = ok(ledger_->hours(point_.id, from, to));
    ASSERT_EQ(hours.energy.size(), direct.intervals.size());
    for (std::size_t i = 0; i < hours.energy.size(); ++i) {
      EXPECT_NEAR(hours.energy[i], direct.intervals[i].energy, 1e-9) << "hour " << i;
      if (hours.state[i] != energy::HourState::missing) {
        EXPECT_EQ(static_cast<int>(hours.state[i]), static_cast<int>(direct.intervals[i].quality))
            << "hour " << i;
      }
    }
  }

  std::unique_ptr<SeriesStore> series_;
  Point point_;
  energy::MeterSettings settings_;
  std::unique_ptr<energy::MeterLedger> ledger_;
};

TEST_F(LedgerTest, EqualsTheReadingsAndRecomputesOnlyWhatALateReadingReaches) {
  // Two days with readings 40 to 60 (10:00 to 15:00 on the first day) missing.
  import(quarter_hours(48, [](int k) { return k >= 40 && k < 60;
}));
refresh(kT0, kT0 + 48 * kHour);
expect_ledger_equals_readings(kT0, kT0 + 48 * kHour);
auto hours = ok(ledger_->hours(point_.id, kT0 + 10 * kHour, kT0 + 15 * kHour));
for (auto s : hours.state) EXPECT_EQ(s, energy::HourState::estimated);  // the spread gap

// Nothing changed: nothing is recomputed.
const auto before = ledger_->hours_recomputed();
refresh(kT0, kT0 + 48 * kHour);
EXPECT_EQ(ledger_->hours_recomputed(), before);

// One late reading in the gap: the gap's hours are measured again on one
// side, and only the hours within reach of it were recomputed.
import({{ point_.id, kT0 + 50 * kHour / 4, 100 + 1.5 * 50, 0 }});
refresh(kT0, kT0 + 48 * kHour);
const auto recomputed = ledger_->hours_recomputed() - before;
EXPECT_GT(recomputed, 0);
EXPECT_LT(recomputed, 24);
expect_ledger_equals_readings(kT0, kT0 + 48 * kHour);
}  // namespace

TEST_F(LedgerTest, PastTheRawRetentionTheRollupsGiveTheSameEnergy) {
  import(quarter_hours(72, [](int) { return false;
}));
refresh(kT0, kT0 + 72 * kHour);
const auto from_raw = ok(ledger_->hours(point_.id, kT0, kT0 + 72 * kHour));
ASSERT_TRUE(series_->flush());
ASSERT_TRUE(series_->apply_retention(kT0 + 90 * 24 * kHour));
ASSERT_TRUE(ok(series_->range(point_.id, kT0, kT0 + 72 * kHour, 10)).empty());
// New settings (version 2) recompute every hour, now from the rollups.
ok(ledger_->refresh(point_.id, settings_, 2, kT0, kT0 + 72 * kHour));
const auto from_rollups = ok(ledger_->hours(point_.id, kT0, kT0 + 72 * kHour));
double total_raw = 0, total_rollups = 0;
for (std::size_t i = 0; i < from_raw.energy.size(); ++i) {
  total_raw += from_raw.energy[i];
  total_rollups += from_rollups.energy[i];
  EXPECT_NEAR(from_rollups.energy[i], from_raw.energy[i], 1e-9) << "hour " << i;
}
EXPECT_NEAR(total_raw, 72 * 6.0, 1e-9);
EXPECT_NEAR(total_rollups, total_raw, 1e-9);
}  // namespace citypulse::testing

TEST_F(LedgerTest, TheReadingThatEndsALongGapRewritesTheGap) {
  // Readings for a day, then nothing for three days (beyond the 48 h the
  // ledger looks in hourly rollups), then one reading.
  auto day = quarter_hours(24, [](int) { return false; });
  import(day);
  refresh(kT0, kT0 + 24 * kHour);
  const TimeMs later = kT0 + 96 * kHour;
  import({{ point_.id, later, 100 + 1.5 * 96 + 72 * 6, 0 }});
  refresh(later - kHour, later + kHour);
  expect_ledger_equals_readings(kT0, later);
  auto gap = ok(ledger_->hours(point_.id, kT0 + 24 * kHour, later));
  double spread = 0;
  for (std::size_t i = 0; i < gap.energy.size(); ++i) {
    EXPECT_EQ(gap.state[i], energy::HourState::estimated) << i;
    spread += gap.energy[i];
  }
  EXPECT_NEAR(spread, 72 * 6.0, 1e-9);
}

}  // namespace
}  // namespace citypulse::testing
