#include "drivers/bacnet/link_frame.h"

#include <fmt/format.h>

namespace citypulse::bacnet {
namespace {

constexpr std::uint8_t kBvlcType = 0x81;
constexpr std::uint8_t kNpduVersion = 1;
constexpr std::uint8_t kNetworkMessage = 0x80;
constexpr std::uint8_t kDestination = 0x20;
constexpr std::uint8_t kSource = 0x08;
constexpr std::uint8_t kExpectingReply = 0x04;

std::unexpected<Error> refused(const std::string& what) {
  return fail(ErrorCode::bad_request, "BACnet/IP datagram: " + what);
}

void put_address(std::vector<std::uint8_t>& out, const NetworkAddress& a) {
  out.push_back(static_cast<std::uint8_t>(a.network >> 8));
  out.push_back(static_cast<std::uint8_t>(a.network));
  out.push_back(static_cast<std::uint8_t>(a.mac.size()));
  out.insert(out.end(), a.mac.begin(), a.mac.end());
}

// Reads SNET/DNET, the length and the MAC from octets[at...].
Result<NetworkAddress> take_address(std::span<const std::uint8_t> octets, std::size_t& at,
                                    const char* which) {
  if (at + 3 > octets.size()) return refused(fmt::format("the {} is cut short", which));
  NetworkAddress a;
  a.network = static_cast<std::uint16_t>(octets[at] << 8 | octets[at + 1]);
  const std::size_t length = octets[at + 2];
  at += 3;
  if (at + length > octets.size())
    return refused(fmt::format("the {}'s MAC address is cut short", which));
  a.mac.assign(octets.begin() + static_cast<std::ptrdiff_t>(at),
               octets.begin() + static_cast<std::ptrdiff_t>(at + length));
  at += length;
  return a;
}

}  // namespace

std::vector<std::uint8_t> make_datagram(BvlcFunction function, const Npdu& npdu,
                                        std::span<const std::uint8_t> apdu) {
  std::vector<std::uint8_t> out = {kBvlcType, static_cast<std::uint8_t>(function), 0, 0};
  out.push_back(kNpduVersion);
  std::uint8_t control = npdu.priority & 0x03;
  if (npdu.network_message) control |= kNetworkMessage;
  if (npdu.destination) control |= kDestination;
  if (npdu.source) control |= kSource;
  if (npdu.expecting_reply) control |= kExpectingReply;
  out.push_back(control);
  if (npdu.destination) put_address(out, *npdu.destination);
  if (npdu.source) put_address(out, *npdu.source);
  if (npdu.destination) out.push_back(npdu.hop_count);
  if (npdu.network_message) out.push_back(*npdu.network_message);
  out.insert(out.end(), apdu.begin(), apdu.end());
  out[2] = static_cast<std::uint8_t>(out.size() >> 8);
  out[3] = static_cast<std::uint8_t>(out.size());
  return out;
}

Result<Datagram> parse_datagram(std::span<const std::uint8_t> octets) {
  if (octets.size() < 4) return refused("shorter than its 4-octet header");
  if (octets[0] != kBvlcType)
    return refused(fmt::format("type 0x{:02X}, not BACnet/IP (0x81)", octets[0]));
  const std::size_t length = static_cast<std::size_t>(octets[2] << 8 | octets[3]);
  if (length != octets.size())
    return std::unexpected(
        refused(fmt::format("its header says {} octets, {} arrived", length, octets.size())));
  Datagram d;
  std::size_t at = 4;
  switch (octets[1]) {
    case static_cast<std::uint8_t>(BvlcFunction::original_unicast):
    case static_cast<std::uint8_t>(BvlcFunction::original_broadcast):
      d.function = static_cast<BvlcFunction>(octets[1]);
      break;
    case static_cast<std::uint8_t>(BvlcFunction::forwarded_npdu): {
      d.function = BvlcFunction::forwarded_npdu;
      if (octets.size() < 10) return refused("the forwarding address is cut short");
      std::array<std::uint8_t, 6> from{};
      std::copy(octets.begin() + 4, octets.begin() + 10, from.begin());
      d.forwarded_from = from;
      at = 10;
      break;
    }
    default:
      return std::unexpected(
          refused(fmt::format("BVLC function 0x{:02X} carries no NPDU", octets[1])));
  }
  if (at + 2 > octets.size()) return refused("the NPDU header is cut short");
  if (octets[at] != kNpduVersion) return refused(fmt::format("NPDU version {}, not 1", octets[at]));
  const std::uint8_t control = octets[at + 1];
  at += 2;
  d.npdu.priority = control & 0x03;
  d.npdu.expecting_reply = (control & kExpectingReply) != 0;
  if (control & kDestination) {
    auto a = take_address(octets, at, "destination");
    if (!a) return std::unexpected(a.error());
    d.npdu.destination = std::move(*a);
  }
  if (control & kSource) {
    auto a = take_address(octets, at, "source");
    if (!a) return std::unexpected(a.error());
    d.npdu.source = std::move(*a);
  }
  if (control & kDestination) {
    if (at >= octets.size()) return refused("the hop count is missing");
    d.npdu.hop_count = octets[at++];
  }
  if (control & kNetworkMessage) {
    if (at >= octets.size()) return refused("the network message type is missing");
    d.npdu.network_message = octets[at++];
    if (*d.npdu.network_message >= 0x80) {
      if (at + 2 > octets.size()) return refused("the vendor id is cut short");
      at += 2;
    }
  }
  d.apdu = octets.subspan(at);
  return d;
}

}  // namespace citypulse::bacnet
