// DriverStore: the driver document of each device that CityPulse polls or
// commands itself (a Modbus TCP slave, a BACnet/IP device, an HTTP meter):
// its address and what to read and write. Kept by the relational store
// beside the device (MetaStore::drivers()) and removed with it. The store
// keeps the text; what it may say is the drivers' business (docs/drivers.md).
//
// Contract:
// - Scoped calls: the device must exist and be visible to the scope
//   (not_found otherwise, as if it did not exist); a building-limited scope
//   sees the devices of its buildings only.
// - put() creates version 1 or replaces with version + 1; given an expected
//   version (If-Match) it writes only while the stored one is that (0: only
//   when none is stored), precondition_failed otherwise.
// - changes() grows with every put and remove, so the driver host can tell
//   cheaply that it must read the documents again.
// - Each call is atomic. Calls are safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "model/asset.h"
#include "store/scope.h"

namespace citypulse {

struct DriverSettings {
  Id device_id = 0;
  Id tenant_id = 0;
  std::optional<Id> building_id;
  std::string protocol;       // the device's
  std::string device_status;  // the device's: provisioning, active, disabled
  std::string document;  // JSON
  std::int64_t version = 0;
  TimeMs updated_at = 0;
};

class DriverStore {
 public:
  virtual ~DriverStore() = default;

  virtual Result<DriverSettings> settings(const Scope& scope, Id device) = 0;
  virtual Result<DriverSettings> put(const Scope& scope, Id device, std::string document,
                                     std::optional<std::int64_t> expected_version, TimeMs now) = 0;
  virtual Status remove(const Scope& scope, Id device) = 0;
  // Every stored document, by ascending device id (unscoped: the driver host's).
  virtual Result<std::vector<DriverSettings>> all() = 0;
  virtual std::uint64_t changes() const = 0;
};

}  // namespace citypulse
