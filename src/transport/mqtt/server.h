// MqttServer: the broker's listeners — MQTT over TCP and over TLS — on a
// fixed pool of I/O threads, each its own event loop (a connection stays
// on one), feeding bytes to Connection and writing what it answers.
//
// Back-pressure reaches the socket: a connection that stops consuming
// (Connection paused) is not read until it resumes, so the kernel's buffers
// fill and TCP slows the client down.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "transport/mqtt/connection.h"

namespace citypulse::mqtt {

struct MqttServerOptions {
  std::string bind = "127.0.0.1";
  int port = 1883;            // plain MQTT; -1: no plain listener
  int tls_port = -1;          // MQTT over TLS; -1: none
  std::string tls_cert;       // PEM chain
  std::string tls_key;        // PEM key
  std::string tls_client_ca;  // PEM CAs; set: client certificates are asked for and verified
  int threads = 2;
  int max_connections = 100'000;  // more are closed at once
  // Runs on an I/O thread about once a second (it must not block): the
  // server's own housekeeping, such as ending disabled devices' connections.
  std::function<void()> every_second;
};

struct MqttPorts {
  std::uint16_t plain = 0;  // 0: not listening
  std::uint16_t tls = 0;
};

class MqttServer {
 public:
  // `context` (and the broker, admission and intake it names) must outlive the server.
  MqttServer(MqttServerOptions options, ConnectionContext& context);
  ~MqttServer();  // stops first
  MqttServer(const MqttServer&) = delete;
  MqttServer& operator=(const MqttServer&) = delete;

  // Binds, starts the I/O threads; the bound ports (useful with port 0).
  Result<MqttPorts> start();

  // Closes the listeners and every connection (MQTT 5 clients get Server
  // shutting down), then joins the threads. Idempotent.
  void stop();

  std::size_t connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citypulse::mqtt
