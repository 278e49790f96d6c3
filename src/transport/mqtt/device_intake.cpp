#include "transport/mqtt/device_intake.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "core/time.h"
#include "ingest/telemetry_json.h"
#include "store/device_access_store.h"
#include "store/scope.h"

namespace citypulse::mqtt {
namespace json = boost::json;
namespace {

constexpr std::string_view kTelemetry = "v1/devices/me/telemetry";
constexpr std::string_view kAttributes = "v1/devices/me/attributes";
constexpr std::string_view kAttributeRequest = "v1/devices/me/attributes/request/";
constexpr std::string_view kRpcResponse = "v1/devices/me/rpc/response/";
constexpr std::string_view kDeviceMe = "v1/devices/me/";
constexpr std::string_view kGateway = "v1/gateway/";

// The device id in a tenant-level telemetry topic, "v1/devices/<id>/telemetry".
std::optional<Id> device_of_telemetry_topic(std::string_view topic) {
  constexpr std::string_view kPrefix = "v1/devices/", kSuffix = "/telemetry";
  if (!topic.starts_with(kPrefix) || !topic.ends_with(kSuffix)) return std::nullopt;
  const auto digits = topic.substr(kPrefix.size(), topic.size() - kPrefix.size() - kSuffix.size());
  Id id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || end != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}

// Whether the pipeline refused for back-pressure (and nothing was done).
bool overloaded(const Result<ingest::IngestOutcome>& r) {
  return !r && r.error().code == ErrorCode::unavailable &&
         r.error().message.starts_with("the server is taking in more readings");
}

}  // namespace

DeviceIntake::DeviceIntake(ingest::Pipeline& pipeline, ingest::Directory& directory,
                           MetaStore& store, Broker& broker, DeviceRpc& rpc, BlockingWork& work,
                           DeviceIntakeOptions options, DevicePresence* presence)
    : pipeline_(pipeline),
      directory_(directory),
      store_(store),
      broker_(broker),
      rpc_(rpc),
      work_(work),
      options_(options),
      presence_(presence) {}

void DeviceIntake::run_work(std::move_only_function<void()> job) {
  ++queued_work_;
  work_.run([this, job = std::move(job)]() mutable {
    job();
    --queued_work_;
  });
}

void DeviceIntake::end_disabled_devices() {
  if (checking_.exchange(true)) return;
  run_work([this] {
    auto snapshot = directory_.current();
    if (snapshot && (*snapshot)->generation() != checked_generation_.load()) {
      checked_generation_ = (*snapshot)->generation();
      const auto& s = **snapshot;
      broker_.end_connections(
          [&s](const ClientIdentity& c) {
            if (!c.is_device()) return false;
            const auto* d = s.device(*c.device_id);
            // A changed role or topic list changes what the device may
            // publish: it signs in again under the new one.
            return d == nullptr || d->disabled() || d->gateway != c.gateway ||
                   d->mqtt_topics != c.topics;
          },
          reason::administrative_action);
    }
    checking_ = false;
  });
}

Intake::Verdict DeviceIntake::take(const ClientIdentity& client, std::string_view topic,
                                   const MessagePtr& message, IntakeDone& done) {
  if (!client.is_device()) {
    // A tenant's user or integration (or the bridge) with readings:write
    // may send a device's telemetry on the device's own topic.
    if (client.kind != ClientIdentity::Kind::user || !client.may_write || client.tenant_id == 0)
      return Verdict::not_mine;
    const auto device = device_of_telemetry_topic(topic);
    if (!device) return mapped(client, topic, message, done);
    if (auto snapshot = directory_.current_if_fresh()) {
      // The pipeline checks it too; here a wrong id gets a clear answer.
      const auto* d = snapshot->device(*device);
      if (!d || d->tenant_id != client.tenant_id) {
        done(IntakeResult{reason::implementation_specific_error,
                          fmt::format("no device {} in this tenant", *device)});
        return Verdict::taken;
      }
    }
    return telemetry(client.tenant_id, *device, message, done);
  }
  if (topic == kTelemetry) return telemetry(client.tenant_id, *client.device_id, message, done);
  if ((topic == kAttributes || topic.starts_with(kAttributeRequest)) && !work_has_room())
    return Verdict::busy;
  if (topic == kAttributes) return attributes(client, message, done);
  if (topic.starts_with(kAttributeRequest))
    return attribute_request(client, topic.substr(kAttributeRequest.size()), done);
  if (topic.starts_with(kRpcResponse)) {
    // A late or unknown reply is still routed (a tenant's user may watch);
    // it just has nobody waiting.
    rpc_.answer(*client.device_id, topic.substr(kRpcResponse.size()), message->payload);
    return Verdict::not_mine;
  }
  if (topic.starts_with(kGateway))
    return gateway(client, topic.substr(kGateway.size()), message, done);
  if (!topic.starts_with(kDeviceMe)) return mapped(client, topic, message, done);
  return Verdict::not_mine;
}

// One I/O thread's telemetry from the PUBLISHes of one read (so one
// device's), gathered into one pipeline request at end_of_read(): the
// pipeline's cost per request is paid once per read, not once per message.
struct DeviceIntake::Gathered {
  struct Part {
    std::size_t first = 0, count = 0;  // the message's readings in the request
    IntakeDone done;
  };
  DeviceIntake* intake = nullptr;
  ingest::IngestRequest request;
  std::vector<Part> parts;
};

namespace {

// Enough readings in one request to pay its overhead many times over, few
// enough that one read never builds a large one.
constexpr std::size_t kMaxGatheredReadings = 4096;

// The acknowledgement's reason for one message's readings, `first` to
// `first + count` of the request: success when any was kept, with the
// problems in the reason string.
IntakeResult result_of_part(const Result<ingest::IngestOutcome>& r, std::size_t first,
                            std::size_t count) {
  // A device that is not the tenant's is the sender's mistake; anything
  // else is the server's (a 3.1.1 client is then closed on to send again).
  if (!r)
    return {r.error().code == ErrorCode::not_found ? reason::implementation_specific_error
                                                   : reason::unspecified_error,
            r.error().message};
  const auto& problems = r->problems;  // ascending index
  auto it = std::lower_bound(
      problems.begin(), problems.end(), first,
      [](const ingest::ReadingProblem& p, std::size_t index) { return p.index < index; });
  const ingest::ReadingProblem* first_problem = nullptr;
  std::size_t rejected = 0;
  for (; it != problems.end() && it->index < first + count; ++it) {
    if (!first_problem) first_problem = &*it;
    if (it->rejected) ++rejected;
  }
  if (!first_problem) return {};
  return {rejected == count ? reason::implementation_specific_error : reason::success,
          fmt::format("{} of {} readings rejected; first: {}", rejected, count,
                      first_problem->message)};
}

}  // namespace

DeviceIntake::Gathered& DeviceIntake::gathered_here() {
  thread_local Gathered gathered;
  return gathered;
}

Intake::Verdict DeviceIntake::telemetry(Id tenant_id, Id device_id, const MessagePtr& message,
                                        IntakeDone& done) {
  auto parsed =
      ingest::parse_telemetry_text(message->payload, now_ms(), options_.max_readings_per_message);
  if (!parsed) {
    done(IntakeResult{reason::payload_format_invalid, parsed.error().message});
    return Verdict::taken;
  }
  return take_readings(tenant_id, device_id, std::move(*parsed), done);
}

Intake::Verdict DeviceIntake::take_readings(Id tenant_id, Id device_id, ingest::Telemetry readings,
                                            IntakeDone& done, bool check_room,
                                            ingest::Source source) {
  auto& g = gathered_here();
  if (!g.parts.empty() && (g.intake != this || g.request.tenant_id != tenant_id ||
                           g.request.device_id != device_id || g.request.source != source ||
                           g.request.readings.size() + readings.size() >
                               std::min(kMaxGatheredReadings, pipeline_.readings_per_request())))
    g.intake->submit_gathered();
  // Over the pipeline's ceiling: not taken, the connection stops reading
  // and comes back (what this read gathered so far still goes).
  if (check_room && (!pipeline_.has_room(source) || !work_has_room())) return Verdict::busy;
  if (g.parts.empty()) {
    g.intake = this;
    g.request.source = source;
    g.request.tenant_id = tenant_id;
    g.request.device_id = device_id;
    g.request.started_steady_ms = steady_ms();
  }
  const auto first = g.request.readings.size();
  const auto count = readings.size();
  g.request.readings.insert(g.request.readings.end(), std::make_move_iterator(readings.begin()),
                            std::make_move_iterator(readings.end()));
  if (!options_.ack_after_durable) {
    // Acknowledged now; the readings still go, with no one to tell.
    done(IntakeResult{});
    done = [](IntakeResult) {};
  }
  g.parts.push_back({first, count, std::move(done)});
  return Verdict::taken;
}

void DeviceIntake::end_of_read() {
  auto& g = gathered_here();
  if (!g.parts.empty()) g.intake->submit_gathered();
}

void DeviceIntake::submit_gathered() {
  auto& g = gathered_here();
  // Everything one submission needs, in one allocation.
  struct Submission {
    std::atomic<bool> inside{true};
    bool refused_for_load = false;
    std::vector<Gathered::Part> parts;
    void answer(const Result<ingest::IngestOutcome>& r) {
      for (auto& part : parts) part.done(result_of_part(r, part.first, part.count));
    }
  };
  auto submission = std::make_shared<Submission>();
  submission->parts = std::move(g.parts);
  ingest::IngestRequest request = std::move(g.request);
  request.messages = static_cast<std::int64_t>(submission->parts.size());
  g.parts.clear();
  g.request = {};
  g.intake = nullptr;

  ingest::IngestDone finish = [submission](Result<ingest::IngestOutcome> r) {
    if (submission->inside.load() && overloaded(r)) {
      submission->refused_for_load = true;
      return;
    }
    submission->answer(r);
  };
  const bool taken = pipeline_.try_submit(request, finish);
  submission->inside = false;
  if (taken && !submission->refused_for_load) return;
  // It would block here (a directory rebuild, a series not loaded yet), or
  // the ceiling was passed after all: submitted from a worker, and retried
  // there while the pipeline is full. The messages are taken; they are
  // acknowledged once this succeeds.
  run_work([this, request = std::move(request), submission]() mutable {
    submit_retrying(std::move(request),
                    [submission](Result<ingest::IngestOutcome> r) { submission->answer(r); });
  });
}

void DeviceIntake::submit_on_worker(ingest::IngestRequest request, IntakeDone done) {
  if (!options_.ack_after_durable) {
    done(IntakeResult{});
    done = [](IntakeResult) {};
  }
  const auto count = request.readings.size();
  submit_retrying(std::move(request),
                  [count, done = std::move(done)](Result<ingest::IngestOutcome> r) mutable {
                    done(result_of_part(r, 0, count));
                  });
}

void DeviceIntake::submit_retrying(ingest::IngestRequest request, ingest::IngestDone answer) {
  auto shared_answer = std::make_shared<ingest::IngestDone>(std::move(answer));
  for (int tries = 0;; ++tries) {
    auto copy = request;
    bool again = false;
    auto attempt_done = [&again, shared_answer](Result<ingest::IngestOutcome> r) {
      if (overloaded(r)) {
        again = true;
        return;
      }
      (*shared_answer)(std::move(r));
    };
    // An overload is reported before submit() returns, so `again` is read
    // only after it was written; other answers come later and never touch it.
    pipeline_.submit(std::move(copy), std::move(attempt_done));
    if (!again) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50, 5 + tries)));
  }
}

Intake::Verdict DeviceIntake::attributes(const ClientIdentity& client, const MessagePtr& message,
                                         IntakeDone& done) {
  boost::system::error_code ec;
  auto body = json::parse(message->payload, ec);
  const auto* o = ec ? nullptr : body.if_object();
  if (!o || o->size() > 1000) {
    done(IntakeResult{reason::payload_format_invalid,
                      "attributes are a JSON object of at most 1000 key: value"});
    return Verdict::taken;
  }
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [key, v] : *o) {
    if (key.empty() || key.size() > 255) {
      done(IntakeResult{reason::payload_format_invalid, "a key is 1 to 255 characters"});
      return Verdict::taken;
    }
    values.emplace_back(std::string(key), json::serialize(v));
  }
  const Id device = *client.device_id;
  run_work([this, device, values = std::move(values), done = std::move(done)]() mutable {
    auto s = store_.device_access().set_attributes(device, values, now_ms());
    if (s) pipeline_.record_message(device);
    done(s ? IntakeResult{} : IntakeResult{reason::unspecified_error, s.error().message});
  });
  return Verdict::taken;
}

Intake::Verdict DeviceIntake::attribute_request(const ClientIdentity& client,
                                                std::string_view request_id, IntakeDone& done) {
  const Id tenant = client.tenant_id;
  const Id device = *client.device_id;
  run_work([this, tenant, device, id = std::string(request_id), done = std::move(done)]() mutable {
    auto stored = store_.device_access().attributes(Scope::tenant(tenant), device);
    json::object client_values;
    if (stored)
      for (const auto& a : *stored) {
        boost::system::error_code ec;
        client_values[a.key] = json::parse(a.value_json, ec);
      }
    auto answer = std::make_shared<Message>();
    answer->topic = device_topic(tenant, device, fmt::format("attributes/response/{}", id));
    answer->payload = json::serialize(
        json::object{{"client", std::move(client_values)}, {"shared", json::object{}}});
    answer->qos = 1;
    broker_.publish(answer);
    done(stored ? IntakeResult{} : IntakeResult{reason::unspecified_error, stored.error().message});
  });
  return Verdict::taken;
}

}  // namespace citypulse::mqtt
