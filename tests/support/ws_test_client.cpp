#include "ws_test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace citypulse::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct WsTestClient::Stream {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  bool reading = false;
  std::optional<std::string> arrived;
};

WsTestClient::WsTestClient(std::uint16_t port, const std::string& target, bool deflate)
    : stream_(std::make_unique<Stream>()) {
  auto& s = *stream_;
  if (deflate) {
    websocket::permessage_deflate offer;
    offer.client_enable = true;
    s.ws.set_option(offer);
  }
  s.ws.next_layer().connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  websocket::response_type answer;
  s.ws.handshake(answer, "127.0.0.1", target);
  extensions_ = std::string(answer[beast::http::field::sec_websocket_extensions]);
  s.ws.text(true);
}

WsTestClient::~WsTestClient() = default;

void WsTestClient::send(const std::string& text) {
  if (closed_) return;
  beast::error_code ec;
  stream_->ws.write(asio::buffer(text), ec);
  if (ec) closed_ = true;
}

std::optional<std::string> WsTestClient::receive(int timeout_ms) {
  auto& s = *stream_;
  // A read left pending by an earlier timeout goes on; its message is the next.
  if (!s.reading && !s.arrived && !closed_) {
    s.reading = true;
    s.ws.async_read(s.buffer, [this](beast::error_code ec, std::size_t) {
      auto& st = *stream_;
      st.reading = false;
      if (ec) {
        if (ec == websocket::error::closed) {
          close_code_ = st.ws.reason().code;
          close_reason_ = std::string(st.ws.reason().reason.c_str());
        }
        closed_ = true;
        return;
      }
      st.arrived = beast::buffers_to_string(st.buffer.data());
      st.buffer.consume(st.buffer.size());
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (s.reading && std::chrono::steady_clock::now() < deadline) {
    s.ioc.restart();
    s.ioc.run_for(std::chrono::milliseconds(20));
  }
  if (!s.arrived) return std::nullopt;
  return std::exchange(s.arrived, std::nullopt);
}

void WsTestClient::close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ec;
  if (stream_->reading) {
    // A read is pending: drop the connection instead of a closing handshake.
    beast::get_lowest_layer(stream_->ws).socket().close(ec);
    return;
  }
  stream_->ws.close(websocket::close_code::normal, ec);
}

}  // namespace citypulse::test
