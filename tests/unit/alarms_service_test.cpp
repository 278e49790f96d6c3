// The alarm service on a real store and bus with a clock the test moves:
// a raise, repeats while open, a shelf that expires by itself (announced
// again while the condition holds, closed when it went meanwhile),
// suppression, what does not apply (409) changing nothing, history lines
// with every change, the open alarms read back after a restart, and the
// alarms of a rule no longer watched closed with a reason.
#include <boost/json.hpp>
#include <vector>

#include "alarms/alarm_service.h"
#include "bus/local_bus.h"
#include "store/alarm_store.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

namespace json = boost::json;
using alarms::AlarmService;
using alarms::AlarmSubject;
using alarms::OperatorAction;
using alarms::OperatorActionKind;

constexpr TimeMs kT0 = 1'765'000'000'000;

class AlarmServiceTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt").id;
    building_ = make_building(tenant_).id;
    point_ = make_point(building_).id;
    subscription_ = bus_.subscribe([this](const bus::EventPtr& e) {
      if (e->kind != bus::EventKind::alarm_changed) return;
      events_.push_back(json::parse(e->details_json));
      severities_.push_back(e->severity);
    });
    service_ = std::make_unique<AlarmService>(store().alarms(), &bus_, [this] { return now_; });
    ok(service_->load());
  }

  AlarmSubject subject(Id rule = 1) const {
    return {tenant_, rule, point_, building_, Severity::major, "Room 1 is too warm"};
  }
  void condition(bool present, double value, Id rule = 1) {
    service_->on_condition(subject(rule), {present, now_, value});
  }
  Alarm only_alarm() {
    auto page = ok(store().alarms().list(Scope::tenant(tenant_), {}));
    EXPECT_EQ(page.records.size(), 1u);
    return page.records.empty() ? Alarm{} : page.records.front();
  }
  Result<Alarm> act(OperatorActionKind kind, std::string text = {},
                    std::optional<TimeMs> until = std::nullopt) {
    OperatorAction a;
    a.kind = kind;
    a.user_id = 7;
    a.text = std::move(text);
    a.until = until;
    return service_->act(Scope::tenant(tenant_), only_alarm().id, a);
  }
  std::vector<std::string> history_kinds() {
    std::vector<std::string> kinds;
    for (const auto& n : ok(store().alarms().history(all(), only_alarm().id)))
      kinds.push_back(n.kind);
    return kinds;
  }

  TimeMs now_ = kT0;
  Id tenant_ = 0, building_ = 0, point_ = 0;
  bus::LocalBus bus_{{.max_age_ms = 60'000, .max_bytes = 1 << 20}};
  std::vector<json::value> events_;
  std::vector<Severity> severities_;  // the events' own field, beside their details
  bus::Subscription subscription_;
  std::unique_ptr<AlarmService> service_;
};

TEST_F(AlarmServiceTest, ARepeatCountsOnTheOpenAlarmAndEveryChangeIsPublished) {
  condition(true, 27);
  now_ += 1000;
  condition(false, 25);
  now_ += 1000;
  condition(true, 28);
  const Alarm a = only_alarm();
  EXPECT_EQ(a.state, AlarmState::active_unacknowledged);
  EXPECT_EQ(a.count, 2);
  EXPECT_EQ(a.value, 28);
  EXPECT_EQ(a.raised_at, kT0);
  EXPECT_EQ(a.last_seen_at, kT0 + 2000);
  EXPECT_EQ(history_kinds(), (std::vector<std::string>{"raised", "cleared", "repeated"}));
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[2].at("change").as_string(), "repeated");
  EXPECT_EQ(events_[2].at("severity").as_string(), "major");
  EXPECT_EQ(severities_[2], Severity::major);
}

TEST_F(AlarmServiceTest, AnExpiredShelfAnnouncesAgainOrCloses) {
  condition(true, 27);
  EXPECT_EQ(act(OperatorActionKind::shelve, "").error().code, ErrorCode::invalid);
  EXPECT_EQ(act(OperatorActionKind::shelve, "sensor swap", now_).error().code, ErrorCode::invalid);
  ASSERT_TRUE(act(OperatorActionKind::shelve, "sensor swap", now_ + 60'000));
  EXPECT_EQ(service_->next_shelf_expiry(), now_ + 60'000);
  EXPECT_EQ(act(OperatorActionKind::shelve, "again", now_ + 60'000).error().code,
            ErrorCode::conflict);
  service_->expire_shelves(now_ + 59'999);
  EXPECT_EQ(only_alarm().state, AlarmState::shelved);
  // The condition holds on: back from the shelf, it is announced again.
  now_ += 60'000;
  service_->expire_shelves(now_);
  EXPECT_EQ(only_alarm().state, AlarmState::active_unacknowledged);
  EXPECT_FALSE(only_alarm().shelved_until);

  // Shelved again, and the condition goes meanwhile: the expiry closes it.
  ASSERT_TRUE(act(OperatorActionKind::shelve, "works", now_ + 60'000));
  condition(false, 24);
  EXPECT_EQ(only_alarm().state, AlarmState::shelved);
  now_ += 60'000;
  service_->expire_shelves(now_);
  EXPECT_EQ(only_alarm().state, AlarmState::normal);
  EXPECT_EQ(only_alarm().closed_at, now_);
  EXPECT_EQ(service_->open_count(), 0u);
}

TEST_F(AlarmServiceTest, WhatDoesNotApplyIsAConflictAndChangesNothing) {
  condition(true, 27);
  ASSERT_TRUE(act(OperatorActionKind::acknowledge));
  const Alarm before = only_alarm();
  auto again = act(OperatorActionKind::acknowledge);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(act(OperatorActionKind::unshelve).error().code, ErrorCode::conflict);
  EXPECT_EQ(act(OperatorActionKind::unsuppress).error().code, ErrorCode::conflict);
  EXPECT_EQ(only_alarm().version, before.version);
  // Another tenant's scope does not find it.
  OperatorAction a;
  a.kind = OperatorActionKind::acknowledge;
  EXPECT_EQ(service_->act(Scope::tenant(tenant_ + 1), before.id, a).error().code,
            ErrorCode::not_found);
  // Suppressed while out of service; back while the condition holds.
  ASSERT_TRUE(act(OperatorActionKind::suppress, "boiler out of service"));
  EXPECT_EQ(only_alarm().suppress_reason, "boiler out of service");
  auto back = act(OperatorActionKind::unsuppress);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->state, AlarmState::active_unacknowledged);
}

TEST_F(AlarmServiceTest, OpenAlarmsAreReadBackAndUnwatchedOnesClose) {
  condition(true, 27, 1);
  condition(true, 29, 2);
  service_ = std::make_unique<AlarmService>(store().alarms(), &bus_, [this] { return now_; });
  ok(service_->load());
  EXPECT_EQ(service_->open_count(), 2u);
  EXPECT_EQ(service_->present_conditions().size(), 2u);
  // A repeat after the restart is one of the same alarm, not a new one.
  condition(true, 30, 1);
  EXPECT_EQ(ok(store().alarms().list(all(), {})).records.size(), 2u);
  service_->close_unwatched([](Id rule, Id) { return rule == 1; }, "its rule was removed");
  EXPECT_EQ(service_->open_count(), 1u);
  AlarmQuery closed;
  closed.rule_id = 2;
  const auto gone = ok(store().alarms().list(all(), closed)).records.at(0);
  EXPECT_EQ(gone.state, AlarmState::normal);
  const auto notes = ok(store().alarms().history(all(), gone.id));
  EXPECT_EQ(notes.back().kind, "closed");
  EXPECT_EQ(notes.back().text, "its rule was removed");
}

}  // namespace
}  // namespace citypulse::testing
