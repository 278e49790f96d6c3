// Which Who-Is targets go out as broadcasts (drivers/bacnet/broadcast_address.h):
// the limited broadcast, and the directed broadcast of this host's own
// networks as `ip` lists them; a node whose address ends in .255, a network
// this host is not on, a host name and a malformed address are nodes.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/bacnet/broadcast_address.h"

namespace citypulse::bacnet {
namespace {

// The "brd" addresses `ip -o -4 addr show` lists: the kernel's word, not this
// code's.
std::vector<std::string> listed_broadcasts() {
  std::vector<std::string> out;
  const std::unique_ptr<FILE, int (*)(FILE*)> ip(::popen("ip -o -4 addr show 2>/dev/null", "r"),
                                                 &::pclose);
  if (!ip) return out;
  char line[1024];
  while (std::fgets(line, sizeof line, ip.get())) {
    std::istringstream words(line);
    for (std::string w; words >> w;)
      if (w == "brd" && words >> w) out.push_back(w);
  }
  return out;
}

TEST(BroadcastAddress, TheLimitedBroadcastAndThisHostsNetworksOnly) {
  EXPECT_TRUE(is_broadcast_address("255.255.255.255"));
  for (const auto& b : listed_broadcasts()) EXPECT_TRUE(is_broadcast_address(b)) << b;
  EXPECT_FALSE(is_broadcast_address("127.0.0.1"));
  EXPECT_FALSE(is_broadcast_address("203.0.113.255"));  // TEST-NET-3: no interface here
  EXPECT_FALSE(is_broadcast_address("198.51.100.7"));
  EXPECT_FALSE(is_broadcast_address("bacnet-router.local"));
  EXPECT_FALSE(is_broadcast_address("10.0.0.256"));
  EXPECT_FALSE(is_broadcast_address(""));
}

}  // namespace
}  // namespace citypulse::bacnet
