// WsLoad: many WebSocket client connections (RFC 6455) to a server on the
// loopback interface, all driven from the calling thread with epoll
// (PollConnections), for `citypulse bench ws`. It speaks the framing only;
// what the messages mean is the caller's, through WsLoadEvents.
//
// open(i) connects and sends the HTTP/1.1 upgrade with a fresh
// Sec-WebSocket-Key; the connection is open once the answer is 101 with
// "Upgrade: websocket", "Connection: upgrade" and the Sec-WebSocket-Accept
// that key calls for (no extension, none was offered). Then:
// - send_text() writes one masked text frame (a fresh masking key each);
// - the server's frames are read as they come: a message split over
//   continuation frames is joined before it is handed over, control frames
//   may come between its pieces, a ping is answered with a pong carrying its
//   payload, pongs are ignored;
// - a close frame from the server is answered with a close frame echoing
//   its code, and the connection ends; close(i) starts the handshake from
//   this side and the connection ends at the server's answering close.
// Text is not checked for valid UTF-8: the server is trusted to that
// extent, so that a client costs the machine little.
//
// A connection that ends other than by a close this side asked for — a
// refused upgrade, a frame breaking the protocol (masked, reserved bits, a
// control frame fragmented or over 125 bytes, a continuation of nothing, a
// message over max_message_bytes), the server's close, or the TCP
// connection dropping — counts as an error, with the server's close code
// and reason when it sent them. Nothing is reopened by itself.
//
// Not thread-safe: one WsLoad per client thread. Events are called from
// open(), poll() and close() on that thread; they may send on and close any
// connection, but must not destroy the WsLoad.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/poll_connections.h"
#include "core/result.h"

namespace citypulse {

struct WsLoadOptions {
  std::uint16_t port = 0;
  std::string target = "/api/v1/ws";             // the path of the upgrade request
  std::size_t max_message_bytes = 16 << 20;      // a larger message from the server is an error
  std::size_t max_upgrade_answer_bytes = 16384;  // the 101 answer's head
};

// How connection `i` ended.
struct WsClosed {
  int code = 0;             // of the server's close frame; 0: none came
  std::string_view reason;  // the close frame's reason, or what went wrong
  bool requested = false;   // this side had asked for the close (not an error)
};

struct WsLoadEvents {
  // The upgrade of `i` was accepted: messages may go.
  std::function<void(std::size_t i)> opened;
  // A whole message came on `i`; `data` lives until the call returns.
  std::function<void(std::size_t i, std::string_view data, bool binary)> message;
  // `i` ended (see above); it is closed when this is called.
  std::function<void(std::size_t i, const WsClosed& closed)> closed;
};

struct WsLoadCounts {
  std::int64_t errors = 0;  // connections that ended other than by a requested close
  std::string first_error;  // "client <i>: ..." of the first
  std::int64_t pings = 0;   // pings from the server, each answered
};

class WsLoad {
 public:
  enum class State : std::uint8_t { closed, upgrading, open, closing };

  // Room for `count` connections, none open yet. `events` must outlive it.
  WsLoad(WsLoadOptions options, std::size_t count, const WsLoadEvents& events);
  ~WsLoad();  // drops every connection (no close handshake)
  WsLoad(const WsLoad&) = delete;
  WsLoad& operator=(const WsLoad&) = delete;

  // Connects `i` and sends its upgrade request. Fails with io when the
  // server does not accept the TCP connection (nothing is counted then).
  Status open(std::size_t i);
  // One text message on an open connection; ignored otherwise.
  void send_text(std::size_t i, std::string_view text);
  // Sends a close frame with `code` (1000: normal) on an open connection.
  void close(std::size_t i, std::uint16_t code = 1000);
  State state(std::size_t i) const { return conns_[i].state; }

  // Waits up to `timeout_ms` (0: only looks) for traffic and handles what
  // came. Fails only when epoll fails.
  Status poll(int timeout_ms);

  const WsLoadCounts& counts() const { return counts_; }

 private:
  struct Conn {
    State state = State::closed;
    std::uint8_t message_opcode = 0;  // of the fragmented message being joined; 0: none
    std::array<char, 28> accept{};    // the Sec-WebSocket-Accept to expect while upgrading
    std::string in;                   // bytes read and not yet handled
    std::string message;              // the pieces of a fragmented message so far
  };
  void receive(std::size_t i);
  // Handles the frames at the front of `in`: the bytes used, or npos when the connection ended.
  std::size_t frames(std::size_t i);
  void send_frame(std::size_t i, std::uint8_t opcode, std::string_view payload);
  void flush(std::size_t i);
  // Ends `i`; an error unless `requested`.
  void end(std::size_t i, int code, std::string_view why, bool requested = false);
  std::uint32_t random32();

  WsLoadOptions options_;
  const WsLoadEvents& events_;
  PollConnections connections_;
  std::vector<Conn> conns_;
  WsLoadCounts counts_;
  std::uint64_t random_;  // xorshift state: keys and masks need not be secret here
  std::string scratch_;   // the reason of a close frame, kept past the frame
};

}  // namespace citypulse
