#include "api/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "api/http_metrics.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "core/log.h"
#include "core/time.h"

namespace citypulse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

namespace {

// One client connection. `busy` is true from a complete request until its
// response is written; it is touched only on the connection's I/O thread.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;
};

// Takes the body over: the parser's message is not used again.
HttpRequest to_request(http::request<http::string_body>& msg, std::string remote) {
  HttpRequest r;
  r.method = std::string(msg.method_string());
  r.target = std::string(msg.target());
  for (const auto& field : msg) r.headers.emplace_back(field.name_string(), field.value());
  r.body = std::move(msg.body());
  r.remote = std::move(remote);
  return r;
}

// `bytes`: the body bytes sent (for HEAD, those a GET would have sent when known).
std::string access_line(const HttpRequest& req, const HttpResponse& res, std::size_t bytes,
                        double seconds) {
  // A device's access token is a path segment; the log gets the route instead.
  const bool secret_path = res.route.find("{device_token}") != std::string::npos;
  boost::json::object o{{"ts", format_rfc3339(now_ms())},
                        {"remote", req.remote},
                        {"method", req.method},
                        {"target", secret_path ? res.route : req.target},
                        {"route", res.route},
                        {"status", res.status},
                        {"bytes", bytes},
                        {"duration_ms", seconds * 1000.0}};
  return to_json_text(o);
}

// "/api/v1/points/{id}/import", with or without a query.
bool is_import_target(std::string_view target) {
  target = target.substr(0, target.find('?'));
  return target.starts_with("/api/v1/points/") && target.ends_with("/import");
}

// The status line and header fields of `res`, whatever the body type.
template <class Body>
void fill_header(http::response<Body>& out, const HttpResponse& res) {
  out.set(http::field::server, "CityPulse");
  if (!res.content_type.empty()) out.set(http::field::content_type, res.content_type);
  for (const auto& [k, v] : res.headers) out.set(k, v);
}

// The status line and fields of `out`, ready for the wire. Beast's own
// serializer walks a concatenated buffer sequence piece by piece on every
// write, which on a small answer costs more than the rest of the write;
// the whole header in one string goes out with the body in one call.
constexpr std::size_t kSmallBody = 16 * 1024;  // copied into the header's write

std::string wire_header(const http::response<http::string_body>& out, std::size_t room) {
  std::string head;
  head.reserve(256 + room);
  fmt::format_to(std::back_inserter(head), "HTTP/{}.{} {} {}\r\n", out.version() / 10,
                 out.version() % 10, out.result_int(), std::string_view(out.reason()));
  for (const auto& field : out) {
    head.append(field.name_string());
    head.append(": ");
    head.append(field.value());
    head.append("\r\n");
  }
  head.append("\r\n");
  return head;
}

// The next piece of a streamed body. A producer may call a throwing library;
// what escapes it becomes an error here rather than unwinding the server.
Result<std::string> next_piece(const std::function<Result<std::string>()>& producer) {
  try {
    return producer();
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, e.what());
  }
}

// The TLS context of an HTTPS listener: the certificate chain and key from
// PEM files, TLS 1.2 or later only.
Result<std::unique_ptr<ssl::context>> tls_context(const HttpConfig& config) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(config.tls_cert, ec);
  if (ec)
    return fail(
        ErrorCode::invalid,
        fmt::format("config key http.tls_cert: cannot use '{}': {}", config.tls_cert, ec.message()),
        "http.tls_cert");
  ctx->use_private_key_file(config.tls_key, ssl::context::pem, ec);
  if (ec)
    return fail(
        ErrorCode::invalid,
        fmt::format("config key http.tls_key: cannot use '{}': {}", config.tls_key, ec.message()),
        "http.tls_key");
  return ctx;
}

}  // namespace

struct HttpServer::Impl {
  Impl(const HttpConfig& c, const Router& r, int worker_threads)
      : config(c),
        router(r),
        contexts(make_contexts(c.threads)),
        workers(static_cast<std::size_t>(worker_threads)),
        acceptor(*contexts.front()),
        signals(*contexts.front(), SIGINT, SIGTERM) {}

  // One event loop per I/O thread, each serving the connections handed to
  // it: a connection's work stays on one thread, so it needs no strand, and
  // the threads never contend for one scheduler (each cross-thread wake-up
  // costs more than the work of a small request).
  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int threads) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < std::max(1, threads); ++i)
      out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  HttpConfig config;
  const Router& router;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::size_t next_context = 0;  // the accept loop's: the loop the next connection goes to
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::vector<std::thread> io_threads;
  std::unique_ptr<ssl::context> tls;  // set: the listener speaks HTTPS only

  std::atomic<bool> stopping{false};
  std::mutex mutex;  // guards connections, stop_requested
  std::condition_variable stop_cv;
  bool stop_requested = false;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;

  void request_stop() {
    std::lock_guard lock(mutex);
    stop_requested = true;
    stop_cv.notify_all();
  }

  // The router's answer, on the calling thread (an I/O thread when
  // `may_block` is false); what escapes a handler becomes a 500 rather than
  // unwinding the server.
  HttpResponse route(const HttpRequest& req, bool may_block) {
    try {
      return router.handle(req, may_block);
    } catch (const std::exception& e) {
      spdlog::error("unhandled error serving {} {}: {}", req.method, req.target, e.what());
      auto r = problem_response(500, "internal-error", "the server failed to answer this request",
                                req.path);
      r.route = "unmatched";
      return r;
    }
  }

  // Resumes a connection's coroutine (its handler `h`) with `answer`, on the
  // connection's own I/O thread.
  template <class Handler>
  static void resume(const asio::any_io_executor& home, Handler h, HttpResponse answer) {
    asio::post(home, [h = std::move(h), answer = std::move(answer)]() mutable {
      std::move(h)(std::move(answer));
    });
  }

  // Resumes it with the real answer once the pending `placeholder`
  // completes, straight from the thread that completes it (a durable
  // write's): one hop to the connection's thread, not two. The placeholder's
  // headers (middleware's) go onto the real answer unless it set them.
  template <class Handler>
  static void resume_when_complete(const asio::any_io_executor& home, Handler h,
                                   HttpResponse placeholder) {
    auto pending = std::move(placeholder.pending);
    pending->on_complete(
        [home, h = std::move(h), placeholder = std::move(placeholder)](HttpResponse real) mutable {
          for (auto& [name, value] : placeholder.headers)
            if (!real.header(name)) real.set_header(std::move(name), std::move(value));
          real.route = std::move(placeholder.route);
          resume(home, std::move(h), std::move(real));
        });
  }

  // The answers below are built outside the coroutine and awaited with
  // references only: g++ 12 destroys temporaries of a co_await expression
  // twice (a lambda capturing a shared_ptr there frees it twice).

  // The router's answer to `req` worked out on the worker pool: handlers
  // may block on a store, which must never stall an I/O thread.
  static auto answer_on_workers(Impl& im, const HttpRequest& req,
                                const asio::any_io_executor& home) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
        [&im, &req, home](auto handler) {
          asio::post(im.workers, [&im, &req, home, h = std::move(handler)]() mutable {
            HttpResponse r = im.route(req, true);
            if (r.pending)
              resume_when_complete(home, std::move(h), std::move(r));
            else
              resume(home, std::move(h), std::move(r));
          });
        },
        asio::use_awaitable);
  }

  // The real answer behind a pending one an inline handler gave.
  static auto answer_when_complete(HttpResponse& placeholder, const asio::any_io_executor& home) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
        [&placeholder, home](auto handler) {
          resume_when_complete(home, std::move(handler), std::move(placeholder));
        },
        asio::use_awaitable);
  }

  asio::awaitable<void> serve(std::shared_ptr<Connection> conn) {
    std::string remote;
    {
      boost::system::error_code ec;
      const auto ep = conn->stream.socket().remote_endpoint(ec);
      if (!ec) remote = fmt::format("{}:{}", ep.address().to_string(), ep.port());
    }
    if (tls) {
      beast::ssl_stream<beast::tcp_stream&> stream(conn->stream, *tls);
      conn->stream.expires_after(std::chrono::milliseconds(config.read_timeout_ms));
      auto [ec] = co_await stream.async_handshake(ssl::stream_base::server,
                                                  asio::as_tuple(asio::use_awaitable));
      if (!ec) {
        co_await serve_requests(stream, *conn, remote);
        conn->stream.expires_after(std::chrono::milliseconds(1000));
        co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
      }
    } else {
      co_await serve_requests(conn->stream, *conn, remote);
    }
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream.close();
  }

  // The requests of one connection, over plain TCP or TLS.
  template <class Stream>
  asio::awaitable<void> serve_requests(Stream& stream, Connection& connection,
                                       const std::string& remote) {
    Connection* conn = &connection;
    const asio::any_io_executor home = co_await asio::this_coro::executor;
    beast::flat_buffer buffer;
    for (;;) {
      conn->busy = false;
      if (stopping) break;
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
      parser.body_limit(static_cast<std::uint64_t>(config.max_body_bytes));
      conn->stream.expires_after(std::chrono::milliseconds(config.read_timeout_ms));
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
      if (!ec) {
        // History imports carry years of readings; only they get the larger limit.
        if (is_import_target(parser.get().target()))
          parser.body_limit(static_cast<std::uint64_t>(config.max_import_bytes));
        std::tie(ec, n) =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      }
      conn->busy = true;
      const auto started = std::chrono::steady_clock::now();

      HttpRequest req;
      HttpResponse res;
      bool close = false;
      bool http10 = false;
      if (ec) {
        // A client that closes or idles out between requests is normal life.
        if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
            ec == beast::error::timeout || ec == asio::error::connection_reset ||
            ec == asio::error::eof || ec == ssl::error::stream_truncated)
          break;
        req.method = "-";
        req.remote = remote;
        if (ec == http::error::body_limit)
          res = problem_response(
              413, "payload-too-large",
              fmt::format("the request body exceeds the limit of {} bytes",
                          is_import_target(parser.get().target()) ? config.max_import_bytes
                                                                  : config.max_body_bytes),
              "");
        else if (ec == http::error::header_limit)
          res = problem_response(431, "header-too-large",
                                 fmt::format("the request header exceeds the limit of {} bytes",
                                             config.max_header_bytes),
                                 "");
        else
          res = problem_response(400, "bad-request",
                                 fmt::format("malformed HTTP request: {}", ec.message()), "");
        res.route = "unmatched";
        close = true;
      } else {
        auto& msg = parser.get();
        req = to_request(msg, remote);
        http10 = msg.version() < 11;
        if (!parse_target(req.target, req.path, req.query)) {
          res = problem_response(400, "bad-request",
                                 fmt::format("malformed request target '{}'", req.target), "");
          res.route = "unmatched";
        } else {
          // Inline-first routes are tried right here, without the hop to a
          // worker and back; every other route answers blocked() at once.
          res = route(req, false);
          if (res.would_block)
            res = co_await answer_on_workers(*this, req, home);
          else if (res.pending)
            res = co_await answer_when_complete(res, home);
        }
        close = !msg.keep_alive() || stopping;
      }

      const bool head = req.method == "HEAD";
      if (res.body_stream && http10 && !head) co_await gather_body(req, res);
      if (res.body_stream) {
        // HTTP/1.0 clients only get here for HEAD, where no body follows anyway.
        const bool sent = co_await write_streamed(stream, *conn, req, res, !close, head,
                                                  /*chunked=*/!http10, started);
        if (!sent || close) break;
        continue;
      }

      http::response<http::string_body> out{static_cast<http::status>(res.status), 11};
      fill_header(out, res);
      out.body() = std::move(res.body);
      out.keep_alive(!close);
      out.prepare_payload();
      const auto body_bytes = out.body().size();
      if (head) out.body().clear();  // the Content-Length of the GET stays

      record(req, res, body_bytes, started);
      // A small body goes out with its header in one write; a large one
      // after it, uncopied (one asio::async_write of the two buffers through
      // the TLS stream was seen to end after the first of them).
      const bool small = out.body().size() <= kSmallBody;
      std::string message = wire_header(out, small ? out.body().size() : 0);
      if (small) message.append(out.body());
      conn->stream.expires_after(std::chrono::milliseconds(config.read_timeout_ms));
      auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(message),
                                                  asio::as_tuple(asio::use_awaitable));
      if (!wec && !small) {
        auto [bec, bn] = co_await asio::async_write(stream, asio::buffer(out.body()),
                                                    asio::as_tuple(asio::use_awaitable));
        wec = bec;
      }
      if (wec || close) break;
    }
  }

  // Metrics and the access log line of one response.
  void record(const HttpRequest& req, const HttpResponse& res, std::size_t bytes,
              std::chrono::steady_clock::time_point started) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    record_http_request(res.route, req.method, res.status, seconds);
    if (config.access_log) log_access(access_line(req, res, bytes, seconds));
  }

  // Runs a body producer for its next piece on the worker pool: producers read
  // stores, which must never stall an I/O thread.
  asio::awaitable<Result<std::string>> produce(
      const std::function<Result<std::string>()>& producer) {
    co_return co_await asio::co_spawn(
        workers, [&]() -> asio::awaitable<Result<std::string>> { co_return next_piece(producer); },
        asio::use_awaitable);
  }

  // HTTP/1.0 has no chunked encoding, so the pieces of a streamed body are
  // gathered into `body` (on the worker pool, in one go). Nothing has been sent
  // yet, so a failing producer still becomes a proper 500.
  asio::awaitable<void> gather_body(const HttpRequest& req, HttpResponse& res) {
    auto body = co_await asio::co_spawn(
        workers,
        [&]() -> asio::awaitable<Result<std::string>> {
          std::string all;
          for (;;) {
            auto piece = next_piece(res.body_stream);
            if (!piece) co_return std::unexpected(std::move(piece.error()));
            if (piece->empty()) co_return all;
            all += *piece;
          }
        },
        asio::use_awaitable);
    res.body_stream = nullptr;
    if (body) {
      res.body = std::move(*body);
      co_return;
    }
    spdlog::warn("producing the body of {} {} failed: {}", req.method, req.target,
                 body.error().message);
    std::string route = std::move(res.route);
    res = problem_response(500, "internal-error", "the server failed to produce this response",
                           req.path);
    res.route = std::move(route);
  }

  // Sends a response whose body comes from `res.body_stream`, one chunk per
  // piece as the producer yields it, so only one piece is held at a time.
  // `chunked` is false only for HEAD from HTTP/1.0 clients, which cannot take
  // chunked. Returns false when the connection must close: a write failed, or
  // the producer did and the body is cut short (the client sees no last chunk).
  template <class Stream>
  asio::awaitable<bool> write_streamed(Stream& stream, Connection& conn, const HttpRequest& req,
                                       HttpResponse& res, bool keep_alive, bool head, bool chunked,
                                       std::chrono::steady_clock::time_point started) {
    const auto timeout = std::chrono::milliseconds(config.read_timeout_ms);
    http::response<http::empty_body> out{static_cast<http::status>(res.status), 11};
    fill_header(out, res);
    // The length is unknown up front; one a handler set would contradict the chunking.
    out.erase(http::field::content_length);
    out.keep_alive(keep_alive);
    out.chunked(chunked);
    http::response_serializer<http::empty_body> serializer{out};
    conn.stream.expires_after(timeout);
    auto [ec, n] =
        co_await http::async_write_header(stream, serializer, asio::as_tuple(asio::use_awaitable));
    bool ok = !ec;
    std::size_t bytes = 0;
    while (ok && !head) {
      auto piece = co_await produce(res.body_stream);
      if (!piece) {
        spdlog::warn("streaming the body of {} {} failed after {} bytes: {}; closing", req.method,
                     req.target, bytes, piece.error().message);
        ok = false;
        break;
      }
      // The timeout restarts per piece: it bounds a stalled client, not the
      // length of the whole body.
      conn.stream.expires_after(timeout);
      if (piece->empty()) {
        auto [lec, ln] = co_await asio::async_write(stream, http::make_chunk_last(),
                                                    asio::as_tuple(asio::use_awaitable));
        ok = !lec;
        break;
      }
      auto [cec, cn] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(*piece)),
                                                  asio::as_tuple(asio::use_awaitable));
      ok = !cec;
      if (ok) bytes += piece->size();
    }
    // Release what the producer holds (a store snapshot, an open file) before
    // the connection waits for its next request.
    res.body_stream = nullptr;
    // Recorded once the body is done: producing it is the handler's work, so
    // the duration covers it.
    record(req, res, bytes, started);
    co_return ok;
  }

  asio::awaitable<void> accept_loop() {
    asio::steady_timer wait(acceptor.get_executor());
    for (;;) {
      // At the limit, new clients wait in the listen backlog (the kernel's)
      // rather than in our memory.
      while (open_connections() >= static_cast<std::size_t>(config.max_connections) && !stopping) {
        wait.expires_after(std::chrono::milliseconds(5));
        co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      auto& loop = *contexts[next_context++ % contexts.size()];
      auto [ec, socket] = co_await acceptor.async_accept(loop, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || stopping) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      auto conn = std::make_shared<Connection>(std::move(socket));
      {
        std::lock_guard lock(mutex);
        connections.emplace(conn.get(), conn);
      }
      Connection* key = conn.get();
      auto executor = conn->stream.get_executor();
      asio::co_spawn(executor, serve(std::move(conn)), [this, key](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& x) {
            spdlog::error("connection failed: {}", x.what());
          }
        }
        std::lock_guard lock(mutex);
        connections.erase(key);
      });
    }
  }

  void stop_loops() {
    keep_running.clear();
    for (auto& loop : contexts) loop->stop();
  }

  std::size_t open_connections() {
    std::lock_guard lock(mutex);
    return connections.size();
  }
};

HttpServer::HttpServer(const HttpConfig& config, const Router& router, int worker_threads)
    : impl_(std::make_unique<Impl>(config, router, worker_threads)) {}

HttpServer::~HttpServer() {
  if (!impl_->io_threads.empty()) {
    impl_->stop_loops();
    for (auto& t : impl_->io_threads) t.join();
  }
  impl_->workers.join();
}

Result<std::uint16_t> HttpServer::start() {
  auto& im = *impl_;
  if (!im.config.tls_cert.empty() || !im.config.tls_key.empty()) {
    if (im.config.tls_cert.empty() || im.config.tls_key.empty())
      return fail(ErrorCode::invalid,
                  "config keys http.tls_cert and http.tls_key must be set together",
                  im.config.tls_cert.empty() ? "http.tls_cert" : "http.tls_key");
    auto ctx = tls_context(im.config);
    if (!ctx) return std::unexpected(ctx.error());
    im.tls = std::move(*ctx);
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(im.config.bind, ec);
  if (ec)
    return fail(ErrorCode::invalid,
                fmt::format("http.bind: '{}' is not an IP address", im.config.bind), "http.bind");
  const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(im.config.port));
  im.acceptor.open(endpoint.protocol(), ec);
  if (!ec) im.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor.bind(endpoint, ec);
  if (!ec) im.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(ErrorCode::io, fmt::format("cannot listen on {}:{}: {}", im.config.bind,
                                           im.config.port, ec.message()));
  const auto port = im.acceptor.local_endpoint().port();
  asio::co_spawn(im.acceptor.get_executor(), im.accept_loop(), asio::detached);
  im.signals.async_wait([&im](const boost::system::error_code& e, int signal) {
    if (e) return;
    spdlog::info("signal {} received: shutting down", signal);
    im.request_stop();
  });
  for (auto& loop : im.contexts) {
    im.keep_running.push_back(asio::make_work_guard(*loop));
    im.io_threads.emplace_back([&l = *loop] { l.run(); });
  }
  return port;
}

void HttpServer::run() {
  auto& im = *impl_;
  {
    std::unique_lock lock(im.mutex);
    im.stop_cv.wait(lock, [&] { return im.stop_requested; });
  }
  im.stopping = true;
  // Stop accepting, then close every connection that is waiting for a request;
  // busy ones close themselves after writing their response.
  asio::post(im.acceptor.get_executor(), [&im] {
    boost::system::error_code ignored;
    im.acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(im.mutex);
    for (auto& [key, weak] : im.connections)
      if (auto c = weak.lock()) open.push_back(std::move(c));
  }
  for (auto& c : open)
    asio::post(c->stream.get_executor(), [c] {
      // The connection may have closed meanwhile; cancelling a closed socket is harmless.
      boost::system::error_code ignored;
      if (!c->busy) c->stream.socket().cancel(ignored);
    });
  open.clear();
  const auto deadline = steady_ms() + im.config.shutdown_grace_ms;
  while (im.open_connections() > 0 && steady_ms() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (const auto left = im.open_connections(); left > 0)
    spdlog::warn("{} connections still open after the shutdown grace period; closing them", left);
  im.signals.cancel();
  im.stop_loops();
  for (auto& t : im.io_threads) t.join();
  im.io_threads.clear();
  im.workers.join();
}

void HttpServer::stop() {
  impl_->request_stop();
}

}  // namespace citypulse
