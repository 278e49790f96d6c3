#include "http_client.h"

#include <boost/json.hpp>

#include <poll.h>
#include <strings.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace citypulse::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string Reply::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return {};
}

struct HttpClient::Impl {
  explicit Impl(std::uint16_t p) : port(p), socket(ioc) {}
  std::uint16_t port;
  asio::io_context ioc;
  tcp::socket socket;
  beast::flat_buffer buffer;

  void connect() {
    boost::system::error_code ec;
    socket.close(ec);
    socket = tcp::socket(ioc);
    buffer.clear();
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  Reply exchange(const http::request<http::string_body>& req) {
    http::write(socket, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (req.method() == http::verb::head) parser.skip(true);
    http::read(socket, buffer, parser);
    auto& res = parser.get();
    Reply r;
    r.status = static_cast<int>(res.result_int());
    for (const auto& f : res)
      r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.body = res.body();
    if (!res.keep_alive()) {
      boost::system::error_code ec;
      socket.close(ec);
    }
    return r;
  }
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {}
HttpClient::~HttpClient() = default;

Reply HttpClient::request(const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  bool has_type = false, has_authorization = false;
  for (const auto& [k, v] : headers) {
    req.set(k, v);
    has_type = has_type || strcasecmp(k.c_str(), "Content-Type") == 0;
    has_authorization = has_authorization || strcasecmp(k.c_str(), "Authorization") == 0;
  }
  if (!has_authorization && !authorization_.empty())
    req.set(http::field::authorization, authorization_);
  if (!body.empty() && !has_type) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  // One retry on a fresh connection: the server may have closed an idle one.
  for (int attempt = 0;; ++attempt) {
    try {
      if (!impl_->socket.is_open()) impl_->connect();
      return impl_->exchange(req);
    } catch (const boost::system::system_error& e) {
      boost::system::error_code ec;
      impl_->socket.close(ec);
      if (attempt == 1) throw std::runtime_error(std::string("HTTP request failed: ") + e.what());
    }
  }
}

Reply HttpClient::sign_in(const std::string& email, const std::string& password) {
  boost::json::object body{{"email", email}, {"password", password}};
  auto r = request("POST", "/api/v1/auth/login", boost::json::serialize(body));
  if (r.status == 200) {
    const auto reply = boost::json::parse(r.body).as_object();
    set_authorization("Bearer " + std::string(reply.at("access_token").as_string()));
  }
  return r;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  std::string out;
  char chunk[4096];
  pollfd pfd{socket.native_handle(), POLLIN, 0};
  while (::poll(&pfd, 1, timeout_ms) > 0) {
    const auto n = socket.read_some(asio::buffer(chunk), ec);
    if (ec || n == 0) break;
    out.append(chunk, n);
  }
  return out;
}

}  // namespace citypulse::test
