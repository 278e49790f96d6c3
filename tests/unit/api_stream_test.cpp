// Streamed responses (HttpResponse::body_stream) through the real HttpServer,
// in process, over plain TCP and over TLS: chunked transfer encoding,
// keep-alive after a streamed body, HEAD, a producer that fails mid-body, and
// HTTP/1.0 clients, which get the body gathered with a Content-Length.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

#include "../support/tls_support.h"
#include "api/http_metrics.h"
#include "api/http_server.h"
#include "api/router.h"

namespace citypulse {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr int kPieces = 2000;
constexpr std::size_t kPieceBytes = 1024;

// Piece i: its number, then filler that differs from its neighbours', so a
// lost, repeated or reordered piece changes the body.
std::string piece(int i) {
  std::string p = std::to_string(i) + ":";
  p.resize(kPieceBytes, static_cast<char>('a' + i % 26));
  return p;
}

std::string pieces(int n) {
  std::string all;
  for (int i = 0; i < n; ++i) all += piece(i);
  return all;
}

// Counts calls of a producer, and calls that overlap one another or follow
// its end (neither may happen).
struct ProducerLog {
  std::atomic<int> calls{0};
  std::atomic<bool> in_call{false};
  std::atomic<int> overlapping{0};
  std::atomic<int> after_end{0};
};

// A producer of `total` pieces that fails instead of producing piece
// `fail_at` (never, when negative).
std::function<Result<std::string>()> producer(std::shared_ptr<ProducerLog> log, int total,
                                              int fail_at) {
  return [log, total, fail_at, next = 0, ended = false]() mutable -> Result<std::string> {
    if (log->in_call.exchange(true)) ++log->overlapping;
    ++log->calls;
    if (ended) ++log->after_end;
    Result<std::string> r;
    if (next == fail_at) {
      ended = true;
      r = fail(ErrorCode::io, "the store went away");
    } else if (next == total) {
      ended = true;
      r = std::string();
    } else {
      r = piece(next++);
    }
    log->in_call = false;
    return r;
  };
}

// The count of citypulse_http_requests_total for one series; 0 when absent.
long requests_recorded(const std::string& route, const std::string& method, int status) {
  std::string text;
  append_process_metrics(text);
  const std::string series = "citypulse_http_requests_total{route=\"" + route + "\",method=\"" +
                             method + "\",status=\"" + std::to_string(status) + "\"} ";
  const auto at = text.find(series);
  return at == std::string::npos ? 0 : std::stol(text.substr(at + series.size()));
}

struct Reply {
  beast::error_code ec;  // of reading the reply; a truncated body is partial_message
  http::response<http::string_body> msg;
  bool has(http::field f) const { return msg.find(f) != msg.end(); }
};

// A client of one connection, plain or TLS. Every operation is bounded by a
// timeout, so a server that hangs fails the test instead of blocking it.
class Client {
 public:
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  Client(std::uint16_t port, ssl::context* tls) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    if (tls)
      tls_.emplace(ioc_, *tls);
    else
      plain_.emplace(ioc_);
    EXPECT_FALSE(
        run([&](auto& s, auto h) { beast::get_lowest_layer(s).async_connect(endpoint, h); }));
    if (tls) {
      EXPECT_FALSE(run([](auto& s, auto h) {
        if constexpr (std::is_same_v<std::decay_t<decltype(s)>, TlsStream>)
          s.async_handshake(ssl::stream_base::client, h);
      }));
    }
  }

  Reply request(http::verb method, const std::string& target, unsigned version = 11) {
    http::request<http::empty_body> req{method, target, version};
    req.set(http::field::host, "127.0.0.1");
    Reply reply;
    reply.ec = run([&](auto& s, auto h) { http::async_write(s, req, h); });
    if (reply.ec) return reply;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (method == http::verb::head) parser.skip(true);
    reply.ec = run([&](auto& s, auto h) { http::async_read(s, buffer_, parser, h); });
    reply.msg = parser.release();
    return reply;
  }

  // True when the server has closed the connection: the socket reaches its
  // end with no more than `timeout_ms` of silence between bytes (a live idle
  // connection just stays silent; over TLS the server first waits up to a
  // second for the client's close_notify, which this client never sends).
  // Asks the kernel directly, consuming whatever bytes are left (the CRLF
  // after a cut-off chunk, TLS records): Asio may not report the end of a
  // stream a second time.
  bool closed_by_server(int timeout_ms = 3000) {
    const int fd = tls_ ? beast::get_lowest_layer(*tls_).socket().native_handle()
                        : plain_->socket().native_handle();
    for (;;) {
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, timeout_ms) != 1) return false;
      char bytes[512];
      const auto n = ::recv(fd, bytes, sizeof bytes, MSG_DONTWAIT);
      if (n == 0) return true;
      if (n < 0) return errno != EAGAIN && errno != EINTR;
    }
  }

 private:
  // Runs one asynchronous operation, started by `initiate(stream, handler)`,
  // to completion.
  template <class Initiate>
  beast::error_code run(Initiate initiate,
                        std::chrono::steady_clock::duration timeout = std::chrono::seconds(20)) {
    beast::error_code result = asio::error::operation_aborted;
    auto handler = [&result](beast::error_code ec, auto&&...) { result = ec; };
    if (tls_) {
      beast::get_lowest_layer(*tls_).expires_after(timeout);
      initiate(*tls_, handler);
    } else {
      plain_->expires_after(timeout);
      initiate(*plain_, handler);
    }
    ioc_.restart();
    ioc_.run();
    return result;
  }

  asio::io_context ioc_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<TlsStream> tls_;
  beast::flat_buffer buffer_;
};

// The server in process with three routes: /stream/big (kPieces pieces),
// /stream/fails (fails after 3 pieces) and /plain (an ordinary body). The
// parameter: over TLS.
class StreamTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    router_.add("GET", "/stream/big", RouteAccess::public_route(), [this](RequestContext&) {
      HttpResponse r;
      r.content_type = "text/csv";
      r.body_stream = producer(big_, kPieces, -1);
      return r;
    });
    router_.add("GET", "/stream/fails", RouteAccess::public_route(), [this](RequestContext&) {
      HttpResponse r;
      r.content_type = "text/csv";
      r.body_stream = producer(failing_, kPieces, 3);
      return r;
    });
    router_.add("GET", "/plain", RouteAccess::public_route(), [](RequestContext&) {
      HttpResponse r;
      r.content_type = "text/plain";
      r.body = "plain";
      return r;
    });

    HttpConfig config;
    config.bind = "127.0.0.1";
    config.port = 0;
    config.threads = 2;
    config.read_timeout_ms = 10'000;
    config.shutdown_grace_ms = 2'000;
    config.access_log = false;
    if (GetParam()) {
      dir_ = std::filesystem::temp_directory_path() /
             ("citypulse-stream-" + std::to_string(::getpid()));
      std::filesystem::create_directories(dir_);
      config.tls_cert = (dir_ / "cert.pem").string();
      config.tls_key = (dir_ / "key.pem").string();
      test::write_self_signed_certificate(config.tls_cert, config.tls_key);
      client_tls_.emplace(ssl::context::tls_client);
      client_tls_->set_verify_mode(ssl::verify_none);  // what is tested here is the body
    }
    server_ = std::make_unique<HttpServer>(config, router_, 2);
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
    runner_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (runner_.joinable()) runner_.join();
    server_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Client connect() { return Client(port_, client_tls_ ? &*client_tls_ : nullptr); }

  std::shared_ptr<ProducerLog> big_ = std::make_shared<ProducerLog>();
  std::shared_ptr<ProducerLog> failing_ = std::make_shared<ProducerLog>();

 private:
  Router router_;
  std::filesystem::path dir_;
  std::optional<ssl::context> client_tls_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::thread runner_;
};

TEST_P(StreamTest, SendsTheBodyChunkedAndKeepsTheConnection) {
  Client client = connect();
  const long recorded = requests_recorded("/stream/big", "GET", 200);
  auto first = client.request(http::verb::get, "/stream/big");
  ASSERT_FALSE(first.ec) << first.ec.message();
  EXPECT_EQ(first.msg.result_int(), 200);
  EXPECT_TRUE(first.msg.chunked());
  EXPECT_FALSE(first.has(http::field::content_length));
  EXPECT_EQ(first.msg[http::field::content_type], "text/csv");
  EXPECT_TRUE(first.msg.keep_alive());
  const std::string expected = pieces(kPieces);
  ASSERT_EQ(first.msg.body().size(), expected.size());
  EXPECT_TRUE(first.msg.body() == expected);  // not EXPECT_EQ: 2 MB in a failure message
  EXPECT_EQ(big_->calls, kPieces + 1);        // every piece, then the empty end
  EXPECT_EQ(big_->overlapping, 0);
  EXPECT_EQ(big_->after_end, 0);
  EXPECT_EQ(requests_recorded("/stream/big", "GET", 200), recorded + 1);

  // The same connection carries on, with an ordinary response and another stream.
  auto second = client.request(http::verb::get, "/plain");
  ASSERT_FALSE(second.ec) << second.ec.message();
  EXPECT_EQ(second.msg.body(), "plain");
  auto third = client.request(http::verb::get, "/stream/big");
  ASSERT_FALSE(third.ec) << third.ec.message();
  EXPECT_TRUE(third.msg.body() == expected);
  EXPECT_FALSE(client.closed_by_server(1000));
}

TEST_P(StreamTest, HeadGetsTheHeaderOnlyAndNeverCallsTheProducer) {
  Client client = connect();
  auto head = client.request(http::verb::head, "/stream/big");
  ASSERT_FALSE(head.ec) << head.ec.message();
  EXPECT_EQ(head.msg.result_int(), 200);
  EXPECT_TRUE(head.msg.chunked());
  EXPECT_FALSE(head.has(http::field::content_length));
  EXPECT_EQ(big_->calls, 0);
  // Were any body bytes sent after the header, this reply would not parse.
  auto next = client.request(http::verb::get, "/plain");
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(next.msg.body(), "plain");
  EXPECT_EQ(big_->calls, 0);
}

TEST_P(StreamTest, AFailingProducerCutsTheBodyShortAndClosesTheConnection) {
  Client client = connect();
  auto reply = client.request(http::verb::get, "/stream/fails");
  // The header went out before the failure; the body ends without its last chunk.
  EXPECT_EQ(reply.ec, http::error::partial_message) << reply.ec.message();
  EXPECT_EQ(reply.msg.result_int(), 200);
  EXPECT_TRUE(reply.msg.chunked());
  EXPECT_TRUE(reply.msg.body() == pieces(3)) << reply.msg.body().size() << " bytes";
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(failing_->calls, 4);  // three pieces, the failure, nothing after it
  EXPECT_EQ(failing_->after_end, 0);
}

TEST_P(StreamTest, Http10GetsTheBodyGatheredWithAContentLength) {
  Client client = connect();
  auto reply = client.request(http::verb::get, "/stream/big", 10);
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.msg.result_int(), 200);
  EXPECT_FALSE(reply.msg.chunked());
  EXPECT_FALSE(reply.has(http::field::transfer_encoding));
  EXPECT_EQ(reply.msg[http::field::content_length], std::to_string(kPieces * kPieceBytes));
  EXPECT_TRUE(reply.msg.body() == pieces(kPieces));
  EXPECT_EQ(big_->calls, kPieces + 1);
  EXPECT_TRUE(client.closed_by_server());  // HTTP/1.0 without keep-alive
}

TEST_P(StreamTest, Http10GetsA500WhenTheProducerFails) {
  Client client = connect();
  auto reply = client.request(http::verb::get, "/stream/fails", 10);
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.msg.result_int(), 500);
  EXPECT_EQ(reply.msg[http::field::content_type], "application/problem+json");
  EXPECT_EQ(reply.msg.body().find("0:"), std::string::npos);  // no piece leaks into it
  EXPECT_EQ(failing_->calls, 4);
}

TEST_P(StreamTest, Http10HeadGetsNeitherChunkingNorAProducerCall) {
  Client client = connect();
  auto head = client.request(http::verb::head, "/stream/big", 10);
  ASSERT_FALSE(head.ec) << head.ec.message();
  EXPECT_EQ(head.msg.result_int(), 200);
  EXPECT_FALSE(head.has(http::field::transfer_encoding));
  EXPECT_EQ(big_->calls, 0);
}

INSTANTIATE_TEST_SUITE_P(PlainAndTls, StreamTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Tls" : "Plain";
                         });

}  // namespace
}  // namespace citypulse
