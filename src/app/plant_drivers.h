// The driver host (drivers/driver_host.h) as the API sees it
// (api/driver_routes.h): statuses and discoveries as JSON. Lives in the app
// so that the API depends on no driver.
#pragma once

#include "api/driver_routes.h"
#include "drivers/driver_host.h"

namespace citypulse {

class HostedDrivers final : public PlantDrivers {
 public:
  // `host` must outlive this.
  explicit HostedDrivers(drivers::DriverHost& host) : host_(host) {}

  Status check_document(std::string_view protocol, const boost::json::value& document) override;
  std::optional<DriverStatusView> status(Id device) override;
  std::vector<DriverStatusView> statuses() override;
  void discover_bacnet(std::string target, std::optional<std::uint32_t> low,
                       std::optional<std::uint32_t> high, std::int64_t wait_ms,
                       std::move_only_function<void(Result<std::string>)> done) override;
  void read_now(std::string_view protocol, const boost::json::value& document,
                const std::vector<std::string>& channels,
                std::move_only_function<void(Result<std::string>)> done) override;
  void changed() override { host_.reload_soon(); }

 private:
  drivers::DriverHost& host_;
};

}  // namespace citypulse
