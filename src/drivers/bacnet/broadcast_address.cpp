#include "drivers/bacnet/broadcast_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <memory>
#include <string>

namespace citypulse::bacnet {

bool is_broadcast_address(std::string_view host) {
  in_addr address{};
  if (::inet_pton(AF_INET, std::string(host).c_str(), &address) != 1) return false;
  if (address.s_addr == INADDR_BROADCAST) return true;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return false;
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owned(list, &::freeifaddrs);
  for (const ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_BROADCAST) ||
        !i->ifa_broadaddr)
      continue;
    const auto* broadcast = reinterpret_cast<const sockaddr_in*>(i->ifa_broadaddr);
    if (broadcast->sin_addr.s_addr == address.s_addr) return true;
  }
  return false;
}

}  // namespace citypulse::bacnet
