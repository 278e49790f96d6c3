// A blocking HTTP/1.1 client for tests: one keep-alive connection to a server
// on the loopback interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace citypulse::test {

struct Reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(const std::string& name) const;  // "" when absent
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();

  // Sends one request (reconnecting if the server closed the connection) and
  // reads the reply. A JSON body gets Content-Type application/json unless
  // headers name another. Throws std::runtime_error on network failure.
  Reply request(const std::string& method, const std::string& target, const std::string& body = {},
                const std::vector<std::pair<std::string, std::string>>& headers = {});

  // Sent as the Authorization header of every request that does not name
  // one itself; empty: none.
  void set_authorization(std::string value) { authorization_ = std::move(value); }
  const std::string& authorization() const { return authorization_; }

  // Signs in over POST /api/v1/auth/login and, when that succeeds, sends the
  // access token from then on. Returns the reply.
  Reply sign_in(const std::string& email, const std::string& password);

  Reply get(const std::string& target) { return request("GET", target); }
  Reply post(const std::string& target, const std::string& json) {
    return request("POST", target, json);
  }
  Reply put(const std::string& target, const std::string& json) {
    return request("PUT", target, json);
  }
  Reply patch(const std::string& target, const std::string& json) {
    return request("PATCH", target, json);
  }
  Reply del(const std::string& target) { return request("DELETE", target); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string authorization_;
};

// Sends raw bytes on a fresh connection and returns everything the server
// sends back until it closes (or `timeout_ms` passes).
std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000);

}  // namespace citypulse::test
