// The life of one alarm — one (rule, source) pair — after ISA-18.2: what
// its condition and its operators do to its state (model/alarm.h). Pure
// logic: no clock, no store; the alarm service keeps the record, audits
// and publishes each change.
//
//   normal ──condition present──▶ active_unacknowledged ──acknowledge──▶ active_acknowledged
//                                   │  ▲                                   │
//                     condition clear  │ condition present                  condition clear
//                                   ▼  │                                   ▼
//                          returned_unacknowledged ──acknowledge──▶ normal (the alarm closes)
//
// Shelving (an operator, with a reason and an expiry) and suppression (by
// design, or while the equipment is out of service) hide any alarm that is
// not already hidden; the condition is still followed meanwhile, and when
// the alarm comes back (unshelve, expiry, unsuppress) it is
// active_unacknowledged if the condition is present — it is announced
// again — and normal otherwise.
//
// An alarm is open from the condition's first appearance until it is back
// to normal; a condition that appears again while the alarm is open is a
// repeat of the same alarm (its counter and last-seen time), not a new one.
// Acknowledging what waits for no acknowledgement, shelving what is hidden,
// unshelving what is not shelved and the like are refused with
// ErrorCode::conflict (409 at the API) and change nothing.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "model/alarm.h"

namespace citypulse::rules {

enum class AlarmAction : std::uint8_t {
  condition_present,  // the rule's condition holds (again)
  condition_clear,    // it no longer holds
  acknowledge,
  shelve,
  unshelve,  // by an operator, or the shelf's expiry
  suppress,
  unsuppress,
};

// What an alarm is now.
struct AlarmLifecycle {
  AlarmState state = AlarmState::normal;
  bool condition = false;  // the rule's condition, followed while hidden too
  bool open() const { return state != AlarmState::normal; }
};

// What one action did.
struct AlarmTransition {
  AlarmLifecycle after;
  bool opened = false;    // normal → an open alarm: a new alarm begins
  bool repeated = false;  // the condition appeared again while the alarm was open
  bool closed = false;    // back to normal: the alarm ends
  bool changed = false;   // the state or the condition differs from before
};

// `action` applied to `now`; conflict when the action does not apply to the
// state (the message says why, in an operator's words).
Result<AlarmTransition> apply(const AlarmLifecycle& now, AlarmAction action);

}  // namespace citypulse::rules
