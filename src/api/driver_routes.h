// The plant drivers as the API offers them (docs/drivers.md):
//
//   GET|PUT|DELETE /api/v1/devices/{id}/driver   the device's driver document
//        (assets:read to read, assets:write to change; versioned, If-Match).
//        PUT checks the document against the device's protocol: 422 naming
//        the field when it is wrong.
//   GET  /api/v1/devices/{id}/driver/status      how its driver is doing:
//        status online | degraded | offline, last error, polls, lateness
//        (assets:read; 404 when no driver runs it)
//   GET  /api/v1/drivers/status                  the same for every driven
//        device the caller sees, by device id
//   POST /api/v1/drivers/bacnet/discover         {"target": "HOST:PORT[/NET:MAC]",
//        "low"?, "high"?, "wait_ms"? (100–30000, default 3000)} → the devices
//        that answered Who-Is, each with its point objects (name, unit,
//        writable) to make points from (assets:write)
//   POST /api/v1/devices/{id}/driver/read        {"document"?: the document
//        being edited (default: the stored one), "channels"?: [names] (default:
//        all)} → each channel read once, now, from the device: {"channels":
//        [{"channel", "value"?, "raw"?, "error"?}], "read_at", "elapsed_ms",
//        "requests"} (assets:write: it talks to the plant with a document
//        nobody saved). 422 naming the field (/document/points/3/type,
//        /channels/0); 409 for a device whose protocol has no read now or
//        that has no document at all; 504 / 503 when the device does not
//        answer within the document's timeout × (retries + 1).
//
// The API knows the drivers only through PlantDrivers, which the
// application provides (the driver host), so src/api depends on no driver.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"
#include "core/result.h"
#include "store/meta_store.h"

namespace citypulse {

// One driven device's status as the API shows it: the JSON object, and whose
// it is (for scoping).
struct DriverStatusView {
  Id device_id = 0;
  Id tenant_id = 0;
  std::optional<Id> building_id;
  std::string json;  // an object's text
};

class PlantDrivers {
 public:
  virtual ~PlantDrivers() = default;
  // invalid naming the field when `document` is not a driver document of `protocol`.
  virtual Status check_document(std::string_view protocol, const boost::json::value& document) = 0;
  virtual std::optional<DriverStatusView> status(Id device) = 0;
  virtual std::vector<DriverStatusView> statuses() = 0;
  // The devices found, as a JSON array's text.
  virtual void discover_bacnet(std::string target, std::optional<std::uint32_t> low,
                               std::optional<std::uint32_t> high, std::int64_t wait_ms,
                               std::move_only_function<void(Result<std::string>)> done) = 0;
  // Reads `channels` (all when empty) of `document`, a checked document of
  // `protocol`, once now; the report as a JSON object's text: {"channels":
  // [{"channel", "value"?, "raw"?, "error"?}], "read_at", "elapsed_ms",
  // "requests"}. Errors name fields of the document as it was given.
  virtual void read_now(std::string_view protocol, const boost::json::value& document,
                        const std::vector<std::string>& channels,
                        std::move_only_function<void(Result<std::string>)> done) = 0;
  // A document changed: run it without waiting for the next check.
  virtual void changed() = 0;
};

// `drivers` null (no driver host in this process): every route but GET and
// DELETE of a document answers 503. `store` and `drivers` must outlive the
// router.
void add_driver_routes(Router& router, MetaStore& store, PlantDrivers* drivers);

}  // namespace citypulse
