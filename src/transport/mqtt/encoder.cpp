// Encoding MQTT packets (codec.h). Every body is written by one template
// function over a writer, run first with a Counter (for the Remaining
// Length) and then with an Appender, so sizes never disagree with bytes.
#include <variant>

#include "transport/mqtt/codec.h"
#include "transport/mqtt/wire.h"

namespace citypulse::mqtt {
namespace {

template <class W>
void write_property_values(W& w, const Properties& p) {
  auto byte_prop = [&](std::uint8_t id, const std::optional<std::uint8_t>& v) {
    if (v) w.byte(id), w.byte(*v);
  };
  auto u16_prop = [&](std::uint8_t id, const std::optional<std::uint16_t>& v) {
    if (v) w.byte(id), w.u16(*v);
  };
  auto u32_prop = [&](std::uint8_t id, const std::optional<std::uint32_t>& v) {
    if (v) w.byte(id), w.u32(*v);
  };
  auto text_prop = [&](std::uint8_t id, const std::optional<std::string_view>& v) {
    if (v) w.byte(id), w.binary(*v);
  };
  byte_prop(0x01, p.payload_format);
  u32_prop(0x02, p.message_expiry);
  text_prop(0x03, p.content_type);
  text_prop(0x08, p.response_topic);
  text_prop(0x09, p.correlation_data);
  for (auto id : p.subscription_ids) w.byte(0x0B), w.varint(id);
  u32_prop(0x11, p.session_expiry);
  text_prop(0x12, p.assigned_client_id);
  u16_prop(0x13, p.server_keep_alive);
  text_prop(0x15, p.auth_method);
  text_prop(0x16, p.auth_data);
  byte_prop(0x17, p.request_problem_info);
  u32_prop(0x18, p.will_delay);
  byte_prop(0x19, p.request_response_info);
  text_prop(0x1A, p.response_info);
  text_prop(0x1C, p.server_reference);
  text_prop(0x1F, p.reason_string);
  u16_prop(0x21, p.receive_maximum);
  u16_prop(0x22, p.topic_alias_maximum);
  u16_prop(0x23, p.topic_alias);
  byte_prop(0x24, p.maximum_qos);
  byte_prop(0x25, p.retain_available);
  for (const auto& [k, v] : p.user_properties) w.byte(0x26), w.binary(k), w.binary(v);
  u32_prop(0x27, p.maximum_packet_size);
  byte_prop(0x28, p.wildcard_available);
  byte_prop(0x29, p.subscription_ids_available);
  byte_prop(0x2A, p.shared_available);
}

// Spec 2.2.2.1: the Property Length as a Variable Byte Integer, then the
// properties.
template <class W>
void write_properties(W& w, const Properties& p) {
  wire::Counter size;
  write_property_values(size, p);
  w.varint(static_cast<std::uint32_t>(size.size()));
  write_property_values(w, p);
}

// A packet's fixed-header flags and body, by packet type.
struct Body {
  Version version;
  bool v5() const { return version == Version::v5; }

  std::uint8_t first_byte(const Connect&) const { return 0x10; }
  template <class W>
  void write(W& w, const Connect& c) const {
    const bool v31 = c.version == Version::v31;
    w.binary(v31 ? "MQIsdp" : "MQTT");
    w.byte(static_cast<std::uint8_t>(c.version));
    std::uint8_t flags = c.clean_start ? 0x02 : 0;
    if (c.will) flags |= 0x04 | c.will->qos << 3 | (c.will->retain ? 0x20 : 0);
    if (c.password) flags |= 0x40;
    if (c.username) flags |= 0x80;
    w.byte(flags);
    w.u16(c.keep_alive);
    if (c.version == Version::v5) write_properties(w, c.properties);
    w.binary(c.client_id);
    if (c.will) {
      if (c.version == Version::v5) write_properties(w, c.will->properties);
      w.binary(c.will->topic);
      w.binary(c.will->payload);
    }
    if (c.username) w.binary(*c.username);
    if (c.password) w.binary(*c.password);
  }

  std::uint8_t first_byte(const Connack&) const { return 0x20; }
  template <class W>
  void write(W& w, const Connack& c) const {
    w.byte(c.session_present ? 1 : 0);
    w.byte(v5() ? c.reason : connack_code_v311(c.reason));
    if (v5()) write_properties(w, c.properties);
  }

  std::uint8_t first_byte(const Publish& p) const {
    return static_cast<std::uint8_t>(0x30 | (p.dup ? 0x08 : 0) | p.qos << 1 | (p.retain ? 1 : 0));
  }
  template <class W>
  void write(W& w, const Publish& p) const {
    w.binary(p.topic);
    if (p.qos > 0) w.u16(p.packet_id);
    if (v5()) write_properties(w, p.properties);
    w.raw(p.payload);
  }

  std::uint8_t first_byte(const Ack& a) const {
    return static_cast<std::uint8_t>(static_cast<int>(a.type) << 4 |
                                     (a.type == PacketType::pubrel ? 0x02 : 0));
  }
  template <class W>
  void write(W& w, const Ack& a) const {
    w.u16(a.packet_id);
    if (!v5()) return;
    // 3.4.2.1: Success without properties may be sent as the id alone.
    const bool bare = a.reason == reason::success && a.properties.reason_string == std::nullopt &&
                      a.properties.user_properties.empty();
    if (bare) return;
    w.byte(a.reason);
    write_properties(w, a.properties);
  }

  std::uint8_t first_byte(const Subscribe&) const { return 0x82; }
  template <class W>
  void write(W& w, const Subscribe& s) const {
    w.u16(s.packet_id);
    if (v5()) write_properties(w, s.properties);
    for (const auto& t : s.topics) {
      w.binary(t.filter);
      std::uint8_t options = t.qos;
      if (v5())
        options |=
            (t.no_local ? 0x04 : 0) | (t.retain_as_published ? 0x08 : 0) | t.retain_handling << 4;
      w.byte(options);
    }
  }

  std::uint8_t first_byte(const Suback&) const { return 0x90; }
  template <class W>
  void write(W& w, const Suback& s) const {
    w.u16(s.packet_id);
    if (v5()) write_properties(w, s.properties);
    // 3.1.1 has one failure code, 0x80 [MQTT-3.9.3-2 of 3.1.1].
    for (auto r : s.reasons) w.byte(v5() || r < 0x80 ? r : 0x80);
  }

  std::uint8_t first_byte(const Unsubscribe&) const { return 0xA2; }
  template <class W>
  void write(W& w, const Unsubscribe& u) const {
    w.u16(u.packet_id);
    if (v5()) write_properties(w, u.properties);
    for (auto f : u.filters) w.binary(f);
  }

  std::uint8_t first_byte(const Unsuback&) const { return 0xB0; }
  template <class W>
  void write(W& w, const Unsuback& u) const {
    w.u16(u.packet_id);
    if (!v5()) return;
    write_properties(w, u.properties);
    for (auto r : u.reasons) w.byte(r);
  }

  std::uint8_t first_byte(const Ping& p) const {
    return static_cast<std::uint8_t>(static_cast<int>(p.type) << 4);
  }
  template <class W>
  void write(W&, const Ping&) const {}

  std::uint8_t first_byte(const Disconnect&) const { return 0xE0; }
  template <class W>
  void write(W& w, const Disconnect& d) const {
    const bool bare = d.reason == reason::success && d.properties.reason_string == std::nullopt &&
                      d.properties.user_properties.empty() && !d.properties.session_expiry &&
                      !d.properties.server_reference;
    if (bare || !v5()) return;  // 3.1.1: the two bytes E0 00
    w.byte(d.reason);
    write_properties(w, d.properties);
  }

  std::uint8_t first_byte(const Auth&) const { return 0xF0; }
  template <class W>
  void write(W& w, const Auth& a) const {
    w.byte(a.reason);
    write_properties(w, a.properties);
  }
};

bool only_in_v5(const Packet& packet) {
  return std::holds_alternative<Auth>(packet);
}

template <class P>
std::size_t size_of(const P& p, Version version) {
  wire::Counter body;
  Body{version}.write(body, p);
  return 1 + wire::varint_size(static_cast<std::uint32_t>(body.size())) + body.size();
}

template <class P>
void append(const P& p, Version version, std::string& out) {
  const Body body{version};
  wire::Counter size;
  body.write(size, p);
  out.reserve(out.size() + 5 + size.size());
  wire::Appender w(out);
  w.byte(body.first_byte(p));
  w.varint(static_cast<std::uint32_t>(size.size()));
  body.write(w, p);
}

}  // namespace

std::uint8_t connack_code_v311(std::uint8_t r) {
  switch (r) {
    case reason::success:
      return 0;
    case reason::unsupported_protocol_version:
      return 1;
    case reason::client_identifier_not_valid:
      return 2;
    case reason::bad_user_name_or_password:
    case reason::bad_authentication_method:
      return 4;
    case reason::not_authorized:
    case reason::banned:
      return 5;
    default:
      return 3;  // Server unavailable
  }
}

std::size_t encoded_size(const Packet& packet, Version version) {
  if (version != Version::v5 && only_in_v5(packet)) return 0;
  return std::visit([&](const auto& p) { return size_of(p, version); }, packet);
}

std::size_t encoded_size(const Publish& publish, Version version) {
  return size_of(publish, version);
}

void encode(const Packet& packet, Version version, std::string& out) {
  if (version != Version::v5 && only_in_v5(packet)) return;
  std::visit([&](const auto& p) { append(p, version, out); }, packet);
}

void encode(const Publish& publish, Version version, std::string& out) {
  append(publish, version, out);
}

void encode(const Ack& ack, Version version, std::string& out) {
  append(ack, version, out);
}

}  // namespace citypulse::mqtt
