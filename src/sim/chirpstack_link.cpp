// ChirpstackLink: uplinks as ChirpStack v4's HTTP integration posts them
// (JSON marshaler: integration.proto's UplinkEvent in the protobuf JSON
// mapping, lowerCamelCase names, zero / false / empty members left out,
// 64-bit integers as numbers where they fit 32 bits, bytes as base64).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <unordered_map>

#include "core/text.h"
#include "core/time.h"
#include "sim/device_link.h"
#include "sim/http_poster.h"
#include "sim/link_text.h"

namespace citypulse::sim {
namespace {

// EU868: the three default channels and five a network server adds.
constexpr std::array<std::uint32_t, 8> kEu868Channels = {868'100'000, 868'300'000, 868'500'000,
                                                         867'100'000, 867'300'000, 867'500'000,
                                                         867'700'000, 867'900'000};

std::uint64_t fnv1a(std::string_view text, std::uint64_t seed = 0xcbf29ce484222325ULL) {
  std::uint64_t hash = seed;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// 128 bits as an RFC 9562 UUID of `version` (the variant bits set).
std::string uuid(std::uint64_t high, std::uint64_t low, unsigned version) {
  high = (high & ~0xF000ULL) | (std::uint64_t{version} << 12);
  low = (low & ~(0xC000ULL << 48)) | (0x8000ULL << 48);
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFF'FFFF'FFFFULL);
}

// A stable id for a name, shaped like the UUIDs ChirpStack gives its
// tenants, applications and device profiles.
std::string uuid_of_name(std::string_view kind, std::string_view name) {
  const std::string key = fmt::format("{}:{}", kind, name);
  return uuid(fnv1a(key), fnv1a(key, 0x84222325cbf29ce4ULL), 5);
}

// Standard base64 with padding (RFC 4648 section 4), as the protobuf JSON
// mapping writes bytes.
std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The FRMPayload a Cayenne LPP device would send: per value its channel
// (1, 2, ...), type 2 (analog input) and the value in hundredths as a
// big-endian int16 (clamped: the format has no more).
std::string cayenne_payload(const Telemetry& telemetry) {
  std::string bytes;
  std::uint8_t channel = 0;
  for (const auto& [key, value] : telemetry.values) {
    const auto hundredths = std::lround(std::clamp(value * 100, -32768.0, 32767.0));
    const auto raw = static_cast<std::uint16_t>(static_cast<std::int16_t>(hundredths));
    bytes += static_cast<char>(++channel);
    bytes += static_cast<char>(0x02);
    bytes += static_cast<char>(raw >> 8);
    bytes += static_cast<char>(raw & 0xFF);
  }
  return bytes;
}

// What ADR would settle on at this signal: a faster data rate the stronger
// the signal. EU868 DR0..DR5 are SF12..SF7 at 125 kHz.
int spreading_factor(double rssi) {
  constexpr std::array<double, 5> kFloors = {-100, -105, -110, -115, -120};  // SF7..SF11
  for (std::size_t i = 0; i < kFloors.size(); ++i)
    if (rssi >= kFloors[i]) return 7 + static_cast<int>(i);
  return 12;
}

bool is_dev_eui(std::string_view text) {
  return text.size() == 16 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

}  // namespace

struct ChirpstackLink::State {
  explicit State(ChirpstackLinkOptions o)
      : options(std::move(o)),
        http(options.port, options.timeout_ms),
        tenant_id(uuid_of_name("tenant", options.tenant_name)),
        application_id(uuid_of_name("application", options.application_name)),
        device_profile_id(uuid_of_name("device-profile", options.device_profile_name)) {
    // Not the simulator's seed: deduplication ids must differ from those of
    // an earlier run with the same seed, or the server would take the new
    // uplinks for re-deliveries of the old ones and store nothing.
    std::random_device entropy;
    std::seed_seq seed{entropy(), entropy(), entropy(), entropy()};
    random.seed(seed);
  }

  ChirpstackLinkOptions options;
  HttpPoster http;
  std::string tenant_id, application_id, device_profile_id;
  std::mt19937_64 random;
  std::unordered_map<std::string, std::uint32_t> f_cnt;  // by DevEUI: the next uplink's FCnt
};

ChirpstackLink::ChirpstackLink(ChirpstackLinkOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}
ChirpstackLink::~ChirpstackLink() = default;
ChirpstackLink::ChirpstackLink(ChirpstackLink&&) noexcept = default;
ChirpstackLink& ChirpstackLink::operator=(ChirpstackLink&&) noexcept = default;

Status ChirpstackLink::uplink(const std::string& dev_eui, const std::string& device_name,
                              const Telemetry& telemetry, double rssi, double snr) {
  if (!state_) return fail(ErrorCode::internal, "a moved-from ChirpstackLink");
  State& s = *state_;
  if (!is_dev_eui(dev_eui))
    return fail(ErrorCode::invalid,
                fmt::format("a DevEUI is 16 hex digits, not '{}'", printable(dev_eui)), "dev_eui");
  if (!std::isfinite(rssi) || !std::isfinite(snr))
    return fail(ErrorCode::invalid, "the RSSI and SNR must be finite numbers", "rssi");
  if (s.options.secret.empty() ||
      std::any_of(s.options.secret.begin(), s.options.secret.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return fail(ErrorCode::invalid, "the integration secret is empty or holds control characters",
                "secret");
  const std::string eui = lower_ascii(dev_eui);  // ChirpStack writes DevEUIs in lower case
  std::string object;
  if (auto made = append_json_values(object, telemetry); !made) return made;

  // A real device counts every frame it sends, delivered or not.
  const std::uint32_t f_cnt = s.f_cnt[eui]++;
  const std::string time = format_rfc3339(telemetry.ts);
  const int sf = spreading_factor(rssi);
  const std::size_t channel = s.random() % kEu868Channels.size();
  // NetID 000000 (experimental): the DevAddr's top seven bits are zero.
  const std::uint32_t dev_addr = static_cast<std::uint32_t>(fnv1a(eui)) & 0x01FF'FFFFU;
  std::string context(4, '\0');
  for (char& c : context) c = static_cast<char>(s.random() & 0xFF);

  std::string body;
  auto out = std::back_inserter(body);
  fmt::format_to(out, R"({{"deduplicationId":"{}","time":"{}","deviceInfo":{{)",
                 uuid(s.random(), s.random(), 4), time);
  fmt::format_to(out, R"("tenantId":"{}","tenantName":)", s.tenant_id);
  append_json_string(body, s.options.tenant_name);
  fmt::format_to(out, R"(,"applicationId":"{}","applicationName":)", s.application_id);
  append_json_string(body, s.options.application_name);
  fmt::format_to(out, R"(,"deviceProfileId":"{}","deviceProfileName":)", s.device_profile_id);
  append_json_string(body, s.options.device_profile_name);
  body += R"(,"deviceName":)";
  append_json_string(body, device_name);
  fmt::format_to(out, R"(,"devEui":"{}"}},"devAddr":"{:08x}","adr":true)", eui, dev_addr);
  if (sf != 12) fmt::format_to(out, R"(,"dr":{})", 12 - sf);  // DR0 is left out
  if (f_cnt != 0) fmt::format_to(out, R"(,"fCnt":{})", f_cnt);
  if (s.options.f_port != 0) fmt::format_to(out, R"(,"fPort":{})", s.options.f_port);
  fmt::format_to(out, R"(,"data":"{}","object":)", base64(cayenne_payload(telemetry)));
  body += object;
  body += R"(,"rxInfo":[{"gatewayId":)";
  append_json_string(body, s.options.gateway_id);
  // uplinkId is a random uint32 ChirpStack gives each reception.
  fmt::format_to(out, R"(,"uplinkId":{},"gwTime":"{}","nsTime":"{}","rssi":{},"snr":{})",
                 static_cast<std::uint32_t>(s.random() | 1), time, time, std::lround(rssi), snr);
  if (channel != 0) fmt::format_to(out, R"(,"channel":{})", channel);
  if (channel >= 3) body += R"(,"rfChain":1)";  // the added channels' radio
  fmt::format_to(out,
                 R"(,"context":"{}","metadata":{{"region_config_id":"eu868",)"
                 R"("region_common_name":"EU868"}},"crcStatus":"CRC_OK"}}])",
                 base64(context));
  fmt::format_to(out,
                 R"(,"txInfo":{{"frequency":{},"modulation":{{"lora":{{"bandwidth":125000,)"
                 R"("spreadingFactor":{},"codeRate":"CR_4_5"}}}}}}}})",
                 kEu868Channels[channel], sf);

  const std::array<std::string, 1> headers = {"Authorization: Bearer " + s.options.secret};
  const std::string what = fmt::format("the ChirpStack uplink of {}", eui);
  auto answer = s.http.post_json("/api/v1/integrations/chirpstack?event=up", headers, body, what);
  if (!answer) return fail(answer.error());
  return check_ingest_answer(*answer, s.http.peer(), what);
}

}  // namespace citypulse::sim
