// Runs the BACnet decoders' fuzz target (fuzz/bacnet_decoder_fuzz.cpp) over
// deterministic mutations of valid datagrams of every service, so `make test`
// (g++, no libFuzzer) exercises it on every run under ASan/UBSan. The target
// traps on any broken promise; a trap fails the test binary.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "drivers/bacnet/apdu.h"
#include "drivers/bacnet/link_frame.h"
#include "drivers/bacnet/services.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace citypulse::bacnet {
namespace {

using Octets = std::vector<std::uint8_t>;

Octets datagram(const Octets& apdu, bool routed) {
  Npdu npdu;
  if (routed) {
    npdu.destination = NetworkAddress{2001, {5}};
    npdu.source = NetworkAddress{7, {1, 2, 3, 4, 5, 6}};
  }
  return make_datagram(BvlcFunction::original_unicast, npdu, apdu);
}

std::vector<Octets> seeds() {
  const PropertyReference pv{{0, 1}, property::present_value, std::nullopt};
  const PropertyReference list{{8, 100}, property::object_list, 3};
  std::vector<Octets> apdus = {
      unconfirmed_request(service::who_is, encode_who_is({})),
      unconfirmed_request(service::who_is, encode_who_is({10, 4000000})),
      unconfirmed_request(service::i_am, encode_i_am({{8, 100}, 1476, 3, 999})),
      confirmed_request(1, service::read_property, encode_read_property(pv)),
      complex_ack(1, service::read_property,
                  encode_read_property_ack({pv, {PropertyValue(21.5f)}})),
      complex_ack(2, service::read_property,
                  encode_read_property_ack(
                      {list,
                       {PropertyValue(ObjectId{0, 1}), PropertyValue(std::string("Vorlauf")),
                        PropertyValue(BitString{{true, false, true}})}})),
      confirmed_request(3, service::read_property_multiple,
                        encode_read_property_multiple(std::vector<PropertyReference>{pv, list})),
      complex_ack(3, service::read_property_multiple,
                  encode_read_property_multiple_ack(std::vector<PropertyResult>{
                      {pv, {PropertyValue(Enumerated{1})}, std::nullopt},
                      {list, {}, PropertyError{2, 32}}})),
      confirmed_request(4, service::write_property,
                        encode_write_property({pv, PropertyValue(19.0), 8})),
      confirmed_request(5, service::write_property,
                        encode_write_property({pv, PropertyValue{}, 16})),
      simple_ack(5, service::write_property),
      error_pdu(6, service::write_property, 2, 37),
      reject_pdu(7, 9),
      server_abort(8, 4),
      confirmed_request(9, service::subscribe_cov, encode_subscribe_cov({7, {0, 3}, false, 600})),
      unconfirmed_request(
          service::unconfirmed_cov_notification,
          encode_cov_notification({7,
                                   {8, 100},
                                   {0, 3},
                                   300,
                                   {{property::present_value, std::nullopt, {PropertyValue(-3.5f)}},
                                    {property::status_flags,
                                     std::nullopt,
                                     {PropertyValue(BitString{{0, 0, 0, 0}})}}}})),
  };
  std::vector<Octets> out;
  for (const auto& a : apdus) {
    out.push_back(datagram(a, false));
    out.push_back(datagram(a, true));
    out.push_back(a);  // the parameters alone
  }
  return out;
}

int run(const Octets& input) {
  return LLVMFuzzerTestOneInput(input.data(), input.size());
}

TEST(BacnetFuzzReplay, SeedsAndTheirMutationsKeepEveryPromise) {
  const auto corpus = seeds();
  for (const auto& seed : corpus) EXPECT_EQ(run(seed), 0);
  std::mt19937 random(20261207);
  int runs = 0;
  for (int round = 0; round < 400; ++round) {
    for (const auto& seed : corpus) {
      Octets m = seed;
      const int edits = 1 + static_cast<int>(random() % 4);
      for (int e = 0; e < edits && !m.empty(); ++e) {
        const auto at = random() % m.size();
        switch (random() % 5) {
          case 0:
            m[at] ^= static_cast<std::uint8_t>(1u << (random() % 8));
            break;
          case 1:
            m[at] = static_cast<std::uint8_t>(random());
            break;
          case 2:
            m.resize(at);
            break;
          case 3:
            m.insert(m.begin() + static_cast<long>(at), static_cast<std::uint8_t>(random()));
            break;
          case 4:
            m.erase(m.begin() + static_cast<long>(at));
            break;
        }
      }
      EXPECT_EQ(run(m), 0);
      ++runs;
    }
  }
  EXPECT_EQ(runs, 400 * static_cast<int>(corpus.size()));
}

}  // namespace
}  // namespace citypulse::bacnet
