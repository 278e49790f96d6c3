#include "transport/mqtt/published_message.h"

#include <memory>

#include "core/mqtt_topic.h"
#include "core/time.h"

namespace citypulse::mqtt {

MessagePtr published_message(const Publish& p, std::string internal_topic,
                             const ClientIdentity& publisher, std::uint64_t origin_session) {
  auto message = std::make_shared<Message>();
  message->topic = std::move(internal_topic);
  message->payload = std::string(p.payload);
  message->qos = p.qos;
  message->retain = p.retain;
  message->origin_session = origin_session;
  const auto& props = p.properties;
  message->payload_format = props.payload_format;
  if (props.message_expiry)
    message->expires_at_ms = now_ms() + std::int64_t{*props.message_expiry} * 1000;
  if (props.content_type) message->content_type = std::string(*props.content_type);
  if (props.response_topic && valid_topic_name(*props.response_topic))
    if (auto r = to_internal(publisher, *props.response_topic, TopicUse::publish))
      message->response_topic = std::move(*r);
  if (props.correlation_data) message->correlation_data = std::string(*props.correlation_data);
  for (const auto& [k, v] : props.user_properties)
    message->user_properties.emplace_back(std::string(k), std::string(v));
  return message;
}

}  // namespace citypulse::mqtt
