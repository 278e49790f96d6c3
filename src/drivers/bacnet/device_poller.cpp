#include "drivers/bacnet/device_poller.h"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>

#include "drivers/bacnet/apdu.h"
#include "drivers/bacnet/names.h"

namespace citypulse::bacnet {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kPropertiesPerRequest = 16;

TimeMs wall_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool unsupported_service(const Error& e) {
  return e.code == ErrorCode::bad_request &&
         e.message.find("unrecognized-service") != std::string::npos;
}

class Poller final : public drivers::DeviceSession, public std::enable_shared_from_this<Poller> {
 public:
  Poller(Client& client, asio::io_context& io, CovRouter& router, DeviceConfig config)
      : client_(client),
        io_(io),
        router_(router),
        config_(std::move(config)),
        rpm_(config_.read_property_multiple) {
    cov_held_.assign(config_.points.size(), false);
    client_.set_timing(config_.address, config_.timeout_ms, config_.retries);
  }

  std::vector<drivers::PollGroupSchedule> groups() const override {
    std::vector<drivers::PollGroupSchedule> out;
    for (const auto& g : config_.groups) out.push_back({g.name, g.interval_ms});
    return out;
  }

  void on_push(std::function<void(std::vector<drivers::ChannelReading>)> handler) override {
    push_ = std::move(handler);
  }

  // A notification for this device (the host matched its address).
  void notified(const CovNotification& notice) {
    if (closed_ || notice.process_id == 0 || notice.process_id > config_.points.size()) return;
    const auto index = notice.process_id - 1;
    const auto& binding = config_.points[index];
    if (binding.object != notice.object || !push_) return;
    for (const auto& v : notice.values) {
      if (v.property != binding.property || v.values.empty()) continue;
      if (auto number = as_number(v.values.front()))
        push_({{binding.channel, wall_now(), *number}});
    }
  }

  void poll(const std::string& group,
            std::move_only_function<void(drivers::PollReport)> done) override {
    if (!subscribed_once_) subscribe_all();
    std::vector<std::size_t> due;
    for (std::size_t i = 0; i < config_.points.size(); ++i)
      if (config_.points[i].group == group && !cov_held_[i]) due.push_back(i);
    auto cycle = std::make_shared<Cycle>();
    cycle->done = std::move(done);
    if (due.empty()) {
      // Everything of the group arrives by COV: the device's name proves it is there.
      ++cycle->pending;
      client_.read_property(
          config_.address,
          {{object_type::device, config_.device_instance}, property::object_name, std::nullopt},
          [self = shared_from_this(), cycle](Result<std::vector<PropertyValue>> r) {
            ++cycle->requests;
            if (!r) self->failed(*cycle, 0, r.error());
            self->finish(cycle);
          });
      return;
    }
    if (rpm_) {
      for (std::size_t from = 0; from < due.size(); from += kPropertiesPerRequest) {
        std::vector<std::size_t> chunk(
            due.begin() + static_cast<long>(from),
            due.begin() + static_cast<long>(std::min(due.size(), from + kPropertiesPerRequest)));
        read_many(cycle, std::move(chunk));
      }
    } else {
      for (auto i : due) read_one(cycle, i);
    }
  }

  void write(const std::string& channel, double value, std::optional<int> priority,
             std::move_only_function<void(Result<std::optional<double>>)> done) override {
    const auto* binding = config_.binding(channel);
    if (!binding) {
      post(std::move(done),
           {ErrorCode::not_found,
            fmt::format("channel '{}' is not in the device's driver document", channel),
            {}});
      return;
    }
    if (!is_writable_object(binding->object.type)) {
      post(std::move(done),
           {ErrorCode::invalid,
            fmt::format("{} is an input: it cannot be commanded", to_string(binding->object)),
            {}});
      return;
    }
    auto typed = command_value(binding->object.type, value);
    if (!typed) {
      post(std::move(done), typed.error());
      return;
    }
    const PropertyReference ref{binding->object, binding->property, std::nullopt};
    WriteProperty request{ref, *typed, static_cast<std::uint8_t>(priority.value_or(16))};
    client_.write_property(
        config_.address, request,
        [self = shared_from_this(), ref, done = std::move(done)](Status written) mutable {
          if (!written) return done(std::unexpected(written.error()));
          self->client_.read_property(
              self->config_.address, ref,
              [done = std::move(done)](Result<std::vector<PropertyValue>> back) mutable {
                if (!back) return done(std::unexpected(back.error()));
                std::optional<double> number;
                if (!back->empty()) number = as_number(back->front());
                done(number);
              });
        });
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    if (subscribed_once_) router_.remove(config_.address);
    for (auto& t : renewals_) t->cancel();
    // Cancel the subscriptions the device holds for us.
    for (std::size_t i = 0; i < config_.points.size(); ++i)
      if (cov_held_[i])
        client_.subscribe_cov(config_.address,
                              {static_cast<std::uint32_t>(i + 1), config_.points[i].object,
                               std::nullopt, std::nullopt},
                              [](Status) {});
  }

  const DeviceAddress& address() const { return config_.address; }

 private:
  struct Cycle {
    drivers::PollReport report;
    int pending = 0;
    int requests = 0, unanswered = 0;
    std::move_only_function<void(drivers::PollReport)> done;
  };

  using WriteDone = std::move_only_function<void(Result<std::optional<double>>)>;
  void post(WriteDone done, Error e) {
    asio::post(io_,
               [done = std::move(done), e = std::move(e)]() mutable { done(std::unexpected(e)); });
  }

  void failed(Cycle& cycle, std::size_t channels, const Error& e) {
    cycle.report.failed += channels;
    if (e.code == ErrorCode::timed_out) ++cycle.unanswered;
    if (cycle.report.error.empty()) cycle.report.error = e.message;
  }

  void finish(const std::shared_ptr<Cycle>& cycle) {
    if (--cycle->pending > 0) return;
    cycle->report.unreached = cycle->requests > 0 && cycle->unanswered == cycle->requests;
    cycle->done(std::move(cycle->report));
  }

  void take(Cycle& cycle, std::size_t index, const std::vector<PropertyValue>& values) {
    const auto& b = config_.points[index];
    std::optional<double> number;
    if (!values.empty()) number = as_number(values.front());
    if (number) {
      cycle.report.readings.push_back({b.channel, wall_now(), *number});
    } else {
      failed(cycle, 1,
             {ErrorCode::invalid,
              fmt::format("{} {}: not a number", to_string(b.object), property_name(b.property)),
              {}});
    }
  }

  void read_one(const std::shared_ptr<Cycle>& cycle, std::size_t index) {
    ++cycle->pending;
    const auto& b = config_.points[index];
    client_.read_property(
        config_.address, {b.object, b.property, std::nullopt},
        [self = shared_from_this(), cycle, index](Result<std::vector<PropertyValue>> r) {
          ++cycle->requests;
          if (r) {
            self->take(*cycle, index, *r);
          } else {
            const auto& b = self->config_.points[index];
            Error e = r.error();
            e.message =
                fmt::format("{} {}: {}", to_string(b.object), property_name(b.property), e.message);
            self->failed(*cycle, 1, e);
          }
          self->finish(cycle);
        });
  }

  void read_many(const std::shared_ptr<Cycle>& cycle, std::vector<std::size_t> chunk) {
    ++cycle->pending;
    std::vector<PropertyReference> refs;
    for (auto i : chunk)
      refs.push_back({config_.points[i].object, config_.points[i].property, std::nullopt});
    client_.read_property_multiple(
        config_.address, refs,
        [self = shared_from_this(), cycle, chunk](Result<std::vector<PropertyResult>> r) {
          if (!r && (unsupported_service(r.error()) || r.error().code == ErrorCode::too_large)) {
            // Not this way: one property at a time (from now on, when the service is missing).
            if (unsupported_service(r.error())) self->rpm_ = false;
            for (auto i : chunk) self->read_one(cycle, i);
            self->finish(cycle);
            return;
          }
          ++cycle->requests;
          if (!r) {
            self->failed(*cycle, chunk.size(), r.error());
          } else {
            for (std::size_t k = 0; k < chunk.size(); ++k) {
              const auto& b = self->config_.points[chunk[k]];
              const PropertyResult* found = nullptr;
              for (const auto& result : *r)
                if (result.ref.object == b.object && result.ref.property == b.property)
                  found = &result;
              if (!found) {
                self->failed(*cycle, 1,
                             {ErrorCode::unavailable,
                              fmt::format("{}: missing from the answer", to_string(b.object)),
                              {}});
              } else if (found->error) {
                self->failed(
                    *cycle, 1,
                    {ErrorCode::invalid,
                     fmt::format(
                         "{} {}: {}", to_string(b.object), property_name(b.property),
                         describe_error(found->error->error_class, found->error->error_code)),
                     {}});
              } else {
                self->take(*cycle, chunk[k], found->values);
              }
            }
          }
          self->finish(cycle);
        });
  }

  void subscribe_all() {
    subscribed_once_ = true;
    router_.add(config_.address, [weak = weak_from_this()](const CovNotification& notice) {
      if (auto self = weak.lock()) self->notified(notice);
    });
    for (std::size_t i = 0; i < config_.points.size(); ++i)
      if (config_.points[i].cov) subscribe(i);
  }

  void subscribe(std::size_t index) {
    if (closed_) return;
    const SubscribeCov request{static_cast<std::uint32_t>(index + 1), config_.points[index].object,
                               false, config_.cov_lifetime_s};
    client_.subscribe_cov(config_.address, request, [self = shared_from_this(), index](Status s) {
      if (self->closed_) return;
      self->cov_held_[index] = s.has_value();
      // Renewed at half the lifetime; a refused or lost one is tried again then too.
      auto timer = std::make_shared<asio::steady_timer>(self->io_);
      timer->expires_after(std::chrono::seconds(self->config_.cov_lifetime_s / 2));
      self->renewals_.push_back(timer);
      timer->async_wait([self, index, timer](boost::system::error_code ec) {
        std::erase(self->renewals_, timer);
        if (!ec) self->subscribe(index);
      });
    });
  }

  Client& client_;
  asio::io_context& io_;
  CovRouter& router_;
  DeviceConfig config_;
  bool rpm_ = true;
  bool subscribed_once_ = false;
  bool closed_ = false;
  std::vector<bool> cov_held_;
  std::vector<std::shared_ptr<asio::steady_timer>> renewals_;
  std::function<void(std::vector<drivers::ChannelReading>)> push_;
};

// Keeps the poller alive as long as the session object, and gives the host a
// way to hand it notifications.
class Session final : public drivers::DeviceSession {
 public:
  explicit Session(std::shared_ptr<Poller> poller) : poller_(std::move(poller)) {}
  ~Session() override { poller_->close(); }
  std::vector<drivers::PollGroupSchedule> groups() const override { return poller_->groups(); }
  void poll(const std::string& group,
            std::move_only_function<void(drivers::PollReport)> done) override {
    poller_->poll(group, std::move(done));
  }
  void write(const std::string& channel, double value, std::optional<int> priority,
             std::move_only_function<void(Result<std::optional<double>>)> done) override {
    poller_->write(channel, value, priority, std::move(done));
  }
  void on_push(std::function<void(std::vector<drivers::ChannelReading>)> handler) override {
    poller_->on_push(std::move(handler));
  }
  void close() override { poller_->close(); }

 private:
  std::shared_ptr<Poller> poller_;
};

}  // namespace

Result<PropertyValue> command_value(std::uint16_t type, double value) {
  if (std::isnan(value)) return Result<PropertyValue>(std::in_place);
  if (!std::isfinite(value)) return fail(ErrorCode::invalid, "the value is not a finite number");
  switch (type) {
    case object_type::binary_input:
    case object_type::binary_output:
    case object_type::binary_value:
      return PropertyValue(Enumerated{value != 0 ? 1u : 0u});
    case object_type::multi_state_input:
    case object_type::multi_state_output:
    case object_type::multi_state_value:
      if (value < 1 || value > 4294967295.0 || value != std::floor(value))
        return fail(ErrorCode::invalid, fmt::format("{} is not a state number (1, 2, ...)", value));
      return PropertyValue(static_cast<std::uint32_t>(value));
    default:
      return PropertyValue(static_cast<float>(value));
  }
}

CovRouter::CovRouter(Client& client)
    : handlers_(std::make_shared<std::unordered_map<std::string, Handler>>()) {
  client.on_cov([handlers = handlers_](const DeviceAddress& from, const CovNotification& notice) {
    auto it = handlers->find(to_string(from));
    if (it != handlers->end()) it->second(notice);
  });
}

void CovRouter::add(const DeviceAddress& device, Handler handler) {
  (*handlers_)[to_string(device)] = std::move(handler);
}

void CovRouter::remove(const DeviceAddress& device) {
  handlers_->erase(to_string(device));
}

std::unique_ptr<drivers::DeviceSession> make_device_session(Client& client, asio::io_context& io,
                                                            CovRouter& router,
                                                            DeviceConfig config) {
  return std::make_unique<Session>(std::make_shared<Poller>(client, io, router, std::move(config)));
}

}  // namespace citypulse::bacnet
