// A blocking WebSocket client for tests of the realtime API: connects to
// 127.0.0.1, sends text messages, reads them with a deadline, and tells the
// close code the server gave. Built on Beast, behind this header so tests
// do not pay for its templates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace citypulse::test {

class WsTestClient {
 public:
  // Opens ws://127.0.0.1:port/target (throws std::runtime_error when the
  // upgrade fails), offering permessage-deflate when `deflate`.
  WsTestClient(std::uint16_t port, const std::string& target, bool deflate = false);
  ~WsTestClient();
  WsTestClient(const WsTestClient&) = delete;
  WsTestClient& operator=(const WsTestClient&) = delete;

  // The Sec-WebSocket-Extensions the server agreed to ("" for none).
  const std::string& extensions() const { return extensions_; }

  void send(const std::string& text);
  // The next message within `timeout_ms`; nullopt on timeout or once the
  // connection closed (closed() and close_code() then say how).
  std::optional<std::string> receive(int timeout_ms = 5000);
  bool closed() const { return closed_; }
  // The code of the server's close frame (0 when none came).
  int close_code() const { return close_code_; }
  std::string close_reason() const { return close_reason_; }
  // Closes from this side (1000) and waits for the server's answer.
  void close();

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
  std::string extensions_;
};

}  // namespace citypulse::test
