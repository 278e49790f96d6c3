// The broker's own statistics under $SYS/ (the convention of Mosquitto and
// others), published as retained messages so a subscriber gets the latest
// at once; only tenant admins and superadmins may subscribe to $SYS/
// (client_identity.h).
//
//   $SYS/broker/version                 "citypulse <version>"
//   $SYS/broker/uptime                  "<seconds> seconds"
//   $SYS/broker/clients/connected       open connections
//   $SYS/broker/sessions                sessions, online and offline
//   $SYS/broker/subscriptions/count
//   $SYS/broker/retained messages/count
//   $SYS/broker/messages/routed         messages routed since start
//   $SYS/broker/messages/dropped        deliveries dropped since start
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/mqtt/broker.h"

namespace citypulse::mqtt {

void publish_sys_topics(Broker& broker, std::string_view version, std::int64_t uptime_s,
                        std::size_t connections);

}  // namespace citypulse::mqtt
