// DriverHost: runs the devices CityPulse polls and commands itself — each
// device with a driver document (store/driver_store.h) whose protocol has a
// driver here (bacnet_ip, modbus_tcp, http_poll) and that is not disabled.
//
// - Each of a device's poll groups has its own schedule at a fixed rate (the
//   first polls spread over up to 10 s after a start); a
//   poll still running when the next is due makes that one skip (counted),
//   it never queues. Lateness (start − scheduled start) is measured for the
//   benchmark and the status.
// - Readings go through the ingest pipeline as the device's (the device's
//   channel mapping names their points; a device in provisioning mode gets
//   points made for new channels), with the protocol as source (bacnet_ip,
//   modbus_tcp, http_poll).
// - Each device has its own DeviceHealth; a change of status is a
//   device_status event on the bus (details: device_id, status online |
//   degraded | offline, protocol, reason).
// - Documents and devices are read again when the store says they changed
//   (at most once a second); a device whose document, protocol or status
//   changed is restarted, the others keep running.
// - One thread of its own runs every driver; no call blocks it (BACnet's
//   socket is asynchronous; readings go to the pipeline from a second
//   thread, since its submit may wait on the metadata store). Modbus TCP
//   requests block (libmodbus), so they run on a pool of `modbus_workers`
//   threads, one request at a time per device, and their results come back
//   to the host's thread (drivers/modbus/device_session.h says how the pool
//   is sized). HTTP-polled devices' requests block too (libcurl): they run
//   the same way on a pool of `http_workers` threads of their own, so that
//   dead Modbus devices never hold up REST devices, nor the reverse.
// - An http_poll device's serial fills its document's {serial}: the device
//   restarts when its serial changes.
//
// Public calls are safe from any thread; their callbacks run on the host's
// thread.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/event_bus.h"
#include "core/result.h"
#include "drivers/device_health.h"
#include "drivers/read_now.h"
#include "ingest/pipeline.h"
#include "store/meta_store.h"

namespace citypulse::drivers {

struct DriverHostOptions {
  std::string bacnet_bind = "0.0.0.0";
  std::uint16_t bacnet_port = 0;  // 0: any free port (47808 to receive broadcasts)
  std::int64_t reload_check_ms = 1000;
  HealthPolicy health;
  // Threads for the Modbus devices' blocking requests: as many devices may
  // hang at once before a live one waits (drivers/modbus/device_session.h).
  int modbus_workers = 8;
  // Threads for the HTTP-polled devices' blocking requests (libcurl), sized
  // the same way (drivers/httppoll/device_session.h).
  int http_workers = 8;
};

// What the API shows of a driven device.
struct DeviceDriverStatus {
  Id device_id = 0;
  Id tenant_id = 0;
  std::optional<Id> building_id;
  std::string protocol;
  DeviceStatus status = DeviceStatus::online;
  bool polled = false;  // false before the first poll's outcome
  TimeMs since = 0, last_success_at = 0, last_poll_at = 0, next_probe_at = 0;
  int consecutive_failures = 0;
  std::string last_error;
  std::int64_t polls = 0, failed_polls = 0, skipped_polls = 0, readings = 0;
  std::int64_t max_lateness_ms = 0;  // the largest start lateness of a poll so far
  std::int64_t max_poll_ms = 0;      // the longest poll, from its start to its answer
  std::string configuration_error;   // a stored document this binary cannot run
};

struct DiscoveredDevice {
  std::uint32_t instance = 0;
  std::string address;  // HOST:PORT[/NET:MAC]
  std::uint32_t max_apdu = 0;
  std::uint32_t vendor = 0;
  std::string name;  // object-name, when it answered
  struct Object {
    std::string object;  // "analog-input:1"
    std::string name;
    std::string unit;  // the vocabulary's, "" when none or unknown
    bool writable = false;
  };
  std::vector<Object> objects;  // point objects from its object list
  std::string error;            // when the object list could not be read
};

class DriverHost {
 public:
  // All three must outlive the host.
  DriverHost(MetaStore& store, ingest::Pipeline& pipeline, bus::EventBus& bus,
             DriverHostOptions options = {});
  ~DriverHost();  // stops
  DriverHost(const DriverHost&) = delete;
  DriverHost& operator=(const DriverHost&) = delete;

  // Opens the BACnet socket (io when it cannot), starts the Modbus and HTTP
  // worker pools and the thread.
  Status start();
  void stop();

  // Whether `document` is a valid driver document for `protocol` (invalid
  // naming the field, or invalid on "/" for a protocol without a driver).
  static Status check_document(std::string_view protocol, const boost::json::value& document);

  std::optional<DeviceDriverStatus> status(Id device) const;
  std::vector<DeviceDriverStatus> statuses() const;

  // Who-Is through `target` ("HOST:PORT[/NET:MAC]", every network behind
  // it), I-Ams gathered for `window_ms`, then each device's name and its
  // object list's point objects with their names and units.
  void discover_bacnet(std::string target, std::optional<std::uint32_t> low,
                       std::optional<std::uint32_t> high, std::int64_t window_ms,
                       std::move_only_function<void(Result<std::vector<DiscoveredDevice>>)> done);

  // Commands a channel of a running device (not_found: no such device
  // running or channel; unavailable: the device is offline).
  void write(Id device, std::string channel, double value, std::optional<int> priority,
             std::move_only_function<void(Result<std::optional<double>>)> done);

  // Reads `channels` (every channel when empty) of `document` once, now,
  // outside every schedule: a driver document of `protocol`, stored or not
  // (the editor's). modbus_tcp only (modbus/read_once.h says how and how
  // long). Errors: invalid naming the field for a bad document or an unknown
  // channel ("/channels/2", checked before anything is sent); conflict for
  // another protocol; unavailable when the host is not running or
  // kMaxReadsUnderWay reads wait on devices already; else the read's own
  // (timed_out, unavailable: the device is out of reach).
  void read_now(std::string_view protocol, const boost::json::value& document,
                const std::vector<std::string>& channels,
                std::move_only_function<void(Result<ReadReport>)> done);
  // Reads now share the Modbus workers with the polls: this many at once at
  // most, so that editors asking dead devices never hold the whole pool.
  static constexpr int kMaxReadsUnderWay = 2;

  // Read the documents again now rather than at the next check.
  void reload_soon();

  // The drivers' metrics in Prometheus text: citypulse_driver_polls_total
  // {protocol, outcome: answered | partly | unreached}, citypulse_driver_
  // readings_dropped_total (polls whose readings the ingest pipeline had no
  // room for) and the gauge citypulse_driver_devices {protocol, status:
  // online | degraded | offline | not_running}.
  void append_metrics(std::string& out) const;

  std::uint16_t bacnet_port() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace citypulse::drivers
