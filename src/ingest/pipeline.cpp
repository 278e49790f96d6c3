#include "ingest/pipeline.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/metrics.h"
#include "core/time.h"
#include "ingest/point_guess.h"
#include "ingest/units.h"
#include "store/device_access_store.h"

namespace citypulse::ingest {
namespace {

constexpr std::string_view kSourceNames[kSourceCount] = {
    "http_telemetry", "http_batch", "chirpstack", "things_stack", "mqtt", "derived", "bacnet_ip", "modbus_tcp", "http_poll"};
constexpr std::string_view kRejectionNames[kRejectionCount] = {
    "unknown_key", "not_finite", "future", "out_of_bounds", "unit", "provisioning", "not_numeric"};

// How a request ended, for citypulse_ingest_requests_total.
enum class Outcome : std::uint8_t { written, refused, overloaded, failed };
constexpr std::size_t kOutcomeCount = 4;
constexpr std::string_view kOutcomeNames[kOutcomeCount] = {"written", "refused", "overloaded",
                                                           "failed"};

// What a request holds in memory while it waits for the disk: its readings
// twice (the request's and the store's copy) and the bookkeeping around them.
std::int64_t pending_cost(std::size_t readings) {
  return static_cast<std::int64_t>(readings * (2 * sizeof(Reading) + 16) + 256);
}

// Metric series are looked up once: with() takes a lock, add() does not.
struct IngestMetrics {
  CounterFamily readings{"citypulse_ingest_readings_total",
                         "Readings accepted into the store, by source."};
  CounterFamily rejected{"citypulse_ingest_rejected_total",
                         "Readings refused, by source and reason."};
  CounterFamily requests{"citypulse_ingest_requests_total",
                         "Ingest requests, by source and outcome (written, refused, overloaded, "
                         "failed)."};
  HistogramFamily latency{"citypulse_ingest_latency_seconds",
                          "From a request's arrival to its readings being durable.",
                          {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5}};
  Counter* accepted_by[kSourceCount];
  Counter* rejected_by[kSourceCount][kRejectionCount];
  Counter* requests_by[kSourceCount][kOutcomeCount];
  Histogram* latency_by[kSourceCount];

  IngestMetrics() {
    for (std::size_t s = 0; s < kSourceCount; ++s) {
      const std::string source(kSourceNames[s]);
      accepted_by[s] = &readings.with({{"source", source}});
      latency_by[s] = &latency.with({{"source", source}});
      for (std::size_t r = 0; r < kRejectionCount; ++r)
        rejected_by[s][r] =
            &rejected.with({{"source", source}, {"reason", std::string(kRejectionNames[r])}});
      for (std::size_t o = 0; o < kOutcomeCount; ++o)
        requests_by[s][o] =
            &requests.with({{"source", source}, {"outcome", std::string(kOutcomeNames[o])}});
    }
  }
  Counter& request(Source s, Outcome o) {
    return *requests_by[static_cast<std::size_t>(s)][static_cast<std::size_t>(o)];
  }
};

IngestMetrics& metrics() {
  static IngestMetrics m;
  return m;
}

}  // namespace

std::string_view source_name(Source s) {
  return kSourceNames[static_cast<int>(s)];
}

std::string_view rejection_name(Rejection r) {
  return kRejectionNames[static_cast<int>(r)];
}

// A request resolved and validated, on its way to the disk.
struct Pipeline::Prepared {
  Source source = Source::http_batch;
  Id tenant_id = 0;
  std::optional<Id> device_id;
  std::int64_t started_steady_ms = 0;
  std::int64_t messages = 1;
  std::vector<Reading> readings;
  std::int64_t cost = 0;  // held against max_pending_bytes until done
  IngestOutcome outcome;
  bool would_block = false;  // prepare(may_block = false) stopped short: nothing else is set
};

Pipeline::Pipeline(MetaStore& store, SeriesStore& series, Directory& directory,
                   PipelineOptions options)
    : store_(store), series_(series), directory_(directory), options_(options) {
  metrics();  // registers the families before the first scrape
  activity_thread_ = std::thread([this] { activity_loop(); });
}

Pipeline::~Pipeline() {
  {
    std::lock_guard lock(activity_mutex_);
    stopping_ = true;
  }
  activity_cv_.notify_all();
  activity_thread_.join();
  flush_activity();
}

void Pipeline::add_sink(ReadingSink& sink) {
  sinks_.push_back(&sink);
}

namespace {

void reject(IngestOutcome& outcome, std::size_t index, Rejection why, std::string message) {
  outcome.problems.push_back({index, {}, why, std::move(message)});
  ++outcome.rejected;
}

}  // namespace

Result<Pipeline::Prepared> Pipeline::prepare(IngestRequest& request, bool may_block) {
  // The answer for a caller that may not wait: come back on a worker.
  auto blocked_prepare = [] {
    Prepared blocked;
    blocked.would_block = true;
    return blocked;
  };
  Result<std::shared_ptr<const Snapshot>> snapshot = directory_.current_if_fresh();
  if (!*snapshot) {
    if (!may_block) return blocked_prepare();
    snapshot = directory_.current();
    if (!snapshot) return std::unexpected(snapshot.error());
  }
  Prepared p;
  p.source = request.source;
  p.tenant_id = request.tenant_id;
  p.device_id = request.device_id;
  p.started_steady_ms = request.started_steady_ms;
  p.messages = request.messages;
  const DeviceEntry* device = request.device_id ? (*snapshot)->device(*request.device_id) : nullptr;
  if (request.device_id && !device)
    return fail(ErrorCode::unauthenticated, "the device no longer exists");
  if (device && device->tenant_id != request.tenant_id)
    return fail(ErrorCode::not_found, "no such device in this tenant");

  // Resolve. A provisioning device's unknown keys get points, then a fresh
  // snapshot resolves them like any other.
  std::vector<const PointEntry*> points(request.readings.size(), nullptr);
  auto resolve_all = [&](const Snapshot& s, std::vector<std::size_t>* unknown) {
    for (std::size_t i = 0; i < request.readings.size(); ++i) {
      if (points[i]) continue;
      const auto& r = request.readings[i];
      const PointEntry* point = nullptr;
      if (device) {
        point = s.resolve(*device, r.key);
      } else {
        point = r.point != 0 ? s.point(r.point) : s.point_by_key(request.tenant_id, r.key);
        // Outside the caller's scope is as unknown as not existing.
        if (point && (point->tenant_id != request.tenant_id ||
                      (request.scope && !request.scope->sees_building(point->building_id))))
          point = nullptr;
      }
      points[i] = point;
      if (!point && unknown) unknown->push_back(i);
    }
  };
  std::vector<std::size_t> unknown;
  resolve_all(**snapshot, &unknown);
  std::vector<std::size_t> creatable;
  if (device)
    for (std::size_t i : unknown)
      if ((device->provisioning() || request.readings[i].auto_create) &&
          !request.readings[i].refused)
        creatable.push_back(i);
  if (!creatable.empty()) {
    if (!may_block) return blocked_prepare();
    if (auto s = provision(*device, creatable, request, p.outcome); !s)
      return std::unexpected(s.error());
    auto fresh = directory_.current();
    if (!fresh) return std::unexpected(fresh.error());
    snapshot = std::move(fresh);
    device = (*snapshot)->device(*request.device_id);
    if (!device) return fail(ErrorCode::unauthenticated, "the device no longer exists");
    // Every key is resolved again: the entries found in the old snapshot die
    // with it when nobody else holds it (an MQTT request, unlike an HTTP
    // handler, keeps no snapshot of its own).
    std::fill(points.begin(), points.end(), nullptr);
    unknown.clear();
    resolve_all(**snapshot, &unknown);
  }
  for (std::size_t i : unknown) {
    const auto& r = request.readings[i];
    if (std::binary_search(creatable.begin(), creatable.end(), i))
      reject(p.outcome, i, Rejection::provisioning,
             device->building_id
                 ? fmt::format("no point could be created for the key '{}'", r.key)
                 : fmt::format("no point was created for the key '{}': device {} has no "
                               "building to put it in",
                               r.key, device->id));
    else
      reject(p.outcome, i, Rejection::unknown_key,
             r.point != 0 ? fmt::format("point {} does not exist", r.point)
                          : fmt::format("no point has the key '{}'", r.key));
  }

  // Validate and convert.
  const TimeMs latest_allowed = now_ms() + options_.max_future_ms;
  p.readings.reserve(request.readings.size());
  for (std::size_t i = 0; i < request.readings.size(); ++i) {
    const PointEntry* point = points[i];
    if (!point) continue;
    const auto& r = request.readings[i];
    double value = r.value;
    if (r.refused) {
      reject(p.outcome, i, *r.refused, "the value is not a number");
      continue;
    }
    if (!std::isfinite(value)) {
      reject(p.outcome, i, Rejection::not_finite, "the value is not a finite number");
      continue;
    }
    if (r.t > latest_allowed) {
      reject(p.outcome, i, Rejection::future,
             fmt::format("the time {} is more than {} s ahead of the server's clock",
                         format_rfc3339(r.t), options_.max_future_ms / 1000));
      continue;
    }
    if (!r.unit.empty() && r.unit != point->unit) {
      const auto from = canonical_unit(r.unit);
      auto conversion = from ? unit_conversion(*from, point->unit)
                             : Result<UnitConversion>(fail(
                                   ErrorCode::invalid, fmt::format("unknown unit '{}'", r.unit)));
      if (!conversion) {
        reject(p.outcome, i, Rejection::unit,
               fmt::format("{} (point {} is in '{}')", conversion.error().message, point->id,
                           point->unit));
        continue;
      }
      value = conversion->apply(value);
    }
    std::uint8_t quality = 0;
    const bool below = point->min_value && value < *point->min_value;
    const bool above = point->max_value && value > *point->max_value;
    if (below || above) {
      const std::string message = fmt::format(
          "{} is outside the point's bounds {}..{}", value,
          point->min_value ? fmt::format("{}", *point->min_value) : std::string("-inf"),
          point->max_value ? fmt::format("{}", *point->max_value) : std::string("+inf"));
      if (options_.reject_out_of_bounds) {
        reject(p.outcome, i, Rejection::out_of_bounds, message);
        continue;
      }
      quality = kQualitySuspect;
      p.outcome.problems.push_back({i, {}, std::nullopt, message});
      ++p.outcome.suspect;
    }
    p.readings.push_back({point->id, r.t, value, quality});
  }
  for (auto& problem : p.outcome.problems) problem.key = request.readings[problem.index].key;
  std::sort(p.outcome.problems.begin(), p.outcome.problems.end(),
            [](const ReadingProblem& a, const ReadingProblem& b) { return a.index < b.index; });
  p.outcome.accepted = p.readings.size();
  return p;
}

Status Pipeline::provision(const DeviceEntry& device, const std::vector<std::size_t>& unknown,
                           const IngestRequest& request, IngestOutcome& outcome) {
  if (!device.building_id)
    return {};  // nowhere to put a point; the keys stay unknown and are reported so
  std::lock_guard lock(provisioning_mutex_);
  const Scope scope = Scope::tenant(device.tenant_id);
  auto stored = store_.devices().get(scope, device.id);
  if (!stored) return std::unexpected(stored.error());
  Device changed = *stored;
  std::vector<std::string> done_keys;
  for (std::size_t i : unknown) {
    const auto& r = request.readings[i];
    if (r.key.empty() || r.refused) continue;
    const bool mapped = std::any_of(changed.channels.begin(), changed.channels.end(),
                                    [&](const DeviceChannel& c) { return c.channel == r.key; });
    if (mapped || std::find(done_keys.begin(), done_keys.end(), r.key) != done_keys.end())
      continue;  // another request of this device created it meanwhile
    const auto guess =
        guess_point(r.key, r.unit.empty() ? std::nullopt : std::optional<std::string_view>(r.unit));
    Point point;
    point.building_id = *device.building_id;
    point.equipment_id = std::nullopt;
    point.name = fmt::format("{} {}", device.name, r.key).substr(0, 200);
    point.kind = guess.kind;
    point.quantity = guess.quantity;
    point.unit = guess.unit;
    point.tags = {"needs_review", "auto_created"};
    auto created = store_.points().create(scope, std::move(point));
    if (!created) {
      spdlog::warn("provisioning device {}: cannot create a point for '{}': {}", device.id, r.key,
                   created.error().message);
      continue;  // the key stays unknown and is reported as such
    }
    outcome.created_points.push_back(created->id);
    changed.channels.push_back({r.key, created->id});
    done_keys.push_back(r.key);
  }
  if (done_keys.empty()) return {};
  auto updated = store_.devices().update(scope, std::move(changed), stored->version);
  if (!updated) return std::unexpected(updated.error());
  return {};
}

void Pipeline::submit(IngestRequest request, IngestDone done) {
  auto prepared = prepare(request, true);
  carry_out(prepared, request.source, request.all_or_nothing, done, true);
}

bool Pipeline::try_submit(IngestRequest& request, IngestDone& done) {
  auto prepared = prepare(request, false);
  if (prepared && prepared->would_block) return false;
  return carry_out(prepared, request.source, request.all_or_nothing, done, false);
}

bool Pipeline::carry_out(Result<Prepared>& prepared, Source source, bool all_or_nothing,
                         IngestDone& done, bool may_block) {
  auto& m = metrics();
  if (!prepared) {
    m.request(source, Outcome::failed).add();
    done(std::unexpected(prepared.error()));
    return true;
  }
  auto& p = *prepared;
  // Counted once the request is taken: a caller that must not block may
  // still be sent to submit().
  auto count_problems = [&] {
    for (const auto& problem : p.outcome.problems)
      if (problem.rejected)
        m.rejected_by[static_cast<std::size_t>(p.source)]
                     [static_cast<std::size_t>(*problem.rejected)]
                         ->add();
  };
  if (all_or_nothing && p.outcome.rejected > 0) {
    // Refused whole: the answer needs no disk.
    count_problems();
    if (p.device_id)
      count_device(*p.device_id, p.messages, 0, static_cast<std::int64_t>(p.outcome.rejected));
    p.outcome.accepted = p.outcome.suspect = 0;
    m.request(p.source, Outcome::refused).add();
    done(std::move(p.outcome));
    return true;
  }
  if (p.readings.empty()) {
    count_problems();
    if (p.device_id)
      count_device(*p.device_id, p.messages, 0, static_cast<std::int64_t>(p.outcome.rejected));
    p.outcome.written = true;
    m.request(p.source, Outcome::written).add();
    done(std::move(p.outcome));
    return true;
  }
  p.cost = pending_cost(p.readings.size());
  // Admission: reserve first, back out when over, so concurrent requests
  // can never together pass the ceiling. A request larger than the ceiling
  // goes when nothing else is pending, or it would be refused forever.
  if (const auto before = pending_bytes_.fetch_add(p.cost);
      before > 0 && before + p.cost > options_.max_pending_bytes) {
    pending_bytes_.fetch_sub(p.cost);
    count_problems();
    m.request(p.source, Outcome::overloaded).add();
    done(fail(ErrorCode::unavailable,
              fmt::format("the server is taking in more readings than it can store right now "
                          "(over {} bytes pending); retry shortly",
                          options_.max_pending_bytes)));
    return true;
  }
  auto shared = std::make_shared<Prepared>(std::move(p));
  if (!write(shared, done, may_block)) {
    pending_bytes_.fetch_sub(shared->cost);
    return false;
  }
  count_problems();
  return true;
}

bool Pipeline::write(std::shared_ptr<Prepared> prepared, IngestDone& done, bool may_block) {
  // The store copies the readings during the call; ours stay for the sinks
  // and a retry. ReadingsDone must be copyable, IngestDone is not: shared.
  struct InFlight {
    IngestDone done;
    std::atomic<bool> refused{false};  // by the store, maybe before append() returned
  };
  auto flight = std::make_shared<InFlight>();
  flight->done = std::move(done);
  ReadingsDone written = [this, prepared, flight](Status s) {
    if (!s && s.error().code == ErrorCode::invalid) {
      // Readings older than the late-data window: the bulk path takes any
      // age, with the same durability. Our own validation leaves no other
      // reason for the store to call a batch invalid.
      series_.import_readings(prepared->readings, true, [this, prepared, flight](Status s2) {
        finish(*prepared, s2, flight->done);
      });
      return;
    }
    if (!s) flight->refused = true;
    finish(*prepared, s, flight->done);
  };
  if (may_block) {
    series_.append(prepared->readings, true, std::move(written));
  } else if (!series_.try_append(prepared->readings, true, written)) {
    done = std::move(flight->done);  // untouched: the store did not take the callback
    return false;
  }
  // Taken: the sinks see it now, while the store makes it durable (the
  // sender's answer waits for that, they do not).
  if (!flight->refused) {
    const ReadingOrigin origin{prepared->tenant_id, prepared->device_id,
                               source_name(prepared->source)};
    for (auto* sink : sinks_) sink->on_readings(prepared->readings, origin);
  }
  return true;
}

void Pipeline::finish(Prepared& p, Status written, IngestDone& done) {
  auto& m = metrics();
  pending_bytes_.fetch_sub(p.cost);
  const auto source = static_cast<std::size_t>(p.source);
  if (!written) {
    m.request(p.source, Outcome::failed).add();
    spdlog::error("ingest: {} readings could not be stored: {}", p.readings.size(),
                  written.error().message);
    done(fail(ErrorCode::unavailable,
              fmt::format("the readings could not be stored: {}", written.error().message)));
    return;
  }
  m.accepted_by[source]->add(p.readings.size());
  m.latency_by[source]->observe(static_cast<double>(steady_ms() - p.started_steady_ms) / 1000.0);
  m.request(p.source, Outcome::written).add();
  if (p.device_id)
    count_device(*p.device_id, p.messages, static_cast<std::int64_t>(p.readings.size()),
                 static_cast<std::int64_t>(p.outcome.rejected));
  p.outcome.written = true;
  done(std::move(p.outcome));
}

std::size_t Pipeline::readings_per_request() const {
  const auto per_reading = pending_cost(1) - pending_cost(0);
  return static_cast<std::size_t>(
      std::max<std::int64_t>(1, (options_.max_pending_bytes / 4 - pending_cost(0)) / per_reading));
}

bool Pipeline::has_room(Source source) {
  if (pending_bytes_.load() < options_.max_pending_bytes) return true;
  metrics().request(source, Outcome::overloaded).add();
  return false;
}

void Pipeline::record_message(Id device_id) {
  count_device(device_id, 1, 0, 0);
}

void Pipeline::count_device(Id device_id, std::int64_t messages, std::int64_t readings,
                            std::int64_t rejected) {
  std::lock_guard lock(activity_mutex_);
  auto& a = activity_[device_id];
  a.device_id = device_id;
  a.last_seen_at = now_ms();
  a.messages += messages;
  a.readings += readings;
  a.rejected += rejected;
}

namespace {

// Adds counts not yet written to those the store has.
void merge_activity(DeviceActivity& stored, const DeviceActivity& d) {
  if (d.last_seen_at && (!stored.last_seen_at || *d.last_seen_at > *stored.last_seen_at))
    stored.last_seen_at = d.last_seen_at;
  stored.messages += d.messages;
  stored.readings += d.readings;
  stored.rejected += d.rejected;
}

}  // namespace

Result<DeviceActivity> Pipeline::activity(const Scope& scope, Id device_id) {
  std::shared_lock flushing(flush_mutex_);
  auto stored = store_.device_access().activity(scope, device_id);
  if (!stored) return stored;
  std::lock_guard lock(activity_mutex_);
  if (auto it = activity_.find(device_id); it != activity_.end())
    merge_activity(*stored, it->second);
  return stored;
}

Result<std::vector<DeviceActivity>> Pipeline::activities(const Scope& scope,
                                                         std::optional<Id> building) {
  std::shared_lock flushing(flush_mutex_);
  auto stored = store_.device_access().activities(scope, building);
  if (!stored) return stored;
  std::lock_guard lock(activity_mutex_);
  // The map holds only the devices heard from since the last write (a few
  // seconds): find each in the sorted answer rather than each answer in the map.
  for (const auto& [id, d] : activity_) {
    auto it = std::lower_bound(stored->begin(), stored->end(), id,
                               [](const DeviceActivity& a, Id v) { return a.device_id < v; });
    if (it != stored->end() && it->device_id == id) merge_activity(*it, d);
  }
  return stored;
}

void Pipeline::flush_activity() {
  // Readers wait for the write: between taking the deltas and the store's
  // commit the counts would be in neither place, and a page polling them
  // would see them shrink.
  std::unique_lock flushing(flush_mutex_);
  std::vector<DeviceActivity> deltas;
  {
    std::lock_guard lock(activity_mutex_);
    deltas.reserve(activity_.size());
    for (auto& [id, a] : activity_) deltas.push_back(a);
    activity_.clear();
  }
  if (deltas.empty()) return;
  if (auto s = store_.device_access().add_activity(deltas); !s)
    spdlog::warn("ingest: device activity of {} devices not recorded: {}", deltas.size(),
                 s.error().message);
}

void Pipeline::activity_loop() {
  std::unique_lock lock(activity_mutex_);
  while (!stopping_) {
    activity_cv_.wait_for(lock, std::chrono::milliseconds(options_.activity_flush_ms));
    if (stopping_) break;
    lock.unlock();
    flush_activity();
    lock.lock();
  }
}

void Pipeline::append_metrics(std::string& out) const {
  auto& m = metrics();
  m.readings.render(out);
  m.rejected.render(out);
  m.requests.render(out);
  m.latency.render(out);
  render_gauge(out, "citypulse_ingest_pending_bytes",
               "Memory held by readings accepted but not yet durable.",
               static_cast<double>(pending_bytes_.load()));
  render_gauge(out, "citypulse_ingest_pending_limit_bytes",
               "The ceiling of citypulse_ingest_pending_bytes (ingest.max_pending_bytes).",
               static_cast<double>(options_.max_pending_bytes));
}

}  // namespace citypulse::ingest
