#include "transport/mqtt/sys_topics.h"

#include <fmt/format.h>

namespace citypulse::mqtt {
namespace {

void publish(Broker& broker, std::string_view topic, std::string payload) {
  auto m = std::make_shared<Message>();
  m->topic = fmt::format("$SYS/broker/{}", topic);
  m->payload = std::move(payload);
  m->retain = true;
  broker.publish(m);
}

}  // namespace

void publish_sys_topics(Broker& broker, std::string_view version, std::int64_t uptime_s,
                        std::size_t connections) {
  const auto s = broker.stats();
  publish(broker, "version", fmt::format("citypulse {}", version));
  publish(broker, "uptime", fmt::format("{} seconds", uptime_s));
  publish(broker, "clients/connected", fmt::format("{}", connections));
  publish(broker, "sessions", fmt::format("{}", s.sessions));
  publish(broker, "subscriptions/count", fmt::format("{}", s.subscriptions));
  publish(broker, "retained messages/count", fmt::format("{}", s.retained));
  publish(broker, "messages/routed", fmt::format("{}", s.messages_routed));
  publish(broker, "messages/dropped", fmt::format("{}", s.deliveries_dropped));
}

}  // namespace citypulse::mqtt
