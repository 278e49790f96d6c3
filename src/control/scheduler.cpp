#include "control/scheduler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "control/optimal_start.h"
#include "control/recovery_history.h"
#include "control/weekly_schedule_json.h"
#include "store/command_store.h"
#include "store/schedule_store.h"

namespace citypulse::control {
namespace json = boost::json;

namespace {

// A setpoint of a mode as a target takes it.
double target_value(const Setpoints& sp, const std::string& which) {
  if (which == "heating") return sp.heating.value_or(sp.setpoint);
  if (which == "cooling") return sp.cooling.value_or(sp.setpoint);
  return sp.setpoint;
}

std::optional<std::int64_t> int_member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? std::optional<std::int64_t>(v->as_int64()) : std::nullopt;
}

// A schedule ready to run: its compiled week and the scheduler's state.
struct Running {
  ControlSchedule record;
  // Null when the document does not compile (logged once); shared with the
  // targets' plans that value_at() reads.
  std::shared_ptr<const WeeklySchedule> week;
  OptimalStart model;
  json::object state;
  TimeMs next_check_at = 0;
  // The targets whose write of the applied change has no final outcome yet:
  // pending, or failed and to be made again. A schedule read afresh (a start)
  // puts all of them here; the commands table then says which are settled.
  std::set<Id> unsettled;
};

// What value_at() needs of an enabled schedule's target.
struct TargetPlan {
  Id point = 0;
  std::string setpoint;  // setpoint | heating | cooling
  std::shared_ptr<const WeeklySchedule> week;
};

}  // namespace

struct Scheduler::State {
  MetaStore& store;
  SeriesStore* series;
  CommandService& commands;
  SchedulerOptions options;

  // Two locks, so that value_at() (which the command service calls) never
  // waits for a pass, which submits commands and writes to the store:
  // `mutex` serialises the passes and guards `running`; `plans_mutex` guards
  // only the plans' pointer and is never held while calling out.
  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  bool started = false;
  std::uint64_t seen_changes = ~std::uint64_t{0};
  std::map<Id, Running> running;  // by schedule id
  std::thread thread;
  mutable std::mutex plans_mutex;
  std::shared_ptr<const std::vector<TargetPlan>> plans =
      std::make_shared<std::vector<TargetPlan>>();

  State(MetaStore& s, SeriesStore* se, CommandService& c, SchedulerOptions o)
      : store(s), series(se), commands(c), options(std::move(o)) {}

  TimeMs now() const { return options.clock ? options.clock() : now_ms(); }

  // Reads the schedules again when they changed; keeps the state of those
  // whose version is unchanged. With the mutex held.
  void reload() {
    const auto changes = store.schedules().changes();
    if (changes == seen_changes) return;
    auto all = store.schedules().all();
    if (!all) {
      spdlog::warn("scheduler: cannot read the schedules: {}", all.error().message);
      return;
    }
    seen_changes = changes;
    std::map<Id, Running> next;
    for (auto& s : *all) {
      auto old = running.find(s.id);
      if (old != running.end() && old->second.record.version == s.version) {
        old->second.record.enabled = s.enabled;
        next.emplace(s.id, std::move(old->second));
        continue;
      }
      Running r;
      boost::system::error_code ec;
      auto doc = json::parse(s.document, ec);
      if (!ec) {
        auto week = schedule_from_json(doc);
        if (week)
          r.week = std::make_shared<const WeeklySchedule>(std::move(*week));
        else
          spdlog::warn("scheduler: schedule {} does not compile: {} ({})", s.id,
                       week.error().message, week.error().field);
      }
      auto state = json::parse(s.state, ec);
      if (!ec && state.is_object()) r.state = std::move(state.as_object());
      if (const auto* m = r.state.if_contains("optimal_start"))
        if (auto model = OptimalStart::from_json(*m)) r.model = std::move(*model);
      if (r.state.contains("applied"))
        for (const auto& t : s.targets) r.unsettled.insert(t.point_id);
      r.record = std::move(s);
      next.emplace(r.record.id, std::move(r));
    }
    running = std::move(next);
    auto plans_now = std::make_shared<std::vector<TargetPlan>>();
    for (const auto& [id, r] : running) {
      if (!r.record.enabled || !r.week) continue;
      for (const auto& t : r.record.targets) plans_now->push_back({t.point_id, t.setpoint, r.week});
    }
    std::lock_guard lock(plans_mutex);
    plans = std::move(plans_now);
  }

  void save(Running& r) {
    r.state["optimal_start"] = r.model.to_json();
    if (auto s = store.schedules().save_state(r.record.id, json::serialize(r.state)); !s)
      spdlog::warn("scheduler: schedule {}: {}", r.record.id, s.error().message);
  }

  std::optional<double> latest(std::optional<Id> point) {
    if (!series || !point) return std::nullopt;
    const Id ids[] = {*point};
    auto l = series->latest(ids);
    if (!l || l->empty()) return std::nullopt;
    return l->front().second.value;
  }

  // Writes `mode`'s setpoint to one target for the change `key`.
  Result<Command> write(const Running& r, const ScheduleTarget& target, Mode mode, TimeMs key,
                        int attempt) {
    CommandRequest c;
    c.point_id = target.point_id;
    c.value = target_value(r.week->setpoints_of(mode), target.setpoint);
    c.origin = CommandOrigin::schedule;
    c.actor = "scheduler";
    c.schedule_id = r.record.id;
    c.transition_at = key;
    c.attempt = attempt;
    return commands.submit(Scope::tenant(r.record.tenant_id), std::move(c));
  }

  // Writes `mode`'s setpoints to every target, keyed by `key`.
  void apply(Running& r, Mode mode, TimeMs key, std::string_view why) {
    r.unsettled.clear();
    for (const auto& t : r.record.targets) {
      auto sent = write(r, t, mode, key, 0);
      // A conflict may be this very write, stored before a crash: the
      // commands table tells (retry_failed), and what it says is followed.
      if (sent || sent.error().code == ErrorCode::conflict) r.unsettled.insert(t.point_id);
      if (!sent)
        spdlog::info("scheduler: schedule {} ({}) point {}: {}", r.record.id, why, t.point_id,
                     sent.error().message);
    }
    r.state["applied"] = json::object{
        {"transition_at", key}, {"mode", mode_name(mode)}, {"at", now()}, {"why", why}};
  }

  // How long after a failed attempt the next one is made.
  std::int64_t retry_delay(int failed_attempt) const {
    std::int64_t delay = options.retry_first_ms;
    for (int i = 0; i < failed_attempt && delay < options.retry_max_ms; ++i) delay *= 2;
    return std::min(delay, options.retry_max_ms);
  }

  // Looks at the unsettled targets' last attempts at the applied change and
  // writes again those that failed once their delay is over; the time to look
  // again, none when every target is settled.
  std::optional<TimeMs> retry_failed(Running& r, TimeMs t) {
    if (r.unsettled.empty()) return std::nullopt;
    const auto* applied = r.state.if_contains("applied");
    const auto key = applied && applied->is_object()
                         ? int_member(applied->as_object(), "transition_at")
                         : std::nullopt;
    const auto* mode_text =
        applied && applied->is_object() ? applied->as_object().if_contains("mode") : nullptr;
    const auto mode = mode_text && mode_text->is_string()
                          ? parse_mode(std::string_view(mode_text->as_string()))
                          : std::nullopt;
    if (!key || !mode) {
      r.unsettled.clear();
      return std::nullopt;
    }
    std::optional<TimeMs> next;
    auto look_at = [&](TimeMs when) { next = std::min(next.value_or(when), when); };
    for (auto it = r.unsettled.begin(); it != r.unsettled.end();) {
      const Id point = *it;
      auto last = store.commands().last_attempt(r.record.id, *key, point);
      if (!last) {
        spdlog::warn("scheduler: schedule {} point {}: {}", r.record.id, point,
                     last.error().message);
        look_at(t + options.settle_check_ms);
        ++it;
        continue;
      }
      const auto target =
          std::find_if(r.record.targets.begin(), r.record.targets.end(),
                       [&](const ScheduleTarget& x) { return x.point_id == point; });
      if (!*last || (*last)->status == CommandStatus::confirmed ||
          target == r.record.targets.end()) {
        it = r.unsettled.erase(it);
        continue;
      }
      const Command& c = **last;
      if (c.status == CommandStatus::pending) {
        look_at(t + options.settle_check_ms);
        ++it;
        continue;
      }
      const TimeMs due = c.completed_at.value_or(c.requested_at) + retry_delay(c.attempt);
      if (t < due) {
        look_at(due);
        ++it;
        continue;
      }
      auto sent = write(r, *target, *mode, *key, c.attempt + 1);
      if (!sent) {
        spdlog::info("scheduler: schedule {} point {}: not written again: {}", r.record.id, point,
                     sent.error().message);
        it = r.unsettled.erase(it);
        continue;
      }
      spdlog::info("scheduler: schedule {} point {}: written again (attempt {}) after \"{}\"",
                   r.record.id, point, c.attempt + 1, c.error);
      look_at(t + options.settle_check_ms);
      ++it;
    }
    return next;
  }

  // The early start of occupancy, when the lead is reached; the time to
  // look again otherwise.
  TimeMs optimal_start(Running& r, TimeMs t, TimeMs applied_key) {
    const auto horizon = static_cast<std::int64_t>(r.model.config().max_lead_minutes * 60'000);
    auto next = r.week->next_change_to(Mode::occupied, t, horizon + 60'000);
    if (!next || next->at <= applied_key) return t + 60'000;
    const auto& occupied = r.week->setpoints_of(Mode::occupied);
    const double target = occupied.heating.value_or(occupied.setpoint);
    const double zone = latest(r.record.zone_point_id).value_or(std::nan(""));
    const double outdoor =
        r.record.outdoor_point_id ? latest(r.record.outdoor_point_id).value_or(std::nan("")) : 0.0;
    const double lead = r.model.lead_time(zone, target, outdoor);
    const TimeMs start = plant_start_time(next->at, lead);
    r.state["lead_minutes"] = lead;
    if (t < start) return std::min(start, t + 60'000);
    const auto& before = r.week->setpoint_at(t);
    apply(r, Mode::occupied, next->at, "optimal start");
    r.state["learning"] = json::object{{"start_at", t},
                                       {"occupied_at", next->at},
                                       {"from", before.heating.value_or(before.setpoint)},
                                       {"to", target}};
    return t + 60'000;
  }

  // Teaches the model the warm-up that followed an early start.
  void learn(Running& r, TimeMs t) {
    const auto* l = r.state.if_contains("learning");
    if (!l || !l->is_object()) return;
    const auto start = int_member(l->as_object(), "start_at").value_or(0);
    if (t < start + options.learn_after_ms) return;
    const double from = l->as_object().at("from").to_number<double>();
    const double to = l->as_object().at("to").to_number<double>();
    r.state.erase("learning");
    if (!series || !r.record.zone_point_id) return;
    const TimeMs begin = start - 30 * 60'000, end = start + options.learn_after_ms;
    auto zone = series->range(*r.record.zone_point_id, begin, end, 100'000);
    if (!zone) return;
    std::vector<TimedValue> outdoor;
    if (r.record.outdoor_point_id)
      if (auto o = series->range(*r.record.outdoor_point_id, begin, end, 100'000)) outdoor = *o;
    std::vector<ZoneSample> samples;
    std::size_t j = 0;
    for (const auto& z : *zone) {
      while (j + 1 < outdoor.size() && outdoor[j + 1].t <= z.t) ++j;
      samples.push_back({.at = z.t,
                         .zone_temp = z.value,
                         .outdoor_temp = outdoor.empty() ? 0.0 : outdoor[j].value,
                         .setpoint = z.t < start ? from : to,
                         .plant_on = std::nullopt});
    }
    int taught = 0;
    for (const auto& o : find_recoveries(samples, RecoveryDirection::warmup))
      if (r.model.observe_warmup(o)) ++taught;
    spdlog::info("scheduler: schedule {} learned {} warm-up(s) from its early start", r.record.id,
                 taught);
  }

  // One schedule's pass at t; the time to look at it again.
  TimeMs pass(Running& r, TimeMs t) {
    if (!r.record.enabled || !r.week) return t + 60'000;
    const auto applied_key =
        r.state.contains("applied")
            ? int_member(r.state.at("applied").as_object(), "transition_at").value_or(0)
            : 0;
    bool changed = false;
    // The mode in force and the change that started it.
    auto changes = r.week->transitions(t - options.catch_up_ms, t + 1);
    TimeMs key = r.record.updated_at;
    if (changes && !changes->empty()) key = std::max(key, changes->back().at);
    if (key > applied_key) {
      apply(r, r.week->mode_at(t), key, key == r.record.updated_at ? "schedule saved" : "change");
      changed = true;
    }
    TimeMs next_check = t + 60'000;
    if (auto upcoming = r.week->transitions(t + 1, t + 2 * 86'400'000);
        upcoming && !upcoming->empty())
      next_check = std::min(next_check, upcoming->front().at);
    if (r.record.zone_point_id && r.week->mode_at(t) != Mode::occupied) {
      const auto before = r.state.contains("learning");
      next_check = std::min(next_check, optimal_start(r, t, std::max(applied_key, key)));
      changed = changed || before != r.state.contains("learning");
    }
    if (r.state.contains("learning")) {
      learn(r, t);
      changed = changed || !r.state.contains("learning");
    }
    if (auto again = retry_failed(r, t)) next_check = std::min(next_check, *again);
    if (changed) save(r);
    return next_check;
  }

  void run_pass() {
    std::lock_guard lock(mutex);
    reload();
    const TimeMs t = now();
    for (auto& [id, r] : running)
      if (t >= r.next_check_at) r.next_check_at = pass(r, t);
  }

  void run() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      run_pass();
      lock.lock();
      wake.wait_for(lock, std::chrono::milliseconds(options.pass_ms), [this] { return stopping; });
    }
  }
};

Scheduler::Scheduler(MetaStore& store, SeriesStore* series, CommandService& commands,
                     SchedulerOptions options)
    : state_(std::make_shared<State>(store, series, commands, std::move(options))) {}

Scheduler::~Scheduler() {
  stop();
}

Status Scheduler::start() {
  std::lock_guard lock(state_->mutex);
  if (state_->started) return {};
  state_->started = true;
  state_->stopping = false;
  state_->thread = std::thread([s = state_.get()] { s->run(); });
  return {};
}

void Scheduler::stop() {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->started) return;
    state_->stopping = true;
    state_->started = false;
  }
  state_->wake.notify_one();
  if (state_->thread.joinable()) state_->thread.join();
}

void Scheduler::run_once() {
  state_->run_pass();
}

std::optional<double> Scheduler::value_at(Id point, TimeMs at) const {
  std::shared_ptr<const std::vector<TargetPlan>> plans;
  {
    std::lock_guard lock(state_->plans_mutex);
    plans = state_->plans;
  }
  for (const auto& p : *plans)
    if (p.point == point) return target_value(p.week->setpoint_at(at), p.setpoint);
  return std::nullopt;
}

}  // namespace citypulse::control
