#include "alarms/alarm_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/time.h"
#include "model/alarm_json.h"
#include "rules/alarm_lifecycle.h"

namespace citypulse::alarms {
namespace {

std::optional<rules::AlarmAction> lifecycle_action(OperatorActionKind kind) {
  using K = OperatorActionKind;
  using A = rules::AlarmAction;
  switch (kind) {
    case K::acknowledge:
      return A::acknowledge;
    case K::shelve:
      return A::shelve;
    case K::unshelve:
      return A::unshelve;
    case K::suppress:
      return A::suppress;
    case K::unsuppress:
      return A::unsuppress;
    default:
      return std::nullopt;  // the others leave the state alone
  }
}

std::string_view note_kind(OperatorActionKind kind) {
  using K = OperatorActionKind;
  switch (kind) {
    case K::acknowledge:
      return "acknowledged";
    case K::shelve:
      return "shelved";
    case K::unshelve:
      return "unshelved";
    case K::suppress:
      return "suppressed";
    case K::unsuppress:
      return "unsuppressed";
    case K::comment:
      return "commented";
    case K::assign:
      return "assigned";
    case K::incident:
      return "incident";
  }
  return "commented";
}

std::string shown(double value) {
  return fmt::format("{:.6g}", value);
}

}  // namespace

AlarmService::AlarmService(AlarmStore& store, bus::EventBus* bus, Clock clock)
    : store_(store), bus_(bus), clock_(clock ? std::move(clock) : Clock(now_ms)) {}

Status AlarmService::load() {
  auto open = store_.open_alarms();
  if (!open) return std::unexpected(open.error());
  std::lock_guard lock(mutex_);
  for (auto& a : *open) {
    const Key key{a.rule_id, a.point_id};
    key_of_[a.id] = key;
    open_[key] = std::move(a);
  }
  return {};
}

void AlarmService::publish(const Alarm& alarm, const AlarmNote& note) {
  if (!bus_) return;
  bus::Event e;
  e.kind = bus::EventKind::alarm_changed;
  e.tenant_id = alarm.tenant_id;
  e.building_id = alarm.building_id;
  e.severity = alarm.severity;
  auto details = alarm_json(alarm);
  details["change"] = note.kind;
  if (!note.text.empty()) details["note"] = note.text;
  if (note.user_id) details["by"] = *note.user_id;
  e.details_json = boost::json::serialize(details);
  bus_->publish(std::move(e));
}

Status AlarmService::commit(const Alarm* before, Alarm after, AlarmNote note) {
  after.updated_at = note.at;
  note.state = after.state;
  auto stored =
      before ? store_.update(std::move(after), note) : store_.insert(std::move(after), note);
  if (!stored) return std::unexpected(stored.error());
  const Key key{stored->rule_id, stored->point_id};
  if (stored->open()) {
    key_of_[stored->id] = key;
    open_[key] = *stored;
  } else {
    key_of_.erase(stored->id);
    open_.erase(key);
  }
  publish(*stored, note);
  return {};
}

void AlarmService::on_condition(const AlarmSubject& subject, const rules::ConditionChange& change) {
  std::lock_guard lock(mutex_);
  const Key key{subject.rule_id, subject.point_id};
  const auto it = open_.find(key);
  const Alarm* before = it == open_.end() ? nullptr : &it->second;
  const rules::AlarmLifecycle now =
      before ? rules::AlarmLifecycle{before->state, before->condition} : rules::AlarmLifecycle{};
  auto t = rules::apply(now, change.present ? rules::AlarmAction::condition_present
                                            : rules::AlarmAction::condition_clear);
  if (!t || !(t->changed || t->repeated)) return;

  Alarm a = before ? *before : Alarm{};
  AlarmNote note;
  note.at = change.at;
  note.text = shown(change.value);
  a.state = t->after.state;
  a.condition = t->after.condition;
  if (t->opened) {
    a.tenant_id = subject.tenant_id;
    a.rule_id = subject.rule_id;
    a.point_id = subject.point_id;
    a.building_id = subject.building_id;
    a.raised_at = change.at;
    a.count = 1;
    note.kind = "raised";
  } else if (change.present) {
    ++a.count;
    note.kind = "repeated";
  } else {
    a.cleared_at = change.at;
    note.kind = t->closed ? "closed" : "cleared";
    if (t->closed) a.closed_at = change.at;
  }
  if (change.present) {
    a.severity = subject.severity;
    a.message = subject.message;
    a.value = change.value;
    a.last_seen_at = change.at;
  }
  if (auto s = commit(before, std::move(a), std::move(note)); !s)
    spdlog::error("alarm of rule {} on point {} not stored: {}", subject.rule_id, subject.point_id,
                  s.error().message);
}

void AlarmService::close_unwatched(const std::function<bool(Id, Id)>& watched,
                                   const std::string& why) {
  std::lock_guard lock(mutex_);
  std::vector<Alarm> gone;
  for (const auto& [key, alarm] : open_)
    if (!watched(key.first, key.second)) gone.push_back(alarm);
  const TimeMs at = clock_();
  for (const auto& before : gone) {
    Alarm a = before;
    a.state = AlarmState::normal;
    a.condition = false;
    a.closed_at = at;
    AlarmNote note;
    note.at = at;
    note.kind = "closed";
    note.text = why;
    if (auto s = commit(&before, std::move(a), std::move(note)); !s)
      spdlog::error("alarm {} not closed: {}", before.id, s.error().message);
  }
}

std::vector<std::pair<Id, Id>> AlarmService::present_conditions() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<Id, Id>> out;
  for (const auto& [key, alarm] : open_)
    if (alarm.condition) out.push_back(key);
  return out;
}

std::optional<TimeMs> AlarmService::next_shelf_expiry() const {
  std::lock_guard lock(mutex_);
  std::optional<TimeMs> first;
  for (const auto& [key, alarm] : open_)
    if (alarm.state == AlarmState::shelved && alarm.shelved_until &&
        (!first || *alarm.shelved_until < *first))
      first = alarm.shelved_until;
  return first;
}

void AlarmService::expire_shelves(TimeMs now) {
  std::lock_guard lock(mutex_);
  std::vector<Alarm> expired;
  for (const auto& [key, alarm] : open_)
    if (alarm.state == AlarmState::shelved && alarm.shelved_until && *alarm.shelved_until <= now)
      expired.push_back(alarm);
  for (const auto& before : expired) {
    auto t = rules::apply({before.state, before.condition}, rules::AlarmAction::unshelve);
    if (!t) continue;
    Alarm a = before;
    a.state = t->after.state;
    a.shelved_by.reset();
    a.shelved_until.reset();
    a.shelve_reason.clear();
    if (t->closed) a.closed_at = now;
    AlarmNote note;
    note.at = now;
    note.kind = "unshelved";
    note.text = "the shelf expired";
    if (auto s = commit(&before, std::move(a), std::move(note)); !s)
      spdlog::error("alarm {} not unshelved: {}", before.id, s.error().message);
  }
}

Result<Alarm> AlarmService::act(const Scope& scope, Id alarm_id, const OperatorAction& action) {
  using K = OperatorActionKind;
  const TimeMs now = clock_();
  if (action.kind == K::shelve) {
    if (action.text.empty()) return fail(ErrorCode::invalid, "a shelf needs a reason", "/reason");
    if (!action.until || *action.until <= now)
      return fail(ErrorCode::invalid, "a shelf needs an expiry in the future", "/until");
  }
  if ((action.kind == K::comment || action.kind == K::incident || action.kind == K::suppress) &&
      action.text.empty())
    return fail(ErrorCode::invalid,
                action.kind == K::suppress ? "a suppression needs a reason" : "the text is empty",
                action.kind == K::suppress ? "/reason" : "/text");
  // Visibility first: an alarm outside the scope does not exist.
  auto visible = store_.get(scope, alarm_id);
  if (!visible) return std::unexpected(visible.error());

  std::lock_guard lock(mutex_);
  const auto key = key_of_.find(alarm_id);
  const Alarm before = key != key_of_.end() ? open_.at(key->second) : *visible;
  Alarm a = before;
  if (const auto lifecycle = lifecycle_action(action.kind)) {
    auto t = rules::apply({before.state, before.condition}, *lifecycle);
    if (!t) return std::unexpected(t.error());
    a.state = t->after.state;
    if (t->closed) a.closed_at = now;
  } else if (!before.open() && action.kind != K::comment) {
    return fail(ErrorCode::conflict,
                fmt::format("alarm {} is closed; a closed alarm takes comments only", alarm_id));
  }
  switch (action.kind) {
    case K::acknowledge:
      a.acknowledged_by = action.user_id;
      a.acknowledged_at = now;
      break;
    case K::shelve:
      a.shelved_by = action.user_id;
      a.shelved_until = action.until;
      a.shelve_reason = action.text;
      break;
    case K::unshelve:
      a.shelved_by.reset();
      a.shelved_until.reset();
      a.shelve_reason.clear();
      break;
    case K::suppress:
      a.suppress_reason = action.text;
      break;
    case K::unsuppress:
      a.suppress_reason.clear();
      break;
    case K::assign:
      a.assigned_to = action.assignee;
      break;
    case K::incident:
      a.incident = action.text;
      break;
    case K::comment:
      break;
  }
  AlarmNote note{.at = now,
                 .kind = std::string(note_kind(action.kind)),
                 .user_id = action.user_id,
                 .text = action.kind == K::assign && action.assignee
                             ? fmt::format("user {}", *action.assignee)
                             : action.text};
  if (auto s = commit(&before, a, note); !s) return std::unexpected(s.error());
  // What commit stored is in memory if open; a closed alarm is read back.
  const auto now_key = key_of_.find(alarm_id);
  if (now_key != key_of_.end()) return open_.at(now_key->second);
  return store_.get(scope, alarm_id);
}

std::size_t AlarmService::open_count() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

}  // namespace citypulse::alarms
