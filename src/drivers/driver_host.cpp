#include "drivers/driver_host.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "core/metrics.h"
#include "drivers/bacnet/client.h"
#include "drivers/bacnet/device_config.h"
#include "drivers/bacnet/device_poller.h"
#include "drivers/bacnet/names.h"
#include "drivers/device_session.h"
#include "drivers/httppoll/device_config.h"
#include "drivers/httppoll/device_session.h"
#include "drivers/modbus/device_session.h"
#include "drivers/modbus/read_once.h"
#include "drivers/modbus/register_map.h"

namespace citypulse::drivers {

namespace asio = boost::asio;
namespace json = boost::json;
using Steady = std::chrono::steady_clock;

namespace {

constexpr std::string_view kBacnet = "bacnet_ip";
constexpr std::string_view kModbus = "modbus_tcp";
constexpr std::string_view kHttpPoll = "http_poll";

ingest::Source source_of(std::string_view protocol) {
  if (protocol == kBacnet) return ingest::Source::bacnet_ip;
  if (protocol == kModbus) return ingest::Source::modbus_tcp;
  return ingest::Source::http_poll;
}

struct Group {
  PollGroupSchedule schedule;
  std::unique_ptr<asio::steady_timer> timer;
  Steady::time_point due;
  bool busy = false;
};

// The counters of every host in the process (there is one).
struct DriverMetrics {
  CounterFamily polls{"citypulse_driver_polls_total",
                      "Polls of plant devices by protocol and outcome (answered: every point "
                      "read; partly: some; unreached: the device did not answer)."};
  CounterFamily dropped{"citypulse_driver_readings_dropped_total",
                        "Polls whose readings were dropped because the ingest pipeline fell "
                        "behind."};
};

DriverMetrics& driver_metrics() {
  static DriverMetrics m;
  return m;
}

// Hands the drivers' readings to the ingest pipeline on a thread of its own:
// the pipeline's submit may wait on the metadata store (a directory rebuild,
// a provisioning device's new points), which must not hold up the drivers'
// thread and with it every device's schedule. Bounded: past kMaxWaiting
// requests the oldest waiting one is dropped, counted and logged.
class Intake {
 public:
  explicit Intake(ingest::Pipeline& pipeline) : pipeline_(pipeline), thread_([this] { run(); }) {}
  ~Intake() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void submit(ingest::IngestRequest request) {
    {
      std::lock_guard lock(mutex_);
      if (waiting_.size() >= kMaxWaiting) {
        waiting_.pop_front();
        driver_metrics().dropped.with({}).add();
        if (++dropped_ % 1000 == 1)
          spdlog::warn("drivers: the ingest pipeline falls behind; {} polls' readings dropped",
                       dropped_);
      }
      waiting_.push_back(std::move(request));
    }
    wake_.notify_one();
  }

 private:
  static constexpr std::size_t kMaxWaiting = 4096;

  void run() {
    for (;;) {
      ingest::IngestRequest request;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
        if (waiting_.empty()) return;  // stopping, everything handed on
        request = std::move(waiting_.front());
        waiting_.pop_front();
      }
      const auto device = request.device_id.value_or(0);
      pipeline_.submit(std::move(request), [device](Result<ingest::IngestOutcome> outcome) {
        if (!outcome)
          spdlog::warn("drivers: readings of device {} not stored: {}", device,
                       outcome.error().message);
      });
    }
  }

  ingest::Pipeline& pipeline_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<ingest::IngestRequest> waiting_;
  std::int64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

struct Running {
  // This start of the device, unique in the host: a callback that holds a
  // pointer into a Running (its Group) finds the device by id and must also
  // find the same start, since a reload replaces a device whose document,
  // building or serial changed under the same id, and a timer's handler
  // already queued when its timer was cancelled still runs (without error).
  std::uint64_t run = 0;
  DriverSettings settings;
  std::unique_ptr<DeviceSession> session;
  DeviceHealth health;
  std::vector<std::unique_ptr<Group>> groups;
  DeviceDriverStatus status;
  std::string serial;  // the device's, for an http_poll document's {serial}
  // citypulse_driver_polls_total of this protocol, by PollOutcome: found once
  // per start, so that a poll's completion takes no lock and allocates nothing.
  std::array<Counter*, 3> polls_by_outcome{};
};

}  // namespace

struct DriverHost::State : std::enable_shared_from_this<DriverHost::State> {
  State(MetaStore& s, ingest::Pipeline& p, bus::EventBus& b, DriverHostOptions o)
      : store(s),
        pipeline(p),
        bus(b),
        options(std::move(o)),
        guard(io.get_executor()),
        reload_timer(io) {}

  MetaStore& store;
  ingest::Pipeline& pipeline;
  bus::EventBus& bus;
  DriverHostOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  asio::steady_timer reload_timer;
  std::thread thread;
  std::unique_ptr<bacnet::Client> bacnet;
  std::unique_ptr<bacnet::CovRouter> router;
  std::unique_ptr<Intake> intake;
  // The Modbus devices' blocking requests (drivers/modbus/device_session.h).
  std::unique_ptr<asio::thread_pool> modbus_workers;
  // The HTTP-polled devices' blocking requests (drivers/httppoll/device_session.h).
  std::unique_ptr<asio::thread_pool> http_workers;
  std::map<Id, std::unique_ptr<Running>> devices;  // the host thread's
  int reads_under_way = 0;                         // the host thread's
  std::uint64_t runs_started = 0;                  // the host thread's
  std::uint64_t seen_changes = ~0ull, seen_generation = ~0ull;
  bool stopping = false;

  mutable std::mutex status_mutex;
  std::map<Id, DeviceDriverStatus> snapshot;

  void publish_status(Running& r, std::string_view reason) {
    bus::Event e;
    e.kind = bus::EventKind::device_status;
    e.tenant_id = r.settings.tenant_id;
    e.building_id = r.settings.building_id;
    json::object details{{"device_id", r.settings.device_id},
                         {"status", status_name(r.health.status())},
                         {"protocol", r.settings.protocol}};
    if (!reason.empty()) details["reason"] = reason;
    e.details_json = json::serialize(details);
    bus.publish(std::move(e));
  }

  void refresh(Running& r) {
    auto& s = r.status;
    s.status = r.health.status();
    s.since = r.health.since();
    s.last_success_at = r.health.last_success_at();
    s.next_probe_at = r.health.next_probe_at();
    s.consecutive_failures = r.health.consecutive_failures();
    s.last_error = r.health.last_error();
    std::lock_guard lock(status_mutex);
    snapshot[s.device_id] = s;
  }

  void submit(const Running& r, std::vector<ChannelReading> readings) {
    if (readings.empty()) return;
    ingest::IngestRequest request;
    request.source = source_of(r.settings.protocol);
    request.tenant_id = r.settings.tenant_id;
    request.device_id = r.settings.device_id;
    request.started_steady_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now().time_since_epoch())
            .count();
    for (auto& c : readings)
      request.readings.push_back({.key = std::move(c.channel),
                                  .point = 0,
                                  .t = c.t,
                                  .value = c.value,
                                  .unit = {},
                                  .refused = std::nullopt,
                                  .auto_create = false});
    intake->submit(std::move(request));
  }

  void schedule(Running& r, Group& g) {
    g.timer->expires_at(g.due);
    g.timer->async_wait([self = shared_from_this(), device = r.settings.device_id, run = r.run,
                         group = &g](boost::system::error_code ec) {
      if (ec || self->stopping) return;
      auto* running = self->running(device, run);
      if (!running) return;
      self->tick(*running, *group);
    });
  }

  // The device's Running if it is still the start `run`, else null.
  Running* running(Id device, std::uint64_t run) {
    auto it = devices.find(device);
    return it != devices.end() && it->second->run == run ? it->second.get() : nullptr;
  }

  void tick(Running& r, Group& g) {
    const auto now = Steady::now();
    const auto late = std::chrono::duration_cast<std::chrono::milliseconds>(now - g.due).count();
    r.status.max_lateness_ms = std::max<std::int64_t>(r.status.max_lateness_ms, late);
    const auto interval = std::chrono::milliseconds(g.schedule.interval_ms);
    g.due += interval;
    while (g.due <= now) {  // more than a period behind: those starts are lost
      g.due += interval;
      ++r.status.skipped_polls;
    }
    schedule(r, g);
    if (!r.health.may_poll(now_ms())) return;
    if (g.busy) {
      ++r.status.skipped_polls;
      return;
    }
    g.busy = true;
    r.status.last_poll_at = now_ms();
    r.session->poll(g.schedule.name, [self = shared_from_this(), device = r.settings.device_id,
                                      run = r.run, group = &g, started = now](PollReport report) {
      auto* found = self->running(device, run);
      if (!found) return;
      auto& running = *found;
      group->busy = false;
      ++running.status.polls;
      running.status.max_poll_ms = std::max<std::int64_t>(
          running.status.max_poll_ms,
          std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - started).count());
      const auto outcome = report.unreached ? PollOutcome::unreached
                           : report.failed  ? PollOutcome::partly
                                            : PollOutcome::answered;
      if (outcome != PollOutcome::answered) ++running.status.failed_polls;
      running.polls_by_outcome[static_cast<std::size_t>(outcome)]->add();
      running.status.polled = true;
      running.status.readings += static_cast<std::int64_t>(report.readings.size());
      self->submit(running, std::move(report.readings));
      if (running.health.record(outcome, now_ms(), report.error))
        self->publish_status(running,
                             running.health.status() == DeviceStatus::online ? "" : report.error);
      self->refresh(running);
    });
  }

  // The device's serial, which an http_poll document may use; "" when it
  // has none or cannot be read (the document then cannot run if it needs it).
  std::string serial_of(const DriverSettings& settings) {
    auto device = store.devices().get(Scope::tenant(settings.tenant_id), settings.device_id);
    if (!device) {
      spdlog::warn("drivers: device {} cannot be read: {}", settings.device_id,
                   device.error().message);
      return {};
    }
    return device->serial;
  }

  void start_device(DriverSettings settings) {
    auto r = std::make_unique<Running>();
    r->run = ++runs_started;
    for (const auto o : {PollOutcome::answered, PollOutcome::partly, PollOutcome::unreached})
      r->polls_by_outcome[static_cast<std::size_t>(o)] = &driver_metrics().polls.with(
          {{"protocol", settings.protocol}, {"outcome", std::string(outcome_name(o))}});
    r->health = DeviceHealth(options.health);
    r->status.device_id = settings.device_id;
    r->status.tenant_id = settings.tenant_id;
    r->status.building_id = settings.building_id;
    r->status.protocol = settings.protocol;
    r->settings = std::move(settings);
    const Id id = r->settings.device_id;
    boost::system::error_code not_json;
    auto document = json::parse(r->settings.document, not_json);
    if (not_json) {
      r->status.configuration_error = "the stored document is not JSON";
    } else if (r->settings.protocol == kBacnet) {
      if (auto config = bacnet::parse_device_config(document); !config)
        r->status.configuration_error = config.error().message;
      else if (bacnet)
        r->session = bacnet::make_device_session(*bacnet, io, *router, std::move(*config));
    } else if (r->settings.protocol == kModbus) {
      if (auto config = modbus::parse_device_config(document); !config)
        r->status.configuration_error = config.error().message;
      else if (modbus_workers)
        r->session = modbus::make_device_session(io, *modbus_workers, std::move(*config));
    } else if (r->settings.protocol == kHttpPoll) {
      r->serial = serial_of(r->settings);
      if (auto config = httppoll::parse_device_config(document); !config)
        r->status.configuration_error = config.error().message;
      else if (!config->serial_used_at.empty() && r->serial.empty())
        r->status.configuration_error =
            fmt::format("{} uses {{serial}}, but the device has no serial", config->serial_used_at);
      else if (http_workers)
        r->session =
            httppoll::make_device_session(io, *http_workers, std::move(*config), r->serial);
    } else {
      r->status.configuration_error =
          fmt::format("protocol {} has no driver in this server yet", r->settings.protocol);
    }
    if (r->session) {
      r->session->on_push([self = shared_from_this(), id](std::vector<ChannelReading> readings) {
        auto it = self->devices.find(id);
        if (it == self->devices.end()) return;
        it->second->status.readings += static_cast<std::int64_t>(readings.size());
        self->submit(*it->second, std::move(readings));
      });
      for (const auto& schedule : r->session->groups()) {
        auto g = std::make_unique<Group>();
        g->schedule = schedule;
        g->timer = std::make_unique<asio::steady_timer>(io);
        // First polls spread over up to 10 s, so that a fleet does not ask
        // everything at the same instant after a start.
        const auto spread = std::min<std::int64_t>(schedule.interval_ms, 10'000);
        g->due = Steady::now() + std::chrono::milliseconds(id % 97 * spread / 97);
        r->groups.push_back(std::move(g));
      }
    }
    auto& placed = *(devices[id] = std::move(r));
    for (auto& g : placed.groups) schedule(placed, *g);
    refresh(placed);
  }

  void stop_device(Running& r) {
    for (auto& g : r.groups) g->timer->cancel();
    if (r.session) r.session->close();
  }

  void reload() {
    const auto changes = store.drivers().changes();
    const auto generation = store.asset_generation();
    if (changes == seen_changes && generation == seen_generation) return;
    auto all = store.drivers().all();
    if (!all) {
      spdlog::warn("drivers: cannot read the driver documents: {}", all.error().message);
      return;
    }
    seen_changes = changes;
    seen_generation = generation;
    std::map<Id, DriverSettings> wanted;
    for (auto& s : *all)
      if (s.device_status != "disabled") wanted.emplace(s.device_id, std::move(s));
    for (auto it = devices.begin(); it != devices.end();) {
      auto w = wanted.find(it->first);
      const auto& now = it->second->settings;
      if (w == wanted.end() || w->second.version != now.version ||
          w->second.protocol != now.protocol || w->second.building_id != now.building_id ||
          (now.protocol == kHttpPoll && serial_of(w->second) != it->second->serial)) {
        stop_device(*it->second);
        {
          std::lock_guard lock(status_mutex);
          snapshot.erase(it->first);
        }
        it = devices.erase(it);
      } else {
        wanted.erase(w);
        ++it;
      }
    }
    for (auto& [id, s] : wanted) start_device(std::move(s));
  }

  void watch() {
    reload();
    reload_timer.expires_after(std::chrono::milliseconds(options.reload_check_ms));
    reload_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->stopping) self->watch();
    });
  }
};

DriverHost::DriverHost(MetaStore& store, ingest::Pipeline& pipeline, bus::EventBus& bus,
                       DriverHostOptions options)
    : state_(std::make_shared<State>(store, pipeline, bus, std::move(options))) {}

DriverHost::~DriverHost() {
  stop();
}

Status DriverHost::start() {
  auto client = bacnet::Client::open(state_->io, {.bind_host = state_->options.bacnet_bind,
                                                  .bind_port = state_->options.bacnet_port});
  if (!client) return std::unexpected(client.error());
  state_->bacnet = std::move(*client);
  state_->router = std::make_unique<bacnet::CovRouter>(*state_->bacnet);
  state_->intake = std::make_unique<Intake>(state_->pipeline);
  state_->modbus_workers = std::make_unique<asio::thread_pool>(
      static_cast<std::size_t>(std::max(1, state_->options.modbus_workers)));
  state_->http_workers = std::make_unique<asio::thread_pool>(
      static_cast<std::size_t>(std::max(1, state_->options.http_workers)));
  asio::post(state_->io, [state = state_] { state->watch(); });
  state_->thread = std::thread([state = state_] { state->io.run(); });
  return {};
}

void DriverHost::stop() {
  if (!state_->thread.joinable()) return;
  asio::post(state_->io, [state = state_] {
    state->stopping = true;
    state->reload_timer.cancel();
    for (auto& [id, r] : state->devices) state->stop_device(*r);
    state->devices.clear();
    if (state->bacnet) state->bacnet->close();
    state->guard.reset();
  });
  // What is left (closing sockets, cancelled timers, Modbus requests under
  // way, which hold work on io) ends by itself; a device that never answers
  // holds nothing past its timeout. The pools are idle once io's thread ends.
  state_->thread.join();
  state_->bacnet.reset();
  state_->intake.reset();  // hands on what waits, then ends
  if (state_->modbus_workers) state_->modbus_workers->join();
  state_->modbus_workers.reset();
  if (state_->http_workers) state_->http_workers->join();
  state_->http_workers.reset();
}

Status DriverHost::check_document(std::string_view protocol, const json::value& document) {
  if (protocol == kBacnet) {
    auto config = bacnet::parse_device_config(document);
    if (!config) return std::unexpected(config.error());
    return {};
  }
  if (protocol == kModbus) {
    auto config = modbus::parse_device_config(document);
    if (!config) return std::unexpected(config.error());
    return {};
  }
  if (protocol == kHttpPoll) {
    auto config = httppoll::parse_device_config(document);
    if (!config) return std::unexpected(config.error());
    return {};
  }
  return fail(ErrorCode::invalid,
              fmt::format("devices of protocol '{}' have no driver document (bacnet_ip, "
                          "modbus_tcp and http_poll have)",
                          protocol),
              "/");
}

std::optional<DeviceDriverStatus> DriverHost::status(Id device) const {
  std::lock_guard lock(state_->status_mutex);
  auto it = state_->snapshot.find(device);
  if (it == state_->snapshot.end()) return std::nullopt;
  return it->second;
}

std::vector<DeviceDriverStatus> DriverHost::statuses() const {
  std::lock_guard lock(state_->status_mutex);
  std::vector<DeviceDriverStatus> out;
  for (const auto& [id, s] : state_->snapshot) out.push_back(s);
  return out;
}

void DriverHost::append_metrics(std::string& out) const {
  auto& m = driver_metrics();
  m.polls.render(out);
  m.dropped.with({});  // 0 from the first scrape, not only after a drop
  m.dropped.render(out);
  std::map<std::pair<std::string, std::string>, int> devices;  // (protocol, status)
  {
    std::lock_guard lock(state_->status_mutex);
    for (const auto& [id, s] : state_->snapshot)
      ++devices[{s.protocol, s.configuration_error.empty() ? std::string(status_name(s.status))
                                                           : "not_running"}];
  }
  out +=
      "# HELP citypulse_driver_devices Devices the plant drivers run, by protocol and status.\n"
      "# TYPE citypulse_driver_devices gauge\n";
  for (const auto& [key, n] : devices)
    out += fmt::format("citypulse_driver_devices{{protocol=\"{}\",status=\"{}\"}} {}\n",
                       escape_label_value(key.first), key.second, n);
}

void DriverHost::reload_soon() {
  asio::post(state_->io, [state = state_] {
    if (!state->stopping) state->reload();
  });
}

std::uint16_t DriverHost::bacnet_port() const {
  return state_->bacnet ? state_->bacnet->local_port() : 0;
}

void DriverHost::write(Id device, std::string channel, double value, std::optional<int> priority,
                       std::move_only_function<void(Result<std::optional<double>>)> done) {
  asio::post(state_->io, [state = state_, device, channel = std::move(channel), value, priority,
                          done = std::move(done)]() mutable {
    auto it = state->devices.find(device);
    if (it == state->devices.end() || !it->second->session)
      return done(fail(ErrorCode::not_found,
                       fmt::format("device {} is not driven by this server", device)));
    if (it->second->health.status() == DeviceStatus::offline)
      return done(fail(ErrorCode::unavailable, fmt::format("device {} is offline: {}", device,
                                                           it->second->health.last_error())));
    it->second->session->write(channel, value, priority, std::move(done));
  });
}

namespace {

struct ModbusRead {
  modbus::DeviceConfig config;
  std::vector<std::size_t> points;  // indices into config.points
};

// What a read now of `channels` (all when empty) of `document` asks.
Result<ModbusRead> read_to_make(std::string_view protocol, const json::value& document,
                                const std::vector<std::string>& channels) {
  if (protocol != kModbus)
    return fail(ErrorCode::conflict,
                fmt::format("read now reads Modbus TCP devices (modbus_tcp); this device speaks {}",
                            protocol));
  auto config = modbus::parse_device_config(document);
  if (!config) return std::unexpected(config.error());
  ModbusRead read{.config = std::move(*config), .points = {}};
  const auto& points = read.config.points;
  if (channels.empty())
    for (std::size_t i = 0; i < points.size(); ++i) read.points.push_back(i);
  for (std::size_t c = 0; c < channels.size(); ++c) {
    auto it = std::find_if(points.begin(), points.end(), [&](const modbus::RegisterPoint& p) {
      return p.channel == channels[c];
    });
    if (it == points.end())
      return fail(ErrorCode::invalid,
                  fmt::format("the register map has no channel '{}'", channels[c]),
                  fmt::format("/channels/{}", c));
    read.points.push_back(static_cast<std::size_t>(it - points.begin()));
  }
  return read;
}

}  // namespace

void DriverHost::read_now(std::string_view protocol, const json::value& document,
                          const std::vector<std::string>& channels,
                          std::move_only_function<void(Result<ReadReport>)> done) {
  // Checked here, answered on the host's thread like every other call.
  auto asked = read_to_make(protocol, document, channels);
  asio::post(state_->io, [state = state_, asked = std::move(asked),
                          done = std::move(done)]() mutable {
    if (!asked) return done(std::unexpected(asked.error()));
    if (state->stopping || !state->modbus_workers)
      return done(fail(ErrorCode::unavailable, "the plant drivers are not running"));
    if (state->reads_under_way >= kMaxReadsUnderWay)
      return done(fail(ErrorCode::unavailable,
                       fmt::format("{} reads are waiting on devices already; try again when one "
                                   "has answered",
                                   state->reads_under_way)));
    ++state->reads_under_way;
    modbus::read_once(state->io, *state->modbus_workers, std::move(asked->config),
                      std::move(asked->points),
                      [state, done = std::move(done)](Result<ReadReport> report) mutable {
                        --state->reads_under_way;
                        done(std::move(report));
                      });
  });
}

namespace {

// One discovery: the I-Ams, then each device's name and objects, one device
// after the other's requests are queued (the client keeps each device's own
// queue, so devices answer in parallel).
struct Discovery {
  bacnet::Client* client = nullptr;
  std::vector<DiscoveredDevice> found;
  std::vector<bacnet::DeviceAddress> addresses;
  int pending = 0;
  std::move_only_function<void(Result<std::vector<DiscoveredDevice>>)> done;

  void finish_one() {
    if (--pending == 0) done(std::move(found));
  }
};

constexpr std::size_t kMaxObjects = 2000;

void describe_objects(const std::shared_ptr<Discovery>& d, std::size_t index,
                      std::vector<bacnet::ObjectId> objects) {
  std::vector<bacnet::PropertyReference> refs;
  for (const auto& o : objects) {
    if (!bacnet::is_point_object(o.type)) continue;
    refs.push_back({o, bacnet::property::object_name, std::nullopt});
    if (o.type <= bacnet::object_type::analog_value)
      refs.push_back({o, bacnet::property::units, std::nullopt});
    d->found[index].objects.push_back(
        {bacnet::to_string(o), "", "", bacnet::is_writable_object(o.type)});
  }
  if (refs.empty()) return d->finish_one();
  // Names and units one property at a time: every device answers that, and
  // the client's queue for the device keeps it to one request at a time.
  auto remaining = std::make_shared<std::size_t>(refs.size());
  for (const auto& ref : refs) {
    d->client->read_property(
        d->addresses[index], ref,
        [d, index, ref, remaining](Result<std::vector<bacnet::PropertyValue>> r) {
          if (r && !r->empty()) {
            const auto name = bacnet::to_string(ref.object);
            for (auto& o : d->found[index].objects) {
              if (o.object != name) continue;
              if (ref.property == bacnet::property::object_name) {
                if (auto* s = std::get_if<std::string>(&r->front())) o.name = *s;
              } else if (auto* e = std::get_if<bacnet::Enumerated>(&r->front())) {
                o.unit = std::string(bacnet::vocabulary_unit(e->value).value_or(""));
              }
            }
          }
          if (--*remaining == 0) d->finish_one();
        });
  }
}

void read_object_list(const std::shared_ptr<Discovery>& d, std::size_t index) {
  const bacnet::ObjectId device{bacnet::object_type::device, d->found[index].instance};
  d->client->read_property(
      d->addresses[index], {device, bacnet::property::object_list, std::nullopt},
      [d, index, device](Result<std::vector<bacnet::PropertyValue>> whole) {
        if (whole) {
          std::vector<bacnet::ObjectId> objects;
          for (const auto& v : *whole)
            if (auto* o = std::get_if<bacnet::ObjectId>(&v); o && objects.size() < kMaxObjects)
              objects.push_back(*o);
          return describe_objects(d, index, std::move(objects));
        }
        if (whole.error().code != ErrorCode::too_large) {
          d->found[index].error = whole.error().message;
          return d->finish_one();
        }
        // Too long for one answer: its length, then element by element.
        d->client->read_property(
            d->addresses[index], {device, bacnet::property::object_list, 0},
            [d, index, device](Result<std::vector<bacnet::PropertyValue>> count) {
              const auto n =
                  count && !count->empty() ? bacnet::as_number(count->front()) : std::nullopt;
              if (!n || *n < 1) {
                d->found[index].error =
                    count ? "the object list's length is not a number" : count.error().message;
                return d->finish_one();
              }
              const auto total = std::min<std::size_t>(static_cast<std::size_t>(*n), kMaxObjects);
              auto objects = std::make_shared<std::vector<bacnet::ObjectId>>(total);
              auto remaining = std::make_shared<std::size_t>(total);
              for (std::size_t i = 1; i <= total; ++i)
                d->client->read_property(
                    d->addresses[index],
                    {device, bacnet::property::object_list, static_cast<std::uint32_t>(i)},
                    [d, index, i, objects,
                     remaining](Result<std::vector<bacnet::PropertyValue>> element) {
                      if (element && !element->empty())
                        if (auto* o = std::get_if<bacnet::ObjectId>(&element->front()))
                          (*objects)[i - 1] = *o;
                      if (--*remaining == 0) describe_objects(d, index, std::move(*objects));
                    });
            });
      });
}

}  // namespace

void DriverHost::discover_bacnet(
    std::string target, std::optional<std::uint32_t> low, std::optional<std::uint32_t> high,
    std::int64_t window_ms,
    std::move_only_function<void(Result<std::vector<DiscoveredDevice>>)> done) {
  asio::post(state_->io, [state = state_, target = std::move(target), low, high, window_ms,
                          done = std::move(done)]() mutable {
    if (!state->bacnet || state->stopping)
      return done(fail(ErrorCode::unavailable, "the BACnet driver is not running"));
    auto address = bacnet::parse_device_address(target);
    if (!address) {
      Error e = address.error();
      e.field = "/target";
      return done(std::unexpected(e));
    }
    if (!address->route) address->route = bacnet::NetworkAddress{0xFFFF, {}};
    auto d = std::make_shared<Discovery>();
    d->client = state->bacnet.get();
    d->done = std::move(done);
    state->bacnet->who_is(
        *address, {low, high}, window_ms, [d](Result<std::vector<bacnet::Discovered>> heard) {
          if (!heard) return d->done(std::unexpected(heard.error()));
          if (heard->empty()) return d->done(std::vector<DiscoveredDevice>{});
          std::sort(heard->begin(), heard->end(), [](const auto& a, const auto& b) {
            return a.i_am.device.instance < b.i_am.device.instance;
          });
          d->pending = static_cast<int>(heard->size());
          for (const auto& h : *heard) {
            d->found.push_back({h.i_am.device.instance,
                                bacnet::to_string(h.address),
                                h.i_am.max_apdu,
                                h.i_am.vendor,
                                "",
                                {},
                                ""});
            d->addresses.push_back(h.address);
          }
          for (std::size_t i = 0; i < d->found.size(); ++i) {
            d->client->read_property(d->addresses[i],
                                     {{bacnet::object_type::device, d->found[i].instance},
                                      bacnet::property::object_name,
                                      std::nullopt},
                                     [d, i](Result<std::vector<bacnet::PropertyValue>> name) {
                                       if (name && !name->empty())
                                         if (auto* s = std::get_if<std::string>(&name->front()))
                                           d->found[i].name = *s;
                                       read_object_list(d, i);
                                     });
          }
        });
  });
}

}  // namespace citypulse::drivers
