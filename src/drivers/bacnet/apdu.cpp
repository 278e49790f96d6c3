#include "drivers/bacnet/apdu.h"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <utility>

#include "drivers/bacnet/application_tags.h"

namespace citypulse::bacnet {
namespace {

constexpr std::uint8_t kSegmented = 0x08;
constexpr std::uint8_t kMoreFollows = 0x04;
constexpr std::uint8_t kMaxApdu1476 = 0x05;  // max segments 0 (unspecified), 1476 octets

std::unexpected<Error> refused(const std::string& what) {
  return fail(ErrorCode::bad_request, "BACnet APDU: " + what);
}

// Names of the values a device's failure is most often stated in (clause 21).
constexpr std::array<std::pair<std::uint32_t, std::string_view>, 8> kErrorClasses = {
    {{0, "device"},
     {1, "object"},
     {2, "property"},
     {3, "resources"},
     {4, "security"},
     {5, "services"},
     {6, "vm"},
     {7, "communication"}}};
constexpr std::array<std::pair<std::uint32_t, std::string_view>, 14> kErrorCodes = {
    {{0, "other"},
     {2, "configuration-in-progress"},
     {3, "device-busy"},
     {9, "invalid-data-type"},
     {25, "operational-problem"},
     {27, "read-access-denied"},
     {31, "unknown-object"},
     {32, "unknown-property"},
     {37, "value-out-of-range"},
     {40, "write-access-denied"},
     {42, "invalid-array-index"},
     {44, "not-cov-property"},
     {45, "optional-functionality-not-supported"},
     {50, "property-is-not-an-array"}}};
constexpr std::array<std::pair<std::uint32_t, std::string_view>, 10> kRejectReasons = {
    {{0, "other"},
     {1, "buffer-overflow"},
     {2, "inconsistent-parameters"},
     {3, "invalid-parameter-data-type"},
     {4, "invalid-tag"},
     {5, "missing-required-parameter"},
     {6, "parameter-out-of-range"},
     {7, "too-many-arguments"},
     {8, "undefined-enumeration"},
     {9, "unrecognized-service"}}};
constexpr std::array<std::pair<std::uint32_t, std::string_view>, 6> kAbortReasons = {
    {{0, "other"},
     {1, "buffer-overflow"},
     {2, "invalid-apdu-in-this-state"},
     {3, "preempted-by-higher-priority-task"},
     {4, "segmentation-not-supported"},
     {5, "security-error"}}};

template <std::size_t N>
std::string name_of(const std::array<std::pair<std::uint32_t, std::string_view>, N>& names,
                    std::uint32_t value) {
  for (const auto& [v, name] : names)
    if (v == value) return std::string(name);
  return std::to_string(value);
}

// The max-APDU-length-accepted code of a confirmed request (20.1.2.5).
std::uint16_t max_apdu_of(std::uint8_t code) {
  constexpr std::array<std::uint16_t, 6> kLengths = {50, 128, 206, 480, 1024, 1476};
  return code < kLengths.size() ? kLengths[code] : 50;
}

}  // namespace

std::vector<std::uint8_t> confirmed_request(std::uint8_t invoke_id, std::uint8_t service,
                                            std::span<const std::uint8_t> parameters) {
  std::vector<std::uint8_t> out = {0x00, kMaxApdu1476, invoke_id, service};
  out.insert(out.end(), parameters.begin(), parameters.end());
  return out;
}

std::vector<std::uint8_t> unconfirmed_request(std::uint8_t service,
                                              std::span<const std::uint8_t> parameters) {
  std::vector<std::uint8_t> out = {0x10, service};
  out.insert(out.end(), parameters.begin(), parameters.end());
  return out;
}

std::vector<std::uint8_t> abort_request(std::uint8_t invoke_id, std::uint8_t reason) {
  return {0x70, invoke_id, reason};
}

std::vector<std::uint8_t> simple_ack(std::uint8_t invoke_id, std::uint8_t service) {
  return {0x20, invoke_id, service};
}

std::vector<std::uint8_t> complex_ack(std::uint8_t invoke_id, std::uint8_t service,
                                      std::span<const std::uint8_t> parameters) {
  std::vector<std::uint8_t> out = {0x30, invoke_id, service};
  out.insert(out.end(), parameters.begin(), parameters.end());
  return out;
}

std::vector<std::uint8_t> error_pdu(std::uint8_t invoke_id, std::uint8_t service,
                                    std::uint32_t error_class, std::uint32_t error_code) {
  std::vector<std::uint8_t> out = {0x50, invoke_id, service};
  Encoder e(out);
  e.enumerated(error_class);
  e.enumerated(error_code);
  return out;
}

std::vector<std::uint8_t> reject_pdu(std::uint8_t invoke_id, std::uint8_t reason) {
  return {0x60, invoke_id, reason};
}

std::vector<std::uint8_t> server_abort(std::uint8_t invoke_id, std::uint8_t reason) {
  return {0x71, invoke_id, reason};
}

Result<Apdu> parse_apdu(std::span<const std::uint8_t> octets) {
  if (octets.empty()) return refused("empty");
  Apdu a;
  a.type = static_cast<PduType>(octets[0] >> 4);
  a.segmented = (octets[0] & kSegmented) != 0;
  a.more_follows = (octets[0] & kMoreFollows) != 0;
  // Octets before the service's parameters, by type (segments add two).
  std::size_t at = 0;
  const auto need = [&](std::size_t n) -> Status {
    if (octets.size() < n)
      return std::unexpected(
          refused(fmt::format("a {}-octet header cut short at {}", n, octets.size())));
    return {};
  };
  switch (a.type) {
    case PduType::confirmed_request: {
      const std::size_t n = a.segmented ? 6 : 4;
      if (auto s = need(n); !s) return std::unexpected(s.error());
      a.invoke_id = octets[2];
      a.service = octets[n - 1];
      a.segmented_accepted = (octets[0] & 0x02) != 0;
      a.max_apdu = max_apdu_of(octets[1] & 0x0F);
      at = n;
      break;
    }
    case PduType::unconfirmed_request:
      if (auto s = need(2); !s) return std::unexpected(s.error());
      a.service = octets[1];
      at = 2;
      break;
    case PduType::simple_ack:
      if (auto s = need(3); !s) return std::unexpected(s.error());
      a.invoke_id = octets[1];
      a.service = octets[2];
      at = 3;
      break;
    case PduType::complex_ack: {
      const std::size_t n = a.segmented ? 5 : 3;
      if (auto s = need(n); !s) return std::unexpected(s.error());
      a.invoke_id = octets[1];
      a.service = octets[n - 1];
      at = n;
      break;
    }
    case PduType::segment_ack:
      if (auto s = need(4); !s) return std::unexpected(s.error());
      a.invoke_id = octets[1];
      at = 4;
      break;
    case PduType::error: {
      if (auto s = need(3); !s) return std::unexpected(s.error());
      a.invoke_id = octets[1];
      a.service = octets[2];
      Reader r(octets.subspan(3));
      auto cls = r.enumerated();
      if (!cls) return refused("an Error without its class: " + cls.error().message);
      auto code = r.enumerated();
      if (!code) return refused("an Error without its code: " + code.error().message);
      a.error_class = *cls;
      a.error_code = *code;
      at = 3 + r.offset();
      break;
    }
    case PduType::reject:
    case PduType::abort:
      if (auto s = need(3); !s) return std::unexpected(s.error());
      a.invoke_id = octets[1];
      a.reason = octets[2];
      at = 3;
      break;
    default:
      return std::unexpected(
          refused(fmt::format("PDU type {} is not one of BACnet's", octets[0] >> 4)));
  }
  a.body = octets.subspan(at);
  return a;
}

std::string describe_error(std::uint32_t error_class, std::uint32_t error_code) {
  return fmt::format("{}: {}", name_of(kErrorClasses, error_class),
                     name_of(kErrorCodes, error_code));
}

std::string describe_failure(const Apdu& a) {
  switch (a.type) {
    case PduType::error:
      return describe_error(a.error_class, a.error_code);
    case PduType::reject:
      return "reject: " + name_of(kRejectReasons, a.reason);
    case PduType::abort:
      return "abort: " + name_of(kAbortReasons, a.reason);
    default:
      return fmt::format("an unexpected PDU of type {}", static_cast<int>(a.type));
  }
}

}  // namespace citypulse::bacnet
