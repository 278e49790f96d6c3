#include "api/realtime_connection.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "model/alarm_json.h"
#include "store/alarm_store.h"

namespace citypulse {
namespace json = boost::json;
namespace {

constexpr std::size_t kValuesPerMessage = 2000;

json::object value_json(const bus::PointValue& v) {
  return json::object{
      {"point", v.point_id}, {"t", v.t}, {"value", v.value}, {"quality", v.quality}};
}

// The same as value_json, written straight into `out`: readings are most of
// what the server sends.
void append_value(std::string& out, const bus::PointValue& v) {
  auto it = std::back_inserter(out);
  if (std::isfinite(v.value))
    fmt::format_to(it, R"({{"point":{},"t":{},"value":{},"quality":{}}})", v.point_id, v.t, v.value,
                   v.quality);
  else
    fmt::format_to(it, R"({{"point":{},"t":{},"value":null,"quality":{}}})", v.point_id, v.t,
                   v.quality);
}

// Keeps the last value of each point, in the order of those last values.
void coalesce(std::vector<bus::PointValue>& values) {
  std::unordered_set<Id> seen;
  std::vector<bus::PointValue> kept;
  for (auto it = values.rbegin(); it != values.rend(); ++it)
    if (seen.insert(it->point_id).second) kept.push_back(*it);
  std::reverse(kept.begin(), kept.end());
  values = std::move(kept);
}

// The permission a subscription needs.
auth::Permission permission_for(const realtime::SubscribeMessage& m) {
  using K = realtime::SubscribeMessage::Kind;
  switch (m.kind) {
    case K::points:
    case K::buildings:
      return auth::Permission::readings_read;
    case K::alarms:
      return auth::Permission::alarms_read;
    case K::events:
      break;
  }
  for (auto kind : m.events)
    if (kind == bus::EventKind::command_result) return auth::Permission::control_read;
  return auth::Permission::assets_read;
}

}  // namespace

RealtimeConnection::RealtimeConnection(RealtimeHub& hub, const RealtimeServices& services,
                                       const RealtimeOptions& options,
                                       std::shared_ptr<RealtimeHub::LoopFlush> loop_flush,
                                       std::shared_ptr<WebSocketPeer> peer)
    : hub_(hub),
      services_(services),
      options_(options),
      peer_(peer),
      loop_flush_(std::move(loop_flush)) {}

void RealtimeConnection::start() {
  auto peer = peer_.lock();
  if (!peer) return;
  peer->set_idle_timeout(options_.idle_timeout_ms);
  std::weak_ptr<RealtimeConnection> self = weak_from_this();
  peer->after(options_.auth_timeout_ms, [self] {
    auto c = self.lock();
    if (!c || c->closed_) return;
    bool authenticated = false;
    {
      std::lock_guard lock(c->mutex_);
      authenticated = c->principal_.has_value();
    }
    if (!authenticated) c->close(kCloseUnauthenticated, "no auth message in time");
  });
  peer->after(options_.heartbeat_ms, [self] {
    if (auto c = self.lock()) c->heartbeat();
  });
}

void RealtimeConnection::heartbeat() {
  if (closed_) return;
  send(json::object{{"type", "heartbeat"}, {"event", services_.bus.last_id()}});
  std::weak_ptr<RealtimeConnection> self = weak_from_this();
  if (auto peer = peer_.lock())
    peer->after(options_.heartbeat_ms, [self] {
      if (auto c = self.lock()) c->heartbeat();
    });
}

void RealtimeConnection::close(WebSocketClose code, std::string reason) {
  if (closed_) return;
  send(json::object{
      {"type", "closing"}, {"code", static_cast<int>(code)}, {"reason", std::move(reason)}});
  closed_ = true;
  if (auto peer = peer_.lock()) peer->close(code);
}

void RealtimeConnection::send(json::object body) {
  if (closed_) return;
  body["seq"] = ++seq_;
  std::string text = json::serialize(body);
  if (auto peer = peer_.lock()) peer->send(text, false);
}

void RealtimeConnection::send_error(std::string code, std::string message, std::string subscription,
                                    std::string field) {
  json::object e{{"type", "error"}, {"code", std::move(code)}, {"message", std::move(message)}};
  if (!subscription.empty()) e["id"] = std::move(subscription);
  if (!field.empty()) e["field"] = std::move(field);
  send(std::move(e));
}

void RealtimeConnection::on_message(std::string_view message, bool binary) {
  if (closed_) return;
  if (binary) {
    close(WebSocketClose::unsupported_data, "messages are JSON text");
    return;
  }
  auto parsed = realtime::parse_client_message(message);
  bool authenticated = false;
  {
    std::lock_guard lock(mutex_);
    authenticated = principal_.has_value();
  }
  if (!parsed) {
    if (!authenticated) {
      close(kCloseUnauthenticated, "the first message is {\"type\": \"auth\", \"token\": ...}");
      return;
    }
    send_error("bad_request", parsed.error().message, {}, parsed.error().field);
    return;
  }
  if (auto* auth = std::get_if<realtime::AuthMessage>(&*parsed)) {
    on_auth(*auth);
    return;
  }
  if (!authenticated) {
    close(kCloseUnauthenticated, "the first message is {\"type\": \"auth\", \"token\": ...}");
    return;
  }
  if (auto* s = std::get_if<realtime::SubscribeMessage>(&*parsed)) {
    on_subscribe(std::move(*s));
  } else if (auto* u = std::get_if<realtime::UnsubscribeMessage>(&*parsed)) {
    on_unsubscribe(*u);
  } else if (auto* r = std::get_if<realtime::ResumeMessage>(&*parsed)) {
    on_resume(*r);
  } else {
    send(json::object{{"type", "pong"}});
  }
}

void RealtimeConnection::on_auth(const realtime::AuthMessage& m) {
  // An access token has three parts; an API key is "<prefix>.<secret>".
  const bool token = std::count(m.token.begin(), m.token.end(), '.') == 2;
  auto header = fmt::format("{} {}", token ? "Bearer" : "ApiKey", m.token);
  const auto now = now_ms();
  // An API key is looked up in the store.
  off_thread<Result<auth::Principal>>(
      [&authenticator = services_.authenticator, header = std::move(header), now] {
        return authenticator.authenticate(header, now);
      },
      [this, now](Result<auth::Principal> principal) { authenticated(std::move(principal), now); });
}

void RealtimeConnection::authenticated(Result<auth::Principal> principal, TimeMs now) {
  if (closed_) return;
  if (!principal) {
    close(kCloseUnauthenticated, principal.error().message);
    return;
  }
  const std::optional<TimeMs> expires_at = principal->expires_at;
  std::unique_lock lock(mutex_);
  if (principal_ && (principal_->tenant_id != principal->tenant_id ||
                     principal_->kind != principal->kind || principal_->id != principal->id)) {
    // Re-authentication renews the same identity; it does not switch.
    lock.unlock();
    close(kCloseUnauthenticated, "a new token must be the same user's or key's");
    return;
  }
  const bool first = !principal_;
  const auto tenant = principal->tenant_id;
  principal_ = std::move(*principal);
  scope_ = principal_->scope();
  lock.unlock();
  if (first) hub_.join(shared_from_this(), tenant);
  token_expires_at_ = expires_at;
  json::object ok{{"type", "authenticated"}, {"event", services_.bus.last_id()}};
  ok["expires_at"] = expires_at ? json::value(format_rfc3339(*expires_at)) : json::value(nullptr);
  send(std::move(ok));
  if (expires_at) {
    std::weak_ptr<RealtimeConnection> self = weak_from_this();
    const TimeMs deadline = *expires_at;
    if (auto peer = peer_.lock())
      peer->after(std::max<std::int64_t>(0, deadline - now), [self, deadline] {
        auto c = self.lock();
        // Renewed meanwhile: a later expiry, or an API key's none.
        if (!c || c->token_expires_at_ != deadline) return;
        c->close(kCloseUnauthenticated, "the token expired; authenticate again before it does");
      });
  }
}

// Three steps, the client's messages waiting meanwhile: the ids are checked
// on the workers (the store, a directory being rebuilt), the subscription
// made here, then the snapshot read on the workers; deltas wait for it.
void RealtimeConnection::on_subscribe(realtime::SubscribeMessage m) {
  std::unique_lock lock(mutex_);
  if (subscriptions_.contains(m.id)) {
    lock.unlock();
    send_error("conflict", fmt::format("subscription '{}' exists; unsubscribe first", m.id), m.id);
    return;
  }
  if (subscriptions_.size() >= options_.max_subscriptions) {
    lock.unlock();
    send_error("bad_request",
               fmt::format("at most {} subscriptions a connection", options_.max_subscriptions),
               m.id);
    return;
  }
  const auto principal = *principal_;
  const auto scope = *scope_;
  lock.unlock();
  if (!principal.can(permission_for(m))) {
    send_error("forbidden",
               fmt::format("this subscription needs {}", auth::permission_name(permission_for(m))),
               m.id);
    return;
  }
  auto shared = std::make_shared<realtime::SubscribeMessage>(std::move(m));
  off_thread<Result<std::vector<Id>>>(
      [services = services_, shared, scope] { return points_of(services, *shared, scope); },
      [this, shared](Result<std::vector<Id>> points) {
        subscribe_checked(std::move(*shared), std::move(points));
      });
}

// Points and buildings the caller may not see are refused as if they did
// not exist: the answer never tells another tenant's ids apart.
Result<std::vector<Id>> RealtimeConnection::points_of(const RealtimeServices& services,
                                                      const realtime::SubscribeMessage& m,
                                                      const Scope& scope) {
  using K = realtime::SubscribeMessage::Kind;
  const auto directory = services.directory.current();
  if (!directory) return std::unexpected(directory.error());
  std::vector<Id> points;
  if (m.kind == K::points) {
    for (std::size_t i = 0; i < m.ids.size(); ++i) {
      const auto* p = (*directory)->point(m.ids[i]);
      if (!p || !scope.sees(p->tenant_id) || !scope.sees_building(p->building_id))
        return fail(ErrorCode::not_found, fmt::format("no point {} that you may see", m.ids[i]),
                    fmt::format("/points/{}", i));
    }
    points = m.ids;
  } else if (m.kind == K::buildings || (m.kind == K::alarms && !m.ids.empty())) {
    for (std::size_t i = 0; i < m.ids.size(); ++i) {
      if (!services.store.buildings().get(scope, m.ids[i]))
        return fail(
            ErrorCode::not_found, fmt::format("no building {} that you may see", m.ids[i]),
            fmt::format("/{}/{}", m.kind == K::buildings ? "buildings" : "alarms/buildings", i));
      if (m.kind == K::buildings) {
        const auto ids = (*directory)->points_of_building(m.ids[i]);
        points.insert(points.end(), ids.begin(), ids.end());
      }
    }
  }
  return points;
}

void RealtimeConnection::subscribe_checked(realtime::SubscribeMessage m,
                                           Result<std::vector<Id>> points) {
  using K = realtime::SubscribeMessage::Kind;
  if (closed_) return;
  if (!points) {
    send_error(points.error().code == ErrorCode::not_found ? "not_found" : "unavailable",
               points.error().message, m.id, points.error().field);
    return;
  }
  // Subscribed first, then the snapshot read: a value written in between
  // is in both, never in neither.
  if (m.kind == K::points || m.kind == K::buildings) release_held(true);
  std::unique_lock lock(mutex_);
  std::vector<Id> watched;
  if (m.kind == K::points)
    watched = count(points_, m.ids, true);
  else if (m.kind == K::buildings)
    watched = count(buildings_, m.ids, true);
  else if (m.kind == K::alarms)
    alarm_subscriptions_.push_back(m);
  else
    for (auto kind : m.events) ++event_kinds_[static_cast<std::uint8_t>(kind)];
  const std::string id = m.id;
  const auto kind = m.kind;
  const auto alarm_buildings = m.ids;
  const auto min_severity = m.min_severity;
  if (m.max_rate > 0) rate_limited_ = true;
  // Sorted once here (checked in the client's order above), so the flush
  // of a max-rate subscription finds a value's point or building by halves.
  std::sort(m.ids.begin(), m.ids.end());
  subscriptions_.emplace(id, std::move(m));
  lock.unlock();
  if (!watched.empty())
    hub_.watch(this,
               kind == K::points ? RealtimeHub::Watched::point : RealtimeHub::Watched::building,
               watched, true);

  if (kind == K::alarms) {
    // The open alarms the subscription covers, read from the store.
    off_thread<json::object>(
        [services = services_, scope = *scope_, id, alarm_buildings, min_severity] {
          json::object answer{
              {"type", "subscribed"}, {"id", id}, {"event", services.bus.last_id()}};
          json::array open;
          AlarmQuery q;
          q.open_only = true;
          q.min_severity = min_severity;
          q.limit = 1000;
          const auto add = [&](std::optional<Id> building) {
            q.building_id = building;
            if (auto page = services.store.alarms().list(scope, q))
              for (const auto& a : page->records) open.push_back(alarm_json(a));
          };
          if (alarm_buildings.empty())
            add(std::nullopt);
          else
            for (const Id b : alarm_buildings) add(b);
          answer["alarms"] = std::move(open);
          return answer;
        },
        [this](json::object answer) { send(std::move(answer)); });
    return;
  }
  if (kind != K::points && kind != K::buildings) {
    json::object answer{{"type", "subscribed"}, {"id", id}, {"event", services_.bus.last_id()}};
    send(std::move(answer));
    return;
  }
  // The latest values may have to be read from disk.
  off_thread<json::object>(
      [services = services_, id, points = std::move(*points)] {
        json::object answer{{"type", "subscribed"}, {"id", id}, {"event", services.bus.last_id()}};
        json::array snapshot;
        if (auto latest = services.series.latest(points))
          for (const auto& [point, v] : *latest)
            snapshot.push_back(value_json({point, 0, v.t, v.value, v.quality}));
        answer["values"] = std::move(snapshot);
        return answer;
      },
      [this](json::object answer) { send(std::move(answer)); });
}

template <class T>
void RealtimeConnection::off_thread(std::move_only_function<T()> work,
                                    std::move_only_function<void(T)> done) {
  auto peer = peer_.lock();
  if (!peer) return;
  ++waiting_for_workers_;
  peer->pause(true);
  std::weak_ptr<RealtimeConnection> self = weak_from_this();
  peer->run_blocking([self, work = std::move(work), done = std::move(done)]() mutable {
    auto c = self.lock();
    auto peer = c ? c->peer_.lock() : nullptr;
    if (!peer) return;
    peer->post([self, result = work(), done = std::move(done)]() mutable {
      auto c = self.lock();
      if (!c) return;
      done(std::move(result));
      if (--c->waiting_for_workers_ > 0) return;
      if (auto peer = c->peer_.lock()) peer->pause(false);
      c->flush();  // what came meanwhile
    });
  });
}

void RealtimeConnection::on_unsubscribe(const realtime::UnsubscribeMessage& m) {
  using K = realtime::SubscribeMessage::Kind;
  std::unique_lock lock(mutex_);
  auto it = subscriptions_.find(m.id);
  if (it == subscriptions_.end()) {
    lock.unlock();
    send_error("not_found", fmt::format("no subscription '{}'", m.id), m.id);
    return;
  }
  const auto& s = it->second;
  const auto kind = s.kind;
  std::vector<Id> unwatched;
  if (s.kind == K::points)
    unwatched = count(points_, s.ids, false);
  else if (s.kind == K::buildings)
    unwatched = count(buildings_, s.ids, false);
  else if (s.kind == K::alarms)
    std::erase_if(alarm_subscriptions_, [&](const auto& a) { return a.id == s.id; });
  else
    for (auto kind : s.events) {
      auto c = event_kinds_.find(static_cast<std::uint8_t>(kind));
      if (c != event_kinds_.end() && --c->second == 0) event_kinds_.erase(c);
    }
  subscriptions_.erase(it);
  rate_limited_ = std::any_of(subscriptions_.begin(), subscriptions_.end(),
                              [](const auto& e) { return e.second.max_rate > 0; });
  lock.unlock();
  if (!unwatched.empty())
    hub_.watch(this,
               kind == K::points ? RealtimeHub::Watched::point : RealtimeHub::Watched::building,
               unwatched, false);
  // What waited for its turn goes now, sent or not under the new rules.
  if (kind == K::points || kind == K::buildings) release_held(true);
  send(json::object{{"type", "unsubscribed"}, {"id", m.id}});
}

// The replayed events are older than any event kept since subscribing, so
// they go out first; those kept live are not sent twice.
void RealtimeConnection::on_resume(const realtime::ResumeMessage& m) {
  auto replay = services_.bus.replay_after(m.after);
  if (!replay.complete) {
    send(json::object{{"type", "resync"},
                      {"after", m.after},
                      {"reason",
                       "events after this id are no longer held; subscribe again for "
                       "a fresh snapshot"}});
    return;
  }
  std::vector<bus::EventPtr> missed;
  std::vector<bus::PointValue> values;
  std::uint64_t newest = m.after;
  {
    std::lock_guard lock(mutex_);
    for (const auto& e : replay.events) {
      if (first_live_ && e->id >= *first_live_) break;
      replayed_through_ = e->id;
      if (e->kind == bus::EventKind::readings) {
        bool any = false;
        for (const auto& v : e->values)
          if (wants(*e, &v)) {
            values.push_back(v);
            any = true;
          }
        if (any) newest = e->id;
      } else if (wants(*e, nullptr)) {
        missed.push_back(e);
      }
    }
  }
  send_readings(values, newest, true);
  for (const auto& e : missed) send_event(*e, true);
  send(json::object{
      {"type", "resumed"}, {"after", m.after}, {"replayed", values.size() + missed.size()}});
}

bool RealtimeConnection::wants(const bus::Event& e, const bus::PointValue* value) const {
  if (!scope_ || !scope_->sees(e.tenant_id)) return false;
  if (value) {
    if (value->building_id != 0 && !scope_->sees_building(value->building_id)) return false;
    if (value->building_id == 0 && scope_->is_building_restricted()) return false;
    return points_.contains(value->point_id) || buildings_.contains(value->building_id);
  }
  if (e.building_id && !scope_->sees_building(*e.building_id)) return false;
  if (!e.building_id && scope_->is_building_restricted()) return false;
  if (e.kind == bus::EventKind::alarm_changed) {
    const auto severity = e.severity;
    return std::any_of(
        alarm_subscriptions_.begin(), alarm_subscriptions_.end(), [&](const auto& a) {
          return severity >= a.min_severity &&
                 (a.ids.empty() || (e.building_id && std::find(a.ids.begin(), a.ids.end(),
                                                               *e.building_id) != a.ids.end()));
        });
  }
  return event_kinds_.contains(static_cast<std::uint8_t>(e.kind));
}

std::vector<Id> RealtimeConnection::count(std::unordered_map<Id, int>& counts,
                                          const std::vector<Id>& ids, bool more) {
  std::vector<Id> changed;
  for (Id id : ids) {
    if (more) {
      if (++counts[id] == 1) changed.push_back(id);
    } else if (auto c = counts.find(id); c != counts.end() && --c->second == 0) {
      counts.erase(c);
      changed.push_back(id);
    }
  }
  return changed;
}

void RealtimeConnection::offer_values(const bus::EventPtr& event,
                                      std::span<const std::uint32_t> picked) {
  std::lock_guard lock(mutex_);
  const auto& e = *event;
  if (overflow_ || e.id <= replayed_through_) return;
  bool any = false;
  for (const auto i : picked)
    if (wants(e, &e.values[i])) {
      values_.push_back(e.values[i]);
      any = true;
    }
  if (!any) return;
  values_event_ = std::max(values_event_, e.id);
  if (!first_live_) first_live_ = e.id;
  if (values_.size() > options_.max_pending_values) coalesce(values_);
  post_flush();
}

void RealtimeConnection::offer(const bus::EventPtr& event) {
  std::lock_guard lock(mutex_);
  if (overflow_ || event->id <= replayed_through_ || !wants(*event, nullptr)) return;
  if (!first_live_) first_live_ = event->id;
  if (events_.size() >= options_.max_pending_events) {
    overflow_ = true;  // the flush closes the connection
    events_.clear();
  } else {
    events_.push_back(event);
  }
  post_flush();
}

void RealtimeConnection::post_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  loop_flush_->add(shared_from_this());
}

void RealtimeConnection::flush() {
  // While a subscription waits for its snapshot, its values wait too.
  if (closed_ || waiting_for_workers_ > 0) return;
  // Swapped with the outbox and emptied after: their room is kept, so a
  // flush allocates nothing once the connection has warmed up.
  auto& values = sending_values_;
  auto& events = sending_events_;
  std::uint64_t values_event = 0;
  bool overflow = false;
  {
    std::lock_guard lock(mutex_);
    flush_posted_ = false;
    const auto peer = peer_.lock();
    if (!peer) return;
    overflow = overflow_;
    if (!overflow && peer->unsent() > options_.max_unsent_bytes) {
      // The client reads slower than events come: hold on (coalescing)
      // until the socket drains.
      waiting_for_drain_ = true;
      if (values_.size() > 1) coalesce(values_);
      return;
    }
    values.swap(values_);
    events.swap(events_);
    values_event = values_event_;
  }
  if (overflow) {
    close(kCloseTooSlow,
          fmt::format("more than {} events waited for this client", options_.max_pending_events));
    return;
  }
  if (rate_limited_) values = throttle(std::move(values));  // rare: allocates
  // A client resuming from the id of a message must not skip an event
  // still waiting behind it.
  if (!events.empty()) values_event = std::min(values_event, events.front()->id - 1);
  send_readings(values, values_event, false);
  for (const auto& e : events) send_event(*e, false);
  values.clear();
  events.clear();
  // A burst's room is given back: a thousand idle clients must not each
  // keep the largest outbox they ever had.
  constexpr std::size_t kKeptRoom = 1024;
  if (values.capacity() > kKeptRoom) values = {};
  if (events.capacity() > kKeptRoom) events = {};
}

std::int64_t RealtimeConnection::interval_us(const bus::PointValue& v) const {
  using K = realtime::SubscribeMessage::Kind;
  std::int64_t interval = -1;  // none of the subscriptions seen names it yet
  for (const auto& [id, s] : subscriptions_) {
    if (s.kind != K::points && s.kind != K::buildings) continue;
    const Id key = s.kind == K::points ? v.point_id : v.building_id;
    if (!std::binary_search(s.ids.begin(), s.ids.end(), key)) continue;
    if (s.max_rate <= 0) return 0;  // one subscription wants every value
    const auto mine = static_cast<std::int64_t>(std::ceil(1e6 / s.max_rate));
    interval = interval < 0 ? mine : std::min(interval, mine);
  }
  return std::max<std::int64_t>(interval, 0);
}

std::vector<bus::PointValue> RealtimeConnection::throttle(std::vector<bus::PointValue> values) {
  const auto now = steady_us();
  std::vector<bus::PointValue> now_out;
  now_out.reserve(values.size());
  for (const auto& v : values) {
    const auto interval = interval_us(v);
    if (interval == 0) {
      now_out.push_back(v);
      continue;
    }
    auto& t = throttles_[v.point_id];
    if (!t.held && now >= t.next_us) {
      now_out.push_back(v);
      t.next_us = now + interval;
    } else {
      t.held = v;  // the latest wins
      arm_throttle(t.next_us);
    }
  }
  return now_out;
}

void RealtimeConnection::arm_throttle(std::int64_t due_us) {
  if (throttle_due_us_ != 0 && throttle_due_us_ <= due_us) return;
  throttle_due_us_ = due_us;
  std::weak_ptr<RealtimeConnection> self = weak_from_this();
  const auto wait_ms = std::max<std::int64_t>(0, (due_us - steady_us() + 999) / 1000);
  if (auto peer = peer_.lock())
    peer->after(wait_ms, [self, due_us] {
      auto c = self.lock();
      // Superseded by an earlier timer, which re-armed for what is left.
      if (!c || c->throttle_due_us_ != due_us) return;
      c->throttle_due_us_ = 0;
      c->release_held(false);
    });
}

// The held values whose time came (all of them: when the subscriptions
// change) go back to the front of the outbox — they are older than what
// waits there — and the flush sends them.
void RealtimeConnection::release_held(bool all) {
  if (throttles_.empty()) return;
  const auto now = steady_us();
  std::vector<bus::PointValue> due;
  std::int64_t next = 0;
  for (auto it = throttles_.begin(); it != throttles_.end();) {
    auto& t = it->second;
    if (t.held && (all || now >= t.next_us)) {
      due.push_back(*t.held);
      t.held.reset();
    } else if (t.held) {
      next = next == 0 ? t.next_us : std::min(next, t.next_us);
    }
    // A point that waits for nothing and may send again needs no entry.
    if (!t.held && (all || now >= t.next_us))
      it = throttles_.erase(it);
    else
      ++it;
  }
  if (next != 0) arm_throttle(next);
  if (due.empty()) return;
  std::lock_guard lock(mutex_);
  values_.insert(values_.begin(), due.begin(), due.end());
  post_flush();
}

void RealtimeConnection::send_readings(const std::vector<bus::PointValue>& values,
                                       std::uint64_t event, bool replay) {
  if (closed_) return;
  const auto peer = peer_.lock();
  if (!peer) return;
  for (std::size_t i = 0; i < values.size(); i += kValuesPerMessage) {
    std::string text = fmt::format(R"({{"type":"readings","seq":{},"event":{},{}"values":[)",
                                   ++seq_, event, replay ? R"("replay":true,)" : "");
    const auto end = std::min(values.size(), i + kValuesPerMessage);
    for (std::size_t j = i; j < end; ++j) {
      if (j > i) text += ',';
      append_value(text, values[j]);
    }
    text += "]}";
    peer->send(text, false);
  }
}

void RealtimeConnection::send_event(const bus::Event& e, bool replay) {
  boost::system::error_code ec;
  json::object m{{"type", "event"},
                 {"event", e.id},
                 {"kind", bus::event_kind_name(e.kind)},
                 {"details", json::parse(e.details_json, ec)}};
  if (e.building_id) m["building_id"] = *e.building_id;
  if (replay) m["replay"] = true;
  send(std::move(m));
}

void RealtimeConnection::on_drained() {
  if (!waiting_for_drain_) return;
  waiting_for_drain_ = false;
  flush();
}

void RealtimeConnection::on_idle_timeout() {
  close(WebSocketClose::going_away, "nothing from the client within the idle timeout");
}

void RealtimeConnection::on_closed() {
  closed_ = true;
  hub_.leave(this);
}

}  // namespace citypulse
