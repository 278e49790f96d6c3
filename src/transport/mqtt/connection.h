// Connection: one client's MQTT conversation from CONNECT to the close,
// whatever carries its bytes (TCP, TLS, WebSocket): the transport hands it
// bytes and it hands back bytes to send.
//
// Everything but wake() and end() runs on the connection's own I/O thread;
// those two post to it. The connection owns its will, its topic aliases and
// the acknowledgements it still owes; the session (broker.h) owns what
// outlives the connection.
//
// Acknowledgements of QoS 1 and 2 PUBLISHes go out in the order the
// PUBLISHes came [MQTT-4.6.0-2], each once the Intake says the message is
// safe (telemetry: durable in the store), so an acknowledged reading is
// never lost. While the Intake is busy, the connection stops consuming
// bytes: the transport stops reading the socket and TCP pushes back on the
// client, instead of the server buffering or dropping.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "transport/mqtt/admission.h"
#include "transport/mqtt/broker.h"
#include "transport/mqtt/codec.h"
#include "transport/mqtt/device_presence.h"
#include "transport/mqtt/intake.h"
#include "transport/mqtt/owed_acks.h"

namespace citypulse::mqtt {

struct ConnectionLimits {
  std::uint32_t max_packet_size = 1 << 20;  // larger packets: Packet too large
  std::uint16_t receive_maximum = 64;       // QoS 1/2 PUBLISHes a client may have unacknowledged
  std::uint16_t topic_alias_maximum = 32;
  std::size_t max_topic_levels = 32;
  std::uint16_t max_keep_alive_s = 0;        // 0: the client's choice stands
  std::int64_t connect_timeout_ms = 10'000;  // CONNECT must come within this
  std::size_t max_unsent_bytes = 1 << 20;    // stop taking deliveries past this
  std::vector<std::string> deny;  // filters no one may subscribe to (as the client names them)
};

// What a connection needs from the server; outlives every connection.
struct ConnectionContext {
  Broker& broker;
  Admission& admission;
  Intake& intake;
  ConnectionLimits limits;
  // Told when a device's connection is admitted and when it ends; nullptr: nobody.
  DevicePresence* presence = nullptr;
};

class Connection : public SessionOwner, public std::enable_shared_from_this<Connection> {
 public:
  // The carrier's side. Called on the connection's thread, except post().
  class Transport {
   public:
    virtual ~Transport() = default;
    // Runs `work` on the connection's thread (from any thread). Dropped
    // silently once the transport is closed.
    virtual void post(std::move_only_function<void()> work) = 0;
    // Queues bytes to write; takes them (`bytes` is left empty).
    virtual void send(std::string& bytes) = 0;
    // Bytes queued and not yet written.
    virtual std::size_t unsent() const = 0;
    // Closes once the queued bytes are written (or at once on error).
    virtual void close() = 0;
    // Stops reading (true) or starts again (false): resuming hands the
    // bytes already buffered to receive() first.
    virtual void pause(bool paused) = 0;
    // Closes the connection when no whole packet arrives for this long (0:
    // never); every packet receive() consumes restarts the clock.
    virtual void set_idle_timeout(std::int64_t ms) = 0;
    // Runs `work` on the connection's thread after `ms`.
    virtual void after(std::int64_t ms, std::move_only_function<void()> work) = 0;
  };

  // `remote` is the peer's address; the certificate fields come from TLS.
  Connection(ConnectionContext& context, std::weak_ptr<Transport> transport, std::string remote);
  ~Connection() override;

  // Bytes arrived. Handles every complete packet at the front and returns
  // how many bytes it consumed; the transport keeps the rest and passes it
  // again with what follows. Consumes nothing more once paused or closing.
  std::size_t receive(std::string_view bytes);

  // Sets the TLS client certificate's subject CN and fingerprint (before any byte).
  void set_certificate(std::string cn, std::string fingerprint);

  // The transport wrote everything queued: deliveries held back may go.
  void on_drained();
  // Nothing arrived within the idle timeout (keep-alive [MQTT-3.1.2-22]).
  void on_idle_timeout();
  // The socket is gone (closed by either side or broken); called once.
  void on_closed();

  // SessionOwner: any thread.
  void wake() override;
  void end(std::uint8_t reason) override;

 private:
  struct Answers;

  bool handle(const FrameHeader& header, std::string_view body);
  bool on_connect(Connect& connect);
  void admitted(Admitted result);
  // A CONNACK with `code` (its 3.1.1 return code for old clients), then the
  // close; returns true (the CONNECT was consumed).
  bool refuse(std::uint8_t code, std::string_view why);
  void on_publish(Publish& publish);
  void on_ack(const Ack& ack);
  void on_subscribe(const Subscribe& subscribe);
  void on_unsubscribe(const Unsubscribe& unsubscribe);
  void on_disconnect(const Disconnect& disconnect);

  void owe_ack(std::uint16_t packet_id, std::uint8_t qos, std::optional<IntakeResult> result);
  void settle(std::uint64_t seq, IntakeResult result);
  void send_owed_acks();
  void drain();
  void resend_inflight();
  void resend_held();
  bool send_delivery(const Delivery& delivery, std::uint16_t packet_id, bool dup);

  // Ends the conversation: a DISCONNECT with `reason` first for MQTT 5
  // clients (4.13), then the close. The will goes out unless the client
  // disconnected normally.
  void fail(std::uint8_t reason, std::string_view why);
  void flush();
  template <class P>
  void fit_reason_string(P& packet) const;
  bool v5() const { return version_ == Version::v5; }

  ConnectionContext& context_;
  std::weak_ptr<Transport> transport_;
  std::string remote_;
  std::string certificate_cn_, certificate_fingerprint_;
  std::string out_;

  enum class Phase : std::uint8_t { awaiting_connect, admitting, connected, closing };
  Phase phase_ = Phase::awaiting_connect;
  Version version_ = Version::v311;
  bool paused_ = false;
  bool closed_ = false;
  // How the conversation ended, for the device's offline reason: the
  // server's reason code, or 0x00 for the client's DISCONNECT; none while
  // it lasts, and when the socket went without either.
  std::optional<std::uint8_t> ended_with_;
  bool present_ = false;  // counted by context_.presence: a device's admitted connection

  ClientIdentity identity_;
  SessionPtr session_;
  std::optional<StoredWill> will_;
  std::uint16_t keep_alive_s_ = 0;
  bool request_problem_info_ = true;

  // What the client told us in CONNECT, and what we keep while admitting.
  std::uint16_t client_receive_maximum_ = 65'535;
  std::uint32_t client_max_packet_size_ = 0;  // 0: no limit
  std::uint32_t session_expiry_s_ = 0;
  bool clean_start_ = true;
  std::string client_id_;
  bool assigned_id_ = false;
  std::optional<StoredWill> pending_will_;

  std::unordered_map<std::uint16_t, std::string> topic_aliases_;  // the client's, inbound

  OwedAcks owed_;
  std::shared_ptr<Answers> answers_;  // made at the first QoS 1/2 PUBLISH
  bool held_ = false;                 // in-flight deliveries wait to be resent (resend_held())
};

}  // namespace citypulse::mqtt
