#include "app/plant_commands.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>

namespace citypulse {
namespace json = boost::json;

namespace {

// The MQTT device's reply to setValue, as the command's outcome.
Result<std::optional<double>> rpc_outcome(Id device, const std::string& reply) {
  boost::system::error_code ec;
  auto answer = json::parse(reply, ec);
  if (ec || !answer.is_object()) return std::optional<double>();  // acknowledged
  const auto& o = answer.as_object();
  if (const auto* e = o.if_contains("error"))
    return fail(ErrorCode::invalid,
                fmt::format("device {} refused: {}", device,
                            e->is_string() ? std::string(e->as_string()) : json::serialize(*e)));
  if (const auto* v = o.if_contains("value")) {
    if (const auto* b = v->if_bool()) return std::optional<double>(*b ? 1.0 : 0.0);
    if (v->is_number()) return std::optional<double>(v->to_number<double>());
  }
  return std::optional<double>();
}

}  // namespace

void PlantCommands::write(const control::PlantTarget& target, std::optional<double> value,
                          std::optional<int> priority, std::int64_t timeout_ms,
                          std::move_only_function<void(Result<std::optional<double>>)> done) {
  if (target.protocol == "mqtt") {
    if (!rpc_) return done(fail(ErrorCode::unavailable, "this server runs no MQTT broker"));
    if (!value) return done(fail(ErrorCode::invalid, "MQTT devices take values, not relinquish"));
    json::object params{{"channel", target.channel}, {"value", *value}};
    if (priority) params["priority"] = *priority;
    const json::object request{{"method", "setValue"}, {"params", std::move(params)}};
    rpc_->call(
        target.tenant_id, target.device_id, json::serialize(request),
        std::max<std::int64_t>(1000, timeout_ms),
        [device = target.device_id, done = std::move(done)](Result<std::string> reply) mutable {
          if (!reply) return done(std::unexpected(reply.error()));
          done(rpc_outcome(device, *reply));
        });
    return;
  }
  if (!drivers_) return done(fail(ErrorCode::unavailable, "this server runs no plant drivers"));
  drivers_->write(target.device_id, target.channel,
                  value.value_or(std::numeric_limits<double>::quiet_NaN()), priority,
                  std::move(done));
}

}  // namespace citypulse
