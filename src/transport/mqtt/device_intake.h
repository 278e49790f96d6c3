// DeviceIntake: what devices' MQTT messages mean to the server (the
// ThingsBoard device API over MQTT, docs/mqtt.md "Device topics"):
//
//   v1/devices/me/telemetry                 readings → the ingest pipeline;
//                                           acknowledged once durable
//   v1/devices/me/attributes                client attributes → the store
//   v1/devices/me/attributes/request/{id}   answered on .../attributes/response/{id}
//   v1/devices/me/rpc/response/{id}         the reply to a server-side RPC (device_rpc.h)
//
// and from a tenant's user or integration with readings:write (or the
// bridge, which speaks for its tenant):
//
//   v1/devices/{device id}/telemetry        that device's readings, as above
//
// Everything a device publishes is also routed to subscribers (a tenant's
// user sees it under v1/devices/<device id>/...). A bad telemetry body is
// acknowledged with Payload format invalid (MQTT 5) and stores nothing.
//
// The telemetry of one read's PUBLISHes (one device's, on one I/O thread)
// goes to the pipeline as one request at end_of_read(), each message still
// acknowledged with the outcome of its own readings.
//
// When the pipeline is over its pending-bytes ceiling, take() answers busy
// and the connection stops reading until it can take the message: the
// client is slowed by TCP, nothing is dropped, nothing acknowledged early.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "ingest/directory.h"
#include "ingest/pipeline.h"
#include "ingest/telemetry_json.h"
#include "store/meta_store.h"
#include "transport/mqtt/blocking_work.h"
#include "transport/mqtt/broker.h"
#include "transport/mqtt/device_presence.h"
#include "transport/mqtt/device_rpc.h"
#include "transport/mqtt/intake.h"

namespace citypulse::mqtt {

struct DeviceIntakeOptions {
  std::size_t max_readings_per_message = 10'000;
  // false: telemetry is acknowledged once the pipeline took it, not once
  // durable (mqtt.ack_after_durable).
  bool ack_after_durable = true;
};

class DeviceIntake final : public Intake {
 public:
  // Everything must outlive the intake. `presence` (nullptr: none) hears
  // of the devices a gateway connects and disconnects.
  DeviceIntake(ingest::Pipeline& pipeline, ingest::Directory& directory, MetaStore& store,
               Broker& broker, DeviceRpc& rpc, BlockingWork& work, DeviceIntakeOptions options,
               DevicePresence* presence = nullptr);

  // Ends the connections of devices that were disabled or removed since the
  // last call, or whose role or mqtt_topics changed (Administrative
  // action); the server calls it every second.
  // Returns at once; the directory is read on the blocking pool.
  void end_disabled_devices();

  Verdict take(const ClientIdentity& client, std::string_view client_topic,
               const MessagePtr& message, IntakeDone& done) override;
  // Submits the telemetry this thread gathered from the read.
  void end_of_read() override;

 private:
  struct Gathered;
  struct GatewayApi;
  friend struct GatewayApi;
  static Gathered& gathered_here();
  void submit_gathered();
  Verdict telemetry(Id tenant_id, Id device_id, const MessagePtr& message, IntakeDone& done);
  // One device's readings, on the I/O thread: gathered into this read's
  // request and acknowledged through `done` with their outcome. Busy when
  // the pipeline is full and `check_room`; a caller that checked room
  // itself passes false, so a message's parts are taken all or none.
  Verdict take_readings(Id tenant_id, Id device_id, ingest::Telemetry readings, IntakeDone& done,
                        bool check_room = true, ingest::Source source = ingest::Source::mqtt);
  // The same from a worker of `work_` (which may block): submitted at once,
  // retried while the pipeline is full; `done` gets the outcome (or success
  // at once, without mqtt.ack_after_durable).
  void submit_on_worker(ingest::IngestRequest request, IntakeDone done);
  // Submits from a worker, again and again while the pipeline is full.
  void submit_retrying(ingest::IngestRequest request, ingest::IngestDone answer);
  // v1/gateway/... from a gateway; `below` is what follows "v1/gateway/"
  // (gateway_intake.cpp).
  Verdict gateway(const ClientIdentity& client, std::string_view below, const MessagePtr& message,
                  IntakeDone& done);
  // Any other topic of a tenant's writer, or a device's own mqtt_topics:
  // LoRaWAN network servers' topics and devices' mapped topics
  // (mapped_topics.cpp).
  Verdict mapped(const ClientIdentity& client, std::string_view topic, const MessagePtr& message,
                 IntakeDone& done);
  Verdict attributes(const ClientIdentity& client, const MessagePtr& message, IntakeDone& done);
  Verdict attribute_request(const ClientIdentity& client, std::string_view request_id,
                            IntakeDone& done);

  ingest::Pipeline& pipeline_;
  ingest::Directory& directory_;
  MetaStore& store_;
  Broker& broker_;
  DeviceRpc& rpc_;
  BlockingWork& work_;
  const DeviceIntakeOptions options_;
  DevicePresence* const presence_;
  // Jobs this intake put on the blocking pool that have not finished. Past
  // kMaxQueuedWork, a message that could add one is answered busy (the
  // connection stops reading): the pool's queue stays bounded whatever
  // clients send, QoS 0 included.
  static constexpr std::size_t kMaxQueuedWork = 4096;
  std::atomic<std::size_t> queued_work_{0};
  bool work_has_room() const { return queued_work_.load() < kMaxQueuedWork; }
  void run_work(std::move_only_function<void()> job);
  std::atomic<std::uint64_t> checked_generation_{0};
  std::atomic<bool> checking_{false};
};

}  // namespace citypulse::mqtt
