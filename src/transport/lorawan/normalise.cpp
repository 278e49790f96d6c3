#include "transport/lorawan/normalise.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "core/text.h"

namespace citypulse::lorawan {
namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A prefix of the offending text for messages, so a huge value stays readable.
std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 40;
  return s.size() <= kShown ? fmt::format("'{}'", s) : fmt::format("'{}...'", s.substr(0, kShown));
}

// Walks a decoded payload depth first, in body order, building each key in
// one buffer. The work is linear in the payload: every value is visited at
// most once, and the recursion is at most kMaxMeasurementDepth deep.
class PayloadFlattener {
 public:
  PayloadFlattener(MemberReader& reader, std::string pointer, std::vector<Measurement>& out)
      : reader_(reader), pointer_(std::move(pointer)), out_(out) {}

  void walk(const boost::json::object& object, std::size_t depth) {
    for (const auto& [name, value] : object) {
      if (reader_.failed()) return;
      const std::size_t mark = key_.size();
      const std::size_t grown = mark + (mark == 0 ? 0 : 1) + name.size();
      // A longer key only gets longer further down, so the whole subtree goes.
      if (name.empty() || grown > kMaxMeasurementKey) continue;
      if (mark != 0) key_ += '.';
      key_.append(name.data(), name.size());
      if (value.is_object()) {
        if (depth < kMaxMeasurementDepth) walk(value.get_object(), depth + 1);
      } else if (value.is_bool()) {
        add(value.get_bool() ? 1.0 : 0.0);
      } else if (value.is_int64()) {
        add(static_cast<double>(value.get_int64()));
      } else if (value.is_uint64()) {
        add(static_cast<double>(value.get_uint64()));
      } else if (value.is_double() && std::isfinite(value.get_double())) {
        // Boost.JSON reads 1e400 as infinity, which no reading can hold.
        add(value.get_double());
      }
      key_.resize(mark);
    }
  }

 private:
  void add(double value) {
    // {"a.b": 1, "a": {"b": 2}} flattens to "a.b" twice; the first stands.
    if (seen_.contains(key_)) return;
    if (out_.size() == kMaxMeasurements) {
      reader_.fail(fmt::format("the decoded payload '{}' has more than {} numeric fields", pointer_,
                               kMaxMeasurements),
                   pointer_);
      return;
    }
    seen_.insert(key_);
    out_.push_back(Measurement{key_, value});
  }

  MemberReader& reader_;
  std::string pointer_;
  std::vector<Measurement>& out_;
  std::string key_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

void read_dev_eui(MemberReader& reader, const std::optional<ObjectAt>& ids,
                  std::string_view ids_pointer, std::string_view name, LorawanEvent& event) {
  const std::string field = fmt::format("{}/{}", ids_pointer, name);
  std::optional<std::string_view> text;
  if (ids) text = reader.text(*ids, name);
  if (reader.failed()) return;
  if (!text) {
    reader.fail(fmt::format("missing '{}': an event must name its device's DevEUI", field), field);
    return;
  }
  if (text->size() != 16 || !std::all_of(text->begin(), text->end(), is_hex)) {
    reader.fail(fmt::format("'{}' must be a DevEUI of 16 hex digits, not {}", field, quoted(*text)),
                field);
    return;
  }
  // ChirpStack writes lower case, TTS upper case: one spelling for lookups.
  event.dev_eui = lower_ascii(*text);
}

void read_decoded_payload(MemberReader& reader, const ObjectAt& in, std::string_view name,
                          LorawanEvent& event) {
  const std::optional<ObjectAt> payload = reader.object(in, name);
  if (!payload) return;
  event.decoded = true;
  PayloadFlattener(reader, payload->pointer, event.measurements).walk(*payload->json, 1);
}

void read_best_gateway(MemberReader& reader, const std::vector<ObjectAt>& gateways,
                       std::initializer_list<std::string_view> rssi_names, LorawanEvent& event) {
  const ObjectAt* best = nullptr;
  double best_rssi = 0;
  for (const ObjectAt& gateway : gateways) {
    std::optional<double> rssi;
    for (std::string_view rssi_name : rssi_names)
      if ((rssi = reader.number(gateway, rssi_name))) break;
    if (rssi && (best == nullptr || *rssi > best_rssi)) {
      best = &gateway;
      best_rssi = *rssi;
    }
  }
  if (best == nullptr) return;
  event.rssi = best_rssi;
  event.snr = reader.number(*best, "snr");
}

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::uplink:
      return "uplink";
    case EventKind::join:
      return "join";
    case EventKind::status:
      return "status";
    case EventKind::ack:
      return "ack";
    case EventKind::txack:
      return "txack";
    case EventKind::log:
      return "log";
    case EventKind::location:
      return "location";
    case EventKind::integration:
      return "integration";
    case EventKind::other:
      return "other";
  }
  return "other";
}

}  // namespace citypulse::lorawan
