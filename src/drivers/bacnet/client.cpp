#include "drivers/bacnet/client.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>
#include <chrono>
#include <deque>
#include <map>
#include <unordered_map>

#include "drivers/bacnet/apdu.h"
#include "drivers/bacnet/broadcast_address.h"

namespace citypulse::bacnet {

namespace asio = boost::asio;
using asio::ip::udp;

std::string to_string(const DeviceAddress& a) {
  std::string out = fmt::format("{}:{}", a.host, a.port);
  if (a.route) {
    out += fmt::format("/{}:", a.route->network);
    for (auto o : a.route->mac) out += fmt::format("{:02x}", o);
  }
  return out;
}

Result<DeviceAddress> parse_device_address(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return fail(ErrorCode::invalid,
                fmt::format("'{}' is not a BACnet device address (HOST:PORT[/NETWORK:MAC]): {}",
                            text, why));
  };
  DeviceAddress out;
  std::string_view node = text, route;
  if (auto slash = text.find('/'); slash != text.npos) {
    node = text.substr(0, slash);
    route = text.substr(slash + 1);
  }
  std::string_view host = node;
  if (auto colon = node.rfind(':'); colon != node.npos) {
    host = node.substr(0, colon);
    const auto port = node.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
      return bad("the port is not 1–65535");
    out.port = static_cast<std::uint16_t>(value);
  }
  boost::system::error_code ec;
  auto ip = asio::ip::make_address_v4(std::string(host), ec);
  if (ec) return bad("the host is not an IPv4 address");
  out.host = ip.to_string();
  if (!route.empty()) {
    const auto colon = route.find(':');
    if (colon == route.npos) return bad("a route is NETWORK:MAC");
    const auto network = route.substr(0, colon), mac = route.substr(colon + 1);
    unsigned net = 0;
    auto [end, nec] = std::from_chars(network.data(), network.data() + network.size(), net);
    if (nec != std::errc{} || end != network.data() + network.size() || net == 0 || net >= 65535)
      return bad("the network is not 1–65534");
    if (mac.empty() || mac.size() % 2 != 0 || mac.size() > 14)
      return bad("the MAC is 1–7 octets in hex");
    NetworkAddress r{static_cast<std::uint16_t>(net), {}};
    for (std::size_t i = 0; i < mac.size(); i += 2) {
      unsigned octet = 0;
      auto [e2, mec] = std::from_chars(mac.data() + i, mac.data() + i + 2, octet, 16);
      if (mec != std::errc{} || e2 != mac.data() + i + 2) return bad("the MAC is not hex");
      r.mac.push_back(static_cast<std::uint8_t>(octet));
    }
    out.route = std::move(r);
  }
  return out;
}

namespace {

constexpr std::size_t kMaxDatagram = 1500;

using Answer = Result<std::vector<std::uint8_t>>;  // a SimpleACK's (empty) or ComplexACK's body

struct Request {
  std::uint8_t service = 0;
  std::vector<std::uint8_t> parameters;
  std::move_only_function<void(Answer)> done;
};

struct InFlight {
  Request request;
  std::vector<std::uint8_t> datagram;
  int attempts = 0;
  std::unique_ptr<asio::steady_timer> timer;
};

struct DeviceQueue {
  DeviceAddress address;
  std::int64_t timeout_ms = 0;
  int retries = 0;
  std::deque<Request> waiting;
  std::map<std::uint8_t, InFlight> in_flight;
  std::uint8_t next_invoke = 0;
};

struct Listening {
  DeviceAddress target;
  WhoIs range;
  std::vector<Discovered> heard;
  std::move_only_function<void(Result<std::vector<Discovered>>)> done;
  std::unique_ptr<asio::steady_timer> timer;
};

Error device_failure(const Apdu& a) {
  const auto words = describe_failure(a);
  switch (a.type) {
    case PduType::error:
      switch (a.error_code) {
        case error_code::unknown_object:
        case error_code::unknown_property:
        case error_code::invalid_array_index:
          return {ErrorCode::not_found, "the device answered " + words, {}};
        case error_code::value_out_of_range:
        case error_code::invalid_data_type:
        case error_code::write_access_denied:
          return {ErrorCode::invalid, "the device answered " + words, {}};
        default:
          return {ErrorCode::unavailable, "the device answered " + words, {}};
      }
    case PduType::reject:
      return {ErrorCode::bad_request, "the device answered " + words, {}};
    case PduType::abort:
      return {a.reason == abort_reason::segmentation_not_supported ? ErrorCode::too_large
                                                                   : ErrorCode::unavailable,
              "the device answered " + words,
              {}};
    default:
      return {ErrorCode::internal, "the device answered " + words, {}};
  }
}

}  // namespace

struct Client::State : std::enable_shared_from_this<Client::State> {
  State(asio::io_context& io, ClientOptions o)
      : strand(asio::make_strand(io)), socket(strand), options(std::move(o)) {}

  asio::strand<asio::io_context::executor_type> strand;
  udp::socket socket;
  ClientOptions options;
  std::array<std::uint8_t, kMaxDatagram> buffer{};
  udp::endpoint sender;
  std::unordered_map<std::string, DeviceQueue> devices;
  std::vector<std::unique_ptr<Listening>> listening;
  std::move_only_function<void(const DeviceAddress&, const CovNotification&)> cov;
  bool closed = false;

  udp::endpoint endpoint_of(const DeviceAddress& a) const {
    boost::system::error_code ec;
    return {asio::ip::make_address_v4(a.host, ec), a.port};
  }

  std::vector<std::uint8_t> datagram_for(const DeviceAddress& a, std::span<const std::uint8_t> apdu,
                                         bool expecting_reply, bool broadcast) const {
    Npdu npdu;
    npdu.expecting_reply = expecting_reply;
    npdu.destination = a.route;
    return make_datagram(
        broadcast ? BvlcFunction::original_broadcast : BvlcFunction::original_unicast, npdu, apdu);
  }

  void send(const DeviceAddress& a, std::vector<std::uint8_t> octets) {
    auto shared = std::make_shared<std::vector<std::uint8_t>>(std::move(octets));
    socket.async_send_to(
        asio::buffer(*shared), endpoint_of(a),
        asio::bind_executor(strand, [shared](boost::system::error_code, std::size_t) {}));
  }

  void receive() {
    socket.async_receive_from(
        asio::buffer(buffer), sender,
        asio::bind_executor(
            strand, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
              if (self->closed) return;
              if (!ec) self->on_datagram(std::span<const std::uint8_t>(self->buffer.data(), n));
              if (ec == asio::error::operation_aborted) return;
              self->receive();
            }));
  }

  void on_datagram(std::span<const std::uint8_t> octets) {
    auto datagram = parse_datagram(octets);
    if (!datagram || datagram->npdu.network_message) return;
    DeviceAddress from;
    if (datagram->forwarded_from) {
      const auto& f = *datagram->forwarded_from;
      from.host = fmt::format("{}.{}.{}.{}", f[0], f[1], f[2], f[3]);
      from.port = static_cast<std::uint16_t>(f[4] << 8 | f[5]);
    } else {
      from.host = sender.address().to_v4().to_string();
      from.port = sender.port();
    }
    from.route = datagram->npdu.source;
    auto apdu = parse_apdu(datagram->apdu);
    if (!apdu) return;
    switch (apdu->type) {
      case PduType::unconfirmed_request:
        on_unconfirmed(from, *apdu);
        return;
      case PduType::confirmed_request:
        // A confirmed COV notification: acknowledged, then taken as an unconfirmed one.
        if (apdu->service == 1) {
          send(from, datagram_for(from, simple_ack(apdu->invoke_id, 1), false, false));
          apdu->service = service::unconfirmed_cov_notification;
          on_unconfirmed(from, *apdu);
        }
        return;
      default:
        on_answer(from, *apdu);
    }
  }

  void on_unconfirmed(const DeviceAddress& from, const Apdu& a) {
    if (a.service == service::i_am) {
      auto i_am = decode_i_am(a.body);
      if (!i_am) return;
      for (auto it = listening.begin(); it != listening.end();) {
        auto& l = **it;
        bool known = false;
        for (const auto& d : l.heard) known = known || d.i_am.device == i_am->device;
        if (!known) l.heard.push_back({*i_am, from});
        // Asked for one device, which answered: no need to wait longer.
        if (l.range.low && *l.range.low == *l.range.high && i_am->device.instance == *l.range.low) {
          auto done = std::move(*it);
          it = listening.erase(it);
          done->timer->cancel();
          finish_listening(std::move(done));
        } else {
          ++it;
        }
      }
    } else if (a.service == service::unconfirmed_cov_notification && cov) {
      auto notice = decode_cov_notification(a.body);
      if (notice) cov(from, *notice);
    }
  }

  void on_answer(const DeviceAddress& from, const Apdu& a) {
    auto device = devices.find(to_string(from));
    if (device == devices.end()) return;
    auto flight = device->second.in_flight.find(a.invoke_id);
    if (flight == device->second.in_flight.end()) return;
    auto request = std::move(flight->second.request);
    flight->second.timer->cancel();
    device->second.in_flight.erase(flight);
    Answer answer = [&]() -> Answer {
      if (a.type == PduType::simple_ack || a.type == PduType::complex_ack) {
        if (a.service != request.service)
          return fail(ErrorCode::unavailable,
                      fmt::format("the device answered service {} to service {}", a.service,
                                  request.service));
        if (a.segmented) {
          send(from, datagram_for(
                         from, abort_request(a.invoke_id, abort_reason::segmentation_not_supported),
                         false, false));
          return fail(ErrorCode::too_large,
                      "the device's answer is segmented, which this client does not take");
        }
        return std::vector<std::uint8_t>(a.body.begin(), a.body.end());
      }
      return fail(device_failure(a));
    }();
    finish(std::move(request), std::move(answer));
    pump(device->second);
  }

  void finish_listening(std::unique_ptr<Listening> l) {
    asio::post(strand, [l = std::move(l)]() mutable { l->done(std::move(l->heard)); });
  }

  void finish(Request request, Answer answer) {
    asio::post(strand, [done = std::move(request.done), answer = std::move(answer)]() mutable {
      done(std::move(answer));
    });
  }

  void confirmed(const DeviceAddress& address, std::uint8_t service,
                 std::vector<std::uint8_t> parameters, std::move_only_function<void(Answer)> done) {
    asio::post(strand, [self = shared_from_this(), address, service,
                        parameters = std::move(parameters), done = std::move(done)]() mutable {
      Request request{service, std::move(parameters), std::move(done)};
      if (self->closed) {
        self->finish(std::move(request),
                     fail(ErrorCode::unavailable, "the BACnet client is closed"));
        return;
      }
      auto key = to_string(address);
      auto& device = self->queue_of(address);
      if (device.waiting.size() >= self->options.queue_per_device) {
        self->finish(std::move(request), fail(ErrorCode::unavailable,
                                              fmt::format("{} requests already wait for device {}",
                                                          device.waiting.size(), key)));
        return;
      }
      device.waiting.push_back(std::move(request));
      self->pump(device);
    });
  }

  DeviceQueue& queue_of(const DeviceAddress& address) {
    auto [it, fresh] = devices.try_emplace(to_string(address));
    if (fresh) {
      it->second.address = address;
      it->second.timeout_ms = options.timeout_ms;
      it->second.retries = options.retries;
    }
    return it->second;
  }

  void pump(DeviceQueue& device) {
    while (!device.waiting.empty() &&
           static_cast<int>(device.in_flight.size()) < options.in_flight_per_device) {
      std::uint8_t invoke = device.next_invoke;
      while (device.in_flight.contains(invoke)) ++invoke;
      device.next_invoke = static_cast<std::uint8_t>(invoke + 1);
      InFlight flight{
          std::move(device.waiting.front()), {}, 0, std::make_unique<asio::steady_timer>(strand)};
      device.waiting.pop_front();
      flight.datagram =
          datagram_for(device.address,
                       confirmed_request(invoke, flight.request.service, flight.request.parameters),
                       true, false);
      auto& placed = device.in_flight.emplace(invoke, std::move(flight)).first->second;
      attempt(device, invoke, placed);
    }
  }

  void attempt(DeviceQueue& device, std::uint8_t invoke, InFlight& flight) {
    const auto& address = device.address;
    ++flight.attempts;
    send(address, flight.datagram);
    flight.timer->expires_after(std::chrono::milliseconds(device.timeout_ms));
    flight.timer->async_wait(asio::bind_executor(strand, [self = shared_from_this(),
                                                          key = to_string(address),
                                                          invoke](boost::system::error_code ec) {
      if (ec || self->closed) return;
      auto device = self->devices.find(key);
      if (device == self->devices.end()) return;
      auto flight = device->second.in_flight.find(invoke);
      if (flight == device->second.in_flight.end()) return;
      if (flight->second.attempts <= device->second.retries) {
        self->attempt(device->second, invoke, flight->second);
        return;
      }
      auto request = std::move(flight->second.request);
      const int attempts = flight->second.attempts;
      device->second.in_flight.erase(flight);
      self->finish(
          std::move(request),
          fail(ErrorCode::timed_out, fmt::format("device {} did not answer ({} attempts of {} ms)",
                                                 key, attempts, device->second.timeout_ms)));
      self->pump(device->second);
    }));
  }

  void close() {
    asio::post(strand, [self = shared_from_this()] {
      if (self->closed) return;
      self->closed = true;
      boost::system::error_code ignored;
      self->socket.close(ignored);
      for (auto& [key, device] : self->devices) {
        for (auto& [invoke, flight] : device.in_flight) {
          flight.timer->cancel();
          self->finish(std::move(flight.request),
                       fail(ErrorCode::unavailable, "the BACnet client is closed"));
        }
        for (auto& request : device.waiting)
          self->finish(std::move(request),
                       fail(ErrorCode::unavailable, "the BACnet client is closed"));
      }
      self->devices.clear();
      for (auto& l : self->listening) {
        l->timer->cancel();
        auto heard = std::move(l->heard);
        asio::post(self->strand, [done = std::move(l->done), heard = std::move(heard)]() mutable {
          done(std::move(heard));
        });
      }
      self->listening.clear();
    });
  }
};

Client::Client(std::shared_ptr<State> state) : state_(std::move(state)) {}

Client::~Client() {
  close();
}

Result<std::unique_ptr<Client>> Client::open(asio::io_context& io, ClientOptions options) {
  auto state = std::make_shared<State>(io, std::move(options));
  boost::system::error_code ec;
  const auto address = asio::ip::make_address_v4(state->options.bind_host, ec);
  if (ec)
    return fail(ErrorCode::invalid,
                fmt::format("'{}' is not an IPv4 address to bind to", state->options.bind_host));
  const udp::endpoint local(address, state->options.bind_port);
  state->socket.open(udp::v4(), ec);
  if (!ec) state->socket.set_option(asio::socket_base::broadcast(true), ec);
  if (!ec) state->socket.bind(local, ec);
  if (ec)
    return fail(ErrorCode::io,
                fmt::format("BACnet client: cannot bind UDP {}:{}: {}", state->options.bind_host,
                            state->options.bind_port, ec.message()));
  asio::post(state->strand, [state] { state->receive(); });
  return std::unique_ptr<Client>(new Client(std::move(state)));
}

std::uint16_t Client::local_port() const {
  boost::system::error_code ec;
  return state_->socket.local_endpoint(ec).port();
}

void Client::close() {
  state_->close();
}

void Client::set_timing(const DeviceAddress& device, std::int64_t timeout_ms, int retries) {
  asio::post(state_->strand, [state = state_, device, timeout_ms, retries] {
    auto& queue = state->queue_of(device);
    queue.timeout_ms = timeout_ms;
    queue.retries = retries;
  });
}

void Client::on_cov(
    std::move_only_function<void(const DeviceAddress&, const CovNotification&)> handler) {
  asio::post(state_->strand, [state = state_, handler = std::move(handler)]() mutable {
    state->cov = std::move(handler);
  });
}

void Client::who_is(const DeviceAddress& target, WhoIs range, std::int64_t window_ms,
                    Done<std::vector<Discovered>> done) {
  asio::post(
      state_->strand, [state = state_, target, range, window_ms, done = std::move(done)]() mutable {
        if (state->closed) {
          asio::post(state->strand, [done = std::move(done)]() mutable {
            done(fail(ErrorCode::unavailable, "the BACnet client is closed"));
          });
          return;
        }
        auto listening = std::make_unique<Listening>();
        listening->target = target;
        listening->range = range;
        listening->done = std::move(done);
        listening->timer = std::make_unique<asio::steady_timer>(state->strand);
        listening->timer->expires_after(std::chrono::milliseconds(window_ms));
        auto* raw = listening.get();
        raw->timer->async_wait(
            asio::bind_executor(state->strand, [state, raw](boost::system::error_code ec) {
              if (ec) return;
              auto it = std::find_if(state->listening.begin(), state->listening.end(),
                                     [raw](const auto& l) { return l.get() == raw; });
              if (it == state->listening.end()) return;
              auto l = std::move(*it);
              state->listening.erase(it);
              l->done(std::move(l->heard));
            }));
        state->listening.push_back(std::move(listening));
        // A limited or directed broadcast is sent as one; anything else to that node.
        const bool broadcast = is_broadcast_address(target.host);
        state->send(target, state->datagram_for(
                                target, unconfirmed_request(service::who_is, encode_who_is(range)),
                                false, broadcast));
      });
}

namespace {

template <class T, class Decode>
std::move_only_function<void(Answer)> decoded(Client::Done<T> done, Decode decode) {
  return [done = std::move(done), decode](Answer answer) mutable {
    if (!answer) return done(std::unexpected(answer.error()));
    done(decode(*answer));
  };
}

}  // namespace

void Client::read_property(const DeviceAddress& device, PropertyReference ref,
                           Done<std::vector<PropertyValue>> done) {
  state_->confirmed(
      device, service::read_property, encode_read_property(ref),
      decoded(std::move(done),
              [](const std::vector<std::uint8_t>& body) -> Result<std::vector<PropertyValue>> {
                auto ack = decode_read_property_ack(body);
                if (!ack) return std::unexpected(ack.error());
                return std::move(ack->values);
              }));
}

void Client::read_property_multiple(const DeviceAddress& device,
                                    std::vector<PropertyReference> refs,
                                    Done<std::vector<PropertyResult>> done) {
  state_->confirmed(device, service::read_property_multiple, encode_read_property_multiple(refs),
                    decoded(std::move(done), [](const std::vector<std::uint8_t>& body) {
                      return decode_read_property_multiple_ack(body);
                    }));
}

void Client::write_property(const DeviceAddress& device, WriteProperty request, Done<void> done) {
  state_->confirmed(
      device, service::write_property, encode_write_property(request),
      decoded(std::move(done), [](const std::vector<std::uint8_t>&) -> Status { return {}; }));
}

void Client::subscribe_cov(const DeviceAddress& device, SubscribeCov request, Done<void> done) {
  state_->confirmed(
      device, service::subscribe_cov, encode_subscribe_cov(request),
      decoded(std::move(done), [](const std::vector<std::uint8_t>&) -> Status { return {}; }));
}

}  // namespace citypulse::bacnet
