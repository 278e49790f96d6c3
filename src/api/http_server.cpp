#include "api/http_server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "api/http_metrics.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "api/websocket.h"
#include "core/log.h"
#include "core/time.h"

namespace citypulse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

namespace {

// What shutdown needs of a WebSocket connection, whatever its stream.
class WebSocketShutdown {
 public:
  virtual ~WebSocketShutdown() = default;
  virtual void shut_down() = 0;  // on the connection's thread
};

// An I/O thread's event loop as WebSocket handlers see it.
class ContextLoop final : public WebSocketLoop {
 public:
  explicit ContextLoop(asio::io_context& context) : context_(context) {}
  void post(std::move_only_function<void()> work) override {
    asio::post(context_, std::move(work));
  }

 private:
  asio::io_context& context_;
};

// One client connection. `busy` is true from a complete request until its
// response is written, and while it is a WebSocket; both are touched only on
// the connection's I/O thread.
struct Connection {
  Connection(tcp::socket socket, WebSocketLoop& loop) : stream(std::move(socket)), loop(loop) {}
  beast::tcp_stream stream;
  WebSocketLoop& loop;  // the I/O thread it is served on
  bool busy = false;
  std::weak_ptr<WebSocketShutdown> websocket;  // set once upgraded
};

// A registered WebSocket endpoint and the options it gave.
struct WebSocketRoute {
  WebSocketEndpoint* endpoint = nullptr;
  WebSocketOptions options;
};

// Binary messages joined behind a write in progress (byte-stream endpoints)
// stop growing at this size: a client's receive buffer need not be large.
constexpr std::size_t kMaxJoinedMessage = 256 << 10;

// One upgraded connection: the WebSocketPeer its handler talks to. Driven
// by completion handlers on the connection's loop, at most one read, one
// write (or the close) and the accept in flight; each holds the session.
// `Stream` (plain TCP or TLS) lives in the serving coroutine, which waits
// for `done` and never holds the session itself: were the loop destroyed
// with the session pending, the two would otherwise keep each other.
template <class Stream>
class WebSocketSession final : public WebSocketPeer,
                               public WebSocketShutdown,
                               public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(Stream& stream, beast::tcp_stream& lowest, WebSocketLoop& loop,
                   asio::thread_pool& workers, const WebSocketOptions& options,
                   std::chrono::milliseconds handshake_timeout, std::string subprotocol)
      : ws_(std::in_place, stream),
        lowest_(lowest),
        loop_(loop),
        workers_(workers),
        executor_(lowest.get_executor()),
        idle_timer_(executor_),
        byte_stream_(options.byte_stream) {
    // The HTTP read deadline no longer applies: the idle timeout does, and
    // the WebSocket stream times its own opening and closing handshakes.
    lowest_.expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_->set_option(timeouts);
    ws_->read_message_max(options.max_message_bytes);
    ws_->auto_fragment(false);  // one message, one frame
    if (options.compress) {
      websocket::permessage_deflate deflate;
      deflate.server_enable = true;
      // A 4 KiB window holds a message's repeated member names; smaller
      // state than zlib's default 32 KiB, at little cost in ratio.
      deflate.server_max_window_bits = 12;
      deflate.memLevel = 4;
      deflate.compLevel = 3;
      deflate.msg_size_threshold = 512;
      ws_->set_option(deflate);
    }
    ws_->set_option(websocket::stream_base::decorator(
        [subprotocol = std::move(subprotocol)](websocket::response_type& res) {
          res.set(http::field::server, "CityPulse");
          if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
        }));
  }

  void set_handler(std::shared_ptr<WebSocketHandler> handler) { handler_ = std::move(handler); }

  // Answers the upgrade `request`, then reads and writes until the close.
  void start(http::request<http::string_body> request) {
    request_ = std::move(request);
    accepting_ = true;
    ws_->async_accept(request_, [self = this->shared_from_this()](beast::error_code ec) {
      self->accepting_ = false;
      self->request_ = {};
      if (ec || self->closed_) {
        self->finish();
        return;
      }
      self->accepted_ = true;
      self->last_activity_ = steady_ms();
      self->write_next();
      self->read();
    });
  }

  // Runs `done` once the connection is over, nothing is in flight any more
  // and on_closed has run.
  void when_done(std::move_only_function<void()> done) {
    done_ = std::move(done);
    maybe_done();
  }

  // WebSocketPeer
  WebSocketLoop& loop() override { return loop_; }

  void post(std::move_only_function<void()> work) override {
    asio::post(executor_, [self = this->shared_from_this(), work = std::move(work)]() mutable {
      if (!self->closed_) work();
    });
  }

  void send(std::string& message, bool binary) override {
    if (closing_ || closed_) {
      message.clear();
      return;
    }
    unsent_ += message.size();
    if (byte_stream_ && binary && !queue_.empty() && queue_.back().binary &&
        queue_.back().bytes.size() + message.size() <= kMaxJoinedMessage)
      queue_.back().bytes.append(message);
    else
      queue_.push_back({std::move(message), binary});
    message.clear();
    write_next();
  }

  std::size_t unsent() const override { return unsent_; }

  void close(WebSocketClose code) override {
    if (closing_ || closed_) return;
    closing_ = true;
    close_code_ = code;
    write_next();  // the close goes once the queue is written
  }

  void pause(bool paused) override {
    paused_ = paused;
    if (paused) return;
    // Resumed from inside the handler's own call chain, possibly: carry on
    // from a fresh turn of the loop.
    asio::post(executor_, [self = this->shared_from_this()] {
      if (self->closed_ || self->paused_) return;
      if (self->held_)
        self->deliver();
      else
        self->read();
    });
  }

  void set_idle_timeout(std::int64_t ms) override {
    idle_ms_ = ms;
    last_activity_ = steady_ms();
    if (ms > 0 && !closed_) arm_idle(ms);
  }

  void after(std::int64_t ms, std::move_only_function<void()> work) override {
    auto timer = std::make_shared<asio::steady_timer>(executor_, std::chrono::milliseconds(ms));
    timer->async_wait([self = this->shared_from_this(), timer,
                       work = std::move(work)](const boost::system::error_code& ec) mutable {
      if (!ec && !self->closed_) work();
    });
  }

  void run_blocking(std::move_only_function<void()> work) override {
    // Not checking closed_ here: that is the I/O thread's; post() drops
    // the way back once the connection is gone.
    asio::post(workers_,
               [self = this->shared_from_this(), work = std::move(work)]() mutable { work(); });
  }

  // WebSocketShutdown
  void shut_down() override {
    if (closing_ || closed_) return;
    if (auto h = handler_)
      h->on_shutdown(*this);
    else
      close(WebSocketClose::going_away);
  }

 private:
  struct Outgoing {
    std::string bytes;
    bool binary = true;
  };

  void read() {
    if (!accepted_ || paused_ || held_ || reading_ || closing_ || closed_) return;
    reading_ = true;
    ws_->async_read(in_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->reading_ = false;
      if (ec) {
        // websocket::error::closed is the client's close handshake; a
        // message over the limit was already answered with 1009 by Beast.
        if (ec != websocket::error::closed)
          spdlog::debug("websocket: reading failed: {}", ec.message());
        self->finish();
        return;
      }
      if (self->closed_) {
        self->maybe_done();
        return;
      }
      self->last_activity_ = steady_ms();
      self->held_ = true;
      if (!self->paused_) self->deliver();
    });
  }

  // Hands the message in `in_` to the handler, then reads on.
  void deliver() {
    held_ = false;
    auto handler = handler_;
    if (handler && !closing_) {
      const std::string_view message(static_cast<const char*>(in_.data().data()), in_.size());
      handler->on_message(message, ws_->got_binary());
    }
    in_.consume(in_.size());
    read();
  }

  void write_next() {
    if (!accepted_ || writing_ || closing_op_ || closed_) return;
    if (queue_.empty()) {
      if (closing_) start_close();
      return;
    }
    writing_ = true;
    out_ = std::move(queue_.front());
    queue_.pop_front();
    ws_->binary(out_.binary);
    ws_->async_write(asio::buffer(out_.bytes),
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       self->unsent_ -= self->out_.bytes.size();
                       self->out_.bytes.clear();
                       if (ec) {
                         self->finish();
                         return;
                       }
                       if (self->closed_) {
                         self->maybe_done();
                         return;
                       }
                       if (!self->queue_.empty() || self->closing_) {
                         self->write_next();
                       } else if (auto h = self->handler_) {
                         h->on_drained();
                       }
                     });
  }

  void start_close() {
    closing_op_ = true;
    ws_->async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_)),
                     [self = this->shared_from_this()](beast::error_code) {
                       self->closing_op_ = false;
                       self->finish();
                     });
  }

  // The idle clock: the timer fires at the earliest possible expiry and
  // re-arms for what is left, so reads never touch the timer.
  void arm_idle(std::int64_t ms) {
    idle_timer_.expires_after(std::chrono::milliseconds(ms));
    idle_timer_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_ || self->closing_ || self->idle_ms_ <= 0) return;
      const auto left = self->last_activity_ + self->idle_ms_ - steady_ms();
      if (left > 0) {
        self->arm_idle(left);
        return;
      }
      if (auto h = self->handler_) h->on_idle_timeout();
      self->close(WebSocketClose::going_away);
    });
  }

  // The connection is over, cleanly or not: whatever is still in flight is
  // aborted, and the handler learns of it from a fresh turn of the loop
  // (it may be on the stack).
  void finish() {
    if (closed_) {
      maybe_done();
      return;
    }
    closed_ = true;
    idle_timer_.cancel();
    boost::system::error_code ignored;
    lowest_.socket().close(ignored);
    queue_.clear();
    asio::post(executor_, [self = this->shared_from_this()] {
      if (auto h = std::move(self->handler_)) h->on_closed();
      self->handler_closed_ = true;
      self->maybe_done();
    });
  }

  // Resumes the serving coroutine once nothing refers to the stream.
  void maybe_done() {
    if (!closed_ || !handler_closed_ || accepting_ || reading_ || writing_ || closing_op_ || !done_)
      return;
    auto done = std::move(done_);
    done_ = nullptr;
    // From a fresh turn: the last operation's handler is still on the stack.
    asio::post(executor_, [self = this->shared_from_this(), done = std::move(done)]() mutable {
      self->ws_.reset();
      done();
    });
  }

  std::optional<websocket::stream<Stream&>> ws_;
  beast::tcp_stream& lowest_;
  WebSocketLoop& loop_;
  asio::thread_pool& workers_;
  asio::any_io_executor executor_;
  asio::steady_timer idle_timer_;
  const bool byte_stream_;
  std::shared_ptr<WebSocketHandler> handler_;
  std::move_only_function<void()> done_;
  http::request<http::string_body> request_;  // the upgrade, until answered
  beast::flat_buffer in_;
  std::deque<Outgoing> queue_;
  Outgoing out_;            // the message being written
  std::size_t unsent_ = 0;  // bytes in queue_ and out_
  WebSocketClose close_code_ = WebSocketClose::normal;
  bool accepting_ = false, accepted_ = false, reading_ = false, held_ = false, paused_ = false;
  bool writing_ = false, closing_ = false, closing_op_ = false, closed_ = false;
  bool handler_closed_ = false;
  std::int64_t idle_ms_ = 0;
  std::int64_t last_activity_ = 0;
};

// The Sec-WebSocket-Protocol values a client offered, in its order.
std::vector<std::string> offered_subprotocols(const http::request<http::string_body>& msg) {
  std::vector<std::string> out;
  for (auto it = msg.find(http::field::sec_websocket_protocol);
       it != msg.end() && it->name() == http::field::sec_websocket_protocol; ++it) {
    std::string_view list = it->value();
    while (!list.empty()) {
      const auto comma = list.find(',');
      auto item = list.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return out;
}

// "203.0.113.5:40122" → "203.0.113.5"; "::1:40122" → "::1".
std::string address_of(const std::string& remote) {
  const auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

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
        loops(make_loops(contexts)),
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

  static std::vector<std::unique_ptr<ContextLoop>> make_loops(
      const std::vector<std::unique_ptr<asio::io_context>>& contexts) {
    std::vector<std::unique_ptr<ContextLoop>> out;
    for (const auto& c : contexts) out.push_back(std::make_unique<ContextLoop>(*c));
    return out;
  }

  HttpConfig config;
  const Router& router;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<ContextLoop>> loops;  // one a context, for WebSocket handlers
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

  std::mutex websocket_mutex;  // guards websocket_routes
  std::unordered_map<std::string, WebSocketRoute> websocket_routes;
  std::atomic<bool> any_websocket_route{false};  // a GET pays for the lookup only then

  // The WebSocket endpoint at `path`, if a GET there is one.
  std::optional<WebSocketRoute> websocket_route(http::verb method, const std::string& path) {
    if (method != http::verb::get || !any_websocket_route.load(std::memory_order_relaxed))
      return std::nullopt;
    std::lock_guard lock(websocket_mutex);
    auto it = websocket_routes.find(path);
    if (it == websocket_routes.end()) return std::nullopt;
    return it->second;
  }

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
      // The parser compares a declared Content-Length with its limit as soon
      // as the header is read, before the target is known: it gets the larger
      // limit, and the target's own is applied here (history imports carry
      // years of readings; only they get the larger one).
      parser.body_limit(
          static_cast<std::uint64_t>(std::max(config.max_body_bytes, config.max_import_bytes)));
      conn->stream.expires_after(std::chrono::milliseconds(config.read_timeout_ms));
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
      if (!ec) {
        const auto limit = static_cast<std::uint64_t>(is_import_target(parser.get().target())
                                                          ? config.max_import_bytes
                                                          : config.max_body_bytes);
        if (const auto declared = parser.content_length(); declared && *declared > limit) {
          ec = http::error::body_limit;
        } else {
          parser.body_limit(limit);  // for a chunked body, counted as it comes
          std::tie(ec, n) = co_await http::async_read(stream, buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
        }
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
        std::optional<WebSocketRoute> websocket_at;
        if (!parse_target(req.target, req.path, req.query)) {
          res = problem_response(400, "bad-request",
                                 fmt::format("malformed request target '{}'", req.target), "");
          res.route = "unmatched";
        } else if ((websocket_at = websocket_route(msg.method(), req.path))) {
          auto session = upgrade(stream, *conn, parser, req, *websocket_at, res);
          if (session) {
            record(req, res, 0, started);
            co_await serve_websocket(session);
            break;  // the connection ends with the WebSocket
          }
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

  // The session of a WebSocket upgrade to `route`, ready to answer it; or
  // null and the refusal in `res` (426 for a GET that is no upgrade, 400 for
  // no agreed subprotocol, 503 while stopping, or the endpoint's error). On
  // success `res` is the 101 for the metrics and the log.
  template <class Stream>
  std::shared_ptr<WebSocketSession<Stream>> upgrade(Stream& stream, Connection& conn,
                                                    http::request_parser<http::string_body>& parser,
                                                    const HttpRequest& req,
                                                    const WebSocketRoute& route,
                                                    HttpResponse& res) {
    auto refuse = [&](HttpResponse refusal) {
      res = std::move(refusal);
      res.route = req.path;
      return nullptr;
    };
    auto& msg = parser.get();
    const auto& options = route.options;
    if (stopping)
      return refuse(
          problem_response(503, "shutting-down", "the server is shutting down", req.path));
    if (!websocket::is_upgrade(msg)) {
      auto r = problem_response(426, "upgrade-required",
                                fmt::format("{} is a WebSocket endpoint: send a WebSocket upgrade "
                                            "(Connection: Upgrade, Upgrade: websocket)",
                                            req.path),
                                req.path);
      r.set_header("Upgrade", "websocket");
      return refuse(std::move(r));
    }
    std::string subprotocol;
    if (!options.subprotocols.empty()) {
      const auto offered = offered_subprotocols(msg);
      for (const auto& wanted : options.subprotocols)
        if (std::find(offered.begin(), offered.end(), wanted) != offered.end()) {
          subprotocol = wanted;
          break;
        }
      if (subprotocol.empty())
        return refuse(problem_response(
            400, "bad-request",
            fmt::format(
                "{} speaks the WebSocket subprotocol {} (Sec-WebSocket-Protocol); the "
                "client offered {}",
                req.path, fmt::join(options.subprotocols, " or "),
                offered.empty() ? std::string("none") : fmt::to_string(fmt::join(offered, ", "))),
            req.path));
    }
    auto session = std::make_shared<WebSocketSession<Stream>>(
        stream, conn.stream, conn.loop, workers, options,
        std::chrono::milliseconds(config.read_timeout_ms), subprotocol);
    auto handler = route.endpoint->open(
        WebSocketUpgrade{req, std::move(subprotocol), address_of(req.remote)}, session);
    if (!handler) return refuse(problem_response(handler.error(), req.path));
    session->set_handler(std::move(*handler));
    session->start(parser.release());
    conn.websocket = session;
    res.status = 101;
    res.route = req.path;
    return session;
  }

  // Waits until the session ends. Takes the session over: the coroutine
  // must not hold it while suspended (see WebSocketSession).
  template <class Session>
  static auto serve_websocket(std::shared_ptr<Session>& session) {
    return asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [&session](auto handler) {
          auto s = std::move(session);
          s->when_done(std::move(handler));
        },
        asio::use_awaitable);
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
      const auto at = next_context++ % contexts.size();
      auto [ec, socket] =
          co_await acceptor.async_accept(*contexts[at], asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || stopping) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      // Answers and WebSocket messages are written whole, each when it is
      // ready: Nagle's algorithm would hold a small one back until the
      // client acknowledged the one before (a delayed ACK: up to 40 ms).
      boost::system::error_code nodelay_failed;
      socket.set_option(asio::ip::tcp::no_delay(true), nodelay_failed);
      auto conn = std::make_shared<Connection>(std::move(socket), *loops[at]);
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
      if (auto ws = c->websocket.lock()) {
        ws->shut_down();
        return;
      }
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

void HttpServer::add_websocket(std::string path, WebSocketEndpoint& endpoint) {
  auto& im = *impl_;
  WebSocketRoute route{&endpoint, endpoint.options()};
  std::lock_guard lock(im.websocket_mutex);
  im.websocket_routes.insert_or_assign(path, route);
  im.any_websocket_route = true;
  spdlog::info("WebSocket endpoint {} (subprotocols: {})", path,
               route.options.subprotocols.empty()
                   ? std::string("none")
                   : fmt::to_string(fmt::join(route.options.subprotocols, ", ")));
}

void HttpServer::stop() {
  impl_->request_stop();
}

}  // namespace citypulse
