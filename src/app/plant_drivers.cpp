#include "app/plant_drivers.h"

#include <boost/json.hpp>

#include "core/time.h"

namespace citypulse {

namespace json = boost::json;

namespace {

json::value instant(TimeMs t) {
  return t > 0 ? json::value(format_rfc3339(t)) : json::value(nullptr);
}

DriverStatusView view_of(const drivers::DeviceDriverStatus& s) {
  json::object o{
      {"device_id", s.device_id},
      {"protocol", s.protocol},
      {"status", s.configuration_error.empty() ? json::value(drivers::status_name(s.status))
                                               : json::value("not_running")},
      {"polled", s.polled},
      {"since", instant(s.since)},
      {"last_poll_at", instant(s.last_poll_at)},
      {"last_success_at", instant(s.last_success_at)},
      {"next_probe_at", instant(s.next_probe_at)},
      {"consecutive_failures", s.consecutive_failures},
      {"last_error", s.last_error},
      {"polls", s.polls},
      {"failed_polls", s.failed_polls},
      {"skipped_polls", s.skipped_polls},
      {"readings", s.readings},
      {"max_lateness_ms", s.max_lateness_ms},
      {"max_poll_ms", s.max_poll_ms}};
  if (s.building_id) o["building_id"] = *s.building_id;
  if (!s.configuration_error.empty()) o["configuration_error"] = s.configuration_error;
  return {s.device_id, s.tenant_id, s.building_id, json::serialize(o)};
}

json::object report_json(const drivers::ReadReport& report) {
  json::array channels;
  for (const auto& c : report.channels) {
    json::object o{{"channel", c.channel}};
    if (c.value) o["value"] = *c.value;
    if (!c.raw.empty()) o["raw"] = c.raw;
    if (c.error) o["error"] = c.error->message;
    channels.push_back(std::move(o));
  }
  return {{"channels", std::move(channels)},
          {"read_at", instant(report.read_at)},
          {"elapsed_ms", report.elapsed_ms},
          {"requests", report.requests}};
}

}  // namespace

void HostedDrivers::read_now(std::string_view protocol, const json::value& document,
                             const std::vector<std::string>& channels,
                             std::move_only_function<void(Result<std::string>)> done) {
  host_.read_now(protocol, document, channels,
                 [done = std::move(done)](Result<drivers::ReadReport> report) mutable {
                   if (!report) return done(std::unexpected(report.error()));
                   done(json::serialize(report_json(*report)));
                 });
}

Status HostedDrivers::check_document(std::string_view protocol, const json::value& document) {
  return drivers::DriverHost::check_document(protocol, document);
}

std::optional<DriverStatusView> HostedDrivers::status(Id device) {
  auto s = host_.status(device);
  if (!s) return std::nullopt;
  return view_of(*s);
}

std::vector<DriverStatusView> HostedDrivers::statuses() {
  std::vector<DriverStatusView> out;
  for (const auto& s : host_.statuses()) out.push_back(view_of(s));
  return out;
}

void HostedDrivers::discover_bacnet(std::string target, std::optional<std::uint32_t> low,
                                    std::optional<std::uint32_t> high, std::int64_t wait_ms,
                                    std::move_only_function<void(Result<std::string>)> done) {
  host_.discover_bacnet(
      std::move(target), low, high, wait_ms,
      [done = std::move(done)](Result<std::vector<drivers::DiscoveredDevice>> found) mutable {
        if (!found) return done(std::unexpected(found.error()));
        json::array devices;
        for (const auto& d : *found) {
          json::array objects;
          for (const auto& o : d.objects)
            objects.push_back({{"object", o.object},
                               {"name", o.name},
                               {"unit", o.unit},
                               {"writable", o.writable}});
          json::object device{{"instance", d.instance}, {"address", d.address},
                              {"name", d.name},         {"max_apdu", d.max_apdu},
                              {"vendor", d.vendor},     {"objects", std::move(objects)}};
          if (!d.error.empty()) device["error"] = d.error;
          devices.push_back(std::move(device));
        }
        done(json::serialize(devices));
      });
}

}  // namespace citypulse
