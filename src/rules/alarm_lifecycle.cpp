#include "rules/alarm_lifecycle.h"

namespace citypulse::rules {
namespace {

using S = AlarmState;

bool hidden(S s) {
  return s == S::shelved || s == S::suppressed;
}

Result<AlarmTransition> refuse(const char* why) {
  return fail(ErrorCode::conflict, why);
}

// Back from a shelf or a suppression: announced again while the condition
// holds, over otherwise.
AlarmTransition come_back(const AlarmLifecycle& now) {
  AlarmTransition t;
  t.after = now;
  t.after.state = now.condition ? S::active_unacknowledged : S::normal;
  t.closed = !now.condition;
  t.changed = true;
  return t;
}

}  // namespace

Result<AlarmTransition> apply(const AlarmLifecycle& now, AlarmAction action) {
  AlarmTransition t;
  t.after = now;
  auto to = [&](S state) {
    t.after.state = state;
    t.changed = t.after.state != now.state || t.after.condition != now.condition;
    t.opened = !now.open() && t.after.open();
    t.closed = now.open() && !t.after.open();
    return t;
  };
  switch (action) {
    case AlarmAction::condition_present:
      t.after.condition = true;
      // Back while the alarm is still open: the same alarm again.
      t.repeated = now.open() && !now.condition;
      if (now.state == S::normal || now.state == S::returned_unacknowledged)
        return to(S::active_unacknowledged);
      return to(now.state);
    case AlarmAction::condition_clear:
      t.after.condition = false;
      if (now.state == S::active_unacknowledged) return to(S::returned_unacknowledged);
      if (now.state == S::active_acknowledged) return to(S::normal);
      return to(now.state);
    case AlarmAction::acknowledge:
      if (now.state == S::active_unacknowledged) return to(S::active_acknowledged);
      if (now.state == S::returned_unacknowledged) return to(S::normal);
      if (now.state == S::normal) return refuse("nothing to acknowledge: the alarm is not open");
      if (now.state == S::active_acknowledged) return refuse("the alarm is acknowledged already");
      return refuse("a hidden alarm is acknowledged once it is back (unshelve or unsuppress it)");
    case AlarmAction::shelve:
    case AlarmAction::suppress:
      if (now.state == S::normal)
        return refuse("only an open alarm can be hidden: this one is normal");
      if (hidden(now.state))
        return refuse(now.state == S::shelved ? "the alarm is shelved already"
                                              : "the alarm is suppressed already");
      return to(action == AlarmAction::shelve ? S::shelved : S::suppressed);
    case AlarmAction::unshelve:
      if (now.state != S::shelved) return refuse("the alarm is not shelved");
      return come_back(now);
    case AlarmAction::unsuppress:
      if (now.state != S::suppressed) return refuse("the alarm is not suppressed");
      return come_back(now);
  }
  return fail(ErrorCode::internal, "unknown alarm action");
}

}  // namespace citypulse::rules
