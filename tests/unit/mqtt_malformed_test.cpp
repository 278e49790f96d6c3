// The MQTT packet decoder (transport/mqtt/codec.h) on packets the spec calls
// malformed or a protocol error: each must fail with the reason code the
// connection closes with (spec 4.13: 0x81 Malformed Packet, 0x82 Protocol
// Error; 0x84 for a protocol level the server does not speak), never crash,
// and never read outside the packet (the ASan build checks that).
// Statements are cited as [MQTT-x.y.z-n] of MQTT 5.0 unless marked 3.1.1;
// where the spec words a rule without a statement id, its section.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "transport/mqtt/codec.h"
#include "transport/mqtt/wire.h"

namespace citypulse::mqtt {
namespace {

using namespace std::string_literals;

constexpr std::uint8_t kMalformed = reason::malformed_packet;
constexpr std::uint8_t kProtocol = reason::protocol_error;

// "00 04" -> the bytes.
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

std::string varint(std::uint32_t v) {
  std::string out;
  do {
    auto b = static_cast<char>(v & 0x7F);
    v >>= 7;
    if (v) b = static_cast<char>(b | 0x80);
    out.push_back(b);
  } while (v);
  return out;
}

// An MQTT string or binary: two-byte length, then the bytes (spec 1.5.4, 1.5.6).
std::string str(std::string_view text) {
  return std::string{static_cast<char>(text.size() >> 8), static_cast<char>(text.size() & 0xFF)} +
         std::string(text);
}

// A property block: its length, then the properties.
std::string props(const std::string& block) {
  return varint(block.size()) + block;
}

// A whole packet: the first byte, the Remaining Length, the body.
std::string pk(std::uint8_t first, const std::string& body) {
  return std::string(1, static_cast<char>(first)) + varint(body.size()) + body;
}

// CONNECT bodies: protocol name and level, flags, keep alive 60, then `rest`.
std::string connect311(std::uint8_t flags, const std::string& rest) {
  return str("MQTT") + x("04") + std::string(1, static_cast<char>(flags)) + x("00 3C") + rest;
}
std::string connect5(std::uint8_t flags, const std::string& properties, const std::string& rest) {
  return str("MQTT") + x("05") + std::string(1, static_cast<char>(flags)) + x("00 3C") +
         properties + rest;
}

struct Case {
  std::string name;  // with the statement it breaks
  Version version;
  std::string packet;  // a whole packet, fixed header included
  std::uint8_t reason;
};

// Frames `packet` (which must be exactly one whole packet: the cases are
// about bodies, not framing) and decodes it.
Decoded decode_packet(const std::string& packet, Version version) {
  FrameHeader h;
  const FrameStatus status = read_frame(packet, std::numeric_limits<std::uint32_t>::max(), h);
  if (status != FrameStatus::complete || h.packet_size() != packet.size())
    return std::unexpected(DecodeError{0xFF, "the test's packet is not one whole packet"});
  return decode(h, std::string_view(packet).substr(h.header_size), version);
}

void expect_rejected(const Case& c) {
  const Decoded d = decode_packet(c.packet, c.version);
  ASSERT_FALSE(d.has_value()) << c.name << ": decoded\n  " << hex(c.packet);
  EXPECT_EQ(d.error().reason, c.reason)
      << c.name << ": " << d.error().what << " (" << reason_name(d.error().reason) << ")\n  "
      << hex(c.packet);
  EXPECT_FALSE(d.error().what.empty()) << c.name;
}

const Version kBoth[] = {Version::v311, Version::v5};

// --- Fixed header [MQTT-2.1.3-1] ---

TEST(MalformedFixedHeader, WrongFlagsForThePacketType) {
  // [MQTT-2.1.3-1]: the flag bits of every packet but PUBLISH are fixed —
  // 0010 for PUBREL, SUBSCRIBE and UNSUBSCRIBE, 0000 for the rest.
  const std::string sub = x("00 01") + str("a") + x("00");
  const std::string unsub = x("00 01") + str("a");
  for (Version v : kBoth) {
    const std::string props_if_5 = v == Version::v5 ? x("00") : "";
    const Case cases[] = {
        {"CONNECT flags 0001", v, pk(0x11, connect311(0x02, str("c"))), kMalformed},
        {"CONNECT flags 1000", v, pk(0x18, connect311(0x02, str("c"))), kMalformed},
        {"CONNACK flags 0010", v, pk(0x22, x("00 00") + props_if_5), kMalformed},
        {"PUBACK flags 0010", v, pk(0x42, x("00 01")), kMalformed},
        {"PUBREC flags 0001", v, pk(0x51, x("00 01")), kMalformed},
        {"[MQTT-3.6.1-1] PUBREL flags 0000", v, pk(0x60, x("00 01")), kMalformed},
        {"[MQTT-3.6.1-1] PUBREL flags 0011", v, pk(0x63, x("00 01")), kMalformed},
        {"PUBCOMP flags 0100", v, pk(0x74, x("00 01")), kMalformed},
        {"[MQTT-3.8.1-1] SUBSCRIBE flags 0000", v,
         pk(0x80, x("00 01") + props_if_5 + sub.substr(2)), kMalformed},
        {"[MQTT-3.8.1-1] SUBSCRIBE flags 1010", v,
         pk(0x8A, x("00 01") + props_if_5 + sub.substr(2)), kMalformed},
        {"SUBACK flags 0010", v, pk(0x92, x("00 01") + props_if_5 + x("00")), kMalformed},
        {"[MQTT-3.10.1-1] UNSUBSCRIBE flags 0000", v,
         pk(0xA0, x("00 01") + props_if_5 + unsub.substr(2)), kMalformed},
        {"UNSUBACK flags 1000", v, pk(0xB8, x("00 01")), kMalformed},
        {"PINGREQ flags 0001", v, pk(0xC1, ""), kMalformed},
        {"PINGRESP flags 0010", v, pk(0xD2, ""), kMalformed},
        {"[MQTT-3.14.1-1] DISCONNECT flags 0001", v, pk(0xE1, ""), kMalformed},
        {"packet type 0 is reserved", v, pk(0x00, ""), kMalformed},
    };
    for (const Case& c : cases) expect_rejected(c);
  }
  expect_rejected({"[MQTT-3.15.1-1] AUTH flags 0001", Version::v5, pk(0xF1, ""), kMalformed});
  // 3.1.1 has no AUTH (type 15 is reserved there).
  expect_rejected({"AUTH on a 3.1.1 connection", Version::v311, pk(0xF0, ""), kProtocol});
}

TEST(MalformedFixedHeader, FiveByteRemainingLength) {
  // [MQTT-1.5.5-1]: a Variable Byte Integer has at most four bytes.
  FrameHeader h;
  EXPECT_EQ(read_frame(x("30 80 80 80 80 01"), 1 << 20, h), FrameStatus::malformed);
  EXPECT_EQ(read_frame(x("10 FF FF FF FF 7F"), 1 << 20, h), FrameStatus::malformed);
  // The same inside a packet: a property length of five bytes.
  expect_rejected({"[MQTT-1.5.5-1] five-byte property length", Version::v5,
                   pk(0x30, str("a") + x("80 80 80 80 01")), kMalformed});
  expect_rejected({"[MQTT-1.5.5-1] five-byte subscription identifier", Version::v5,
                   pk(0x30, str("a") + props(x("0B 80 80 80 80 01"))), kMalformed});
}

// --- CONNECT ---

TEST(MalformedConnect, Flags) {
  const std::string will = str("w") + str("bye");
  for (Version v : kBoth) {
    auto connect = [&](std::uint8_t flags, const std::string& payload) {
      return pk(0x10,
                v == Version::v5 ? connect5(flags, x("00"), payload) : connect311(flags, payload));
    };
    const Case cases[] = {
        {"[MQTT-3.1.2-3] reserved flag", v, connect(0x03, str("c")), kMalformed},
        {"[MQTT-3.1.2-12] will QoS 3", v,
         connect(0x1E, str("c") + (v == Version::v5 ? x("00") : "") + will), kMalformed},
        {"[MQTT-3.1.2-11] will QoS 1 without the will flag", v, connect(0x0A, str("c")),
         kMalformed},
        {"[MQTT-3.1.2-11] will QoS 2 without the will flag", v, connect(0x12, str("c")),
         kMalformed},
        {"[MQTT-3.1.2-13] will retain without the will flag", v, connect(0x22, str("c")),
         kMalformed},
        {"will flag but no will topic", v, connect(0x06, str("c")), kMalformed},
        {"user name flag but no user name", v, connect(0x82, str("c")), kMalformed},
        {"password flag but no password", v, connect(0xC2, str("c") + str("u")), kMalformed},
        {"bytes after the payload", v, connect(0x02, str("c") + x("00")), kMalformed},
        {"[MQTT-3.1.3-4] client id not UTF-8", v, connect(0x02, str("\xC3")), kMalformed},
        {"[MQTT-3.1.3-4] client id with U+0000", v, connect(0x02, str("a\0"s)), kMalformed},
        {"[MQTT-3.1.3-11] user name not UTF-8", v, connect(0x82, str("c") + str("\xFF")),
         kMalformed},
        {"will topic not UTF-8", v,
         connect(0x06,
                 str("c") + (v == Version::v5 ? x("00") : "") + str("\xED\xA0\x80") + str("x")),
         kMalformed},
        {"client id length past the body", v, connect(0x02, x("00 09") + "c"), kMalformed},
    };
    for (const Case& c : cases) expect_rejected(c);
  }
  // 3.1.1 [MQTT-3.1.2-22]: no password without a user name (MQTT 5 allows it).
  expect_rejected({"3.1.1 [MQTT-3.1.2-22] password without user name", Version::v311,
                   pk(0x10, connect311(0x42, str("c") + str("pw"))), kMalformed});
  EXPECT_TRUE(decode_packet(pk(0x10, connect5(0x42, x("00"), str("c") + str("pw"))), Version::v5));
}

TEST(MalformedConnect, ProtocolNameAndLevel) {
  // [MQTT-3.1.2-2]: a level the server does not speak is answered with
  // CONNACK 0x84 (3.1.1: return code 1) before closing.
  const std::uint8_t unsupported = reason::unsupported_protocol_version;
  auto connect = [](std::string_view name, std::uint8_t level) {
    return pk(0x10,
              str(name) + std::string(1, static_cast<char>(level)) + x("02 00 3C") + str("c"));
  };
  for (Version v : kBoth) {  // the connection's version does not matter for CONNECT
    expect_rejected({"[MQTT-3.1.2-2] level 6", v, connect("MQTT", 6), unsupported});
    expect_rejected({"[MQTT-3.1.2-2] level 2", v, connect("MQTT", 2), unsupported});
    expect_rejected({"[MQTT-3.1.2-2] level 0", v, connect("MQTT", 0), unsupported});
    expect_rejected(
        {"[MQTT-3.1.2-2] level 3 is 3.1's, named MQIsdp", v, connect("MQTT", 3), unsupported});
    expect_rejected({"[MQTT-3.1.2-1] protocol name MQTX", v, connect("MQTX", 4), kProtocol});
    expect_rejected({"[MQTT-3.1.2-1] protocol name mqtt", v, connect("mqtt", 4), kProtocol});
    expect_rejected({"[MQTT-3.1.2-1] MQIsdp at level 4", v, connect("MQIsdp", 4), kProtocol});
    expect_rejected({"[MQTT-3.1.2-1] no protocol name", v,
                     pk(0x10, x("00 00 04 02 00 3C") + str("c")), kProtocol});
    expect_rejected({"truncated protocol name", v, pk(0x10, x("00 04") + "MQ"), kMalformed});
  }
  // The ones it speaks.
  EXPECT_TRUE(decode_packet(connect("MQIsdp", 3), Version::v311));
  EXPECT_TRUE(decode_packet(connect("MQTT", 4), Version::v311));
}

TEST(MalformedConnect, Mqtt5Properties) {
  auto connect = [](const std::string& block) {
    return pk(0x10, connect5(0x02, props(block), str("c")));
  };
  auto with_will = [](const std::string& will_block) {
    return pk(0x10, connect5(0x06, x("00"), str("c") + props(will_block) + str("w") + str("x")));
  };
  const Case cases[] = {
      {"3.1.2.11.3 receive maximum 0", Version::v5, connect(x("21 00 00")), kProtocol},
      {"3.1.2.11.3 receive maximum twice", Version::v5, connect(x("21 00 01 21 00 01")), kProtocol},
      {"3.1.2.11.4 maximum packet size 0", Version::v5, connect(x("27 00 00 00 00")), kProtocol},
      {"3.1.2.11.2 session expiry twice", Version::v5, connect(x("11 00 00 00 01 11 00 00 00 01")),
       kProtocol},
      {"3.1.2.11.6 request response information 2", Version::v5, connect(x("19 02")), kProtocol},
      {"3.1.2.11.7 request problem information 2", Version::v5, connect(x("17 02")), kProtocol},
      {"3.1.2.11.9 authentication method twice", Version::v5,
       connect(x("15") + str("a") + x("15") + str("a")), kProtocol},
      {"3.1.2.11.10 authentication data without a method", Version::v5, connect(x("16") + str("d")),
       kProtocol},
      {"2.2.2.2 topic alias in CONNECT", Version::v5, connect(x("23 00 01")), kMalformed},
      {"2.2.2.2 will delay among the CONNECT properties", Version::v5, connect(x("18 00 00 00 01")),
       kMalformed},
      {"2.2.2.2 session expiry among the will properties", Version::v5,
       with_will(x("11 00 00 00 01")), kMalformed},
      {"3.1.3.2.2 will delay twice", Version::v5, with_will(x("18 00 00 00 01 18 00 00 00 01")),
       kProtocol},
      {"property block past the packet", Version::v5, pk(0x10, connect5(0x02, x("09 21 00"), "")),
       kMalformed},
      {"no property block", Version::v5, pk(0x10, connect5(0x02, "", "")), kMalformed},
  };
  for (const Case& c : cases) expect_rejected(c);
}

// --- CONNACK ---

TEST(MalformedConnack, FlagsCodesAndProperties) {
  const Case cases[] = {
      {"[MQTT-3.2.2-1] reserved flag", Version::v311, pk(0x20, x("02 00")), kMalformed},
      {"[MQTT-3.2.2-1] reserved flag", Version::v5, pk(0x20, x("80 00 00")), kMalformed},
      {"3.1.1 3.2.2.3 return code 6 is reserved", Version::v311, pk(0x20, x("00 06")), kMalformed},
      {"3.1.1 return code 0x80 is reserved", Version::v311, pk(0x20, x("00 80")), kMalformed},
      {"3.1.1 CONNACK is two bytes", Version::v311, pk(0x20, x("00 00 00")), kMalformed},
      {"one byte", Version::v311, pk(0x20, x("00")), kMalformed},
      {"3.2.2.3 MQTT 5 CONNACK without its property block", Version::v5, pk(0x20, x("00 00")),
       kMalformed},
      {"3.2.2.3.4 maximum QoS 2", Version::v5, pk(0x20, x("00 00") + props(x("24 02"))), kProtocol},
      {"3.2.2.3.5 retain available 2", Version::v5, pk(0x20, x("00 00") + props(x("25 02"))),
       kProtocol},
      {"3.2.2.3.11 wildcard available 2", Version::v5, pk(0x20, x("00 00") + props(x("28 02"))),
       kProtocol},
      {"3.2.2.3.7 assigned client id twice", Version::v5,
       pk(0x20, x("00 00") + props(x("12") + str("a") + x("12") + str("a"))), kProtocol},
      {"2.2.2.2 topic alias in CONNACK", Version::v5, pk(0x20, x("00 00") + props(x("23 00 01"))),
       kMalformed},
      {"bytes after the properties", Version::v5, pk(0x20, x("00 00 00 00")), kMalformed},
  };
  for (const Case& c : cases) expect_rejected(c);
}

// --- PUBLISH ---

TEST(MalformedPublish, FlagsAndPacketId) {
  for (Version v : kBoth) {
    const std::string p5 = v == Version::v5 ? x("00") : "";
    const Case cases[] = {
        {"[MQTT-3.3.1-4] QoS 3", v, pk(0x36, str("a") + x("00 01") + p5), kMalformed},
        {"[MQTT-3.3.1-4] QoS 3 with DUP and RETAIN", v, pk(0x3F, str("a") + x("00 01") + p5),
         kMalformed},
        {"[MQTT-3.3.1-2] DUP on QoS 0", v, pk(0x38, str("a") + p5), kMalformed},
        {"[MQTT-2.2.1-3] packet id 0 at QoS 1", v, pk(0x32, str("a") + x("00 00") + p5),
         kMalformed},
        {"[MQTT-2.2.1-3] packet id 0 at QoS 2", v, pk(0x34, str("a") + x("00 00") + p5),
         kMalformed},
        {"packet id cut short", v, pk(0x32, str("a") + x("00")), kMalformed},
        {"topic length past the body", v, pk(0x30, x("00 05") + "ab"), kMalformed},
        {"topic length cut short", v, pk(0x30, x("00")), kMalformed},
        {"no body at all", v, pk(0x30, ""), kMalformed},
    };
    for (const Case& c : cases) expect_rejected(c);
  }
  // 3.1.1 [MQTT-4.7.3-1]: a topic name has at least one character (MQTT 5
  // allows none when a topic alias stands for it).
  expect_rejected(
      {"3.1.1 [MQTT-4.7.3-1] empty topic", Version::v311, pk(0x30, str("") + "p"), kMalformed});
}

TEST(MalformedPublish, TopicNotWellFormedUtf8) {
  // [MQTT-1.5.4-1]: ill-formed UTF-8 (RFC 3629) is a Malformed Packet;
  // [MQTT-1.5.4-2]: so is U+0000.
  const struct {
    const char* name;
    std::string text;
  } topics[] = {
      {"[MQTT-1.5.4-2] U+0000", "a\0b"s},
      {"[MQTT-1.5.4-2] U+0000 alone", "\0"s},
      {"[MQTT-1.5.4-1] lone continuation byte", "a\x80"},
      {"[MQTT-1.5.4-1] overlong '/' (C0 AF)", "\xC0\xAF"},
      {"[MQTT-1.5.4-1] overlong U+0000 (C0 80)", "\xC0\x80"},
      {"[MQTT-1.5.4-1] overlong (C1 BF)", "\xC1\xBF"},
      {"[MQTT-1.5.4-1] overlong three bytes (E0 80 AF)", "\xE0\x80\xAF"},
      {"[MQTT-1.5.4-1] overlong three bytes (E0 9F BF)", "\xE0\x9F\xBF"},
      {"[MQTT-1.5.4-1] overlong four bytes (F0 80 80 AF)", "\xF0\x80\x80\xAF"},
      {"[MQTT-1.5.4-1] overlong four bytes (F0 8F BF BF)", "\xF0\x8F\xBF\xBF"},
      {"[MQTT-1.5.4-1] surrogate U+D800", "\xED\xA0\x80"},
      {"[MQTT-1.5.4-1] surrogate U+DBFF", "\xED\xAF\xBF"},
      {"[MQTT-1.5.4-1] surrogate U+DC00", "\xED\xB0\x80"},
      {"[MQTT-1.5.4-1] surrogate U+DFFF", "\xED\xBF\xBF"},
      {"[MQTT-1.5.4-1] surrogate pair as CESU-8", "\xED\xA0\xBD\xED\xB8\x80"},
      {"[MQTT-1.5.4-1] above U+10FFFF (F4 90 80 80)", "\xF4\x90\x80\x80"},
      {"[MQTT-1.5.4-1] F5 lead byte", "\xF5\x80\x80\x80"},
      {"[MQTT-1.5.4-1] FE", "\xFE"},
      {"[MQTT-1.5.4-1] FF", "\xFF"},
      {"[MQTT-1.5.4-1] two-byte sequence cut at the end", "ab\xC3"},
      {"[MQTT-1.5.4-1] three-byte sequence cut at the end", "\xE2\x82"},
      {"[MQTT-1.5.4-1] four-byte sequence cut at the end", "\xF0\x9F\x8C"},
      {"[MQTT-1.5.4-1] ASCII where a continuation belongs", "\xC3\x28"},
      {"[MQTT-1.5.4-1] lead byte where a continuation belongs", "\xE2\xC3\xA9"},
  };
  for (Version v : kBoth) {
    for (const auto& t : topics) {
      expect_rejected(
          {t.name, v, pk(0x30, str(t.text) + (v == Version::v5 ? x("00") : "") + "p"), kMalformed});
      // The same rule for every other UTF-8 string: a filter in SUBSCRIBE.
      expect_rejected(
          {std::string(t.name) + " in a topic filter", v,
           pk(0x82, x("00 01") + (v == Version::v5 ? x("00") : "") + str(t.text) + x("00")),
           kMalformed});
    }
  }
}

TEST(MalformedPublish, Mqtt5Properties) {
  auto publish = [](const std::string& block) {
    return pk(0x32, str("t") + x("00 01") + props(block) + "payload");
  };
  const Case cases[] = {
      {"property length past the body", Version::v5, pk(0x30, str("a") + x("05 01 00")),
       kMalformed},
      {"property length cut short", Version::v5, pk(0x30, str("a") + x("80")), kMalformed},
      {"no property length", Version::v5, pk(0x30, str("a")), kMalformed},
      {"2.2.2.2 session expiry in PUBLISH", Version::v5, publish(x("11 00 00 00 01")), kMalformed},
      {"2.2.2.2 will delay in PUBLISH", Version::v5, publish(x("18 00 00 00 01")), kMalformed},
      {"2.2.2.2 reason string in PUBLISH", Version::v5, publish(x("1F") + str("r")), kMalformed},
      {"2.2.2.2 property identifier 0", Version::v5, publish(x("00 00")), kMalformed},
      {"2.2.2.2 unknown property 0x04", Version::v5, publish(x("04 00")), kMalformed},
      {"2.2.2.2 unknown property 0x7F", Version::v5, publish(x("7F 00")), kMalformed},
      {"2.2.2.2 property identifier 128 (two-byte varint)", Version::v5, publish(x("80 01 00")),
       kMalformed},
      {"3.3.2.3.4 topic alias twice", Version::v5, publish(x("23 00 01 23 00 02")), kProtocol},
      {"3.3.2.3.2 payload format twice", Version::v5, publish(x("01 00 01 00")), kProtocol},
      {"3.3.2.3.3 message expiry twice", Version::v5, publish(x("02 00 00 00 01 02 00 00 00 01")),
       kProtocol},
      {"3.3.2.3.5 response topic twice", Version::v5,
       publish(x("08") + str("r") + x("08") + str("r")), kProtocol},
      {"3.3.2.3.6 correlation data twice", Version::v5,
       publish(x("09") + str("c") + x("09") + str("c")), kProtocol},
      {"3.3.2.3.9 content type twice", Version::v5,
       publish(x("03") + str("c") + x("03") + str("c")), kProtocol},
      {"3.3.2.3.8 subscription identifier 0", Version::v5, publish(x("0B 00")), kProtocol},
      {"payload format 2", Version::v5, publish(x("01 02")), kProtocol},
      {"[MQTT-1.5.4-1] content type not UTF-8", Version::v5, publish(x("03") + str("\xC0\x80")),
       kMalformed},
      {"[MQTT-1.5.4-1] response topic not UTF-8", Version::v5, publish(x("08") + str("\xFF")),
       kMalformed},
      {"[MQTT-1.5.4-1] user property name not UTF-8", Version::v5,
       publish(x("26") + str("\xED\xA0\x80") + str("v")), kMalformed},
      {"[MQTT-1.5.4-2] user property value with U+0000", Version::v5,
       publish(x("26") + str("k") + str("\0"s)), kMalformed},
      {"1.5.7 user property without its value", Version::v5, publish(x("26") + str("k")),
       kMalformed},
      {"four-byte property cut by the block's end", Version::v5, publish(x("02 00 00")),
       kMalformed},
      {"two-byte property cut by the block's end", Version::v5, publish(x("23 00")), kMalformed},
      {"string property cut by the block's end", Version::v5, publish(x("03 00 05") + "ab"),
       kMalformed},
      {"property identifier with no value", Version::v5, publish(x("01")), kMalformed},
  };
  for (const Case& c : cases) expect_rejected(c);
}

// --- PUBACK, PUBREC, PUBREL, PUBCOMP ---

TEST(MalformedAck, PacketIdAndLength) {
  for (std::uint8_t first : {0x40, 0x50, 0x62, 0x70}) {
    for (Version v : kBoth) {
      const Case cases[] = {
          {"[MQTT-2.2.1-3] packet id 0", v, pk(first, x("00 00")), kMalformed},
          {"one byte", v, pk(first, x("01")), kMalformed},
          {"empty", v, pk(first, ""), kMalformed},
      };
      for (const Case& c : cases) expect_rejected(c);
    }
    const Case cases[] = {
        {"3.1.1 acknowledgement is two bytes", Version::v311, pk(first, x("00 01 00")), kMalformed},
        {"2.2.2.2 content type in an acknowledgement", Version::v5,
         pk(first, x("00 01 00") + props(x("03") + str("c"))), kMalformed},
        {"2.2.2.2 topic alias in an acknowledgement", Version::v5,
         pk(first, x("00 01 00") + props(x("23 00 01"))), kMalformed},
        {"3.4.2.2.2 reason string twice", Version::v5,
         pk(first, x("00 01 00") + props(x("1F") + str("a") + x("1F") + str("a"))), kProtocol},
        {"bytes after the properties", Version::v5, pk(first, x("00 01 00 00 00")), kMalformed},
        {"property length past the packet", Version::v5, pk(first, x("00 01 00 04 1F 00")),
         kMalformed},
    };
    for (const Case& c : cases) expect_rejected(c);
  }
}

// --- SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK ---

TEST(MalformedSubscribe, FiltersAndOptions) {
  auto subscribe5 = [](const std::string& block, const std::string& payload) {
    return pk(0x82, x("00 01") + props(block) + payload);
  };
  const Case cases[] = {
      {"[MQTT-2.2.1-3] packet id 0", Version::v311, pk(0x82, x("00 00") + str("a") + x("00")),
       kMalformed},
      {"[MQTT-2.2.1-3] packet id 0", Version::v5, pk(0x82, x("00 00 00") + str("a") + x("00")),
       kMalformed},
      {"3.1.1 [MQTT-3.8.3-3] no topic filter", Version::v311, pk(0x82, x("00 01")), kProtocol},
      {"[MQTT-3.8.3-2] no topic filter", Version::v5, subscribe5("", ""), kProtocol},
      {"3.1.1 [MQTT-3-8.3-4] QoS 3", Version::v311, pk(0x82, x("00 01") + str("a") + x("03")),
       kMalformed},
      {"3.8.3.1 QoS 3", Version::v5, subscribe5("", str("a") + x("03")), kProtocol},
      {"3.1.1 [MQTT-3-8.3-4] reserved option bit 2", Version::v311,
       pk(0x82, x("00 01") + str("a") + x("04")), kMalformed},
      {"3.1.1 [MQTT-3-8.3-4] reserved option bit 7", Version::v311,
       pk(0x82, x("00 01") + str("a") + x("80")), kMalformed},
      {"[MQTT-3.8.3-5] reserved option bit 6", Version::v5, subscribe5("", str("a") + x("40")),
       kMalformed},
      {"[MQTT-3.8.3-5] reserved option bit 7", Version::v5, subscribe5("", str("a") + x("81")),
       kMalformed},
      {"3.8.3.1 retain handling 3", Version::v5, subscribe5("", str("a") + x("30")), kProtocol},
      {"options byte missing", Version::v311, pk(0x82, x("00 01") + str("a")), kMalformed},
      {"options byte of the second filter missing", Version::v5,
       subscribe5("", str("a") + x("00") + str("b")), kMalformed},
      {"filter length past the body", Version::v311, pk(0x82, x("00 01 00 09") + "a" + x("00")),
       kMalformed},
      {"packet id cut short", Version::v311, pk(0x82, x("00")), kMalformed},
      {"3.8.2.1.2 two subscription identifiers", Version::v5,
       subscribe5(x("0B 01 0B 02"), str("a") + x("00")), kProtocol},
      {"3.8.2.1.2 subscription identifier 0", Version::v5,
       subscribe5(x("0B 00"), str("a") + x("00")), kProtocol},
      {"2.2.2.2 topic alias in SUBSCRIBE", Version::v5,
       subscribe5(x("23 00 01"), str("a") + x("00")), kMalformed},
      {"2.2.2.2 reason string in SUBSCRIBE", Version::v5,
       subscribe5(x("1F") + str("r"), str("a") + x("00")), kMalformed},
  };
  for (const Case& c : cases) expect_rejected(c);
}

TEST(MalformedSubscribe, Suback) {
  const Case cases[] = {
      {"3.9.3 no reason codes", Version::v311, pk(0x90, x("00 01")), kMalformed},
      {"3.9.3 no reason codes", Version::v5, pk(0x90, x("00 01 00")), kMalformed},
      {"3.1.1 3.9.3 return code 0x03 is reserved", Version::v311, pk(0x90, x("00 01 03")),
       kMalformed},
      {"3.1.1 3.9.3 return code 0x87 is MQTT 5's", Version::v311, pk(0x90, x("00 01 00 87")),
       kMalformed},
      {"[MQTT-2.2.1-3] packet id 0", Version::v311, pk(0x90, x("00 00 00")), kMalformed},
      {"[MQTT-2.2.1-3] packet id 0", Version::v5, pk(0x90, x("00 00 00 00")), kMalformed},
      {"2.2.2.2 subscription identifier in SUBACK", Version::v5, pk(0x90, x("00 01 02 0B 01 00")),
       kMalformed},
      {"3.9.2.1.2 reason string twice", Version::v5,
       pk(0x90, x("00 01") + props(x("1F") + str("a") + x("1F") + str("a")) + x("00")), kProtocol},
  };
  for (const Case& c : cases) expect_rejected(c);
}

TEST(MalformedSubscribe, UnsubscribeAndUnsuback) {
  const Case cases[] = {
      {"3.1.1 [MQTT-3.10.3-2] no topic filter", Version::v311, pk(0xA2, x("00 01")), kProtocol},
      {"[MQTT-3.10.3-2] no topic filter", Version::v5, pk(0xA2, x("00 01 00")), kProtocol},
      {"[MQTT-2.2.1-3] packet id 0", Version::v311, pk(0xA2, x("00 00") + str("a")), kMalformed},
      {"[MQTT-2.2.1-3] packet id 0", Version::v5, pk(0xA2, x("00 00 00") + str("a")), kMalformed},
      {"[MQTT-1.5.4-1] filter not UTF-8", Version::v311, pk(0xA2, x("00 01") + str("\xC0\xAF")),
       kMalformed},
      {"filter length past the body", Version::v5, pk(0xA2, x("00 01 00 00 05") + "ab"),
       kMalformed},
      {"one byte after the filter", Version::v311, pk(0xA2, x("00 01") + str("a") + x("00")),
       kMalformed},
      {"2.2.2.2 subscription identifier in UNSUBSCRIBE", Version::v5,
       pk(0xA2, x("00 01 02 0B 01") + str("a")), kMalformed},
      {"3.1.1 UNSUBACK is two bytes", Version::v311, pk(0xB0, x("00 01 00")), kMalformed},
      {"3.11.3 MQTT 5 UNSUBACK without reason codes", Version::v5, pk(0xB0, x("00 01 00")),
       kMalformed},
      {"[MQTT-2.2.1-3] UNSUBACK packet id 0", Version::v311, pk(0xB0, x("00 00")), kMalformed},
      {"[MQTT-2.2.1-3] UNSUBACK packet id 0", Version::v5, pk(0xB0, x("00 00 00 00")), kMalformed},
      {"UNSUBACK cut short", Version::v311, pk(0xB0, x("00")), kMalformed},
      {"2.2.2.2 topic alias in UNSUBACK", Version::v5, pk(0xB0, x("00 01 03 23 00 01 00")),
       kMalformed},
  };
  for (const Case& c : cases) expect_rejected(c);
}

// --- PINGREQ, PINGRESP, DISCONNECT, AUTH ---

TEST(MalformedOther, PingDisconnectAuth) {
  const Case cases[] = {
      {"3.12 PINGREQ has no body", Version::v311, pk(0xC0, x("00")), kMalformed},
      {"3.13 PINGRESP has no body", Version::v5, pk(0xD0, x("00")), kMalformed},
      {"3.1.1 DISCONNECT has no body", Version::v311, pk(0xE0, x("00")), kMalformed},
      {"2.2.2.2 receive maximum in DISCONNECT", Version::v5,
       pk(0xE0, x("00") + props(x("21 00 01"))), kMalformed},
      {"3.14.2.2.4 server reference twice", Version::v5,
       pk(0xE0, x("9C") + props(x("1C") + str("a") + x("1C") + str("a"))), kProtocol},
      {"3.14.2.2.2 session expiry twice", Version::v5,
       pk(0xE0, x("00") + props(x("11 00 00 00 01 11 00 00 00 01"))), kProtocol},
      {"[MQTT-1.5.4-1] reason string not UTF-8", Version::v5,
       pk(0xE0, x("80") + props(x("1F") + str("\xFF"))), kMalformed},
      {"bytes after the DISCONNECT properties", Version::v5, pk(0xE0, x("00 00 00")), kMalformed},
      {"2.2.2.2 session expiry in AUTH", Version::v5,
       pk(0xF0, x("18") + props(x("11 00 00 00 01"))), kMalformed},
      {"3.15.2.2.2 authentication method twice", Version::v5,
       pk(0xF0, x("18") + props(x("15") + str("a") + x("15") + str("a"))), kProtocol},
      {"3.15.2.2.3 authentication data twice", Version::v5,
       pk(0xF0, x("18") + props(x("15") + str("a") + x("16") + str("d") + x("16") + str("d"))),
       kProtocol},
      {"3.15.2.2.3 authentication data without a method", Version::v5,
       pk(0xF0, x("18") + props(x("16") + str("d"))), kProtocol},
      {"bytes after the AUTH properties", Version::v5, pk(0xF0, x("18 00 00")), kMalformed},
  };
  for (const Case& c : cases) expect_rejected(c);
}

// --- Which property may appear where: spec 2.2.2.2, table 2-4 ---

TEST(MalformedProperties, OnlyWhereTable2_4AllowsThem) {
  // The table as the spec prints it, independent of the decoder's.
  const std::map<int, std::set<std::string>> allowed = {
      {0x01, {"PUBLISH", "Will"}},
      {0x02, {"PUBLISH", "Will"}},
      {0x03, {"PUBLISH", "Will"}},
      {0x08, {"PUBLISH", "Will"}},
      {0x09, {"PUBLISH", "Will"}},
      {0x0B, {"PUBLISH", "SUBSCRIBE"}},
      {0x11, {"CONNECT", "CONNACK", "DISCONNECT"}},
      {0x12, {"CONNACK"}},
      {0x13, {"CONNACK"}},
      {0x15, {"CONNECT", "CONNACK", "AUTH"}},
      {0x16, {"CONNECT", "CONNACK", "AUTH"}},
      {0x17, {"CONNECT"}},
      {0x18, {"Will"}},
      {0x19, {"CONNECT"}},
      {0x1A, {"CONNACK"}},
      {0x1C, {"CONNACK", "DISCONNECT"}},
      {0x1F,
       {"CONNACK", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBACK", "UNSUBACK", "DISCONNECT",
        "AUTH"}},
      {0x21, {"CONNECT", "CONNACK"}},
      {0x22, {"CONNECT", "CONNACK"}},
      {0x23, {"PUBLISH"}},
      {0x24, {"CONNACK"}},
      {0x25, {"CONNACK"}},
      {0x26,
       {"CONNECT", "CONNACK", "PUBLISH", "Will", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
        "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "DISCONNECT", "AUTH"}},
      {0x27, {"CONNECT", "CONNACK"}},
      {0x28, {"CONNACK"}},
      {0x29, {"CONNACK"}},
      {0x2A, {"CONNACK"}},
  };
  // A valid value of each property's data type (2.2.2.2).
  auto value_of = [](int id) -> std::string {
    switch (id) {
      case 0x01:
      case 0x17:
      case 0x19:
      case 0x24:
      case 0x25:
      case 0x28:
      case 0x29:
      case 0x2A:
        return x("01");  // Byte
      case 0x13:
      case 0x21:
      case 0x22:
      case 0x23:
        return x("00 05");  // Two Byte Integer
      case 0x02:
      case 0x11:
      case 0x18:
      case 0x27:
        return x("00 00 00 07");  // Four Byte Integer
      case 0x0B:
        return x("03");  // Variable Byte Integer
      case 0x09:
      case 0x16:
        return str("\0\xFF"s);  // Binary Data
      case 0x26:
        return str("k") + str("v");  // UTF-8 String Pair
      default:
        return str("x");  // UTF-8 Encoded String
    }
  };
  // Each packet with the property block P where its properties go.
  const std::vector<std::pair<std::string, std::function<std::string(const std::string&)>>>
      contexts = {
          {"CONNECT", [](const std::string& p) { return pk(0x10, connect5(0x02, p, str("c"))); }},
          {"Will",
           [](const std::string& p) {
             return pk(0x10, connect5(0x06, x("00"), str("c") + p + str("w") + str("x")));
           }},
          {"CONNACK", [](const std::string& p) { return pk(0x20, x("00 00") + p); }},
          {"PUBLISH",
           [](const std::string& p) { return pk(0x32, str("t") + x("00 01") + p + "payload"); }},
          {"PUBACK", [](const std::string& p) { return pk(0x40, x("00 01 00") + p); }},
          {"PUBREC", [](const std::string& p) { return pk(0x50, x("00 01 00") + p); }},
          {"PUBREL", [](const std::string& p) { return pk(0x62, x("00 01 00") + p); }},
          {"PUBCOMP", [](const std::string& p) { return pk(0x70, x("00 01 00") + p); }},
          {"SUBSCRIBE",
           [](const std::string& p) { return pk(0x82, x("00 01") + p + str("a") + x("00")); }},
          {"SUBACK", [](const std::string& p) { return pk(0x90, x("00 01") + p + x("00")); }},
          {"UNSUBSCRIBE", [](const std::string& p) { return pk(0xA2, x("00 01") + p + str("a")); }},
          {"UNSUBACK", [](const std::string& p) { return pk(0xB0, x("00 01") + p + x("00")); }},
          {"DISCONNECT", [](const std::string& p) { return pk(0xE0, x("00") + p); }},
          {"AUTH", [](const std::string& p) { return pk(0xF0, x("18") + p); }},
      };
  for (const auto& [context, build] : contexts) {
    ASSERT_TRUE(decode_packet(build(x("00")), Version::v5)) << context << " without properties";
    for (int id = 0; id < 0x80; ++id) {
      std::string block = std::string(1, static_cast<char>(id)) + value_of(id);
      // Authentication data needs its method (3.1.2.11.10, 3.2.2.3.18, 3.15.2.2.3).
      if (id == 0x16) block = x("15") + str("m") + block;
      const std::string packet = build(props(block));
      const auto it = allowed.find(id);
      const bool ok = it != allowed.end() && it->second.contains(context);
      const Decoded d = decode_packet(packet, Version::v5);
      if (ok) {
        EXPECT_TRUE(d) << fmt::format("property {:#04x} in {}: {}", id, context,
                                      d ? "" : d.error().what);
      } else {
        ASSERT_FALSE(d) << fmt::format("property {:#04x} in {} was accepted", id, context);
        EXPECT_EQ(d.error().reason, kMalformed)
            << fmt::format("property {:#04x} in {}: {}", id, context, d.error().what);
      }
    }
  }
}

// --- Truncation and bytes after the end ---

// Valid packets of every kind, encoded, to cut short and extend.
struct Valid {
  Version version;
  std::string bytes;
  bool every_prefix_fails;  // false where a prefix is itself a valid packet
};

std::vector<Valid> valid_packets() {
  std::vector<Valid> out;
  auto add = [&](const Packet& p, Version v, bool strict) {
    std::string bytes;
    encode(p, v, bytes);
    out.push_back({v, bytes, strict});
  };
  UserProperties users = {{"k", "v"}, {"k", ""}};
  for (Version v : {Version::v31, Version::v311, Version::v5}) {
    const bool v5 = v == Version::v5;
    Connect c;
    c.version = v;
    c.client_id = "meter-17";
    c.will = Will{.topic = "w/1", .payload = "bye", .qos = 1, .retain = true, .properties = {}};
    c.username = "u";
    c.password = std::string_view("\0p", 2);
    if (v5) {
      c.properties.session_expiry = 60;
      c.properties.receive_maximum = 5;
      c.properties.user_properties = users;
      c.properties.auth_method = "m";
      c.properties.auth_data = "d";
      c.will->properties.will_delay = 5;
      c.will->properties.content_type = "text/plain";
    }
    add(c, v, true);
    Connack ack{.session_present = true, .reason = 0, .properties = {}};
    if (v5) {
      ack.properties.assigned_client_id = "auto-1";
      ack.properties.maximum_qos = 1;
      ack.properties.user_properties = users;
    }
    add(ack, v, true);
    Publish p;
    p.topic = "b/7/temperature";
    p.payload = "21.5";
    p.qos = 1;
    p.packet_id = 9;
    if (v5) {
      p.properties.message_expiry = 60;
      p.properties.subscription_ids = {1, 300};
      p.properties.user_properties = users;
    }
    add(p, v, false);
    for (PacketType t :
         {PacketType::puback, PacketType::pubrec, PacketType::pubrel, PacketType::pubcomp}) {
      Ack a{.type = t,
            .packet_id = 7,
            .reason = v5 ? reason::unspecified_error : reason::success,
            .properties = {}};
      if (v5) a.properties.reason_string = "no";
      add(a, v, !v5);
    }
    Subscribe s;
    s.packet_id = 3;
    s.topics = {{.filter = "a/+/b", .qos = 2}};
    if (v5) s.properties.subscription_ids = {5};
    add(s, v, true);
    add(Suback{.packet_id = 3, .reasons = {1, 0x80}, .properties = {}}, v, false);
    add(Unsubscribe{.packet_id = 4, .filters = {"a/+/b"}, .properties = {}}, v, true);
    add(Unsuback{.packet_id = 4,
                 .reasons = v5 ? std::vector<std::uint8_t>{0x11} : std::vector<std::uint8_t>{},
                 .properties = {}},
        v, true);
    add(Ping{PacketType::pingreq}, v, true);
    add(Ping{PacketType::pingresp}, v, true);
    if (v5) {
      Disconnect d{.reason = reason::server_shutting_down, .properties = {}};
      d.properties.reason_string = "maintenance";
      d.properties.server_reference = "other";
      add(d, v, false);
      Auth au{.reason = 0x18, .properties = {}};
      au.properties.auth_method = "SCRAM-SHA-1";
      au.properties.auth_data = "abc";
      add(au, v, false);
    }
  }
  return out;
}

TEST(MalformedTruncated, EveryPrefixFailsCleanly) {
  // Every prefix of a valid packet's body, framed as a whole packet, either
  // fails with 0x81 or 0x82 or (PUBLISH payloads, optional trailing fields,
  // lists) is itself a packet; where no prefix can be a packet, all fail.
  int failures = 0;
  for (const Valid& v : valid_packets()) {
    FrameHeader h;
    ASSERT_EQ(read_frame(v.bytes, 1 << 20, h), FrameStatus::complete);
    ASSERT_TRUE(decode(h, std::string_view(v.bytes).substr(h.header_size), v.version))
        << hex(v.bytes);
    const std::string body = v.bytes.substr(h.header_size);
    for (std::size_t n = 0; n < body.size(); ++n) {
      // A copy of just the prefix, so ASan catches a read past its end.
      const std::string prefix = body.substr(0, n);
      FrameHeader cut = h;
      cut.body_size = static_cast<std::uint32_t>(n);
      const Decoded d = decode(cut, prefix, v.version);
      if (!d) {
        ++failures;
        EXPECT_TRUE(d.error().reason == kMalformed || d.error().reason == kProtocol)
            << hex(prefix) << d.error().what;
      } else {
        EXPECT_FALSE(v.every_prefix_fails)
            << "a prefix of " << n << " bytes decoded: " << hex(v.bytes);
      }
    }
  }
  EXPECT_GT(failures, 400);  // the loop ran: 439 prefixes of these packets fail
}

TEST(MalformedTruncated, BytesAfterTheEnd) {
  // Packets whose end is fixed by their content: anything after it is
  // malformed. (A PUBLISH payload runs to the end; SUBSCRIBE, SUBACK,
  // UNSUBSCRIBE and MQTT 5's UNSUBACK end in lists, where more bytes may be
  // one more entry: an empty filter is the broker's to refuse, per filter.)
  int checked = 0;
  for (const Valid& v : valid_packets()) {
    const auto type = static_cast<PacketType>(static_cast<unsigned char>(v.bytes[0]) >> 4);
    if (type == PacketType::publish || type == PacketType::subscribe ||
        type == PacketType::suback || type == PacketType::unsubscribe ||
        (type == PacketType::unsuback && v.version == Version::v5))
      continue;
    ++checked;
    FrameHeader h;
    ASSERT_EQ(read_frame(v.bytes, 1 << 20, h), FrameStatus::complete);
    for (const std::string& extra : {x("00"), x("01"), x("7F"), x("80"), x("FF"), x("00 00 00")}) {
      const std::string body = v.bytes.substr(h.header_size) + extra;
      FrameHeader longer = h;
      longer.body_size = static_cast<std::uint32_t>(body.size());
      const Decoded d = decode(longer, body, v.version);
      ASSERT_FALSE(d) << hex(v.bytes) << "+ " << hex(extra);
      EXPECT_EQ(d.error().reason, kMalformed) << hex(v.bytes) << "+ " << hex(extra);
    }
  }
  // CONNECT, CONNACK, four acks, two pings in each version; UNSUBACK in 3.1
  // and 3.1.1; DISCONNECT and AUTH in 5.
  EXPECT_EQ(checked, 3 * 8 + 2 + 2);
}

// --- The UTF-8 rule itself (wire.h) ---

TEST(MalformedUtf8, WellFormedStringsPass) {
  // RFC 3629 table 3-7's edges, and the ones MQTT allows that look odd.
  for (const std::string& s :
       {""s, "a"s, "\x7F"s, "\xC2\x80"s, "\xDF\xBF"s, "\xE0\xA0\x80"s, "\xED\x9F\xBF"s /* U+D7FF */,
        "\xEE\x80\x80"s /* U+E000 */, "\xEF\xBB\xBF"s /* U+FEFF, kept [MQTT-1.5.4-3] */,
        "\xEF\xBF\xBF"s /* U+FFFF */, "\xF0\x90\x80\x80"s, "\xF4\x8F\xBF\xBF"s /* U+10FFFF */,
        "b/€/\xF0\x9F\x8C\xA1"s, "\x01\x1F"s /* controls: SHOULD NOT, not malformed */})
    EXPECT_TRUE(wire::valid_utf8(s)) << hex(s);
}

TEST(MalformedUtf8, EveryLeadByteAgainstEveryContinuation) {
  // Exhaustive over two-byte prefixes: a lead byte is accepted with a second
  // byte exactly where RFC 3629 table 3-7 says.
  for (int lead = 0x80; lead <= 0xFF; ++lead) {
    for (int second = 0; second <= 0xFF; ++second) {
      int lo = 0x80, hi = 0xBF, len = 0;
      if (lead >= 0xC2 && lead <= 0xDF) len = 2;
      if (lead >= 0xE0 && lead <= 0xEF) len = 3;
      if (lead >= 0xF0 && lead <= 0xF4) len = 4;
      if (lead == 0xE0) lo = 0xA0;
      if (lead == 0xED) hi = 0x9F;
      if (lead == 0xF0) lo = 0x90;
      if (lead == 0xF4) hi = 0x8F;
      std::string s{static_cast<char>(lead), static_cast<char>(second)};
      s.append(len > 2 ? len - 2 : 0, '\x80');
      const bool expected = len > 0 && second >= lo && second <= hi;
      ASSERT_EQ(wire::valid_utf8(s), expected) << hex(s);
    }
  }
}

}  // namespace
}  // namespace citypulse::mqtt
