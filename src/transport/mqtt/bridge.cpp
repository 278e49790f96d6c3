#include "transport/mqtt/bridge.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "core/text.h"
#include "core/time.h"
#include "transport/mqtt/bridge_session.h"

namespace citypulse::mqtt {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Stream = ssl::stream<tcp::socket>;

namespace {

constexpr std::size_t kReadChunk = 16 << 10;
constexpr std::int64_t kTickMs = 250;               // keep-alive and deadline checks
constexpr std::int64_t kConnectTimeoutMs = 10'000;  // resolving, TCP and TLS together
constexpr std::int64_t kStopGraceMs = 1'000;        // for the DISCONNECT to go out at stop
constexpr std::int64_t kSettlePollMs = 10;

// "citypulse-<host name>", with only the characters every broker takes in
// a client id (3.1.1 servers must accept [0-9a-zA-Z], 3.1.3.1).
std::string default_client_id() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) name[0] = '\0';
  std::string id = "citypulse-";
  for (const char* c = name; *c; ++c)
    id += std::isalnum(static_cast<unsigned char>(*c)) != 0 ? *c : '-';
  return id;
}

// Runs work on the bridge's loop from any thread, until closed: an Intake
// completion may come after the bridge stopped.
class Mailbox {
 public:
  explicit Mailbox(asio::io_context& loop) : loop_(&loop) {}
  void post(std::move_only_function<void()> work) {
    std::lock_guard lock(mutex_);
    if (loop_) asio::post(*loop_, std::move(work));
  }
  void close() {
    std::lock_guard lock(mutex_);
    loop_ = nullptr;
  }

 private:
  std::mutex mutex_;
  asio::io_context* loop_;
};

// One connection's socket (TCP, or TLS over it), feeding a BridgeSession
// and writing what it answers. Everything runs on the bridge's loop.
class Link final : public BridgeSession::Carrier, public std::enable_shared_from_this<Link> {
 public:
  Link(asio::io_context& loop, std::unique_ptr<Stream> stream, bool tls)
      : loop_(loop),
        stream_(std::move(stream)),
        tls_(tls),
        tick_timer_(loop),
        stop_timer_(loop),
        ended_(loop, asio::steady_timer::time_point::max()) {}

  // `on_subscribed` runs once, when the session got its SUBACK.
  void start(std::shared_ptr<BridgeSession> session, std::function<void()> on_subscribed) {
    session_ = std::move(session);
    on_subscribed_ = std::move(on_subscribed);
    session_->start(steady_ms());
    read();
    tick();
  }

  // Cancelled (woken) when the socket is closed.
  asio::steady_timer& ended() { return ended_; }
  bool closed() const { return closed_; }

  // The bridge stops: DISCONNECT, and the close at the latest after a grace.
  void stop() {
    if (closed_) return;
    session_->stop();
    stop_timer_.expires_after(std::chrono::milliseconds(kStopGraceMs));
    stop_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->finish("the server is stopping");
    });
  }

  // BridgeSession::Carrier
  void send(std::string& bytes) override {
    if (closed_ || bytes.empty()) return;
    pending_.append(bytes);
    bytes.clear();
    if (!writing_now_) write();
  }
  void close() override {
    closing_ = true;
    if (!writing_now_) finish({});
  }
  void pause(bool paused) override {
    paused_ = paused;
    if (paused) return;
    // Possibly called from inside the session: resume from a fresh turn.
    asio::post(loop_, [self = shared_from_this()] {
      if (self->closed_ || self->paused_) return;
      self->consume();
      self->read();
    });
  }
  void after(std::int64_t ms, std::move_only_function<void()> work) override {
    auto timer = std::make_shared<asio::steady_timer>(loop_, std::chrono::milliseconds(ms));
    timer->async_wait([self = shared_from_this(), timer,
                       work = std::move(work)](const boost::system::error_code& ec) mutable {
      if (!ec && !self->closed_) work();
    });
  }

 private:
  // The same operation on the TLS stream or the bare socket.
  template <class F>
  void with_stream(F&& f) {
    if (tls_)
      f(*stream_);
    else
      f(stream_->next_layer());
  }

  void read() {
    if (paused_ || closing_ || closed_ || reading_) return;
    reading_ = true;
    const auto held = in_.size();
    in_.resize(held + kReadChunk);
    with_stream([&](auto& s) {
      s.async_read_some(
          asio::buffer(in_.data() + held, kReadChunk),
          [self = shared_from_this(), held](const boost::system::error_code& ec, std::size_t n) {
            self->reading_ = false;
            self->in_.resize(held + n);
            if (ec) {
              self->finish(ec == asio::error::eof ? std::string() : ec.message());
              return;
            }
            self->consume();
            self->read();
          });
    });
  }

  void consume() {
    if (in_.empty() || closed_) return;
    const auto used = session_->receive(in_);
    in_.erase(0, used);
    notice_subscribed();
  }

  void write() {
    writing_now_ = true;
    writing_.swap(pending_);
    with_stream([&](auto& s) {
      asio::async_write(
          s, asio::buffer(writing_),
          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            self->writing_now_ = false;
            self->writing_.clear();
            if (ec) {
              self->finish(ec.message());
              return;
            }
            if (!self->pending_.empty())
              self->write();
            else if (self->closing_)
              self->finish({});
          });
    });
  }

  void tick() {
    tick_timer_.expires_after(std::chrono::milliseconds(kTickMs));
    tick_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_) return;
      self->session_->tick(steady_ms());
      self->tick();
    });
  }

  void notice_subscribed() {
    if (on_subscribed_ && session_->subscribed()) {
      auto f = std::move(on_subscribed_);
      on_subscribed_ = nullptr;
      f();
    }
  }

  void finish(std::string why) {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    tick_timer_.cancel();
    stop_timer_.cancel();
    stream_->lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_->lowest_layer().close(ignored);
    session_->on_closed(why);
    ended_.cancel();
  }

  asio::io_context& loop_;
  std::unique_ptr<Stream> stream_;
  const bool tls_;
  asio::steady_timer tick_timer_, stop_timer_, ended_;
  std::shared_ptr<BridgeSession> session_;
  std::function<void()> on_subscribed_;
  std::string in_, pending_, writing_;
  bool reading_ = false, writing_now_ = false, paused_ = false, closing_ = false, closed_ = false;
};

}  // namespace

Result<BridgeOptions> bridge_options(const MqttBridgeConfig& config, std::uint32_t max_packet_size,
                                     std::uint16_t receive_maximum, std::size_t max_topic_levels) {
  auto endpoint = parse_bridge_url(config.url);
  if (!endpoint)
    return fail(ErrorCode::invalid,
                fmt::format("config key mqtt.bridge.url: {}", endpoint.error().message),
                "mqtt.bridge.url");
  BridgeOptions o;
  o.url = config.url;
  o.endpoint = std::move(*endpoint);
  o.client_id = config.client_id.empty() ? default_client_id() : config.client_id;
  o.username = config.username;
  o.password = config.password;
  o.tenant = config.tenant;
  for (auto filter : split_list(config.topics))
    o.filters.push_back(config.share_group.empty()
                            ? std::string(filter)
                            : fmt::format("$share/{}/{}", config.share_group, filter));
  o.qos = static_cast<std::uint8_t>(config.qos);
  o.keep_alive_s = static_cast<std::uint16_t>(config.keep_alive_s);
  o.v5 = config.protocol != "3.1.1";
  o.session_expiry_s = static_cast<std::uint32_t>(config.session_expiry_s);
  o.tls_ca = config.tls_ca;
  o.tls_cert = config.tls_cert;
  o.tls_key = config.tls_key;
  o.reconnect_min_ms = config.reconnect_min_ms;
  o.reconnect_max_ms = config.reconnect_max_ms;
  o.receive_maximum = receive_maximum;
  o.max_packet_size = max_packet_size;
  o.max_topic_levels = max_topic_levels;
  return o;
}

struct MqttBridge::Impl {
  Impl(BridgeOptions o, Broker& broker, Intake& intake)
      : options(std::move(o)),
        mailbox(std::make_shared<Mailbox>(loop)),
        context{
            broker,
            intake,
            user_identity(options.tenant, false, true, false,
                          fmt::format("MQTT bridge to {}", options.url)),
            BridgeSettings{
                .client_id = options.client_id,
                .username = options.username.empty() ? std::nullopt
                                                     : std::optional<std::string>(options.username),
                .password = options.password.empty() ? std::nullopt
                                                     : std::optional<std::string>(options.password),
                .filters = options.filters,
                .qos = options.qos,
                .keep_alive_s = options.keep_alive_s,
                .session_expiry_s = options.session_expiry_s,
                .receive_maximum = options.receive_maximum,
                .max_packet_size = options.max_packet_size,
                .max_topic_levels = options.max_topic_levels,
            },
            {},
            counters,
            [box = mailbox](std::move_only_function<void()> work) { box->post(std::move(work)); }},
        version(options.v5 ? Version::v5 : Version::v311),
        delay_timer(loop) {}

  Status load_tls() {
    boost::system::error_code ec;
    tls.set_verify_mode(ssl::verify_peer, ec);
    if (options.tls_ca.empty())
      tls.set_default_verify_paths(ec);
    else
      tls.load_verify_file(options.tls_ca, ec);
    if (ec)
      return fail(
          ErrorCode::invalid,
          fmt::format("config key mqtt.bridge.tls_ca: cannot load {}: {}",
                      options.tls_ca.empty() ? "the system's CAs" : options.tls_ca, ec.message()),
          "mqtt.bridge.tls_ca");
    if (!options.tls_cert.empty()) {
      tls.use_certificate_chain_file(options.tls_cert, ec);
      if (ec)
        return fail(ErrorCode::invalid,
                    fmt::format("config key mqtt.bridge.tls_cert: cannot load {}: {}",
                                options.tls_cert, ec.message()),
                    "mqtt.bridge.tls_cert");
      tls.use_private_key_file(options.tls_key, ssl::context::pem, ec);
      if (ec)
        return fail(ErrorCode::invalid,
                    fmt::format("config key mqtt.bridge.tls_key: cannot load {}: {}",
                                options.tls_key, ec.message()),
                    "mqtt.bridge.tls_key");
    }
    return {};
  }

  // The delay before attempt `failures` + 1: doubling from the minimum up
  // to the maximum, then a random point in its upper half, so nodes that
  // lost the broker together do not all return in the same millisecond.
  std::int64_t backoff(int failures) {
    std::int64_t d = options.reconnect_min_ms;
    for (int i = 0; i < failures && d < options.reconnect_max_ms; ++i) d *= 2;
    d = std::min<std::int64_t>(d, options.reconnect_max_ms);
    std::uniform_int_distribution<std::int64_t> jitter(d / 2, d);
    return std::max<std::int64_t>(jitter(random), 1);
  }

  asio::awaitable<void> sleep(std::int64_t ms) {
    boost::system::error_code ec;
    delay_timer.expires_after(std::chrono::milliseconds(ms));
    co_await delay_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  asio::awaitable<void> run() {
    int failures = 0;
    std::string last_why;
    for (bool first = true; !stopping; first = false) {
      if (!first) reconnects.fetch_add(1, std::memory_order_relaxed);
      const auto outcome = co_await attempt();
      const bool was_connected = connected.exchange(false);
      if (stopping) break;
      if (was_connected) {
        spdlog::warn("MQTT bridge: lost the connection to {}: {}", options.url, outcome.why);
        failures = 0;
        last_why.clear();
      } else if (outcome.version_refused && version == Version::v5) {
        spdlog::info("MQTT bridge: {} does not take MQTT 5; using MQTT 3.1.1", options.url);
        version = Version::v311;
        continue;
      } else if (outcome.why != last_why) {
        // The same failure again is no news: logged once until it changes.
        spdlog::warn("MQTT bridge: cannot connect to {}: {}; retrying", options.url, outcome.why);
        last_why = outcome.why;
      } else {
        spdlog::debug("MQTT bridge: cannot connect to {}: {}", options.url, outcome.why);
      }
      // The next connection must find every message of this one settled
      // (BridgeMemory): a resent QoS 2 message is then taken at most once.
      while (context.memory.unsettled > 0 && !stopping) co_await sleep(kSettlePollMs);
      if (!stopping) co_await sleep(backoff(failures++));
    }
  }

  // One connection, from resolving the name to the close.
  asio::awaitable<BridgeSession::Outcome> attempt() {
    BridgeSession::Outcome out;
    boost::system::error_code ec;
    const auto& host = options.endpoint.host;
    tcp::resolver resolver(loop);
    auto stream = std::make_unique<Stream>(loop, tls);
    // One deadline for resolving, connecting and the TLS handshake. Its
    // handler may run after this frame is gone (an expired timer cannot be
    // cancelled): what it touches is shared or a member.
    struct Deadline {
      bool over = false;       // the attempt got past it
      bool timed_out = false;  // it fired first
    };
    auto state = std::make_shared<Deadline>();
    asio::steady_timer deadline(loop, std::chrono::milliseconds(kConnectTimeoutMs));
    abort_attempt = [&] {
      boost::system::error_code ignored;
      resolver.cancel();
      stream->lowest_layer().close(ignored);
    };
    deadline.async_wait([this, state](const boost::system::error_code& e) {
      if (e || state->over) return;
      state->timed_out = true;
      if (abort_attempt) abort_attempt();
    });
    auto what = [&](std::string_view step) {
      return state->timed_out ? fmt::format("timed out {}", step)
                              : fmt::format("{}: {}", step, ec.message());
    };
    const auto endpoints = co_await resolver.async_resolve(
        host, std::to_string(options.endpoint.port), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !stopping)
      co_await asio::async_connect(stream->next_layer(), endpoints,
                                   asio::redirect_error(asio::use_awaitable, ec));
    else if (!ec)
      ec = asio::error::operation_aborted;
    if (ec) {
      out.why = what(fmt::format("connecting to {}:{}", host, options.endpoint.port));
    } else {
      stream->next_layer().set_option(tcp::no_delay(true), ec);
      ec.clear();
      if (options.endpoint.tls) {
        // SNI for names only (RFC 6066 3: no IP address literals); the
        // certificate must name the host, or its address.
        boost::system::error_code not_an_address;
        asio::ip::make_address(host, not_an_address);
        if (not_an_address) SSL_set_tlsext_host_name(stream->native_handle(), host.c_str());
        stream->set_verify_callback(ssl::host_name_verification(host));
        co_await stream->async_handshake(ssl::stream_base::client,
                                         asio::redirect_error(asio::use_awaitable, ec));
        if (ec) out.why = what("in the TLS handshake");
      }
    }
    state->over = true;
    deadline.cancel();
    abort_attempt = nullptr;
    if (!out.why.empty() || stopping) co_return out;

    auto link = std::make_shared<Link>(loop, std::move(stream), options.endpoint.tls);
    auto session = std::make_shared<BridgeSession>(context, link, version);
    current = link;
    link->start(session, [this, session] {
      connected = true;
      spdlog::info("MQTT bridge: connected to {} as {} (MQTT {}), subscribed to {}", options.url,
                   options.client_id, version == Version::v5 ? "5" : "3.1.1",
                   fmt::join(options.filters, ", "));
    });
    if (!link->closed())
      co_await link->ended().async_wait(asio::redirect_error(asio::use_awaitable, ec));
    current.reset();
    co_return session->outcome();
  }

  const BridgeOptions options;
  asio::io_context loop{1};
  ssl::context tls{ssl::context::tls_client};
  std::shared_ptr<Mailbox> mailbox;
  BridgeCounters counters;
  BridgeContext context;
  Version version;
  asio::steady_timer delay_timer;
  std::shared_ptr<Link> current;        // the open connection
  std::function<void()> abort_attempt;  // while connecting
  bool stopping = false;                // on the loop
  std::atomic<bool> connected{false};
  std::atomic<std::uint64_t> reconnects{0};
  std::mt19937_64 random{std::random_device{}()};
  std::thread thread;
};

MqttBridge::MqttBridge(BridgeOptions options, Broker& broker, Intake& intake)
    : impl_(std::make_unique<Impl>(std::move(options), broker, intake)) {}

MqttBridge::~MqttBridge() {
  stop();
}

Status MqttBridge::start() {
  auto& p = *impl_;
  if (p.thread.joinable()) return {};
  if (p.options.endpoint.tls)
    if (auto s = p.load_tls(); !s) return s;
  asio::co_spawn(p.loop, p.run(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      spdlog::error("MQTT bridge stopped: {}", x.what());
    }
  });
  p.thread = std::thread([&p] { p.loop.run(); });
  spdlog::info("MQTT bridge to {} for tenant {} started", p.options.url, p.options.tenant);
  return {};
}

void MqttBridge::stop() {
  auto& p = *impl_;
  if (!p.thread.joinable()) return;
  asio::post(p.loop, [&p] {
    p.stopping = true;
    if (p.abort_attempt) p.abort_attempt();
    if (p.current) p.current->stop();
    p.delay_timer.cancel();
  });
  p.thread.join();
  p.mailbox->close();
  spdlog::info("MQTT bridge to {} stopped", p.options.url);
}

BridgeStats MqttBridge::stats() const {
  const auto& p = *impl_;
  return {.connected = p.connected.load(),
          .received = p.counters.received.load(std::memory_order_relaxed),
          .refused = p.counters.refused.load(std::memory_order_relaxed),
          .reconnects = p.reconnects.load(std::memory_order_relaxed)};
}

}  // namespace citypulse::mqtt
