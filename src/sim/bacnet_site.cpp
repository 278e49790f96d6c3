#include "sim/bacnet_site.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

#include "drivers/bacnet/apdu.h"
#include "drivers/bacnet/link_frame.h"
#include "drivers/bacnet/services.h"

namespace citypulse::sim {

namespace asio = boost::asio;
using asio::ip::udp;
namespace b = bacnet;
namespace ot = bacnet::object_type;

std::vector<BacnetObject> ahu_objects(double outdoor_c) {
  return {
      {{ot::analog_input, 1}, "Supply air temperature", 62, 18.0, false, false, {}, {}, 0.1, 0},
      {{ot::analog_input, 2}, "Return air temperature", 62, 21.0, false, false, {}, {}, 0.1, 0},
      {{ot::analog_input, 3},
       "Outdoor air temperature",
       62,
       outdoor_c,
       false,
       false,
       {},
       {},
       0.2,
       0},
      {{ot::analog_input, 4}, "Fan electric power", 48, 1.8, false, false, {}, {}, 0.05, 0},
      {{ot::analog_input, 5}, "Electric energy", 19, 12000.0, false, false, {}, {}, 1.0, 0},
      {{ot::analog_value, 1},
       "Supply temperature setpoint",
       62,
       20.0,
       true,
       false,
       12.0,
       30.0,
       0.1,
       0},
      {{ot::binary_output, 1}, "Fan command", 95, 1.0, true, false, {}, {}, 0, 0},
      {{ot::binary_input, 1}, "Fan status", 95, 1.0, false, false, {}, {}, 0, 0},
      {{ot::multi_state_value, 1}, "Operating mode", 95, 2.0, true, false, 1.0, 3.0, 0, 3},
  };
}

namespace {

bool is_analog(std::uint16_t t) {
  return t == ot::analog_input || t == ot::analog_output || t == ot::analog_value;
}
bool is_binary(std::uint16_t t) {
  return t == ot::binary_input || t == ot::binary_output || t == ot::binary_value;
}
bool is_multistate(std::uint16_t t) {
  return t == ot::multi_state_input || t == ot::multi_state_output || t == ot::multi_state_value;
}

struct Subscription {
  udp::endpoint subscriber;
  std::uint32_t process_id = 0;
  b::ObjectId object;
  std::chrono::steady_clock::time_point expires;  // max(): never
  double last_sent = NAN;
};

struct SimObject {
  BacnetObject spec;
  std::array<std::optional<double>, 16> priority{};  // index 0 is priority 1

  double present() const {
    for (const auto& p : priority)
      if (p) return *p;
    return spec.value;
  }
};

struct SimDevice {
  BacnetDeviceOptions options;
  std::vector<SimObject> objects;
  std::vector<Subscription> subscriptions;
  std::int64_t answered = 0;

  SimObject* find(b::ObjectId id) {
    for (auto& o : objects)
      if (o.spec.id == id) return &o;
    return nullptr;
  }
  const SimObject* find(b::ObjectId id) const { return const_cast<SimDevice*>(this)->find(id); }
  b::ObjectId id() const { return {ot::device, options.instance}; }
};

b::PropertyValue present_as_value(const SimObject& o) {
  const double v = o.present();
  if (is_binary(o.spec.id.type)) return b::Enumerated{v != 0 ? 1u : 0u};
  if (is_multistate(o.spec.id.type)) return static_cast<std::uint32_t>(v);
  return static_cast<float>(v);
}

b::PropertyValue status_flags() {
  return b::BitString{{false, false, false, false}};
}

}  // namespace

struct BacnetSite::State : std::enable_shared_from_this<BacnetSite::State> {
  explicit State(BacnetSiteOptions o) : options(std::move(o)), socket(io), step(io) {}

  BacnetSiteOptions options;
  asio::io_context io;
  udp::socket socket;
  asio::steady_timer step;
  std::array<std::uint8_t, 1500> buffer{};
  udp::endpoint sender;
  mutable std::mutex mutex;
  std::vector<SimDevice> devices;
  std::vector<BacnetFrame> frames;  // with options.record
  std::thread thread;
  bool stopping = false;  // on the site's thread only

  SimDevice* device(std::uint32_t instance) {
    for (auto& d : devices)
      if (d.options.instance == instance) return &d;
    return nullptr;
  }

  std::optional<b::NetworkAddress> source_of(const SimDevice& d) const {
    if (!d.options.mac) return std::nullopt;
    return b::NetworkAddress{options.network, {*d.options.mac}};
  }

  void send(const udp::endpoint& to, const SimDevice& from, std::span<const std::uint8_t> apdu,
            std::optional<b::NetworkAddress> reply_to = std::nullopt) {
    b::Npdu npdu;
    npdu.source = source_of(from);
    npdu.destination = std::move(reply_to);
    auto datagram = std::make_shared<std::vector<std::uint8_t>>(
        b::make_datagram(b::BvlcFunction::original_unicast, npdu, apdu));
    if (options.record) frames.push_back({false, to.address().to_string(), to.port(), *datagram});
    socket.async_send_to(asio::buffer(*datagram), to,
                         [datagram](boost::system::error_code, std::size_t) {});
  }

  void receive() {
    socket.async_receive_from(
        asio::buffer(buffer), sender,
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec == asio::error::operation_aborted || self->stopping) return;
          if (!ec) self->on_datagram(std::span(self->buffer.data(), n));
          self->receive();
        });
  }

  void on_datagram(std::span<const std::uint8_t> octets) {
    if (options.record) {
      std::lock_guard lock(mutex);
      frames.push_back({true, sender.address().to_string(), sender.port(),
                        std::vector<std::uint8_t>(octets.begin(), octets.end())});
    }
    auto datagram = b::parse_datagram(octets);
    if (!datagram || datagram->npdu.network_message) return;
    auto apdu = b::parse_apdu(datagram->apdu);
    if (!apdu) return;
    const auto& dest = datagram->npdu.destination;
    const bool global = dest && dest->network == 0xFFFF;
    std::lock_guard lock(mutex);
    for (auto& d : devices) {
      bool addressed = false;
      if (!dest) {
        addressed = !d.options.mac;
      } else if (global) {
        addressed = true;
      } else if (dest->network == options.network && d.options.mac) {
        addressed = dest->mac.empty() || dest->mac == std::vector<std::uint8_t>{*d.options.mac};
      }
      // A local broadcast Who-Is reaches the routed devices too (the router
      // passes it on), as on a real trunk.
      if (!dest && apdu->type == b::PduType::unconfirmed_request &&
          datagram->function == b::BvlcFunction::original_broadcast)
        addressed = true;
      if (!addressed || d.options.silent) continue;
      auto answer = answer_to(d, *apdu);
      if (answer.empty()) continue;
      if (apdu->type == b::PduType::confirmed_request) ++d.answered;
      if (d.options.delay_ms > 0) {
        auto timer =
            std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(d.options.delay_ms));
        timer->async_wait([self = shared_from_this(), timer, to = sender,
                           instance = d.options.instance, answer = std::move(answer),
                           reply_to = datagram->npdu.source](boost::system::error_code ec) {
          if (ec) return;
          std::lock_guard lock(self->mutex);
          if (auto* dev = self->device(instance)) self->send(to, *dev, answer, reply_to);
        });
      } else {
        send(sender, d, answer, datagram->npdu.source);
      }
    }
  }

  std::vector<std::uint8_t> answer_to(SimDevice& d, const b::Apdu& a) {
    if (a.type == b::PduType::unconfirmed_request) {
      if (a.service != b::service::who_is) return {};
      auto range = b::decode_who_is(a.body);
      if (!range) return {};
      if (range->low && (d.options.instance < *range->low || d.options.instance > *range->high))
        return {};
      return b::unconfirmed_request(b::service::i_am,
                                    b::encode_i_am({d.id(), d.options.max_apdu, 3, 999}));
    }
    if (a.type != b::PduType::confirmed_request) return {};
    const auto reject = [&](std::uint8_t reason) { return b::reject_pdu(a.invoke_id, reason); };
    const auto error = [&](std::uint32_t cls, std::uint32_t code) {
      return b::error_pdu(a.invoke_id, a.service, cls, code);
    };
    const std::size_t limit = std::min<std::size_t>(a.max_apdu, d.options.max_apdu);
    const auto fits = [&](std::vector<std::uint8_t> ack) {
      if (ack.size() > limit)
        return b::server_abort(a.invoke_id, b::abort_reason::segmentation_not_supported);
      return ack;
    };
    switch (a.service) {
      case b::service::read_property: {
        auto ref = b::decode_read_property(a.body);
        if (!ref) return reject(b::reject_reason::missing_required_parameter);
        auto values = read(d, *ref);
        if (!values) return error(values.error().error_class, values.error().error_code);
        return fits(b::complex_ack(a.invoke_id, a.service,
                                   b::encode_read_property_ack({*ref, std::move(*values)})));
      }
      case b::service::read_property_multiple: {
        if (!d.options.read_property_multiple)
          return reject(b::reject_reason::unrecognized_service);
        auto refs = b::decode_read_property_multiple(a.body);
        if (!refs) return reject(b::reject_reason::missing_required_parameter);
        std::vector<b::PropertyResult> results;
        for (const auto& ref : *refs) {
          auto values = read(d, ref);
          if (values)
            results.push_back({ref, std::move(*values), std::nullopt});
          else
            results.push_back({ref, {}, values.error()});
        }
        return fits(
            b::complex_ack(a.invoke_id, a.service, b::encode_read_property_multiple_ack(results)));
      }
      case b::service::write_property: {
        auto request = b::decode_write_property(a.body);
        if (!request) return reject(b::reject_reason::missing_required_parameter);
        if (auto failure = write(d, *request))
          return error(failure->error_class, failure->error_code);
        return b::simple_ack(a.invoke_id, a.service);
      }
      case b::service::subscribe_cov: {
        if (!d.options.cov) return reject(b::reject_reason::unrecognized_service);
        auto request = b::decode_subscribe_cov(a.body);
        if (!request) return reject(b::reject_reason::missing_required_parameter);
        auto* object = d.find(request->object);
        if (!object) return error(b::error_class::object, b::error_code::unknown_object);
        std::erase_if(d.subscriptions, [&](const Subscription& s) {
          return s.subscriber == sender && s.process_id == request->process_id &&
                 s.object == request->object;
        });
        if (request->cancels()) return b::simple_ack(a.invoke_id, a.service);
        if (request->confirmed.value_or(false))
          return error(b::error_class::services, 45);  // optional functionality not supported
        Subscription s{
            sender, request->process_id, request->object,
            request->lifetime_s && *request->lifetime_s > 0
                ? std::chrono::steady_clock::now() + std::chrono::seconds(*request->lifetime_s)
                : std::chrono::steady_clock::time_point::max(),
            NAN};
        d.subscriptions.push_back(s);
        auto ack = b::simple_ack(a.invoke_id, a.service);
        // The initial notification follows the acknowledgement.
        asio::post(io, [self = shared_from_this(), instance = d.options.instance] {
          std::lock_guard lock(self->mutex);
          if (auto* dev = self->device(instance)) self->notify(*dev);
        });
        return ack;
      }
      default:
        return reject(b::reject_reason::unrecognized_service);
    }
  }

  std::expected<std::vector<b::PropertyValue>, b::PropertyError> read(
      const SimDevice& d, const b::PropertyReference& ref) {
    using V = std::vector<b::PropertyValue>;
    const auto unknown_property = std::unexpected(
        b::PropertyError{b::error_class::property, b::error_code::unknown_property});
    if (ref.object == d.id()) {
      if (ref.array_index && ref.property != b::property::object_list)
        return std::unexpected(b::PropertyError{b::error_class::property, 50});
      switch (ref.property) {
        case b::property::object_identifier:
          return V{d.id()};
        case b::property::object_name:
          return V{d.options.name};
        case b::property::object_type:
          return V{b::Enumerated{ot::device}};
        case b::property::vendor_name:
          return V{std::string("CityPulse simulator")};
        case b::property::model_name:
          return V{std::string(d.options.plant ? "AHU" : "controller")};
        case b::property::max_apdu_length_accepted:
          return V{std::uint32_t{d.options.max_apdu}};
        case b::property::segmentation_supported:
          return V{b::Enumerated{3}};
        case b::property::object_list: {
          V list{d.id()};
          for (const auto& o : d.objects) list.push_back(o.spec.id);
          if (!ref.array_index) return list;
          if (*ref.array_index == 0) return V{static_cast<std::uint32_t>(list.size())};
          if (*ref.array_index > list.size())
            return std::unexpected(
                b::PropertyError{b::error_class::property, b::error_code::invalid_array_index});
          return V{list[*ref.array_index - 1]};
        }
        default:
          return unknown_property;
      }
    }
    const auto* o = d.find(ref.object);
    if (!o)
      return std::unexpected(
          b::PropertyError{b::error_class::object, b::error_code::unknown_object});
    if (ref.array_index) return std::unexpected(b::PropertyError{b::error_class::property, 50});
    switch (ref.property) {
      case b::property::object_identifier:
        return V{o->spec.id};
      case b::property::object_name:
        return V{o->spec.name};
      case b::property::object_type:
        return V{b::Enumerated{o->spec.id.type}};
      case b::property::present_value:
        return V{present_as_value(*o)};
      case b::property::status_flags:
        return V{status_flags()};
      case b::property::out_of_service:
        return V{false};
      case b::property::units:
        if (!is_analog(o->spec.id.type)) return unknown_property;
        return V{b::Enumerated{o->spec.units}};
      case b::property::number_of_states:
        if (!is_multistate(o->spec.id.type)) return unknown_property;
        return V{o->spec.states};
      case b::property::relinquish_default:
        if (!o->spec.commandable) return unknown_property;
        return V{present_as_value(SimObject{o->spec, {}})};
      default:
        return unknown_property;
    }
  }

  std::optional<b::PropertyError> write(SimDevice& d, const b::WriteProperty& w) {
    auto* o = d.find(w.ref.object);
    if (!o) return b::PropertyError{b::error_class::object, b::error_code::unknown_object};
    if (w.ref.property != b::property::present_value)
      return b::PropertyError{b::error_class::property, b::error_code::write_access_denied};
    if (!o->spec.commandable && !o->spec.writable)
      return b::PropertyError{b::error_class::property, b::error_code::write_access_denied};
    const bool relinquish = std::holds_alternative<std::monostate>(w.value);
    double v = 0;
    if (!relinquish) {
      const auto n = b::as_number(w.value);
      const bool right_type =
          is_analog(o->spec.id.type)   ? (std::holds_alternative<float>(w.value) ||
                                        std::holds_alternative<double>(w.value) ||
                                        std::holds_alternative<std::uint32_t>(w.value) ||
                                        std::holds_alternative<std::int32_t>(w.value))
          : is_binary(o->spec.id.type) ? std::holds_alternative<b::Enumerated>(w.value)
                                       : std::holds_alternative<std::uint32_t>(w.value);
      if (!n || !right_type)
        return b::PropertyError{b::error_class::property, b::error_code::invalid_data_type};
      v = *n;
      if ((o->spec.min_value && v < *o->spec.min_value) ||
          (o->spec.max_value && v > *o->spec.max_value) || (is_binary(o->spec.id.type) && v > 1))
        return b::PropertyError{b::error_class::property, b::error_code::value_out_of_range};
    }
    if (o->spec.commandable) {
      const int priority = w.priority.value_or(16);
      o->priority[priority - 1] = relinquish ? std::nullopt : std::optional<double>(v);
    } else {
      if (relinquish)
        return b::PropertyError{b::error_class::property, b::error_code::invalid_data_type};
      o->spec.value = v;
    }
    notify(d);
    return std::nullopt;
  }

  // COV notifications for every subscription whose object moved by its increment.
  void notify(SimDevice& d) {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(d.subscriptions, [&](const Subscription& s) { return s.expires <= now; });
    for (auto& s : d.subscriptions) {
      const auto* o = d.find(s.object);
      if (!o) continue;
      const double v = o->present();
      const double increment = is_analog(o->spec.id.type) ? o->spec.cov_increment : 0.5;
      if (!std::isnan(s.last_sent) && std::abs(v - s.last_sent) < increment) continue;
      s.last_sent = v;
      const auto remaining =
          s.expires == std::chrono::steady_clock::time_point::max()
              ? 0u
              : static_cast<std::uint32_t>(
                    std::chrono::duration_cast<std::chrono::seconds>(s.expires - now).count());
      b::CovNotification notice{s.process_id,
                                d.id(),
                                s.object,
                                remaining,
                                {{b::property::present_value, std::nullopt, {present_as_value(*o)}},
                                 {b::property::status_flags, std::nullopt, {status_flags()}}}};
      send(s.subscriber, d,
           b::unconfirmed_request(b::service::unconfirmed_cov_notification,
                                  b::encode_cov_notification(notice)));
    }
  }

  void move_plant(double dt_s) {
    std::lock_guard lock(mutex);
    for (auto& d : devices) {
      if (!d.options.plant) continue;
      auto* supply = d.find({ot::analog_input, 1});
      auto* ret = d.find({ot::analog_input, 2});
      auto* outdoor = d.find({ot::analog_input, 3});
      auto* power = d.find({ot::analog_input, 4});
      auto* energy = d.find({ot::analog_input, 5});
      auto* setpoint = d.find({ot::analog_value, 1});
      auto* fan = d.find({ot::binary_output, 1});
      auto* status = d.find({ot::binary_input, 1});
      auto* mode = d.find({ot::multi_state_value, 1});
      if (!supply || !ret || !outdoor || !power || !energy || !setpoint || !fan || !status || !mode)
        continue;
      const bool running = fan->present() != 0 && mode->present() != 1;
      status->spec.value = running ? 1 : 0;
      // First order: 60 s to the setpoint while running, 600 s to the return air when not.
      const double target = running ? setpoint->present() : ret->present();
      const double tau = running ? 60.0 : 600.0;
      supply->spec.value += (target - supply->spec.value) * (1 - std::exp(-dt_s / tau));
      const double kw = running ? (mode->present() == 3 ? 1.1 : 1.8) : 0.0;
      power->spec.value += (kw - power->spec.value) * (1 - std::exp(-dt_s / 10.0));
      energy->spec.value += power->spec.value * dt_s / 3600.0;
      notify(d);
    }
  }

  void tick() {
    step.expires_after(std::chrono::milliseconds(options.step_ms));
    step.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopping) return;
      self->move_plant(self->options.step_ms / 1000.0 * self->options.speed);
      self->tick();
    });
  }
};

BacnetSite::BacnetSite(std::shared_ptr<State> state) : state_(std::move(state)) {}

BacnetSite::~BacnetSite() {
  // Closing the socket and the timer leaves the thread nothing to do: it
  // returns, and no handler is left holding the state.
  asio::post(state_->io, [state = state_] {
    boost::system::error_code ignored;
    state->stopping = true;
    state->step.cancel();
    state->socket.close(ignored);
  });
  if (state_->thread.joinable()) state_->thread.join();
}

Result<std::unique_ptr<BacnetSite>> BacnetSite::start(BacnetSiteOptions options,
                                                      std::vector<BacnetDeviceOptions> devices) {
  std::set<std::uint32_t> instances;
  std::set<int> macs;
  int on_node = 0;
  for (const auto& d : devices) {
    if (d.instance > b::kMaxInstance || !instances.insert(d.instance).second)
      return fail(ErrorCode::invalid,
                  fmt::format("device instance {} twice or too large", d.instance));
    if (d.mac ? !macs.insert(*d.mac).second : ++on_node > 1)
      return fail(ErrorCode::invalid, "two devices at one address");
  }
  auto state = std::make_shared<State>(std::move(options));
  for (auto& d : devices) {
    SimDevice device;
    for (auto& o : d.objects) device.objects.push_back({std::move(o), {}});
    d.objects.clear();
    device.options = std::move(d);
    state->devices.push_back(std::move(device));
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address_v4(state->options.host, ec);
  if (ec) return fail(ErrorCode::invalid, "BACnet site: the host is not an IPv4 address");
  state->socket.open(udp::v4(), ec);
  if (!ec) state->socket.bind({address, state->options.port}, ec);
  if (ec)
    return fail(ErrorCode::io, fmt::format("BACnet site: cannot bind UDP {}:{}: {}",
                                           state->options.host, state->options.port, ec.message()));
  state->receive();
  state->tick();
  state->thread = std::thread([state] { state->io.run(); });
  return std::unique_ptr<BacnetSite>(new BacnetSite(std::move(state)));
}

std::uint16_t BacnetSite::port() const {
  boost::system::error_code ec;
  return state_->socket.local_endpoint(ec).port();
}

std::uint16_t BacnetSite::network() const {
  return state_->options.network;
}

std::optional<double> BacnetSite::present_value(std::uint32_t device, b::ObjectId object) const {
  std::lock_guard lock(state_->mutex);
  auto* d = state_->device(device);
  if (!d) return std::nullopt;
  auto* o = d->find(object);
  if (!o) return std::nullopt;
  return o->present();
}

Status BacnetSite::set_value(std::uint32_t device, b::ObjectId object, double value) {
  std::lock_guard lock(state_->mutex);
  auto* d = state_->device(device);
  auto* o = d ? d->find(object) : nullptr;
  if (!o) return fail(ErrorCode::not_found, "no such device or object");
  o->spec.value = value;
  asio::post(state_->io, [state = state_, device] {
    std::lock_guard lock(state->mutex);
    if (auto* dev = state->device(device)) state->notify(*dev);
  });
  return {};
}

std::optional<int> BacnetSite::active_priority(std::uint32_t device, b::ObjectId object) const {
  std::lock_guard lock(state_->mutex);
  auto* d = state_->device(device);
  auto* o = d ? d->find(object) : nullptr;
  if (!o) return std::nullopt;
  for (std::size_t i = 0; i < o->priority.size(); ++i)
    if (o->priority[i]) return static_cast<int>(i + 1);
  return std::nullopt;
}

void BacnetSite::set_silent(std::uint32_t device, bool silent) {
  std::lock_guard lock(state_->mutex);
  if (auto* d = state_->device(device)) d->options.silent = silent;
}

std::vector<BacnetFrame> BacnetSite::frames() const {
  std::lock_guard lock(state_->mutex);
  return state_->frames;
}

std::int64_t BacnetSite::requests_answered(std::uint32_t device) const {
  std::lock_guard lock(state_->mutex);
  auto* d = state_->device(device);
  return d ? d->answered : 0;
}

}  // namespace citypulse::sim
