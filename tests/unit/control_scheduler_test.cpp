// The scheduler on a real store, series store and command service, with a
// clock the test moves over a Monday in Berlin (07:00–17:00 occupied) and a
// plant that holds what it is sent: the mode in force written once when a
// schedule is saved, each change written once at its instant, nothing twice
// across passes, restarts and a crash between a write and the saved state,
// one write after a long stop (the mode in force, not the changes missed),
// an operator's override left alone and given back the schedule's value at its
// end, and optimal start — occupancy brought forward by the learned lead,
// not written again at 07:00, and the warm-up that followed taught to the model;
// a write the plant refuses made again after 1, 2, 4 minutes until it holds,
// across a restart without repeating an attempt, and given up for the next
// change.
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <tuple>

#include "bus/local_bus.h"
#include "control/command_service.h"
#include "control/scheduler.h"
#include "control_test_plant.h"
#include "store/command_store.h"
#include "store/embedded_series_store.h"
#include "store/schedule_store.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

namespace json = boost::json;
using control::CommandService;
using control::Scheduler;

// 2026-11-30 is a Monday; Berlin is UTC+1 then.
TimeMs berlin(int hour, int minute = 0) {
  return *parse_rfc3339(fmt::format("2026-11-30T{:02}:{:02}:00+01:00", hour, minute));
}

constexpr const char* kWeek = R"({
  "timezone": "Europe/Berlin",
  "modes": {"occupied": {"setpoint": 21, "heating": 21, "cooling": 25},
            "standby": {"setpoint": 18},
            "unoccupied": {"setpoint": 15, "heating": 15, "cooling": 30}},
  "days": {"mon": [{"start": "07:00", "end": "17:00", "mode": "occupied"}],
           "tue": [{"start": "07:00", "end": "17:00", "mode": "occupied"}]}})";

class SchedulerTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    auto series = open_embedded_series_store({.dir = dir() / "tsdb",
                                              .wal_sync_ms = 20,
                                              .late_window_ms = 3650LL * 86'400'000,
                                              .raw_retention_ms = 0,
                                              .hourly_retention_ms = 0,
                                              .daily_retention_ms = 0,
                                              .warn = {}});
    series_ = std::move(ok(std::move(series)));
    tenant_ = make_tenant("Stadt").id;
    building_ = make_building(tenant_).id;
    heating_ = point(building_, "setpoint");
    zone_ = point(building_, "sensor");
    Device d;
    d.tenant_id = tenant_;
    d.building_id = building_;
    d.name = "Zone controller";
    d.protocol = "modbus_tcp";
    d.status = "active";
    d.channels = {{"heating", heating_}};
    ok(store().devices().create(all(), d));
    now_ = berlin(6);
    start_services();
  }
  void TearDown() override {
    stop_services();
    series_.reset();
    StoreTest::TearDown();
  }

  Id point(Id building, const std::string& kind) {
    Point p = point_value(building, std::nullopt, std::nullopt, "");
    p.kind = kind;
    return ok(store().points().create(all(), p)).id;
  }
  void start_services() {
    commands_ = std::make_unique<CommandService>(
        store(), series_.get(), plant_, nullptr,
        control::CommandServiceOptions{.answer_timeout_ms = 5'000,
                                       .operator_priority = 8,
                                       .schedule_priority = 16,
                                       .max_pending = 100,
                                       .clock = [this] { return now_.load(); }});
    scheduler_ = std::make_unique<Scheduler>(
        store(), series_.get(), *commands_,
        control::SchedulerOptions{.pass_ms = 1000,
                                  .catch_up_ms = 14LL * 86'400'000,
                                  .learn_after_ms = 4LL * 3'600'000,
                                  .retry_first_ms = 60'000,
                                  .retry_max_ms = 30 * 60'000,
                                  .settle_check_ms = 15'000,
                                  .clock = [this] { return now_.load(); }});
    commands_->set_schedule_lookup(
        [s = scheduler_.get()](Id point, TimeMs at) { return s->value_at(point, at); });
    ok(commands_->start());
  }
  void stop_services() {
    scheduler_.reset();
    commands_.reset();
  }
  ControlSchedule save(std::optional<Id> zone = std::nullopt) {
    ControlSchedule s;
    s.building_id = building_;
    s.name = "Gym heating";
    s.document = kWeek;
    s.targets = {{heating_, "heating"}};
    s.zone_point_id = zone;
    return ok(store().schedules().create(all(), s, now_));
  }
  void at(TimeMs t) {
    now_ = t;
    scheduler_->run_once();
  }
  // The values written so far, in order.
  std::vector<double> written() {
    std::vector<double> out;
    for (std::size_t i = 0; i < plant_.count(); ++i) out.push_back(plant_.at(i).value.value_or(-1));
    return out;
  }
  // Waits until the command service has settled every command (its thread
  // stores the outcomes); false after 5 s.
  bool settled() {
    for (int i = 0; i < 500; ++i) {
      auto pending = ok(store().commands().list(
          all(),
          {.point_id = std::nullopt, .status = CommandStatus::pending, .limit = 1, .before = 0}));
      if (pending.records.empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // The schedule's commands, oldest first: (change, attempt, status).
  std::vector<std::tuple<TimeMs, int, CommandStatus>> attempts() {
    std::vector<std::tuple<TimeMs, int, CommandStatus>> out;
    for (const auto& c :
         ok(store().commands().list(
                all(), {.point_id = heating_, .status = std::nullopt, .limit = 1000, .before = 0}))
             .records)
      out.insert(out.begin(), {c.transition_at.value_or(0), c.attempt, c.status});
    return out;
  }
  // at(t), then waits for the outcomes.
  void settled_at(TimeMs t) {
    at(t);
    ASSERT_TRUE(settled());
  }
  json::object state(Id schedule) {
    return json::parse(ok(store().schedules().get(all(), schedule)).state).as_object();
  }
  void zone_reading(TimeMs t, double value) {
    const Reading r{zone_, t, value, 0};
    std::promise<Status> done;
    series_->append(std::span(&r, 1), true, [&](Status s) { done.set_value(s); });
    ok(done.get_future().get());
  }

  std::unique_ptr<SeriesStore> series_;
  Id tenant_ = 0, building_ = 0, heating_ = 0, zone_ = 0;
  std::atomic<TimeMs> now_{0};
  TestPlant plant_{/*holds_what_it_is_sent=*/true};
  std::unique_ptr<CommandService> commands_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerTest, WritesTheModeInForceOnSaveAndEachChangeOnce) {
  const auto s = save();
  at(berlin(6));
  EXPECT_EQ(written(), (std::vector<double>{15}));  // unoccupied heating
  EXPECT_EQ(plant_.at(0).priority, 16);
  at(berlin(6, 30));
  at(berlin(6, 59));
  EXPECT_EQ(written().size(), 1u);
  at(berlin(7));
  EXPECT_EQ(written(), (std::vector<double>{15, 21}));
  at(berlin(7, 1));
  at(berlin(12));
  EXPECT_EQ(written().size(), 2u);
  EXPECT_EQ(state(s.id).at("applied").at("mode").as_string(), "occupied");
  EXPECT_EQ(state(s.id).at("applied").at("transition_at").as_int64(), berlin(7));
  EXPECT_EQ(scheduler_->value_at(heating_, berlin(12)), 21.0);
  EXPECT_EQ(scheduler_->value_at(heating_, berlin(18)), 15.0);
  EXPECT_EQ(scheduler_->value_at(zone_, berlin(12)), std::nullopt);

  auto commands = ok(store().commands().list(
      all(), {.point_id = heating_, .status = std::nullopt, .limit = 10, .before = 0}));
  ASSERT_EQ(commands.records.size(), 2u);
  EXPECT_EQ(commands.records[0].origin, CommandOrigin::schedule);
  EXPECT_EQ(commands.records[0].schedule_id, s.id);
  EXPECT_EQ(commands.records[0].transition_at, berlin(7));
  EXPECT_EQ(commands.records[0].actor, "scheduler");
}

TEST_F(SchedulerTest, NothingTwiceAcrossARestartOrACrashBeforeTheStateWasSaved) {
  const auto s = save();
  // Settled before each stop: a write still pending at a stop ends timed out
  // (the device's answer is unknown), and such a write is made again.
  settled_at(berlin(7));
  EXPECT_EQ(written(), (std::vector<double>{21}));
  stop_services();
  start_services();
  at(berlin(7, 5));
  EXPECT_EQ(written().size(), 1u);
  // As if the process died after the write and before its state was saved:
  // the store refuses the same change's write for the same point again.
  ok(store().schedules().save_state(s.id, "{}"));
  stop_services();
  start_services();
  at(berlin(7, 6));
  EXPECT_EQ(written().size(), 1u);
  EXPECT_EQ(ok(store().commands().list(all(), {})).records.size(), 1u);
}

TEST_F(SchedulerTest, AfterALongStopOnlyTheModeInForceIsWritten) {
  save();
  settled_at(berlin(6));
  EXPECT_EQ(written(), (std::vector<double>{15}));
  stop_services();
  start_services();
  // Stopped over 07:00 and 17:00: one write, the evening's unoccupied mode.
  at(berlin(20));
  EXPECT_EQ(written(), (std::vector<double>{15, 15}));
  auto last = ok(store().commands().list(all(), {})).records.front();
  EXPECT_EQ(last.transition_at, berlin(17));
}

TEST_F(SchedulerTest, AnOverrideIsLeftAloneAndGivenTheScheduleValueAtItsEnd) {
  save();
  at(berlin(6));
  control::CommandRequest r;
  r.point_id = heating_;
  r.value = 24;
  r.duration_ms = 2 * 3'600'000;  // until 08:00
  r.actor = "op@stadt.de";
  ok(commands_->submit(Scope::tenant(tenant_), r));
  ASSERT_TRUE(plant_.wait_for(1));
  at(berlin(7));  // the change to occupied does not overwrite the override
  EXPECT_EQ(written(), (std::vector<double>{15, 24}));
  now_ = berlin(8, 1);  // the command service ends it: the schedule's 21 now
  ASSERT_TRUE(plant_.wait_for(2));
  EXPECT_EQ(written(), (std::vector<double>{15, 24, 21}));
}

TEST_F(SchedulerTest, OptimalStartBringsOccupancyForwardAndLearnsFromTheWarmUp) {
  now_ = berlin(5);
  const auto s = save(zone_);
  for (int m = 0; m < 40; m += 10) zone_reading(berlin(5, m), 17.0);
  // The default model: 20 min/K; 21 − 17 = 4 K → 80 minutes: start at 05:40.
  at(berlin(5, 30));
  EXPECT_EQ(written(), (std::vector<double>{15}));
  EXPECT_DOUBLE_EQ(state(s.id).at("lead_minutes").as_double(), 80.0);
  at(berlin(5, 40));
  EXPECT_EQ(written(), (std::vector<double>{15, 21}));
  EXPECT_EQ(state(s.id).at("applied").at("why").as_string(), "optimal start");
  at(berlin(7));  // occupancy's own instant: written already
  EXPECT_EQ(written().size(), 2u);

  // The zone warmed 17 → 21 in 50 minutes: 0.08 K/min.
  for (int m = 0; m <= 120; m += 5)
    zone_reading(berlin(5, 40) + m * 60'000, std::min(21.5, 17.0 + 0.08 * m));
  at(berlin(9, 41));
  auto model = state(s.id).at("optimal_start").at("warmup").as_object();
  EXPECT_EQ(model.at("observations").as_int64(), 1);
  EXPECT_FALSE(state(s.id).contains("learning"));
}

TEST_F(SchedulerTest, AFailedWriteIsMadeAgainWithBackoffUntilItHolds) {
  using enum CommandStatus;
  plant_.refuse("the controller is offline");
  save();
  settled_at(berlin(6));
  settled_at(berlin(6) + 30'000);  // not before a minute
  EXPECT_EQ(attempts().size(), 1u);
  settled_at(berlin(6, 1));
  settled_at(berlin(6, 2));  // the second waits two minutes
  EXPECT_EQ(attempts().size(), 2u);
  settled_at(berlin(6, 3));
  plant_.refuse(std::nullopt);
  settled_at(berlin(6, 6));  // the third four
  EXPECT_EQ(attempts().size(), 3u);
  settled_at(berlin(6, 7));
  settled_at(berlin(6, 30));
  settled_at(berlin(6, 59));
  const TimeMs saved = berlin(6);  // the schedule's own instant is its key
  EXPECT_EQ(
      attempts(),
      (std::vector<std::tuple<TimeMs, int, CommandStatus>>{
          {saved, 0, failed}, {saved, 1, failed}, {saved, 2, failed}, {saved, 3, confirmed}}));
  EXPECT_EQ(written(), (std::vector<double>{15, 15, 15, 15}));
  auto last = ok(store().commands().list(all(), {})).records.front();
  EXPECT_EQ(last.attempt, 3);
  EXPECT_EQ(last.origin, CommandOrigin::schedule);
}

TEST_F(SchedulerTest, ARestartTakesUpTheRetriesWithoutRepeatingOne) {
  using enum CommandStatus;
  plant_.refuse("the controller is offline");
  save();
  settled_at(berlin(6));
  stop_services();
  start_services();
  settled_at(berlin(6) + 30'000);  // the first attempt's delay still runs
  EXPECT_EQ(attempts().size(), 1u);
  settled_at(berlin(6, 1));
  EXPECT_EQ(attempts().size(), 2u);
  stop_services();
  plant_.refuse(std::nullopt);
  start_services();
  settled_at(berlin(6, 2));  // two minutes after the second: not yet
  EXPECT_EQ(attempts().size(), 2u);
  settled_at(berlin(6, 3));
  stop_services();
  start_services();
  settled_at(berlin(6, 40));  // the third held: nothing more
  EXPECT_EQ(attempts(),
            (std::vector<std::tuple<TimeMs, int, CommandStatus>>{
                {berlin(6), 0, failed}, {berlin(6), 1, failed}, {berlin(6), 2, confirmed}}));
}

TEST_F(SchedulerTest, ACrashBeforeTheStateWasSavedStillRetriesTheFailedWrite) {
  using enum CommandStatus;
  plant_.refuse("the controller is offline");
  const auto s = save();
  settled_at(berlin(6));
  // The process died after the write, before its state was saved: the next
  // pass's write of the change is refused by the store, and the failed one
  // is still made again.
  ok(store().schedules().save_state(s.id, "{}"));
  stop_services();
  plant_.refuse(std::nullopt);
  start_services();
  settled_at(berlin(6, 1));
  EXPECT_EQ(attempts(), (std::vector<std::tuple<TimeMs, int, CommandStatus>>{
                            {berlin(6), 0, failed}, {berlin(6), 1, confirmed}}));
}

TEST_F(SchedulerTest, TheNextChangeEndsTheRetriesOfTheOneBefore) {
  using enum CommandStatus;
  plant_.refuse("the controller is offline");
  save();
  for (int m = 0; m < 60; ++m) settled_at(berlin(6, m));
  // 06:00, 06:01, 06:03, 06:07, 06:15, 06:31: 1, 2, 4, 8, 16 minutes apart.
  EXPECT_EQ(attempts().size(), 6u);
  plant_.refuse(std::nullopt);
  settled_at(berlin(7));
  settled_at(berlin(7, 30));
  const auto all_attempts = attempts();
  ASSERT_EQ(all_attempts.size(), 7u);
  EXPECT_EQ(all_attempts.back(), std::make_tuple(berlin(7), 0, confirmed));
  EXPECT_EQ(written().back(), 21);  // occupied, not the unoccupied 15 again
}

}  // namespace
}  // namespace citypulse::testing
