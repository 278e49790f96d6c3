#include "transport/lorawan/event_topic.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/mqtt_topic.h"
#include "core/text.h"

namespace citypulse::lorawan {
namespace {

// lorawan-stack pkg/applicationserver/io/mqtt/topics (v3 layout): the
// Application Server's upstream topics below .../devices/{device id}/.
constexpr std::array<std::string_view, 10> kThingsStackMessages = {
    "up",        "join",        "down/queued",      "down/sent",       "down/ack",
    "down/nack", "down/failed", "down/invalidated", "location/solved", "service/data"};

std::optional<EventTopic> chirpstack_topic(std::string_view below) {
  // {application id}/device/{dev eui}/event/{event}
  const mqtt::TopicLevel app = mqtt::first_level(below);
  const mqtt::TopicLevel device_word = mqtt::first_level(app.below);
  const mqtt::TopicLevel device = mqtt::first_level(device_word.below);
  const mqtt::TopicLevel event_word = mqtt::first_level(device.below);
  if (app.last || device_word.last || device.last || event_word.last) return std::nullopt;
  const std::string_view event = event_word.below;
  if (app.level.empty() || device_word.level != "device" || device.level.empty() ||
      event_word.level != "event" || event.empty() || event.find('/') != std::string_view::npos)
    return std::nullopt;
  return EventTopic{EventTopic::Server::chirpstack, app.level, device.level, event};
}

std::optional<EventTopic> things_stack_topic(std::string_view below) {
  // {application id}[@{tenant id}]/devices/{device id}/{message}
  const mqtt::TopicLevel app = mqtt::first_level(below);
  const mqtt::TopicLevel devices_word = mqtt::first_level(app.below);
  const mqtt::TopicLevel device = mqtt::first_level(devices_word.below);
  if (app.last || devices_word.last || device.last) return std::nullopt;
  if (app.level.empty() || devices_word.level != "devices" || device.level.empty())
    return std::nullopt;
  const std::string_view message = device.below;
  if (std::find(kThingsStackMessages.begin(), kThingsStackMessages.end(), message) ==
      kThingsStackMessages.end())
    return std::nullopt;
  return EventTopic{EventTopic::Server::things_stack, app.level, device.level, message};
}

}  // namespace

std::optional<EventTopic> parse_event_topic(std::string_view topic) {
  const mqtt::TopicLevel root = mqtt::first_level(topic);
  if (root.last) return std::nullopt;
  if (root.level == "application") return chirpstack_topic(root.below);
  if (root.level == "v3") return things_stack_topic(root.below);
  return std::nullopt;
}

Result<LorawanEvent> parse_event_message(const EventTopic& topic, std::string_view body) {
  if (topic.server == EventTopic::Server::chirpstack) {
    auto event = parse_chirpstack(body, topic.event);
    if (event && !iequals_ascii(event->dev_eui, topic.device))
      return fail(
          ErrorCode::bad_request,
          fmt::format("the topic names the DevEUI '{}', the event's deviceInfo.devEui is {}",
                      topic.device, event->dev_eui),
          "/deviceInfo/devEui");
    return event;
  }
  auto event = parse_things_stack(body);
  // device_name is end_device_ids.device_id, which every ApplicationUp has.
  if (event && !event->device_name.empty() && event->device_name != topic.device)
    return fail(ErrorCode::bad_request,
                fmt::format("the topic names the device '{}', the message's "
                            "end_device_ids.device_id is '{}'",
                            topic.device, event->device_name),
                "/end_device_ids/device_id");
  return event;
}

}  // namespace citypulse::lorawan
