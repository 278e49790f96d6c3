// Fuzz target for the MQTT packet decoder (libFuzzer entry point; also
// replayed over a deterministic corpus by tests/unit/mqtt_fuzz_replay_test.cpp,
// since the default build is g++ without libFuzzer).
//
// The input is read twice, as a 3.1.1 and as an MQTT 5 connection's byte
// stream. What counts as a finding, besides a crash or a sanitizer report: any
// broken promise of codec.h —
//   - read_frame() saying complete for a packet that is not all there, a
//     header of more than five bytes, or too_large for one within the limit;
//   - a decode failure with a reason other than Malformed Packet or Protocol
//     Error (or Unsupported Protocol Version, for CONNECT only), or no text;
//   - a decoded string_view that points outside the packet's body;
//   - a decoded packet that does not survive encode → read_frame → decode
//     unchanged, whose encoding is not what encoded_size() said, or whose
//     encoding changes when encoded a second time.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "transport/mqtt/codec.h"

namespace {

using namespace citypulse::mqtt;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// A limit small enough that mutated lengths hit it, large enough for the
// seeds' packets.
constexpr std::uint32_t kMaxPacket = 64 * 1024;

bool inside(std::string_view text, std::string_view body) {
  // An empty view may be default-constructed (no data pointer); it reads nothing.
  if (text.empty()) return true;
  const auto* begin = body.data();
  const auto* end = body.data() + body.size();
  return text.data() >= begin && text.data() + text.size() <= end;
}

// Calls `f` on every string_view a packet holds.
template <class F>
void each_text(const Properties& p, F&& f) {
  for (const auto& t :
       {p.content_type, p.response_topic, p.correlation_data, p.assigned_client_id, p.auth_method,
        p.auth_data, p.response_info, p.server_reference, p.reason_string})
    if (t) f(*t);
  for (const auto& [key, value] : p.user_properties) f(key), f(value);
}

template <class F>
void each_text(const Packet& packet, F&& f) {
  std::visit(
      [&](const auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (!std::is_same_v<P, Ping>) each_text(p.properties, f);
        if constexpr (std::is_same_v<P, Connect>) {
          f(p.client_id);
          if (p.username) f(*p.username);
          if (p.password) f(*p.password);
          if (p.will) {
            f(p.will->topic);
            f(p.will->payload);
            each_text(p.will->properties, f);
          }
        } else if constexpr (std::is_same_v<P, Publish>) {
          f(p.topic);
          f(p.payload);
        } else if constexpr (std::is_same_v<P, Subscribe>) {
          for (const auto& t : p.topics) f(t.filter);
        } else if constexpr (std::is_same_v<P, Unsubscribe>) {
          for (auto filter : p.filters) f(filter);
        }
      },
      packet);
}

bool only_in_v5(const Packet& packet) { return std::holds_alternative<Auth>(packet); }

// Encodes a decoded packet and decodes it again: the codec promises it comes
// back equal, and that the encoding is canonical (a second pass gives the
// same bytes).
void check_round_trip(const Packet& packet, Version version) {
  // encode() appends: what is in `out` already must stay as it is.
  const std::string_view prefix = "prefix";
  std::string out(prefix);
  encode(packet, version, out);
  check(out.starts_with(prefix));
  const std::string bytes = out.substr(prefix.size());
  check(encoded_size(packet, version) == bytes.size());
  if (version != Version::v5 && only_in_v5(packet)) {
    check(bytes.empty());  // 3.1.1 has no AUTH (codec.h)
    return;
  }
  // The hot-path overloads write the same bytes as the variant's.
  if (const auto* publish = std::get_if<Publish>(&packet)) {
    std::string direct;
    encode(*publish, version, direct);
    check(direct == bytes && encoded_size(*publish, version) == bytes.size());
  }
  if (const auto* ack = std::get_if<Ack>(&packet)) {
    std::string direct;
    encode(*ack, version, direct);
    check(direct == bytes);
  }

  FrameHeader header;
  check(read_frame(bytes, std::numeric_limits<std::uint32_t>::max(), header) ==
        FrameStatus::complete);
  check(header.packet_size() == bytes.size());
  const std::string_view body = std::string_view(bytes).substr(header.header_size);
  const Decoded again = decode(header, body, version);
  check(again.has_value());
  check(*again == packet);
  each_text(*again, [&](std::string_view t) { check(inside(t, body)); });

  std::string twice;
  encode(*again, version, twice);
  check(twice == bytes);
}

void check_decode(const FrameHeader& header, std::string_view body, Version version) {
  const Decoded packet = decode(header, body, version);
  if (!packet) {
    const std::uint8_t r = packet.error().reason;
    check(r == reason::malformed_packet || r == reason::protocol_error ||
          (r == reason::unsupported_protocol_version && header.type() == PacketType::connect));
    check(!packet.error().what.empty());
    return;
  }
  each_text(*packet, [&](std::string_view t) { check(inside(t, body)); });
  check_round_trip(*packet, version);
}

// Reads `bytes` as a connection's stream: packet after packet while they are
// complete, as the broker's reader does.
void read_stream(std::string_view bytes, Version version) {
  while (!bytes.empty()) {
    FrameHeader header;
    const FrameStatus status = read_frame(bytes, kMaxPacket, header);
    if (status == FrameStatus::malformed) return;
    if (status == FrameStatus::incomplete) return;
    check(header.header_size >= 2 && header.header_size <= 5);
    if (status == FrameStatus::too_large) {
      check(header.packet_size() > kMaxPacket);
      return;
    }
    check(header.packet_size() <= bytes.size() && header.packet_size() <= kMaxPacket);
    // With no limit to speak of the same header is read.
    FrameHeader unlimited;
    check(read_frame(bytes, std::numeric_limits<std::uint32_t>::max(), unlimited) ==
          FrameStatus::complete);
    check(unlimited.first_byte == header.first_byte && unlimited.body_size == header.body_size &&
          unlimited.header_size == header.header_size);
    check_decode(header, bytes.substr(header.header_size, header.body_size), version);
    bytes.remove_prefix(header.packet_size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const Version version : {Version::v311, Version::v5}) {
    // As a stream: mutations mostly break the Remaining Length, which tests
    // the framing.
    read_stream(bytes, version);
    // As one packet whose body is everything after its fixed header (the
    // Remaining Length made to match, as the chunk target re-seals its CRC),
    // so mutations reach the packet decoders.
    FrameHeader header;  // header_size stays 0 unless read_frame fills it in
    if (read_frame(bytes, std::numeric_limits<std::uint32_t>::max(), header) !=
            FrameStatus::malformed &&
        header.header_size != 0) {
      const std::string_view body = bytes.substr(header.header_size);
      header.body_size = static_cast<std::uint32_t>(body.size());
      check_decode(header, body, version);
    }
  }
  return 0;
}
