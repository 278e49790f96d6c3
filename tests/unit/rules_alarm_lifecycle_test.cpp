// The alarm lifecycle after ISA-18.2: every state against every action,
// the legal transitions and the refused ones (conflict), repeats, and what
// shelving and suppression do while the condition comes and goes.
#include <gtest/gtest.h>

#include "rules/alarm_lifecycle.h"

namespace citypulse::rules {
namespace {

using S = AlarmState;
using A = AlarmAction;

AlarmLifecycle at(S state, bool condition) {
  return AlarmLifecycle{state, condition};
}

AlarmTransition must(const AlarmLifecycle& now, A action) {
  auto t = apply(now, action);
  EXPECT_TRUE(t) << alarm_state_name(now.state) << ": " << (t ? "" : t.error().message);
  return t ? *t : AlarmTransition{};
}

void refused(const AlarmLifecycle& now, A action) {
  auto t = apply(now, action);
  ASSERT_FALSE(t) << alarm_state_name(now.state) << " took action " << static_cast<int>(action);
  EXPECT_EQ(t.error().code, ErrorCode::conflict);
  EXPECT_FALSE(t.error().message.empty());
}

TEST(AlarmLifecycle, AConditionOpensAnUnacknowledgedAlarm) {
  const auto t = must(at(S::normal, false), A::condition_present);
  EXPECT_EQ(t.after.state, S::active_unacknowledged);
  EXPECT_TRUE(t.after.condition);
  EXPECT_TRUE(t.opened);
  EXPECT_FALSE(t.repeated);
  EXPECT_FALSE(t.closed);
  EXPECT_TRUE(t.changed);
}

TEST(AlarmLifecycle, AcknowledgedThenClearedCloses) {
  auto t = must(at(S::active_unacknowledged, true), A::acknowledge);
  EXPECT_EQ(t.after.state, S::active_acknowledged);
  EXPECT_FALSE(t.closed);
  t = must(t.after, A::condition_clear);
  EXPECT_EQ(t.after.state, S::normal);
  EXPECT_FALSE(t.after.condition);
  EXPECT_TRUE(t.closed);
  EXPECT_FALSE(t.after.open());
}

TEST(AlarmLifecycle, ClearedBeforeAcknowledgedWaitsForTheAcknowledgement) {
  auto t = must(at(S::active_unacknowledged, true), A::condition_clear);
  EXPECT_EQ(t.after.state, S::returned_unacknowledged);
  EXPECT_TRUE(t.after.open());
  EXPECT_FALSE(t.closed);
  t = must(t.after, A::acknowledge);
  EXPECT_EQ(t.after.state, S::normal);
  EXPECT_TRUE(t.closed);
}

TEST(AlarmLifecycle, AConditionBackBeforeTheAcknowledgementIsARepeatOfTheSameAlarm) {
  const auto t = must(at(S::returned_unacknowledged, false), A::condition_present);
  EXPECT_EQ(t.after.state, S::active_unacknowledged);
  EXPECT_TRUE(t.repeated);
  EXPECT_FALSE(t.opened);
}

TEST(AlarmLifecycle, AConditionThatStaysIsNoChange) {
  for (auto s : {S::active_unacknowledged, S::active_acknowledged}) {
    const auto t = must(at(s, true), A::condition_present);
    EXPECT_EQ(t.after.state, s);
    EXPECT_FALSE(t.changed);
    EXPECT_FALSE(t.repeated);
  }
  for (auto s : {S::normal, S::returned_unacknowledged}) {
    const auto t = must(at(s, false), A::condition_clear);
    EXPECT_EQ(t.after.state, s);
    EXPECT_FALSE(t.changed);
  }
}

TEST(AlarmLifecycle, AcknowledgingWhatWaitsForNoAcknowledgementIsRefused) {
  refused(at(S::normal, false), A::acknowledge);
  refused(at(S::active_acknowledged, true), A::acknowledge);
  refused(at(S::shelved, true), A::acknowledge);
  refused(at(S::suppressed, false), A::acknowledge);
}

TEST(AlarmLifecycle, OnlyOpenVisibleAlarmsAreHidden) {
  for (auto action : {A::shelve, A::suppress}) {
    refused(at(S::normal, false), action);
    refused(at(S::shelved, true), action);
    refused(at(S::suppressed, true), action);
    for (auto s : {S::active_unacknowledged, S::active_acknowledged, S::returned_unacknowledged}) {
      const auto t = must(at(s, s != S::returned_unacknowledged), action);
      EXPECT_EQ(t.after.state, action == A::shelve ? S::shelved : S::suppressed);
      EXPECT_TRUE(t.after.open());
      EXPECT_FALSE(t.closed);
    }
  }
  refused(at(S::active_unacknowledged, true), A::unshelve);
  refused(at(S::suppressed, true), A::unshelve);
  refused(at(S::shelved, true), A::unsuppress);
  refused(at(S::normal, false), A::unsuppress);
}

TEST(AlarmLifecycle, AShelvedAlarmFollowsItsConditionAndIsAnnouncedAgainWhenBack) {
  // Shelved while present and acknowledged; the condition clears, comes
  // back (a repeat), and the alarm returns unacknowledged.
  auto t = must(at(S::active_acknowledged, true), A::shelve);
  t = must(t.after, A::condition_clear);
  EXPECT_EQ(t.after.state, S::shelved);
  EXPECT_FALSE(t.after.condition);
  EXPECT_TRUE(t.changed);
  t = must(t.after, A::condition_present);
  EXPECT_TRUE(t.repeated);
  EXPECT_EQ(t.after.state, S::shelved);
  t = must(t.after, A::unshelve);
  EXPECT_EQ(t.after.state, S::active_unacknowledged);
  EXPECT_FALSE(t.closed);
}

TEST(AlarmLifecycle, AHiddenAlarmWhoseConditionClearedClosesWhenBack) {
  for (auto [hide, show] : {std::pair{A::shelve, A::unshelve}, {A::suppress, A::unsuppress}}) {
    auto t = must(at(S::active_unacknowledged, true), hide);
    t = must(t.after, A::condition_clear);
    t = must(t.after, show);
    EXPECT_EQ(t.after.state, S::normal);
    EXPECT_TRUE(t.closed);
  }
}

TEST(AlarmLifecycle, EveryActionInEveryStateEitherMovesOrIsRefusedWithConflict) {
  // No state and action end in an error other than conflict, and no
  // transition leaves a visible active state without its condition. The
  // starting points are those that can be: active states with their
  // condition, normal and returned without it, hidden ones either way.
  for (auto s : {S::normal, S::active_unacknowledged, S::active_acknowledged,
                 S::returned_unacknowledged, S::shelved, S::suppressed})
    for (bool condition : {false, true}) {
      const bool active = s == S::active_unacknowledged || s == S::active_acknowledged;
      const bool can_be = s == S::shelved || s == S::suppressed || condition == active;
      if (!can_be) continue;
      for (auto a : {A::condition_present, A::condition_clear, A::acknowledge, A::shelve,
                     A::unshelve, A::suppress, A::unsuppress}) {
        const auto t = apply(at(s, condition), a);
        if (!t) {
          EXPECT_EQ(t.error().code, ErrorCode::conflict);
          continue;
        }
        const auto after = t->after.state;
        if (after == S::active_unacknowledged || after == S::active_acknowledged) {
          EXPECT_TRUE(t->after.condition) << alarm_state_name(s) << " " << static_cast<int>(a);
        }
        EXPECT_EQ(t->closed, after == S::normal && s != S::normal);
      }
    }
}

TEST(AlarmVocabulary, NamesGoBothWays) {
  for (auto s : kSeverities) EXPECT_EQ(severity_from_name(severity_name(s)), s);
  EXPECT_LT(Severity::warning, Severity::minor);
  EXPECT_LT(Severity::major, Severity::critical);
  EXPECT_FALSE(severity_from_name("fatal"));
  for (auto s : {S::normal, S::active_unacknowledged, S::active_acknowledged,
                 S::returned_unacknowledged, S::shelved, S::suppressed})
    EXPECT_EQ(alarm_state_from_name(alarm_state_name(s)), s);
  EXPECT_FALSE(alarm_state_from_name("open"));
}

}  // namespace
}  // namespace citypulse::rules
