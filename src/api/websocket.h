// WebSocket endpoints of the HTTP server (RFC 6455), free of the network
// library: an endpoint is registered with HttpServer by path; each upgrade
// it accepts gets a WebSocketPeer (the server's side of the connection) and
// hands back a WebSocketHandler (the endpoint's side). MQTT over WebSocket
// (app/mqtt_websocket.h) is one endpoint; what the peer offers is what a
// byte-stream protocol needs from its carrier: send, close, flow control,
// timers and an idle timeout.
//
// Threads: a connection stays on one I/O thread of the HTTP server (its
// WebSocketLoop). Every handler call and every peer call runs there, except
// WebSocketPeer::post() and WebSocketLoop::post(), which may be called from
// any thread to get there. Nothing may block there:
// what may goes to the workers (WebSocketPeer::run_blocking()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.h"
#include "core/result.h"

namespace citypulse {

// Close codes (RFC 6455 7.4.1) a peer may close with.
enum class WebSocketClose : std::uint16_t {
  normal = 1000,
  going_away = 1001,  // the server is stopping, or the client went idle
  protocol_error = 1002,
  unsupported_data = 1003,  // e.g. a text message where only binary is spoken
  policy_violation = 1008,
  too_big = 1009,  // sent by the server itself when a message exceeds the limit
  internal_error = 1011,
};

// One event loop (an I/O thread) of the server and the connections on it.
// It lives as long as the server. What is posted here runs on that thread
// whether or not any one connection is still open, so one task can serve
// every connection of the loop: a publisher reaching a thousand clients
// posts once a loop, not once a client.
class WebSocketLoop {
 public:
  virtual ~WebSocketLoop() = default;
  // Runs `work` on the loop's thread, from any thread.
  virtual void post(std::move_only_function<void()> work) = 0;
};

// The server's side of one WebSocket connection.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;

  // The loop this connection lives on, for the whole connection.
  virtual WebSocketLoop& loop() = 0;

  // Runs `work` on the connection's thread, from any thread. Dropped
  // silently once the connection is closed.
  virtual void post(std::move_only_function<void()> work) = 0;

  // Queues one message (binary or text) and takes its bytes (`message` is
  // left empty). With WebSocketOptions::byte_stream, binary messages queued
  // behind a write in progress may go out joined as one message. Ignored
  // once close() was called.
  virtual void send(std::string& message, bool binary = true) = 0;

  // Bytes queued and not yet written: what a producer checks to hold back.
  virtual std::size_t unsent() const = 0;

  // Starts the closing handshake once the queued messages are written;
  // messages arriving meanwhile are dropped. Idempotent (the first code
  // wins). The handler's on_closed() follows when the connection is gone.
  virtual void close(WebSocketClose code = WebSocketClose::normal) = 0;

  // Stops reading (true), so TCP pushes back on the client, or starts again
  // (false). A message that was already arriving is held and handed over
  // after the resume, never while paused.
  virtual void pause(bool paused) = 0;

  // When no message arrives for this long (every message restarts the
  // clock): WebSocketHandler::on_idle_timeout(), then close(going_away),
  // which a close the handler made there precedes. 0: never (the default).
  virtual void set_idle_timeout(std::int64_t ms) = 0;

  // Runs `work` on the connection's thread after `ms`; dropped if the
  // connection is closed by then.
  virtual void after(std::int64_t ms, std::move_only_function<void()> work) = 0;

  // Runs `work` on the server's worker pool, for what may block (a store
  // read); it gets back to the connection's thread with post().
  virtual void run_blocking(std::move_only_function<void()> work) = 0;
};

// The endpoint's side of one connection. The server holds it until
// on_closed() has run.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;

  // A whole message arrived (at most WebSocketOptions::max_message_bytes; a
  // larger one closes the connection with too_big, and on_closed follows).
  // `message` lives until the call returns.
  virtual void on_message(std::string_view message, bool binary) = 0;

  // Everything queued has been written.
  virtual void on_drained() {}

  // Nothing arrived within the idle timeout; the peer closes right after
  // (going_away, unless the handler closes here with its own goodbye).
  virtual void on_idle_timeout() {}

  // The server is shutting down: say goodbye and close. The server waits
  // for the close up to http.shutdown_grace_ms.
  virtual void on_shutdown(WebSocketPeer& peer) { peer.close(WebSocketClose::going_away); }

  // The connection is gone (closed by either side, refused in the
  // handshake, or broken). Called once, last, from a fresh turn of the
  // loop; the peer ignores every call after it.
  virtual void on_closed() = 0;
};

// What the endpoint accepts, read once at registration.
struct WebSocketOptions {
  // Sec-WebSocket-Protocol values in order of preference: the server picks
  // the first one the client offers. Empty: none needed, none agreed.
  // Not empty: a client offering none of them is refused with 400.
  std::vector<std::string> subprotocols;
  // Larger messages close the connection (1009) before they are buffered.
  std::size_t max_message_bytes = 1 << 20;
  // Messages are a byte stream split anywhere (MQTT over WebSocket): binary
  // sends queued behind a write in progress may be joined into one message.
  bool byte_stream = false;
  // Agrees to permessage-deflate (RFC 7692) when the client offers it, and
  // then compresses messages of 512 bytes and more. The compressor's state
  // is made at the first such message (tens of KiB), so idle connections
  // do not pay for it.
  bool compress = false;
};

// One upgrade request that passed the checks, offered to the endpoint.
struct WebSocketUpgrade {
  const HttpRequest& request;  // path, query and headers of the upgrade
  std::string subprotocol;     // the one agreed; empty when the endpoint names none
  std::string remote_address;  // the client's IP address, without the port
};

class WebSocketEndpoint {
 public:
  virtual ~WebSocketEndpoint() = default;

  virtual WebSocketOptions options() const = 0;

  // An upgrade to this endpoint's path: the handler of the new connection,
  // or an error the client gets as a problem+json answer instead of the
  // upgrade (e.g. unauthenticated for a missing token). Runs on the I/O
  // thread; must not block. `peer` may be used at once: what is sent before
  // the handshake completes goes out after it.
  virtual Result<std::shared_ptr<WebSocketHandler>> open(const WebSocketUpgrade& upgrade,
                                                         std::shared_ptr<WebSocketPeer> peer) = 0;
};

}  // namespace citypulse
