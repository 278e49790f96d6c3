// DeviceIntake::mapped(): readings on topics that are not the device API
// (device_intake.h), from
//
//   - a tenant's writer (a user or integration with readings:write, or the
//     bridge for its tenant):
//       LoRaWAN network servers' event topics (lorawan/event_topic.h): the
//       device is the tenant's whose serial is the event's DevEUI, the
//       readings lorawan/event_readings.h's;
//       any other topic one of the tenant's devices lists in mqtt_topics
//       (Snapshot::device_by_topic): that device's, the body read by
//       ingest/mapped_payload.h;
//   - a device, on a topic its own mqtt_topics match (the broker let it
//     publish there, client_identity.h): the device's own readings, read the
//     same way.
//
// A topic nobody claims is not_mine: routed to subscribers only, as before
// mapped topics existed. So is anything under v1/devices/ or v1/gateway/
// (the device API, whatever a filter says), and an empty payload: it is how
// MQTT deletes a retained message, and it carries nothing to store. Every other
// message on a claimed topic is answered: success (readings stored, or an
// event without readings recorded as the device's message);
// payload_format_invalid for a body that cannot be read; implementation
// specific error for an unknown DevEUI or a disabled device; not authorized
// for a device whose mqtt_topics no longer match. Only the first stores
// anything.
//
// The device is looked up in the directory. take() runs on an I/O thread,
// which must not wait for a rebuild: with no fresh snapshot the message is
// taken and decided on a worker instead, and acknowledged from there.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/mqtt_topic.h"
#include "core/time.h"
#include "ingest/mapped_payload.h"
#include "transport/lorawan/event_readings.h"
#include "transport/lorawan/event_topic.h"
#include "transport/mqtt/device_intake.h"

namespace citypulse::mqtt {
namespace {

// The device API's topics, whichever client names them: never mapped.
constexpr std::string_view kDeviceApi = "v1/devices/";
constexpr std::string_view kGatewayApi = "v1/gateway/";

// What one message on a mapped topic comes to, decided against one snapshot.
struct Plan {
  enum class Kind : std::uint8_t {
    not_mine,  // nobody's topic
    answer,    // acknowledged with `answer`, nothing stored
    record,    // a message of `device_id` without readings
    store,     // `readings` of `device_id`
  };
  Kind kind = Kind::not_mine;
  IntakeResult answer;
  Id tenant_id = 0, device_id = 0;
  // Metrics tell LoRaWAN network servers' events from other MQTT readings.
  ingest::Source source = ingest::Source::mqtt;
  std::vector<ingest::IncomingReading> readings;
};

Plan answer(std::uint8_t reason, std::string message) {
  Plan p;
  p.kind = Plan::Kind::answer;
  p.answer = IntakeResult{reason, std::move(message)};
  return p;
}

Plan readings_of(const ingest::DeviceEntry& device, std::vector<ingest::IncomingReading> readings) {
  Plan p;
  p.kind = readings.empty() ? Plan::Kind::record : Plan::Kind::store;
  p.tenant_id = device.tenant_id;
  p.device_id = device.id;
  p.readings = std::move(readings);
  return p;
}

// A device's mapped topic: the body read as its readings.
Plan device_plan(const ingest::DeviceEntry& device, std::string_view topic,
                 std::string_view payload, std::size_t max) {
  if (device.disabled())
    return answer(reason::implementation_specific_error,
                  fmt::format("device {} is disabled", device.id));
  auto readings = ingest::parse_mapped_payload(payload, topic, now_ms(), max);
  if (!readings) return answer(reason::payload_format_invalid, readings.error().message);
  return readings_of(device, std::move(*readings));
}

// A network server's event: the device is the tenant's with the DevEUI.
Plan lorawan_plan(const ingest::Snapshot& snapshot, Id tenant_id, const lorawan::EventTopic& topic,
                  std::string_view payload) {
  auto event = lorawan::parse_event_message(topic, payload);
  if (!event) return answer(reason::payload_format_invalid, event.error().message);
  const auto* device = snapshot.device_by_serial(tenant_id, event->dev_eui);
  if (!device)
    return answer(
        reason::implementation_specific_error,
        fmt::format("no device of this tenant has the DevEUI {} as its serial", event->dev_eui));
  if (device->disabled())
    return answer(reason::implementation_specific_error,
                  fmt::format("device {} is disabled", device->id));
  Plan p = readings_of(*device, lorawan::event_readings(*event, now_ms()));
  p.source = topic.server == lorawan::EventTopic::Server::chirpstack ? ingest::Source::chirpstack
                                                                     : ingest::Source::things_stack;
  return p;
}

Plan plan_for(const ingest::Snapshot& snapshot, const ClientIdentity& client,
              std::string_view topic, std::string_view payload, std::size_t max) {
  if (client.is_device()) {
    // The broker let the device publish here for the filters it connected
    // with; they may have been edited since.
    const auto* device = snapshot.device(*client.device_id);
    const bool still_listed =
        device && device->tenant_id == client.tenant_id &&
        std::any_of(device->mqtt_topics.begin(), device->mqtt_topics.end(),
                    [&](const std::string& filter) { return topic_matches(filter, topic); });
    if (!still_listed)
      return answer(reason::not_authorized, "no longer one of this device's mqtt_topics");
    return device_plan(*device, topic, payload, max);
  }
  if (auto event_topic = lorawan::parse_event_topic(topic))
    return lorawan_plan(snapshot, client.tenant_id, *event_topic, payload);
  if (const auto* device = snapshot.device_by_topic(client.tenant_id, topic))
    return device_plan(*device, topic, payload, max);
  return {};
}

// Whether the message can be anybody's, before any lookup: most messages of
// a tenant's writers are on topics of their own, and cost nothing here.
bool may_be_mapped(const ClientIdentity& client, std::string_view topic, std::string_view payload) {
  if (payload.empty() || topic.starts_with(kDeviceApi) || topic.starts_with(kGatewayApi))
    return false;
  if (client.is_device())
    return std::any_of(client.topics.begin(), client.topics.end(),
                       [&](const std::string& filter) { return topic_matches(filter, topic); });
  return client.kind == ClientIdentity::Kind::user && client.may_write && client.tenant_id != 0;
}

// Answers a plan that stores nothing; false for the others.
bool settled(Plan& plan, ingest::Pipeline& pipeline, IntakeDone& done) {
  if (plan.kind == Plan::Kind::answer) {
    done(std::move(plan.answer));
    return true;
  }
  if (plan.kind == Plan::Kind::record) {
    pipeline.record_message(plan.device_id);
    done(IntakeResult{});
    return true;
  }
  return false;
}

}  // namespace

Intake::Verdict DeviceIntake::mapped(const ClientIdentity& client, std::string_view topic,
                                     const MessagePtr& message, IntakeDone& done) {
  if (!may_be_mapped(client, topic, message->payload)) return Verdict::not_mine;
  const std::size_t max = options_.max_readings_per_message;
  if (auto snapshot = directory_.current_if_fresh()) {
    Plan plan = plan_for(*snapshot, client, topic, message->payload, max);
    if (plan.kind == Plan::Kind::not_mine) return Verdict::not_mine;
    if (settled(plan, pipeline_, done)) return Verdict::taken;
    return take_readings(plan.tenant_id, plan.device_id, std::move(plan.readings), done, true,
                         plan.source);
  }
  // A rebuild is due: decided where waiting for it is fine. A topic that
  // turns out to be nobody's is then simply acknowledged (it is routed
  // either way).
  if (!work_has_room()) return Verdict::busy;
  run_work([this, client, topic = std::string(topic), message, max, arrived = steady_ms(),
            done = std::move(done)]() mutable {
    auto snapshot = directory_.current();
    if (!snapshot) {
      done(IntakeResult{reason::unspecified_error, snapshot.error().message});
      return;
    }
    Plan plan = plan_for(**snapshot, client, topic, message->payload, max);
    if (plan.kind == Plan::Kind::not_mine) {
      done(IntakeResult{});
      return;
    }
    if (settled(plan, pipeline_, done)) return;
    ingest::IngestRequest request;
    request.source = plan.source;
    request.tenant_id = plan.tenant_id;
    request.device_id = plan.device_id;
    request.readings = std::move(plan.readings);
    request.started_steady_ms = arrived;
    submit_on_worker(std::move(request), std::move(done));
  });
  return Verdict::taken;
}

}  // namespace citypulse::mqtt
