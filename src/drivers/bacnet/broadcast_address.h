// Whether a Who-Is target is a broadcast address from this host, so that the
// request goes out as BVLC Original-Broadcast-NPDU rather than to one node.
//
// A broadcast address is the limited broadcast 255.255.255.255 or the
// directed broadcast of a network one of this host's interfaces is on (as
// the kernel lists them now). Anything else — a node whose address happens
// to end in .255 in a network wider than /24, a host name, a network this
// host is not on (routers do not pass directed broadcasts on; a BBMD does
// that) — is a node.
#pragma once

#include <string_view>

namespace citypulse::bacnet {

bool is_broadcast_address(std::string_view host);

}  // namespace citypulse::bacnet
