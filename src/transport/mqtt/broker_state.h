// BrokerState: what the broker keeps across a restart — the persistent
// sessions (those with a session expiry), with their subscriptions, the
// messages queued or in flight to them and the QoS 2 ids they hold, and the
// retained messages — and the file it is kept in, <data_dir>/mqtt.db
// (SQLite).
//
// The broker writes the whole state when it changed, every few seconds and
// at shutdown (state_saver in app/embedded_broker.cpp): a graceful restart
// keeps everything, a crash loses what changed since the last save. Device
// telemetry does not depend on it: its acknowledgement waits for the store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "transport/mqtt/client_identity.h"
#include "transport/mqtt/session.h"

namespace citypulse::mqtt {

struct SavedSession {
  std::string client_id;
  ClientIdentity identity;
  std::uint32_t expiry_s = 0;
  std::int64_t disconnected_at_ms = 0;  // the save's time for sessions that were online
  std::uint16_t last_packet_id = 0;
  std::vector<std::pair<std::string, SubscriptionRecord>> subscriptions;  // by client filter
  std::vector<Delivery> queued;
  std::vector<InflightDelivery> inflight;
  std::vector<std::uint16_t> inbound_qos2;
};

struct BrokerState {
  std::vector<SavedSession> sessions;
  std::vector<MessagePtr> retained;
};

class BrokerStateFile {
 public:
  // Opens (creating) the file; the schema is made when missing.
  static Result<BrokerStateFile> open(const std::string& path);
  BrokerStateFile(BrokerStateFile&&) noexcept;
  BrokerStateFile& operator=(BrokerStateFile&&) noexcept;
  ~BrokerStateFile();

  // Replaces the saved state with `state`, in one transaction: a crash
  // mid-save leaves the previous one.
  Status save(const BrokerState& state);

  // The saved state (empty when nothing was saved). A message that does not
  // decode fails the load: the file is corrupt.
  Result<BrokerState> load();

 private:
  struct Impl;
  explicit BrokerStateFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace citypulse::mqtt
