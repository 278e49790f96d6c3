// Energy accounting on the real binary: meter settings through the API
// (checked, versioned, scoped), history imported over HTTP reaching the
// hourly ledger, and consumption in local days, including the 23-hour day of
// the spring clock change, a counter's rollover, reset and gap, a meter
// replacement recorded afterwards, live power readings, and bad requests.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "admin_api.h"
#include "core/calendar.h"
#include "core/time.h"
#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
// Local midnight of 28 March 2026 in Berlin (CET, +01:00); the clocks go
// forward on the 29th, so Berlin's 28th has 24 hours, the 29th 23, the 30th 24.
const std::int64_t kT0 = *parse_rfc3339("2026-03-27T23:00:00Z");
constexpr int kSteps = 284;  // 71 hours of quarter-hours

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}

// The member a problem names (invalid_params[0].name), or "".
std::string field_of(const std::string& problem) {
  const auto body = parse(problem);
  const auto* params = body.if_contains("invalid_params");
  if (!params || params->as_array().empty()) return "";
  return std::string(params->as_array()[0].at("name").as_string());
}

// Rows "time,value" of the quarter-hourly readings k in [0, kSteps] (except
// those `skip` leaves out), each `value(k)`.
std::string csv(
    const std::function<double(int)>& value,
    const std::function<bool(int)>& skip = [](int) { return false; }) {
  std::string out = "timestamp,value\n";
  for (int k = 0; k <= kSteps; ++k)
    if (!skip(k))
      out += format_rfc3339(kT0 + k * 15 * kMinute) + "," + std::to_string(value(k)) + "\n";
  return out;
}

class Energy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*admin_, "tenants", {{"name", "Energy Town"}});
    other_tenant_ = create_record(*admin_, "tenants", {{"name", "Elsewhere"}});
    building_ = create_record(*admin_, "buildings",
                              {{"tenant_id", tenant_}, {"name", "School"}, {"type", "school"}});
    other_building_ =
        create_record(*admin_, "buildings",
                      {{"tenant_id", other_tenant_}, {"name", "Depot"}, {"type", "office"}});
    electricity_ = point(building_, "Main meter", "energy", "kWh");
    heat_ = point(building_, "Heat meter", "energy", "MWh");
    power_ = point(building_, "Pump power", "power", "kW");
    temperature_ = point(building_, "Hall temperature", "temperature", "°C");
    foreign_ = point(other_building_, "Depot meter", "energy", "kWh");
  }

  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    admin_.reset();
    server_.reset();
    tmp_.reset();
  }

  void SetUp() override { ASSERT_TRUE(started_) << server_->output(); }

  static std::int64_t point(std::int64_t building, const std::string& name,
                            const std::string& quantity, const std::string& unit) {
    return create_record(*admin_, "points",
                         {{"building_id", building},
                          {"name", name},
                          {"kind", "sensor"},
                          {"quantity", quantity},
                          {"unit", unit}});
  }

  static std::string meter_path(std::int64_t point) {
    return "/api/v1/points/" + std::to_string(point) + "/meter";
  }

  static void import(std::int64_t point, const std::string& rows) {
    auto r = admin_->request("POST", "/api/v1/points/" + std::to_string(point) + "/import", rows,
                             {{"Content-Type", "text/csv"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static std::string days(const std::string& scope, std::int64_t id) {
    return "/api/v1/analytics/consumption?scope=" + scope + "&id=" + std::to_string(id) +
           "&from=2026-03-28T00:00:00%2B01:00&to=2026-03-31T00:00:00%2B02:00&interval=day";
  }

  // Asks `target` until `ready` holds for the answer (the ledger takes in an
  // import within moments), at most 30 s; the last answer.
  static json::object poll(const std::string& target,
                           const std::function<bool(const json::object&)>& ready) {
    json::object last;
    for (int i = 0; i < 300; ++i) {
      auto r = admin_->get(target);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) return last;
      last = parse(r.body);
      if (ready(last)) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << target << " never got ready: " << json::serialize(last);
    return last;
  }

  static double day_value(const json::object& answer, std::size_t series, std::size_t day) {
    return answer.at("series")
        .as_array()
        .at(series)
        .at("buckets")
        .as_array()
        .at(day)
        .at("value")
        .to_number<double>();
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  static inline std::unique_ptr<HttpClient> admin_;
  static inline std::int64_t tenant_ = 0, other_tenant_ = 0, building_ = 0, other_building_ = 0;
  static inline std::int64_t electricity_ = 0, heat_ = 0, power_ = 0, temperature_ = 0,
                             foreign_ = 0;
};

TEST_F(Energy, BadSettingsAreRefusedAndStoreNothing) {
  struct Case {
    std::int64_t point;
    std::string body;
    std::string field;
  };
  const Case cases[] = {
      {electricity_, R"({"kind":"counter","medium":"steam"})", "/medium"},
      {electricity_, R"({"kind":"meter","medium":"heat"})", "/kind"},
      {electricity_, R"({"medium":"heat"})", "/kind"},
      {electricity_, R"({"kind":"counter","medium":"heat","colour":"red"})", "/colour"},
      {electricity_, R"({"kind":"counter","medium":"heat","max_gap_minutes":0})",
       "/max_gap_minutes"},
      {electricity_, R"({"kind":"counter","medium":"heat","wrap_value":-1})", "/wrap_value"},
      {electricity_,
       R"({"kind":"counter","medium":"heat","replacements":[{"at":"2026-03-02T00:00:00Z","old_final":5},{"at":"2026-03-01T00:00:00Z","old_final":6}]})",
       "/replacements/1/at"},
      {electricity_, R"({"kind":"counter","medium":"heat","replacements":[{"old_final":5}]})",
       "/replacements/0/at"},
      {power_, R"({"kind":"counter","medium":"electricity"})", "/kind"},  // kW is no counter
      {temperature_, R"({"kind":"counter","medium":"heat"})", "/kind"},
      {electricity_, R"({"kind":"counter","medium":"water"})", "/kind"},  // water is no kWh
  };
  for (const auto& c : cases) {
    auto r = admin_->put(meter_path(c.point), c.body);
    EXPECT_EQ(r.status, 422) << c.body << ": " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << c.body;
    if (r.status == 422) {
      EXPECT_EQ(field_of(r.body), c.field) << r.body;
    }
    EXPECT_EQ(admin_->get(meter_path(c.point)).status, 404) << c.body;
  }
  EXPECT_EQ(admin_->put(meter_path(electricity_), "{not json").status, 400);
  EXPECT_EQ(admin_->put(meter_path(999999), R"({"kind":"counter","medium":"heat"})").status, 404);
  EXPECT_EQ(admin_->get(meter_path(electricity_) + "?x=1").status, 400);
}

TEST_F(Energy, SettingsAreVersionedAndScoped) {
  const std::string path = meter_path(foreign_);
  auto created = admin_->put(path, R"({"kind":"counter","medium":"electricity"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("ETag"), "\"1\"");
  const auto body = parse(created.body);
  EXPECT_EQ(body.at("gap_policy"), "spread");
  EXPECT_EQ(body.at("max_gap_minutes"), 120);
  EXPECT_EQ(body.at("unit"), "kWh");
  EXPECT_EQ(body.at("accounting_unit"), "kWh");
  EXPECT_EQ(body.at("building_id"), other_building_);

  auto stale = admin_->request("PUT", path, R"({"kind":"counter","medium":"heat"})",
                               {{"If-Match", "\"7\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(parse(admin_->get(path).body).at("medium"), "electricity");
  auto replaced = admin_->request("PUT", path, R"({"kind":"counter","medium":"heat"})",
                                  {{"If-Match", "\"1\""}});
  EXPECT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.header("ETag"), "\"2\"");

  // A user of the first tenant sees neither the settings nor the consumption.
  create_record(*admin_, "users",
                {{"email", "manager@energy.test"},
                 {"password", "a-long-test-passphrase"},
                 {"role", "energy_manager"},
                 {"tenant_id", tenant_}});
  HttpClient manager(server_->port());
  ASSERT_EQ(manager.sign_in("manager@energy.test", "a-long-test-passphrase").status, 200);
  EXPECT_EQ(manager.get(path).status, 404);
  EXPECT_EQ(manager.put(path, R"({"kind":"counter","medium":"heat"})").status, 404);
  EXPECT_EQ(manager.get(days("meter", foreign_)).status, 404);
  EXPECT_EQ(manager.get(days("building", other_building_)).status, 404);
  EXPECT_EQ(manager.get(days("tenant", other_tenant_)).status, 404);
  // A viewer reads consumption but changes no settings.
  create_record(*admin_, "users",
                {{"email", "viewer@energy.test"},
                 {"password", "a-long-test-passphrase"},
                 {"role", "viewer"},
                 {"tenant_id", tenant_}});
  HttpClient viewer(server_->port());
  ASSERT_EQ(viewer.sign_in("viewer@energy.test", "a-long-test-passphrase").status, 200);
  EXPECT_EQ(viewer.put(meter_path(electricity_), R"({"kind":"counter","medium":"heat"})").status,
            403);
  EXPECT_EQ(viewer.get(days("building", building_)).status, 200);

  auto gone = admin_->request("DELETE", path, {}, {{"If-Match", "\"1\""}});
  EXPECT_EQ(gone.status, 412);
  EXPECT_EQ(admin_->del(path).status, 204);
  EXPECT_EQ(admin_->get(path).status, 404);
  EXPECT_EQ(admin_->get(days("meter", foreign_)).status, 404);
}

// A kWh counter read every quarter-hour that counts 1 kWh per reading: it
// passes its wrap value of 100,000 on the 28th, is reset on the 29th and
// misses 3¼ hours of readings on the 30th. Every day is exactly 4 kWh per
// hour: 96, 92 (the clocks went forward) and 96, the gap's hours estimated.
TEST_F(Energy, CounterDaysAcrossTheClockChange) {
  auto put = admin_->put(meter_path(electricity_),
                         R"({"kind":"counter","medium":"electricity","wrap_value":100000})");
  ASSERT_EQ(put.status, 201) << put.body;
  import(electricity_,
         csv([](int k) { return k < 150 ? (99'900 + k) % 100'000 : k - 149;
},
             [](int k) {
  return k >= 250 && k < 262; }));
const auto answer = poll(days("meter", electricity_), [](const json::object& a) {
  const auto& s = a.at("series").as_array();
  return !s.empty() && s[0].at("unknown_hours").to_number<double>() == 0;
});
ASSERT_EQ(answer.at("timezone"), "Europe/Berlin");
EXPECT_EQ(answer.at("from"), "2026-03-27T23:00:00.000Z");
EXPECT_EQ(answer.at("to"), "2026-03-30T22:00:00.000Z");
const auto& series = answer.at("series").as_array();
ASSERT_EQ(series.size(), 1u);
EXPECT_EQ(series[0].at("medium"), "electricity");
const auto& buckets = series[0].at("buckets").as_array();
ASSERT_EQ(buckets.size(), 3u);
const double expected[] = {96, 92, 96}, hours[] = {24, 23, 24}, estimated[] = {0, 0, 4};
for (std::size_t d = 0; d < 3; ++d) {
  EXPECT_NEAR(buckets[d].at("value").to_number<double>(), expected[d], 1e-9) << d;
  EXPECT_EQ(buckets[d].at("hours").to_number<double>(), hours[d]) << d;
  EXPECT_EQ(buckets[d].at("unknown_hours").to_number<double>(), 0) << d;
  EXPECT_EQ(buckets[d].at("estimated_hours").to_number<double>(), estimated[d]) << d;
}
EXPECT_NEAR(series[0].at("total").to_number<double>(), 284, 1e-9);

// The same hours by hour: 4 kWh each, 71 of them.
auto hourly =
    admin_->get("/api/v1/analytics/consumption?scope=meter&id=" + std::to_string(electricity_) +
                "&from=2026-03-27T23:00:00Z&to=2026-03-30T22:00:00Z&interval=hour");
ASSERT_EQ(hourly.status, 200) << hourly.body;
const auto hours_of_answer = parse(hourly.body);
const auto& hours_of = hours_of_answer.at("series").as_array().at(0).at("buckets").as_array();
ASSERT_EQ(hours_of.size(), 71u);
for (const auto& h : hours_of) EXPECT_NEAR(h.at("value").to_number<double>(), 4, 1e-9);
}  // namespace

// A heat meter in MWh is exchanged on the 29th; until the exchange is
// recorded, the new meter's start reading counts as a reset (a spike of its
// whole reading); once recorded, the ledger is recomputed and the spike is
// gone.
TEST_F(Energy, ARecordedReplacementRecomputesTheLedger) {
  ASSERT_EQ(admin_->put(meter_path(heat_), R"({"kind":"counter","medium":"heat"})").status, 201);
  // 0.002 MWh (2 kWh) a quarter-hour; the old meter stops at 51.198 MWh, the
  // new one starts at 0.01 and is read first at 0.011.
  import(heat_, csv([](int k) { return k < 100 ? 51.0 + 0.002 * k : 0.011 + 0.002 * (k - 100);
}));
const std::string target = days("meter", heat_);
auto before = poll(target, [](const json::object& a) {
  const auto& s = a.at("series").as_array();
  return !s.empty() && s[0].at("unknown_hours").to_number<double>() == 0;
});
// Reading 100 falls on the 29th (Berlin); the reset counts 11 kWh, not 2.
EXPECT_NEAR(day_value(before, 0, 0), 192, 1e-6);
EXPECT_NEAR(day_value(before, 0, 1), 184 + 9, 1e-6);

const std::string exchanged = R"({"kind":"counter","medium":"heat","replacements":[{"at":")" +
                              format_rfc3339(kT0 + 100 * 15 * kMinute - 7 * kMinute) +
                              R"(","old_final":51.199,"new_start":0.010}]})";
auto put = admin_->put(meter_path(heat_), exchanged);
ASSERT_EQ(put.status, 200) << put.body;
auto after =
    poll(target, [](const json::object& a) { return std::abs(day_value(a, 0, 1) - 184) < 1e-6; });
EXPECT_NEAR(day_value(after, 0, 0), 192, 1e-6);
EXPECT_NEAR(day_value(after, 0, 2), 192, 1e-6);
}  // namespace citypulse::test

// Power read live every five minutes over the last three hours: the whole
// hours in between hold 12 kWh each at 12 kW, at once (no waiting), and the
// building sums its media apart.
TEST_F(Energy, LivePowerIsInTheAnswerAtOnce) {
  ASSERT_EQ(admin_->put(meter_path(power_), R"({"kind":"power","medium":"electricity"})").status,
            201);
  // Give the meter's first whole pass a moment, so the readings below are
  // live ones arriving at a meter already known.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::int64_t now = now_ms();
  const std::int64_t hour = now - now % kHour;
  // Readings belong to a tenant: its key writes them.
  HttpClient writer(server_->port());
  writer.set_authorization("ApiKey " +
                           new_api_key(*admin_, tenant_, json::array{"readings:write"}));
  for (std::int64_t t = hour - 3 * kHour; t <= now - kMinute; t += 5 * kMinute)
    write_reading(writer, power_, t, 12.0);
  auto r = admin_->get("/api/v1/analytics/consumption?scope=meter&id=" + std::to_string(power_) +
                       "&from=" + format_rfc3339(hour - 3 * kHour) +
                       "&to=" + format_rfc3339(hour - kHour) + "&interval=hour");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto buckets_answer = parse(r.body);
  const auto& buckets = buckets_answer.at("series").as_array().at(0).at("buckets").as_array();
  ASSERT_EQ(buckets.size(), 2u);
  for (const auto& b : buckets) {
    EXPECT_NEAR(b.at("value").to_number<double>(), 12, 1e-9) << r.body;
    EXPECT_EQ(b.at("unknown_hours").to_number<double>(), 0) << r.body;
  }
}

// A building of its own with two electricity meters (1 and 2 kWh a
// quarter-hour) and a heat meter (3 kWh): the building has one series per
// medium, the tenant by building the same, in a March bucket.
TEST_F(Energy, BuildingAndTenantSumTheirMeters) {
  const auto library = create_record(
      *admin_, "buildings", {{"tenant_id", tenant_}, {"name", "Library"}, {"type", "library"}});
  const double rates[] = {1, 2, 3};
  const char* media[] = {"electricity", "electricity", "heat"};
  for (int i = 0; i < 3; ++i) {
    const auto p = point(library, "Library meter " + std::to_string(i), "energy", "kWh");
    ASSERT_EQ(
        admin_
            ->put(meter_path(p), std::string(R"({"kind":"counter","medium":")") + media[i] + "\"}")
            .status,
        201);
    import(p, csv([rate = rates[i]](int k) { return 1000 + rate * k;
  }));
}
auto building = poll(days("building", library), [](const json::object& a) {
  const auto& s = a.at("series").as_array();
  return s.size() == 2 && s[0].at("unknown_hours").to_number<double>() == 0 &&
         s[1].at("unknown_hours").to_number<double>() == 0;
});
const auto& series = building.at("series").as_array();
ASSERT_EQ(series.size(), 2u);
EXPECT_EQ(series[0].at("medium"), "electricity");
EXPECT_EQ(series[0].at("meters").as_array().size(), 2u);
EXPECT_EQ(series[1].at("medium"), "heat");
EXPECT_EQ(series[0].at("building_id"), library);
const double hours[] = {24, 23, 24};
for (std::size_t d = 0; d < 3; ++d) {
  EXPECT_NEAR(day_value(building, 0, d), 12 * hours[d], 1e-9) << d;
  EXPECT_NEAR(day_value(building, 1, d), 12 * hours[d], 1e-9) << d;
}

auto by = admin_->get("/api/v1/analytics/consumption?scope=tenant&id=" + std::to_string(tenant_) +
                      "&from=2026-03-28T00:00:00%2B01:00&to=2026-03-31T00:00:00%2B02:00"
                      "&interval=month&by=building&medium=heat");
ASSERT_EQ(by.status, 200) << by.body;
const auto answer = parse(by.body);
EXPECT_EQ(answer.at("interval"), "month");
EXPECT_EQ(answer.at("from"), "2026-02-28T23:00:00.000Z");
EXPECT_EQ(answer.at("to"), "2026-03-31T22:00:00.000Z");
int found = 0;
for (const auto& s : answer.at("series").as_array()) {
  EXPECT_EQ(s.at("medium"), "heat");
  if (s.at("building_id") != library) continue;
  ++found;
  const auto& buckets = s.at("buckets").as_array();
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_NEAR(buckets[0].at("value").to_number<double>(), 12 * 71, 1e-9);
  EXPECT_EQ(buckets[0].at("hours").to_number<double>(), 743);
  EXPECT_EQ(buckets[0].at("unknown_hours").to_number<double>(), 743 - 71);
}
EXPECT_EQ(found, 1);
}

// A town hall whose electricity (4 kWh an hour) is priced flat at 0.30 EUR
// with 31 EUR a month fixed (1 EUR a March day) and 10 EUR per kW of the
// month's hourly peak (4 kW), and carbon at the default German grid factor.
TEST_F(Energy, ABuildingsTariffPricesItsDays) {
  const auto hall = create_record(
      *admin_, "buildings", {{"tenant_id", tenant_}, {"name", "Town hall"}, {"type", "town_hall"}});
  const auto main = point(hall, "Town hall meter", "energy", "kWh");
  ASSERT_EQ(admin_->put(meter_path(main), R"({"kind":"counter","medium":"electricity"})").status,
            201);
  import(main, csv([](int k) { return 500.0 + k;
}));
const std::string settings_path = "/api/v1/buildings/" + std::to_string(hall) + "/energy";
auto put = admin_->put(settings_path, R"({"tariffs":{"electricity":[
      {"valid_from":"2026-01-01","currency":"EUR","kind":"flat","price_per_kwh":0.30,
       "fixed_per_month":31,"demand":{"price_per_kw":10,"interval_minutes":60}}]}})");
ASSERT_EQ(put.status, 201) << put.body;
EXPECT_EQ(put.header("ETag"), "\"1\"");
EXPECT_EQ(parse(put.body).at("heating_limit_c").to_number<double>(), 15);

const auto days_answer = poll(days("building", hall), [](const json::object& a) {
  const auto& s = a.at("series").as_array();
  return !s.empty() && s[0].at("unknown_hours").to_number<double>() == 0;
});
const auto& series = days_answer.at("series").as_array().at(0).as_object();
EXPECT_EQ(series.at("currency"), "EUR");
const auto& buckets = series.at("buckets").as_array();
ASSERT_EQ(buckets.size(), 3u);
const double kwh[] = {96, 92, 96};
for (std::size_t d = 0; d < 3; ++d) {
  EXPECT_NEAR(buckets[d].at("cost").to_number<double>(), kwh[d] * 0.30 + 1, 1e-9) << d;
  EXPECT_NEAR(buckets[d].at("co2_kg").to_number<double>(), kwh[d] * 0.380, 1e-9) << d;
}
// The demand charge is the month's: in the total, not in a day.
EXPECT_NEAR(series.at("cost_total").to_number<double>(), 284 * 0.30 + 3 + 40, 1e-9);
EXPECT_NEAR(series.at("co2_kg_total").to_number<double>(), 284 * 0.380, 1e-9);
const auto& demand = series.at("demand").as_array();
ASSERT_EQ(demand.size(), 1u);
EXPECT_NEAR(demand[0].at("peak_kw").to_number<double>(), 4, 1e-9);
EXPECT_NEAR(demand[0].at("cost").to_number<double>(), 40, 1e-9);
EXPECT_EQ(demand[0].at("month"), "2026-02-28T23:00:00.000Z");

// By month the demand charge is in March's bucket.
auto month = admin_->get("/api/v1/analytics/consumption?scope=building&id=" + std::to_string(hall) +
                         "&from=2026-03-28T00:00:00%2B01:00&to=2026-03-31T00:00:00%2B02:00"
                         "&interval=month");
ASSERT_EQ(month.status, 200) << month.body;
const auto march_answer = parse(month.body);
const auto& march = march_answer.at("series").as_array().at(0);
EXPECT_NEAR(march.at("buckets").as_array().at(0).at("cost").to_number<double>(),
            284 * 0.30 + 3 + 40, 1e-9);
EXPECT_NEAR(march.at("cost_total").to_number<double>(), 284 * 0.30 + 3 + 40, 1e-9);

// Bad settings name the member and change nothing.
struct Case {
  std::string body;
  std::string field;
};
const Case bad[] = {
    {R"({"tariffs":{"electricity":[{"valid_from":"2026-01-01","currency":"EUR","kind":"time_of_use",
          "windows":[{"weekdays":["mon","tue","wed","thu","fri"],"start":"06:00","end":"22:00","price_per_kwh":0.3}]}]}})",
     "/tariffs/electricity/0/windows"},
    {R"({"tariffs":{"electricity":[{"valid_from":"2026-02-30","currency":"EUR","kind":"flat","price_per_kwh":0.3}]}})",
     "/tariffs/electricity/0/valid_from"},
    {R"({"tariffs":{"electricity":[{"valid_from":"2026-01-01","currency":"euro","kind":"flat","price_per_kwh":0.3}]}})",
     "/tariffs/electricity/0/currency"},
    {R"({"tariffs":{"electricity":[{"valid_from":"2026-01-01","currency":"EUR","kind":"flat","price_per_kwh":0.3,"windows":[]}]}})",
     "/tariffs/electricity/0/windows"},
    {R"({"budgets":[{"medium":"electricity","year":2026,"planned_kwh":1000},{"medium":"electricity","year":2026,"planned_kwh":2000}]})",
     "/budgets/1"},
    {R"({"budgets":[{"medium":"heat","year":2026,"planned_cost":1000}]})",
     "/budgets/0/planned_cost"},
    {R"({"carbon":{"heat":{}}})", "/carbon/heat/kg_per_kwh"},
    {"{\"outdoor_temperature_point\":" + std::to_string(main) + "}", "/outdoor_temperature_point"},
    {"{\"outdoor_temperature_point\":" + std::to_string(foreign_) + "}",
     "/outdoor_temperature_point"},
    {"{\"window_contact_points\":[" + std::to_string(main) + "]}", "/window_contact_points/0"},
    {R"({"window_contact_points":[0]})", "/window_contact_points/0"},
    {R"({"window_contact_points":3})", "/window_contact_points"},
    {R"({"colour":"red"})", "/colour"},
};
for (const auto& c : bad) {
  auto r = admin_->put(settings_path, c.body);
  EXPECT_EQ(r.status, 422) << c.body << ": " << r.body;
  if (r.status == 422) {
    EXPECT_EQ(field_of(r.body), c.field) << r.body;
  }
}
auto kept = admin_->get(settings_path);
ASSERT_EQ(kept.status, 200);
EXPECT_EQ(kept.header("ETag"), "\"1\"");
EXPECT_EQ(admin_->request("PUT", settings_path, "{}", {{"If-Match", "\"3\""}}).status, 412);
EXPECT_EQ(admin_->del(settings_path).status, 204);
EXPECT_EQ(admin_->get(settings_path).status, 404);
// Without tariffs there is no cost, but the default carbon factor stays.
auto plain = admin_->get(days("building", hall));
ASSERT_EQ(plain.status, 200);
const auto unpriced_answer = parse(plain.body);
const auto& unpriced = unpriced_answer.at("series").as_array().at(0).as_object();
EXPECT_FALSE(unpriced.contains("currency"));
EXPECT_NEAR(unpriced.at("co2_kg_total").to_number<double>(), 284 * 0.380, 1e-9);
}

// A school's electricity budget for 2026 (250 kWh, 10 % margin; 100 EUR)
// against the 284 kWh of March and their cost (85.20 EUR of energy and the
// fixed 31 EUR of each month begun: all twelve, as the bill charges them
// whether or not the meter was read): over on both, with nothing to
// forecast from (this runs in December 2026 or later).
TEST_F(Energy, BudgetsCompareTheYearWithThePlan) {
  const auto school =
      create_record(*admin_, "buildings",
                    {{"tenant_id", tenant_}, {"name", "Budget school"}, {"type", "school"}});
  const auto main = point(school, "Budget school meter", "energy", "kWh");
  ASSERT_EQ(admin_->put(meter_path(main), R"({"kind":"counter","medium":"electricity"})").status,
            201);
  import(main, csv([](int k) { return 20.0 + k;
}));
const std::string settings_path = "/api/v1/buildings/" + std::to_string(school) + "/energy";
ASSERT_EQ(admin_
              ->put(settings_path, R"({
      "tariffs":{"electricity":[{"valid_from":"2026-01-01","currency":"EUR","kind":"flat",
                                 "price_per_kwh":0.30,"fixed_per_month":31}]},
      "budgets":[{"medium":"electricity","year":2026,"planned_kwh":250,"planned_cost":100,
                  "margin":0.1}]})")
              .status,
          201);
poll(days("building", school), [](const json::object& a) {
  const auto& s = a.at("series").as_array();
  return !s.empty() && s[0].at("unknown_hours").to_number<double>() == 0;
});
auto r = admin_->get("/api/v1/analytics/budgets?year=2026&building_id=" + std::to_string(school));
ASSERT_EQ(r.status, 200) << r.body;
const auto items_answer = parse(r.body);
const auto& items = items_answer.at("items").as_array();
ASSERT_EQ(items.size(), 1u) << r.body;
const auto& b = items[0].as_object();
EXPECT_EQ(b.at("medium"), "electricity");
EXPECT_EQ(b.at("currency"), "EUR");
EXPECT_EQ(b.at("forecast"), "none") << r.body;
EXPECT_EQ(b.at("over_budget"), true);
EXPECT_NEAR(b.at("energy").at("actual_to_date").to_number<double>(), 284, 1e-9);
EXPECT_NEAR(b.at("energy").at("limit").to_number<double>(), 275, 1e-9);
EXPECT_EQ(b.at("energy").at("over"), true);
// Without a shape the annual plan is spread by days: January's 31 of 365.
const auto& months = b.at("energy").at("monthly_plan").as_array();
ASSERT_EQ(months.size(), 12u);
EXPECT_NEAR(months[0].to_number<double>(), 250.0 * 31 / 365, 1e-9);
EXPECT_NEAR(months[1].to_number<double>(), 250.0 * 28 / 365, 1e-9);
EXPECT_NEAR(b.at("cost").at("monthly_plan").as_array()[11].to_number<double>(), 100.0 * 31 / 365,
            1e-9);
// The projection by month: all of the readings' 284 kWh in March, nothing
// forecast; the cost's months each with their fixed charge; both sum to
// the projection.
for (const char* q : {"energy", "cost"}) {
  const auto& projected = b.at(q).at("monthly_projection").as_array();
  ASSERT_EQ(projected.size(), 12u);
  double sum = 0;
  for (const auto& m : projected) sum += m.to_number<double>();
  EXPECT_NEAR(sum, b.at(q).at("projection").to_number<double>(), 1e-9) << q;
}
const auto& energy_months = b.at("energy").at("monthly_projection").as_array();
EXPECT_NEAR(energy_months[2].to_number<double>(), 284, 1e-9);
EXPECT_NEAR(energy_months[3].to_number<double>(), 0, 1e-9);
EXPECT_NEAR(b.at("cost").at("monthly_projection").as_array()[2].to_number<double>(),
            284 * 0.30 + 31, 1e-9);
EXPECT_NEAR(b.at("cost").at("actual_to_date").to_number<double>(), 284 * 0.30 + 12 * 31, 1e-9);
EXPECT_GT(b.at("unknown_intervals").to_number<double>(), 0);  // the rest of the year's hours

EXPECT_EQ(admin_->get("/api/v1/analytics/budgets?year=1999").status, 400);
EXPECT_EQ(admin_->get("/api/v1/analytics/budgets?building_id=999999").status, 404);
auto none =
    admin_->get("/api/v1/analytics/budgets?year=2030&building_id=" + std::to_string(school));
ASSERT_EQ(none.status, 200);
EXPECT_TRUE(parse(none.body).at("items").as_array().empty());
}

// A budget of this year that the projection overruns: the server makes the
// budget's projection point and its rule, writes the projection as a share of
// the limit, and the alarm is raised; a budget raised far above the use
// clears it. Readings of the last three days, so that "this year" is the
// clock's.
TEST_F(Energy, ABudgetOverrunRaisesAnAlarm) {
  const auto hall =
      create_record(*admin_, "buildings",
                    {{"tenant_id", tenant_}, {"name", "Sports hall"}, {"type", "sports_hall"}});
  const auto main = point(hall, "Sports hall meter", "energy", "kWh");
  ASSERT_EQ(admin_->put(meter_path(main), R"({"kind":"counter","medium":"electricity"})").status,
            201);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const std::int64_t start = now - now % kHour - 72 * kHour;
  std::string rows = "timestamp,value\n";
  for (int h = 0; h <= 72; ++h)
    rows += format_rfc3339(start + h * kHour) + "," + std::to_string(1000 + 10 * h) + "\n";
  import(main, rows);
  const auto year = civil_from_days(now / 86'400'000).year;
  // Start of this year is at most 72 h back in the first days of January:
  // the readings then count in part, still far over a plan of 100 kWh.
  const std::string settings_path = "/api/v1/buildings/" + std::to_string(hall) + "/energy";
  const auto budget = [&](double kwh) {
    return fmt::format(
        R"({{"budgets":[{{"medium":"electricity","year":{},"planned_kwh":{},"margin":0.1}}]}})",
        year, kwh);
  };
  ASSERT_EQ(admin_->put(settings_path, budget(100)).status, 201);
  const auto with_key =
      poll("/api/v1/points?tag=energy-budget&building_id=" + std::to_string(hall),
           [](const json::object& a) { return !a.at("items").as_array().empty(); });
  const auto& projection_point = with_key.at("items").as_array().at(0).as_object();
  const auto projection_id = projection_point.at("id").as_int64();
  EXPECT_EQ(projection_point.at("building_id"), hall);
  EXPECT_EQ(projection_point.at("unit"), "%");
  EXPECT_EQ(projection_point.at("key").as_string(),
            "energy.budget." + std::to_string(hall) + ".electricity");

  const std::string alarms = "/api/v1/alarms?point_id=" + std::to_string(projection_id);
  const auto raised =
      poll(alarms, [](const json::object& a) { return !a.at("items").as_array().empty(); });
  const auto& alarm = raised.at("items").as_array().at(0).as_object();
  EXPECT_EQ(alarm.at("condition"), true);
  EXPECT_EQ(alarm.at("severity"), "warning");
  EXPECT_EQ(alarm.at("building_id"), hall);
  // The value is the projection against the limit, as the budgets say.
  auto b = admin_->get("/api/v1/analytics/budgets?year=" + std::to_string(year) +
                       "&building_id=" + std::to_string(hall));
  ASSERT_EQ(b.status, 200) << b.body;
  const auto answer = parse(b.body);
  const auto& energy = answer.at("items").as_array().at(0).at("energy").as_object();
  EXPECT_EQ(energy.at("over"), true) << b.body;
  EXPECT_NEAR(
      alarm.at("value").to_number<double>(),
      100 * energy.at("projection").to_number<double>() / energy.at("limit").to_number<double>(),
      1e-6)
      << b.body;

  // The budget raised: the projection falls below its limit, the condition goes.
  auto current = admin_->get(settings_path);
  ASSERT_EQ(current.status, 200);
  ASSERT_EQ(
      admin_
          ->request("PUT", settings_path, budget(1e9),
                    {{"Content-Type", "application/json"}, {"If-Match", current.header("ETag")}})
          .status,
      200);
  const auto cleared = poll(alarms, [](const json::object& a) {
    return a.at("items").as_array().at(0).at("condition") == false;
  });
  EXPECT_EQ(cleared.at("items").as_array().at(0).at("condition"), false);
  const auto written = point_readings(*admin_, projection_id);
  ASSERT_FALSE(written.empty());
  EXPECT_LT(written.back().at("value").to_number<double>(), 100);
  // Over again, then the settings removed: the budget is gone, its point
  // goes to 0 and the alarm clears.
  current = admin_->get(settings_path);
  ASSERT_EQ(
      admin_
          ->request("PUT", settings_path, budget(100),
                    {{"Content-Type", "application/json"}, {"If-Match", current.header("ETag")}})
          .status,
      200);
  poll(alarms, [](const json::object& a) {
    return a.at("items").as_array().at(0).at("condition") == true;
  });
  ASSERT_EQ(admin_->del(settings_path).status, 204);
  poll(alarms, [](const json::object& a) {
    return a.at("items").as_array().at(0).at("condition") == false;
  });
  EXPECT_EQ(point_readings(*admin_, projection_id).back().at("value").to_number<double>(), 0);
  // One point and one rule for the budget, however often it is checked.
  auto points =
      admin_->get("/api/v1/points?building_id=" + std::to_string(hall) + "&tag=energy-budget");
  ASSERT_EQ(points.status, 200);
  EXPECT_EQ(parse(points.body).at("items").as_array().size(), 1u) << points.body;
}

// A hall of 1,000 m² on UTC read hourly through 2023 and 2024: 10 kWh of
// electricity an hour, and heat of exactly 24 kWh a day plus 10 kWh per
// degree day below 15 °C, with 2024 two kelvin milder. Normalised to the
// mean of the two years' degree days, the heating of each year is 24 kWh ×
// its days + 10 × that mean: the mild year's drop in raw EUI is the
// weather's, and the normalised change is only the leap day's.
TEST_F(Energy, BenchmarksNormaliseTheHeatingWithDegreeDays) {
  const auto hall = create_record(*admin_, "buildings",
                                  {{"tenant_id", tenant_},
                                   {"name", "Benchmark hall"},
                                   {"type", "sports_hall"},
                                   {"timezone", "UTC"},
                                   {"gross_floor_area_m2", 1000}});
  const auto power = point(hall, "Benchmark electricity", "energy", "kWh");
  const auto heat = point(hall, "Benchmark heat", "energy", "kWh");
  const auto outdoor = point(hall, "Benchmark outdoor", "temperature", "°C");
  ASSERT_EQ(admin_->put(meter_path(power), R"({"kind":"counter","medium":"electricity"})").status,
            201);
  ASSERT_EQ(admin_->put(meter_path(heat), R"({"kind":"counter","medium":"heat"})").status, 201);
  ASSERT_EQ(admin_
                ->put("/api/v1/buildings/" + std::to_string(hall) + "/energy",
                      R"({"outdoor_temperature_point":)" + std::to_string(outdoor) + "}")
                .status,
            201);
  const std::int64_t first_day = days_from_civil(2022, 12, 30),
                     end_day = days_from_civil(2025, 1, 3);
  const auto temperature = [](std::int64_t day) {
    const auto c = civil_from_days(day);
    const double season = 10 - 10 * std::cos(2 * M_PI * static_cast<double>(day % 365) / 365);
    // As the CSV writes it, to six decimals.
    return std::round((season + (c.year == 2024 ? 2 : 0)) * 1e6) / 1e6;
  };
  const auto hdd = [&](std::int64_t day) { return std::max(0.0, 15 - temperature(day)); };
  std::string e_rows = "timestamp,value\n", h_rows = e_rows, t_rows = e_rows;
  double e = 0, h = 0;
  for (std::int64_t day = first_day; day < end_day; ++day)
    for (int hour = 0; hour < 24; ++hour) {
      const auto t = format_rfc3339(day * 86'400'000 + hour * kHour);
      e_rows += t + "," + std::to_string(e) + "\n";
      h_rows += t + "," + fmt::format("{:.6f}", h) + "\n";
      t_rows += t + "," + fmt::format("{:.6f}", temperature(day)) + "\n";
      e += 10;
      h += (24 + 10 * hdd(day)) / 24;
    }
  import(power, e_rows);
  import(heat, h_rows);
  import(outdoor, t_rows);

  double hdd_2023 = 0, hdd_2024 = 0;
  for (std::int64_t day = days_from_civil(2023, 1, 1); day < days_from_civil(2024, 1, 1); ++day)
    hdd_2023 += hdd(day);
  for (std::int64_t day = days_from_civil(2024, 1, 1); day < days_from_civil(2025, 1, 1); ++day)
    hdd_2024 += hdd(day);
  const double reference = (hdd_2023 + hdd_2024) / 2;

  const auto answer = poll("/api/v1/analytics/benchmarks?from=2024-01", [&](const json::object& a) {
    for (const auto& b : a.at("buildings").as_array())
      if (b.at("building_id") == hall)
        return b.at("current").at("unknown_hours") == 0 &&
               b.at("previous").at("unknown_hours") == 0;
    return false;
  });
  EXPECT_EQ(answer.at("from"), "2024-01-01");
  EXPECT_EQ(answer.at("to"), "2025-01-01");
  EXPECT_EQ(answer.at("previous_from"), "2023-01-01");
  const json::object* found = nullptr;
  for (const auto& b : answer.at("buildings").as_array())
    if (b.at("building_id") == hall) found = &b.as_object();
  ASSERT_NE(found, nullptr);
  // The suite's other buildings have no weather point or no heat meter: they
  // say why as a code.
  for (const auto& other : answer.at("buildings").as_array()) {
    const auto& period = other.at("current").as_object();
    if (other.at("building_id") == hall || !period.at("eui_normalised").is_null()) continue;
    const auto reason = std::string(period.at("not_normalised_reason").as_string());
    EXPECT_TRUE(reason == "no_heating_meter" || reason == "no_weather_point") << reason;
  }
  const auto& b = *found;
  const auto num = [](const json::value& v) { return v.to_number<double>(); };
  EXPECT_EQ(b.at("heating_medium"), "heat");
  EXPECT_NEAR(num(b.at("reference_hdd")), reference, 1e-6);
  const auto& now = b.at("current").as_object();
  const auto& before = b.at("previous").as_object();
  EXPECT_EQ(now.at("hours"), 366 * 24);
  EXPECT_FALSE(now.contains("not_normalised_reason"));
  EXPECT_EQ(now.at("hours"), 366 * 24);
  EXPECT_FALSE(now.contains("not_normalised_reason"));
  EXPECT_NEAR(num(now.at("hdd")), hdd_2024, 1e-6);
  EXPECT_NEAR(num(before.at("hdd")), hdd_2023, 1e-6);
  EXPECT_NEAR(num(now.at("kwh").at("electricity")), 366 * 240, 1e-6);
  EXPECT_NEAR(num(now.at("kwh").at("heat")), 366 * 24 + 10 * hdd_2024, 1e-3);
  EXPECT_NEAR(num(before.at("kwh").at("heat")), 365 * 24 + 10 * hdd_2023, 1e-3);
  const double eui_2024 = (366 * 240 + 366 * 24 + 10 * reference) / 1000;
  const double eui_2023 = (365 * 240 + 365 * 24 + 10 * reference) / 1000;
  EXPECT_NEAR(num(now.at("eui_normalised")), eui_2024, 1e-5);
  EXPECT_NEAR(num(before.at("eui_normalised")), eui_2023, 1e-5);
  EXPECT_NEAR(num(now.at("eui")), (366 * 264 + 10 * hdd_2024) / 1000, 1e-5);
  EXPECT_NEAR(num(b.at("change_normalised")), eui_2024 / eui_2023 - 1, 1e-6);
  // The mild year looks like a saving before the normalisation.
  EXPECT_LT(num(b.at("change")), num(b.at("change_normalised")));
  // Its type's figures include it.
  bool typed = false;
  for (const auto& t : answer.at("types").as_array())
    if (t.at("type") == "sports_hall") {
      typed = true;
      EXPECT_GE(num(t.at("buildings")), 1);
      EXPECT_LE(num(t.at("min_eui")), eui_2024 + 1e-9);
      EXPECT_GE(num(t.at("max_eui")), eui_2024 - 1e-9);
    }
  EXPECT_TRUE(typed);

  // A given reference; bad queries.
  auto given = admin_->get("/api/v1/analytics/benchmarks?from=2024-01&reference_hdd=2000");
  ASSERT_EQ(given.status, 200) << given.body;
  EXPECT_EQ(parse(given.body).at("reference"), "given");
  for (const char* bad : {"from=2024-13", "from=24-01", "reference_hdd=0", "heating_base_c=x",
                          "colour=red", "from=2100-01"})
    EXPECT_EQ(admin_->get(std::string("/api/v1/analytics/benchmarks?") + bad).status, 400) << bad;
}

// An office read hourly for three weeks of January 2026: 100 kWh an hour on
// weekdays 08–18 (Berlin), 60 on weeknights, 30 at weekends. Its night load is
// high against its day and against its own weekends: base_load is found;
// the rules without their data say why they did not judge.
TEST_F(Energy, RecommendationsFindTheNightLoad) {
  const auto office = create_record(
      *admin_, "buildings", {{"tenant_id", tenant_}, {"name", "Office"}, {"type", "office"}});
  const auto main = point(office, "Office meter", "energy", "kWh");
  ASSERT_EQ(admin_->put(meter_path(main), R"({"kind":"counter","medium":"electricity"})").status,
            201);
  const std::int64_t start = *parse_rfc3339("2026-01-04T23:00:00Z");  // Monday 00:00 Berlin
  std::string rows = "timestamp,value\n";
  double reading = 10'000;
  for (int h = 0; h <= 21 * 24; ++h) {
    rows += format_rfc3339(start + h * kHour) + "," + std::to_string(reading) + "\n";
    const int day = h / 24, hour = h % 24;  // local: the zone is +01:00 all January
    const bool weekday = day % 7 < 5;
    reading += weekday && hour >= 8 && hour < 18 ? 100 : weekday ? 60 : 30;
  }
  import(main, rows);
  const std::string target =
      "/api/v1/analytics/recommendations?building_id=" + std::to_string(office) +
      "&from=2026-01-04T23:00:00Z&to=2026-01-25T23:00:00Z";
  json::object answer;
  for (int i = 0; i < 300; ++i) {
    auto r = admin_->get(target);
    ASSERT_EQ(r.status, 200) << r.body;
    answer = parse(r.body);
    if (answer.at("buildings").as_array().at(0).at("electricity_hours").to_number<double>() == 504)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto& building = answer.at("buildings").as_array().at(0).as_object();
  ASSERT_EQ(building.at("electricity_hours").to_number<double>(), 504) << json::serialize(answer);
  EXPECT_EQ(building.at("meters"), json::value(json::array{main}));
  const auto& findings = answer.at("findings").as_array();
  ASSERT_FALSE(findings.empty()) << json::serialize(answer);
  const auto& first = findings[0].as_object();
  EXPECT_EQ(first.at("kind"), "base_load") << json::serialize(answer);
  EXPECT_EQ(first.at("building_id"), office);
  EXPECT_EQ(first.at("priority"), 1);
  // Its evidence is drawn from the building's electricity meter.
  EXPECT_EQ(first.at("medium"), "electricity");
  EXPECT_EQ(first.at("point_ids"), json::value(json::array{main}));
  EXPECT_GT(first.at("per_year").at("kwh").to_number<double>(), 0);
  // Below what the office uses in a year (about 570 MWh).
  EXPECT_LT(first.at("per_year").at("kwh").to_number<double>(), 570'000);
  // The default German grid factor.
  EXPECT_NEAR(first.at("per_year").at("kg_co2").to_number<double>(),
              first.at("per_year").at("kwh").to_number<double>() * 0.380, 1e-6);
  for (const auto& e : first.at("evidence").as_array()) {
    EXPECT_GE(*parse_rfc3339(e.at("start").as_string()), start);
    EXPECT_LE(*parse_rfc3339(e.at("end").as_string()), start + 21 * 24 * kHour);
  }
  std::map<std::string, std::string> why;
  for (const auto& n : building.at("not_judged").as_array())
    why[std::string(n.at("kind").as_string())] = std::string(n.at("reason").as_string());
  EXPECT_EQ(why["peak_demand"], "no_demand_charge");
  EXPECT_EQ(why["load_shifting"], "no_price_series");
  EXPECT_EQ(why["plant_outside_occupancy"], "no_data");
  EXPECT_EQ(why["heating_windows_open"], "no_data");

  // Every building the caller sees, ranked together; this office among them.
  auto all = admin_->get(
      "/api/v1/analytics/recommendations?from=2026-01-04T23:00:00Z"
      "&to=2026-01-25T23:00:00Z");
  ASSERT_EQ(all.status, 200) << all.body;
  bool seen = false;
  const auto portfolio = parse(all.body);
  for (const auto& f : portfolio.at("findings").as_array())
    seen = seen || f.at("building_id") == office;
  EXPECT_TRUE(seen);
  EXPECT_EQ(admin_->get("/api/v1/analytics/recommendations?building_id=999999").status, 404);
  EXPECT_EQ(admin_->get("/api/v1/analytics/recommendations?colour=red").status, 400);
}

// A heated office on UTC through 2025 (the day's outdoor temperature
// 8 − 10 cos(2π (day − 15) / 365); heat 8 kW per kelvin below 15 °C in
// office hours, half of it outside them, plus 5 kW of hot water) with one
// window contact that reports open at 09:00 and closed at 13:00 on 2–29
// January: the contact's readings become the hours' open shares, and the
// heat above the hot-water base while it was open, half of it, is the
// finding.
TEST_F(Energy, RecommendationsSeeHeatingWithTheWindowOpen) {
  const auto office = create_record(
      *admin_, "buildings",
      {{"tenant_id", tenant_}, {"name", "Window office"}, {"type", "office"}, {"timezone", "UTC"}});
  const auto power = point(office, "Window office electricity", "energy", "kWh");
  const auto heat = point(office, "Window office heat", "energy", "kWh");
  const auto outdoor = point(office, "Window office outdoor", "temperature", "°C");
  const auto window = create_record(*admin_, "points",
                                    {{"building_id", office},
                                     {"name", "Window contact"},
                                     {"kind", "status"},
                                     {"quantity", "state"},
                                     {"unit", ""}});
  ASSERT_EQ(admin_->put(meter_path(power), R"({"kind":"counter","medium":"electricity"})").status,
            201);
  ASSERT_EQ(admin_->put(meter_path(heat), R"({"kind":"counter","medium":"heat"})").status, 201);
  ASSERT_EQ(admin_
                ->put("/api/v1/buildings/" + std::to_string(office) + "/energy",
                      "{\"outdoor_temperature_point\":" + std::to_string(outdoor) +
                          ",\"window_contact_points\":[" + std::to_string(window) + "]}")
                .status,
            201);
  const std::int64_t first_day = days_from_civil(2025, 1, 1);
  const auto temperature = [](int day) {
    return std::round((8 - 10 * std::cos(2 * M_PI * (day - 15) / 365)) * 1e6) / 1e6;
  };
  std::string e_rows = "timestamp,value\n", h_rows = e_rows, t_rows = e_rows, w_rows = e_rows;
  double e = 0, h = 0, above_base = 0;
  for (int day = 0; day <= 365; ++day) {
    const int weekday = static_cast<int>((first_day + day + 3) % 7);  // 0 Monday
    for (int hour = 0; hour < 24; ++hour) {
      const std::int64_t t = (first_day + day) * 86'400'000 + hour * kHour;
      e_rows += format_rfc3339(t) + "," + std::to_string(e) + "\n";
      h_rows += format_rfc3339(t) + "," + fmt::format("{:.6f}", h) + "\n";
      t_rows += format_rfc3339(t) + "," + fmt::format("{:.6f}", temperature(day)) + "\n";
      const bool occupied = weekday < 5 && hour >= 8 && hour < 18;
      const double heat_kwh = (occupied ? 1.0 : 0.5) * 8 * std::max(0.0, 15 - temperature(day)) + 5;
      e += occupied ? 100 : 20;
      h += heat_kwh;
      if (day >= 1 && day <= 28 && hour >= 9 && hour < 13) above_base += heat_kwh - 5;
    }
    if (day >= 1 && day <= 28) {
      w_rows += format_rfc3339((first_day + day) * 86'400'000 + 9 * kHour) + ",1\n";
      w_rows += format_rfc3339((first_day + day) * 86'400'000 + 13 * kHour) + ",0\n";
    } else if (day == 0) {
      w_rows += format_rfc3339(first_day * 86'400'000) + ",0\n";
    }
  }
  import(power, e_rows);
  import(heat, h_rows);
  import(outdoor, t_rows);
  import(window, w_rows);
  const std::string target =
      "/api/v1/analytics/recommendations?building_id=" + std::to_string(office) +
      "&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z";
  const auto answer = poll(target, [](const json::object& a) {
    const auto& b = a.at("buildings").as_array().at(0);
    return b.at("electricity_hours") == 8760 && b.at("heat_hours") == 8760;
  });
  const json::object* found = nullptr;
  for (const auto& f : answer.at("findings").as_array())
    if (f.at("kind") == "heating_windows_open") found = &f.as_object();
  ASSERT_NE(found, nullptr) << json::serialize(answer);
  EXPECT_EQ(found->at("medium"), "heat");
  EXPECT_EQ(found->at("point_ids"), json::value(json::array{heat}));
  double hours_open = -1;
  for (const auto& g : found->at("figures").as_array())
    if (g.at("name") == "hours_open_with_heat") hours_open = g.at("value").to_number<double>();
  EXPECT_EQ(hours_open, 28 * 4) << json::serialize(*found);
  EXPECT_NEAR(found->at("per_year").at("kwh").to_number<double>(), 0.5 * above_base,
              1e-6 * above_base)
      << json::serialize(*found);
}

// A building whose load follows the cold (20 + 3 kWh per K below 15 °C, 30
// more on weekdays 08–18, ±5 kWh of noise) for ten weeks from January, then
// uses 10 % less for two weeks with the same weather pattern: the baseline
// model sees the 10 % and says how sure it is. Without a weather point it
// says why not.
TEST_F(Energy, SavingsAgainstTheBaselineModel) {
  const auto depot = create_record(*admin_, "buildings",
                                   {{"tenant_id", tenant_}, {"name", "Depot"}, {"type", "depot"}});
  const auto main = point(depot, "Depot meter", "energy", "kWh");
  const auto outside = point(depot, "Outside", "temperature", "°C");
  ASSERT_EQ(admin_->put(meter_path(main), R"({"kind":"counter","medium":"electricity"})").status,
            201);
  const std::int64_t start = *parse_rfc3339("2026-01-04T23:00:00Z");  // Monday, Berlin
  constexpr int kBaselineDays = 70, kDays = 84;
  std::string energy = "timestamp,value\n", weather = "timestamp,value\n";
  double reading = 1000;
  for (int h = 0; h <= kDays * 24; ++h) {
    const int day = h / 24, hour = h % 24;
    const double t = 2 + 6 * std::sin(day * 0.9) + 3 * std::sin((hour - 9) * 3.14159 / 12);
    energy += format_rfc3339(start + h * kHour) + "," + std::to_string(reading) + "\n";
    weather += format_rfc3339(start + h * kHour) + "," + std::to_string(t) + "\n";
    const bool busy = day % 7 < 5 && hour >= 8 && hour < 18;
    const double noise =
        10.0 *
        (static_cast<double>((static_cast<std::uint64_t>(h) * 2654435761u) % 1000) / 1000 - 0.5);
    const double load = (busy ? 50 : 20) + 3 * std::max(0.0, 15 - t) + noise;
    reading += day < kBaselineDays ? load : 0.9 * load;
  }
  import(main, energy);
  import(outside, weather);
  const std::string target =
      "/api/v1/analytics/savings?id=" + std::to_string(depot) +
      "&baseline_from=2026-01-04T23:00:00Z&baseline_to=2026-03-15T23:00:00Z"
      "&reporting_from=2026-03-15T23:00:00Z&reporting_to=2026-03-29T22:00:00Z";
  poll("/api/v1/analytics/consumption?scope=building&id=" + std::to_string(depot) +
           "&from=2026-01-04T23:00:00Z&to=2026-03-29T22:00:00Z&interval=day",
       [](const json::object& a) {
         const auto& s = a.at("series").as_array();
         return !s.empty() && s[0].at("unknown_hours").to_number<double>() == 0;
       });
  auto before = admin_->get(target);
  ASSERT_EQ(before.status, 200) << before.body;
  const auto unjudged = parse(before.body);
  EXPECT_NE(unjudged.at("items").as_array().at(0).at("not_judged").as_string().find("temperature"),
            std::string::npos)
      << before.body;
  EXPECT_EQ(unjudged.at("items").as_array().at(0).at("reason"), "no_weather_point") << before.body;

  ASSERT_EQ(admin_
                ->put("/api/v1/buildings/" + std::to_string(depot) + "/energy",
                      "{\"outdoor_temperature_point\":" + std::to_string(outside) + "}")
                .status,
            201);
  auto r = admin_->get(target);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = parse(r.body);
  const auto& item = answer.at("items").as_array().at(0).as_object();
  ASSERT_FALSE(item.contains("not_judged")) << r.body;
  EXPECT_LT(item.at("baseline_fit").at("cvrmse").to_number<double>(), 0.1) << r.body;
  EXPECT_NEAR(item.at("fractional_savings").to_number<double>(), 0.10, 0.02) << r.body;
  const double avoided = item.at("avoided").to_number<double>();
  EXPECT_NEAR(
      avoided,
      item.at("adjusted_baseline").to_number<double>() - item.at("actual").to_number<double>(),
      1e-6);
  EXPECT_GT(item.at("avoided_uncertainty").to_number<double>(), 0);
  EXPECT_LT(item.at("avoided_uncertainty").to_number<double>(), avoided);
  double monthly = 0;
  for (const auto& m : item.at("months").as_array())
    monthly += m.at("adjusted_baseline").to_number<double>() - m.at("actual").to_number<double>();
  EXPECT_NEAR(monthly, avoided, 1e-6);
  EXPECT_EQ(admin_
                ->get("/api/v1/analytics/savings?baseline_from=2026-02-01T00:00:00Z"
                      "&baseline_to=2026-01-01T00:00:00Z")
                .status,
            400);
  EXPECT_EQ(admin_->get("/api/v1/analytics/savings?scope=meter").status, 400);
}

// A school read hourly for the last ten weeks (30 kWh more on weekdays
// 08–18, following the cold, with noise): its next 72 hours are forecast
// with a band around them, at the level of the last week and with its daily
// shape, from the last week's weather profile since no forecast is stored
// ahead.
TEST_F(Energy, ForecastOfTheNextHours) {
  const auto school =
      create_record(*admin_, "buildings",
                    {{"tenant_id", tenant_}, {"name", "Forecast school"}, {"type", "school"}});
  const auto main = point(school, "Forecast meter", "energy", "kWh");
  const auto outside = point(school, "Forecast outside", "temperature", "°C");
  ASSERT_EQ(admin_->put(meter_path(main), R"({"kind":"counter","medium":"electricity"})").status,
            201);
  ASSERT_EQ(admin_
                ->put("/api/v1/buildings/" + std::to_string(school) + "/energy",
                      "{\"outdoor_temperature_point\":" + std::to_string(outside) + "}")
                .status,
            201);
  const std::int64_t now = now_ms();
  const std::int64_t end = now - now % kHour;
  const std::int64_t start = end - 70 * 24 * kHour;
  // Berlin's wall clock is UTC+1 in winter and UTC+2 in summer: the busy
  // hours are taken in local time as the server will.
  const auto local = [](std::int64_t t) {
    const auto civil = t + kHour;  // close enough for a shape: the test only compares levels
    return std::pair{static_cast<int>(((civil / (24 * kHour)) + 3) % 7),  // 0 Monday
                     static_cast<int>(civil / kHour % 24)};
  };
  std::string energy = "timestamp,value\n", weather = "timestamp,value\n";
  double reading = 5000, last_week = 0;
  for (std::int64_t t = start; t <= end; t += kHour) {
    const auto [weekday, hour] = local(t);
    const int h = static_cast<int>((t - start) / kHour);
    // Weather that moves from hour to hour and from day to day, so that the
    // hour's and the day's temperature are not one.
    const double temperature =
        4 + 4 * std::sin(h / 24.0 * 0.9) + 3 * std::sin((hour - 9) * 0.26) + 2 * std::sin(h * 0.37);
    energy += format_rfc3339(t) + "," + std::to_string(reading) + "\n";
    // The weather up to the hour under way, not into it: the hours ahead
    // have none.
    if (t < end) weather += format_rfc3339(t) + "," + std::to_string(temperature) + "\n";
    const bool busy = weekday < 5 && hour >= 8 && hour < 18;
    const double noise =
        6.0 *
        (static_cast<double>((static_cast<std::uint64_t>(h) * 2654435761u) % 1000) / 1000 - 0.5);
    const double load = (busy ? 50 : 20) + 2 * std::max(0.0, 15 - temperature) + noise;
    reading += load;
    if (t >= end - 168 * kHour && t < end) last_week += load / 168;
  }
  import(main, energy);
  import(outside, weather);
  poll("/api/v1/analytics/consumption?scope=meter&id=" + std::to_string(main) +
           "&from=" + format_rfc3339(start) + "&to=" + format_rfc3339(end) + "&interval=hour",
       [](const json::object& a) {
         const auto& s = a.at("series").as_array();
         return !s.empty() && s[0].at("unknown_hours").to_number<double>() == 0;
       });
  auto r = admin_->get("/api/v1/analytics/forecast?id=" + std::to_string(school) + "&hours=72");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = parse(r.body);
  const auto& item = answer.at("items").as_array().at(0).as_object();
  ASSERT_FALSE(item.contains("not_judged")) << r.body;
  EXPECT_EQ(item.at("weather"), "recent_profile");
  EXPECT_GT(item.at("recent_readings").to_number<double>(), 100);
  const auto& values = item.at("values").as_array();
  ASSERT_EQ(values.size(), 72u);
  EXPECT_EQ(*parse_rfc3339(values[0].at("start").as_string()), end);
  double mean = 0, low = 1e9, high = -1e9;
  for (const auto& v : values) {
    const double expected = v.at("expected").to_number<double>();
    EXPECT_LE(v.at("lower").to_number<double>(), expected);
    EXPECT_GE(v.at("upper").to_number<double>(), expected);
    mean += expected / 72;
    low = std::min(low, expected);
    high = std::max(high, expected);
  }
  EXPECT_NEAR(mean, last_week, 0.25 * last_week) << r.body;
  EXPECT_GT(high - low, 15) << r.body;  // the working day stands out

  // A weather forecast point for the next 36 hours: those hours take its
  // temperatures, the rest the last week's profile; a frost forecast
  // instead of a mild one raises the expected load (2 kWh per kelvin below
  // 15 °C, within the temperatures the year taught the model).
  const auto forecast_point = point(school, "Forecast weather", "temperature", "°C");
  const std::string settings_path = "/api/v1/buildings/" + std::to_string(school) + "/energy";
  auto current = admin_->get(settings_path);
  ASSERT_EQ(current.status, 200);
  ASSERT_EQ(
      admin_
          ->request("PUT", settings_path,
                    "{\"outdoor_temperature_point\":" + std::to_string(outside) +
                        ",\"weather_forecast_point\":" + std::to_string(forecast_point) + "}",
                    {{"Content-Type", "application/json"}, {"If-Match", current.header("ETag")}})
          .status,
      200);
  const auto day_ahead = [&](double temperature) {
    std::string rows = "timestamp,value\n";
    for (int h = 0; h < 36; ++h)
      rows += format_rfc3339(end + h * kHour) + "," + std::to_string(temperature) + "\n";
    import(forecast_point, rows);
    auto r = admin_->get("/api/v1/analytics/forecast?id=" + std::to_string(school) + "&hours=72");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto answer = parse(r.body);
    const auto& item = answer.at("items").as_array().at(0).as_object();
    EXPECT_EQ(item.at("weather"), "partial_forecast") << r.body;
    EXPECT_EQ(item.at("forecast_hours"), 36) << r.body;
    double mean = 0;
    for (int h = 0; h < 24; ++h)
      mean += item.at("values").as_array().at(h).at("baseline").to_number<double>() / 24;

    return mean;
  };
  const double mild = day_ahead(12), frost = day_ahead(-1);
  EXPECT_GT(frost - mild, 10) << "13 K colder: " << mild << " and " << frost << " kWh";

  // A forecast point that is no temperature is refused.
  auto refreshed = admin_->get(settings_path);
  auto bad = admin_->request(
      "PUT", settings_path, "{\"weather_forecast_point\":" + std::to_string(main) + "}",
      {{"Content-Type", "application/json"}, {"If-Match", refreshed.header("ETag")}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(field_of(bad.body), "/weather_forecast_point") << bad.body;

  EXPECT_EQ(admin_->get("/api/v1/analytics/forecast?hours=73").status, 400);
  EXPECT_EQ(admin_->get("/api/v1/analytics/forecast?scope=meter").status, 400);
}

TEST_F(Energy, BadConsumptionQueriesAre400) {
  const std::string base = "/api/v1/analytics/consumption?";
  for (const std::string q :
       {"scope=street&id=1", "scope=building", "interval=minute", "medium=steam", "colour=red",
        "from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "from=yesterday",
        "scope=building&id=1&by=building",
        "interval=hour&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"}) {
    auto r = admin_->get(base + q);
    EXPECT_EQ(r.status, 400) << q << ": " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << q;
  }
  EXPECT_EQ(admin_->get(base + "scope=meter&id=" + std::to_string(temperature_)).status, 404);
  EXPECT_EQ(admin_->get(base + "scope=building&id=999999").status, 404);
}

}  // namespace
}  // namespace citypulse::test
