#include "transport/mqtt/device_intake.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json.hpp>

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

// The acknowledgement's reason for a pipeline outcome: success when any
// reading was kept, with the problems in the reason string.
IntakeResult result_of(const Result<ingest::IngestOutcome>& r) {
  if (!r) return {reason::unspecified_error, r.error().message};
  const auto& o = *r;
  if (o.problems.empty()) return {};
  const auto& first = o.problems.front();
  std::string text = fmt::format("{} of {} readings rejected; first: {}", o.rejected,
                                 o.accepted + o.rejected, first.message);
  return {
      o.accepted == 0 && o.rejected > 0 ? reason::implementation_specific_error : reason::success,
      std::move(text)};
}

// Whether the pipeline refused for back-pressure (and nothing was done).
bool overloaded(const Result<ingest::IngestOutcome>& r) {
  return !r && r.error().code == ErrorCode::unavailable &&
         r.error().message.starts_with("the server is taking in more readings");
}

}  // namespace

DeviceIntake::DeviceIntake(ingest::Pipeline& pipeline, ingest::Directory& directory,
                           MetaStore& store, Broker& broker, DeviceRpc& rpc, BlockingWork& work,
                           std::size_t max_readings_per_message)
    : pipeline_(pipeline),
      directory_(directory),
      store_(store),
      broker_(broker),
      rpc_(rpc),
      work_(work),
      max_readings_(max_readings_per_message) {}

void DeviceIntake::end_disabled_devices() {
  if (checking_.exchange(true)) return;
  work_.run([this] {
    auto snapshot = directory_.current();
    if (snapshot && (*snapshot)->generation() != checked_generation_.load()) {
      checked_generation_ = (*snapshot)->generation();
      const auto& s = **snapshot;
      broker_.end_connections(
          [&s](const ClientIdentity& c) {
            if (!c.is_device()) return false;
            const auto* d = s.device(*c.device_id);
            return d == nullptr || d->disabled();
          },
          reason::administrative_action);
    }
    checking_ = false;
  });
}

Intake::Verdict DeviceIntake::take(const ClientIdentity& client, std::string_view topic,
                                   const MessagePtr& message, IntakeDone& done) {
  if (!client.is_device()) return Verdict::not_mine;
  if (topic == kTelemetry) return telemetry(client, message, done);
  if (topic == kAttributes) return attributes(client, message, done);
  if (topic.starts_with(kAttributeRequest))
    return attribute_request(client, topic.substr(kAttributeRequest.size()), done);
  if (topic.starts_with(kRpcResponse)) {
    // A late or unknown reply is still routed (a tenant's user may watch);
    // it just has nobody waiting.
    rpc_.answer(*client.device_id, topic.substr(kRpcResponse.size()), message->payload);
    return Verdict::not_mine;
  }
  return Verdict::not_mine;
}

Intake::Verdict DeviceIntake::telemetry(const ClientIdentity& client, const MessagePtr& message,
                                        IntakeDone& done) {
  auto parsed = ingest::parse_telemetry_text(message->payload, now_ms(), max_readings_);
  if (!parsed) {
    done(IntakeResult{reason::payload_format_invalid, parsed.error().message});
    return Verdict::taken;
  }
  ingest::IngestRequest request;
  request.source = ingest::Source::mqtt;
  request.tenant_id = client.tenant_id;
  request.device_id = client.device_id;
  request.readings = std::move(*parsed);
  request.started_steady_ms = steady_ms();

  // The pipeline answers back-pressure at once, on this thread: that is
  // "busy" (nothing done), not an acknowledgement.
  struct Attempt {
    std::atomic<bool> inside{true};
    bool refused_for_load = false;
  };
  auto attempt = std::make_shared<Attempt>();
  auto shared_done = std::make_shared<IntakeDone>(std::move(done));
  ingest::IngestDone finish = [attempt, shared_done](Result<ingest::IngestOutcome> r) {
    if (attempt->inside.load() && overloaded(r)) {
      attempt->refused_for_load = true;
      return;
    }
    (*shared_done)(result_of(r));
  };
  const bool taken = pipeline_.try_submit(request, finish);
  attempt->inside = false;
  if (taken) {
    if (!attempt->refused_for_load) return Verdict::taken;
    done = std::move(*shared_done);  // left as it came: busy calls nothing
    return Verdict::busy;
  }
  // It would block here (a directory rebuild, a series not loaded yet):
  // submitted from a worker, and retried there while the pipeline is full.
  work_.run([this, request = std::move(request), shared_done]() mutable {
    for (int tries = 0;; ++tries) {
      auto copy = request;
      bool again = false;
      auto attempt_done = [&again, shared_done](Result<ingest::IngestOutcome> r) {
        if (overloaded(r)) {
          again = true;
          return;
        }
        (*shared_done)(result_of(r));
      };
      // An overload is reported before submit() returns, so `again` is
      // read only after it was written; other answers come later and never
      // touch it.
      pipeline_.submit(std::move(copy), std::move(attempt_done));
      if (!again) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50, 5 + tries)));
    }
  });
  return Verdict::taken;
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
  work_.run([this, device, values = std::move(values), done = std::move(done)]() mutable {
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
  work_.run([this, tenant, device, id = std::string(request_id), done = std::move(done)]() mutable {
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
