// Fuzz target for the BACnet/IP decoders (libFuzzer entry point; also
// replayed over deterministic mutations by tests/unit/bacnet_fuzz_replay_test.cpp,
// since the default build is g++ without libFuzzer).
//
// The input is one UDP datagram, as a device or client would receive it: the
// BVLC and NPDU headers, the APDU header, then the service's parameters read
// by every decoder that could apply. What counts as a finding, besides a crash
// or a sanitizer report:
//   - a decoder reading outside its span (ASan) or looping;
//   - a decoded request or answer that does not survive encode → decode
//     unchanged (what was understood must be what would be sent);
//   - an APDU body that does not lie inside the datagram.
#include <cstddef>
#include <cstdint>
#include <span>

#include "drivers/bacnet/apdu.h"
#include "drivers/bacnet/link_frame.h"
#include "drivers/bacnet/services.h"

namespace {

using namespace citypulse::bacnet;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool same_values(const std::vector<PropertyValue>& a, const std::vector<PropertyValue>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    // NaN is not equal to itself; compare the encodings instead.
    std::vector<std::uint8_t> x, y;
    Encoder ex(x), ey(y);
    encode_value(ex, a[i]);
    encode_value(ey, b[i]);
    if (x != y) return false;
  }
  return true;
}

void parameters(std::span<const std::uint8_t> body) {
  if (auto who = decode_who_is(body)) {
    auto again = decode_who_is(encode_who_is(*who));
    check(again && again->low == who->low && again->high == who->high);
  }
  if (auto i_am = decode_i_am(body)) {
    auto again = decode_i_am(encode_i_am(*i_am));
    check(again && again->device == i_am->device && again->vendor == i_am->vendor);
  }
  if (auto ref = decode_read_property(body)) {
    auto again = decode_read_property(encode_read_property(*ref));
    check(again && *again == *ref);
  }
  if (auto ack = decode_read_property_ack(body)) {
    auto again = decode_read_property_ack(encode_read_property_ack(*ack));
    check(again && again->ref == ack->ref && same_values(again->values, ack->values));
  }
  if (auto refs = decode_read_property_multiple(body)) {
    auto again = decode_read_property_multiple(encode_read_property_multiple(*refs));
    check(again && *again == *refs);
  }
  if (auto results = decode_read_property_multiple_ack(body)) {
    auto again = decode_read_property_multiple_ack(encode_read_property_multiple_ack(*results));
    check(again && again->size() == results->size());
    for (std::size_t i = 0; again && i < results->size(); ++i) {
      check((*again)[i].ref == (*results)[i].ref);
      check((*again)[i].error == (*results)[i].error);
      check(same_values((*again)[i].values, (*results)[i].values));
    }
  }
  if (auto write = decode_write_property(body)) {
    auto again = decode_write_property(encode_write_property(*write));
    check(again && again->ref == write->ref && again->priority == write->priority &&
          same_values({again->value}, {write->value}));
  }
  if (auto subscribe = decode_subscribe_cov(body)) {
    auto again = decode_subscribe_cov(encode_subscribe_cov(*subscribe));
    check(again && again->process_id == subscribe->process_id &&
          again->object == subscribe->object && again->confirmed == subscribe->confirmed &&
          again->lifetime_s == subscribe->lifetime_s);
  }
  if (auto notice = decode_cov_notification(body)) {
    auto again = decode_cov_notification(encode_cov_notification(*notice));
    check(again && again->values.size() == notice->values.size());
    for (std::size_t i = 0; again && i < notice->values.size(); ++i)
      check(same_values(again->values[i].values, notice->values[i].values));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> octets(data, size);
  auto datagram = parse_datagram(octets);
  if (!datagram) {
    // The parameters alone, as if the headers had been right.
    parameters(octets);
    return 0;
  }
  check(datagram->apdu.data() >= data &&
        datagram->apdu.data() + datagram->apdu.size() <= data + size);
  if (datagram->npdu.network_message) return 0;
  auto apdu = parse_apdu(datagram->apdu);
  if (!apdu) return 0;
  check(apdu->body.data() >= datagram->apdu.data() &&
        apdu->body.data() + apdu->body.size() <= datagram->apdu.data() + datagram->apdu.size());
  (void)describe_failure(*apdu);
  parameters(apdu->body);
  return 0;
}
