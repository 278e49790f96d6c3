#include "control/command_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "model/command_json.h"
#include "store/command_store.h"
#include "store/identity_store.h"

namespace citypulse::control {
namespace json = boost::json;

namespace {

constexpr std::string_view kWritable[] = {"bacnet_ip", "modbus_tcp", "http_poll", "mqtt"};

// The device holds what was asked when the read-back lies this close: a
// REAL's rounding, a register's scale.
bool holds(double asked, double read_back) {
  return std::fabs(asked - read_back) <= 1e-6 + 0.005 * std::max(1.0, std::fabs(asked));
}

}  // namespace

struct CommandService::State : std::enable_shared_from_this<State> {
  MetaStore& store;
  SeriesStore* series;
  PlantWriter& writer;
  bus::EventBus* bus;
  CommandServiceOptions options;
  ScheduleLookup schedule;

  struct Answer {
    Id command = 0;
    Result<std::optional<double>> result;
  };

  mutable std::mutex mutex;
  std::condition_variable wake;
  bool running = false;
  bool stopping = false;
  std::deque<Answer> answers;
  std::map<Id, Command> pending;    // by command id: sent, no answer yet
  std::map<Id, Command> overrides;  // by point: the running timed override
  std::thread thread;

  State(MetaStore& s, SeriesStore* se, PlantWriter& w, bus::EventBus* b, CommandServiceOptions o)
      : store(s), series(se), writer(w), bus(b), options(std::move(o)) {}

  TimeMs now() const { return options.clock ? options.clock() : now_ms(); }

  void publish(const Command& c, std::string_view change) {
    if (!bus) return;
    auto details = command_json(c);
    details["change"] = change;
    bus::Event e;
    e.kind = bus::EventKind::command_result;
    e.tenant_id = c.tenant_id;
    e.building_id = c.building_id;
    e.details_json = json::serialize(details);
    bus->publish(std::move(e));
  }

  void audit(const Command& c, std::string_view action, std::string_view actor) {
    AuditEntry e;
    e.tenant_id = c.tenant_id;
    e.at = now();
    e.actor = std::string(actor);
    e.action = std::string(action);
    e.resource = "commands";
    e.resource_id = c.id;
    json::object summary{{"point_id", c.point_id},
                         {"device_id", c.device_id},
                         {"value", c.value ? json::value(*c.value) : json::value(nullptr)},
                         {"origin", command_origin_name(c.origin)},
                         {"status", command_status_name(c.status)}};
    if (c.read_back) summary["read_back"] = *c.read_back;
    if (!c.error.empty()) summary["error"] = c.error;
    e.summary = json::serialize(summary);
    if (auto r = store.identity().append_audit(std::move(e)); !r)
      spdlog::error("audit log: {} (command {})", r.error().message, c.id);
  }

  // Stores `c` pending, publishes it and sends it. The caller has checked it.
  Result<Command> send(Command c) {
    {
      std::lock_guard lock(mutex);
      if (!running) return fail(ErrorCode::unavailable, "the command service is not running");
      if (pending.size() >= options.max_pending)
        return fail(ErrorCode::unavailable,
                    fmt::format("{} commands await their devices' answers; try again shortly",
                                pending.size()));
    }
    auto stored = store.commands().create(std::move(c));
    if (!stored) return stored;
    {
      std::lock_guard lock(mutex);
      pending.emplace(stored->id, *stored);
      if (stored->expires_at) overrides[stored->point_id] = *stored;
    }
    wake.notify_one();
    publish(*stored, "requested");
    if (stored->origin != CommandOrigin::operator_)  // an operator's is the request's audit
      audit(*stored, "command", stored->actor);
    const std::int64_t timeout = std::max<std::int64_t>(0, stored->deadline_at - now());
    writer.write({.tenant_id = stored->tenant_id,
                  .device_id = stored->device_id,
                  .protocol = stored->protocol,
                  .channel = stored->channel},
                 stored->value, stored->priority, timeout,
                 // A device may answer after the service is gone.
                 [weak = weak_from_this(), id = stored->id](Result<std::optional<double>> r) {
                   auto self = weak.lock();
                   if (!self) return;
                   {
                     std::lock_guard lock(self->mutex);
                     self->answers.push_back({id, std::move(r)});
                   }
                   self->wake.notify_one();
                 });
    return stored;
  }

  // The device's answer, on the thread.
  void complete(Id id, Result<std::optional<double>> answer) {
    Command c;
    {
      std::lock_guard lock(mutex);
      auto it = pending.find(id);
      if (it == pending.end()) return;  // after its deadline: it stays timed_out
      c = std::move(it->second);
      pending.erase(it);
    }
    CommandStatus status = CommandStatus::confirmed;
    std::optional<double> read_back;
    std::string error;
    if (!answer) {
      status = answer.error().code == ErrorCode::timed_out ? CommandStatus::timed_out
                                                           : CommandStatus::failed;
      error = answer.error().message;
    } else {
      read_back = *answer;
      if (c.value && read_back && !holds(*c.value, *read_back)) {
        status = CommandStatus::failed;
        error = fmt::format(
            "the device holds {:g} after the write of {:g} (a higher priority or a local "
            "override commands it)",
            *read_back, *c.value);
      }
    }
    finish(c, status, read_back, std::move(error));
  }

  void finish(const Command& c, CommandStatus status, std::optional<double> read_back,
              std::string error) {
    auto done = store.commands().finish(c.id, status, now(), read_back, std::move(error));
    if (!done) {
      spdlog::error("command {}: {}", c.id, done.error().message);
      return;
    }
    {
      std::lock_guard lock(mutex);
      auto it = overrides.find(c.point_id);
      if (it != overrides.end() && it->second.id == c.id) it->second = *done;
    }
    publish(*done, "completed");
    audit(*done, "command_result", "system");
    // A refused override holds nothing, so there is nothing to give back at
    // its end; one the device took but another priority beats still ends.
    if (done->expires_at && status == CommandStatus::failed && !read_back) end(*done, false);
  }

  // Ends override `o`: stored ended, published, and (when `restore`) the
  // point given back to what governs it otherwise.
  void end(Command o, bool restore) {
    {
      std::lock_guard lock(mutex);
      auto it = overrides.find(o.point_id);
      if (it != overrides.end() && it->second.id == o.id) overrides.erase(it);
    }
    const TimeMs at = now();
    if (auto s = store.commands().end_override(o.id, at); !s) {
      spdlog::warn("command {}: {}", o.id, s.error().message);
      return;
    }
    o.ended_at = at;
    publish(o, "ended");
    if (!restore) return;
    Command back;
    back.tenant_id = o.tenant_id;
    back.building_id = o.building_id;
    back.point_id = o.point_id;
    back.device_id = o.device_id;
    back.channel = o.channel;
    back.protocol = o.protocol;
    back.origin = CommandOrigin::override_end;
    back.actor = "system";
    back.ends = o.id;
    back.requested_at = at;
    back.deadline_at = at + options.answer_timeout_ms;
    if (o.protocol == "bacnet_ip") {
      back.priority = o.priority;  // relinquished: the lower priorities hold again
    } else if (auto scheduled = schedule ? schedule(o.point_id, at) : std::nullopt) {
      back.value = *scheduled;
    } else if (o.previous) {
      back.value = *o.previous;
    } else {
      spdlog::info("override {} of point {} ended; nothing to give back (no value before it)", o.id,
                   o.point_id);
      return;
    }
    if (auto r = send(std::move(back)); !r)
      spdlog::warn("override {} of point {} ended but could not be given back: {}", o.id,
                   o.point_id, r.error().message);
  }

  void run() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      if (!answers.empty()) {
        auto answer = std::move(answers.front());
        answers.pop_front();
        lock.unlock();
        complete(answer.command, std::move(answer.result));
        lock.lock();
        continue;
      }
      const TimeMs t = now();
      TimeMs next = t + 1000;  // a bound, so a clock that jumps is noticed
      std::optional<Command> late, expired;
      for (const auto& [id, c] : pending) {
        if (c.deadline_at <= t) {
          late = c;
          break;
        }
        next = std::min(next, c.deadline_at);
      }
      if (!late)
        for (const auto& [point, o] : overrides) {
          if (*o.expires_at <= t && !pending.contains(o.id)) {
            expired = o;
            break;
          }
          next = std::min(next, *o.expires_at);
        }
      if (late) {
        pending.erase(late->id);
        lock.unlock();
        finish(*late, CommandStatus::timed_out, std::nullopt,
               fmt::format("device {} did not answer within {} ms", late->device_id,
                           late->deadline_at - late->requested_at));
        lock.lock();
        continue;
      }
      if (expired) {
        lock.unlock();
        end(*expired, true);
        lock.lock();
        continue;
      }
      wake.wait_for(lock, std::chrono::milliseconds(std::max<TimeMs>(1, next - t)));
    }
  }
};

CommandService::CommandService(MetaStore& store, SeriesStore* series, PlantWriter& writer,
                               bus::EventBus* bus, CommandServiceOptions options)
    : state_(std::make_shared<State>(store, series, writer, bus, std::move(options))) {}

CommandService::~CommandService() {
  stop();
}

void CommandService::set_schedule_lookup(ScheduleLookup lookup) {
  state_->schedule = std::move(lookup);
}

Status CommandService::start() {
  auto unfinished = state_->store.commands().unfinished();
  if (!unfinished) return std::unexpected(unfinished.error());
  {
    std::lock_guard lock(state_->mutex);
    if (state_->running) return {};
    state_->running = true;
    state_->stopping = false;
  }
  for (auto& c : *unfinished) {
    if (c.status == CommandStatus::pending) {
      // Whether the device took it is unknown; it is not sent again.
      auto done = state_->store.commands().finish(c.id, CommandStatus::timed_out, state_->now(),
                                                  std::nullopt,
                                                  "the server stopped before the device answered");
      if (!done) return std::unexpected(done.error());
      c = *done;
      state_->publish(c, "completed");
    }
    if (c.expires_at && !c.ended_at) {
      if (c.status == CommandStatus::failed && !c.read_back) {
        state_->end(c, false);
        continue;
      }
      // The newest override of a point holds; an older one left running ends
      // without a write of its own.
      std::optional<Command> older;
      {
        std::lock_guard lock(state_->mutex);
        auto [it, fresh] = state_->overrides.try_emplace(c.point_id, c);
        if (!fresh) older = std::exchange(it->second, c);
      }
      if (older) state_->end(*older, false);
    }
  }
  state_->thread = std::thread([s = state_.get()] { s->run(); });
  return {};
}

void CommandService::stop() {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->running) return;
    state_->stopping = true;
    state_->running = false;
  }
  state_->wake.notify_one();
  if (state_->thread.joinable()) state_->thread.join();
}

Result<Command> CommandService::submit(const Scope& scope, CommandRequest request) {
  auto& s = *state_;
  auto point = s.store.points().get(scope, request.point_id);
  if (!point) return std::unexpected(point.error());
  if (point->kind != "setpoint" && point->kind != "command")
    return fail(ErrorCode::conflict,
                fmt::format("point {} is a {} point; only setpoint and command points take "
                            "commands",
                            point->id, point->kind));
  if (request.value) {
    if (!std::isfinite(*request.value))
      return fail(ErrorCode::invalid, "the value must be a finite number", "/value");
    if ((point->min_value && *request.value < *point->min_value) ||
        (point->max_value && *request.value > *point->max_value))
      return fail(ErrorCode::invalid,
                  fmt::format("{:g} is outside point {}'s range {}..{}", *request.value, point->id,
                              point->min_value ? fmt::format("{:g}", *point->min_value) : "",
                              point->max_value ? fmt::format("{:g}", *point->max_value) : ""),
                  "/value");
  }
  if (request.priority &&
      (*request.priority < 1 || *request.priority > 16 || *request.priority == 6))
    return fail(ErrorCode::invalid,
                "priority is 1..16 but 6 (BACnet keeps 6 for minimum on and off times)",
                "/priority");
  if (request.duration_ms && *request.duration_ms < 1000)
    return fail(ErrorCode::invalid, "a timed override lasts at least a second", "/duration");
  auto route = s.store.commands().route(point->tenant_id, point->id);
  if (!route) {
    if (route.error().code != ErrorCode::not_found) return std::unexpected(route.error());
    return fail(ErrorCode::conflict, route.error().message);
  }
  if (route->device_status == "disabled")
    return fail(ErrorCode::conflict, fmt::format("device {} ({}) that commands point {} is "
                                                 "disabled",
                                                 route->device_id, route->device_name, point->id));
  if (std::find(std::begin(kWritable), std::end(kWritable), route->protocol) == std::end(kWritable))
    return fail(ErrorCode::conflict,
                fmt::format("device {} ({}) speaks {}, which CityPulse reads but cannot command",
                            route->device_id, route->device_name, route->protocol));
  const bool bacnet = route->protocol == "bacnet_ip";
  if (!request.value && !bacnet)
    return fail(ErrorCode::invalid,
                fmt::format("only BACnet devices relinquish; device {} speaks {}: give a value",
                            route->device_id, route->protocol),
                "/value");

  const TimeMs now = s.now();
  Command c;
  c.tenant_id = point->tenant_id;
  c.building_id = point->building_id;
  c.point_id = point->id;
  c.device_id = route->device_id;
  c.channel = route->channel;
  c.protocol = route->protocol;
  c.value = request.value;
  c.priority = request.priority ? request.priority
                                : std::optional<int>(request.origin == CommandOrigin::schedule
                                                         ? s.options.schedule_priority
                                                         : s.options.operator_priority);
  c.origin = request.origin;
  c.user_id = request.user_id;
  c.api_key_id = request.api_key_id;
  c.actor = request.actor;
  c.schedule_id = request.schedule_id;
  c.transition_at = request.transition_at;
  c.attempt = request.attempt;
  c.requested_at = now;
  c.deadline_at = now + s.options.answer_timeout_ms;
  if (request.duration_ms) c.expires_at = now + *request.duration_ms;

  std::optional<Command> replaced;
  {
    std::lock_guard lock(s.mutex);
    auto it = s.overrides.find(point->id);
    if (it != s.overrides.end()) {
      if (request.origin == CommandOrigin::schedule && !bacnet)
        return fail(ErrorCode::conflict,
                    fmt::format("point {} is overridden until {} (command {})", point->id,
                                format_rfc3339(*it->second.expires_at), it->second.id));
      if (request.origin != CommandOrigin::schedule) {
        // Taken now, so that its expiry cannot give the point back meanwhile.
        replaced = std::move(it->second);
        s.overrides.erase(it);
      }
    }
  }
  if (replaced) {
    c.previous = replaced->previous;  // the value before any override
  } else if (s.series) {
    const Id ids[] = {point->id};
    if (auto latest = s.series->latest(ids); latest && !latest->empty())
      c.previous = latest->front().second.value;
  }
  auto sent = s.send(std::move(c));
  if (replaced) {
    if (sent) {
      s.end(*replaced, false);
    } else {
      std::lock_guard lock(s.mutex);
      s.overrides.try_emplace(replaced->point_id, *replaced);
    }
  }
  return sent;
}

Result<Command> CommandService::release(const Scope& scope, Id command) {
  auto c = state_->store.commands().get(scope, command);
  if (!c) return c;
  std::optional<Command> running;
  {
    std::lock_guard lock(state_->mutex);
    auto it = state_->overrides.find(c->point_id);
    if (it != state_->overrides.end() && it->second.id == command) running = it->second;
  }
  if (!running)
    return fail(ErrorCode::conflict,
                fmt::format("command {} is no timed override still holding its point", command));
  state_->end(*running, true);
  return state_->store.commands().get(scope, command);
}

bool CommandService::overridden(Id point) const {
  std::lock_guard lock(state_->mutex);
  return state_->overrides.contains(point);
}

}  // namespace citypulse::control
