// Pipeline: the one path every reading from outside takes, whatever carried
// it (HTTP, LoRaWAN webhooks; MQTT and the drivers later):
//
//   resolve each key to a point → validate → convert the unit → append to
//   the series store → hand to the sinks (rules, bus) → once durable, count
//   and answer.
//
// Decoding and authenticating the sender are the transport's (with the
// Directory's help); the pipeline gets an IngestRequest naming the tenant,
// the device or caller scope, and the readings as sent.
//
// Resolution: device sources by the device's channel mapping, then by point
// key (Snapshot::resolve); caller sources (the batch API) by point id or key,
// within the caller's scope. An unknown key is rejected (reason
// unknown_key) — unless the device is in provisioning mode (or the reading
// is marked auto_create), when a point is created for it (quantity and unit
// guessed from the key and the declared unit, tagged "needs_review", mapped
// as a channel of the device, in the device's building; a device without a
// building gets none).
//
// Validation per reading: a non-finite value is rejected (not_finite); one
// more than max_future_ms ahead of the server's clock is rejected (future);
// one outside its point's bounds is kept with the quality flag
// kQualitySuspect, or rejected (out_of_bounds) when so configured; a declared
// unit is converted to the point's unit (unit when impossible). Readings
// older than the store's late-data window go the bulk path (an import), not
// refused.
//
// All or nothing: with IngestRequest::all_or_nothing one rejected reading
// keeps the whole request out of the store (IngestOutcome::written false);
// otherwise the rest is written and the rejected ones are reported.
//
// Back-pressure: readings accepted but not yet durable are held against
// max_pending_bytes; a request that would pass it fails at once with
// ErrorCode::unavailable (HTTP answers 503 with Retry-After; MQTT stops
// reading its socket), so memory stays bounded however fast senders are.
// A single request larger than the ceiling is taken when nothing else is
// pending (the bound is then that one request).
//
// submit() never blocks on the disk: `done` runs later, on the store's
// completion thread, or at once on the calling thread for requests that
// write nothing. It may block briefly on the metadata store when the
// directory must be rebuilt or a provisioning device needs new points.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "ingest/directory.h"
#include "ingest/reading_sink.h"
#include "model/device_access.h"
#include "store/meta_store.h"
#include "store/scope.h"
#include "store/series_store.h"

namespace citypulse::ingest {

// The reading times transports accept: from 1970 to the end of year 9999
// (what RFC 3339 can write); a time outside them is a sender's bug, refused
// while decoding (400), never stored.
inline constexpr TimeMs kLatestReadingTime = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

// Quality flags of stored readings (0 is good).
inline constexpr std::uint8_t kQualitySuspect = 1;  // outside the point's physical bounds

// Where a request came from: labels metrics, and tells sinks the carrier.
// `derived`: values the server computes itself (an energy budget's projection);
// the drivers' sources: values CityPulse fetched from the plant itself.
enum class Source : std::uint8_t {
  http_telemetry,
  http_batch,
  chirpstack,
  things_stack,
  mqtt,
  derived,
  bacnet_ip,   // the BACnet/IP driver's polls and COV notifications
  modbus_tcp,  // the Modbus TCP driver's polls
  http_poll    // the HTTP poller's
};
inline constexpr std::size_t kSourceCount = 9;
std::string_view source_name(Source s);

enum class Rejection : std::uint8_t {
  unknown_key,    // no point for this key (and no provisioning)
  not_finite,     // NaN or infinite
  future,         // too far ahead of the server's clock
  out_of_bounds,  // outside the point's bounds, with ingest.out_of_bounds = reject
  unit,           // a declared unit that cannot become the point's
  provisioning,   // a provisioning device's new point could not be created
  not_numeric,    // a text or other non-numeric value (ThingsBoard devices send some)
};
inline constexpr std::size_t kRejectionCount = 7;
std::string_view rejection_name(Rejection r);

struct IncomingReading {
  std::string key;  // a channel name or point key; empty when `point` is set
  Id point = 0;     // the point by id (batch API)
  TimeMs t = 0;
  double value = 0;
  std::string unit;  // the unit the sender declared; empty: the point's own
  // Set when the transport already found the value unusable (a text value):
  // the reading is reported rejected with this reason after resolution.
  std::optional<Rejection> refused;
  // A point is created for this key when none exists, whatever the device's
  // mode: values the transport knows the meaning of (a LoRaWAN uplink's
  // RSSI, SNR, battery level).
  bool auto_create = false;
};

struct IngestRequest {
  Source source = Source::http_batch;
  Id tenant_id = 0;
  std::optional<Id> device_id;  // device sources: the authenticated device
  std::optional<Scope> scope;   // caller sources: the points they may write
  std::vector<IncomingReading> readings;
  bool all_or_nothing = false;
  std::int64_t started_steady_ms = 0;  // when the request arrived, for the latency histogram
  // The sender's messages this request carries, for the device's message
  // counter: more than one when a transport gathers several (the MQTT
  // PUBLISHes of one read).
  std::int64_t messages = 1;
};

// One reading that was rejected or kept as suspect, by its index in the request.
struct ReadingProblem {
  std::size_t index = 0;
  std::string key;  // the reading's key as sent; empty when it named a point by id
  std::optional<Rejection> rejected;  // unset: stored, flagged suspect
  std::string message;
};

struct IngestOutcome {
  // The request was carried out: its accepted readings (maybe none) are
  // durable. False only for an all-or-nothing request refused whole.
  bool written = false;
  std::size_t accepted = 0;
  std::size_t suspect = 0;  // among the accepted
  std::size_t rejected = 0;
  std::vector<ReadingProblem> problems;  // ascending index
  std::vector<Id> created_points;        // by provisioning
};

using IngestDone = std::move_only_function<void(Result<IngestOutcome>)>;

struct PipelineOptions {
  std::int64_t max_pending_bytes = 64 << 20;
  bool reject_out_of_bounds = false;
  std::int64_t max_future_ms = 300'000;
  std::int64_t activity_flush_ms = 5'000;  // how often device counters reach the store
};

class Pipeline {
 public:
  // `store`, `series` and `directory` must outlive the pipeline.
  Pipeline(MetaStore& store, SeriesStore& series, Directory& directory, PipelineOptions options);
  // Waits for nothing: requests in flight must have completed (the server
  // drains first). Writes the last device counters.
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Sinks see every batch the store took (reading_sink.h), in no particular
  // order across requests.
  // Add them before the first submit(); they must outlive the pipeline.
  void add_sink(ReadingSink& sink);

  // `done` is called exactly once (see the header comment for where).
  void submit(IngestRequest request, IngestDone done);

  // submit() for a caller that must not block at all (an I/O thread):
  // false, with nothing done and `request` and `done` untouched, when it
  // would have to wait — for a directory rebuild, provisioning, or the
  // store (SeriesStore::try_append) — and the caller should submit() from
  // where blocking is fine. True: taken, as by submit(); `done` then runs on
  // the store's completion thread, or at once on this one.
  [[nodiscard]] bool try_submit(IngestRequest& request, IngestDone& done);

  // Counts a message from a device that carried no readings (attributes,
  // a LoRaWAN join), for its last-seen time and message counter.
  void record_message(Id device_id);

  // Device counters not yet written to the store, merged with the store's.
  Result<DeviceActivity> activity(const Scope& scope, Id device_id);
  // The same for every device the scope sees (only those in `building` when
  // given), by ascending device id: one store query and one pass over the
  // counters not yet written, however many devices.
  Result<std::vector<DeviceActivity>> activities(const Scope& scope, std::optional<Id> building);

  std::int64_t pending_bytes() const { return pending_bytes_.load(); }
  // False when readings not yet durable fill the pending-bytes ceiling, so
  // a request now would be refused for load (and counted so, under
  // `source`): for a transport deciding whether to take more from a sender
  // before it builds the request.
  bool has_room(Source source);
  // The most readings a transport should gather into one request: a
  // quarter of the ceiling's worth, so the request finds room beside others.
  std::size_t readings_per_request() const;

  // Appends the ingest metrics in the Prometheus text format.
  void append_metrics(std::string& out) const;

 private:
  struct Prepared;
  Result<Prepared> prepare(IngestRequest& request, bool may_block);
  bool carry_out(Result<Prepared>& prepared, Source source, bool all_or_nothing, IngestDone& done,
                 bool may_block);
  Status provision(const DeviceEntry& device, const std::vector<std::size_t>& unknown,
                   const IngestRequest& request, IngestOutcome& outcome);
  bool write(std::shared_ptr<Prepared> prepared, IngestDone& done, bool may_block);
  void finish(Prepared& prepared, Status written, IngestDone& done);
  void count_device(Id device_id, std::int64_t messages, std::int64_t readings,
                    std::int64_t rejected);
  void flush_activity();
  void activity_loop();

  MetaStore& store_;
  SeriesStore& series_;
  Directory& directory_;
  PipelineOptions options_;
  std::vector<ReadingSink*> sinks_;
  std::atomic<std::int64_t> pending_bytes_{0};
  std::mutex provisioning_mutex_;  // one provisioning at a time: no duplicate points

  // Held by a write of the counters, shared by readers: a reader sees each
  // count either in the store or in activity_, never in neither.
  std::shared_mutex flush_mutex_;
  std::mutex activity_mutex_;                        // guards activity_, stopping_
  std::unordered_map<Id, DeviceActivity> activity_;  // deltas not yet in the store
  std::condition_variable activity_cv_;
  bool stopping_ = false;
  std::thread activity_thread_;
};

}  // namespace citypulse::ingest
