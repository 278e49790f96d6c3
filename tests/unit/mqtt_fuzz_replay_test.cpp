// Runs the MQTT decoder's fuzz target (fuzz/mqtt_decoder_fuzz.cpp) over a few
// thousand deterministic mutations of valid packets of every type, so
// `make test` (g++, no libFuzzer) exercises it on every run, under ASan/UBSan
// in that build. The target traps on any broken promise of codec.h; a trap
// here fails the test binary.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "transport/mqtt/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace citypulse::mqtt {
namespace {

int run_target(const std::string& input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

// Valid packets of every type in 3.1, 3.1.1 and 5.0, with every kind of
// property, as a fuzzer's seed corpus; the last seed is all of a version's
// packets as one stream.
std::vector<std::string> seed_packets() {
  std::vector<std::string> seeds;
  const UserProperties users = {{"site", "north"}, {"k", ""}};
  for (Version v : {Version::v31, Version::v311, Version::v5}) {
    const bool v5 = v == Version::v5;
    std::vector<Packet> packets;
    Connect c;
    c.version = v;
    c.client_id = "meter-17";
    c.clean_start = false;
    c.keep_alive = 30;
    c.will = Will{
        .topic = "b/7/status", .payload = "offline", .qos = 1, .retain = true, .properties = {}};
    c.username = "ops";
    c.password = "secret";
    if (v5) {
      c.properties.session_expiry = 3600;
      c.properties.receive_maximum = 20;
      c.properties.maximum_packet_size = 65536;
      c.properties.topic_alias_maximum = 10;
      c.properties.request_response_info = 1;
      c.properties.request_problem_info = 0;
      c.properties.user_properties = users;
      c.properties.auth_method = "SCRAM-SHA-1";
      c.properties.auth_data = "client-first";
      c.will->properties.will_delay = 30;
      c.will->properties.payload_format = 1;
      c.will->properties.message_expiry = 600;
      c.will->properties.content_type = "text/plain";
      c.will->properties.response_topic = "r";
      c.will->properties.correlation_data = "x";
      c.will->properties.user_properties = users;
    }
    packets.push_back(c);
    Connack ack{.session_present = true, .reason = reason::success, .properties = {}};
    if (v5) {
      Properties& p = ack.properties;
      p.session_expiry = 60;
      p.receive_maximum = 100;
      p.maximum_qos = 1;
      p.retain_available = 1;
      p.maximum_packet_size = 1 << 20;
      p.assigned_client_id = "auto-1";
      p.topic_alias_maximum = 5;
      p.reason_string = "ok";
      p.user_properties = users;
      p.wildcard_available = 1;
      p.subscription_ids_available = 1;
      p.shared_available = 0;
      p.server_keep_alive = 60;
      p.response_info = "resp/";
      p.server_reference = "other";
    }
    packets.push_back(ack);
    for (std::uint8_t qos = 0; qos <= 2; ++qos) {
      Publish p;
      p.topic = "b/7/f/2/temperature";
      p.payload = R"({"v":21.5})";
      p.qos = qos;
      p.retain = qos == 0;
      p.dup = qos == 2;
      p.packet_id = qos == 0 ? 0 : 42;
      if (v5) {
        p.properties.payload_format = 1;
        p.properties.message_expiry = 60;
        p.properties.topic_alias = 3;
        p.properties.response_topic = "r/1";
        p.properties.correlation_data = "c";
        p.properties.user_properties = users;
        p.properties.subscription_ids = {1, 16384};
        p.properties.content_type = "application/json";
      }
      packets.push_back(p);
    }
    for (PacketType t :
         {PacketType::puback, PacketType::pubrec, PacketType::pubrel, PacketType::pubcomp}) {
      Ack a{.type = t, .packet_id = 42, .reason = reason::success, .properties = {}};
      packets.push_back(a);
      if (v5) {
        a.reason = reason::unspecified_error;
        a.properties.reason_string = "no";
        a.properties.user_properties = users;
        packets.push_back(a);
      }
    }
    Subscribe s;
    s.packet_id = 7;
    s.topics = {{.filter = "b/+/f/+/temperature", .qos = 1},
                {.filter = "#",
                 .qos = 2,
                 .no_local = v5,
                 .retain_as_published = v5,
                 .retain_handling = static_cast<std::uint8_t>(v5 ? 2 : 0)}};
    if (v5) {
      s.properties.subscription_ids = {9};
      s.properties.user_properties = users;
    }
    packets.push_back(s);
    Suback sa{.packet_id = 7, .reasons = {1, 2, 0x80}, .properties = {}};
    if (v5) sa.properties.reason_string = "partly";
    packets.push_back(sa);
    Unsubscribe u{.packet_id = 8, .filters = {"b/+/f/+/temperature", "#"}, .properties = {}};
    if (v5) u.properties.user_properties = users;
    packets.push_back(u);
    Unsuback ua{.packet_id = 8, .reasons = {}, .properties = {}};
    if (v5) ua.reasons = {0, 0x11};
    packets.push_back(ua);
    packets.push_back(Ping{PacketType::pingreq});
    packets.push_back(Ping{PacketType::pingresp});
    if (v5) {
      Disconnect d{.reason = reason::server_shutting_down, .properties = {}};
      d.properties.session_expiry = 0;
      d.properties.reason_string = "bye";
      d.properties.server_reference = "other";
      d.properties.user_properties = users;
      packets.push_back(d);
      Auth au{.reason = 0x18, .properties = {}};
      au.properties.auth_method = "SCRAM-SHA-1";
      au.properties.auth_data = "server-first";
      au.properties.reason_string = "go on";
      packets.push_back(au);
    }
    std::string stream;
    for (const Packet& p : packets) {
      std::string one;
      encode(p, v, one);
      seeds.push_back(one);
      stream += one;
    }
    seeds.push_back(stream);
  }
  return seeds;
}

// A small mutator in the spirit of libFuzzer's: bit flips, byte overwrites
// (random, boundary and MQTT-meaningful values: property identifiers, UTF-8
// lead bytes, varint continuations), truncation, insertion, erasure,
// duplication and splices of two seeds.
std::string mutate(std::string input, const std::vector<std::string>& seeds, std::mt19937_64& rng) {
  static constexpr unsigned char kInteresting[] = {0x00, 0x01, 0x02, 0x03, 0x7F, 0x80, 0xFF,
                                                   0xC0, 0xED, 0xF4, 0x0B, 0x11, 0x15, 0x16,
                                                   0x1F, 0x23, 0x26, 0x30, 0x82};
  const int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    const std::size_t size = input.size();
    const std::size_t at = size == 0 ? 0 : rng() % size;
    switch (rng() % 8) {
      case 0:
        if (size > 0) input[at] = static_cast<char>(input[at] ^ (1u << (rng() % 8)));
        break;
      case 1:
        if (size > 0) input[at] = static_cast<char>(rng());
        break;
      case 2:
        if (size > 0) input[at] = static_cast<char>(kInteresting[rng() % sizeof kInteresting]);
        break;
      case 3:
        input.resize(size == 0 ? 0 : rng() % size);
        break;
      case 4: {
        std::string bytes(1 + rng() % 8, '\0');
        for (char& c : bytes) c = static_cast<char>(rng());
        input.insert(size == 0 ? 0 : rng() % (size + 1), bytes);
        break;
      }
      case 5:
        if (size > 0) input.erase(at, 1 + rng() % 8);
        break;
      case 6:
        if (size > 0) input.insert(at, input.substr(at, 1 + rng() % 16));
        break;
      default: {
        const std::string& other = seeds[rng() % seeds.size()];
        input = input.substr(0, size == 0 ? 0 : rng() % (size + 1)) +
                other.substr(rng() % other.size());
        break;
      }
    }
  }
  return input;
}

TEST(FuzzReplayMqttDecoder, SeedsPassTheTarget) {
  for (const std::string& seed : seed_packets()) EXPECT_EQ(run_target(seed), 0);
}

TEST(FuzzReplayMqttDecoder, ThousandsOfMutatedPackets) {
  const std::vector<std::string> seeds = seed_packets();
  std::mt19937_64 rng(0x4D515454);  // "MQTT"
  // How the mutations fare when framed as one packet (as the target's second
  // pass does): both outcomes must be common, or the replay tests little
  // (measured: 4,279 decoded, 31,069 refused).
  int decoded = 0;
  int refused = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string input = mutate(seeds[rng() % seeds.size()], seeds, rng);
    ASSERT_EQ(run_target(input), 0) << "mutation " << i;
    FrameHeader h;
    if (read_frame(input, 1u << 31, h) == FrameStatus::malformed || h.header_size == 0) continue;
    const std::string_view body = std::string_view(input).substr(h.header_size);
    h.body_size = static_cast<std::uint32_t>(body.size());
    for (Version v : {Version::v311, Version::v5}) (decode(h, body, v) ? decoded : refused) += 1;
  }
  EXPECT_GT(decoded, 1000);
  EXPECT_GT(refused, 1000);
}

TEST(FuzzReplayMqttDecoder, EdgeInputs) {
  std::vector<std::string> inputs = {std::string(),           std::string(1, '\0'),
                                     std::string(2, '\0'),    std::string(5, '\xff'),
                                     std::string(64, '\xff'), std::string(100, '\0')};
  // Every first byte alone and with an empty body, a one-byte body and a
  // Remaining Length of every size.
  for (int b = 0; b < 256; ++b) {
    const char first = static_cast<char>(b);
    for (const std::string& rest :
         {std::string(), std::string("\x00", 1), std::string("\x01\x00", 2),
          std::string("\x80\x01", 2), std::string("\xFF\xFF\xFF\x7F", 4),
          std::string("\x80\x80\x80\x80\x01", 5)})
      inputs.push_back(first + rest);
  }
  for (const std::string& input : inputs) EXPECT_EQ(run_target(input), 0);
}

}  // namespace
}  // namespace citypulse::mqtt
