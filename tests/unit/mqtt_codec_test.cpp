// The MQTT packet codec (transport/mqtt/codec.h) on well-formed packets:
// every packet type round trips in 3.1.1 and 5.0 with every property it may
// carry; a few packets are checked byte by byte against encodings written out
// by hand from the spec, so the encoder and decoder cannot agree on a wrong
// format; 3.1.1's return codes; encoded_size(); and framing with read_frame().
// Malformed packets are in mqtt_malformed_test.cpp.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "transport/mqtt/codec.h"

namespace citypulse::mqtt {
namespace {

constexpr std::uint32_t kNoLimit = std::numeric_limits<std::uint32_t>::max();

// "10 0C 00 04" -> the bytes; text goes in between with `+ "MQTT" +`.
std::string x(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02X} ", c);
  return out;
}

// A readable form of a packet for failure messages: every field, so two
// packets that differ describe differently.
std::string describe(const Properties& p) {
  std::string s;
  auto num = [&](const char* name, const auto& v) {
    if (v) s += fmt::format(" {}={}", name, static_cast<std::uint32_t>(*v));
  };
  auto text = [&](const char* name, const std::optional<std::string_view>& v) {
    if (v) s += fmt::format(" {}=[{}]", name, hex(*v));
  };
  num("payload_format", p.payload_format);
  num("message_expiry", p.message_expiry);
  text("content_type", p.content_type);
  text("response_topic", p.response_topic);
  text("correlation_data", p.correlation_data);
  for (auto id : p.subscription_ids) s += fmt::format(" subscription_id={}", id);
  num("session_expiry", p.session_expiry);
  text("assigned_client_id", p.assigned_client_id);
  num("server_keep_alive", p.server_keep_alive);
  text("auth_method", p.auth_method);
  text("auth_data", p.auth_data);
  num("request_problem_info", p.request_problem_info);
  num("will_delay", p.will_delay);
  num("request_response_info", p.request_response_info);
  text("response_info", p.response_info);
  text("server_reference", p.server_reference);
  text("reason_string", p.reason_string);
  num("receive_maximum", p.receive_maximum);
  num("topic_alias_maximum", p.topic_alias_maximum);
  num("topic_alias", p.topic_alias);
  num("maximum_qos", p.maximum_qos);
  num("retain_available", p.retain_available);
  for (auto [k, v] : p.user_properties) s += fmt::format(" user[{}]=[{}]", hex(k), hex(v));
  num("maximum_packet_size", p.maximum_packet_size);
  num("wildcard_available", p.wildcard_available);
  num("subscription_ids_available", p.subscription_ids_available);
  num("shared_available", p.shared_available);
  return "{" + s + " }";
}

std::string describe(const Packet& packet) {
  struct Describe {
    std::string operator()(const Connect& c) const {
      std::string s =
          fmt::format("CONNECT v{} id=[{}] clean={} keep_alive={}", static_cast<int>(c.version),
                      hex(c.client_id), c.clean_start, c.keep_alive);
      if (c.will)
        s += fmt::format(" will(topic=[{}] payload=[{}] qos={} retain={} {})", hex(c.will->topic),
                         hex(c.will->payload), c.will->qos, c.will->retain,
                         describe(c.will->properties));
      if (c.username) s += fmt::format(" username=[{}]", hex(*c.username));
      if (c.password) s += fmt::format(" password=[{}]", hex(*c.password));
      return s + " " + describe(c.properties);
    }
    std::string operator()(const Connack& c) const {
      return fmt::format("CONNACK session_present={} reason={:#x} {}", c.session_present, c.reason,
                         describe(c.properties));
    }
    std::string operator()(const Publish& p) const {
      return fmt::format("PUBLISH topic=[{}] payload=[{}] qos={} retain={} dup={} id={} {}",
                         hex(p.topic), hex(p.payload), p.qos, p.retain, p.dup, p.packet_id,
                         describe(p.properties));
    }
    std::string operator()(const Ack& a) const {
      return fmt::format("ACK type={} id={} reason={:#x} {}", static_cast<int>(a.type), a.packet_id,
                         a.reason, describe(a.properties));
    }
    std::string operator()(const Subscribe& s) const {
      std::string out = fmt::format("SUBSCRIBE id={}", s.packet_id);
      for (const auto& t : s.topics)
        out += fmt::format(" [{}] qos={} nl={} rap={} rh={};", hex(t.filter), t.qos, t.no_local,
                           t.retain_as_published, t.retain_handling);
      return out + " " + describe(s.properties);
    }
    std::string operator()(const Suback& s) const {
      return fmt::format("SUBACK id={} reasons=[{}] {}", s.packet_id,
                         hex({reinterpret_cast<const char*>(s.reasons.data()), s.reasons.size()}),
                         describe(s.properties));
    }
    std::string operator()(const Unsubscribe& u) const {
      std::string out = fmt::format("UNSUBSCRIBE id={}", u.packet_id);
      for (auto f : u.filters) out += fmt::format(" [{}]", hex(f));
      return out + " " + describe(u.properties);
    }
    std::string operator()(const Unsuback& u) const {
      return fmt::format("UNSUBACK id={} reasons=[{}] {}", u.packet_id,
                         hex({reinterpret_cast<const char*>(u.reasons.data()), u.reasons.size()}),
                         describe(u.properties));
    }
    std::string operator()(const Ping& p) const {
      return fmt::format("PING type={}", static_cast<int>(p.type));
    }
    std::string operator()(const Disconnect& d) const {
      return fmt::format("DISCONNECT reason={:#x} {}", d.reason, describe(d.properties));
    }
    std::string operator()(const Auth& a) const {
      return fmt::format("AUTH reason={:#x} {}", a.reason, describe(a.properties));
    }
  };
  return std::visit(Describe{}, packet);
}

std::string encoded(const Packet& packet, Version version) {
  std::string out;
  encode(packet, version, out);
  return out;
}

// Frames `bytes` as exactly one whole packet and decodes it.
Decoded decode_bytes(std::string_view bytes, Version version) {
  FrameHeader header;
  const FrameStatus status = read_frame(bytes, kNoLimit, header);
  if (status != FrameStatus::complete || header.packet_size() != bytes.size())
    return std::unexpected(DecodeError{0xFF, "not exactly one whole packet"});
  return decode(header, bytes.substr(header.header_size), version);
}

// encode -> read_frame -> decode must give back the packet; encoded_size()
// must be what encode() appended. Returns the encoding.
std::string round_trip(const Packet& packet, Version version) {
  std::string out = "earlier bytes";
  encode(packet, version, out);
  EXPECT_TRUE(out.starts_with("earlier bytes")) << "encode() must append";
  const std::string bytes = out.substr(13);
  EXPECT_EQ(encoded_size(packet, version), bytes.size()) << describe(packet);
  const Decoded back = decode_bytes(bytes, version);
  if (!back) {
    ADD_FAILURE() << "does not decode: " << back.error().what << "\n  " << describe(packet)
                  << "\n  " << hex(bytes);
    return bytes;
  }
  EXPECT_EQ(describe(*back), describe(packet)) << hex(bytes);
  EXPECT_TRUE(*back == packet) << describe(packet);
  return bytes;
}

// --- Packets with every property each may carry (spec 2.2.2.2, table 2-4) ---

UserProperties user_properties() {
  // A key may repeat and a value may be empty (3.1.2.11.8).
  return {{"site", "north"}, {"site", "süd"}, {"empty", ""}};
}

Properties connect_properties() {
  Properties p;
  p.session_expiry = 3600;
  p.receive_maximum = 20;
  p.maximum_packet_size = 65536;
  p.topic_alias_maximum = 10;
  p.request_response_info = 1;
  p.request_problem_info = 0;
  p.user_properties = user_properties();
  p.auth_method = "SCRAM-SHA-1";
  p.auth_data = std::string_view("\x00\x01\xFF", 3);
  return p;
}

Properties will_properties() {
  Properties p;
  p.will_delay = 30;
  p.payload_format = 1;
  p.message_expiry = 600;
  p.content_type = "text/plain";
  p.response_topic = "b/7/replies";
  p.correlation_data = std::string_view("\x00\x7F\x80", 3);
  p.user_properties = user_properties();
  return p;
}

Properties connack_properties() {
  Properties p;
  p.session_expiry = 0xFFFFFFFF;
  p.receive_maximum = 65535;
  p.maximum_qos = 1;
  p.retain_available = 0;
  p.maximum_packet_size = 268'435'460;  // past the varint range: a u32, not a varint
  p.assigned_client_id = "auto-3F2A";
  p.topic_alias_maximum = 0;
  p.reason_string = "welcome";
  p.user_properties = user_properties();
  p.wildcard_available = 1;
  p.subscription_ids_available = 0;
  p.shared_available = 1;
  p.server_keep_alive = 120;
  p.response_info = "replies/";
  p.server_reference = "mqtt2.example.org";
  p.auth_method = "SCRAM-SHA-1";
  p.auth_data = "server-final";
  return p;
}

Properties publish_properties() {
  Properties p;
  p.payload_format = 0;
  p.message_expiry = 60;
  p.topic_alias = 7;
  p.response_topic = "r/1";
  p.correlation_data = "req-42";
  p.user_properties = user_properties();
  // A server's PUBLISH carries one per matching subscription (3.3.2.3.8),
  // up to the largest varint.
  p.subscription_ids = {1, 127, 128, 16'384, 268'435'455};
  p.content_type = "application/json";
  return p;
}

Properties reason_properties() {
  Properties p;
  p.reason_string = "quota of this building reached";
  p.user_properties = user_properties();
  return p;
}

Connect full_connect(Version version) {
  Connect c;
  c.version = version;
  c.client_id = "meter-17";
  c.clean_start = false;
  c.keep_alive = 0xFFFF;
  Will w;
  w.topic = "b/7/status";
  w.payload = std::string_view("off\x00line\xFF", 9);  // binary
  w.qos = 2;
  w.retain = true;
  if (version == Version::v5) w.properties = will_properties();
  c.will = w;
  c.username = "ops";
  c.password = std::string_view("\x00\x01\xFE\xFF", 4);  // binary
  if (version == Version::v5) c.properties = connect_properties();
  return c;
}

// Every packet type in the shapes a connection of `version` carries it.
std::vector<Packet> every_packet(Version version) {
  const bool v5 = version == Version::v5;
  std::vector<Packet> out;
  out.push_back(full_connect(version));
  {
    Connect minimal;
    minimal.version = version;
    minimal.client_id = "";  // the server assigns one
    out.push_back(minimal);
    Connect qos1_will = minimal;
    qos1_will.client_id = "c";
    qos1_will.will = Will{.topic = "t", .payload = "", .qos = 1, .retain = false, .properties = {}};
    qos1_will.username = "";
    out.push_back(qos1_will);
  }
  if (v5) {
    Connect password_only;  // MQTT 5 allows a password without a user name (3.1.2.9)
    password_only.version = Version::v5;
    password_only.client_id = "c";
    password_only.password = "token";
    out.push_back(password_only);
  }

  out.push_back(Connack{.session_present = true,
                        .reason = reason::success,
                        .properties = v5 ? connack_properties() : Properties{}});
  out.push_back(
      Connack{.session_present = false, .reason = reason::not_authorized, .properties = {}});

  for (std::uint8_t qos = 0; qos <= 2; ++qos) {
    Publish p;
    p.topic = "b/7/f/2/temperature";
    p.payload = R"({"v":21.5})";
    p.qos = qos;
    p.retain = qos == 1;
    p.dup = qos == 2;
    p.packet_id = qos == 0 ? 0 : 0xFFFF - qos;
    if (v5) p.properties = publish_properties();
    out.push_back(p);
  }
  {
    Publish empty_payload;  // deletes a retained message
    empty_payload.topic = "a";
    empty_payload.retain = true;
    out.push_back(empty_payload);
    Publish binary;
    binary.topic = "€/\xF0\x9F\x8C\xA1";  // multi-byte UTF-8 in the topic
    binary.payload = std::string_view("\x00\xFF\x00", 3);
    binary.qos = 1;
    binary.packet_id = 1;
    out.push_back(binary);
  }
  if (v5) {
    Publish aliased;  // the topic alias stands for the topic (3.3.2.3.4)
    aliased.topic = "";
    aliased.payload = "1";
    aliased.properties.topic_alias = 1;
    out.push_back(aliased);
  }

  for (PacketType type :
       {PacketType::puback, PacketType::pubrec, PacketType::pubrel, PacketType::pubcomp}) {
    out.push_back(Ack{.type = type, .packet_id = 1, .reason = reason::success, .properties = {}});
    if (v5) {
      const std::uint8_t failure = type == PacketType::pubrel || type == PacketType::pubcomp
                                       ? reason::packet_identifier_not_found
                                       : reason::quota_exceeded;
      out.push_back(Ack{.type = type, .packet_id = 0xFFFF, .reason = failure, .properties = {}});
      out.push_back(
          Ack{.type = type, .packet_id = 2, .reason = failure, .properties = reason_properties()});
      // Success with any property: the reason code and properties must be
      // written (the bare form is for Success without properties only).
      Ack with_reason_string{
          .type = type, .packet_id = 3, .reason = reason::success, .properties = {}};
      with_reason_string.properties.reason_string = "r";
      out.push_back(with_reason_string);
      Ack with_user_properties{
          .type = type, .packet_id = 3, .reason = reason::success, .properties = {}};
      with_user_properties.properties.user_properties = user_properties();
      out.push_back(with_user_properties);
      if (type == PacketType::puback)
        out.push_back(Ack{.type = type,
                          .packet_id = 4,
                          .reason = reason::no_matching_subscribers,
                          .properties = {}});
    }
  }

  {
    Subscribe s;
    s.packet_id = 10;
    s.topics.push_back({.filter = "b/+/f/+/temperature", .qos = 0});
    s.topics.push_back({.filter = "b/7/#", .qos = 1});
    s.topics.push_back({.filter = "#", .qos = 2});
    if (v5) {
      s.topics.push_back({.filter = "$share/g/a",
                          .qos = 2,
                          .no_local = false,
                          .retain_as_published = true,
                          .retain_handling = 2});
      s.topics.push_back({.filter = "x",
                          .qos = 1,
                          .no_local = true,
                          .retain_as_published = false,
                          .retain_handling = 1});
      s.properties.subscription_ids = {268'435'455};
      s.properties.user_properties = user_properties();
    }
    out.push_back(s);
  }
  {
    Suback s;
    s.packet_id = 10;
    s.reasons = {reason::granted_qos1, reason::success, reason::granted_qos2,
                 reason::unspecified_error};
    if (v5) {
      s.reasons.insert(s.reasons.end(), {reason::not_authorized, reason::topic_filter_invalid,
                                         reason::shared_subscriptions_not_supported,
                                         reason::wildcard_subscriptions_not_supported});
      s.properties = reason_properties();
    }
    out.push_back(s);
  }
  {
    Unsubscribe u;
    u.packet_id = 11;
    u.filters = {"b/+/f/+/temperature", "#"};
    if (v5) u.properties.user_properties = user_properties();
    out.push_back(u);
  }
  {
    Unsuback u;
    u.packet_id = 11;
    if (v5) {  // 3.1.1's UNSUBACK has no payload
      u.reasons = {reason::success, reason::no_subscription_existed, reason::not_authorized};
      u.properties = reason_properties();
    }
    out.push_back(u);
  }
  out.push_back(Ping{PacketType::pingreq});
  out.push_back(Ping{PacketType::pingresp});
  if (v5) {
    out.push_back(Disconnect{});
    Disconnect d;
    d.reason = reason::disconnect_with_will;
    d.properties.session_expiry = 0;
    d.properties.reason_string = "bye";
    d.properties.user_properties = user_properties();
    out.push_back(d);
    // Normal disconnection with any one property: not the bare form.
    for (int which = 0; which < 4; ++which) {
      Disconnect normal;
      if (which == 0) normal.properties.session_expiry = 30;
      if (which == 1) normal.properties.reason_string = "r";
      if (which == 2) normal.properties.user_properties = user_properties();
      if (which == 3) normal.properties.server_reference = "s";
      out.push_back(normal);
    }
    Disconnect moved;
    moved.reason = 0x9D;  // Server moved
    moved.properties.server_reference = "mqtt2.example.org";
    out.push_back(moved);
    out.push_back(Auth{});
    Auth a;
    a.reason = 0x18;  // Continue authentication
    a.properties.auth_method = "SCRAM-SHA-1";
    a.properties.auth_data = std::string_view("\x00\x01", 2);
    a.properties.reason_string = "step 2";
    a.properties.user_properties = user_properties();
    out.push_back(a);
  }
  return out;
}

// --- Round trips ---

TEST(CodecRoundTrip, EveryPacketTypeInMqtt5WithEveryProperty) {
  const auto packets = every_packet(Version::v5);
  // Every packet type is there.
  std::vector<bool> seen(16, false);
  for (const Packet& p : packets) {
    const std::string bytes = round_trip(p, Version::v5);
    if (!bytes.empty()) seen[static_cast<unsigned char>(bytes[0]) >> 4] = true;
  }
  for (int type = 1; type <= 15; ++type) EXPECT_TRUE(seen[type]) << "packet type " << type;
}

TEST(CodecRoundTrip, EveryPacketTypeInMqtt311) {
  const auto packets = every_packet(Version::v311);
  std::vector<bool> seen(16, false);
  for (const Packet& p : packets) {
    const std::string bytes = round_trip(p, Version::v311);
    if (!bytes.empty()) seen[static_cast<unsigned char>(bytes[0]) >> 4] = true;
  }
  // 3.1.1 has no server DISCONNECT and no AUTH.
  for (int type = 1; type <= 13; ++type) EXPECT_TRUE(seen[type]) << "packet type " << type;
}

TEST(CodecRoundTrip, Mqtt31ConnectionsBehaveAs311AfterConnect) {
  for (const Packet& p : every_packet(Version::v311)) {
    Packet q = p;
    if (auto* c = std::get_if<Connect>(&q)) c->version = Version::v31;
    round_trip(q, Version::v31);
  }
}

TEST(CodecRoundTrip, EveryPropertyIsCoveredByThePacketsAbove) {
  // Guards the tests above: a property added to Properties but to none of
  // the packets would not be round tripped.
  Properties all;
  auto merge = [&](const Properties& p) {
    auto take = [](auto& into, const auto& from) {
      if (from) into = from;
    };
    take(all.payload_format, p.payload_format);
    take(all.message_expiry, p.message_expiry);
    take(all.content_type, p.content_type);
    take(all.response_topic, p.response_topic);
    take(all.correlation_data, p.correlation_data);
    if (!p.subscription_ids.empty()) all.subscription_ids = p.subscription_ids;
    take(all.session_expiry, p.session_expiry);
    take(all.assigned_client_id, p.assigned_client_id);
    take(all.server_keep_alive, p.server_keep_alive);
    take(all.auth_method, p.auth_method);
    take(all.auth_data, p.auth_data);
    take(all.request_problem_info, p.request_problem_info);
    take(all.will_delay, p.will_delay);
    take(all.request_response_info, p.request_response_info);
    take(all.response_info, p.response_info);
    take(all.server_reference, p.server_reference);
    take(all.reason_string, p.reason_string);
    take(all.receive_maximum, p.receive_maximum);
    take(all.topic_alias_maximum, p.topic_alias_maximum);
    take(all.topic_alias, p.topic_alias);
    take(all.maximum_qos, p.maximum_qos);
    take(all.retain_available, p.retain_available);
    if (!p.user_properties.empty()) all.user_properties = p.user_properties;
    take(all.maximum_packet_size, p.maximum_packet_size);
    take(all.wildcard_available, p.wildcard_available);
    take(all.subscription_ids_available, p.subscription_ids_available);
    take(all.shared_available, p.shared_available);
  };
  for (const Packet& packet : every_packet(Version::v5)) {
    std::visit(
        [&](const auto& p) {
          if constexpr (requires { p.properties; }) merge(p.properties);
          if constexpr (requires { p.will; })
            if (p.will) merge(p.will->properties);
        },
        packet);
  }
  // All 27 properties of table 2-4 (0x01 .. 0x2A).
  EXPECT_TRUE(all.payload_format && all.message_expiry && all.content_type && all.response_topic &&
              all.correlation_data && !all.subscription_ids.empty() && all.session_expiry &&
              all.assigned_client_id && all.server_keep_alive && all.auth_method && all.auth_data &&
              all.request_problem_info && all.will_delay && all.request_response_info &&
              all.response_info && all.server_reference && all.reason_string &&
              all.receive_maximum && all.topic_alias_maximum && all.topic_alias &&
              all.maximum_qos && all.retain_available && !all.user_properties.empty() &&
              all.maximum_packet_size && all.wildcard_available && all.subscription_ids_available &&
              all.shared_available)
      << describe(all);
}

TEST(CodecRoundTrip, DecodedTextPointsIntoTheBody) {
  // codec.h: string_views point into `body`, not into copies.
  Publish p;
  p.topic = "a/b";
  p.payload = "payload";
  p.properties.content_type = "text/plain";
  const std::string bytes = encoded(p, Version::v5);
  FrameHeader h;
  ASSERT_EQ(read_frame(bytes, kNoLimit, h), FrameStatus::complete);
  const std::string_view body = std::string_view(bytes).substr(h.header_size);
  const Decoded d = decode(h, body, Version::v5);
  ASSERT_TRUE(d);
  const auto& q = std::get<Publish>(*d);
  for (std::string_view t : {q.topic, q.payload, *q.properties.content_type}) {
    EXPECT_GE(t.data(), body.data());
    EXPECT_LE(t.data() + t.size(), body.data() + body.size());
  }
  EXPECT_EQ(q.payload.data() + q.payload.size(), body.data() + body.size());
}

// --- Byte-exact encodings, written out by hand from the spec ---

// Checks encode(packet) == bytes and decode(bytes) == packet.
void expect_bytes(const Packet& packet, Version version, const std::string& bytes) {
  EXPECT_EQ(hex(encoded(packet, version)), hex(bytes)) << describe(packet);
  const Decoded d = decode_bytes(bytes, version);
  ASSERT_TRUE(d) << d.error().what;
  EXPECT_TRUE(*d == packet) << describe(*d) << "\n  expected " << describe(packet);
}

TEST(CodecBytes, Connect311WithWillUserNameAndPassword) {
  // Spec 3.1.1 section 3.1: protocol name, level 4, flags, keep alive, then
  // the client id, will topic, will message, user name and password.
  Connect c;
  c.version = Version::v311;
  c.client_id = "cp-1";
  c.clean_start = true;
  c.keep_alive = 60;
  c.will =
      Will{.topic = "b/1/status", .payload = "offline", .qos = 1, .retain = true, .properties = {}};
  c.username = "user";
  c.password = "pass";
  const std::string bytes = x("10 31") +           // CONNECT, remaining length 49
                            x("00 04") + "MQTT" +  // protocol name
                            x("04") +              // protocol level 4
                            x("EE") +  // user name, password, will retain, will QoS 1, will, clean
                            x("00 3C") +                 // keep alive 60 s
                            x("00 04") + "cp-1" +        // client id
                            x("00 0A") + "b/1/status" +  // will topic
                            x("00 07") + "offline" +     // will message
                            x("00 04") + "user" +        // user name
                            x("00 04") + "pass";         // password
  expect_bytes(c, Version::v311, bytes);
}

TEST(CodecBytes, Connect31NamesItselfMQIsdp) {
  // MQTT 3.1: protocol name "MQIsdp", level 3, same layout as 3.1.1.
  Connect c;
  c.version = Version::v31;
  c.client_id = "old";
  c.keep_alive = 60;
  const std::string bytes =
      x("10 11") + x("00 06") + "MQIsdp" + x("03") + x("02") + x("00 3C") + x("00 03") + "old";
  expect_bytes(c, Version::v31, bytes);
  const Decoded d = decode_bytes(bytes, Version::v311);
  ASSERT_TRUE(d);
  EXPECT_EQ(std::get<Connect>(*d).version, Version::v31);
}

TEST(CodecBytes, Connect5WithProperties) {
  // Spec 3.1.2.11: the property block follows keep alive; 3.1.3.2: the will
  // properties come before the will topic.
  Connect c;
  c.version = Version::v5;
  c.client_id = "a";
  c.clean_start = true;
  c.keep_alive = 10;
  c.properties.session_expiry = 10;
  c.will = Will{.topic = "w", .payload = "x", .qos = 0, .retain = false, .properties = {}};
  c.will->properties.will_delay = 5;
  const std::string bytes = x("10 1F") + x("00 04") + "MQTT" + x("05 06 00 0A") +
                            x("05 11 00 00 00 0A") +  // property length 5: session expiry 10
                            x("00 01") + "a" +        //
                            x("05 18 00 00 00 05") +  // will properties: will delay 5
                            x("00 01") + "w" + x("00 01") + "x";
  expect_bytes(c, Version::v5, bytes);
}

TEST(CodecBytes, Connack) {
  // 3.1.1: session present, return code 0.
  expect_bytes(Connack{.session_present = true, .reason = reason::success, .properties = {}},
               Version::v311, x("20 02 01 00"));
  // 3.1.1: Not authorized is return code 5.
  expect_bytes(
      Connack{.session_present = false, .reason = reason::not_authorized, .properties = {}},
      Version::v311, x("20 02 00 05"));
  // MQTT 5: the property block is always there (3.2.2.3).
  expect_bytes(Connack{}, Version::v5, x("20 03 00 00 00"));
  Connack with_receive_maximum;
  with_receive_maximum.properties.receive_maximum = 10;
  expect_bytes(with_receive_maximum, Version::v5, x("20 06 00 00 03 21 00 0A"));
}

TEST(CodecBytes, PublishQos1) {
  // Spec 3.3: topic name, packet id (QoS > 0 only), payload; flags 0b0010.
  Publish p;
  p.topic = "a/b";
  p.payload = "hi";
  p.qos = 1;
  p.packet_id = 10;
  expect_bytes(p, Version::v311, x("32 09 00 03") + "a/b" + x("00 0A") + "hi");
  // MQTT 5: an empty property block after the packet id.
  expect_bytes(p, Version::v5, x("32 0A 00 03") + "a/b" + x("00 0A 00") + "hi");
  // Flags: DUP 0x08, QoS 2 0x04, RETAIN 0x01.
  p.qos = 2;
  p.dup = true;
  p.retain = true;
  expect_bytes(p, Version::v311, x("3D 09 00 03") + "a/b" + x("00 0A") + "hi");
  // QoS 0: no packet id.
  Publish q;
  q.topic = "a";
  q.payload = "";
  expect_bytes(q, Version::v311, x("30 03 00 01") + "a");
}

TEST(CodecBytes, Subscribe) {
  // Spec 3.1.1 3.8: flags 0b0010, packet id, then filter + requested QoS.
  Subscribe s;
  s.packet_id = 1;
  s.topics = {{.filter = "a/#", .qos = 1}, {.filter = "b", .qos = 0}};
  expect_bytes(s, Version::v311,
               x("82 0C 00 01") + x("00 03") + "a/#" + x("01") + x("00 01") + "b" + x("00"));
  // MQTT 5 options byte: QoS bits 0-1, No Local bit 2, Retain As Published
  // bit 3, Retain Handling bits 4-5 (3.8.3.1).
  Subscribe t;
  t.packet_id = 1;
  t.topics = {{.filter = "a",
               .qos = 2,
               .no_local = true,
               .retain_as_published = true,
               .retain_handling = 2}};
  expect_bytes(t, Version::v5, x("82 07 00 01 00 00 01") + "a" + x("2E"));
  t.properties.subscription_ids = {300};  // varint 300 = AC 02
  expect_bytes(t, Version::v5, x("82 0A 00 01 03 0B AC 02 00 01") + "a" + x("2E"));
}

TEST(CodecBytes, Suback) {
  expect_bytes(Suback{.packet_id = 1, .reasons = {1, 0x80}, .properties = {}}, Version::v311,
               x("90 04 00 01 01 80"));
  expect_bytes(Suback{.packet_id = 1, .reasons = {2, reason::not_authorized}, .properties = {}},
               Version::v5, x("90 05 00 01 00 02 87"));
}

TEST(CodecBytes, AcksPingsDisconnectAuth) {
  const Ack puback{.type = PacketType::puback, .packet_id = 10, .reason = 0, .properties = {}};
  expect_bytes(puback, Version::v311, x("40 02 00 0A"));
  // MQTT 5, 3.4.2.1: Success without properties is the packet id alone.
  expect_bytes(puback, Version::v5, x("40 02 00 0A"));
  Ack no_match = puback;
  no_match.reason = reason::no_matching_subscribers;
  expect_bytes(no_match, Version::v5, x("40 04 00 0A 10 00"));
  // PUBREL's flags are 0b0010 [MQTT-3.6.1-1].
  expect_bytes(Ack{.type = PacketType::pubrel, .packet_id = 10, .reason = 0, .properties = {}},
               Version::v311, x("62 02 00 0A"));
  expect_bytes(Ack{.type = PacketType::pubrec, .packet_id = 10, .reason = 0, .properties = {}},
               Version::v311, x("50 02 00 0A"));
  expect_bytes(Ack{.type = PacketType::pubcomp, .packet_id = 10, .reason = 0, .properties = {}},
               Version::v311, x("70 02 00 0A"));
  expect_bytes(Unsubscribe{.packet_id = 2, .filters = {"a"}, .properties = {}}, Version::v311,
               x("A2 05 00 02 00 01") + "a");
  expect_bytes(Unsuback{.packet_id = 2, .reasons = {}, .properties = {}}, Version::v311,
               x("B0 02 00 02"));
  expect_bytes(Unsuback{.packet_id = 2, .reasons = {0x11}, .properties = {}}, Version::v5,
               x("B0 04 00 02 00 11"));
  expect_bytes(Ping{PacketType::pingreq}, Version::v311, x("C0 00"));
  expect_bytes(Ping{PacketType::pingresp}, Version::v5, x("D0 00"));
  // MQTT 5, 3.14.2.1: normal disconnection without properties is two bytes.
  expect_bytes(Disconnect{}, Version::v5, x("E0 00"));
  expect_bytes(Disconnect{.reason = reason::session_taken_over, .properties = {}}, Version::v5,
               x("E0 02 8E 00"));
  expect_bytes(Auth{.reason = 0x18, .properties = {}}, Version::v5, x("F0 02 18 00"));
}

TEST(CodecBytes, ShortFormsDecode) {
  // MQTT 5 lets a sender leave out the property length (3.4.2.2.1,
  // 3.14.2.2.1) and the reason code (3.15.2.1) when they would be empty.
  auto decoded = [](const std::string& bytes) {
    const Decoded d = decode_bytes(bytes, Version::v5);
    EXPECT_TRUE(d) << hex(bytes);
    return d ? *d : Packet{};
  };
  const Packet no_match =
      Ack{.type = PacketType::puback, .packet_id = 10, .reason = 0x10, .properties = {}};
  EXPECT_TRUE(decoded(x("40 03 00 0A 10")) == no_match);
  const Packet with_will = Disconnect{.reason = 4, .properties = {}};
  EXPECT_TRUE(decoded(x("E0 01 04")) == with_will);
  EXPECT_TRUE(decoded(x("F0 00")) == Packet{Auth{}});
  // A 3.1.1 client's DISCONNECT.
  const Decoded d = decode_bytes(x("E0 00"), Version::v311);
  ASSERT_TRUE(d);
  EXPECT_TRUE(std::holds_alternative<Disconnect>(*d));
}

// --- 3.1.1 return codes and what 3.1.1 leaves out ---

TEST(CodecV311, ConnackReturnCodes) {
  // 3.1.1 table 3.1 against the MQTT 5 reason codes.
  EXPECT_EQ(connack_code_v311(reason::success), 0);
  EXPECT_EQ(connack_code_v311(reason::unsupported_protocol_version), 1);
  EXPECT_EQ(connack_code_v311(reason::client_identifier_not_valid), 2);
  EXPECT_EQ(connack_code_v311(reason::server_unavailable), 3);
  EXPECT_EQ(connack_code_v311(reason::server_busy), 3);
  EXPECT_EQ(connack_code_v311(reason::unspecified_error), 3);
  EXPECT_EQ(connack_code_v311(reason::bad_user_name_or_password), 4);
  EXPECT_EQ(connack_code_v311(reason::bad_authentication_method), 4);
  EXPECT_EQ(connack_code_v311(reason::not_authorized), 5);
  EXPECT_EQ(connack_code_v311(reason::banned), 5);
  // What goes on the wire, and what a 3.1.1 client reads back: the MQTT 5
  // code of the return code (packet.h: reason codes are MQTT 5 ones).
  const struct {
    std::uint8_t sent, wire, read;
  } cases[] = {
      {reason::success, 0, reason::success},
      {reason::unsupported_protocol_version, 1, reason::unsupported_protocol_version},
      {reason::client_identifier_not_valid, 2, reason::client_identifier_not_valid},
      {reason::server_busy, 3, reason::server_unavailable},
      {reason::bad_authentication_method, 4, reason::bad_user_name_or_password},
      {reason::banned, 5, reason::not_authorized},
  };
  for (const auto& c : cases) {
    const std::string bytes = encoded(
        Connack{.session_present = false, .reason = c.sent, .properties = {}}, Version::v311);
    EXPECT_EQ(hex(bytes), hex(x("20 02 00") + std::string(1, static_cast<char>(c.wire))));
    const Decoded d = decode_bytes(bytes, Version::v311);
    ASSERT_TRUE(d) << hex(bytes);
    EXPECT_EQ(std::get<Connack>(*d).reason, c.read) << hex(bytes);
  }
}

TEST(CodecV311, SubackFailureIs0x80) {
  // 3.1.1 3.9.3: return codes 0x00, 0x01, 0x02 and 0x80 (Failure) only.
  Suback s{.packet_id = 5,
           .reasons = {0, 1, 2, reason::unspecified_error, reason::not_authorized,
                       reason::topic_filter_invalid, reason::quota_exceeded,
                       reason::wildcard_subscriptions_not_supported},
           .properties = reason_properties()};
  EXPECT_EQ(hex(encoded(s, Version::v311)), hex(x("90 0A 00 05 00 01 02 80 80 80 80 80")));
  // MQTT 5 keeps them.
  s.properties = {};
  EXPECT_EQ(hex(encoded(s, Version::v5)), hex(x("90 0B 00 05 00 00 01 02 80 87 8F 97 A2")));
}

TEST(CodecV311, Mqtt5OnlyPartsAreLeftOut) {
  Publish with;
  with.topic = "t";
  with.payload = "p";
  with.qos = 1;
  with.packet_id = 3;
  with.properties = publish_properties();
  Publish without = with;
  without.properties = {};
  EXPECT_EQ(hex(encoded(with, Version::v311)), hex(encoded(without, Version::v311)));
  EXPECT_EQ(encoded_size(with, Version::v311), encoded(without, Version::v311).size());
  // Acks carry no reason code in 3.1.1.
  EXPECT_EQ(hex(encoded(Ack{.type = PacketType::puback,
                            .packet_id = 1,
                            .reason = reason::quota_exceeded,
                            .properties = reason_properties()},
                        Version::v311)),
            hex(x("40 02 00 01")));
  EXPECT_EQ(
      hex(encoded(Unsuback{.packet_id = 1, .reasons = {0x11}, .properties = {}}, Version::v311)),
      hex(x("B0 02 00 01")));
  // MQTT 5 subscription options are not sent to a 3.1.1 server.
  Subscribe s;
  s.packet_id = 1;
  s.topics = {{.filter = "a",
               .qos = 1,
               .no_local = true,
               .retain_as_published = true,
               .retain_handling = 2}};
  EXPECT_EQ(hex(encoded(s, Version::v311)), hex(x("82 06 00 01 00 01") + "a" + x("01")));
}

TEST(CodecV311, DisconnectIsBareAndThereIsNoAuth) {
  // codec.h: a 3.1.1 DISCONNECT is E0 00 whatever its reason and properties;
  // AUTH does not exist in 3.1.1 and encodes to nothing.
  for (Version v : {Version::v311, Version::v31}) {
    const Packet d{Disconnect{.reason = reason::session_taken_over, .properties = {}}};
    std::string out;
    encode(d, v, out);
    EXPECT_EQ(hex(out), hex(x("E0 00")));
    EXPECT_EQ(encoded_size(d, v), 2u);
    out = "kept";
    encode(Packet{Auth{}}, v, out);
    EXPECT_EQ(out, "kept");
    EXPECT_EQ(encoded_size(Packet{Auth{}}, v), 0u);
  }
}

TEST(CodecV311, ReasonNames) {
  EXPECT_EQ(reason_name(reason::success), "Success");
  EXPECT_EQ(reason_name(reason::malformed_packet), "Malformed Packet");
  EXPECT_EQ(reason_name(reason::protocol_error), "Protocol Error");
  EXPECT_EQ(reason_name(reason::packet_too_large), "Packet too large");
  EXPECT_EQ(reason_name(reason::wildcard_subscriptions_not_supported),
            "Wildcard Subscriptions not supported");
  EXPECT_EQ(reason_name(0x03), "Unknown");
  EXPECT_EQ(reason_name(0xFF), "Unknown");
}

// --- encoded_size and the Remaining Length ---

TEST(CodecSize, RemainingLengthAtEveryVarintBoundary) {
  // Spec 1.5.5, table 1-1: 127 | 128, 16,383 | 16,384, 2,097,151 | 2,097,152.
  const struct {
    std::uint32_t body;
    std::string length_bytes;
  } cases[] = {
      {3, x("03")},
      {127, x("7F")},
      {128, x("80 01")},
      {16'383, x("FF 7F")},
      {16'384, x("80 80 01")},
      {2'097'151, x("FF FF 7F")},
      {2'097'152, x("80 80 80 01")},
  };
  for (const auto& c : cases) {
    // A QoS 0 PUBLISH to "t": a body of 3 bytes plus the payload.
    const std::string payload(c.body - 3, 'p');
    Publish p;
    p.topic = "t";
    p.payload = payload;
    std::string out;
    encode(p, Version::v311, out);
    ASSERT_EQ(out.size(), 1 + c.length_bytes.size() + c.body);
    EXPECT_EQ(encoded_size(p, Version::v311), out.size());
    EXPECT_EQ(encoded_size(Packet{p}, Version::v311), out.size());
    EXPECT_EQ(hex(out.substr(1, c.length_bytes.size())), hex(c.length_bytes)) << c.body;
    FrameHeader h;
    ASSERT_EQ(read_frame(out, kNoLimit, h), FrameStatus::complete);
    EXPECT_EQ(h.body_size, c.body);
    EXPECT_EQ(h.header_size, 1 + c.length_bytes.size());
    EXPECT_EQ(h.type(), PacketType::publish);
    const Decoded d = decode(h, std::string_view(out).substr(h.header_size), Version::v311);
    ASSERT_TRUE(d);
    EXPECT_EQ(std::get<Publish>(*d).payload.size(), payload.size());
  }
}

TEST(CodecSize, PublishOverloadsAgreeWithTheVariant) {
  for (Version v : {Version::v311, Version::v5}) {
    for (const Packet& packet : every_packet(v)) {
      if (const auto* p = std::get_if<Publish>(&packet)) {
        std::string direct = "x";
        encode(*p, v, direct);
        EXPECT_EQ(direct, "x" + encoded(packet, v));
        EXPECT_EQ(encoded_size(*p, v), direct.size() - 1);
      }
      if (const auto* a = std::get_if<Ack>(&packet)) {
        std::string direct = "x";
        encode(*a, v, direct);
        EXPECT_EQ(direct, "x" + encoded(packet, v));
      }
    }
  }
}

// --- read_frame ---

TEST(CodecFrame, RemainingLengthOfOneToFourBytes) {
  const struct {
    std::string header;
    std::uint32_t body;
  } cases[] = {
      {x("C0 00"), 0},
      {x("30 7F"), 127},
      {x("30 80 01"), 128},
      {x("30 FF 7F"), 16'383},
      {x("30 80 80 01"), 16'384},
      {x("30 FF FF 7F"), 2'097'151},
      {x("30 80 80 80 01"), 2'097'152},
      {x("30 FF FF FF 7F"), 268'435'455},  // the largest [MQTT-1.5.5-1]
  };
  for (const auto& c : cases) {
    FrameHeader h;
    // Only the header: incomplete, but the header is read.
    const FrameStatus status = read_frame(c.header, kNoLimit, h);
    EXPECT_EQ(status, c.body == 0 ? FrameStatus::complete : FrameStatus::incomplete);
    EXPECT_EQ(h.first_byte, static_cast<std::uint8_t>(c.header[0]));
    EXPECT_EQ(h.body_size, c.body);
    EXPECT_EQ(h.header_size, c.header.size());
    EXPECT_EQ(h.packet_size(), c.header.size() + c.body);
  }
}

TEST(CodecFrame, FiveByteRemainingLengthIsMalformed) {
  // [MQTT-1.5.5-1]: at most four bytes; known as soon as the fourth byte
  // says another follows.
  FrameHeader h;
  EXPECT_EQ(read_frame(x("30 80 80 80 80"), kNoLimit, h), FrameStatus::malformed);
  EXPECT_EQ(read_frame(x("30 FF FF FF FF 7F"), kNoLimit, h), FrameStatus::malformed);
  EXPECT_EQ(read_frame(x("30 80 80 80 80 00") + std::string(100, 'p'), kNoLimit, h),
            FrameStatus::malformed);
}

TEST(CodecFrame, Incomplete) {
  FrameHeader h;
  EXPECT_EQ(read_frame("", kNoLimit, h), FrameStatus::incomplete);
  EXPECT_EQ(read_frame(x("30"), kNoLimit, h), FrameStatus::incomplete);
  EXPECT_EQ(read_frame(x("30 80"), kNoLimit, h), FrameStatus::incomplete);
  EXPECT_EQ(read_frame(x("30 80 80 80"), kNoLimit, h), FrameStatus::incomplete);
  // Every prefix of a packet is incomplete, the whole of it complete.
  const std::string bytes = encoded(full_connect(Version::v5), Version::v5);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_EQ(read_frame(std::string_view(bytes).substr(0, n), kNoLimit, h),
              FrameStatus::incomplete)
        << n;
  }
  ASSERT_EQ(read_frame(bytes, kNoLimit, h), FrameStatus::complete);
  EXPECT_EQ(h.packet_size(), bytes.size());
}

TEST(CodecFrame, TooLargeBeforeTheBodyArrives) {
  // 3.1.2.11.4: a packet over the Maximum Packet Size is refused from its
  // header alone (packet_size counts the fixed header too).
  FrameHeader h;
  EXPECT_EQ(read_frame(x("30 E8 07"), 100, h), FrameStatus::too_large);  // body 1,000
  EXPECT_EQ(h.body_size, 1000u);
  EXPECT_EQ(h.packet_size(), 1003u);
  EXPECT_EQ(read_frame(x("30 FF FF FF 7F"), 1 << 20, h), FrameStatus::too_large);
  // At the limit exactly: not too large.
  EXPECT_EQ(read_frame(x("30 61"), 99, h), FrameStatus::incomplete);
  EXPECT_EQ(read_frame(x("30 62"), 99, h), FrameStatus::too_large);
  EXPECT_EQ(read_frame(x("C0 00"), 2, h), FrameStatus::complete);
  EXPECT_EQ(read_frame(x("C0 00"), 1, h), FrameStatus::too_large);
  // A header not yet whole cannot be judged.
  EXPECT_EQ(read_frame(x("30 E8"), 100, h), FrameStatus::incomplete);
}

TEST(CodecFrame, PacketsOneAfterAnother) {
  // A stream holds packet after packet; read_frame sees only the first.
  std::string stream;
  const auto packets = every_packet(Version::v5);
  for (const Packet& p : packets) encode(p, Version::v5, stream);
  std::string_view rest = stream;
  std::size_t n = 0;
  while (!rest.empty()) {
    FrameHeader h;
    ASSERT_EQ(read_frame(rest, kNoLimit, h), FrameStatus::complete);
    const Decoded d = decode(h, rest.substr(h.header_size, h.body_size), Version::v5);
    ASSERT_TRUE(d) << d.error().what;
    ASSERT_LT(n, packets.size());
    EXPECT_TRUE(*d == packets[n]) << describe(*d);
    rest.remove_prefix(h.packet_size());
    ++n;
  }
  EXPECT_EQ(n, packets.size());
}

}  // namespace
}  // namespace citypulse::mqtt
