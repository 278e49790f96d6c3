#include "transport/mqtt/server.h"

#include <fmt/format.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "auth/certificate_fingerprint.h"
#include "core/time.h"

namespace citypulse::mqtt {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// A TLS connection reads into a buffer of its own (a read is pending on
// every idle connection); OpenSSL hands out at most a record per read.
constexpr std::size_t kTlsReadChunk = 4 << 10;
// A plain connection waits for readability without a buffer and reads into
// its thread's: an idle connection holds no read buffer at all, and keeps
// only the unfinished packet between reads.
constexpr std::size_t kPlainReadChunk = 64 << 10;
// Reads in a row for one connection before the others get a turn.
constexpr int kReadsPerTurn = 4;
// A kept unfinished packet's buffer is given back past this once it is consumed.
constexpr std::size_t kKeptReadCapacity = 4 << 10;

// Subject CN and fingerprint (auth/certificate_fingerprint.h) of the
// certificate the client presented.
std::pair<std::string, std::string> peer_certificate(SSL* ssl) {
  std::pair<std::string, std::string> out;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return out;
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0)
    out.first = cn;
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  if (length > 0) {
    out.second = auth::fingerprint_of_der(
        std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
    OPENSSL_free(der);
  }
  X509_free(cert);
  return out;
}

// One socket carrying one Connection. Lives while an operation is pending
// on it; the Connection holds it weakly. Everything runs on its loop.
template <class Stream>
class SocketTransport final : public Connection::Transport,
                              public std::enable_shared_from_this<SocketTransport<Stream>> {
 public:
  SocketTransport(asio::io_context& loop, Stream stream, std::atomic<std::size_t>& open)
      : loop_(loop), stream_(std::move(stream)), idle_timer_(loop), open_(open) {
    open_.fetch_add(1);
  }
  ~SocketTransport() override { open_.fetch_sub(1); }

  void start(ConnectionContext& context, std::string remote, std::string cn = {},
             std::string fingerprint = {}) {
    connection_ = std::make_shared<Connection>(context, this->weak_from_this(), std::move(remote));
    if (!cn.empty() || !fingerprint.empty())
      connection_->set_certificate(std::move(cn), std::move(fingerprint));
    set_idle_timeout(context.limits.connect_timeout_ms);
    if constexpr (kPlain) {
      // read_plain() reads only what is there; asynchronous operations
      // are unaffected.
      boost::system::error_code ec;
      stream_.non_blocking(true, ec);
      if (ec) {
        finish();
        return;
      }
    }
    read();
  }

  // Connection::Transport
  void post(std::move_only_function<void()> work) override {
    asio::post(loop_, [self = this->shared_from_this(), work = std::move(work)]() mutable {
      if (!self->closed_) work();
    });
  }
  void send(std::string& bytes) override {
    if (closed_ || bytes.empty()) return;
    if (pending_.empty())
      pending_.swap(bytes);
    else
      pending_.append(bytes);
    bytes.clear();
    if (!writing_now_) write();
  }
  std::size_t unsent() const override { return writing_.size() + pending_.size(); }
  void close() override {
    closing_ = true;
    if (!writing_now_) finish();
  }
  void pause(bool paused) override {
    paused_ = paused;
    if (paused) return;
    // The server held the client back: its silence meanwhile is not its
    // own, and what it sent is in the buffer unread.
    last_activity_ = steady_ms();
    // Resumed from inside the connection's own call chain, possibly: hand
    // the buffered bytes over from a fresh turn of the loop.
    asio::post(loop_, [self = this->shared_from_this()] {
      if (self->closed_ || self->paused_) return;
      self->consume();
      self->read();
    });
  }
  void set_idle_timeout(std::int64_t ms) override {
    idle_ms_ = ms;
    last_activity_ = steady_ms();
    if (ms > 0) arm_idle(ms);
  }
  void after(std::int64_t ms, std::move_only_function<void()> work) override {
    auto timer = std::make_shared<asio::steady_timer>(loop_, std::chrono::milliseconds(ms));
    timer->async_wait([self = this->shared_from_this(), timer,
                       work = std::move(work)](const boost::system::error_code& ec) mutable {
      if (!ec && !self->closed_) work();
    });
  }

  // From any thread.
  void shut_down(std::uint8_t reason) {
    asio::post(loop_, [self = this->shared_from_this(), reason] {
      if (self->connection_) self->connection_->end(reason);
    });
  }

 private:
  tcp::socket& socket() {
    if constexpr (std::is_same_v<Stream, tcp::socket>)
      return stream_;
    else
      return stream_.next_layer();
  }

  static constexpr bool kPlain = std::is_same_v<Stream, tcp::socket>;

  void read() {
    if (paused_ || closing_ || closed_ || reading_) return;
    if constexpr (kPlain)
      read_plain();
    else
      read_tls();
  }

  // Reads what the socket has (until it would block, or a turn's worth),
  // then waits for readability. Reading first and waiting only after
  // would-block is what makes this right whatever the reactor's
  // edge-triggering: a wait is never armed over bytes already there.
  void read_plain() {
    thread_local std::string chunk(kPlainReadChunk, '\0');
    for (int i = 0; i < kReadsPerTurn; ++i) {
      boost::system::error_code ec;
      const auto n = stream_.read_some(asio::buffer(chunk), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        wait_readable();
        return;
      }
      if (ec) {
        finish();
        return;
      }
      take(std::string_view(chunk.data(), n));
      if (paused_ || closing_ || closed_) return;
    }
    // Still more, probably: the other connections on this loop go first.
    reading_ = true;
    asio::post(loop_, [self = this->shared_from_this()] {
      self->reading_ = false;
      self->read();
    });
  }

  void wait_readable() {
    reading_ = true;
    stream_.async_wait(tcp::socket::wait_read,
                       [self = this->shared_from_this()](const boost::system::error_code& ec) {
                         self->reading_ = false;
                         if (ec) {
                           self->finish();
                           return;
                         }
                         self->read();
                       });
  }

  // Bytes read into the thread's buffer: handed over in place when nothing
  // is kept from before, and only an unfinished packet is copied to in_.
  void take(std::string_view bytes) {
    if (!connection_) return;
    if (in_.empty()) {
      const auto used = connection_->receive(bytes);
      if (used > 0) last_activity_ = steady_ms();
      in_.assign(bytes.substr(used));
    } else {
      in_.append(bytes);
      consume();
    }
    if (in_.empty() && in_.capacity() > kKeptReadCapacity) std::string().swap(in_);
  }

  void read_tls() {
    reading_ = true;
    const auto held = in_.size();
    in_.resize(held + kTlsReadChunk);
    stream_.async_read_some(asio::buffer(in_.data() + held, kTlsReadChunk),
                            [self = this->shared_from_this(), held](
                                const boost::system::error_code& ec, std::size_t n) {
                              self->reading_ = false;
                              self->in_.resize(held + n);
                              if (ec) {
                                self->finish();
                                return;
                              }
                              self->consume();
                              self->read();
                            });
  }

  void consume() {
    if (!connection_ || in_.empty()) return;
    const auto used = connection_->receive(in_);
    // Whole packets restart the keep-alive clock, not bytes: a client
    // trickling a packet a byte at a time is still closed [MQTT-3.1.2-22].
    if (used > 0) last_activity_ = steady_ms();
    in_.erase(0, used);
  }

  void write() {
    writing_now_ = true;
    writing_.swap(pending_);
    asio::async_write(
        stream_, asio::buffer(writing_),
        [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          self->writing_now_ = false;
          self->writing_.clear();
          if (ec) {
            self->finish();
            return;
          }
          if (!self->pending_.empty()) {
            self->write();
          } else if (self->closing_) {
            self->finish();
          } else if (self->connection_) {
            self->connection_->on_drained();
          }
        });
  }

  // The keep-alive clock: the timer fires at the earliest possible expiry
  // and re-arms for what is left, so reads never touch the timer.
  void arm_idle(std::int64_t ms) {
    idle_timer_.expires_after(std::chrono::milliseconds(ms));
    idle_timer_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_ || self->idle_ms_ <= 0) return;
      const auto left = self->last_activity_ + self->idle_ms_ - steady_ms();
      if (left > 0) {
        self->arm_idle(left);
        return;
      }
      if (self->connection_) self->connection_->on_idle_timeout();
      self->close();
    });
  }

  void finish() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    idle_timer_.cancel();
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    // The connection may be on the stack (close() from inside receive()):
    // it learns of the close from a fresh turn of the loop.
    asio::post(loop_, [self = this->shared_from_this()] {
      if (self->connection_) self->connection_->on_closed();
      self->connection_.reset();
    });
  }

  asio::io_context& loop_;
  Stream stream_;
  asio::steady_timer idle_timer_;
  std::atomic<std::size_t>& open_;
  std::shared_ptr<Connection> connection_;
  std::string in_, writing_, pending_;
  bool reading_ = false, writing_now_ = false, paused_ = false, closing_ = false, closed_ = false;
  std::int64_t idle_ms_ = 0;
  std::int64_t last_activity_ = 0;
};

}  // namespace

struct MqttServer::Impl {
  Impl(MqttServerOptions o, ConnectionContext& c) : options(std::move(o)), context(c) {
    for (int i = 0; i < std::max(1, options.threads); ++i)
      loops.push_back(std::make_unique<asio::io_context>(1));
  }

  MqttServerOptions options;
  ConnectionContext& context;
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::vector<std::thread> threads;
  std::unique_ptr<tcp::acceptor> plain, secure;
  std::unique_ptr<ssl::context> tls;
  std::unique_ptr<asio::steady_timer> ticker;
  std::size_t next_loop = 0;
  std::atomic<std::size_t> open{0};
  std::atomic<bool> stopping{false};

  std::mutex live_mutex;                  // guards live
  std::vector<std::weak_ptr<void>> live;  // transports, for stop()
  std::vector<std::function<void(std::uint8_t)>> enders;

  asio::io_context& pick_loop() { return *loops[next_loop++ % loops.size()]; }

  Result<std::unique_ptr<tcp::acceptor>> listen(int port) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.bind, ec);
    if (ec)
      return fail(ErrorCode::invalid,
                  fmt::format("mqtt.bind: '{}' is not an IP address", options.bind), "mqtt.bind");
    auto acceptor = std::make_unique<tcp::acceptor>(*loops[0]);
    const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(port));
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return fail(ErrorCode::io, fmt::format("cannot listen for MQTT on {}:{}: {}", options.bind,
                                             port, ec.message()));
    return acceptor;
  }

  void remember(const std::shared_ptr<void>& transport, std::function<void(std::uint8_t)> ender) {
    std::lock_guard lock(live_mutex);
    // Forget the dead now and then, so the list stays the size of the living.
    if (live.size() > 64 && live.size() >= 2 * open.load()) {
      std::size_t kept = 0;
      for (std::size_t i = 0; i < live.size(); ++i)
        if (!live[i].expired()) {
          live[kept] = std::move(live[i]);
          enders[kept] = std::move(enders[i]);
          ++kept;
        }
      live.resize(kept);
      enders.resize(kept);
    }
    live.push_back(transport);
    enders.push_back(std::move(ender));
  }

  void accept(tcp::acceptor& acceptor, bool secure_listener) {
    auto& loop = pick_loop();
    acceptor.async_accept(loop, [this, &acceptor, &loop, secure_listener](
                                    const boost::system::error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || stopping) return;
      if (!ec) {
        if (open.load() >= static_cast<std::size_t>(options.max_connections)) {
          boost::system::error_code ignored;
          socket.close(ignored);  // over mqtt.max_connections
        } else {
          socket.set_option(tcp::no_delay(true));
          std::string remote;
          boost::system::error_code rec;
          const auto peer = socket.remote_endpoint(rec);
          if (!rec) remote = peer.address().to_string();
          if (secure_listener)
            start_tls(loop, std::move(socket), std::move(remote));
          else
            asio::post(loop, [this, &loop, socket = std::move(socket),
                              remote = std::move(remote)]() mutable {
              auto t =
                  std::make_shared<SocketTransport<tcp::socket>>(loop, std::move(socket), open);
              remember(t, [w = std::weak_ptr(t)](std::uint8_t r) {
                if (auto s = w.lock()) s->shut_down(r);
              });
              t->start(context, std::move(remote));
            });
        }
      }
      accept(acceptor, secure_listener);
    });
  }

  void start_tls(asio::io_context& loop, tcp::socket socket, std::string remote) {
    using Tls = ssl::stream<tcp::socket>;
    auto stream = std::make_shared<Tls>(std::move(socket), *tls);
    auto deadline = std::make_shared<asio::steady_timer>(
        loop, std::chrono::milliseconds(context.limits.connect_timeout_ms));
    deadline->async_wait([stream](const boost::system::error_code& ec) {
      if (ec) return;
      boost::system::error_code ignored;
      stream->next_layer().close(ignored);
    });
    stream->async_handshake(
        ssl::stream_base::server, [this, &loop, stream, deadline, remote = std::move(remote)](
                                      const boost::system::error_code& ec) mutable {
          deadline->cancel();
          if (ec) return;  // a failed handshake: nothing to answer in MQTT
          auto [cn, fingerprint] = peer_certificate(stream->native_handle());
          auto t = std::make_shared<SocketTransport<Tls>>(loop, std::move(*stream), open);
          remember(t, [w = std::weak_ptr(t)](std::uint8_t r) {
            if (auto s = w.lock()) s->shut_down(r);
          });
          t->start(context, std::move(remote), std::move(cn), std::move(fingerprint));
        });
  }

  void tick() {
    ticker->expires_after(std::chrono::seconds(1));
    ticker->async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping) return;
      context.broker.tick(now_ms());
      if (options.every_second) options.every_second();
      tick();
    });
  }
};

MqttServer::MqttServer(MqttServerOptions options, ConnectionContext& context)
    : impl_(std::make_unique<Impl>(std::move(options), context)) {}

MqttServer::~MqttServer() {
  stop();
}

Result<MqttPorts> MqttServer::start() {
  auto& im = *impl_;
  MqttPorts ports;
  if (im.options.port >= 0) {
    auto a = im.listen(im.options.port);
    if (!a) return std::unexpected(a.error());
    im.plain = std::move(*a);
    ports.plain = im.plain->local_endpoint().port();
  }
  if (im.options.tls_port >= 0) {
    if (im.options.tls_cert.empty() || im.options.tls_key.empty())
      return fail(ErrorCode::invalid, "mqtt.tls_port needs mqtt.tls_cert and mqtt.tls_key",
                  "mqtt.tls_cert");
    im.tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    im.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    // OpenSSL's record buffers (some 34 KiB) are freed while a connection is idle.
    SSL_CTX_set_mode(im.tls->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    im.tls->use_certificate_chain_file(im.options.tls_cert, ec);
    if (!ec) im.tls->use_private_key_file(im.options.tls_key, ssl::context::pem, ec);
    if (!ec && !im.options.tls_client_ca.empty()) {
      im.tls->load_verify_file(im.options.tls_client_ca, ec);
      // Asked for, not required: a device may still sign in with a token.
      im.tls->set_verify_mode(ssl::verify_peer);
    }
    if (ec)
      return fail(ErrorCode::invalid, fmt::format("MQTT TLS files: {}", ec.message()),
                  "mqtt.tls_cert");
    auto a = im.listen(im.options.tls_port);
    if (!a) return std::unexpected(a.error());
    im.secure = std::move(*a);
    ports.tls = im.secure->local_endpoint().port();
  }
  if (im.plain) im.accept(*im.plain, false);
  if (im.secure) im.accept(*im.secure, true);
  im.ticker = std::make_unique<asio::steady_timer>(*im.loops[0]);
  im.tick();
  for (auto& loop : im.loops) {
    im.keep_running.push_back(asio::make_work_guard(*loop));
    im.threads.emplace_back([&l = *loop] { l.run(); });
  }
  return ports;
}

void MqttServer::stop() {
  auto& im = *impl_;
  if (im.stopping.exchange(true)) return;
  if (im.threads.empty()) return;
  asio::post(*im.loops[0], [&im] {
    boost::system::error_code ignored;
    if (im.plain) im.plain->close(ignored);
    if (im.secure) im.secure->close(ignored);
    if (im.ticker) im.ticker->cancel();
  });
  std::vector<std::function<void(std::uint8_t)>> enders;
  {
    std::lock_guard lock(im.live_mutex);
    enders = im.enders;
  }
  for (auto& e : enders) e(reason::server_shutting_down);
  const auto deadline = steady_ms() + 2000;
  while (im.open.load() > 0 && steady_ms() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  im.keep_running.clear();
  for (auto& loop : im.loops) loop->stop();
  for (auto& t : im.threads) t.join();
  im.threads.clear();
}

std::size_t MqttServer::connections() const {
  return impl_->open.load();
}

}  // namespace citypulse::mqtt
