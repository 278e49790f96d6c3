// The MQTT wire codec: finding packets in a byte stream, decoding them into
// packet.h's types and encoding them back, for 3.1(.1) and 5.0.
//
// Framing first: read_frame() looks only at the fixed header, so a packet
// over the size limit is refused before its body is read or any memory is
// set aside for it; a body is decoded once all of it is there.
//
// Decoding is defensive: every read is bounds-checked, nothing is allocated
// beyond the packet's own lists, and any packet the specification calls
// malformed or a protocol error fails with the MQTT 5 reason code the
// connection must close with (spec 4.13) and a short text saying why.
// Checks that need the connection's state (a topic alias, a packet id in
// use, the ACLs) are the broker's, not the decoder's.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "transport/mqtt/packet.h"

namespace citypulse::mqtt {

struct FrameHeader {
  std::uint8_t first_byte = 0;   // packet type << 4 | flags
  std::uint32_t body_size = 0;   // the Remaining Length
  std::uint8_t header_size = 0;  // 2..5 bytes

  PacketType type() const { return static_cast<PacketType>(first_byte >> 4); }
  std::uint8_t flags() const { return first_byte & 0x0F; }
  std::size_t packet_size() const { return std::size_t{header_size} + body_size; }
};

enum class FrameStatus {
  complete,    // header and the whole body are in the bytes
  incomplete,  // more bytes are needed (the header may be complete: see `header`)
  malformed,   // a Remaining Length over four bytes [MQTT-1.5.5-1]
  too_large,   // the packet would be over max_packet_size (reason 0x95)
};

// Reads the fixed header at the start of `bytes`. On complete, incomplete
// with a whole header, and too_large, `header` is filled in.
FrameStatus read_frame(std::string_view bytes, std::uint32_t max_packet_size, FrameHeader& header);

struct DecodeError {
  std::uint8_t reason = reason::malformed_packet;  // malformed_packet, protocol_error, ...
  std::string_view what;                           // static text, for the log and Reason String
};

using Decoded = std::expected<Packet, DecodeError>;

// Decodes one packet whose fixed header is `header` and body `body`
// (exactly header.body_size bytes). `version` is the connection's protocol
// (ignored for CONNECT, which names its own). The packet's string_views
// point into `body`. An unsupported protocol level in CONNECT fails with
// reason::unsupported_protocol_version; the caller answers it with a
// CONNACK before closing [MQTT-3.1.2-2]. On a 3.1.1 connection a CONNACK's
// return code comes back as its MQTT 5 reason code (1 as 0x84, ... 5 as
// 0x87), which encode() turns back into the same return code.
Decoded decode(const FrameHeader& header, std::string_view body, Version version);

// Appends the encoded packet to `out`. For a 3.1.1 connection, MQTT 5-only
// parts are left out and reason codes become the 3.1.1 return codes
// (CONNACK 0..5, SUBACK 0x80 for any failure). A 3.1.1 DISCONNECT is the
// bare E0 00 a client sends (a 3.1.1 server sends none: the broker only
// closes); AUTH encodes to nothing for 3.1.1.
// Not checked, so the caller's to keep: every string at most 65,535 bytes
// (1.5.4) and the body at most 268,435,455 (1.5.5) — what decode() returns
// always is — and the fields within the spec's ranges (QoS 0..2, a packet id
// where QoS > 0, properties where table 2-4 allows them).
void encode(const Packet& packet, Version version, std::string& out);
// The hot packets without building a Packet first.
void encode(const Publish& publish, Version version, std::string& out);
void encode(const Ack& ack, Version version, std::string& out);

// Bytes encode() would append.
std::size_t encoded_size(const Packet& packet, Version version);
std::size_t encoded_size(const Publish& publish, Version version);

// The 3.1.1 CONNACK return code for an MQTT 5 reason code.
std::uint8_t connack_code_v311(std::uint8_t reason);

}  // namespace citypulse::mqtt
