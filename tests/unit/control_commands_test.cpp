// The command service on a real store and bus, with the plant behind the
// PlantWriter interface played by the test (each write waits until the test
// answers it, as a device would): the checks that refuse a command before
// anything is sent, pending → confirmed | failed | timed_out with the events
// and audit entries, timed overrides that give the point back (BACnet
// relinquishes, others get the schedule's value or the one before), a
// command that replaces an override, a schedule's write refused during an
// override, release, and a restart that times out what was pending and
// takes up the overrides without sending anything twice.
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "bus/local_bus.h"
#include "control/command_service.h"
#include "control_test_plant.h"
#include "store/command_store.h"
#include "store/identity_store.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

namespace json = boost::json;
using control::CommandRequest;
using control::CommandService;
using control::CommandServiceOptions;
using control::PlantTarget;

class CommandServiceTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt").id;
    building_ = make_building(tenant_).id;
    other_building_ = make_building(tenant_).id;
    setpoint_ = make_setpoint(building_, "setpoint", 12, 28);
    subscription_ = bus_.subscribe([this](const bus::EventPtr& e) {
      if (e->kind != bus::EventKind::command_result) return;
      std::lock_guard lock(events_mutex_);
      events_.push_back(json::parse(e->details_json).as_object());
    });
  }
  void TearDown() override {
    service_.reset();
    StoreTest::TearDown();
  }

  Id make_setpoint(Id building, const std::string& kind, std::optional<double> min,
                   std::optional<double> max) {
    Point p = point_value(building, std::nullopt, std::nullopt, "");
    p.kind = kind;
    p.min_value = min;
    p.max_value = max;
    return ok(store().points().create(all(), p)).id;
  }
  Device drive(Id point, const std::string& protocol, const std::string& channel = "sp",
               const std::string& status = "active") {
    Device d;
    d.tenant_id = tenant_;
    d.building_id = building_;
    d.name = "AHU 1 controller";
    d.protocol = protocol;
    d.status = status;
    d.channels = {{channel, point}};
    return ok(store().devices().create(all(), d));
  }
  void start(std::int64_t answer_timeout_ms = 5'000) {
    service_ = std::make_unique<CommandService>(
        store(), nullptr, plant_, &bus_,
        CommandServiceOptions{.answer_timeout_ms = answer_timeout_ms,
                              .operator_priority = 8,
                              .schedule_priority = 16,
                              .max_pending = 100,
                              .clock = {}});
    if (schedule_) service_->set_schedule_lookup(schedule_);
    ok(service_->start());
  }
  Result<Command> command(std::optional<double> value, std::optional<std::int64_t> duration_ms = {},
                          CommandOrigin origin = CommandOrigin::operator_, Id point = 0) {
    CommandRequest r;
    r.point_id = point ? point : setpoint_;
    r.value = value;
    r.duration_ms = duration_ms;
    r.origin = origin;
    r.user_id = 3;
    r.actor = "op@stadt.de";
    return service_->submit(Scope::tenant(tenant_), std::move(r));
  }
  Command stored(Id id) { return ok(store().commands().get(all(), id)); }
  // Waits until the stored command is no longer pending (or 5 s passed).
  Command settled(Id id) {
    for (int i = 0; i < 500; ++i) {
      auto c = stored(id);
      if (c.status != CommandStatus::pending) return c;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return stored(id);
  }
  Command ended(Id id) {
    for (int i = 0; i < 500; ++i) {
      auto c = stored(id);
      if (c.ended_at) return c;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return stored(id);
  }
  std::vector<std::string> changes_of(Id id) {
    std::lock_guard lock(events_mutex_);
    std::vector<std::string> out;
    for (const auto& e : events_)
      if (e.at("id").as_int64() == id) out.emplace_back(e.at("change").as_string());
    return out;
  }
  std::vector<AuditEntry> audit_of(Id id) {
    AuditQuery q;
    q.resource = "commands";
    auto page = ok(store().identity().list_audit(all(), q));
    std::vector<AuditEntry> out;
    for (auto& e : page.records)
      if (e.resource_id == id) out.push_back(e);
    return out;
  }

  Id tenant_ = 0, building_ = 0, other_building_ = 0, setpoint_ = 0;
  TestPlant plant_;
  bus::LocalBus bus_;
  bus::Subscription subscription_;
  std::mutex events_mutex_;
  std::vector<json::object> events_;
  control::ScheduleLookup schedule_;
  std::unique_ptr<CommandService> service_;
};

TEST_F(CommandServiceTest, ConfirmedWhenTheDeviceHoldsTheValueReadBack) {
  drive(setpoint_, "bacnet_ip", "analog-value:1");
  start();
  auto c = ok(command(21.5));
  EXPECT_EQ(c.status, CommandStatus::pending);
  EXPECT_EQ(c.priority, 8);  // the operator's
  ASSERT_TRUE(plant_.wait_for(0));
  EXPECT_EQ(plant_.at(0).target.channel, "analog-value:1");
  EXPECT_EQ(plant_.at(0).target.protocol, "bacnet_ip");
  EXPECT_EQ(plant_.at(0).value, 21.5);
  EXPECT_EQ(plant_.at(0).priority, 8);
  plant_.answer(0, std::optional<double>(21.499998));  // a REAL's rounding
  auto done = settled(c.id);
  EXPECT_EQ(done.status, CommandStatus::confirmed);
  EXPECT_DOUBLE_EQ(*done.read_back, 21.499998);
  EXPECT_TRUE(done.completed_at);
  EXPECT_EQ(changes_of(c.id), (std::vector<std::string>{"requested", "completed"}));
  auto audit = audit_of(c.id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "command_result");
  EXPECT_NE(audit[0].summary.find("\"confirmed\""), std::string::npos);
}

TEST_F(CommandServiceTest, FailedWhenTheDeviceRefusesOrHoldsAnotherValue) {
  drive(setpoint_, "modbus_tcp");
  start();
  auto refused = ok(command(22));
  ASSERT_TRUE(plant_.wait_for(0));
  plant_.answer(0, fail(ErrorCode::invalid, "illegal data value (exception 3)"));
  auto r = settled(refused.id);
  EXPECT_EQ(r.status, CommandStatus::failed);
  EXPECT_EQ(r.error, "illegal data value (exception 3)");

  auto beaten = ok(command(23));
  ASSERT_TRUE(plant_.wait_for(1));
  plant_.answer(1, std::optional<double>(19));
  auto b = settled(beaten.id);
  EXPECT_EQ(b.status, CommandStatus::failed);
  EXPECT_EQ(*b.read_back, 19);
  EXPECT_NE(b.error.find("holds 19"), std::string::npos) << b.error;
}

TEST_F(CommandServiceTest, TimedOutWithoutAnAnswerAndALateAnswerChangesNothing) {
  drive(setpoint_, "modbus_tcp");
  start(/*answer_timeout_ms=*/300);
  auto c = ok(command(20));
  ASSERT_TRUE(plant_.wait_for(0));
  auto t = settled(c.id);
  EXPECT_EQ(t.status, CommandStatus::timed_out);
  EXPECT_NE(t.error.find("did not answer within 300 ms"), std::string::npos) << t.error;
  plant_.answer(0, std::optional<double>(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(stored(c.id).status, CommandStatus::timed_out);
  EXPECT_EQ(changes_of(c.id), (std::vector<std::string>{"requested", "completed"}));
}

TEST_F(CommandServiceTest, RefusedBeforeAnythingIsSent) {
  const Id sensor = make_setpoint(building_, "sensor", std::nullopt, std::nullopt);
  const Id unmapped = make_setpoint(building_, "setpoint", std::nullopt, std::nullopt);
  const Id lora = make_setpoint(building_, "command", std::nullopt, std::nullopt);
  const Id disabled = make_setpoint(building_, "setpoint", std::nullopt, std::nullopt);
  const Id elsewhere = make_setpoint(other_building_, "setpoint", std::nullopt, std::nullopt);
  drive(setpoint_, "modbus_tcp");
  drive(sensor, "modbus_tcp", "t");
  drive(lora, "lorawan", "valve");
  drive(disabled, "modbus_tcp", "sp2", "disabled");
  start();

  EXPECT_TRUE(failed_with(command(20, {}, CommandOrigin::operator_, sensor), ErrorCode::conflict));
  EXPECT_TRUE(
      failed_with(command(20, {}, CommandOrigin::operator_, unmapped), ErrorCode::conflict));
  EXPECT_TRUE(failed_with(command(1, {}, CommandOrigin::operator_, lora), ErrorCode::conflict));
  EXPECT_TRUE(
      failed_with(command(20, {}, CommandOrigin::operator_, disabled), ErrorCode::conflict));
  auto high = command(28.5);
  EXPECT_TRUE(failed_with(high, ErrorCode::invalid));
  EXPECT_EQ(high.error().field, "/value");
  EXPECT_NE(high.error().message.find("12..28"), std::string::npos) << high.error().message;
  EXPECT_TRUE(failed_with(command(11.9), ErrorCode::invalid));
  EXPECT_TRUE(failed_with(command(std::nan("")), ErrorCode::invalid));
  auto relinquish = command(std::nullopt);  // Modbus has no priorities
  EXPECT_TRUE(failed_with(relinquish, ErrorCode::invalid));
  EXPECT_EQ(relinquish.error().field, "/value");
  CommandRequest r;
  r.point_id = setpoint_;
  r.value = 20;
  r.priority = 6;
  auto six = service_->submit(Scope::tenant(tenant_), r);
  EXPECT_TRUE(failed_with(six, ErrorCode::invalid));
  EXPECT_EQ(six.error().field, "/priority");
  // Another building's point is not there for a caller limited to this one.
  r.point_id = elsewhere;
  r.priority.reset();
  EXPECT_TRUE(failed_with(service_->submit(Scope::buildings(tenant_, {building_}), r),
                          ErrorCode::not_found));
  // Another tenant's caller does not see the point at all.
  r.point_id = setpoint_;
  EXPECT_TRUE(failed_with(service_->submit(Scope::tenant(tenant_ + 1), r), ErrorCode::not_found));

  EXPECT_EQ(plant_.count(), 0u);
  EXPECT_EQ(count_rows("commands"), 0);
}

TEST_F(CommandServiceTest, BacnetOverrideEndsByRelinquishingItsPriority) {
  drive(setpoint_, "bacnet_ip", "analog-value:1");
  start();
  auto o = ok(command(26, /*duration_ms=*/1000));
  EXPECT_TRUE(o.expires_at);
  ASSERT_TRUE(plant_.wait_for(0));
  plant_.answer(0, std::optional<double>(26));
  EXPECT_EQ(settled(o.id).status, CommandStatus::confirmed);
  EXPECT_TRUE(service_->overridden(setpoint_));
  ASSERT_TRUE(plant_.wait_for(1));  // at its end
  EXPECT_FALSE(plant_.at(1).value);
  EXPECT_EQ(plant_.at(1).priority, 8);
  plant_.answer(1, std::optional<double>(21));  // the schedule's priority holds again
  EXPECT_TRUE(ended(o.id).ended_at);
  EXPECT_FALSE(service_->overridden(setpoint_));
  auto page = ok(store().commands().list(
      all(), {.point_id = setpoint_, .status = std::nullopt, .limit = 10, .before = 0}));
  ASSERT_EQ(page.records.size(), 2u);
  const auto& back = page.records[0];  // newest first
  EXPECT_EQ(back.origin, CommandOrigin::override_end);
  EXPECT_EQ(back.ends, o.id);
  EXPECT_EQ(settled(back.id).status, CommandStatus::confirmed);
  EXPECT_EQ(changes_of(o.id), (std::vector<std::string>{"requested", "completed", "ended"}));
}

TEST_F(CommandServiceTest, OverrideEndsWithTheScheduleValueOrTheValueBefore) {
  drive(setpoint_, "modbus_tcp");
  const Id other = make_setpoint(building_, "setpoint", std::nullopt, std::nullopt);
  drive(other, "modbus_tcp", "sp2");
  schedule_ = [this](Id point, TimeMs) -> std::optional<double> {
    if (point == setpoint_) return 19.0;
    return std::nullopt;
  };
  start();
  auto scheduled = ok(command(25, 1000));
  ASSERT_TRUE(plant_.wait_for(0));
  plant_.answer(0, std::optional<double>(25));
  ASSERT_TRUE(plant_.wait_for(1));
  EXPECT_EQ(plant_.at(1).value, 19.0);  // the schedule's
  plant_.answer(1, std::optional<double>(19));
  EXPECT_TRUE(ended(scheduled.id).ended_at);

  // No schedule for the other point and no value known before: nothing to give back.
  auto unknown = ok(command(25, 1000, CommandOrigin::operator_, other));
  ASSERT_TRUE(plant_.wait_for(2));
  plant_.answer(2, std::optional<double>(25));
  EXPECT_TRUE(ended(unknown.id).ended_at);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(plant_.count(), 3u);
}

TEST_F(CommandServiceTest, ANewCommandReplacesTheOverrideAndKeepsTheValueBeforeIt) {
  drive(setpoint_, "modbus_tcp");
  start();
  auto first = ok(command(25, 60'000));
  ASSERT_TRUE(plant_.wait_for(0));
  plant_.answer(0, std::optional<double>(25));
  settled(first.id);
  // The schedule may not write beneath an operator's override on Modbus.
  EXPECT_TRUE(failed_with(command(18, {}, CommandOrigin::schedule), ErrorCode::conflict));
  auto second = ok(command(24, 60'000));
  EXPECT_EQ(second.previous, first.previous);
  EXPECT_TRUE(ended(first.id).ended_at);
  ASSERT_TRUE(plant_.wait_for(1));
  plant_.answer(1, std::optional<double>(24));
  settled(second.id);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(plant_.count(), 2u);  // the replaced override wrote nothing at its end
  EXPECT_TRUE(service_->overridden(setpoint_));

  auto released = ok(service_->release(Scope::tenant(tenant_), second.id));
  EXPECT_TRUE(released.ended_at);
  EXPECT_FALSE(service_->overridden(setpoint_));
  EXPECT_TRUE(
      failed_with(service_->release(Scope::tenant(tenant_), second.id), ErrorCode::conflict));
  EXPECT_TRUE(
      failed_with(service_->release(Scope::tenant(tenant_), first.id), ErrorCode::conflict));
}

TEST_F(CommandServiceTest, ARestartTimesOutWhatWasPendingAndTakesUpTheOverrides) {
  drive(setpoint_, "modbus_tcp");
  const Id other = make_setpoint(building_, "setpoint", std::nullopt, std::nullopt);
  drive(other, "bacnet_ip", "analog-value:2");
  start();
  auto unanswered = ok(command(20, {}, CommandOrigin::operator_, setpoint_));
  auto held = ok(command(25, 1'500, CommandOrigin::operator_, other));
  ASSERT_TRUE(plant_.wait_for(1));
  plant_.answer(1, std::optional<double>(25));
  EXPECT_EQ(settled(held.id).status, CommandStatus::confirmed);
  service_.reset();  // stopped with the first still pending
  EXPECT_EQ(stored(unanswered.id).status, CommandStatus::pending);

  start();
  auto t = stored(unanswered.id);
  EXPECT_EQ(t.status, CommandStatus::timed_out);
  EXPECT_EQ(t.error, "the server stopped before the device answered");
  EXPECT_TRUE(service_->overridden(other));
  EXPECT_EQ(plant_.count(), 2u);    // nothing sent again
  ASSERT_TRUE(plant_.wait_for(2));  // the override's end, after the restart
  EXPECT_EQ(plant_.at(2).target.channel, "analog-value:2");
  EXPECT_FALSE(plant_.at(2).value);
  plant_.answer(2, std::optional<double>(21));
  EXPECT_TRUE(ended(held.id).ended_at);
  service_.reset();
  start();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(plant_.count(), 3u);  // ended once, never again
}

TEST_F(CommandServiceTest, AnOverrideThatExpiredWhileStoppedEndsAtStart) {
  drive(setpoint_, "bacnet_ip", "analog-value:1");
  start();
  auto o = ok(command(26, 1'000));
  ASSERT_TRUE(plant_.wait_for(0));
  plant_.answer(0, std::optional<double>(26));
  settled(o.id);
  service_.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(1'200));
  start();
  ASSERT_TRUE(plant_.wait_for(1));
  EXPECT_FALSE(plant_.at(1).value);
  EXPECT_TRUE(ended(o.id).ended_at);
}

}  // namespace
}  // namespace citypulse::testing
