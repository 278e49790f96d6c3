// The HTTP/1.1 server: accepts connections on a fixed pool of I/O threads
// (each its own event loop; a connection stays on one), reads requests with
// size limits and a read timeout, runs them through the Router on a separate
// worker pool (handlers may block on a store), and writes the responses,
// keeping connections alive. Routes marked RouteRuns::inline_first are tried
// on the I/O thread first and go to the workers only when they would block.
//
// A response with a body_stream is sent with chunked transfer encoding, one
// chunk per piece, each piece produced on the worker pool; a producer that fails
// mid-body closes the connection. HTTP/1.0 clients cannot take chunked: for
// them the pieces are gathered into one body with a Content-Length (a failure
// then still becomes a 500).
//
// WebSocket endpoints (api/websocket.h) are served by path on the same
// listener, plain or TLS: a GET upgrade there becomes a WebSocket connection
// that stays on its I/O thread, reading a message at a time within the
// endpoint's limit and writing what its handler sends.
//
// Shutdown is graceful: stop accepting, close idle connections, ask
// WebSocket handlers to say goodbye, let requests in flight finish (all of it
// up to the configured grace period), then return from run().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "api/router.h"
#include "core/config.h"
#include "core/result.h"

namespace citypulse {

class WebSocketEndpoint;

class HttpServer {
 public:
  // `router` must outlive the server.
  HttpServer(const HttpConfig& config, const Router& router, int worker_threads);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves `endpoint` at `path` (exact, e.g. "/mqtt"): a GET there with a
  // WebSocket upgrade becomes a WebSocket connection, any other GET gets 426;
  // other methods go to the router. The endpoint's options are read now.
  // Callable before or after start(), from any thread; a second endpoint at
  // the same path replaces the first for later upgrades. The endpoint must
  // outlive run().
  void add_websocket(std::string path, WebSocketEndpoint& endpoint);

  // Binds and starts accepting. Returns the bound port (useful with port 0).
  Result<std::uint16_t> start();

  // Blocks until SIGINT or SIGTERM (or stop()), then shuts down gracefully.
  void run();

  // Asks run() to shut down; callable from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citypulse
