// Decoding MQTT packets (codec.h). Each packet type has one function that
// reads its variable header and payload in the spec's order; the property
// block is read by read_properties(), which knows which property may appear
// in which packet. Section numbers are those of MQTT 5.0; 3.1.1 differs
// only where a branch on `v5` says so.
#include <optional>

#include "transport/mqtt/codec.h"
#include "transport/mqtt/wire.h"

namespace citypulse::mqtt {
namespace {

using wire::Reader;

std::unexpected<DecodeError> malformed(std::string_view what) {
  return std::unexpected(DecodeError{reason::malformed_packet, what});
}
std::unexpected<DecodeError> protocol_error(std::string_view what) {
  return std::unexpected(DecodeError{reason::protocol_error, what});
}

// Where a property block sits: a packet type, or the will properties.
constexpr int kWillContext = 16;

constexpr std::uint32_t bit(PacketType t) {
  return 1u << static_cast<int>(t);
}
constexpr std::uint32_t kWill = 1u << kWillContext;
constexpr std::uint32_t kEveryPacket =
    bit(PacketType::connect) | bit(PacketType::connack) | bit(PacketType::publish) |
    bit(PacketType::puback) | bit(PacketType::pubrec) | bit(PacketType::pubrel) |
    bit(PacketType::pubcomp) | bit(PacketType::subscribe) | bit(PacketType::suback) |
    bit(PacketType::unsubscribe) | bit(PacketType::unsuback) | bit(PacketType::disconnect) |
    bit(PacketType::auth) | kWill;
constexpr std::uint32_t kAcks =
    bit(PacketType::connack) | bit(PacketType::puback) | bit(PacketType::pubrec) |
    bit(PacketType::pubrel) | bit(PacketType::pubcomp) | bit(PacketType::suback) |
    bit(PacketType::unsuback) | bit(PacketType::disconnect) | bit(PacketType::auth);

// Spec 2.2.2.2, table 2-4: the packets each property identifier may appear
// in. A property elsewhere is a Malformed Packet.
std::uint32_t allowed_in(std::uint32_t id) {
  const auto publish_or_will = bit(PacketType::publish) | kWill;
  switch (id) {
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x08:
    case 0x09:
      return publish_or_will;
    case 0x0B:
      return bit(PacketType::publish) | bit(PacketType::subscribe);
    case 0x11:
      return bit(PacketType::connect) | bit(PacketType::connack) | bit(PacketType::disconnect);
    case 0x12:
    case 0x13:
    case 0x1A:
    case 0x24:
    case 0x25:
    case 0x28:
    case 0x29:
    case 0x2A:
      return bit(PacketType::connack);
    case 0x15:
    case 0x16:
      return bit(PacketType::connect) | bit(PacketType::connack) | bit(PacketType::auth);
    case 0x17:
    case 0x19:
      return bit(PacketType::connect);
    case 0x18:
      return kWill;
    case 0x1C:
      return bit(PacketType::connack) | bit(PacketType::disconnect);
    case 0x1F:
      return kAcks;
    case 0x21:
    case 0x22:
    case 0x27:
      return bit(PacketType::connect) | bit(PacketType::connack);
    case 0x23:
      return bit(PacketType::publish);
    case 0x26:
      return kEveryPacket;
    default:
      return 0;
  }
}

template <class T>
bool set_once(std::optional<T>& field, T value) {
  if (field) return false;  // "It is a Protocol Error to include ... more than once"
  field = value;
  return true;
}

// A byte property that may only be 0 or 1 (payload format, request problem
// or response information, the "available" flags, maximum QoS).
bool boolean_byte(std::uint8_t b) {
  return b <= 1;
}

// Spec 2.2.2: the Property Length, then identifier/value pairs.
std::expected<void, DecodeError> read_properties(Reader& in, int context, Properties& p) {
  const std::uint32_t length = in.varint();
  Reader block = in.take(length);
  if (!in.ok()) return malformed("property length runs past the packet");
  const std::uint32_t here = 1u << context;
  while (block.left() > 0) {
    const std::uint32_t id = block.varint();
    if (!block.ok()) return malformed("bad property identifier");
    if ((allowed_in(id) & here) == 0) return malformed("property not allowed in this packet");
    bool once = true;
    bool valid = true;
    switch (id) {
      case 0x01: {
        const auto b = block.byte();
        valid = boolean_byte(b);
        once = set_once(p.payload_format, b);
        break;
      }
      case 0x02:
        once = set_once(p.message_expiry, block.u32());
        break;
      case 0x03:
        once = set_once(p.content_type, block.text());
        break;
      case 0x08:
        once = set_once(p.response_topic, block.text());
        break;
      case 0x09:
        once = set_once(p.correlation_data, block.binary());
        break;
      case 0x0B: {
        const auto v = block.varint();
        if (block.ok() && v == 0) return protocol_error("subscription identifier 0");
        // One per SUBSCRIBE (3.8.2.1.2); a server's PUBLISH may carry several.
        if (context == static_cast<int>(PacketType::subscribe) && !p.subscription_ids.empty())
          once = false;
        p.subscription_ids.push_back(v);
        break;
      }
      case 0x11:
        once = set_once(p.session_expiry, block.u32());
        break;
      case 0x12:
        once = set_once(p.assigned_client_id, block.text());
        break;
      case 0x13:
        once = set_once(p.server_keep_alive, block.u16());
        break;
      case 0x15:
        once = set_once(p.auth_method, block.text());
        break;
      case 0x16:
        once = set_once(p.auth_data, block.binary());
        break;
      case 0x17: {
        const auto b = block.byte();
        valid = boolean_byte(b);
        once = set_once(p.request_problem_info, b);
        break;
      }
      case 0x18:
        once = set_once(p.will_delay, block.u32());
        break;
      case 0x19: {
        const auto b = block.byte();
        valid = boolean_byte(b);
        once = set_once(p.request_response_info, b);
        break;
      }
      case 0x1A:
        once = set_once(p.response_info, block.text());
        break;
      case 0x1C:
        once = set_once(p.server_reference, block.text());
        break;
      case 0x1F:
        once = set_once(p.reason_string, block.text());
        break;
      case 0x21: {
        const auto v = block.u16();
        if (block.ok() && v == 0) return protocol_error("receive maximum 0");  // 3.1.2.11.3
        once = set_once(p.receive_maximum, v);
        break;
      }
      case 0x22:
        once = set_once(p.topic_alias_maximum, block.u16());
        break;
      case 0x23:
        once = set_once(p.topic_alias, block.u16());
        break;
      case 0x24: {
        const auto b = block.byte();
        valid = boolean_byte(b);
        once = set_once(p.maximum_qos, b);
        break;
      }
      case 0x25: {
        const auto b = block.byte();
        valid = boolean_byte(b);
        once = set_once(p.retain_available, b);
        break;
      }
      case 0x26: {
        const auto key = block.text();
        const auto value = block.text();
        if (block.ok()) p.user_properties.emplace_back(key, value);
        break;
      }
      case 0x27: {
        const auto v = block.u32();
        if (block.ok() && v == 0) return protocol_error("maximum packet size 0");  // 3.1.2.11.4
        once = set_once(p.maximum_packet_size, v);
        break;
      }
      case 0x28: {
        const auto b = block.byte();
        valid = boolean_byte(b);
        once = set_once(p.wildcard_available, b);
        break;
      }
      case 0x29: {
        const auto b = block.byte();
        valid = boolean_byte(b);
        once = set_once(p.subscription_ids_available, b);
        break;
      }
      case 0x2A: {
        const auto b = block.byte();
        valid = boolean_byte(b);
        once = set_once(p.shared_available, b);
        break;
      }
    }
    if (!block.ok()) return malformed("property value runs past the property block");
    if (!once) return protocol_error("property given more than once");
    if (!valid) return protocol_error("property value out of range");
  }
  // 3.1.2.11.10, 3.2.2.3.18, 3.15.2.2.3: data of no method is a Protocol Error.
  if (p.auth_data && !p.auth_method) return protocol_error("authentication data without a method");
  return {};
}

// Spec 3.1: CONNECT.
Decoded decode_connect(Reader& in) {
  const auto name = in.binary();
  const auto level = in.byte();
  if (!in.ok()) return malformed("truncated CONNECT");
  // [MQTT-3.1.2-1]: a wrong protocol name ends the connection; levels 3
  // (with "MQIsdp"), 4 and 5 (with "MQTT") are spoken here.
  const bool v31 = name == "MQIsdp" && level == 3;
  if (!v31 && name != "MQTT") return protocol_error("unknown protocol name");
  if (!v31 && level != 4 && level != 5)
    return std::unexpected(
        DecodeError{reason::unsupported_protocol_version, "unsupported protocol level"});
  Connect c;
  c.version = static_cast<Version>(level);
  const bool v5 = c.version == Version::v5;
  const auto flags = in.byte();
  c.keep_alive = in.u16();
  if (!in.ok()) return malformed("truncated CONNECT");
  if (flags & 0x01) return malformed("reserved CONNECT flag set");  // [MQTT-3.1.2-3]
  c.clean_start = flags & 0x02;
  const bool will = flags & 0x04;
  const std::uint8_t will_qos = (flags >> 3) & 0x03;
  const bool will_retain = flags & 0x20;
  const bool has_password = flags & 0x40;
  const bool has_username = flags & 0x80;
  if (will_qos == 3) return malformed("will QoS 3");  // [MQTT-3.1.2-12]
  if (!will && (will_qos != 0 || will_retain))
    return malformed("will QoS or retain without a will");  // [MQTT-3.1.2-11], [MQTT-3.1.2-13]
  // 3.1.1 [MQTT-3.1.2-22]: no password without a user name (MQTT 5 allows it).
  if (!v5 && has_password && !has_username) return malformed("password without a user name");
  if (v5)
    if (auto s = read_properties(in, static_cast<int>(PacketType::connect), c.properties); !s)
      return std::unexpected(s.error());
  c.client_id = in.text();  // [MQTT-3.1.3-4]
  if (will) {
    Will w;
    w.qos = will_qos;
    w.retain = will_retain;
    if (v5)
      if (auto s = read_properties(in, kWillContext, w.properties); !s)
        return std::unexpected(s.error());
    w.topic = in.text();
    w.payload = in.binary();
    c.will = w;
  }
  if (has_username) c.username = in.text();
  if (has_password) c.password = in.binary();
  if (!in.ok()) return malformed("truncated CONNECT payload");
  if (!in.at_end()) return malformed("bytes after the CONNECT payload");
  return c;
}

// 3.1.1 table 3.1: a CONNACK return code as the MQTT 5 reason code the rest
// of the broker speaks (packet.h), so that connack_code_v311() gives the same
// byte back; 6..255 are reserved.
std::optional<std::uint8_t> connack_reason_from_v311(std::uint8_t code) {
  switch (code) {
    case 0:
      return reason::success;
    case 1:
      return reason::unsupported_protocol_version;
    case 2:
      return reason::client_identifier_not_valid;
    case 3:
      return reason::server_unavailable;
    case 4:
      return reason::bad_user_name_or_password;
    case 5:
      return reason::not_authorized;
    default:
      return std::nullopt;
  }
}

// Spec 3.2: CONNACK (the client side: bridge and benchmarks).
Decoded decode_connack(Reader& in, bool v5) {
  Connack c;
  const auto flags = in.byte();
  c.reason = in.byte();
  if (!in.ok()) return malformed("truncated CONNACK");
  if (flags & 0xFE) return malformed("reserved CONNACK flag set");  // [MQTT-3.2.2-1]
  c.session_present = flags & 0x01;
  if (!v5) {
    const auto r = connack_reason_from_v311(c.reason);
    if (!r) return malformed("reserved CONNACK return code");
    c.reason = *r;
  }
  if (v5)
    if (auto s = read_properties(in, static_cast<int>(PacketType::connack), c.properties); !s)
      return std::unexpected(s.error());
  if (!in.at_end()) return malformed("bytes after CONNACK");
  return c;
}

// Spec 3.3: PUBLISH.
Decoded decode_publish(Reader& in, std::uint8_t flags, bool v5) {
  Publish p;
  p.dup = flags & 0x08;
  p.qos = (flags >> 1) & 0x03;
  p.retain = flags & 0x01;
  if (p.qos == 3) return malformed("PUBLISH with QoS 3");         // [MQTT-3.3.1-4]
  if (p.qos == 0 && p.dup) return malformed("DUP set on QoS 0");  // [MQTT-3.3.1-2]
  p.topic = in.text();
  if (p.qos > 0) {
    p.packet_id = in.u16();
    if (in.ok() && p.packet_id == 0) return malformed("packet identifier 0");  // [MQTT-2.2.1-3]
  }
  if (!in.ok()) return malformed("truncated PUBLISH");
  if (v5)
    if (auto s = read_properties(in, static_cast<int>(PacketType::publish), p.properties); !s)
      return std::unexpected(s.error());
  // 3.1.1 requires a topic; MQTT 5 allows none when a topic alias names it
  // (checked by the connection, which holds the aliases).
  if (!v5 && p.topic.empty()) return malformed("empty topic name");  // [MQTT-4.7.3-1]
  p.payload = in.rest();
  return p;
}

// Spec 3.4-3.7: PUBACK, PUBREC, PUBREL, PUBCOMP.
Decoded decode_ack(Reader& in, PacketType type, bool v5) {
  Ack a;
  a.type = type;
  a.packet_id = in.u16();
  if (!in.ok()) return malformed("truncated acknowledgement");
  if (a.packet_id == 0) return malformed("packet identifier 0");  // [MQTT-2.2.1-3]
  if (!v5) {
    if (!in.at_end()) return malformed("bytes after the packet identifier");
    return a;
  }
  // 3.4.2.1: no reason code means Success; no property length means none.
  if (in.left() > 0) a.reason = in.byte();
  if (in.left() > 0)
    if (auto s = read_properties(in, static_cast<int>(type), a.properties); !s)
      return std::unexpected(s.error());
  if (!in.at_end()) return malformed("bytes after the acknowledgement");
  return a;
}

// Spec 3.8: SUBSCRIBE.
Decoded decode_subscribe(Reader& in, bool v5) {
  Subscribe s;
  s.packet_id = in.u16();
  if (!in.ok()) return malformed("truncated SUBSCRIBE");
  if (s.packet_id == 0) return malformed("packet identifier 0");  // [MQTT-2.2.1-3]
  if (v5)
    if (auto r = read_properties(in, static_cast<int>(PacketType::subscribe), s.properties); !r)
      return std::unexpected(r.error());
  while (in.left() > 0) {
    SubscribeTopic t;
    t.filter = in.text();
    const auto options = in.byte();
    if (!in.ok()) return malformed("truncated subscription");
    t.qos = options & 0x03;
    if (v5) {
      t.no_local = options & 0x04;
      t.retain_as_published = options & 0x08;
      t.retain_handling = (options >> 4) & 0x03;
      // 3.8.3.1: QoS 3 and Retain Handling 3 are Protocol Errors; the
      // reserved bits make the packet malformed [MQTT-3.8.3-5].
      if (options & 0xC0) return malformed("reserved subscription option bits set");
      if (t.qos == 3) return protocol_error("subscription QoS 3");
      if (t.retain_handling == 3) return protocol_error("retain handling 3");
    } else if (options & 0xFC || t.qos == 3) {
      // 3.1.1 [MQTT-3.8.3-4]: reserved bits or QoS 3 make it malformed.
      return malformed("reserved subscription option bits set or QoS 3");
    }
    s.topics.push_back(t);
  }
  if (!in.ok()) return malformed("truncated SUBSCRIBE");
  if (s.topics.empty())
    return protocol_error("SUBSCRIBE without a topic filter");  // [MQTT-3.8.3-2]
  return s;
}

// Spec 3.9: SUBACK (client side).
Decoded decode_suback(Reader& in, bool v5) {
  Suback s;
  s.packet_id = in.u16();
  if (!in.ok()) return malformed("truncated SUBACK");
  if (s.packet_id == 0) return malformed("packet identifier 0");  // [MQTT-2.2.1-3]
  if (v5)
    if (auto r = read_properties(in, static_cast<int>(PacketType::suback), s.properties); !r)
      return std::unexpected(r.error());
  while (in.left() > 0) {
    const auto code = in.byte();
    // 3.1.1 [MQTT-3.9.3-2]: 0x00, 0x01, 0x02 and 0x80 only; the others would
    // not survive encoding back to 3.1.1, which sends every failure as 0x80.
    if (!v5 && code > 2 && code != 0x80) return malformed("reserved SUBACK return code");
    s.reasons.push_back(code);
  }
  if (!in.ok() || s.reasons.empty()) return malformed("SUBACK without reason codes");
  return s;
}

// Spec 3.10: UNSUBSCRIBE.
Decoded decode_unsubscribe(Reader& in, bool v5) {
  Unsubscribe u;
  u.packet_id = in.u16();
  if (!in.ok()) return malformed("truncated UNSUBSCRIBE");
  if (u.packet_id == 0) return malformed("packet identifier 0");  // [MQTT-2.2.1-3]
  if (v5)
    if (auto r = read_properties(in, static_cast<int>(PacketType::unsubscribe), u.properties); !r)
      return std::unexpected(r.error());
  while (in.left() > 0) u.filters.push_back(in.text());
  if (!in.ok()) return malformed("truncated UNSUBSCRIBE");
  if (u.filters.empty())
    return protocol_error("UNSUBSCRIBE without a topic filter");  // [MQTT-3.10.3-2]
  return u;
}

// Spec 3.11: UNSUBACK (client side).
Decoded decode_unsuback(Reader& in, bool v5) {
  Unsuback u;
  u.packet_id = in.u16();
  if (!in.ok()) return malformed("truncated UNSUBACK");
  if (u.packet_id == 0) return malformed("packet identifier 0");  // [MQTT-2.2.1-3]
  if (v5) {
    if (auto r = read_properties(in, static_cast<int>(PacketType::unsuback), u.properties); !r)
      return std::unexpected(r.error());
    while (in.left() > 0) u.reasons.push_back(in.byte());
    // 3.11.3: one reason code per filter of the UNSUBSCRIBE, which has one at least.
    if (u.reasons.empty()) return malformed("UNSUBACK without reason codes");
  }
  if (!in.at_end()) return malformed("bytes after the UNSUBACK");
  return u;
}

// Spec 3.14 and 3.15: DISCONNECT and AUTH share a shape: an optional reason
// code (absent: success) and optional properties.
template <class P>
Decoded decode_reason_and_properties(Reader& in, PacketType type, bool v5) {
  P p;
  if (!v5) {
    if (type == PacketType::auth) return protocol_error("AUTH needs MQTT 5");
    if (!in.at_end()) return malformed("bytes in a 3.1.1 DISCONNECT");
    return p;
  }
  if (in.left() > 0) p.reason = in.byte();
  if (in.left() > 0)
    if (auto s = read_properties(in, static_cast<int>(type), p.properties); !s)
      return std::unexpected(s.error());
  if (!in.at_end()) return malformed("bytes after the properties");
  return p;
}

// [MQTT-2.1.3-1]: the flags bits every packet type but PUBLISH must carry.
std::uint8_t required_flags(PacketType type) {
  switch (type) {
    case PacketType::pubrel:
    case PacketType::subscribe:
    case PacketType::unsubscribe:
      return 0x02;
    default:
      return 0x00;
  }
}

}  // namespace

FrameStatus read_frame(std::string_view bytes, std::uint32_t max_packet_size, FrameHeader& header) {
  if (bytes.size() < 2) return FrameStatus::incomplete;
  std::uint32_t length = 0;
  std::size_t i = 1;
  for (int shift = 0;; shift += 7, ++i) {
    if (i > 4) return FrameStatus::malformed;  // [MQTT-1.5.5-1]: four bytes at most
    if (i >= bytes.size()) return FrameStatus::incomplete;
    const auto b = static_cast<std::uint8_t>(bytes[i]);
    length |= std::uint32_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) break;
  }
  header.first_byte = static_cast<std::uint8_t>(bytes[0]);
  header.body_size = length;
  header.header_size = static_cast<std::uint8_t>(i + 1);
  if (header.packet_size() > max_packet_size) return FrameStatus::too_large;
  return bytes.size() >= header.packet_size() ? FrameStatus::complete : FrameStatus::incomplete;
}

Decoded decode(const FrameHeader& header, std::string_view body, Version version) {
  Reader in(body);
  const PacketType type = header.type();
  const bool v5 = version == Version::v5;
  if (type == PacketType::publish) return decode_publish(in, header.flags(), v5);
  if (static_cast<int>(type) == 0) return malformed("reserved packet type 0");
  if (header.flags() != required_flags(type)) return malformed("wrong fixed-header flags");
  switch (type) {
    case PacketType::connect:
      return decode_connect(in);
    case PacketType::connack:
      return decode_connack(in, v5);
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubrel:
    case PacketType::pubcomp:
      return decode_ack(in, type, v5);
    case PacketType::subscribe:
      return decode_subscribe(in, v5);
    case PacketType::suback:
      return decode_suback(in, v5);
    case PacketType::unsubscribe:
      return decode_unsubscribe(in, v5);
    case PacketType::unsuback:
      return decode_unsuback(in, v5);
    case PacketType::pingreq:
    case PacketType::pingresp:
      if (!body.empty()) return malformed("bytes in a PING");
      return Ping{type};
    case PacketType::disconnect:
      return decode_reason_and_properties<Disconnect>(in, type, v5);
    case PacketType::auth:
      return decode_reason_and_properties<Auth>(in, type, v5);
    default:
      return malformed("unknown packet type");
  }
}

}  // namespace citypulse::mqtt
