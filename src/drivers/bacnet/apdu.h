// The APDU header (ASHRAE 135 clause 20.1): what kind of message a datagram
// carries, its invoke id and its service, around the service's own
// parameters; and the Error, Reject and Abort answers as readable errors.
//
//   Confirmed-Request  0x0_ (SEG, MOR, SA bits), max segments | max APDU,
//                      invoke id, [sequence, window when segmented], service
//   Unconfirmed        0x10, service
//   SimpleACK          0x20, invoke id, service
//   ComplexACK         0x3_ (SEG, MOR), invoke id, [sequence, window], service
//   SegmentACK         0x4_, invoke id, sequence, window
//   Error              0x50, invoke id, service, error class and code
//                      (application-tagged Enumerated)
//   Reject             0x60, invoke id, reason
//   Abort              0x7_ (SRV: from the server), invoke id, reason
//
// This client takes no segmented answers: a segmented ComplexACK is parsed
// (so that it can be aborted with "segmentation not supported") and flagged.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace citypulse::bacnet {

enum class PduType : std::uint8_t {
  confirmed_request = 0,
  unconfirmed_request = 1,
  simple_ack = 2,
  complex_ack = 3,
  segment_ack = 4,
  error = 5,
  reject = 6,
  abort = 7,
};

// Services this client asks for (confirmed: 12 ReadProperty, 14
// ReadPropertyMultiple, 15 WriteProperty, 5 SubscribeCOV; unconfirmed: 8
// Who-Is, 0 I-Am, 2 UnconfirmedCOVNotification).
namespace service {
inline constexpr std::uint8_t subscribe_cov = 5;
inline constexpr std::uint8_t read_property = 12;
inline constexpr std::uint8_t read_property_multiple = 14;
inline constexpr std::uint8_t write_property = 15;
inline constexpr std::uint8_t i_am = 0;
inline constexpr std::uint8_t unconfirmed_cov_notification = 2;
inline constexpr std::uint8_t who_is = 8;
}  // namespace service

struct Apdu {
  PduType type = PduType::unconfirmed_request;
  std::uint8_t invoke_id = 0;  // all but unconfirmed requests
  std::uint8_t service = 0;    // all but SegmentACK, Reject and Abort
  bool segmented = false;      // a segment of a longer message
  bool more_follows = false;
  std::uint16_t max_apdu = 0;       // confirmed requests: the longest answer the sender takes
  bool segmented_accepted = false;  // confirmed requests: whether it takes a segmented answer
  std::uint8_t reason = 0;          // Reject and Abort
  std::uint32_t error_class = 0, error_code = 0;  // Error
  std::span<const std::uint8_t> body;             // the service's parameters
};

// A confirmed request header: this client accepts no segments and APDUs of
// up to 1476 octets (what fits a BACnet/IP datagram).
std::vector<std::uint8_t> confirmed_request(std::uint8_t invoke_id, std::uint8_t service,
                                            std::span<const std::uint8_t> parameters);
std::vector<std::uint8_t> unconfirmed_request(std::uint8_t service,
                                              std::span<const std::uint8_t> parameters);
// An Abort from this client (SRV 0) for `invoke_id`; reason 4 is
// "segmentation not supported".
std::vector<std::uint8_t> abort_request(std::uint8_t invoke_id, std::uint8_t reason);

// The answers a device (the simulator) gives to a confirmed request.
std::vector<std::uint8_t> simple_ack(std::uint8_t invoke_id, std::uint8_t service);
std::vector<std::uint8_t> complex_ack(std::uint8_t invoke_id, std::uint8_t service,
                                      std::span<const std::uint8_t> parameters);
std::vector<std::uint8_t> error_pdu(std::uint8_t invoke_id, std::uint8_t service,
                                    std::uint32_t error_class, std::uint32_t error_code);
std::vector<std::uint8_t> reject_pdu(std::uint8_t invoke_id, std::uint8_t reason);
// An Abort from a server (SRV 1).
std::vector<std::uint8_t> server_abort(std::uint8_t invoke_id, std::uint8_t reason);

// Error classes, error codes, reject and abort reasons used by name here.
namespace error_class {
inline constexpr std::uint32_t object = 1;
inline constexpr std::uint32_t property = 2;
inline constexpr std::uint32_t services = 5;
}  // namespace error_class
namespace error_code {
inline constexpr std::uint32_t other = 0;
inline constexpr std::uint32_t invalid_data_type = 9;
inline constexpr std::uint32_t unknown_object = 31;
inline constexpr std::uint32_t unknown_property = 32;
inline constexpr std::uint32_t value_out_of_range = 37;
inline constexpr std::uint32_t write_access_denied = 40;
inline constexpr std::uint32_t invalid_array_index = 42;
inline constexpr std::uint32_t not_cov_property = 44;
}  // namespace error_code
namespace reject_reason {
inline constexpr std::uint8_t missing_required_parameter = 5;
inline constexpr std::uint8_t unrecognized_service = 9;
}  // namespace reject_reason
namespace abort_reason {
inline constexpr std::uint8_t segmentation_not_supported = 4;
}  // namespace abort_reason

// Fails with bad_request on an empty or cut-short header or an Error whose
// class and code are not two Enumerated values.
Result<Apdu> parse_apdu(std::span<const std::uint8_t> octets);

// "property: unknown-property", "reject: unrecognized-service",
// "abort: segmentation-not-supported"... for a device's answer that is not
// what was asked; the numbers where the name is not known.
std::string describe_failure(const Apdu& apdu);
// "property: unknown-property": an error class and code in words.
std::string describe_error(std::uint32_t error_class, std::uint32_t error_code);

}  // namespace citypulse::bacnet
