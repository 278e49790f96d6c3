#include "app/bacnet_cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <future>
#include <thread>

#include "drivers/bacnet/client.h"
#include "drivers/bacnet/names.h"

namespace citypulse {

namespace asio = boost::asio;
namespace b = bacnet;

namespace {

constexpr int kDone = 0, kFailed = 1, kUsage = 2;

int usage(const std::string& message) {
  std::fprintf(stderr, "citypulse bacnet: %s\n", message.c_str());
  return kUsage;
}

int failed(const std::string& message) {
  std::fprintf(stderr, "citypulse bacnet: %s\n", message.c_str());
  return kFailed;
}

// The client on a thread of its own, for a command that waits on each answer.
class Session {
 public:
  Session() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~Session() {
    client.reset();
    guard_.reset();
    thread_.join();
  }

  Status open(const std::string& bind, std::int64_t timeout_ms, int retries) {
    auto host = bind;
    std::uint16_t port = 0;
    if (auto colon = bind.rfind(':'); colon != bind.npos) {
      host = bind.substr(0, colon);
      unsigned p = 0;
      auto text = std::string_view(bind).substr(colon + 1);
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
      if (ec != std::errc{} || end != text.data() + text.size() || p > 65535)
        return fail(ErrorCode::invalid, fmt::format("--bind '{}': the port is not 0–65535", bind));
      port = static_cast<std::uint16_t>(p);
    }
    auto opened = b::Client::open(
        io_, {.bind_host = host, .bind_port = port, .timeout_ms = timeout_ms, .retries = retries});
    if (!opened) return std::unexpected(opened.error());
    client = std::move(*opened);
    return {};
  }

  template <class T, class Start>
  Result<T> wait(Start start) {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    start([promise](Result<T> r) { promise->set_value(std::move(r)); });
    return future.get();
  }

  std::unique_ptr<b::Client> client;

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

std::string segmentation_name(std::uint32_t s) {
  switch (s) {
    case 0:
      return "both";
    case 1:
      return "transmit";
    case 2:
      return "receive";
    case 3:
      return "none";
    default:
      return std::to_string(s);
  }
}

// The value to write, typed for the object: REAL for analog objects,
// Enumerated for binary ones (active, inactive, 1, 0), Unsigned for
// multistate ones; "null" relinquishes.
Result<b::PropertyValue> value_for(b::ObjectId object, const std::string& text) {
  if (text == "null") return Result<b::PropertyValue>(std::in_place);
  const auto bad = [&](std::string_view what) {
    return fail(ErrorCode::invalid,
                fmt::format("--value '{}' is not {} for {}", text, what, b::to_string(object)));
  };
  switch (object.type) {
    case b::object_type::binary_input:
    case b::object_type::binary_output:
    case b::object_type::binary_value:
      if (text == "active" || text == "1") return b::PropertyValue(b::Enumerated{1});
      if (text == "inactive" || text == "0") return b::PropertyValue(b::Enumerated{0});
      return bad("active, inactive, 1, 0 or null");
    case b::object_type::multi_state_input:
    case b::object_type::multi_state_output:
    case b::object_type::multi_state_value: {
      std::uint32_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc{} || end != text.data() + text.size() || v == 0)
        return bad("a state number 1, 2, ... or null");
      return b::PropertyValue(v);
    }
    default: {
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v))
        return bad("a number or null");
      return b::PropertyValue(static_cast<float>(v));
    }
  }
}

}  // namespace

BacnetCommands::BacnetCommands(CLI::App& app) {
  bacnet_ = app.add_subcommand("bacnet", "BACnet/IP commissioning: find devices, read, write");
  bacnet_->require_subcommand(1);
  const auto common = [&](CLI::App* cmd) {
    cmd->add_option("--bind", bind_,
                    "Local HOST[:PORT] of the client's socket (0.0.0.0, any port)");
    cmd->add_option("--timeout-ms", timeout_ms_, "Wait for each answer this long (3000)")
        ->check(CLI::Range(10, 60000));
    cmd->add_option("--retries", retries_, "Repeat an unanswered request this often (1)")
        ->check(CLI::Range(0, 5));
  };
  whois_ = bacnet_->add_subcommand("whois", "List the devices that answer Who-Is");
  whois_->add_option("--target", target_,
                     "HOST:PORT[/NETWORK:MAC] to ask (every network via 255.255.255.255:47808)");
  whois_->add_option("--low", low_, "Lowest device instance")->check(CLI::Range(0, 4194303));
  whois_->add_option("--high", high_, "Highest device instance")->check(CLI::Range(0, 4194303));
  whois_->add_option("--wait-ms", wait_ms_, "Listen for I-Am this long (3000)")
      ->check(CLI::Range(10, 60000));
  common(whois_);

  const auto addressed = [&](CLI::App* cmd) {
    cmd->add_option("--target", target_, "HOST:PORT[/NETWORK:MAC] of the device or its router")
        ->required();
    cmd->add_option("--device", device_, "Device instance, looked for through the target")
        ->check(CLI::Range(0, 4194303));
    cmd->add_option("--object", object_, "TYPE:INSTANCE, e.g. analog-input:1 or av:3")->required();
    cmd->add_option("--property", property_, "Property name or number (present-value)");
    cmd->add_option("--index", index_, "Array index (0: the array's length)");
    common(cmd);
  };
  read_ = bacnet_->add_subcommand("read", "Read a property");
  addressed(read_);
  write_ = bacnet_->add_subcommand("write", "Write a property, then read it back");
  addressed(write_);
  write_->add_option("--value", value_, "The value, or null to relinquish")->required();
  write_->add_option("--priority", priority_, "Command priority 1–16")->check(CLI::Range(1, 16));
}

bool BacnetCommands::parsed() const {
  return bacnet_->parsed();
}

int BacnetCommands::run() const {
  if ((low_.has_value()) != (high_.has_value())) return usage("--low and --high go together");
  if (low_ && *low_ > *high_) return usage("--low is above --high");

  b::DeviceAddress target{"255.255.255.255", 47808, b::NetworkAddress{0xFFFF, {}}};
  if (!target_.empty()) {
    auto parsed = b::parse_device_address(target_);
    if (!parsed) return usage("--target: " + parsed.error().message);
    target = *parsed;
  }
  Session session;
  if (auto s = session.open(bind_, timeout_ms_, retries_); !s) return usage(s.error().message);

  if (whois_->parsed()) {
    // Through a node to every network behind it, unless a route is given.
    if (!target.route) target.route = b::NetworkAddress{0xFFFF, {}};
    b::WhoIs range{low_, high_};
    auto heard = session.wait<std::vector<b::Discovered>>(
        [&](auto done) { session.client->who_is(target, range, wait_ms_, std::move(done)); });
    if (!heard) return failed(heard.error().message);
    if (heard->empty()) return failed(fmt::format("no device answered within {} ms", wait_ms_));
    std::sort(heard->begin(), heard->end(), [](const auto& a, const auto& b) {
      return a.i_am.device.instance < b.i_am.device.instance;
    });
    for (const auto& d : *heard)
      std::printf("device %u  at %s  (max APDU %u, segmentation %s, vendor %u)\n",
                  d.i_am.device.instance, b::to_string(d.address).c_str(), d.i_am.max_apdu,
                  segmentation_name(d.i_am.segmentation).c_str(), d.i_am.vendor);
    std::printf("%zu device%s\n", heard->size(), heard->size() == 1 ? "" : "s");
    return kDone;
  }

  auto object = b::parse_object_id(object_);
  if (!object) return usage("--object: " + object.error().message);
  auto property = b::parse_property(property_);
  if (!property) return usage("--property: " + property.error().message);
  const b::PropertyReference ref{*object, *property, index_};

  // A device instance: find where it answers from (it may sit behind the target).
  b::DeviceAddress device = target;
  if (device_ && !target.route) {
    b::DeviceAddress ask = target;
    ask.route = b::NetworkAddress{0xFFFF, {}};
    auto heard = session.wait<std::vector<b::Discovered>>([&](auto done) {
      session.client->who_is(ask, {*device_, *device_}, timeout_ms_, std::move(done));
    });
    if (heard && !heard->empty()) device = heard->front().address;
  }

  const auto print_values = [&](const std::vector<b::PropertyValue>& values) {
    const auto name =
        fmt::format("{} {}", b::to_string(ref.object), b::property_name(ref.property));
    if (values.size() == 1 && !(ref.property == b::property::object_list && !ref.array_index)) {
      std::printf("%s = %s\n", name.c_str(), b::describe(values[0], ref).c_str());
      return;
    }
    for (std::size_t i = 0; i < values.size(); ++i)
      std::printf("%s[%zu] = %s\n", name.c_str(), i + 1, b::describe(values[i], ref).c_str());
  };

  if (read_->parsed()) {
    auto values = session.wait<std::vector<b::PropertyValue>>(
        [&](auto done) { session.client->read_property(device, ref, std::move(done)); });
    if (!values && values.error().code == ErrorCode::too_large && !ref.array_index) {
      // Too long for one answer: element by element, as the device allows.
      auto count = session.wait<std::vector<b::PropertyValue>>([&](auto done) {
        session.client->read_property(device, {ref.object, ref.property, 0}, std::move(done));
      });
      if (count && count->size() == 1 && b::as_number((*count)[0])) {
        std::vector<b::PropertyValue> all;
        const auto n = static_cast<std::uint32_t>(*b::as_number((*count)[0]));
        for (std::uint32_t i = 1; i <= n; ++i) {
          auto element = session.wait<std::vector<b::PropertyValue>>([&](auto done) {
            session.client->read_property(device, {ref.object, ref.property, i}, std::move(done));
          });
          if (!element)
            return failed(fmt::format("{}: element {}: {}", b::to_string(device), i,
                                      element.error().message));
          all.insert(all.end(), element->begin(), element->end());
        }
        values = std::move(all);
      }
    }
    if (!values) return failed(fmt::format("{}: {}", b::to_string(device), values.error().message));
    print_values(*values);
    return kDone;
  }

  auto value = value_for(ref.object, value_);
  if (!value) return usage(value.error().message);
  if (std::holds_alternative<std::monostate>(*value) && !priority_)
    return usage("--value null relinquishes a priority: give --priority");
  b::WriteProperty request{ref, *value,
                           priority_ ? std::optional<std::uint8_t>(*priority_) : std::nullopt};
  auto written = session.wait<void>(
      [&](auto done) { session.client->write_property(device, request, std::move(done)); });
  if (!written) return failed(fmt::format("{}: {}", b::to_string(device), written.error().message));
  std::printf("written %s%s\n", value_.c_str(),
              priority_ ? fmt::format(" at priority {}", *priority_).c_str() : "");
  auto back = session.wait<std::vector<b::PropertyValue>>(
      [&](auto done) { session.client->read_property(device, ref, std::move(done)); });
  if (!back) return failed(fmt::format("read back: {}", back.error().message));
  print_values(*back);
  return kDone;
}

}  // namespace citypulse
