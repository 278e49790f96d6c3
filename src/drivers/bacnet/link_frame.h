// The two outer layers of a BACnet/IP datagram: the BACnet Virtual Link
// Control header (ASHRAE 135 Annex J) and the network layer's NPDU header
// (clause 6.2), around the APDU a device answers.
//
//   BVLC  0x81, function, length (2 octets, of the whole datagram)
//         Forwarded-NPDU (0x04) adds the original sender's IPv4 address and
//         UDP port (6 octets) before the NPDU.
//   NPDU  version 1, control: bit 7 a network layer message, bit 5 a
//         destination (DNET, DLEN, DADR) follows, bit 3 a source (SNET,
//         SLEN, SADR), bit 2 a reply is expected, bits 1–0 the priority;
//         with a destination, a hop count after the source; a network layer
//         message then has its type (and a vendor id for types 0x80–0xFF).
//
// A Who-Is broadcast to every network is, whole:
//   81 0B 00 0C | 01 20 FF FF 00 FF | 10 08
//
// parse_datagram() takes a datagram apart without reading past its end and
// refuses what is not BACnet/IP or is cut short, naming what was wrong.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"

namespace citypulse::bacnet {

enum class BvlcFunction : std::uint8_t {
  result = 0x00,
  forwarded_npdu = 0x04,
  original_unicast = 0x0A,
  original_broadcast = 0x0B,
};

// A network and a MAC address on it (DADR/SADR: empty for a broadcast).
struct NetworkAddress {
  std::uint16_t network = 0;  // 0xFFFF: every network
  std::vector<std::uint8_t> mac;
  bool operator==(const NetworkAddress&) const = default;
};

struct Npdu {
  bool expecting_reply = false;
  std::uint8_t priority = 0;  // 0 normal, 1 urgent, 2 critical equipment, 3 life safety
  std::optional<NetworkAddress> destination;
  std::optional<NetworkAddress> source;
  std::uint8_t hop_count = 255;  // with a destination
  // A network layer message instead of an APDU: its type (Who-Is-Router-To-
  // Network is 0x00).
  std::optional<std::uint8_t> network_message;
};

struct Datagram {
  BvlcFunction function = BvlcFunction::original_unicast;
  // Forwarded-NPDU: who sent it first (IPv4 address and UDP port).
  std::optional<std::array<std::uint8_t, 6>> forwarded_from;
  Npdu npdu;
  std::span<const std::uint8_t> apdu;  // into the parsed octets
};

// The datagram carrying `apdu` (an APDU, or a network message's content).
std::vector<std::uint8_t> make_datagram(BvlcFunction function, const Npdu& npdu,
                                        std::span<const std::uint8_t> apdu);

// Fails with bad_request: not BVLC type 0x81, a length that is not the
// datagram's, a function that carries no NPDU, an NPDU version other than 1,
// addresses or a message type cut short.
Result<Datagram> parse_datagram(std::span<const std::uint8_t> octets);

}  // namespace citypulse::bacnet
