// drive_load: many keep-alive HTTP/1.1 connections to a loopback server,
// driven from the calling thread with epoll (PollConnections), for
// `citypulse bench ingest`.
//
// One thread per connection would measure the kernel's thread switching as
// much as the server: client and server share the machine, and a blocked
// client thread costs a wake-up per answer. Here one epoll wait collects
// every answer that has come, so the client costs the machine about a
// system call per request.
//
// Each connection has one request in flight at a time. It sends at once
// after each answer, or, with `interval_us` > 0, every `interval_us`
// (catching up when late). Sending stops at `deadline_steady_ms`; requests
// still in flight are then waited for (up to `drain_ms`), so every request
// sent is either answered or reported failed: a count of acknowledgements
// can be compared with what the server stored.
//
// A connection the server closes (or that fails) reports the failure of its
// request in flight and is opened again.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "app/http_load.h"
#include "core/result.h"

namespace citypulse {

struct LoadTraffic {
  int connections = 1;
  double interval_us = 0;  // between sends on one connection; 0: after each answer
  std::int64_t deadline_steady_ms = 0;
  std::int64_t drain_ms = 30'000;
  // The next whole request message (load_request()) of connection `index`.
  std::function<std::string(int index)> next_request;
  // The answer to connection `index`'s last request, or its failure, and
  // the microseconds from sending to the whole answer.
  std::function<void(int index, const Result<LoadReply>& answer, std::int64_t micros)> on_answer;
};

// Fails only when the load cannot run at all (no epoll, no first connection).
Status drive_load(std::uint16_t port, const LoadTraffic& traffic);

}  // namespace citypulse
